package bulk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/pricechecker/pricechecker/internal/awsnames"
	"github.com/pricechecker/pricechecker/internal/suggest"
)

// maxIndexBytes bounds the index files, which are small (the service index
// is under 100 KB, EC2's version index under 100 KB); anything larger is not
// an index.
const maxIndexBytes = 64 << 20

// ServiceIndex is /offers/v1.0/aws/index.json.
type ServiceIndex struct {
	PublicationDate string                  `json:"publicationDate"`
	Offers          map[string]ServiceEntry `json:"offers"`
}

// ServiceEntry is one offer of the service index.
type ServiceEntry struct {
	OfferCode             string `json:"offerCode"`
	VersionIndexURL       string `json:"versionIndexUrl"`
	CurrentVersionURL     string `json:"currentVersionUrl"`
	CurrentRegionIndexURL string `json:"currentRegionIndexUrl"`
}

// VersionIndex is /offers/v1.0/aws/<code>/index.json.
type VersionIndex struct {
	OfferCode      string                  `json:"offerCode"`
	CurrentVersion string                  `json:"currentVersion"`
	Versions       map[string]VersionEntry `json:"versions"`
}

// VersionEntry is one published version of an offer.
type VersionEntry struct {
	EffectiveBeginDate string `json:"versionEffectiveBeginDate"`
	EffectiveEndDate   string `json:"versionEffectiveEndDate"`
	OfferVersionURL    string `json:"offerVersionUrl"`
}

// RegionIndex is /offers/v1.0/aws/<code>/<version|current>/region_index.json.
type RegionIndex struct {
	PublicationDate string                 `json:"publicationDate"`
	Regions         map[string]RegionEntry `json:"regions"`
}

// RegionEntry names the versioned file of one region.
type RegionEntry struct {
	RegionCode        string `json:"regionCode"`
	CurrentVersionURL string `json:"currentVersionUrl"`
}

// Version returns the version folder named by the entry's URL
// (/offers/v1.0/aws/<code>/<version>/<region>/index.json).
func (e RegionEntry) Version() string { return e.folder(3) }

// folder returns the path segment n from the end of the URL.
func (e RegionEntry) folder(n int) string {
	parts := strings.Split(strings.Trim(e.CurrentVersionURL, "/"), "/")
	if len(parts) >= n {
		return parts[len(parts)-n]
	}
	return ""
}

// FilePath returns the path of the region's offer file in the given format
// ("json" or "csv"); the index names the JSON file.
func (e RegionEntry) FilePath(format string) string {
	p := e.CurrentVersionURL
	ext := path.Ext(p)
	return strings.TrimSuffix(p, ext) + "." + format
}

// Regions returns the region codes of the index, sorted.
func (ri *RegionIndex) Codes() []string {
	codes := make([]string, 0, len(ri.Regions))
	for code := range ri.Regions {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	return codes
}

// OfferPath is the folder of an offer's files.
func OfferPath(code string) string { return "/offers/v1.0/aws/" + code }

// ServiceIndex fetches the list of offers.
func (c *Client) ServiceIndex(ctx context.Context) (*ServiceIndex, error) {
	var si ServiceIndex
	if err := c.getJSON(ctx, "/offers/v1.0/aws/index.json", &si); err != nil {
		return nil, fmt.Errorf("fetch service index: %w", err)
	}
	if err := checkServiceIndex(&si); err != nil {
		return nil, err
	}
	return &si, nil
}

// VersionIndex fetches the published versions of an offer.
func (c *Client) VersionIndex(ctx context.Context, code string) (*VersionIndex, error) {
	var vi VersionIndex
	if err := c.getJSON(ctx, OfferPath(code)+"/index.json", &vi); err != nil {
		return nil, fmt.Errorf("fetch version index of %s: %w", code, err)
	}
	if err := checkVersionIndex(code, &vi); err != nil {
		return nil, err
	}
	return &vi, nil
}

// RegionIndex fetches the region index of an offer at a version ("" means
// the current one). A 404 is turned into an error that says whether the
// offer or the version is unknown, with close matches.
func (c *Client) RegionIndex(ctx context.Context, code, version string) (*RegionIndex, error) {
	folder := version
	if folder == "" {
		folder = "current"
	}
	var ri RegionIndex
	err := c.getJSON(ctx, OfferPath(code)+"/"+folder+"/region_index.json", &ri)
	if errors.Is(err, ErrNotFound) && version != "" {
		// Old versions (and some mirrors) have no region index of their
		// own: a version the version index lists is read from the folder
		// it names, region by region, with the current index's regions.
		if fallback, ferr := c.versionedFromCurrent(ctx, code, version); ferr == nil {
			return fallback, nil
		}
	}
	if errors.Is(err, ErrNotFound) {
		return nil, c.explainMissing(ctx, code, version, err)
	}
	if err != nil {
		return nil, fmt.Errorf("fetch region index of %s: %w", code, err)
	}
	if len(ri.Regions) == 0 {
		return nil, fmt.Errorf("region index of %s (%s) lists no regions", code, folder)
	}
	// A bad entry fails the whole index rather than being skipped: with
	// regions: [all], a skipped region would silently stop being
	// recorded, and an index with one entry AWS would never write is not
	// to be trusted for the others.
	if err := checkRegionEntries(fmt.Sprintf("region index of %s (%s)", code, folder), "/offers/v1.0/aws", code, &ri); err != nil {
		return nil, err
	}
	return &ri, nil
}

// versionedFromCurrent builds the region index of a version from the
// current one, when the version index lists that version.
func (c *Client) versionedFromCurrent(ctx context.Context, code, version string) (*RegionIndex, error) {
	vi, err := c.VersionIndex(ctx, code)
	if err != nil {
		return nil, err
	}
	if _, ok := vi.Versions[version]; !ok {
		return nil, fmt.Errorf("offer %s has no version %s", code, version)
	}
	cur, err := c.RegionIndex(ctx, code, "")
	if err != nil {
		return nil, err
	}
	ri := &RegionIndex{PublicationDate: cur.PublicationDate, Regions: map[string]RegionEntry{}}
	for region := range cur.Regions {
		ri.Regions[region] = RegionEntry{
			RegionCode:        region,
			CurrentVersionURL: OfferPath(code) + "/" + version + "/" + region + "/index.json",
		}
	}
	return ri, nil
}

// explainMissing tells an unknown offer from an unknown version.
func (c *Client) explainMissing(ctx context.Context, code, version string, notFound error) error {
	si, err := c.ServiceIndex(ctx)
	if err != nil {
		return fmt.Errorf("offer %s: %w", code, notFound)
	}
	if _, ok := si.Offers[code]; !ok {
		codes := make([]string, 0, len(si.Offers))
		for k := range si.Offers {
			codes = append(codes, k)
		}
		if plan, ok := awsnames.SavingsPlanCode(code); ok {
			return &NameError{fmt.Errorf("unknown offer %q: %s is a Savings Plan; list it under savingsPlans: in the config: %w", code, plan, notFound)}
		}
		return &NameError{fmt.Errorf("unknown offer %q%s: %w", code, suggest.DidYouMean(code, codes), notFound)}
	}
	if version != "" {
		vi, err := c.VersionIndex(ctx, code)
		if err == nil {
			versions := make([]string, 0, len(vi.Versions))
			for v := range vi.Versions {
				versions = append(versions, v)
			}
			return &NameError{fmt.Errorf("offer %s has no version %q%s: %w", code, version, suggest.DidYouMean(version, versions), notFound)}
		}
		return &NameError{fmt.Errorf("offer %s has no version %q: %w", code, version, notFound)}
	}
	return fmt.Errorf("offer %s: %w", code, notFound)
}

// UnknownRegionError says that a region is not in an offer's region index.
func UnknownRegionError(code, region string, ri *RegionIndex) error {
	return &NameError{fmt.Errorf("offer %s has no region %q%s", code, region, suggest.DidYouMean(region, ri.Codes()))}
}

// NameError is an offer, version or region that AWS does not publish: a
// mistake in what the user asked for rather than a failure of the service.
type NameError struct{ err error }

func (e *NameError) Error() string { return e.err.Error() }
func (e *NameError) Unwrap() error { return e.err }

func (c *Client) getJSON(ctx context.Context, p string, v any) error {
	f, err := c.Open(ctx, p)
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxIndexBytes))
	if err != nil {
		return fmt.Errorf("read %s: %w", f.URL, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("parse %s: %w", f.URL, err)
	}
	return nil
}
