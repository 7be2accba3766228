package bulk

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/pricechecker/pricechecker/internal/awsnames"
	"github.com/pricechecker/pricechecker/internal/suggest"
)

// Savings Plans files live in their own tree, /savingsPlan/v1.0/aws/<code>,
// with index files shaped differently from the offers': arrays instead of
// maps, and no formatVersion.

// SavingsPlanPath is the folder of a Savings Plans code's files.
func SavingsPlanPath(code string) string { return "/savingsPlan/v1.0/aws/" + code }

// SavingsPlanVersionIndex is /savingsPlan/v1.0/aws/<code>/current/index.json.
type SavingsPlanVersionIndex struct {
	PublicationDate        string                    `json:"publicationDate"`
	CurrentOfferVersionURL string                    `json:"currentOfferVersionUrl"`
	Versions               []SavingsPlanVersionEntry `json:"versions"`
}

// SavingsPlanVersionEntry is one published version; the version is the
// folder named by OfferVersionURL.
type SavingsPlanVersionEntry struct {
	PublicationDate string `json:"publicationDate"`
	OfferVersionURL string `json:"offerVersionUrl"`
}

// savingsPlanRegionIndex is /savingsPlan/v1.0/aws/<code>/<version|current>/region_index.json.
type savingsPlanRegionIndex struct {
	PublicationDate string `json:"publicationDate"`
	Regions         []struct {
		RegionCode string `json:"regionCode"`
		VersionURL string `json:"versionUrl"`
	} `json:"regions"`
}

// SavingsPlanVersionIndex fetches the published versions of a savings plan.
func (c *Client) SavingsPlanVersionIndex(ctx context.Context, code string) (*SavingsPlanVersionIndex, error) {
	var vi SavingsPlanVersionIndex
	if err := c.getJSON(ctx, SavingsPlanPath(code)+"/current/index.json", &vi); err != nil {
		return nil, fmt.Errorf("fetch version index of %s: %w", code, err)
	}
	if err := checkSavingsPlanVersionIndex(code, &vi); err != nil {
		return nil, err
	}
	return &vi, nil
}

// SavingsPlanRegionIndex fetches the region index of a savings plan at a
// version ("" means the current one), in the shape of an offer's region
// index so that the rest of the run treats both alike.
func (c *Client) SavingsPlanRegionIndex(ctx context.Context, code, version string) (*RegionIndex, error) {
	folder := version
	if folder == "" {
		folder = "current"
	}
	var raw savingsPlanRegionIndex
	err := c.getJSON(ctx, SavingsPlanPath(code)+"/"+folder+"/region_index.json", &raw)
	if errors.Is(err, ErrNotFound) {
		return nil, c.explainMissingSavingsPlan(ctx, code, version, err)
	}
	if err != nil {
		return nil, fmt.Errorf("fetch region index of %s: %w", code, err)
	}
	index := fmt.Sprintf("region index of %s (%s)", code, folder)
	ri := &RegionIndex{PublicationDate: raw.PublicationDate, Regions: map[string]RegionEntry{}}
	for _, r := range raw.Regions {
		if _, dup := ri.Regions[r.RegionCode]; dup {
			return nil, &IndexError{index, fmt.Sprintf("region %q", r.RegionCode), "listed once"}
		}
		ri.Regions[r.RegionCode] = RegionEntry{RegionCode: r.RegionCode, CurrentVersionURL: r.VersionURL}
	}
	if len(ri.Regions) == 0 {
		return nil, fmt.Errorf("region index of %s (%s) lists no regions", code, folder)
	}
	if err := checkRegionEntries(index, "/savingsPlan/v1.0/aws", code, ri); err != nil {
		return nil, err
	}
	return ri, nil
}

// explainMissingSavingsPlan tells an unknown plan from an unknown version.
// The service index does not list plans, so the known codes stand in.
func (c *Client) explainMissingSavingsPlan(ctx context.Context, code, version string, notFound error) error {
	vi, err := c.SavingsPlanVersionIndex(ctx, code)
	if errors.Is(err, ErrNotFound) {
		if slices.Contains(awsnames.SavingsPlanCodes, code) {
			// A real plan this mirror or endpoint does not carry: no
			// spelling to suggest.
			return &NameError{fmt.Errorf("savings plan %s is not published at this endpoint: %w", code, notFound)}
		}
		return &NameError{fmt.Errorf("unknown savings plan %q%s: %w", code, suggest.DidYouMean(code, awsnames.SavingsPlanCodes), notFound)}
	}
	if err != nil || version == "" {
		return fmt.Errorf("savings plan %s: %w", code, notFound)
	}
	versions := make([]string, 0, len(vi.Versions))
	for _, v := range vi.Versions {
		versions = append(versions, RegionEntry{CurrentVersionURL: v.OfferVersionURL}.folder(2))
	}
	return &NameError{fmt.Errorf("savings plan %s has no version %q%s: %w", code, version, suggest.DidYouMean(version, versions), notFound)}
}
