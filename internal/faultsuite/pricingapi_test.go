package faultsuite

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/pricechecker/pricechecker/internal/source/pricingapi/pricingfake"
)

// apiFixture is a work folder whose config reads Redshift through the
// Pricing API fake serving mirror (PRICECHECKER_PRICING_ENDPOINT), with
// made-up credentials and a short backoff.
func apiFixture(t *testing.T, mirror string, regions string) (*Fixture, *pricingfake.Server) {
	t.Helper()
	f := NewFixture(t, false)
	api := pricingfake.New(mirror)
	t.Cleanup(api.Close)
	f.Env = append(f.Env, "PRICECHECKER_PRICING_ENDPOINT="+api.URL, "AWS_ACCESS_KEY_ID=AKIAFAULTSUITE", "AWS_SECRET_ACCESS_KEY=faultsuite",
		"AWS_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true", "PRICECHECKER_PRICING_MAX_BACKOFF=20ms")
	f.Write(t, "api.yml", "offers:\n  - code: AmazonRedshift\n    source: api\n    regions: ["+regions+"]\n")
	return f, api
}

// The Pricing API names versions by effective dates, and throttles: a
// version is found by the dates its index gives (not its name's), a
// version effective at no date is a usage error, and throttling is waited
// out up to the SDK's attempts.
func TestPricingAPI(t *testing.T) {
	t.Run("a version found by its effective dates, not its name", func(t *testing.T) {
		t.Parallel()
		mirror := t.TempDir()
		if err := os.CopyFS(mirror, os.DirFS(mirrorDir)); err != nil {
			t.Fatal(err)
		}
		index := filepath.Join(mirror, "offers", "v1.0", "aws", "AmazonRedshift", "index.json")
		data, err := os.ReadFile(index)
		if err != nil {
			t.Fatal(err)
		}
		// 20180309224506 is effective before its name's date, as AWS's
		// older versions often are.
		data = bytes.Replace(data, []byte(`"versionEffectiveBeginDate" : "2018-04-01T00:00:00Z"`), []byte(`"versionEffectiveBeginDate" : "2018-03-01T00:00:00Z"`), 1)
		data = bytes.Replace(data, []byte(`"versionEffectiveBeginDate" : "2018-03-01T00:00:00Z",
      "versionEffectiveEndDate" : "2018-04-01T00:00:00Z"`), []byte(`"versionEffectiveBeginDate" : "2018-02-01T00:00:00Z",
      "versionEffectiveEndDate" : "2018-03-01T00:00:00Z"`), 1)
		if !bytes.Contains(data, []byte(`"2018-02-01T00:00:00Z"`)) {
			t.Fatalf("the mirror's version index changed; edit the windows anew:\n%s", data)
		}
		if err := os.WriteFile(index, data, 0o644); err != nil {
			t.Fatal(err)
		}
		f, _ := apiFixture(t, mirror, "us-east-1")
		f.MustRun(t, "run", "--config", "api.yml", "--version", "20180309224506", "--out", "api", "--progress-interval", "0")
		f.MustRun(t, "run", "--service", "AmazonRedshift", "--region", "us-east-1", "--version", "20180309224506", "--out", "bulk", "--progress-interval", "0")
		got, _ := os.ReadFile(filepath.Join(f.Dir, "api", "AmazonRedshift", "us-east-1.csv"))
		want, _ := os.ReadFile(filepath.Join(f.Dir, "bulk", "AmazonRedshift", "us-east-1.csv"))
		if len(want) == 0 || !bytes.Equal(got, want) {
			t.Errorf("the Pricing API snapshot (%d bytes) differs from the Bulk API one (%d bytes)", len(got), len(want))
		}
		res := f.Run(t, "run", "--config", "api.yml", "--version", "20180315000000", "--out", "api", "--progress-interval", "0")
		CheckResult(t, res, Want{Exit: 2, Stderr: []string{`version 20180315000000 is not effective at any date`}})
		AssertNoStrayFiles(t, f.Dir)
	})

	t.Run("a throttling storm with pages of one is waited out", func(t *testing.T) {
		t.Parallel()
		f, api := apiFixture(t, mirrorDir, "all")
		api.SetPageSize(1)
		api.ThrottleStorm(3)
		res := f.Run(t, "run", "--config", "api.yml", "--progress-interval", "0")
		CheckResult(t, res, Want{Exit: 0})
		AssertNoStrayFiles(t, f.Dir)
	})

	t.Run("throttling that does not end fails the run", func(t *testing.T) {
		t.Parallel()
		f, api := apiFixture(t, mirrorDir, "us-east-1")
		f.Seed(t)
		before := HashTree(t, f.Out)
		api.ThrottleStorm(1000)
		res := f.Run(t, "run", "--config", "api.yml", "--progress-interval", "0")
		CheckResult(t, res, Want{Exit: 1, Stderr: []string{`still throttled after 8 attempts; run again later`}, NotStderr: []string{`(?i)quota`}})
		AssertSameTree(t, f.Out, before, HashTree(t, f.Out))
		AssertNoStrayFiles(t, f.Dir)
	})
}
