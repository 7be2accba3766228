package pricingapi_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/pricechecker/pricechecker/internal/buildinfo"
	"github.com/pricechecker/pricechecker/internal/offerfile"
	"github.com/pricechecker/pricechecker/internal/priceline"
	"github.com/pricechecker/pricechecker/internal/selection"
	"github.com/pricechecker/pricechecker/internal/snapshot"
	"github.com/pricechecker/pricechecker/internal/source/pricingapi"
	"github.com/pricechecker/pricechecker/internal/source/pricingapi/pricingfake"
)

const mirror = "../../../testdata/mirror"

func newClient(t *testing.T, maxAttempts int) (*pricingapi.Client, *pricingfake.Server) {
	t.Helper()
	srv := pricingfake.New(mirror)
	t.Cleanup(srv.Close)
	c, err := pricingapi.New(context.Background(), pricingapi.Options{
		Endpoint:    srv.URL,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		MaxAttempts: maxAttempts,
		MaxBackoff:  5 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

func TestPriceLists(t *testing.T) {
	c, srv := newClient(t, 3)
	ctx := context.Background()
	srv.SetPageSize(1) // two pages for two regions
	lists, err := c.PriceLists(ctx, "AmazonRedshift", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(lists) != 2 || lists[0].Region != "eu-west-1" || lists[1].Region != "us-east-1" || lists[1].Version != "20180401000000" {
		t.Fatalf("current price lists = %+v", lists)
	}
	if lists[1].ARN != "arn:aws:pricing:::price-list/aws/AmazonRedshift/USD/20180401000000/us-east-1" || !slices.Contains(lists[1].Formats, "csv") {
		t.Errorf("price list = %+v", lists[1])
	}
	if n := strings.Count(strings.Join(srv.Requests(), ","), "ListPriceLists"); n != 2 {
		t.Errorf("ListPriceLists called %d times, want 2 pages", n)
	}
	old, err := c.PriceLists(ctx, "AmazonRedshift", "20180309224506")
	if err != nil || old[0].Version != "20180309224506" {
		t.Errorf("by version: %+v %v", old, err)
	}
	if _, err := c.PriceLists(ctx, "AmazonRedshift", "20170101000000"); !errors.Is(err, pricingapi.ErrNotFound) {
		t.Errorf("version before the first: %v", err)
	}
	if _, err := c.PriceLists(ctx, "AmazonRedshit", ""); !errors.Is(err, pricingapi.ErrNotFound) || !strings.Contains(err.Error(), "AmazonRedshit") {
		t.Errorf("unknown service: %v", err)
	}
	sp, err := c.PriceLists(ctx, "ComputeSavingsPlans", "")
	if err != nil || len(sp) != 1 || sp[0].Region != "ap-east-2" || sp[0].Version != "20251001000000" {
		t.Errorf("savings plans: %+v %v", sp, err)
	}
}

func TestFileURL(t *testing.T) {
	c, _ := newClient(t, 3)
	ctx := context.Background()
	u, err := c.FileURL(ctx, "arn:aws:pricing:::price-list/aws/ComputeSavingsPlans/USD/20250911184447/ap-east-2", "csv")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want, _ := os.ReadFile(mirror + "/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/20250911184447/ap-east-2/index.csv")
	if !bytes.Equal(got, want) {
		t.Errorf("%s: not the mirror's file", u)
	}
	if _, err := c.FileURL(ctx, "arn:aws:pricing:::price-list/aws/AmazonRedshift/USD/20990101000000/us-east-1", "json"); !errors.Is(err, pricingapi.ErrNotFound) {
		t.Errorf("unknown price list: %v", err)
	}
	if _, err := c.FileURL(ctx, "arn:aws:pricing:::price-list/aws/AmazonRedshift/USD/20180401000000/us-east-1", "xml"); err == nil || !strings.Contains(err.Error(), "InvalidParameterException") {
		t.Errorf("bad format: %v", err)
	}
}

// GetProducts entries, converted to lines, give the snapshot the bulk file
// gives: byte for byte, with and without server-side filters.
func TestProductsMatchBulkFile(t *testing.T) {
	c, srv := newClient(t, 3)
	srv.SetPageSize(7)
	sels := []selection.Selection{
		{Attributes: []string{"productFamily", "usagetype", "location", "instanceType", "vcpu"}},
		{Terms: []string{"Reserved"}, Filters: map[string][]string{"productFamily": {"Compute Instance"}, "instanceType": {"dc2.large", "ds2.xlarge"}}, Attributes: []string{"instanceType", "memory"}},
		{Filters: map[string][]string{"Product Family": {"Data Transfer"}, "transferType": {"AWS Outbound"}}, Attributes: []string{"fromLocation", "toLocation"}},
	}
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		for i, sel := range sels {
			bulk := snap(t, sel, func(add func(*priceline.Line) error) error {
				f, err := os.Open(mirror + "/offers/v1.0/aws/AmazonRedshift/20180401000000/" + region + "/index.json")
				if err != nil {
					return err
				}
				defer f.Close()
				_, err = offerfile.DecodeJSON(f, sel, offerfile.Handler{Line: add})
				return err
			})
			api := snap(t, sel, func(add func(*priceline.Line) error) error {
				dec := offerfile.NewProductDecoder(sel)
				return c.Products(context.Background(), "AmazonRedshift", pricingapi.Filters(region, sel.Filters), func(entry string) error {
					info, err := dec.Decode(entry, add)
					if err == nil && info.Version != "20180401000000" {
						t.Errorf("entry version %q", info.Version)
					}
					return err
				})
			})
			if bulk == "" || strings.Count(bulk, "\n") < 2 {
				t.Fatalf("%s selection %d: the bulk snapshot is empty", region, i)
			}
			if api != bulk {
				t.Errorf("%s selection %d: GetProducts snapshot differs from the bulk file's:\n%s\n---\n%s", region, i, api, bulk)
			}
		}
	}
}

func snap(t *testing.T, sel selection.Selection, decode func(func(*priceline.Line) error) error) string {
	t.Helper()
	s := &snapshot.Snapshot{Attributes: sel.Attributes}
	if err := decode(func(l *priceline.Line) error { s.Add(l); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.Sort(); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := s.Encode(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestFilters(t *testing.T) {
	got := pricingapi.Filters("us-east-1", map[string][]string{
		"productFamily": {"Compute Instance"}, "instanceType": {"a", "b"}, "Instance Family": {"x"}, "odd": {"with,comma"},
	})
	var s []string
	for _, f := range got {
		s = append(s, string(f.Type)+" "+*f.Field+"="+*f.Value)
	}
	want := "TERM_MATCH regionCode=us-east-1|ANY_OF instanceType=a,b|TERM_MATCH productFamily=Compute Instance"
	if strings.Join(s, "|") != want {
		t.Errorf("filters = %s\nwant %s", strings.Join(s, "|"), want)
	}
}

func TestThrottlingIsRetried(t *testing.T) {
	c, srv := newClient(t, 4)
	srv.Throttle(3)
	if _, err := c.PriceLists(context.Background(), "AmazonRedshift", ""); err != nil {
		t.Fatalf("after 3 throttled answers: %v", err)
	}
	if n := len(srv.Requests()); n != 4 {
		t.Errorf("%d calls, want 4", n)
	}
	srv.Throttle(10)
	_, err := c.PriceLists(context.Background(), "AmazonRedshift", "")
	if err == nil || !strings.Contains(err.Error(), "still throttled") || !strings.Contains(err.Error(), "Rate exceeded") {
		t.Errorf("throttled throughout: %v", err)
	}
}

func TestExpiredNextToken(t *testing.T) {
	c, srv := newClient(t, 2)
	srv.SetPageSize(2)
	n := 0
	err := c.Products(context.Background(), "AmazonRedshift", nil, func(string) error {
		n++
		srv.ExpireTokens()
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "expired") || n != 2 {
		t.Errorf("after %d entries: %v", n, err)
	}
}

// The fake checks the protocol the way the service does.
func TestFakeProtocol(t *testing.T) {
	srv := pricingfake.New(mirror)
	defer srv.Close()
	post := func(target, contentType, auth, body string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", target)
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("X-Amz-Date", "20250101T000000Z")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	const sig = "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/pricing/aws4_request, SignedHeaders=host, Signature=00"
	const json11 = "application/x-amz-json-1.1"
	cases := []struct {
		target, ct, auth, body string
		status                 int
		want                   string
	}{
		{"AWSPriceListService.GetProducts", json11, "", `{}`, 403, "MissingAuthenticationTokenException"},
		{"AWSPriceListService.GetProducts", "application/json", sig, `{}`, 400, "SerializationException"},
		{"AWSPriceListService.GetProducts", json11, sig, `{"ServiceCode":"AmazonRedshift","MaxResults":0}`, 400, `"__type":"InvalidParameterException"`},
		{"AWSPriceListService.GetProducts", json11, sig, `{"ServiceCode":"AmazonRedshift","MaxResults":101}`, 400, "InvalidParameterException"},
		{"AWSPriceListService.GetProducts", json11, sig, `{"ServiceCode":"AmazonRedshift","NextToken":"bogus"}`, 400, "InvalidNextTokenException"},
		{"AWSPriceListService.GetProducts", json11, sig, `{"ServiceCode":"Nope"}`, 400, "NotFoundException"},
		{"AWSPriceListService.ListPriceLists", json11, sig, `{"ServiceCode":"AmazonRedshift"}`, 400, "InvalidParameterException"},
		{"AWSPriceListService.GetProducts", json11, sig, `{"ServiceCode":"AmazonRedshift","MaxResults":1,"Filters":[{"Type":"TERM_MATCH","Field":"regionCode","Value":"us-east-1"}]}`, 200, `"PriceList":["{`},
		{"Other.GetProducts", json11, sig, `{}`, 400, "UnknownOperationException"},
	}
	for _, c := range cases {
		status, body := post(c.target, c.ct, c.auth, c.body)
		if status != c.status || !strings.Contains(body, c.want) {
			t.Errorf("%s %s: %d %s, want %d with %s", c.target, c.body, status, body, c.status, c.want)
		}
	}
	srv.Throttle(1)
	if status, body := post("AWSPriceListService.GetProducts", json11, sig, `{"ServiceCode":"AmazonRedshift"}`); status != 400 || !strings.Contains(body, `{"__type":"ThrottlingException","message":"Rate exceeded"}`) {
		t.Errorf("throttled: %d %s", status, body)
	}
}

func TestParseARN(t *testing.T) {
	svc, v, r, ok := pricingapi.ParseARN("arn:aws:pricing:::price-list/aws/AmazonEC2/USD/20230328234721/us-west-2-den-1")
	if !ok || svc != "AmazonEC2" || v != "20230328234721" || r != "us-west-2-den-1" {
		t.Errorf("ParseARN = %s %s %s %v", svc, v, r, ok)
	}
	if _, _, _, ok := pricingapi.ParseARN("arn:aws:s3:::bucket"); ok {
		t.Error("not a price list ARN, parsed")
	}
}

// uaRecorder records the User-Agent of every request it carries.
type uaRecorder struct {
	mu  sync.Mutex
	uas []string
}

func (r *uaRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.uas = append(r.uas, req.Header.Get("User-Agent"))
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

// Every call to the Pricing API carries pricechecker's product token
// (pricechecker/VERSION) after the SDK's own.
func TestUserAgentNamesPricechecker(t *testing.T) {
	// A CA bundle makes the SDK refuse an *http.Client of the caller's.
	t.Setenv("AWS_CA_BUNDLE", "")
	srv := pricingfake.New(mirror)
	t.Cleanup(srv.Close)
	rec := &uaRecorder{}
	c, err := pricingapi.New(context.Background(), pricingapi.Options{
		Endpoint:    srv.URL,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		HTTPClient:  &http.Client{Transport: rec},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PriceLists(context.Background(), "AmazonRedshift", ""); err != nil {
		t.Fatal(err)
	}
	if len(srv.Requests()) == 0 || len(rec.uas) != len(srv.Requests()) {
		t.Fatalf("%d requests seen, the fake logged %v", len(rec.uas), srv.Requests())
	}
	want := "pricechecker/" + buildinfo.Get().Version
	t.Logf("User-Agent: %s", rec.uas[0])
	for i, ua := range rec.uas {
		if !strings.Contains(" "+ua+" ", " "+want+" ") || !strings.Contains(ua, "aws-sdk-go-v2/") {
			t.Errorf("request %d (%s): User-Agent %q lacks %q", i+1, srv.Requests()[i], ua, want)
		}
	}
}
