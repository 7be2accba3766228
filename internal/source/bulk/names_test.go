package bulk_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pricechecker/pricechecker/internal/source/bulk"
	"github.com/pricechecker/pricechecker/internal/source/bulk/bulkfake"
)

func TestRegionCodeShapes(t *testing.T) {
	for _, ok := range []string{"us-east-1", "ap-east-2", "us-west-2-den-1", "us-east-1-wl1-chi1", "eu-west-2-wl2-man1", "us-gov-west-1", "global"} {
		if !bulk.ValidRegionCode(ok) {
			t.Errorf("ValidRegionCode(%q) = false", ok)
		}
	}
	for _, bad := range []string{"", "../../../escaped", "..", "us-east-1/..", "us.east.1", "US-EAST-1", "us-east-1 ", "-us", "us--east", `us\east`, strings.Repeat("a", 200)} {
		if bulk.ValidRegionCode(bad) {
			t.Errorf("ValidRegionCode(%q) = true", bad)
		}
	}
}

// writeMirror copies the mirror and replaces one index file in the copy.
func writeMirror(t *testing.T, p, content string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(mirror)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(p)), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Every name an index hands out is checked before it becomes a path: a
// bad one fails the index and names the entry, over HTTP as from a mirror.
func TestIndexNamesAreChecked(t *testing.T) {
	const (
		regionIndex = "/offers/v1.0/aws/AmazonRedshift/current/region_index.json"
		spIndex     = "/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/current/region_index.json"
		spVersions  = "/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/current/index.json"
		versions    = "/offers/v1.0/aws/AmazonRedshift/index.json"
		services    = "/offers/v1.0/aws/index.json"
		good        = "/offers/v1.0/aws/AmazonRedshift/20180401000000/us-east-1/index.json"
	)
	region := func(code, u string) string {
		return `{"regions": {"us-east-1": {"regionCode": "us-east-1", "currentVersionUrl": "` + good + `"}, "` + code + `": {"regionCode": "` + code + `", "currentVersionUrl": "` + u + `"}}}`
	}
	for _, tc := range []struct {
		name, path, content, wants string
		call                       func(*bulk.Client) error
	}{
		{"region escaping the folder", regionIndex, region("../../../escaped", good),
			`region "../../../escaped" is not a region code`, nil},
		{"region with a dot", regionIndex, region("us-east-1.", good), `region "us-east-1." is not a region code`, nil},
		{"URL with ..", regionIndex, region("eu-west-1", "/offers/v1.0/aws/AmazonRedshift/20180401000000/../../AmazonEC2/x/eu-west-1/index.json"),
			`the URL "/offers/v1.0/aws/AmazonRedshift/20180401000000/../../AmazonEC2/x/eu-west-1/index.json" of region eu-west-1 is not`, nil},
		{"URL of another offer", regionIndex, region("eu-west-1", "/offers/v1.0/aws/AmazonEC2/20180401000000/eu-west-1/index.json"),
			"of region eu-west-1 is not /offers/v1.0/aws/AmazonRedshift/<14-digit version>/eu-west-1/index.json", nil},
		{"URL of another region", regionIndex, region("eu-west-1", good), "of region eu-west-1 is not", nil},
		{"absolute URL", regionIndex, region("eu-west-1", "https://example.com/offers/v1.0/aws/AmazonRedshift/20180401000000/eu-west-1/index.json"), "of region eu-west-1 is not", nil},
		{"version not a timestamp", regionIndex, region("eu-west-1", "/offers/v1.0/aws/AmazonRedshift/current/eu-west-1/index.json"), "of region eu-west-1 is not", nil},
		{"savings plan region", spIndex, `{"regions": [{"regionCode": "../escaped", "versionUrl": "/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/20251001000000/ap-east-2/index.json"}]}`,
			`region index of AWSComputeSavingsPlan (current): region "../escaped" is not a region code`,
			func(c *bulk.Client) error {
				_, err := c.SavingsPlanRegionIndex(context.Background(), "AWSComputeSavingsPlan", "")
				return err
			}},
		{"savings plan region twice", spIndex, `{"regions": [{"regionCode": "ap-east-2", "versionUrl": "/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/20251001000000/ap-east-2/index.json"}, {"regionCode": "ap-east-2", "versionUrl": "/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/20251001000000/ap-east-2/index.json"}]}`,
			`region "ap-east-2" is not listed once`,
			func(c *bulk.Client) error {
				_, err := c.SavingsPlanRegionIndex(context.Background(), "AWSComputeSavingsPlan", "")
				return err
			}},
		{"savings plan version URL", spVersions, `{"currentOfferVersionUrl": "/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/../../../x/region_index.json", "versions": []}`,
			"version index of AWSComputeSavingsPlan: the current version URL",
			func(c *bulk.Client) error {
				_, err := c.SavingsPlanVersionIndex(context.Background(), "AWSComputeSavingsPlan")
				return err
			}},
		{"version key", versions, `{"offerCode": "AmazonRedshift", "versions": {"2018/../../x": {"offerVersionUrl": "/offers/v1.0/aws/AmazonRedshift/2018/../../x/index.json"}}}`,
			`version index of AmazonRedshift: version "2018/../../x" is not a 14-digit version`,
			func(c *bulk.Client) error {
				_, err := c.VersionIndex(context.Background(), "AmazonRedshift")
				return err
			}},
		{"offer code", services, `{"offers": {"../AmazonRedshift": {"offerCode": "../AmazonRedshift"}}}`,
			`service index: offer "../AmazonRedshift" is not an offer code`,
			func(c *bulk.Client) error {
				_, err := c.ServiceIndex(context.Background())
				return err
			}},
	} {
		dir := writeMirror(t, tc.path, tc.content)
		srv := bulkfake.New(dir)
		for _, endpoint := range []string{srv.URL, "file://" + dir} {
			c, _ := newClient(t, endpoint)
			call := tc.call
			if call == nil {
				call = func(c *bulk.Client) error {
					_, err := c.RegionIndex(context.Background(), "AmazonRedshift", "")
					return err
				}
			}
			err := call(c)
			var ie *bulk.IndexError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), tc.wants) || !strings.Contains(err.Error(), "the index is damaged or not from AWS") {
				t.Errorf("%s (%s): err = %v\nwant %q", tc.name, endpoint, err, tc.wants)
			}
		}
		srv.Close()
	}
}

// AWS's own indexes pass the checks: every offer of the 2025 service
// index, every version of EC2's version index.
func TestRealIndexesPass(t *testing.T) {
	dir := t.TempDir()
	for p, sample := range map[string]string{
		"offers/v1.0/aws/index.json":           "service-index-2025.json",
		"offers/v1.0/aws/AmazonEC2/index.json": "AmazonEC2-version-index-2025.json",
	} {
		data, err := os.ReadFile(filepath.Join("../../../testdata/bulk", sample))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, _ := newClient(t, "file://"+dir)
	si, err := c.ServiceIndex(context.Background())
	if err != nil || len(si.Offers) < 200 {
		t.Fatalf("service index: %v", err)
	}
	vi, err := c.VersionIndex(context.Background(), "AmazonEC2")
	if err != nil || len(vi.Versions) < 10 {
		t.Fatalf("version index: %v", err)
	}
}
