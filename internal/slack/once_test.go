package slack

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pricechecker/pricechecker/internal/publish"
	"github.com/pricechecker/pricechecker/internal/slack/slackfake"
)

func publicationMessage(t *testing.T, id string) Message {
	t.Helper()
	msg, skip := BuildMessage(publish.Outcome{Status: publish.StatusSuccess, Report: largeReport(), Links: testLinks, PublicationID: id}, MessageOptions{})
	if skip {
		t.Fatal("test message skipped")
	}
	return msg
}

// A re-run of the same notification, by a new process with no local
// state, finds the first post in the channel and does not post again.
func TestSendOncePostsEachPublicationOnce(t *testing.T) {
	fake := slackfake.New()
	defer fake.Close()
	fake.SetMessageInterval(0)
	cfg := transports(fake)["bot"]
	msg := publicationMessage(t, "pub-1")

	res, err := newSender(t, cfg, nil).SendOnce(t.Context(), msg)
	if err != nil || !res.Posted || res.Unchecked != "" {
		t.Fatalf("first SendOnce = %+v, %v", res, err)
	}
	got := fake.Messages()
	if len(got) != 1 {
		t.Fatalf("%d messages posted, want 1", len(got))
	}
	var meta struct {
		EventType    string         `json:"event_type"`
		EventPayload map[string]any `json:"event_payload"`
	}
	if err := json.Unmarshal(got[0].Metadata, &meta); err != nil || meta.EventType != PublicationEventType || meta.EventPayload["publication_id"] != "pub-1" {
		t.Errorf("metadata = %s (%v)", got[0].Metadata, err)
	}

	// A busy channel: the first post is three pages back.
	fake.AddChannelMessages(450)
	res, err = newSender(t, cfg, nil).SendOnce(t.Context(), msg)
	if err != nil || res.Posted || res.AlreadyPosted != got[0].TS {
		t.Fatalf("re-run SendOnce = %+v, %v; want the first post (ts %s) found", res, err, got[0].TS)
	}
	if n := len(fake.Messages()); n != 1 {
		t.Errorf("%d messages after the re-run, want 1", n)
	}
	if fake.HistoryPages() != 1+3 {
		t.Errorf("history pages read = %d, want 4 (one before the first post, three after)", fake.HistoryPages())
	}

	// Another publication is posted.
	if res, err := newSender(t, cfg, nil).SendOnce(t.Context(), publicationMessage(t, "pub-2")); err != nil || !res.Posted {
		t.Errorf("another publication: %+v, %v", res, err)
	}
}

// The id in the context block is found when the metadata is not there
// (a message posted by a version that sent none, or metadata dropped).
func TestSendOnceFindsTheIDInTheContextBlock(t *testing.T) {
	fake := slackfake.New()
	defer fake.Close()
	fake.SetMessageInterval(0)
	msg := publicationMessage(t, "pub-1")
	// A webhook post: blocks, no metadata.
	if err := newSender(t, transports(fake)["webhook"], nil).Send(t.Context(), msg); err != nil {
		t.Fatal(err)
	}
	res, err := newSender(t, transports(fake)["bot"], nil).SendOnce(t.Context(), msg)
	if err != nil || res.Posted || res.AlreadyPosted == "" {
		t.Errorf("SendOnce = %+v, %v; want the webhook's post found", res, err)
	}
}

func TestSendOnceRetriesRateLimitedHistory(t *testing.T) {
	fake := slackfake.New()
	defer fake.Close()
	fake.RateLimit(2, "3")
	var sl sleeper
	res, err := newSender(t, transports(fake)["bot"], &sl).SendOnce(t.Context(), publicationMessage(t, "pub-1"))
	if err != nil || !res.Posted {
		t.Fatalf("SendOnce = %+v, %v", res, err)
	}
	if len(sl.waits) != 2 || fake.HistoryPages() != 1 {
		t.Errorf("waits %v, history pages %d; want two waits, then the history read", sl.waits, fake.HistoryPages())
	}
}

// A 429 in the middle of a long history waits and reads on from that page,
// not from the start.
func TestSendOnceWaitsOutHistoryRateLimit(t *testing.T) {
	fake := slackfake.New()
	defer fake.Close()
	fake.SetMessageInterval(0)
	var mu sync.Mutex
	clock := time.Now()
	fake.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return clock })
	cfg := transports(fake)["bot"]
	var waits []time.Duration
	cfg.Sleep = func(_ context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		waits = append(waits, d)
		clock = clock.Add(d)
		return nil
	}
	msg := publicationMessage(t, "pub-1")
	if _, err := newSender(t, cfg, nil).SendOnce(t.Context(), msg); err != nil {
		t.Fatal(err)
	}
	fake.SetHistoryLimits(2, 15) // two calls a minute, 15 messages a page
	fake.AddChannelMessages(40)
	before := fake.HistoryPages()
	res, err := newSender(t, cfg, nil).SendOnce(t.Context(), msg)
	if err != nil || res.AlreadyPosted == "" || res.Posted {
		t.Fatalf("SendOnce = %+v, %v; want the post found", res, err)
	}
	if got := fake.HistoryPages() - before; got != 3 {
		t.Errorf("%d pages served, want 3 (41 messages, 15 a page), none read twice", got)
	}
	if len(waits) != 1 || waits[0] < 50*time.Second {
		t.Errorf("waits = %v, want one wait of about a minute", waits)
	}
}

// When the history cannot be read because Slack failed, nothing is
// posted: a re-run can post it, a guess could post it twice.
func TestSendOnceDoesNotPostWhenTheCheckFails(t *testing.T) {
	fake := slackfake.New()
	defer fake.Close()
	fake.FailHistory(1)
	_, err := newSender(t, transports(fake)["bot"], nil).SendOnce(t.Context(), publicationMessage(t, "pub-1"))
	if err == nil || !strings.Contains(err.Error(), "conversations.history") || !strings.Contains(err.Error(), "not posted") {
		t.Errorf("err = %v", err)
	}
	if n := len(fake.Messages()); n != 0 {
		t.Errorf("%d messages posted", n)
	}
}

// Where the channel cannot be read, the message is posted and the result
// says why it was not checked.
func TestSendOnceUnchecked(t *testing.T) {
	t.Run("webhook", func(t *testing.T) {
		fake := slackfake.New()
		defer fake.Close()
		res, err := newSender(t, transports(fake)["webhook"], nil).SendOnce(t.Context(), publicationMessage(t, "pub-1"))
		if err != nil || !res.Posted || !strings.Contains(res.Unchecked, "webhook cannot read its channel") {
			t.Errorf("SendOnce = %+v, %v", res, err)
		}
	})
	t.Run("no history scope", func(t *testing.T) {
		fake := slackfake.New()
		defer fake.Close()
		fake.RemoveHistoryScope()
		res, err := newSender(t, transports(fake)["bot"], nil).SendOnce(t.Context(), publicationMessage(t, "pub-1"))
		if err != nil || !res.Posted || !strings.Contains(res.Unchecked, "channels:history") {
			t.Errorf("SendOnce = %+v, %v", res, err)
		}
	})
	t.Run("bot not in the channel", func(t *testing.T) {
		fake := slackfake.New()
		defer fake.Close()
		fake.RemoveFromChannel()
		res, err := newSender(t, transports(fake)["bot"], nil).SendOnce(t.Context(), publicationMessage(t, "pub-1"))
		if err != nil || !res.Posted || !strings.Contains(res.Unchecked, "/invite") {
			t.Errorf("SendOnce = %+v, %v", res, err)
		}
	})
	t.Run("history longer than read", func(t *testing.T) {
		fake := slackfake.New()
		defer fake.Close()
		fake.SetMessageInterval(0)
		fake.SetHistoryLimits(slackfake.DefaultHistoryPerMin, 15) // the 2025 limit for apps outside the Marketplace
		cfg := transports(fake)["bot"]
		newSender(t, cfg, nil).SendOnce(t.Context(), publicationMessage(t, "pub-1"))
		fake.AddChannelMessages(100)
		cfg.MaxHistoryPages = 3
		res, err := newSender(t, cfg, nil).SendOnce(t.Context(), publicationMessage(t, "pub-1"))
		if err != nil || !res.Posted || !strings.Contains(res.Unchecked, "more than 45 messages") {
			t.Errorf("SendOnce = %+v, %v", res, err)
		}
	})
}
