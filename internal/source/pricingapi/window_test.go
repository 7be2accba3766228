package pricingapi_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/pricechecker/pricechecker/internal/source/pricingapi"
	"github.com/pricechecker/pricechecker/internal/source/pricingapi/pricingfake"
)

// ec2Mirror builds a mirror holding AWS's real EC2 version index (its
// effective windows do not follow the version names) and, for each of
// versions, regions tiny regional files.
func ec2Mirror(t *testing.T, versions []string, regions int) string {
	t.Helper()
	index, err := os.ReadFile("../../../testdata/bulk/AmazonEC2-version-index-2025.json")
	if err != nil {
		t.Fatal(err)
	}
	return mirrorWithIndex(t, index, versions, regions)
}

func mirrorWithIndex(t *testing.T, index []byte, versions []string, regions int) string {
	t.Helper()
	dir := t.TempDir()
	code := filepath.Join(dir, "offers", "v1.0", "aws", "AmazonEC2")
	if err := os.MkdirAll(code, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(code, "index.json"), index, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, v := range versions {
		for i := range regions {
			region := filepath.Join(code, v, fmt.Sprintf("xx-test-%d", i+1))
			if err := os.MkdirAll(region, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(region, "index.csv"), []byte("\"SKU\"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

func clientFor(t *testing.T, srv *pricingfake.Server, maxAttempts int) *pricingapi.Client {
	t.Helper()
	c, err := pricingapi.New(context.Background(), pricingapi.Options{
		Endpoint:    srv.URL,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		MaxAttempts: maxAttempts,
		MaxBackoff:  time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A version is found by its effective window, as AWS publishes it, not by
// its name: 20250703204906 is effective from 2025-06-01 to 2025-07-01, and
// at its own timestamp 20250730000834 is the effective one.
func TestVersionByEffectiveWindow(t *testing.T) {
	versions := []string{"20180206032924", "20180403195147", "20250529210942", "20250703204906", "20250730000834", "20250912225308"}
	srv := pricingfake.New(ec2Mirror(t, versions, 2))
	defer srv.Close()
	c := clientFor(t, srv, 3)
	ctx := context.Background()
	for _, v := range versions {
		lists, err := c.PriceLists(ctx, "AmazonEC2", v)
		if err != nil {
			t.Errorf("version %s: %v", v, err)
			continue
		}
		if len(lists) != 2 || lists[0].Version != v || lists[1].Version != v ||
			lists[0].ARN != "arn:aws:pricing:::price-list/aws/AmazonEC2/USD/"+v+"/xx-test-1" {
			t.Errorf("version %s: %+v", v, lists)
		}
	}
	cur, err := c.PriceLists(ctx, "AmazonEC2", "")
	if err != nil || cur[0].Version != "20250912225308" {
		t.Errorf("current: %+v %v", cur, err)
	}
	// A version AWS never published, between two that it did, and
	// versions before the first and after the last, are not found.
	for _, v := range []string{"20250615000000", "20170101000000", "20991231000000"} {
		_, err := c.PriceLists(ctx, "AmazonEC2", v)
		if !errors.Is(err, pricingapi.ErrNotFound) || !strings.Contains(err.Error(), v) {
			t.Errorf("version %s: %v, want not found naming it", v, err)
		}
	}
}

// A window that begins long before the version's month is found too, by
// bisection (AWS's windows begin at month starts today; nothing promises it).
func TestVersionFoundByBisection(t *testing.T) {
	index := []byte(`{"offerCode":"AmazonEC2","versions":{
		"20250110000000":{"versionEffectiveBeginDate":"2024-10-01T00:00:00Z","versionEffectiveEndDate":"2024-10-17T12:00:00Z"},
		"20250111000000":{"versionEffectiveBeginDate":"2024-10-17T12:00:00Z","versionEffectiveEndDate":""}}}`)
	srv := pricingfake.New(mirrorWithIndex(t, index, []string{"20250110000000", "20250111000000"}, 1))
	defer srv.Close()
	c := clientFor(t, srv, 3)
	lists, err := c.PriceLists(context.Background(), "AmazonEC2", "20250110000000")
	if err != nil || len(lists) != 1 || lists[0].Version != "20250110000000" {
		t.Errorf("by bisection: %+v %v", lists, err)
	}
}

// The SDK's default client-side retry quota (500 tokens, 5 per throttled
// retry that fails again) would end a long throttled listing while attempts
// remain; the budget is the attempts configured, per call.
func TestThrottleStormCompletes(t *testing.T) {
	const regions = 80
	srv := pricingfake.New(ec2Mirror(t, []string{"20250912225308"}, regions))
	defer srv.Close()
	srv.SetPageSize(1)
	srv.ThrottleStorm(3) // every page: three ThrottlingExceptions, then the answer
	c := clientFor(t, srv, 4)
	lists, err := c.PriceLists(context.Background(), "AmazonEC2", "")
	if err != nil {
		t.Fatalf("throttle storm: %v", err)
	}
	if len(lists) != regions {
		t.Errorf("%d price lists, want %d", len(lists), regions)
	}
	if n := len(srv.Requests()); n != 4*regions {
		t.Errorf("%d calls, want %d (4 per page)", n, 4*regions)
	}
}

// When the attempts run out the message says so, with their number.
func TestThrottledMessage(t *testing.T) {
	srv := pricingfake.New(mirror)
	defer srv.Close()
	srv.ThrottleStorm(1000)
	c := clientFor(t, srv, 3)
	_, err := c.PriceLists(context.Background(), "AmazonRedshift", "")
	if err == nil || !strings.Contains(err.Error(), "still throttled after 3 attempts") || strings.Contains(err.Error(), "quota") {
		t.Errorf("throttled throughout: %v", err)
	}
}
