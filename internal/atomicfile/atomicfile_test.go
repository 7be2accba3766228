package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
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

// A process killed between Stage and Commit leaves its temporary file;
// RemoveStale finds exactly the files Stage names that way, and nothing
// else.
func TestRemoveStale(t *testing.T) {
	dir := t.TempDir()
	// What a killed run leaves: staged, never committed nor discarded.
	var killed Batch
	if err := killed.Stage(filepath.Join(dir, "us-east-1.csv"), 0o644, func(w io.Writer) error { _, err := io.WriteString(w, "half"); return err }); err != nil {
		t.Fatal(err)
	}
	left := filepath.Base(killed.staged[0].tmp)
	keep := []string{"us-east-1.csv.tmp-1", ".us-east-1.csv.tmp-", ".us-east-1.csv.tmp-12a", ".tmp-1", "..tmp-1", ".notes.txt.tmp-1", "notes.txt"}
	for _, name := range append([]string{".manifest.json.tmp-42"}, keep...) {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, ".eu-west-1.csv.tmp-7"), 0o755); err != nil {
		t.Fatal(err)
	}
	keep = append(keep, ".eu-west-1.csv.tmp-7")

	removed, err := RemoveStale(dir, func(name string) bool { return name == "manifest.json" || filepath.Ext(name) == ".csv" })
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{".manifest.json.tmp-42", left}; len(removed) != 2 || removed[0] != want[0] || removed[1] != want[1] {
		t.Errorf("removed %q, want %q", removed, want)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	slices.Sort(got)
	slices.Sort(keep)
	if !slices.Equal(got, keep) {
		t.Errorf("left %q, want %q", got, keep)
	}
	if removed, err := RemoveStale(filepath.Join(dir, "missing"), func(string) bool { return true }); err != nil || removed != nil {
		t.Errorf("a missing folder: %q, %v", removed, err)
	}
}
