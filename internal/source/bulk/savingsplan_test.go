package bulk_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pricechecker/pricechecker/internal/source/bulk"
	"github.com/pricechecker/pricechecker/internal/source/bulk/bulkfake"
)

func TestSavingsPlanIndexes(t *testing.T) {
	srv := bulkfake.New(mirror)
	defer srv.Close()
	ctx := context.Background()
	// 403 AccessDenied is S3's answer for a missing key too.
	for _, endpoint := range []string{srv.URL, srv.URL + "#403", "file://" + mirror} {
		endpoint, status, _ := strings.Cut(endpoint, "#")
		if status == "403" {
			srv.SetMissingStatus(http.StatusForbidden)
		}
		c, _ := newClient(t, endpoint)
		ri, err := c.SavingsPlanRegionIndex(ctx, "AWSComputeSavingsPlan", "")
		if err != nil {
			t.Fatalf("%s: %v", endpoint, err)
		}
		e := ri.Regions["ap-east-2"]
		if e.Version() != "20251001000000" || e.FilePath("csv") != "/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/20251001000000/ap-east-2/index.csv" {
			t.Errorf("%s: entry %+v version %s", endpoint, e, e.Version())
		}
		old, err := c.SavingsPlanRegionIndex(ctx, "AWSComputeSavingsPlan", "20250911184447")
		if err != nil || old.Regions["ap-east-2"].Version() != "20250911184447" {
			t.Errorf("%s: versioned: %v %+v", endpoint, err, old)
		}
		vi, err := c.SavingsPlanVersionIndex(ctx, "AWSComputeSavingsPlan")
		if err != nil || len(vi.Versions) != 2 || !strings.HasSuffix(vi.CurrentOfferVersionURL, "/20251001000000/region_index.json") {
			t.Errorf("%s: version index %+v %v", endpoint, vi, err)
		}
		_, err = c.SavingsPlanRegionIndex(ctx, "AWSComputeSavingPlan", "")
		if !errors.Is(err, bulk.ErrNotFound) || !strings.Contains(err.Error(), `unknown savings plan "AWSComputeSavingPlan"; did you mean AWSComputeSavingsPlan?`) {
			t.Errorf("%s: unknown plan: %v", endpoint, err)
		}
		// A real plan the endpoint does not carry is not a typo of itself.
		_, err = c.SavingsPlanRegionIndex(ctx, "AWSMachineLearningSavingsPlans", "")
		if !errors.Is(err, bulk.ErrNotFound) || !strings.Contains(err.Error(), "savings plan AWSMachineLearningSavingsPlans is not published at this endpoint") || strings.Contains(err.Error(), "did you mean") {
			t.Errorf("%s: plan not carried: %v", endpoint, err)
		}
		_, err = c.SavingsPlanRegionIndex(ctx, "AWSComputeSavingsPlan", "20250911184448")
		if !errors.Is(err, bulk.ErrNotFound) || !strings.Contains(err.Error(), "did you mean 20250911184447") {
			t.Errorf("%s: unknown version: %v", endpoint, err)
		}
	}
}

// The real 2025 region index: an array, Local and Wavelength Zones included.
func TestRealSavingsPlanRegionIndex(t *testing.T) {
	data, err := os.ReadFile("../../../testdata/bulk/AWSComputeSavingsPlan-region-index-2025.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	folder := filepath.Join(dir, "savingsPlan", "v1.0", "aws", "AWSComputeSavingsPlan", "current")
	if err := os.MkdirAll(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(folder, "region_index.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	c, _ := newClient(t, "file://"+dir)
	ri, err := c.SavingsPlanRegionIndex(context.Background(), "AWSComputeSavingsPlan", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{"ap-east-2", "us-west-2-den-1", "us-east-1-wl1-chi1", "us-east-1"} {
		if v := ri.Regions[r].Version(); v != "20250911184447" {
			t.Errorf("%s: version %q", r, v)
		}
	}
	if len(ri.Regions) < 20 {
		t.Errorf("%d regions", len(ri.Regions))
	}
}
