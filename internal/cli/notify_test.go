package cli_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pricechecker/pricechecker/internal/cli"
	"github.com/pricechecker/pricechecker/internal/sheets/sheetsfake"
	"github.com/pricechecker/pricechecker/internal/slack/slackfake"
	"github.com/pricechecker/pricechecker/internal/testkit"
)

const notifySheet = "1NotifyTestSheetNotifyTestSheet0"

// notifyEnv is a run's report and snapshots, a fake Slack and a fake
// Google Sheets.
type notifyEnv struct {
	dir    string
	slack  *slackfake.Server
	sheets *sheetsfake.Server
	vars   map[string]string
}

func newNotifyEnv(t *testing.T) *notifyEnv {
	t.Helper()
	mirror := testkit.Mirror(t)
	e := &notifyEnv{dir: t.TempDir(), slack: slackfake.New(), sheets: sheetsfake.New()}
	t.Cleanup(e.slack.Close)
	t.Cleanup(e.sheets.Close)
	e.slack.SetMessageInterval(0)
	e.sheets.AddSpreadsheet(notifySheet)
	e.vars = map[string]string{
		"PRICECHECKER_SHEETS_ENDPOINT":  e.sheets.Endpoint(),
		"PRICECHECKER_SHEETS_ANONYMOUS": "true",
		"SLACK_BOT_TOKEN":               slackfake.Token,
		"GITHUB_REPOSITORY":             "acme/prices",
		"GITHUB_RUN_ID":                 "4242",
	}
	out := filepath.Join(e.dir, "prices")
	for _, args := range [][]string{
		{"run", "--endpoint", "file://" + mirror, "--service", "AmazonRedshift", "--region", "us-east-1", "--version", "20180309224506", "--out", out, "--progress-interval", "0"},
		{"run", "--endpoint", "file://" + mirror, "--service", "AmazonRedshift", "--region", "us-east-1", "--out", out, "--report", filepath.Join(e.dir, "r.json"), "--progress-interval", "0"},
	} {
		if code, _, stderr := e.main(args...); code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, code, stderr)
		}
	}
	return e
}

func (e *notifyEnv) main(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	getenv := func(k string) string { return e.vars[k] }
	code := cli.Main(context.Background(), args, cli.Env{Getenv: getenv, Stdout: &stdout, Stderr: &stderr})
	return code, stdout.String(), stderr.String()
}

func (e *notifyEnv) notify() (int, string) {
	code, _, stderr := e.main("notify", "--report", filepath.Join(e.dir, "r.json"), "--out", filepath.Join(e.dir, "prices"),
		"--spreadsheet-id", notifySheet, "--slack-channel", slackfake.Channel, "--slack-api-url", e.slack.APIURL())
	return code, stderr
}

// With Sheets down and Slack up, Slack still gets the changes and is told
// the spreadsheet was not updated, and the run fails naming Sheets. Its
// re-run (same inputs, a fresh process) updates Sheets and does not post
// the same message again.
func TestNotifySheetsDownSlackUp(t *testing.T) {
	e := newNotifyEnv(t)
	e.sheets.SetForbidden(true)
	code, stderr := e.notify()
	if code != 1 || !strings.Contains(stderr, "Google Sheets was not updated: sheets:") {
		t.Fatalf("exit %d, stderr:\n%s\nwant 1 naming Google Sheets", code, stderr)
	}
	msgs := e.slack.Messages()
	if len(msgs) != 1 {
		t.Fatalf("slack got %d messages, want 1", len(msgs))
	}
	if !strings.Contains(string(msgs[0].Blocks), "Google Sheets was not updated:") || !strings.Contains(string(msgs[0].Blocks), "AmazonRedshift") {
		t.Errorf("the message does not report the changes and the Sheets failure:\n%s", msgs[0].Blocks)
	}

	e.sheets.SetForbidden(false)
	code, stderr = e.notify()
	if code != 0 {
		t.Fatalf("re-run: exit %d\n%s", code, stderr)
	}
	if n := len(e.slack.Messages()); n != 1 {
		t.Errorf("the re-run posted again: %d messages", n)
	}
	if !strings.Contains(stderr, "already posted") {
		t.Errorf("the re-run does not say the message was already posted:\n%s", stderr)
	}
	if rows := e.sheets.Values(notifySheet, "Changes"); len(rows) != 1+20 {
		t.Errorf("Changes has %d rows, want the header and 20 lines", len(rows))
	}
}

// With Slack down, Sheets is still updated and the run fails naming Slack;
// the re-run posts once and appends nothing again.
func TestNotifySlackDownSheetsUp(t *testing.T) {
	e := newNotifyEnv(t)
	e.slack.FailWith("internal_error")
	code, stderr := e.notify()
	if code != 1 || !strings.Contains(stderr, "Slack was not notified") {
		t.Fatalf("exit %d, stderr:\n%s\nwant 1 naming Slack", code, stderr)
	}
	rows := e.sheets.Values(notifySheet, "Changes")
	if len(rows) != 1+20 {
		t.Fatalf("Changes has %d rows, want the header and 20 lines", len(rows))
	}

	e.slack.StopFailing()
	code, stderr = e.notify()
	if code != 0 {
		t.Fatalf("re-run: exit %d\n%s", code, stderr)
	}
	if n := len(e.slack.Messages()); n != 1 {
		t.Errorf("slack got %d messages, want 1", n)
	}
	if after := e.sheets.Values(notifySheet, "Changes"); len(after) != len(rows) {
		t.Errorf("the re-run appended again: %d rows, was %d", len(after), len(rows))
	}
	// And a third run changes nothing anywhere.
	if code, stderr := e.notify(); code != 0 || len(e.slack.Messages()) != 1 || len(e.sheets.Values(notifySheet, "Changes")) != len(rows) {
		t.Errorf("third run: exit %d, %d messages, %d rows\n%s", code, len(e.slack.Messages()), len(e.sheets.Values(notifySheet, "Changes")), stderr)
	}
}

// A webhook cannot read its channel: notify posts and warns that a re-run
// may post again.
func TestNotifyWebhookWarnsItCannotCheck(t *testing.T) {
	e := newNotifyEnv(t)
	delete(e.vars, "SLACK_BOT_TOKEN")
	e.vars["SLACK_WEBHOOK_URL"] = e.slack.WebhookURL()
	code, stderr := e.notify()
	if code != 0 || !strings.Contains(stderr, "webhook cannot read its channel") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}
