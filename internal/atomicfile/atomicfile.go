// Package atomicfile writes files so that a reader (or a crash) sees either
// the old content or the new, never a half-written file: data goes to a
// temporary file in the same directory, is synced, and renamed over the
// target.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// WriteFile atomically replaces path with what write produces.
func WriteFile(path string, perm os.FileMode, write func(io.Writer) error) error {
	var b Batch
	if err := b.Stage(path, perm, write); err != nil {
		return err
	}
	return b.Commit()
}

// Batch stages several files and renames them into place together, so that a
// run that fails half-way changes none of them.
type Batch struct {
	staged []staged
	// created are the folders Stage made, deepest first, so that a
	// discarded batch leaves no empty folder behind either.
	created []string
}

type staged struct{ tmp, path string }

// Stage writes the content of path to a temporary file next to it.
func (b *Batch) Stage(path string, perm os.FileMode, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || d == filepath.Dir(d) {
			break
		}
		b.created = append(b.created, d)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := write(f); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Chmod(perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	b.staged = append(b.staged, staged{tmp: f.Name(), path: path})
	return nil
}

// Commit renames every staged file into place.
func (b *Batch) Commit() error {
	for i, s := range b.staged {
		if err := os.Rename(s.tmp, s.path); err != nil {
			b.staged = b.staged[i:]
			return errors.Join(fmt.Errorf("replace %s: %w", s.path, err), b.Discard())
		}
	}
	b.staged, b.created = nil, nil
	return nil
}

// Discard removes every staged file; it is safe to call after Commit.
func (b *Batch) Discard() error {
	var errs []error
	for _, s := range b.staged {
		if err := os.Remove(s.tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	b.staged = nil
	for _, d := range b.created {
		os.Remove(d) // only empty folders go; one in use by another file stays
	}
	b.created = nil
	return errors.Join(errs...)
}

// RemoveStale removes from dir the temporary files Stage leaves behind when
// the process is killed before Commit or Discard: regular files named
// .<name>.tmp-<digits> (exactly what Stage creates) whose name is one that
// want accepts. It returns the names removed. A dir that does not exist
// holds nothing stale.
func RemoveStale(dir string, want func(name string) bool) (removed []string, err error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, e := range entries {
		name, ok := stagedName(e.Name())
		if !ok || !e.Type().IsRegular() || !want(name) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, e.Name())
	}
	return removed, errors.Join(errs...)
}

// stagedName returns the target name of a temporary file Stage made
// (".<name>.tmp-<digits>"), or ok false for any other name.
func stagedName(tmp string) (name string, ok bool) {
	rest, ok := strings.CutPrefix(tmp, ".")
	if !ok {
		return "", false
	}
	i := strings.LastIndex(rest, ".tmp-")
	if i <= 0 {
		return "", false
	}
	digits := rest[i+len(".tmp-"):]
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return "", false
	}
	return rest[:i], true
}
