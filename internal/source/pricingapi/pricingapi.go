// Package pricingapi is the client of the AWS Pricing service API (the
// credentialed one, aws-sdk-go-v2 service/pricing), the second source of
// price lists next to the public Bulk API. It locates the bulk files of a
// version and region (ListPriceLists, GetPriceListFileUrl) and asks for small
// filtered selections (GetProducts). Credentials come from the SDK's default
// chain: environment, shared files, web identity (GitHub OIDC through
// aws-actions/configure-aws-credentials), instance roles.
package pricingapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/pricing"
	"github.com/aws/aws-sdk-go-v2/service/pricing/types"
	"github.com/aws/smithy-go"

	"github.com/pricechecker/pricechecker/internal/backoff"
	"github.com/pricechecker/pricechecker/internal/buildinfo"
)

// DefaultRegion is the Pricing API's home region.
const DefaultRegion = "us-east-1"

// Regions are the only regions the Pricing API is served from.
var Regions = []string{"us-east-1", "eu-central-1", "ap-south-1"}

// Currency is the currency of the price lists pricechecker reads.
const Currency = "USD"

// ErrNotFound is returned (wrapped) for an unknown service code, version or
// price list.
var ErrNotFound = errors.New("not found")

// ErrPageTokenExpired is returned (wrapped) when a listing's NextToken
// expired before the listing was read to the end; starting the listing
// again is the cure.
var ErrPageTokenExpired = errors.New("page token expired")

// Options configure a Client.
type Options struct {
	// Endpoint replaces the SDK's endpoint (tests, VPC endpoints); empty
	// keeps https://api.pricing.<region>.amazonaws.com.
	Endpoint string
	// Region is the API's region; empty means DefaultRegion. AWS_REGION is
	// deliberately not used: a workflow's region is rarely one the Pricing
	// API is served from.
	Region string
	// MaxAttempts bounds the tries of one call (throttling and 5xx are
	// retried with backoff's jittered exponential delays, from 1 s up to
	// MaxBackoff); 0 means 8.
	MaxAttempts int
	// MaxBackoff caps the wait between tries; 0 means 20s.
	MaxBackoff time.Duration
	// HTTPClient may be nil.
	HTTPClient *http.Client
	// Credentials, if set, replace the default chain (tests).
	Credentials aws.CredentialsProvider
}

// Client calls the Pricing API.
type Client struct {
	api *pricing.Client
}

// New loads the default AWS configuration (credential chain included) and
// returns a client. It makes no call: missing credentials are reported by
// the first call.
func New(ctx context.Context, opts Options) (*Client, error) {
	region := cmp(opts.Region, DefaultRegion)
	maxAttempts := opts.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = 8
	}
	maxBackoff := opts.MaxBackoff
	if maxBackoff <= 0 {
		maxBackoff = 20 * time.Second
	}
	loaders := []func(*awsconfig.LoadOptions) error{
		awsconfig.WithRegion(region),
		awsconfig.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = maxAttempts
				o.MaxBackoff = maxBackoff
				// The SDK counts the attempts and decides what is
				// retryable; the waits are backoff's, as for every client.
				o.Backoff = sdkDelayer{backoff.Policy{MaxAttempts: maxAttempts, Base: time.Second, Cap: maxBackoff}}
				// The default client-side retry quota (500 tokens shared
				// by every call of the client, 5 per throttled retry that
				// fails again) runs dry in a long throttled listing and
				// ends it while attempts remain. A batch run would rather
				// wait: the budget is MaxAttempts per call, nothing else.
				o.RateLimiter = ratelimit.None
			})
		}),
	}
	if opts.HTTPClient != nil {
		loaders = append(loaders, awsconfig.WithHTTPClient(opts.HTTPClient))
	}
	if opts.Credentials != nil {
		loaders = append(loaders, awsconfig.WithCredentialsProvider(opts.Credentials))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, loaders...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration for the Pricing API: %w", err)
	}
	api := pricing.NewFromConfig(cfg, func(o *pricing.Options) {
		// The SDK's User-Agent names the SDK; pricechecker's product
		// token (pricechecker/VERSION) goes after it, as every other
		// client of pricechecker sends it.
		o.APIOptions = append(o.APIOptions, awsmiddleware.AddUserAgentKeyValue("pricechecker", buildinfo.Get().Version))
		if opts.Endpoint != "" {
			o.BaseEndpoint = aws.String(opts.Endpoint)
		}
	})
	return &Client{api: api}, nil
}

// sdkDelayer is the SDK's retry.BackoffDelayer on backoff's Policy. The SDK
// numbers the failed attempt from 1, as Policy numbers the retry after it.
type sdkDelayer struct{ p backoff.Policy }

func (d sdkDelayer) BackoffDelay(attempt int, _ error) (time.Duration, error) {
	return d.p.Delay(attempt, 0), nil
}

func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// PriceList is one region's price list of a version.
type PriceList struct {
	ARN     string
	Region  string
	Version string
	Formats []string
}

// ParseARN reads the version and region out of a price list ARN:
// arn:aws:pricing:::price-list/aws/<service>/<currency>/<version>/<region>.
func ParseARN(arn string) (service, version, region string, ok bool) {
	_, rest, found := strings.Cut(arn, ":price-list/")
	if !found {
		return "", "", "", false
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 5 {
		return "", "", "", false
	}
	return parts[1], parts[3], parts[4], true
}

// PriceLists returns the price lists of a service, one per region: those of
// version when given (found by its effective window, see effectiveDate),
// else the current ones. Sorted by region.
func (c *Client) PriceLists(ctx context.Context, serviceCode, version string) ([]PriceList, error) {
	effective := time.Now().UTC()
	if version != "" {
		published, err := time.Parse(versionLayout, version)
		if err != nil || len(version) != len(versionLayout) {
			return nil, fmt.Errorf("version %q: want YYYYMMDDhhmmss", version)
		}
		if effective, err = c.effectiveDate(ctx, serviceCode, version, published); err != nil {
			return nil, err
		}
	}
	p := pricing.NewListPriceListsPaginator(c.api, &pricing.ListPriceListsInput{
		ServiceCode:   aws.String(serviceCode),
		EffectiveDate: aws.Time(effective),
		CurrencyCode:  aws.String(Currency),
		MaxResults:    aws.Int32(100),
	})
	latest := map[string]PriceList{}
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, apiError("ListPriceLists "+serviceCode, err)
		}
		for _, pl := range page.PriceLists {
			arn := aws.ToString(pl.PriceListArn)
			_, v, region, ok := ParseARN(arn)
			if !ok {
				return nil, fmt.Errorf("ListPriceLists %s: unexpected price list ARN %q", serviceCode, arn)
			}
			if r := aws.ToString(pl.RegionCode); r != "" {
				region = r
			}
			if version != "" && v != version {
				continue
			}
			if prev, ok := latest[region]; ok && prev.Version >= v {
				continue
			}
			latest[region] = PriceList{ARN: arn, Region: region, Version: v, Formats: pl.FileFormats}
		}
	}
	if len(latest) == 0 {
		if version != "" {
			return nil, fmt.Errorf("ListPriceLists %s: no price list of version %s: %w", serviceCode, version, ErrNotFound)
		}
		return nil, fmt.Errorf("ListPriceLists %s: no price lists: %w", serviceCode, ErrNotFound)
	}
	out := make([]PriceList, 0, len(latest))
	for _, pl := range latest {
		out = append(out, pl)
	}
	slices.SortFunc(out, func(a, b PriceList) int { return strings.Compare(a.Region, b.Region) })
	return out, nil
}

const versionLayout = "20060102150405"

// firstEffective is before the first price list AWS published (the Price
// List API started in December 2015): the low end of effectiveDate's search.
var firstEffective = time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)

// effectiveDate returns a date at which version is the effective version of
// serviceCode, or an error wrapping ErrNotFound.
//
// ListPriceLists answers by effective date, and AWS's effective windows do
// not follow version names: a month's version is published after the month
// began (AmazonEC2 20250703204906 is effective from 2025-06-01 to
// 2025-07-01), so at its own timestamp a later version is the effective one.
// The Bulk API's version index states each window, but the Savings Plans
// version index has none, and source: api should rest on the API it names
// alone. So the date is found with ListPriceLists itself, one price list per
// probe (its ARN carries the version): first at the version's timestamp and
// at the starts of its month and the month before (where AWS's monthly
// windows begin, which finds nearly every version in one to three calls),
// then by bisection between the earliest probe that shows an older version
// and the one that shows a newer: later versions have later windows.
func (c *Client) effectiveDate(ctx context.Context, serviceCode, version string, published time.Time) (time.Time, error) {
	probe := func(at time.Time) (string, error) {
		out, err := c.api.ListPriceLists(ctx, &pricing.ListPriceListsInput{
			ServiceCode:   aws.String(serviceCode),
			EffectiveDate: aws.Time(at),
			CurrencyCode:  aws.String(Currency),
			MaxResults:    aws.Int32(1),
		})
		if err != nil {
			return "", apiError("ListPriceLists "+serviceCode, err)
		}
		if len(out.PriceLists) == 0 {
			return "", nil // nothing effective then: older than any version
		}
		arn := aws.ToString(out.PriceLists[0].PriceListArn)
		_, v, _, ok := ParseARN(arn)
		if !ok {
			return "", fmt.Errorf("ListPriceLists %s: unexpected price list ARN %q", serviceCode, arn)
		}
		return v, nil
	}
	// lo shows an older version (or none), hi a newer one, once found.
	lo, loV := firstEffective, ""
	var hi time.Time
	hiV := ""
	month := time.Date(published.Year(), published.Month(), 1, 0, 0, 0, 0, time.UTC)
	for _, at := range []time.Time{published, month, month.AddDate(0, -1, 0)} {
		v, err := probe(at)
		if err != nil {
			return time.Time{}, err
		}
		switch {
		case v == version:
			return at, nil
		case v < version && at.After(lo):
			lo, loV = at, v
		case v > version && (hi.IsZero() || at.Before(hi)):
			hi, hiV = at, v
		}
	}
	if !hi.IsZero() && hi.After(lo) {
		for hi.Sub(lo) > time.Second {
			at := lo.Add(hi.Sub(lo) / 2).Truncate(time.Second)
			v, err := probe(at)
			if err != nil {
				return time.Time{}, err
			}
			switch {
			case v == version:
				return at, nil
			case v < version:
				lo, loV = at, v
			default:
				hi, hiV = at, v
			}
		}
	}
	what := fmt.Sprintf("none is effective at %s", lo.Format(time.RFC3339))
	if loV != "" {
		what = fmt.Sprintf("%s is effective at %s", loV, lo.Format(time.RFC3339))
	}
	if hiV != "" {
		what += fmt.Sprintf(", %s from %s", hiV, hi.Format(time.RFC3339))
	}
	return time.Time{}, fmt.Errorf("ListPriceLists %s: version %s is not effective at any date (%s); check the version in the service's version index: %w", serviceCode, version, what, ErrNotFound)
}

// FileURL returns the URL of a price list's file in a format (json, csv).
func (c *Client) FileURL(ctx context.Context, arn, format string) (string, error) {
	out, err := c.api.GetPriceListFileUrl(ctx, &pricing.GetPriceListFileUrlInput{
		PriceListArn: aws.String(arn),
		FileFormat:   aws.String(format),
	})
	if err != nil {
		return "", apiError("GetPriceListFileUrl "+arn, err)
	}
	if aws.ToString(out.Url) == "" {
		return "", fmt.Errorf("GetPriceListFileUrl %s: the answer has no URL", arn)
	}
	return aws.ToString(out.Url), nil
}

// Filters turns a selection's filters into GetProducts filters: TERM_MATCH
// for one value, ANY_OF (comma-separated) for several. Filters the API
// cannot express (a name with spaces, a value with a comma) are left out;
// the caller filters again locally, so the result is the same, only larger.
func Filters(region string, filters map[string][]string) []types.Filter {
	var out []types.Filter
	if region != "" {
		out = append(out, types.Filter{Type: types.FilterTypeTermMatch, Field: aws.String("regionCode"), Value: aws.String(region)})
	}
	keys := make([]string, 0, len(filters))
	for k := range filters {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		values := filters[k]
		if strings.ContainsAny(k, " /") || len(values) == 0 || slices.ContainsFunc(values, func(v string) bool { return v == "" || strings.Contains(v, ",") }) {
			continue
		}
		f := types.Filter{Type: types.FilterTypeTermMatch, Field: aws.String(k), Value: aws.String(values[0])}
		if len(values) > 1 {
			f.Type, f.Value = types.FilterTypeAnyOf, aws.String(strings.Join(values, ","))
		}
		out = append(out, f)
	}
	return out
}

// Products calls GetProducts for a service with filters and hands every
// PriceList entry (a product with its terms, as a JSON string) to each.
func (c *Client) Products(ctx context.Context, serviceCode string, filters []types.Filter, each func(entry string) error) error {
	p := pricing.NewGetProductsPaginator(c.api, &pricing.GetProductsInput{
		ServiceCode:   aws.String(serviceCode),
		Filters:       filters,
		FormatVersion: aws.String("aws_v1"),
		MaxResults:    aws.Int32(100),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return apiError("GetProducts "+serviceCode, err)
		}
		for _, entry := range page.PriceList {
			if err := each(entry); err != nil {
				return err
			}
		}
	}
	return nil
}

// apiError says what failed and what the user can do about it.
func apiError(what string, err error) error {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		if strings.Contains(err.Error(), "credential") {
			return fmt.Errorf("%s: %w (configure AWS credentials: in GitHub Actions, aws-actions/configure-aws-credentials with a role that allows pricing:ListPriceLists, pricing:GetPriceListFileUrl and pricing:GetProducts)", what, err)
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	switch ae.ErrorCode() {
	case "NotFoundException", "ResourceNotFoundException":
		return fmt.Errorf("%s: %s: %w", what, ae.ErrorMessage(), ErrNotFound)
	case "AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException":
		return fmt.Errorf("%s: %w (the AWS credentials need pricing:ListPriceLists, pricing:GetPriceListFileUrl and pricing:GetProducts)", what, err)
	case "ExpiredNextTokenException", "InvalidNextTokenException":
		return fmt.Errorf("%s: the listing's page token expired before it was read to the end; run again: %w", what, errors.Join(ErrPageTokenExpired, err))
	case "ThrottlingException":
		var quota ratelimit.QuotaExceededError
		var attempts *retry.MaxAttemptsError
		switch {
		case errors.As(err, &quota):
			// Cannot happen with ratelimit.None; said plainly if it does.
			return fmt.Errorf("%s: throttled, and the AWS SDK's client-side retry quota ran out before the attempts did; run again later: %w", what, err)
		case errors.As(err, &attempts):
			return fmt.Errorf("%s: still throttled after %d attempts; run again later: %w", what, attempts.Attempt, err)
		}
		return fmt.Errorf("%s: throttled; run again later: %w", what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}
