package slack

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/pricechecker/pricechecker/internal/publish"
	"github.com/pricechecker/pricechecker/internal/report"
	"github.com/pricechecker/pricechecker/internal/slack/slackfake"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current output")

func pct(f float64) *float64 { return &f }

var testLinks = publish.Links{
	Repository:  "https://github.com/acme/prices",
	Run:         "https://github.com/acme/prices/actions/runs/123456",
	Commit:      "https://github.com/acme/prices/compare/1111111...2222222",
	Spreadsheet: "https://docs.google.com/spreadsheets/d/abc123/edit",
}

// largeReport has 300 changed EC2 lines in one region, a few RDS lines in
// another, added and removed lines, flags, and a skipped region.
func largeReport() report.Report {
	ec2 := report.Offer{
		OfferCode: "AmazonEC2", Region: "us-east-1",
		FromVersion: "20250101000000", ToVersion: "20250201000000", PublicationDate: "2025-02-01T00:00:00Z",
	}
	for i := range 300 {
		old := fmt.Sprintf("0.%04d000000", 100+i)
		c := report.Change{
			RateCode: fmt.Sprintf("SKU%03d.JRTCKXETXF.6YS6EN2CT7", i), SKU: fmt.Sprintf("SKU%03d", i),
			TermType: "OnDemand", Unit: "Hrs", Currency: "USD",
			OldPrice: old, NewPrice: fmt.Sprintf("0.%04d000000", 110+i),
			Description: fmt.Sprintf("$%s per On Demand Linux m7i.%dxlarge Instance Hour", old, i),
		}
		if i%50 != 7 {
			c.ChangePct = pct(float64(1000-i*3) / 100)
		}
		ec2.Changed = append(ec2.Changed, c)
	}
	for i := range 40 {
		ec2.Added = append(ec2.Added, report.Line{RateCode: fmt.Sprintf("NEW%02d.JRTCKXETXF.6YS6EN2CT7", i), Price: "0.5000000000"})
	}
	for i := range 12 {
		ec2.Removed = append(ec2.Removed, report.Line{RateCode: fmt.Sprintf("OLD%02d.JRTCKXETXF.6YS6EN2CT7", i), Price: "0.2000000000"})
	}
	ec2.Flags = []report.Flag{
		{Kind: report.FlagLargeMove, RateCode: "SKU000.JRTCKXETXF.6YS6EN2CT7", SKU: "SKU000", Message: "price moved +10.0% in one version"},
		{Kind: report.FlagPriceToZero, RateCode: "SKU007.JRTCKXETXF.6YS6EN2CT7", SKU: "SKU007", Message: "price fell to 0.0000000000"},
	}
	rds := report.Offer{
		OfferCode: "AmazonRDS", Region: "eu-west-1",
		FromVersion: "20250110000000", ToVersion: "20250210000000",
		Changed: []report.Change{
			{RateCode: "RDS1.JRTCKXETXF.6YS6EN2CT7", Currency: "USD", OldPrice: "0.0000000000", NewPrice: "0.1200000000", Description: "db.t4g.micro & <storage>"},
			{RateCode: "RDS2.JRTCKXETXF.6YS6EN2CT7", Currency: "USD", OldPrice: "1.0000000000", NewPrice: "1.0000000000",
				AttributeChanges: []report.FieldChange{{Field: "instanceFamily", Old: "General", New: "General purpose"}}},
			{RateCode: "RDS3.JRTCKXETXF.6YS6EN2CT7", Currency: "USD", OldPrice: "2.0000000000", NewPrice: "1.5000000000", ChangePct: pct(-25)},
		},
		Flags: []report.Flag{{Kind: report.FlagAttributesChanged, RateCode: "RDS2.JRTCKXETXF.6YS6EN2CT7", Message: "instanceFamily: General → General purpose"}},
	}
	skipped := report.Offer{OfferCode: "AmazonS3", Region: "us-west-2", FromVersion: "20250101000000", ToVersion: "20250101000000", Skipped: "version already recorded"}
	return publish.MergeReports(report.Report{Offers: []report.Offer{rds, ec2}}, report.Report{Unchanged: true, Offers: []report.Offer{skipped}})
}

func unchangedReport() report.Report {
	return report.Report{Unchanged: true, Offers: []report.Offer{
		{OfferCode: "AmazonEC2", Region: "us-east-1", FromVersion: "20250201000000", ToVersion: "20250201000000", Skipped: "version already recorded"},
		{OfferCode: "AmazonRDS", Region: "eu-west-1", FromVersion: "20250110000000", ToVersion: "20250210000000"},
	}}
}

func TestGolden(t *testing.T) {
	tests := []struct {
		name    string
		outcome publish.Outcome
		opts    MessageOptions
	}{
		{"large", publish.Outcome{Status: publish.StatusSuccess, Report: largeReport(), Links: testLinks}, MessageOptions{MaxChanges: 300}},
		{"large-default", publish.Outcome{Status: publish.StatusSuccess, Report: largeReport(), Links: testLinks}, MessageOptions{}},
		{"nochange", publish.Outcome{Status: publish.StatusSuccess, Report: unchangedReport(), Links: testLinks}, MessageOptions{NotifyOnNoChange: true}},
		{"failure", publish.Outcome{
			Jobs: []publish.Job{
				{Name: "check (AmazonEC2)", Result: "success"},
				{Name: "check (AmazonRDS)", Result: "failure", URL: "https://github.com/acme/prices/actions/runs/123456/job/2"},
				{Name: "sheets", Result: "failure", URL: "https://github.com/acme/prices/actions/runs/123456/job/3"},
				{Name: "commit", Result: "skipped"},
			},
			Links: publish.Links{Repository: testLinks.Repository, Run: testLinks.Run},
		}, MessageOptions{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, skip := BuildMessage(tt.outcome, tt.opts)
			if skip {
				t.Fatal("BuildMessage skipped a message that must be posted")
			}
			got, err := RenderJSON(msg)
			if err != nil {
				t.Fatal(err)
			}
			checkLimits(t, got)
			path := filepath.Join("testdata", tt.name+".golden.json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("message differs from %s (run go test -update if the change is intended):\n%s", path, got)
			}
		})
	}
}

// checkLimits asserts that Slack would accept the webhook payload.
func checkLimits(t *testing.T, payload []byte) {
	t.Helper()
	var p struct {
		Text   string          `json:"text"`
		Blocks json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal(payload, &p); err != nil {
		t.Fatalf("payload is not JSON: %v", err)
	}
	if p.Text == "" {
		t.Error("payload has no fallback text")
	}
	if err := slackfake.Validate(p.Text, p.Blocks); err != nil {
		t.Errorf("Slack would refuse the message: %v", err)
	}
}

// sectionTexts returns the mrkdwn texts of a message's sections.
func sectionTexts(t *testing.T, m Message) []string {
	t.Helper()
	raw, err := RenderJSON(m)
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Blocks []struct {
			Type string `json:"type"`
			Text *struct {
				Text string `json:"text"`
			} `json:"text"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, b := range p.Blocks {
		if b.Type == "section" && b.Text != nil {
			texts = append(texts, b.Text.Text)
		}
	}
	return texts
}

func TestLargeChangeIsCutWithCount(t *testing.T) {
	msg, _ := BuildMessage(publish.Outcome{Status: publish.StatusSuccess, Report: largeReport()}, MessageOptions{MaxChanges: 1000})
	all := strings.Join(sectionTexts(t, msg), "\n")
	changes := all[strings.Index(all, "*Largest changes*"):strings.Index(all, "*Flags")]
	shown := strings.Count(changes, "\n• ")
	m := regexp.MustCompile(`_…and (\d+) more_`).FindStringSubmatch(changes)
	if m == nil {
		t.Fatalf("303 changes were not cut with \"…and N more\" (%d shown)", shown)
	}
	more, _ := strconv.Atoi(m[1])
	if shown+more != 303 {
		t.Errorf("shown %d + more %d = %d, want 303", shown, more, shown+more)
	}
}

func TestSkip(t *testing.T) {
	tests := []struct {
		name string
		o    publish.Outcome
		opts MessageOptions
		skip bool
	}{
		{"success, no change", publish.Outcome{Status: publish.StatusSuccess, Report: unchangedReport()}, MessageOptions{}, true},
		{"success, empty report", publish.Outcome{Status: publish.StatusSuccess}, MessageOptions{}, true},
		{"derived success, no change", publish.Outcome{Jobs: []publish.Job{{Name: "a", Result: "success"}, {Name: "b", Result: "skipped"}}}, MessageOptions{}, true},
		{"no change, asked to notify", publish.Outcome{Status: publish.StatusSuccess, Report: unchangedReport()}, MessageOptions{NotifyOnNoChange: true}, false},
		{"changes", publish.Outcome{Status: publish.StatusSuccess, Report: largeReport()}, MessageOptions{}, false},
		{"failure, no change", publish.Outcome{Status: publish.StatusFailure}, MessageOptions{}, false},
		{"derived failure", publish.Outcome{Jobs: []publish.Job{{Name: "a", Result: "failure"}}}, MessageOptions{}, false},
		{"cancelled", publish.Outcome{Status: publish.StatusCancelled}, MessageOptions{}, false},
		{"unknown status is not success", publish.Outcome{Status: "skipped", Report: unchangedReport()}, MessageOptions{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, skip := BuildMessage(tt.o, tt.opts)
			if skip != tt.skip {
				t.Fatalf("skip = %v, want %v", skip, tt.skip)
			}
			if !skip && msg.Text == "" {
				t.Error("message without fallback text")
			}
		})
	}
}

func TestNoChangeNotOnFailure(t *testing.T) {
	// A failed run may not have compared anything; saying "no price
	// changed" would mislead.
	msg, _ := BuildMessage(publish.Outcome{Status: publish.StatusFailure, Report: unchangedReport()}, MessageOptions{})
	for _, s := range sectionTexts(t, msg) {
		if strings.Contains(s, "No price changed") {
			t.Errorf("failure message claims no change: %q", s)
		}
	}
}

func TestFailureWithoutJobsLinksRun(t *testing.T) {
	msg, _ := BuildMessage(publish.Outcome{Status: publish.StatusFailure, Links: testLinks}, MessageOptions{})
	texts := sectionTexts(t, msg)
	if len(texts) == 0 || !strings.Contains(texts[0], "<"+testLinks.Run+"|the workflow run>") {
		t.Errorf("failure without jobs does not link the run: %q", texts)
	}
}

func TestChangeOrder(t *testing.T) {
	r := report.Report{Offers: []report.Offer{{OfferCode: "AmazonEC2", Region: "us-east-1", Changed: []report.Change{
		{RateCode: "E", OldPrice: "1", NewPrice: "1.05", ChangePct: pct(5)},
		{RateCode: "D", OldPrice: "0", NewPrice: "1"},
		{RateCode: "C", OldPrice: "1", NewPrice: "1.2", ChangePct: pct(20)},
		{RateCode: "B", OldPrice: "1", NewPrice: "0.8", ChangePct: pct(-20)},
		{RateCode: "A", OldPrice: "0", NewPrice: "2"},
		{RateCode: "F", OldPrice: "1", NewPrice: "1.01", ChangePct: pct(1)},
	}}}}
	var got []string
	for _, l := range sortChanges(r.Offers) {
		got = append(got, l.change.RateCode)
	}
	if want := "B C E F A D"; strings.Join(got, " ") != want {
		t.Errorf("order = %v, want %s (abs pct desc, ties by rate code, nil last)", got, want)
	}
}

func TestChangeLine(t *testing.T) {
	tests := []struct {
		c    report.Change
		want string
	}{
		{report.Change{RateCode: "R1", Description: "m7i.large", OldPrice: "0.1008000000", NewPrice: "0.1134000000", Currency: "USD", ChangePct: pct(12.5)},
			"• `R1` m7i.large: 0.1008000000 → 0.1134000000 USD (+12.5%)"},
		{report.Change{RateCode: "R2", OldPrice: "2", NewPrice: "1.5", ChangePct: pct(-25)},
			"• `R2`: 2 → 1.5 (-25.0%)"},
		{report.Change{RateCode: "R3", OldPrice: "0.0000000000", NewPrice: "0.0100000000"},
			"• `R3`: 0.0000000000 → 0.0100000000 (from zero)"},
		{report.Change{RateCode: "R4", OldPrice: "1", NewPrice: "1", AttributeChanges: []report.FieldChange{{Field: "a"}, {Field: "b"}, {Field: "c"}, {Field: "d"}}},
			"• `R4`: 1 → 1 (changed: a, b, c and 1 more)"},
		{report.Change{RateCode: "R`5", Description: "<!channel> & co", OldPrice: "1", NewPrice: "1.0001", ChangePct: pct(0.01)},
			"• `R'5` &lt;!channel&gt; &amp; co: 1 → 1.0001 (0.0%)"},
	}
	offer := &report.Offer{OfferCode: "AmazonEC2", Region: "us-east-1"}
	tests = append(tests, struct {
		c    report.Change
		want string
	}{
		// A line with attributes and a term reads by its label, its
		// rate code after; the prices stay as AWS wrote them.
		report.Change{RateCode: "54HCHMYAK66DCEQX.38NPMPTW36.2TG2D8R56U", TermType: "Reserved", Unit: "Quantity",
			LeaseContractLength: "1yr", OfferingClass: "standard", PurchaseOption: "All Upfront", Description: "Upfront Fee",
			Currency: "USD", OldPrice: "24000", NewPrice: "72000", ChangePct: pct(200), Attributes: map[string]string{"instanceType": "ds2.8xlarge"}},
		"• ds2.8xlarge · Reserved 1yr standard All Upfront · Quantity · Upfront Fee: 24000 → 72000 USD (+200.0%) `54HCHMYAK66DCEQX.38NPMPTW36.2TG2D8R56U`",
	})
	for _, tt := range tests {
		if got := changeLine(located{offer: offer, change: &tt.c}, false); got != tt.want {
			t.Errorf("changeLine(%s)\n got %q\nwant %q", tt.c.RateCode, got, tt.want)
		}
	}
	got := changeLine(located{offer: offer, change: &tests[0].c}, true)
	if !strings.Contains(got, "[AmazonEC2 us-east-1]") {
		t.Errorf("multi-offer line does not name its offer: %q", got)
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcdef", 5, "ab…"},
		{"ééé", 4, "…"}, // never splits é (2 bytes)
		{"ééé", 6, "ééé"},
		{"abcdef", 2, ""},
	}
	for _, tt := range tests {
		if got := truncate(tt.s, tt.n); got != tt.want || len(got) > tt.n {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}

// TestLimitsProperty builds messages from random reports, many far beyond
// what fits, and checks that every one stays inside Slack's limits and is
// built the same way twice.
func TestLimitsProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"a", "é", "→", "😀", "&", "<", ">", "`", "|", "*", "_", "~", "\n", " ", "<!here>", "https://x.y/?a=1&b=2"}
	randText := func(maxLen int) string {
		var b strings.Builder
		for range rng.IntN(maxLen + 1) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	n := 60
	if testing.Short() {
		n = 20
	}
	cut := 0
	for i := range n {
		var o publish.Outcome
		o.Status = []publish.Status{publish.StatusSuccess, publish.StatusFailure, publish.StatusCancelled, ""}[rng.IntN(4)]
		opts := MessageOptions{MaxChanges: rng.IntN(600) - 50, NotifyOnNoChange: rng.IntN(2) == 0}
		o.Links = publish.Links{Repository: testLinks.Repository, Run: testLinks.Run, Commit: "https://github.com/acme/prices/commit/" + strings.Repeat("a", rng.IntN(4000))}
		for range rng.IntN(60) {
			o.Jobs = append(o.Jobs, publish.Job{Name: randText(300), Result: []string{"failure", "cancelled", "success"}[rng.IntN(3)],
				URL: "https://github.com/acme/prices/actions/runs/1/job/" + strings.Repeat("9", rng.IntN(700))})
		}
		for range rng.IntN(30) {
			off := report.Offer{OfferCode: randText(120), Region: randText(30), FromVersion: randText(40), ToVersion: randText(40)}
			for range rng.IntN(300) {
				c := report.Change{RateCode: randText(150), Description: randText(250), OldPrice: randText(80), NewPrice: randText(80), Currency: randText(5)}
				if rng.IntN(5) > 0 {
					c.ChangePct = pct((rng.Float64() - 0.5) * 1e6)
				}
				off.Changed = append(off.Changed, c)
			}
			for range rng.IntN(50) {
				off.Added = append(off.Added, report.Line{RateCode: "x"})
			}
			for range rng.IntN(100) {
				off.Flags = append(off.Flags, report.Flag{Kind: randText(20), RateCode: randText(100), Message: randText(400)})
			}
			o.Report.Offers = append(o.Report.Offers, off)
		}
		msg, skip := BuildMessage(o, opts)
		if skip {
			continue
		}
		raw, err := RenderJSON(msg)
		if err != nil {
			t.Fatal(err)
		}
		var p struct {
			Text   string          `json:"text"`
			Blocks json.RawMessage `json:"blocks"`
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatal(err)
		}
		if err := slackfake.Validate(p.Text, p.Blocks); err != nil {
			t.Fatalf("case %d: Slack would refuse the message: %v", i, err)
		}
		if bytes.Contains(raw, []byte("…and ")) {
			cut++
		}
		again, _ := BuildMessage(o, opts)
		raw2, _ := RenderJSON(again)
		if !bytes.Equal(raw, raw2) {
			t.Fatalf("case %d: BuildMessage is not deterministic", i)
		}
	}
	if cut < n/4 {
		t.Errorf("only %d of %d random messages needed cutting; the generator no longer tests the limits", cut, n)
	}
}

func TestRenderJSONIsWebhookPayload(t *testing.T) {
	msg, _ := BuildMessage(publish.Outcome{Status: publish.StatusSuccess, Report: largeReport(), Links: testLinks}, MessageOptions{})
	raw, err := RenderJSON(msg)
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"text", "blocks", "unfurl_links", "unfurl_media"} {
		if _, ok := p[k]; !ok {
			t.Errorf("payload has no %q", k)
		}
	}
	if p["unfurl_links"] != false {
		t.Error("link unfurling is on; GitHub previews would bury the message")
	}
}

// A flag of a whole offer/region (no rate code) reads as its kind and
// message, not as an empty code span.
func TestOfferLevelFlag(t *testing.T) {
	r := report.Report{Offers: []report.Offer{{
		OfferCode: "AmazonRedshift", Region: "us-east-1", FromVersion: "20180309224506", ToVersion: "20180401000000",
		Removed: []report.Line{{RateCode: "A.B.C", Price: "1"}},
		Flags:   []report.Flag{{Kind: report.FlagLargeRemoval, Message: "31 of 150 lines removed"}},
	}}}
	msg, _ := BuildMessage(publish.Outcome{Status: publish.StatusSuccess, Report: r}, MessageOptions{})
	var found bool
	for _, s := range sectionTexts(t, msg) {
		if strings.Contains(s, "``") {
			t.Errorf("empty code span in %q", s)
		}
		found = found || strings.Contains(s, "• *large removal*: 31 of 150 lines removed")
	}
	if !found {
		t.Errorf("no line for the offer-level flag in %q", sectionTexts(t, msg))
	}
}
