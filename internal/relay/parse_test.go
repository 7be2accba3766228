package relay

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

const snsDir = "../../testdata/sns"

func loadEvent(t testing.TB, name string) events.SNSEvent {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(snsDir, name))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.SNSEvent
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return ev
}

func notificationOf(ev events.SNSEvent) Notification {
	s := ev.Records[0].SNS
	return Notification{MessageID: s.MessageID, TopicArn: s.TopicArn, Subject: s.Subject, Message: s.Message, Timestamp: s.Timestamp}
}

func TestParseSamples(t *testing.T) {
	cfgIdx := "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AWSConfig/current/region_index.json"
	tests := []struct {
		file string
		want []Update
	}{
		{"lambda-price-list-api.json", []Update{{Kind: KindPriceList, OfferCode: "AWSConfig", Version: "20171205010842", Timestamp: "2017-12-05T01:08:44Z", RegionIndexURL: cfgIdx}}},
		// The daily digest names no version, and no timestamp: SNS's is used.
		{"lambda-daily-aggregated.json", []Update{{Kind: KindDaily, OfferCode: "AWSConfig", Timestamp: "2017-12-05T17:00:55Z", RegionIndexURL: cfgIdx}}},
		{"madeup-daily-multi.json", []Update{
			{Kind: KindDaily, OfferCode: "AmazonEC2", Timestamp: "2025-06-01T17:00:55Z", RegionIndexURL: "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/region_index.json"},
			{Kind: KindDaily, OfferCode: "AWSLambda", Timestamp: "2025-06-01T17:00:55Z", RegionIndexURL: "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AWSLambda/current/region_index.json"},
			{Kind: KindDaily, OfferCode: "AmazonS3", Timestamp: "2025-06-01T17:00:55Z", RegionIndexURL: "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonS3/current/region_index.json"},
		}},
		{"madeup-savings-plans-json.json", []Update{{Kind: KindSavingsPlans, OfferCode: "AWSComputeSavingsPlan", Version: "20250601000000", Timestamp: "2025-06-01T00:05:00Z",
			RegionIndexURL: "https://pricing.us-east-1.amazonaws.com/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/20250601000000/region_index.json"}}},
		{"madeup-savings-plans-text.json", []Update{
			{Kind: KindSavingsPlans, OfferCode: "AWSDatabaseSavingsPlans", Timestamp: "2025-06-01T17:00:55Z", RegionIndexURL: "https://pricing.us-east-1.amazonaws.com/savingsPlan/v1.0/aws/AWSDatabaseSavingsPlans/current/region_index.json"},
			{Kind: KindSavingsPlans, OfferCode: "AWSMachineLearningSavingsPlans", Version: "20250601120000", Timestamp: "2025-06-01T17:00:55Z", RegionIndexURL: "https://pricing.us-east-1.amazonaws.com/savingsPlan/v1.0/aws/AWSMachineLearningSavingsPlans/20250601120000/region_index.json"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := Parse(notificationOf(loadEvent(t, tt.file)))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseEdgeCases(t *testing.T) {
	ts := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	n := func(topic, msg string) Notification {
		return Notification{MessageID: "m", TopicArn: topic, Message: msg, Timestamp: ts}
	}
	tests := []struct {
		name      string
		n         Notification
		wantCodes []string
		wantVer   string
		wantErr   bool
	}{
		{"empty message", n(TopicPriceList, "   "), nil, "", true},
		{"price list not JSON", n(TopicPriceList, "<html>503</html>"), nil, "", true},
		{"price list JSON without offerCode", n(TopicPriceList, `{"version":"20250101000000"}`), nil, "", true},
		{"price list offerCode with injection", n(TopicPriceList, `{"offerCode":"x\"; rm -rf /","version":"1"}`), nil, "", true},
		{"price list JSON array", n(TopicPriceList, `[1,2,3]`), nil, "", true},
		// Only a 14-digit version is passed on; the offer still is.
		{"price list bad version", n(TopicPriceList, `{"offerCode":"AmazonEC2","version":"$(id)"}`), []string{"AmazonEC2"}, "", false},
		{"price list version not 14 digits", n(TopicPriceList, `{"offerCode":"AmazonEC2","version":"202501010000001"}`), []string{"AmazonEC2"}, "", false},
		{"price list unknown fields tolerated", n(TopicPriceList, `{"offerCode":"AmazonEC2","version":"20250101000000","new":{"x":1},"operation":"Publish"}`), []string{"AmazonEC2"}, "20250101000000", false},
		{"daily without services", n(TopicDaily, "Hello,\n\nNothing today.\n"), nil, "", true},
		{"daily lower case and extra spaces", n(TopicDaily, "we've published a new version of the offer file   for   service   AmazonRDS.\n-Region Index Url: https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonRDS/current/region_index.json"), []string{"AmazonRDS"}, "", false},
		{"daily versioned URL", n(TopicDaily, "We have published a new version of the offer file for Service AmazonRDS.\n - JSON Format : https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonRDS/20250101000000/index.json"), []string{"AmazonRDS"}, "20250101000000", false},
		{"savings plans JSON nested", n(TopicSavingsPlans, `{"detail":{"plans":[{"code":"AWSDatabaseSavingsPlans","version":"20250301000000"}]}}`), []string{"AWSDatabaseSavingsPlans"}, "20250301000000", false},
		{"savings plans pricing-API spelling in text", n(TopicSavingsPlans, "Updated: MachineLearningSavingsPlans"), []string{"AWSMachineLearningSavingsPlans"}, "", false},
		{"savings plans CSV preamble spelling", n(TopicSavingsPlans, `{"OfferCode":"AmazonComputeSavingsPlan"}`), []string{"AWSComputeSavingsPlan"}, "", false},
		{"savings plans nothing specific", n(TopicSavingsPlans, "New Savings Plans rates have been published."), []string{""}, "", false},
		{"savings plans unrelated text", n(TopicSavingsPlans, "hello world"), nil, "", true},
		{"savings plans JSON null", n(TopicSavingsPlans, `null`), nil, "", true},
		{"unknown topic sniffed as price list", n("arn:aws:sns:eu-west-1:123456789012:my-test", `{"offerCode":"AmazonEC2","version":"20250101000000"}`), []string{"AmazonEC2"}, "20250101000000", false},
		{"unknown topic sniffed as daily", n("arn:aws:sns:eu-west-1:123456789012:my-test", "We have published a new version of the offer file for Service AWSLambda."), []string{"AWSLambda"}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ups, err := Parse(tt.n)
			if tt.wantErr {
				if !errors.Is(err, ErrUnparseable) {
					t.Fatalf("Parse = %+v, %v; want ErrUnparseable", ups, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var codes []string
			for _, u := range ups {
				codes = append(codes, u.OfferCode)
				if u.Timestamp == "" {
					t.Errorf("%s: no timestamp", u.OfferCode)
				}
			}
			if !reflect.DeepEqual(codes, tt.wantCodes) {
				t.Errorf("codes = %q, want %q", codes, tt.wantCodes)
			}
			if ups[0].Version != tt.wantVer {
				t.Errorf("version = %q, want %q", ups[0].Version, tt.wantVer)
			}
		})
	}
}

// A region index URL from an unauthenticated message must not point
// anywhere but AWS's pricing host: the workflow may download it.
func TestParseDropsForeignURLs(t *testing.T) {
	ups, err := Parse(Notification{TopicArn: TopicPriceList, Message: `{"offerCode":"AmazonEC2","version":"1","regionIndex":"https://evil.example.com/x.json"}`})
	if err != nil {
		t.Fatal(err)
	}
	if ups[0].RegionIndexURL != "" {
		t.Errorf("RegionIndexURL = %q, want empty", ups[0].RegionIndexURL)
	}
}

func TestParseDeepJSONDoesNotCrash(t *testing.T) {
	msg := strings.Repeat(`{"a":`, 5000) + `"AWSComputeSavingsPlan"` + strings.Repeat(`}`, 5000)
	if _, err := Parse(Notification{TopicArn: TopicSavingsPlans, Message: msg}); err != nil && !errors.Is(err, ErrUnparseable) {
		t.Fatal(err)
	}
}

// FuzzParse: whatever arrives, Parse returns updates with safe codes or
// ErrUnparseable, and never panics.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"lambda-price-list-api.json", "lambda-daily-aggregated.json", "madeup-daily-multi.json", "madeup-savings-plans-json.json", "madeup-savings-plans-text.json"} {
		n := notificationOf(loadEvent(f, name))
		f.Add(n.TopicArn, n.Message)
	}
	f.Add(TopicSavingsPlans, `{"x":[{"y":"https://pricing.us-east-1.amazonaws.com/savingsPlan/v1.0/aws/`)
	f.Fuzz(func(t *testing.T, topic, msg string) {
		ups, err := Parse(Notification{TopicArn: topic, Message: msg})
		if err != nil {
			if !errors.Is(err, ErrUnparseable) {
				t.Fatalf("error not ErrUnparseable: %v", err)
			}
			return
		}
		for _, u := range ups {
			if u.OfferCode != "" && !offerCodeRE.MatchString(u.OfferCode) {
				t.Fatalf("unsafe offer code %q", u.OfferCode)
			}
			if u.Version != "" && !versionRE.MatchString(u.Version) {
				t.Fatalf("unsafe version %q", u.Version)
			}
			if u.Kind == KindSavingsPlans && u.OfferCode != "" && canonicalSavingsPlanCode(u.OfferCode) != u.OfferCode {
				t.Fatalf("unknown Savings Plans code %q", u.OfferCode)
			}
			if u.RegionIndexURL != "" && !pricingURLRE.MatchString(u.RegionIndexURL) {
				t.Fatalf("region index URL not in AWS's shape: %q", u.RegionIndexURL)
			}
			if len(u.RegionIndexURL) > maxURLLen || len(u.Timestamp) > maxTimestampLen {
				t.Fatalf("unbounded field in %+v", u)
			}
		}
	})
}

// Savings Plans: only a 14-digit version folder is a version. "v1.0" is the
// API version, and a publication date is not known to be a folder name: it
// becomes the timestamp instead.
func TestParseSavingsPlansVersion(t *testing.T) {
	snsTime := time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name, msg     string
		want          Update
		wantTimestamp string
	}{
		{"publication date", `{"savingsPlanCode":"ComputeSavingsPlans","publicationDate":"2025-06-01T00:00:00Z"}`,
			Update{Kind: KindSavingsPlans, OfferCode: "AWSComputeSavingsPlan", Timestamp: "2025-06-01T00:00:00Z"}, ""},
		{"API version", `{"savingsPlanCode":"AWSDatabaseSavingsPlans","version":"v1.0"}`,
			Update{Kind: KindSavingsPlans, OfferCode: "AWSDatabaseSavingsPlans", Timestamp: "2025-06-02T00:00:00Z"}, ""},
		{"version folder", `{"savingsPlanCode":"AWSDatabaseSavingsPlans","version":"20250601000000","publicationDate":"2025-06-01T00:00:00Z","timeStamp":"2025-06-01T00:05:00Z"}`,
			Update{Kind: KindSavingsPlans, OfferCode: "AWSDatabaseSavingsPlans", Version: "20250601000000", Timestamp: "2025-06-01T00:05:00Z"}, ""},
		{"date-like version", `{"savingsPlanCode":"AWSDatabaseSavingsPlans","version":"2025-06-01"}`,
			Update{Kind: KindSavingsPlans, OfferCode: "AWSDatabaseSavingsPlans", Timestamp: "2025-06-02T00:00:00Z"}, ""},
		{"URL with a non-version folder", "Rates: https://pricing.us-east-1.amazonaws.com/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/v1.0/region_index.json",
			Update{Kind: KindSavingsPlans, OfferCode: "AWSComputeSavingsPlan", Timestamp: "2025-06-02T00:00:00Z",
				RegionIndexURL: "https://pricing.us-east-1.amazonaws.com/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/v1.0/region_index.json"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ups, err := Parse(Notification{MessageID: "m", TopicArn: TopicSavingsPlans, Message: tt.msg, Timestamp: snsTime})
			if err != nil {
				t.Fatal(err)
			}
			if len(ups) != 1 || ups[0] != tt.want {
				t.Errorf("Parse:\n got %+v\nwant %+v", ups, tt.want)
			}
		})
	}
}

// Savings Plans codes: the plans' human names are recognised, and nothing
// but the three known plans is ever passed on as an offer code.
func TestParseSavingsPlansCodes(t *testing.T) {
	tests := []struct {
		name, msg string
		want      []string
	}{
		{"prose", "New rates for Compute Savings Plans and SageMaker Savings Plans.", []string{"AWSComputeSavingsPlan", "AWSMachineLearningSavingsPlans"}},
		{"prose, other names", "Machine Learning Savings Plans and Database Savings Plan rates were updated.", []string{"AWSDatabaseSavingsPlans", "AWSMachineLearningSavingsPlans"}},
		{"prose, lower case and line break", "updated: compute savings\nplans", []string{"AWSComputeSavingsPlan"}},
		{"unknown word", "New rates for EvilSavingsPlanXYZ.", []string{""}},
		{"unknown code field", `{"savingsPlanCode":"EvilSavingsPlanXYZ"}`, []string{""}},
		{"unknown code in a URL", "https://pricing.us-east-1.amazonaws.com/savingsPlan/v1.0/aws/EvilSavingsPlanXYZ/current/region_index.json", []string{""}},
		{"unknown plan beside a known one", `{"plans":["EvilSavingsPlanXYZ","AWSDatabaseSavingsPlans"]}`, []string{"AWSDatabaseSavingsPlans"}},
		{"generic word", "SavingsPlans were republished", []string{""}},
		{"Pricing API spelling", "ComputeSavingsPlans", []string{"AWSComputeSavingsPlan"}},
		{"CSV preamble spelling", "AmazonComputeSavingsPlan", []string{"AWSComputeSavingsPlan"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ups, err := Parse(Notification{MessageID: "m", TopicArn: TopicSavingsPlans, Message: tt.msg})
			if err != nil {
				t.Fatal(err)
			}
			var codes []string
			for _, u := range ups {
				codes = append(codes, u.OfferCode)
				if u.RegionIndexURL != "" && !strings.Contains(u.RegionIndexURL, "/"+u.OfferCode+"/") {
					t.Errorf("region index %q for %q", u.RegionIndexURL, u.OfferCode)
				}
			}
			if !reflect.DeepEqual(codes, tt.want) {
				t.Errorf("codes = %q, want %q", codes, tt.want)
			}
		})
	}
}

// A huge Savings Plans URL is dropped like a huge price-list URL; the
// update itself is kept.
func TestParseSavingsPlansLongURL(t *testing.T) {
	long := "https://pricing.us-east-1.amazonaws.com/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/20250601000000/" + strings.Repeat("a", 70*1024) + "/region_index.json"
	for _, msg := range []string{long, `{"regionIndex":"` + long + `"}`} {
		ups, err := Parse(Notification{MessageID: "m", TopicArn: TopicSavingsPlans, Message: msg})
		if err != nil {
			t.Fatal(err)
		}
		if len(ups) != 1 || ups[0].OfferCode != "AWSComputeSavingsPlan" || ups[0].RegionIndexURL != "" || ups[0].Version != "20250601000000" {
			t.Errorf("Parse = %+v", ups)
		}
	}
}
