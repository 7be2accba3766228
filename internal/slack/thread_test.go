package slack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	goslack "github.com/slack-go/slack"

	"github.com/pricechecker/pricechecker/internal/publish"
	"github.com/pricechecker/pricechecker/internal/report"
	"github.com/pricechecker/pricechecker/internal/slack/slackfake"
)

// listed counts the lines a thread's replies list and the "…and N more"
// they leave out.
func listed(t *testing.T, blocks []json.RawMessage) (shown, more int) {
	t.Helper()
	for _, raw := range blocks {
		var p []struct {
			Text *struct {
				Text string `json:"text"`
			} `json:"text"`
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatal(err)
		}
		for _, b := range p {
			if b.Text == nil {
				continue
			}
			shown += strings.Count("\n"+b.Text.Text, "\n• ")
			if m := regexp.MustCompile(`_…and (\d+) more_`).FindStringSubmatch(b.Text.Text); m != nil {
				n, _ := strconv.Atoi(m[1])
				more += n
			}
		}
	}
	return shown, more
}

// With Thread, the summary's ts is returned (notify's slack-ts) and every
// change, added and removed line is listed in replies under it, each reply
// inside Slack's limits; a re-run finds the summary and posts neither it
// nor its thread again.
func TestPublisherPostsEveryChangeInTheThread(t *testing.T) {
	fake := slackfake.New()
	defer fake.Close()
	fake.SetMessageInterval(0)
	o := publish.Outcome{Status: publish.StatusSuccess, Report: largeReport(), Links: testLinks, PublicationID: "pub-thread"}
	var stderr bytes.Buffer
	p := &Publisher{Config: transports(fake)["bot"], Thread: true, Stderr: &stderr}
	links, err := p.Publish(t.Context(), o)
	if err != nil {
		t.Fatalf("Publish: %v\n%s", err, stderr.String())
	}
	msgs := fake.Messages()
	if len(msgs) < 3 {
		t.Fatalf("%d messages, want the summary and at least two replies", len(msgs))
	}
	summary := msgs[0]
	if summary.ThreadTS != "" || links.SlackTS != summary.TS || summary.TS == "" {
		t.Errorf("summary ts %q (thread %q), links.SlackTS %q", summary.TS, summary.ThreadTS, links.SlackTS)
	}
	var replies []json.RawMessage
	for i, m := range msgs[1:] {
		if m.ThreadTS != summary.TS {
			t.Errorf("reply %q is not in the summary's thread (%q)", m.Text, m.ThreadTS)
		}
		// Each reply is marked as a reply of the publication, never as
		// its summary.
		want := fmt.Sprintf(`{"event_type":"pricechecker_thread_reply","event_payload":{"publication_id":"pub-thread","reply":%d}}`, i+1)
		if string(m.Metadata) != want {
			t.Errorf("reply %d metadata %s, want %s", i+1, m.Metadata, want)
		}
		replies = append(replies, m.Blocks)
	}
	a, r, c := o.Report.Totals()
	if shown, more := listed(t, replies); shown != a+r+c || more != 0 {
		t.Errorf("the thread lists %d lines (%d more), want all %d", shown, more, a+r+c)
	}

	again, err := (&Publisher{Config: transports(fake)["bot"], Thread: true, Stderr: &stderr}).Publish(t.Context(), o)
	if err != nil || again.SlackTS != summary.TS {
		t.Errorf("re-run = %+v, %v; want the first summary's ts %s", again, err, summary.TS)
	}
	if n := len(fake.Messages()); n != len(msgs) {
		t.Errorf("the re-run posted %d more messages", n-len(msgs))
	}
}

// A thread cut short (reply 2 of 3 failed) is completed by a re-run: it
// finds the summary, reads its thread and posts only the missing replies;
// a re-run of a complete thread posts nothing.
func TestPublisherCompletesTheThreadOnARerun(t *testing.T) {
	fake := slackfake.New()
	defer fake.Close()
	fake.SetMessageInterval(0)
	o := publish.Outcome{Status: publish.StatusSuccess, Report: largeReport(), Links: testLinks, PublicationID: "pub-resume"}
	want := BuildThread(o)
	if len(want) != 3 {
		t.Fatalf("%d replies; the test wants a thread of 3", len(want))
	}
	// Post 1 is the summary, 2 reply 1, 3 reply 2.
	fake.FailPost(3, "internal_error")
	var stderr bytes.Buffer
	publisher := func() *Publisher { return &Publisher{Config: transports(fake)["bot"], Thread: true, Stderr: &stderr} }
	_, err := publisher().Publish(t.Context(), o)
	if err == nil || !strings.Contains(err.Error(), "reply 2 of 3") {
		t.Fatalf("Publish = %v, want reply 2 of 3 named", err)
	}
	if n := len(fake.Messages()); n != 2 {
		t.Fatalf("%d messages after the failure, want the summary and reply 1", n)
	}

	links, err := publisher().Publish(t.Context(), o)
	if err != nil {
		t.Fatalf("re-run: %v\n%s", err, stderr.String())
	}
	msgs := fake.Messages()
	if len(msgs) != 4 || links.SlackTS != msgs[0].TS {
		t.Fatalf("%d messages after the re-run, want 4 (the summary and 3 replies); slack-ts %q", len(msgs), links.SlackTS)
	}
	for i, m := range msgs[1:] {
		if m.ThreadTS != msgs[0].TS || m.Text != want[i].Text || !strings.Contains(string(m.Metadata), fmt.Sprintf(`"reply":%d}`, i+1)) {
			t.Errorf("message %d = %q in thread %q, metadata %s; want reply %d (%q)", i+2, m.Text, m.ThreadTS, m.Metadata, i+1, want[i].Text)
		}
	}
	if !strings.Contains(stderr.String(), "2 missing thread replies of 3 posted") {
		t.Errorf("stderr:\n%s", stderr.String())
	}

	stderr.Reset()
	if _, err := publisher().Publish(t.Context(), o); err != nil {
		t.Fatalf("third run: %v", err)
	}
	if n := len(fake.Messages()); n != 4 {
		t.Errorf("a re-run of a complete thread posted %d messages", n-4)
	}
	if !strings.Contains(stderr.String(), "already has its 3 replies") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
}

// A reply is recognised by its context block when its metadata was
// dropped on the way.
func TestReplyNumberFromTheContextBlock(t *testing.T) {
	m := markReply(Message{Text: "x"}, "pub-ctx", 7, "1.000001")
	data, err := RenderJSON(Message{Blocks: m.Blocks})
	if err != nil {
		t.Fatal(err)
	}
	var msg goslack.Message
	if err := json.Unmarshal(data, &msg); err != nil {
		t.Fatal(err)
	}
	if n := replyNumber(msg, "pub-ctx"); n != 7 {
		t.Errorf("replyNumber = %d, want 7 (blocks %s)", n, data)
	}
	if n := replyNumber(msg, "pub-other"); n != 0 {
		t.Errorf("another publication's reply counts as reply %d", n)
	}
	if carries(msg, "pub-ctx") {
		t.Error("a reply is taken for the publication's summary")
	}
}

// Without Thread, only the summary is posted, and its ts is still returned.
func TestPublisherReturnsTheMessageTS(t *testing.T) {
	fake := slackfake.New()
	defer fake.Close()
	o := publish.Outcome{Status: publish.StatusSuccess, Report: largeReport(), PublicationID: "pub-ts"}
	links, err := (&Publisher{Config: transports(fake)["bot"], Stderr: new(bytes.Buffer)}).Publish(t.Context(), o)
	msgs := fake.Messages()
	if err != nil || len(msgs) != 1 || links.SlackTS != msgs[0].TS {
		t.Errorf("Publish = %+v, %v; messages %d", links, err, len(msgs))
	}
}

// A webhook's answer has no ts: the summary is posted, no thread, and the
// log says why.
func TestPublisherThreadNeedsABotToken(t *testing.T) {
	fake := slackfake.New()
	defer fake.Close()
	var stderr bytes.Buffer
	o := publish.Outcome{Status: publish.StatusSuccess, Report: largeReport(), PublicationID: "pub-hook"}
	links, err := (&Publisher{Config: transports(fake)["webhook"], Thread: true, Stderr: &stderr}).Publish(t.Context(), o)
	if err != nil || links.SlackTS != "" || len(fake.Messages()) != 1 || !strings.Contains(stderr.String(), "bot token") {
		t.Errorf("Publish = %+v, %v; %d messages; stderr %q", links, err, len(fake.Messages()), stderr.String())
	}
}

// A change too large for one reply is split over several, each inside
// Slack's limits, and a change too large for the replies' cap is summed up
// in a last "…and N more".
func TestBuildThreadSplitsAndCaps(t *testing.T) {
	off := report.Offer{OfferCode: "AmazonEC2", Region: "us-east-1", FromVersion: "1", ToVersion: "2"}
	for i := range 20000 {
		off.Changed = append(off.Changed, report.Change{RateCode: fmt.Sprintf("R%05d.JRTCKXETXF.6YS6EN2CT7", i), TermType: "OnDemand", Unit: "Hrs",
			Currency: "USD", OldPrice: "1.0000000000", NewPrice: "1.1000000000", ChangePct: pct(10),
			Attributes: map[string]string{"instanceType": fmt.Sprintf("m7i.%dxlarge", i), "location": "US East (N. Virginia)"}})
	}
	msgs := BuildThread(publish.Outcome{Report: report.Report{Offers: []report.Offer{off}}})
	if len(msgs) != maxThreadReplies {
		t.Fatalf("%d replies, want the cap of %d", len(msgs), maxThreadReplies)
	}
	var blocks []json.RawMessage
	for i, m := range msgs {
		data, err := json.Marshal(m.Blocks)
		if err != nil {
			t.Fatal(err)
		}
		if err := slackfake.Validate(m.Text, data); err != nil {
			t.Errorf("reply %d refused by Slack's limits: %v", i+1, err)
		}
		if !strings.Contains(string(data), fmt.Sprintf("part %d of %d", i+1, len(msgs))) {
			t.Errorf("reply %d does not say which part it is", i+1)
		}
		blocks = append(blocks, data)
	}
	if shown, more := listed(t, blocks); more == 0 || shown+more != 20000 {
		t.Errorf("listed %d + %d more, want 20000 in all with some left out", shown, more)
	}
	if BuildThread(publish.Outcome{Report: report.Report{Offers: []report.Offer{{OfferCode: "X"}}}}) != nil {
		t.Error("a thread for a report without changes")
	}
}

// A dry run prints the replies the thread would get after the message.
func TestPublisherDryRunShowsTheThread(t *testing.T) {
	var stdout bytes.Buffer
	o := publish.Outcome{Status: publish.StatusSuccess, Report: largeReport(), PublicationID: "pub-dry"}
	if _, err := (&Publisher{DryRun: true, Thread: true, Stdout: &stdout, Stderr: new(bytes.Buffer)}).Publish(t.Context(), o); err != nil {
		t.Fatal(err)
	}
	n := strings.Count(stdout.String(), `"text": "Every change, part `)
	if want := len(BuildThread(o)); n != want || !strings.HasPrefix(stdout.String(), "{\n  \"text\": \"AWS price lists changed") {
		t.Errorf("dry run printed the message and %d replies, want %d:\n%.500s", n, want, stdout.String())
	}
}
