package tracker

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pricechecker/pricechecker/internal/atomicfile"
	"github.com/pricechecker/pricechecker/internal/snapshot"
)

// Recorded is what the price history already holds: the manifest a region
// is skipped by, and the snapshot a new one is compared with. Without git it
// is the snapshot folder (WorkTree); with `run --commit` it is what git
// holds (gitstore.Recorded), so that a file a failed run left in the folder
// is never taken as recorded.
type Recorded interface {
	// Manifest returns an offer's manifest; an offer never recorded has
	// an empty one.
	Manifest(offerCode string) (*snapshot.Manifest, error)
	// Snapshot returns a region's snapshot, or an error wrapping
	// os.ErrNotExist when none is recorded.
	Snapshot(offerCode, region string) (*snapshot.Snapshot, error)
	// HasSnapshot reports whether a region's snapshot is recorded.
	HasSnapshot(offerCode, region string) (bool, error)
}

// WorkTree is the history as the snapshot folder holds it.
type WorkTree string

func (out WorkTree) Manifest(offerCode string) (*snapshot.Manifest, error) {
	return snapshot.LoadManifest(string(out), offerCode)
}

func (out WorkTree) Snapshot(offerCode, region string) (*snapshot.Snapshot, error) {
	return snapshot.Load(snapshot.Path(string(out), offerCode, region))
}

func (out WorkTree) HasSnapshot(offerCode, region string) (bool, error) {
	return fileExists(snapshot.Path(string(out), offerCode, region)), nil
}

// removeStale deletes the temporary files a run killed while writing left
// in the offer folders (atomicfile names them .<file>.tmp-<n>): nothing
// else would ever remove them, and a commit of the folder would record
// them. Only the names the fetch stage writes there are touched.
func removeStale(opts FetchOptions) error {
	for _, offer := range opts.Config.Offers {
		removed, err := atomicfile.RemoveStale(filepath.Join(opts.Out, offer.Code), func(name string) bool {
			return name == "manifest.json" || strings.HasSuffix(name, ".csv")
		})
		for _, name := range removed {
			fmt.Fprintf(opts.Log, "%s: removed %s, left by a run that was stopped while writing\n", offer.Code, name)
		}
		if err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("%s: remove temporary files left by an earlier run: %w", offer.Code, err)
		}
	}
	return nil
}
