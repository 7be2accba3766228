package sheets

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/pricechecker/pricechecker/internal/snapshot"
)

// ReadSnapshotCSV loads a snapshot file <out>/<offerCode>/<region>.csv as a
// Tab. Offer and Region come from the path; Version and PublicationDate are
// not in the file and are left for the caller to fill in.
func ReadSnapshotCSV(path string) (Tab, error) {
	f, err := os.Open(path)
	if err != nil {
		return Tab{}, fmt.Errorf("sheets: read snapshot: %w", err)
	}
	defer f.Close()
	t, err := ReadSnapshot(f)
	if err != nil {
		return Tab{}, fmt.Errorf("sheets: read snapshot %s: %w", path, err)
	}
	t.Offer = filepath.Base(filepath.Dir(path))
	t.Region = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	return t, nil
}

// ReadSnapshot reads a snapshot CSV through the snapshot package, which
// owns the format: a header row, then rows of the same width.
func ReadSnapshot(r io.Reader) (Tab, error) {
	sr, err := snapshot.NewReader(r)
	if errors.Is(err, io.EOF) {
		return Tab{}, errors.New("empty file: want a header row")
	}
	if err != nil {
		return Tab{}, err
	}
	t := Tab{Header: sr.Header()}
	for {
		rec, err := sr.Read()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			return Tab{}, err
		}
		t.Rows = append(t.Rows, rec)
	}
}
