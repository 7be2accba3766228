package backoff

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestJitteredGrowsWithinBounds(t *testing.T) {
	base, max := 500*time.Millisecond, 4*time.Second
	for attempt := 1; attempt <= 10; attempt++ {
		want := min(base<<(attempt-1), max)
		for range 200 {
			d := Jittered(attempt, base, max)
			if d < want/2 || d > want {
				t.Fatalf("attempt %d: %v outside [%v, %v]", attempt, d, want/2, want)
			}
		}
	}
}

func TestSleepStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep = %v, want context.Canceled", err)
	}
	if time.Since(start) > time.Second {
		t.Fatal("Sleep did not return when the context was done")
	}
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Fatalf("Sleep = %v", err)
	}
}
