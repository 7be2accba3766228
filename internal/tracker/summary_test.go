package tracker

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pricechecker/pricechecker/internal/actions"
	"github.com/pricechecker/pricechecker/internal/publish"
	"github.com/pricechecker/pricechecker/internal/report"
)

func changed(offer, region string) report.Offer {
	return report.Offer{OfferCode: offer, Region: region, Added: []report.Line{{RateCode: "A.B.C", Price: "1"}}}
}

func TestNotifySummary(t *testing.T) {
	run := actions.WorkflowRun{Links: actions.Links{Repository: "https://github.com/o/p", Run: "https://github.com/o/p/actions/runs/9"}}
	head := strings.Repeat("b", 40)
	o := publish.Outcome{
		Jobs:   []publish.Job{{Name: "shard (a|b)", Result: "failure", URL: "https://github.com/o/p/job/1"}},
		Report: report.Report{Offers: []report.Offer{changed("AmazonEC2", "us-east-1"), {OfferCode: "AmazonS3", Region: "eu-west-1"}}},
		Links:  publish.Links{Commit: "https://github.com/o/p/compare/aaa..." + head, Spreadsheet: "https://docs.google.com/spreadsheets/d/x/edit", Run: run.Links.Run},
		Commit: head,
	}
	body, footer := NotifySummary(o, run, "https://o.github.io/p/")
	for _, want := range []string{"## pricechecker: failure", `| [shard (a\|b)](https://github.com/o/p/job/1) | failure |`} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
	for _, want := range []string{
		"[commit bbbbbbb](https://github.com/o/p/commit/" + head + ")",
		"[diff](https://github.com/o/p/compare/aaa..." + head + ")",
		"[site: AmazonEC2 us-east-1](https://o.github.io/p/offers/AmazonEC2/us-east-1/index.html)",
		"[spreadsheet](https://docs.google.com/spreadsheets/d/x/edit)",
		"[workflow run](https://github.com/o/p/actions/runs/9)",
	} {
		if !strings.Contains(footer, want) {
			t.Errorf("footer lacks %q:\n%s", want, footer)
		}
	}
	if strings.Contains(footer, "AmazonS3") {
		t.Errorf("the footer links the page of an offer that did not change:\n%s", footer)
	}

	// A --commit notification: the commit is the diff, linked once; no
	// site address, no site link.
	o.Links.Commit = "https://github.com/o/p/commit/" + head
	if _, footer := NotifySummary(o, run, ""); strings.Contains(footer, "[diff]") || strings.Contains(footer, "site") {
		t.Errorf("footer:\n%s", footer)
	}

	// Many changed pages: one link to the site instead, the other links kept.
	o.Report.Offers = nil
	for i := range maxSitePages + 1 {
		o.Report.Offers = append(o.Report.Offers, changed("AmazonEC2", fmt.Sprintf("region-%d", i)))
	}
	_, footer = NotifySummary(o, run, "https://o.github.io/p")
	if strings.Contains(footer, "[site: ") || !strings.Contains(footer, "[price history site](https://o.github.io/p/index.html)") || !strings.Contains(footer, "[commit bbbbbbb]") {
		t.Errorf("footer with many pages:\n%s", footer)
	}

	// Nothing to link (outside Actions, no remote): no footer.
	if _, footer := NotifySummary(publish.Outcome{}, actions.WorkflowRun{}, ""); footer != "" {
		t.Errorf("footer without links: %q", footer)
	}
}

// A destination notify could not update is named, with its reason on one
// line, even when the run itself succeeded.
func TestNotifySummaryNamesUnpublished(t *testing.T) {
	run := actions.WorkflowRun{Links: actions.Links{Repository: "https://github.com/o/p"}}
	o := publish.Outcome{
		Jobs: []publish.Job{{Name: "shard", Result: "success"}},
		Unpublished: []publish.Unpublished{
			{Destination: "Webhook", Reason: "webhook: the receiver answered HTTP 400 \"bad\"\n\tre-run the job"},
			{Destination: "Slack", Reason: "channel_not_found [x](javascript:1)"},
		},
	}
	body, _ := NotifySummary(o, run, "")
	for _, want := range []string{
		"## pricechecker: success",
		"**Not published:**",
		"- Webhook: webhook: the receiver answered HTTP 400 \"bad\" re-run the job\n",
		`- Slack: channel_not_found \[x\](javascript:1)` + "\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
	if body, _ := NotifySummary(publish.Outcome{}, run, ""); strings.Contains(body, "Not published") {
		t.Errorf("a summary with every destination updated says one was not:\n%s", body)
	}
}
