package slack

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pricechecker/pricechecker/internal/publish"
	"github.com/pricechecker/pricechecker/internal/report"
	"github.com/pricechecker/pricechecker/internal/textsafe"
)

// hostile holds every kind of character that must not reach people, and a
// newline that would start a line of its own in mrkdwn.
const hostile = "a\x00b\tc\x1b[31md\x7fe\u0085f\u202eg\u2066h\u2069i\nINJECTED"

// texts returns every string in a rendered message, with the key it is
// under.
func texts(v any, key string, out *[][2]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			texts(e, k, out)
		}
	case []any:
		for _, e := range v {
			texts(e, key, out)
		}
	case string:
		*out = append(*out, [2]string{key, v})
	}
}

// A control or bidi character in AWS's text or in the workflow's values
// never reaches a Slack message; the only newlines are the message's own,
// between lines.
func TestMessageCleansText(t *testing.T) {
	off := report.Offer{
		OfferCode: "AmazonEC2" + hostile, Region: "us-east-1" + hostile,
		FromVersion: "1" + hostile, ToVersion: "2" + hostile,
		Changed: []report.Change{{
			RateCode: "R1" + hostile, Description: hostile, OldPrice: "1" + hostile, NewPrice: "2" + hostile,
			Currency: "USD" + hostile, AttributeChanges: []report.FieldChange{{Field: hostile, Old: "a", New: "b"}},
		}, {
			RateCode: "R2" + hostile, OldPrice: "1", NewPrice: "2", ChangePct: pct(100),
		}},
		Added: []report.Line{{RateCode: "R3", Price: "1"}},
		Flags: []report.Flag{{Kind: hostile, RateCode: "R1" + hostile, Message: hostile}},
	}
	second := off
	second.Region = "eu-west-1"
	msg, skip := BuildMessage(publish.Outcome{
		Status: publish.StatusFailure,
		Jobs:   []publish.Job{{Name: "shard" + hostile, Result: "failure" + hostile}},
		Report: report.Report{Offers: []report.Offer{off, second}},
		Links: publish.Links{
			Repository: "https://github.com/acme/prices\u202e", Run: "https://github.com/acme/prices/actions/runs/1\u0085",
			Commit: "https://github.com/acme/prices/commit/abc\u2066", Spreadsheet: testLinks.Spreadsheet,
		},
		PublicationID: "pub" + hostile,
		Unpublished:   []publish.Unpublished{{Destination: "Google Sheets", Reason: hostile}},
	}, MessageOptions{})
	if skip {
		t.Fatal("skipped")
	}
	data, err := RenderJSON(msg)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	var all [][2]string
	texts(v, "", &all)
	checked := 0
	for _, kv := range all {
		s := kv[1]
		if strings.Contains(s, "\nINJECTED") {
			t.Errorf("%s: a value's newline starts a line: %q", kv[0], s)
		}
		for _, r := range strings.ReplaceAll(s, "\n", "") {
			if textsafe.Unsafe(r) {
				t.Errorf("%s holds %U: %q", kv[0], r, s)
			}
		}
		if strings.Contains(s, "INJECTED") {
			checked++
		}
	}
	if !strings.Contains(string(data), "%E2%80%AE") || !strings.Contains(string(data), "%C2%85") {
		t.Errorf("the links' bidi and C1 characters are not percent-encoded:\n%s", data)
	}
	if checked < 5 {
		t.Errorf("only %d texts carry the hostile values; the test does not reach the message", checked)
	}
}

// A destination that failed is named in the message.
func TestMessageNamesUnpublishedDestination(t *testing.T) {
	msg, _ := BuildMessage(publish.Outcome{
		Status: publish.StatusSuccess, Report: largeReport(), Links: testLinks,
		Unpublished: []publish.Unpublished{{Destination: "Google Sheets", Reason: "sheets: read spreadsheet x: Google Sheets failed 8 times in a row; retry later"}},
	}, MessageOptions{})
	data, _ := RenderJSON(msg)
	if !strings.Contains(string(data), "*Google Sheets was not updated:* sheets: read spreadsheet x: Google Sheets failed 8 times in a row") {
		t.Errorf("the message does not name the failed destination:\n%s", data)
	}
	if !strings.Contains(msg.Text, "Google Sheets was not updated") {
		t.Errorf("fallback text %q does not name it", msg.Text)
	}
}
