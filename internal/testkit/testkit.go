// Package testkit holds the test set-up several packages' tests share: a
// git command with a fixed identity, a clone of a bare remote, and the
// shipped Bulk API mirror. Only tests import it.
package testkit

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Git runs git in dir as a fixed author and committer, fails the test on
// error, and returns the trimmed output.
func Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.com", "GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// CloneOfBare makes an empty bare repository, remote.git, and a clone of
// it, work, on main, both under dir; the user's git configuration is kept
// out of the test.
func CloneOfBare(t *testing.T, dir string) (bare, work string) {
	t.Helper()
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	bare = filepath.Join(dir, "remote.git")
	work = filepath.Join(dir, "work")
	Git(t, dir, "init", "--quiet", "--bare", "--initial-branch=main", bare)
	Git(t, dir, "clone", "--quiet", bare, work)
	Git(t, work, "checkout", "--quiet", "-B", "main")
	return bare, work
}

// Mirror is the absolute path of the repository's Bulk API mirror,
// testdata/mirror.
func Mirror(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("testkit: cannot locate the repository")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "mirror")
}

// MirrorCopy is a copy of the Bulk API mirror in a temporary folder, for a
// test that edits it (drops a file, corrupts an index).
func MirrorCopy(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(Mirror(t))); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Sleeps records the waits a client asks for instead of sleeping. Like a
// real sleep of no time, it returns the context's error once that is done.
type Sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

// Sleep records d.
func (s *Sleeps) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return ctx.Err()
}

// All returns the waits recorded so far.
func (s *Sleeps) All() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.d)
}

// SyncBuffer is a log several goroutines write to (a process and its
// watchdog, concurrent handlers) while the test reads it.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
