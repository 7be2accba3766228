package bulk

import (
	"fmt"
	"path"
	"regexp"
	"strings"
)

// The names read from AWS's indexes become file paths (<out>/<offer>/
// <region>.csv) and request paths. Each is checked against the shape AWS
// uses before it is used, so that a damaged or hostile index (a region
// "../../../escaped", a URL outside the offer's folder) fails the run
// instead of writing outside --out or reading another offer's file.
var (
	// Region codes: us-east-1, ap-east-2, us-west-2-den-1,
	// us-east-1-wl1-chi1. Never a fixed list: AWS adds zones.
	regionCodeShape = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	// Offer codes: AmazonEC2, AWSComputeSavingsPlan, datazone.
	offerCodeShape = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)
	// Versions are UTC timestamps: 20250912225308.
	versionShape = regexp.MustCompile(`^[0-9]{14}$`)
	// Index URLs are absolute paths of plain segments (none starts with
	// a dot, so neither "." nor "..").
	urlShape = regexp.MustCompile(`^(/[A-Za-z0-9_-][A-Za-z0-9._-]*)+$`)
)

const maxNameLen = 128

// IndexError is an index entry that is not shaped like AWS's: the index is
// damaged, or not from AWS.
type IndexError struct {
	Index string // "region index of AmazonEC2 (current)"
	What  string // `region "../x"`
	Want  string // what AWS writes instead
}

func (e *IndexError) Error() string {
	return fmt.Sprintf("%s: %s is not %s; the index is damaged or not from AWS (check --endpoint, or run again later)", e.Index, e.What, e.Want)
}

// ValidRegionCode reports whether code is shaped like an AWS region code.
func ValidRegionCode(code string) bool {
	return len(code) <= maxNameLen && regionCodeShape.MatchString(code)
}

func validOfferCode(code string) bool {
	return len(code) <= maxNameLen && offerCodeShape.MatchString(code)
}

// checkURL checks that u is a clean path under prefix (which ends in "/").
func checkURL(u, prefix string) bool {
	return strings.HasPrefix(u, prefix) && len(u) <= 1024 && urlShape.MatchString(u) && path.Clean(u) == u
}

// fileURLSegments splits an offer file's URL, <tree>/<code>/<version>/
// <region>/index.<json|csv>, into version and region, or reports that it
// is not one.
func fileURLSegments(u, tree, code string) (version, region string, ok bool) {
	prefix := tree + "/" + code + "/"
	if !checkURL(u, prefix) {
		return "", "", false
	}
	parts := strings.Split(strings.TrimPrefix(u, prefix), "/")
	if len(parts) != 3 || !versionShape.MatchString(parts[0]) || !ValidRegionCode(parts[1]) || (parts[2] != "index.json" && parts[2] != "index.csv") {
		return "", "", false
	}
	return parts[0], parts[1], true
}

// checkRegionEntries checks the regions of a region index: the codes, and
// that each entry's URL is that region's file of a version of the offer.
func checkRegionEntries(index, tree, code string, ri *RegionIndex) error {
	for key, e := range ri.Regions {
		if !ValidRegionCode(key) {
			return &IndexError{index, fmt.Sprintf("region %q", key), "a region code (lowercase letters, digits and hyphens, such as us-east-1)"}
		}
		if e.RegionCode != "" && e.RegionCode != key {
			return &IndexError{index, fmt.Sprintf("region %q (regionCode %q)", key, e.RegionCode), "one region code"}
		}
		if _, region, ok := fileURLSegments(e.CurrentVersionURL, tree, code); !ok || region != key {
			return &IndexError{index, fmt.Sprintf("the URL %q of region %s", e.CurrentVersionURL, key), fmt.Sprintf("%s/%s/<14-digit version>/%s/index.json", tree, code, key)}
		}
	}
	return nil
}

// checkServiceIndex checks the offer codes and URLs of the service index.
func checkServiceIndex(si *ServiceIndex) error {
	const index = "service index"
	for key, e := range si.Offers {
		if !validOfferCode(key) {
			return &IndexError{index, fmt.Sprintf("offer %q", key), "an offer code (letters, digits, _ and -, such as AmazonEC2)"}
		}
		if e.OfferCode != "" && e.OfferCode != key {
			return &IndexError{index, fmt.Sprintf("offer %q (offerCode %q)", key, e.OfferCode), "one offer code"}
		}
		for _, u := range []string{e.VersionIndexURL, e.CurrentVersionURL, e.CurrentRegionIndexURL} {
			if u != "" && !checkURL(u, OfferPath(key)+"/") {
				return &IndexError{index, fmt.Sprintf("the URL %q of offer %s", u, key), "a path under " + OfferPath(key) + "/"}
			}
		}
	}
	return nil
}

// checkVersionIndex checks the versions of an offer's version index.
func checkVersionIndex(code string, vi *VersionIndex) error {
	index := "version index of " + code
	if vi.CurrentVersion != "" && !versionShape.MatchString(vi.CurrentVersion) {
		return &IndexError{index, fmt.Sprintf("the current version %q", vi.CurrentVersion), "a 14-digit version such as 20250912225308"}
	}
	for v, e := range vi.Versions {
		if !versionShape.MatchString(v) {
			return &IndexError{index, fmt.Sprintf("version %q", v), "a 14-digit version such as 20250912225308"}
		}
		if want := OfferPath(code) + "/" + v + "/index.json"; e.OfferVersionURL != "" && e.OfferVersionURL != want {
			return &IndexError{index, fmt.Sprintf("the URL %q of version %s", e.OfferVersionURL, v), want}
		}
	}
	return nil
}

// savingsPlanVersion returns the version a Savings Plans version URL
// (/savingsPlan/v1.0/aws/<code>/<version>/region_index.json) names.
func savingsPlanVersion(code, u string) (string, bool) {
	prefix := SavingsPlanPath(code) + "/"
	if !checkURL(u, prefix) {
		return "", false
	}
	v, file, ok := strings.Cut(strings.TrimPrefix(u, prefix), "/")
	return v, ok && versionShape.MatchString(v) && file == "region_index.json"
}

// checkSavingsPlanVersionIndex checks the version URLs of a plan's index.
func checkSavingsPlanVersionIndex(code string, vi *SavingsPlanVersionIndex) error {
	index := "version index of " + code
	want := SavingsPlanPath(code) + "/<14-digit version>/region_index.json"
	if _, ok := savingsPlanVersion(code, vi.CurrentOfferVersionURL); vi.CurrentOfferVersionURL != "" && !ok {
		return &IndexError{index, fmt.Sprintf("the current version URL %q", vi.CurrentOfferVersionURL), want}
	}
	for _, e := range vi.Versions {
		if _, ok := savingsPlanVersion(code, e.OfferVersionURL); !ok {
			return &IndexError{index, fmt.Sprintf("the version URL %q", e.OfferVersionURL), want}
		}
	}
	return nil
}
