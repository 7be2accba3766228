package snapshot

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Manifest records, per region, what the snapshot of an offer was made
// from. It is what makes runs version-aware.
type Manifest struct {
	OfferCode string                 `json:"offer_code"`
	Regions   map[string]RegionState `json:"regions"`
}

// RegionState describes one region's snapshot file.
type RegionState struct {
	Version         string `json:"version"`
	PublicationDate string `json:"publication_date"`
	SourceURL       string `json:"source_url"`
	File            string `json:"file"`
	Rows            int    `json:"row_count"`
	SHA256          string `json:"sha256"`
	// Selection fingerprints the configuration that made the snapshot, so
	// that a changed filter refetches a version already recorded.
	Selection string `json:"selection"`
}

// ManifestPath is where an offer's manifest lives under out.
func ManifestPath(out, offerCode string) string {
	return filepath.Join(out, offerCode, "manifest.json")
}

// LoadManifest reads an offer's manifest; a missing one is empty.
func LoadManifest(out, offerCode string) (*Manifest, error) {
	data, err := os.ReadFile(ManifestPath(out, offerCode))
	if errors.Is(err, os.ErrNotExist) {
		return &Manifest{OfferCode: offerCode, Regions: map[string]RegionState{}}, nil
	}
	if err != nil {
		return nil, err
	}
	m, err := ParseManifest(data, offerCode)
	if err != nil {
		return nil, fmt.Errorf("read manifest %s: %w (delete it to start over)", ManifestPath(out, offerCode), err)
	}
	return m, nil
}

// ParseManifest decodes a manifest from its JSON bytes, wherever they were
// read from (a file, a commit). offerCode is the offer's code when the
// manifest does not name it.
func ParseManifest(data []byte, offerCode string) (*Manifest, error) {
	m := &Manifest{OfferCode: offerCode, Regions: map[string]RegionState{}}
	if err := json.Unmarshal(data, m); err != nil {
		return nil, err
	}
	if m.Regions == nil {
		m.Regions = map[string]RegionState{}
	}
	return m, nil
}

// Encode returns the manifest as indented JSON (map keys sorted by
// encoding/json), ending in a newline.
func (m *Manifest) Encode() ([]byte, error) {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}
