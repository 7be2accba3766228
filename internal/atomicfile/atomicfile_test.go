package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestBatchCommitsAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "sub", "b.csv")
	if err := os.WriteFile(a, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	write := func(s string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
	}

	// A failed run: one file staged, the next fails; Discard leaves the old
	// content and no temporary file behind.
	var failed Batch
	if err := failed.Stage(a, 0o644, write("new")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	if err := failed.Stage(b, 0o644, func(io.Writer) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("Stage error = %v", err)
	}
	if err := failed.Discard(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(a); string(got) != "old" {
		t.Errorf("a.csv = %q after a failed batch", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "sub")); !os.IsNotExist(err) {
		t.Errorf("a failed batch left the folder it created: %v", err)
	}
	assertNoTemp(t, dir)

	var ok Batch
	if err := ok.Stage(a, 0o644, write("new")); err != nil {
		t.Fatal(err)
	}
	if err := ok.Stage(b, 0o600, write("b")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(a); string(got) != "old" {
		t.Error("staging replaced the file before Commit")
	}
	if err := ok.Commit(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(a); string(got) != "new" {
		t.Errorf("a.csv = %q", got)
	}
	if st, err := os.Stat(b); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("b.csv: %v %v", st, err)
	}
	if err := ok.Discard(); err != nil {
		t.Errorf("Discard after Commit: %v", err)
	}
	assertNoTemp(t, dir)
}

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if d != nil && !d.IsDir() && filepath.Ext(filepath.Base(p)) != ".csv" {
			t.Errorf("left behind: %s", p)
		}
		return nil
	})
}
