package tracker

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/pricing/types"

	"github.com/pricechecker/pricechecker/internal/config"
	"github.com/pricechecker/pricechecker/internal/selection"
	"github.com/pricechecker/pricechecker/internal/source"
	"github.com/pricechecker/pricechecker/internal/source/bulk"
	"github.com/pricechecker/pricechecker/internal/source/pricingapi"
)

// stubAPI records what a Pricing API source asked for; reading fails so
// that the test sees which call a read made.
type stubAPI struct{ calls []string }

func (s *stubAPI) PriceLists(_ context.Context, serviceCode, version string) ([]pricingapi.PriceList, error) {
	s.calls = append(s.calls, "PriceLists "+serviceCode)
	return []pricingapi.PriceList{{ARN: "arn:aws:pricing:::price-list/aws/" + serviceCode + "/USD/20250101000000/us-east-1", Region: "us-east-1", Version: "20250101000000"}}, nil
}

func (s *stubAPI) FileURL(_ context.Context, arn, format string) (string, error) {
	s.calls = append(s.calls, "FileURL "+format)
	return "", errors.New("stub")
}

func (s *stubAPI) Products(_ context.Context, serviceCode string, _ []types.Filter, _ func(string) error) error {
	s.calls = append(s.calls, "Products "+serviceCode)
	return errors.New("stub")
}

// SourceFor is the one place that turns an entry into a source: each kind
// of entry must be read where AWS publishes it.
func TestSourceForEachEntry(t *testing.T) {
	client, err := bulk.New("file://../../testdata/mirror", nil)
	if err != nil {
		t.Fatal(err)
	}
	read := source.ReadOptions{Format: "csv"}
	ctx := context.Background()

	// Bulk API: an offer and a savings plan have different indexes.
	for _, o := range []config.Offer{
		{Code: "AmazonRedshift"},
		{Code: "AWSComputeSavingsPlan", Kind: config.KindSavingsPlan},
	} {
		src, err := SourceFor(o, Sources{Bulk: client, Read: read})
		if err != nil {
			t.Fatal(err)
		}
		regions, err := src.Locate(ctx, "")
		if err != nil {
			t.Fatalf("%s: %v", o.Code, err)
		}
		if len(regions.Codes()) == 0 {
			t.Errorf("%s: no regions", o.Code)
		}
		if err := regions.Unknown("us-esat-1"); !errors.As(err, new(*bulk.NameError)) || !strings.Contains(err.Error(), "has no region \"us-esat-1\"") {
			t.Errorf("%s: unknown region: %v", o.Code, err)
		}
	}

	// Pricing API: the mode decides how a region is read, and a savings
	// plan goes by its API service code.
	for _, tc := range []struct {
		offer config.Offer
		want  []string
	}{
		{config.Offer{Code: "AmazonEC2", Source: config.SourceAPI, APIMode: config.APIModeFiles}, []string{"PriceLists AmazonEC2", "FileURL csv"}},
		{config.Offer{Code: "AmazonEC2", Source: config.SourceAPI, APIMode: config.APIModeProducts}, []string{"PriceLists AmazonEC2", "Products AmazonEC2"}},
		{config.Offer{Code: "AWSComputeSavingsPlan", Kind: config.KindSavingsPlan, Source: config.SourceAPI, APIMode: config.APIModeFiles}, []string{"PriceLists ComputeSavingsPlans", "FileURL csv"}},
	} {
		api := &stubAPI{}
		src, err := SourceFor(tc.offer, Sources{Bulk: client, Pricing: api, Read: read})
		if err != nil {
			t.Fatal(err)
		}
		regions, err := src.Locate(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		_, _, _, err = regions.Lists["us-east-1"].Read(ctx, selection.Selection{})
		if err == nil || !strings.HasPrefix(err.Error(), tc.offer.Code+" us-east-1: ") {
			t.Errorf("%+v: read error %v, want it prefixed with the entry and region", tc.offer, err)
		}
		if fmt.Sprint(api.calls) != fmt.Sprint(tc.want) {
			t.Errorf("%+v: calls %q, want %q", tc.offer, api.calls, tc.want)
		}
	}

	// Without credentials (the plan job) an api entry says so.
	_, err = SourceFor(config.Offer{Code: "AmazonEC2", Source: config.SourceAPI}, Sources{Bulk: client})
	if !errors.Is(err, source.ErrNoPricingClient) || err.Error() != "AmazonEC2: source: api needs the Pricing API client" {
		t.Errorf("no Pricing API: %v", err)
	}
}
