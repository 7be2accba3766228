package faultsuite

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pricechecker/pricechecker/internal/sheets/sheetsfake"
	"github.com/pricechecker/pricechecker/internal/slack/slackfake"
)

// reportFixture is a work folder with a report of a real change (the
// older Redshift version recorded, then the current one fetched with
// --report r.json), ready for notify.
func reportFixture(t *testing.T) *Fixture {
	t.Helper()
	f := NewFixture(t, false)
	f.Seed(t)
	f.MustRun(t, runArgs("--report", "r.json")...)
	return f
}

// notifyRun runs notify on r.json with env added.
func notifyRun(t *testing.T, f *Fixture, env []string, args ...string) Result {
	t.Helper()
	res := Exec(t, f.Dir, append(f.Env, env...), pricechecker, append([]string{"notify", "--report", "r.json"}, args...)...)
	t.Logf("notify: exit %d in %s\nstderr:\n%s", res.Code, res.Elapsed.Round(time.Millisecond), res.Stderr)
	return res
}

// Slack's 429 is waited out (Retry-After, or a second without one) and the
// message is posted once; a limit that does not lift fails notify with a
// message that says what to do.
func TestSlackRateLimit(t *testing.T) {
	for _, tt := range []struct {
		name       string
		limits     int
		retryAfter string
		bot        bool
		want       Want
		posted     int
	}{
		{name: "webhook 429 with Retry-After", limits: 1, retryAfter: "1",
			want: Want{Exit: 0, Stderr: []string{`slack: message posted`}}, posted: 1},
		{name: "webhook 429 without Retry-After", limits: 2,
			want: Want{Exit: 0, Stderr: []string{`slack: message posted`}}, posted: 1},
		{name: "chat.postMessage 429 with Retry-After", limits: 1, retryAfter: "1", bot: true,
			want: Want{Exit: 0, Stderr: []string{`slack: message posted`}}, posted: 1},
		{name: "webhook 429 that does not lift", limits: 100, retryAfter: "1",
			want: Want{Exit: 1, Stderr: []string{`Slack still rate-limited the message after 3 retries; re-run the job in a few minutes`},
				NotStderr: []string{regexp.QuoteMeta(slackfake.WebhookPath)}}, posted: 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := reportFixture(t)
			fake := slackfake.New()
			t.Cleanup(fake.Close)
			fake.RateLimit(tt.limits, tt.retryAfter)
			env := []string{"SLACK_WEBHOOK_URL=" + fake.WebhookURL()}
			var args []string
			if tt.bot {
				env = []string{"SLACK_BOT_TOKEN=" + slackfake.Token}
				args = []string{"--slack-channel", slackfake.Channel, "--slack-api-url", fake.APIURL()}
			}
			res := notifyRun(t, f, env, args...)
			CheckResult(t, res, tt.want)
			if got := len(fake.Messages()); got != tt.posted {
				t.Errorf("%d messages posted, want %d", got, tt.posted)
			}
			// Bot mode first reads the channel's history (pages counted
			// apart) to find a message already posted for this report.
			if want := tt.limits + 1 + fake.HistoryPages(); tt.posted > 0 && fake.Requests() != want {
				t.Errorf("%d requests, want %d refused, %d history pages and one accepted", fake.Requests(), tt.limits, fake.HistoryPages())
			}
			if tt.bot && fake.HistoryPages() == 0 {
				t.Error("bot mode posted without reading the channel's history for an earlier post")
			}
			if tt.posted > 0 && res.Elapsed < time.Duration(tt.limits)*time.Second {
				t.Errorf("posted after %s: the 429s were not waited out", res.Elapsed)
			}
			AssertNoStrayFiles(t, f.Dir)
		})
	}
}

// appendedRE reads notify's Sheets summary line.
var appendedRE = regexp.MustCompile(`sheets: \d+ tabs written \(\d+ created\), (\d+) changes appended \((\d+) already there\)`)

// Sheets' 429 and 5xx are retried, and the Changes rows are appended
// once. An append that took effect before its error is read back rather
// than blindly retried: notify appends only what is missing (nothing) and
// exits 0, and a re-run appends nothing either.
func TestSheetsErrors(t *testing.T) {
	for _, tt := range []struct {
		name  string
		fault func(s *sheetsfake.Server)
		want  Want
	}{
		{"503 on the first requests", func(s *sheetsfake.Server) { s.FailNext(2, 503) },
			Want{Exit: 0, Stderr: []string{`sheets: 2 tabs written \(4 created\), \d+ changes appended \(0 already there\)`}}},
		{"500 on writes", func(s *sheetsfake.Server) { s.FailNextWrites(2, 500) },
			Want{Exit: 0, Stderr: []string{`sheets: 2 tabs written \(4 created\), \d+ changes appended \(0 already there\)`}}},
		{"429 on writes", func(s *sheetsfake.Server) { s.FailNextWrites(1, 429) },
			Want{Exit: 0, Stderr: []string{`sheets: 2 tabs written \(4 created\), \d+ changes appended \(0 already there\)`}}},
		{"503 after the append was applied", func(s *sheetsfake.Server) { s.FailNextAppendsAfterApplying(1, 503) },
			Want{Exit: 0, Stderr: []string{`sheets: 2 tabs written \(4 created\), \d+ changes appended \(0 already there\)`}}},
		// Every write call that may have taken effect before its error is
		// checked before it is repeated: each tab once, each change once.
		{"batchUpdate applied, then 503", func(s *sheetsfake.Server) { s.FailNextAfterApplying(sheetsfake.CallBatchUpdate, 1, 503) }, sheetsDone},
		{"batchUpdate applied, then the connection reset", func(s *sheetsfake.Server) {
			s.FailNextAfterApplying(sheetsfake.CallBatchUpdate, 1, sheetsfake.ResetConnection)
		}, sheetsDone},
		{"append applied, then the connection reset", func(s *sheetsfake.Server) {
			s.FailNextAfterApplying(sheetsfake.CallValuesAppend, 1, sheetsfake.ResetConnection)
		}, sheetsDone},
		{"values.batchUpdate applied, then 503", func(s *sheetsfake.Server) {
			s.FailNextAfterApplying(sheetsfake.CallValuesBatchUpdate, 1, 503)
		}, sheetsDone},
		{"the first request reset before it is handled", func(s *sheetsfake.Server) { s.ResetNext(1) }, sheetsDone},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := reportFixture(t)
			fake := sheetsfake.New()
			t.Cleanup(fake.Close)
			const id = "faultsuite-sheet"
			fake.AddSpreadsheet(id)
			tt.fault(fake)
			env := []string{"PRICECHECKER_SHEETS_ENDPOINT=" + fake.Endpoint(), "PRICECHECKER_SHEETS_ANONYMOUS=true"}
			res := notifyRun(t, f, env, "--spreadsheet-id", id)
			CheckResult(t, res, tt.want)
			// One header row, then each change once.
			rows := fake.Values(id, "Changes")
			if len(rows) < 2 {
				t.Fatalf("Changes has %d rows; the report's changes did not reach it", len(rows))
			}
			if m := appendedRE.FindStringSubmatch(res.Stderr); m != nil && m[1] != strconv.Itoa(len(rows)-1) {
				t.Errorf("notify says %s changes appended; Changes has %d rows after its header", m[1], len(rows)-1)
			}
			assertNoDuplicateRows(t, rows)
			assertTabsOnce(t, fake, id)

			// The same report again appends nothing.
			again := notifyRun(t, f, env, "--spreadsheet-id", id)
			CheckResult(t, again, Want{Exit: 0, Stderr: []string{`sheets: .* 0 changes appended \(` + strconv.Itoa(len(rows)-1) + ` already there\)`}})
			if n := len(fake.Values(id, "Changes")); n != len(rows) {
				t.Errorf("a re-run left %d rows in Changes, want %d", n, len(rows))
			}
			AssertNoStrayFiles(t, f.Dir)
		})
	}
}

// sheetsDone is notify's success line, whatever was created.
var sheetsDone = Want{Exit: 0, Stderr: []string{`sheets: 2 tabs written \(\d+ created\), \d+ changes appended \(0 already there\)`}}

// assertTabsOnce fails when a tab title is there twice (a structure change
// repeated after it took effect adds "Changes 2" and the like).
func assertTabsOnce(t *testing.T, fake *sheetsfake.Server, id string) {
	t.Helper()
	seen := map[string]bool{}
	for _, s := range fake.Sheets(id) {
		base := strings.TrimRight(strings.TrimSuffix(s.Title, " "), "0123456789")
		if seen[s.Title] || (base != s.Title && seen[strings.TrimSpace(base)]) {
			t.Errorf("tab %q is there twice", s.Title)
		}
		seen[s.Title] = true
	}
}

func assertNoDuplicateRows(t *testing.T, rows [][]any) {
	t.Helper()
	seen := map[string]bool{}
	for i, row := range rows {
		cells := make([]string, len(row))
		for j, c := range row {
			cells[j] = strings.TrimSpace(strconv.Quote(toString(c)))
		}
		key := strings.Join(cells, "\x00")
		if seen[key] {
			t.Errorf("Changes row %d is a duplicate: %v", i+1, row)
		}
		seen[key] = true
	}
}

func toString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// notifyBoth is notify with Sheets and Slack (bot mode) against their
// fakes, as the workflow runs it.
type notifyBoth struct {
	f      *Fixture
	sheets *sheetsfake.Server
	slack  *slackfake.Server
	env    []string
	args   []string
}

const notifySheetID = "faultsuite-sheet"

func newNotifyBoth(t *testing.T) *notifyBoth {
	t.Helper()
	n := &notifyBoth{f: reportFixture(t), sheets: sheetsfake.New(), slack: slackfake.New()}
	t.Cleanup(n.sheets.Close)
	t.Cleanup(n.slack.Close)
	n.sheets.AddSpreadsheet(notifySheetID)
	n.env = []string{"PRICECHECKER_SHEETS_ENDPOINT=" + n.sheets.Endpoint(), "PRICECHECKER_SHEETS_ANONYMOUS=true",
		"SLACK_BOT_TOKEN=" + slackfake.Token, "GITHUB_REPOSITORY=acme/prices", "GITHUB_RUN_ID=4242"}
	n.args = []string{"--out", "prices", "--spreadsheet-id", notifySheetID, "--slack-channel", slackfake.Channel, "--slack-api-url", n.slack.APIURL()}
	return n
}

func (n *notifyBoth) run(t *testing.T, want Want) Result {
	t.Helper()
	res := notifyRun(t, n.f, n.env, n.args...)
	CheckResult(t, res, want)
	AssertNoStrayFiles(t, n.f.Dir)
	return res
}

func (n *notifyBoth) messages(t *testing.T, want int) []slackfake.Received {
	t.Helper()
	msgs := n.slack.Messages()
	if len(msgs) != want {
		t.Errorf("%d Slack messages, want %d", len(msgs), want)
	}
	return msgs
}

// When Google Sheets refuses the update, Slack still hears of the report
// and of the failure; once Sheets is shared again, the re-run updates it
// without posting the report to Slack a second time.
func TestNotifySheetsForbidden(t *testing.T) {
	t.Parallel()
	n := newNotifyBoth(t)
	n.sheets.SetForbidden(true)
	n.run(t, Want{Exit: 1, Stderr: []string{`Google Sheets was not updated: `}})
	if msgs := n.messages(t, 1); len(msgs) == 1 && !strings.Contains(msgs[0].Text+string(msgs[0].Blocks), "Google Sheets was not updated") {
		t.Errorf("the Slack message does not say Sheets was not updated:\n%s\n%s", msgs[0].Text, msgs[0].Blocks)
	}

	n.sheets.SetForbidden(false)
	n.run(t, Want{Exit: 0, Stderr: []string{`slack: this report was already posted \(message \S+, publication \S+\); not posting it again`,
		`sheets: 2 tabs written \(\d+ created\), \d+ changes appended \(0 already there\)`}})
	n.messages(t, 1)
	rows := n.sheets.Values(notifySheetID, "Changes")
	if len(rows) < 2 {
		t.Errorf("Changes has %d rows after the re-run; want the header and the report's changes", len(rows))
	}
	assertNoDuplicateRows(t, rows)
}

// When Slack fails, Sheets is still updated; the re-runs post the message
// once and append nothing more.
func TestNotifySlackFails(t *testing.T) {
	t.Parallel()
	n := newNotifyBoth(t)
	n.slack.FailWith("internal_error")
	n.run(t, Want{Exit: 1, Stderr: []string{`Slack was not notified: `}})
	n.messages(t, 0)
	rows := n.sheets.Values(notifySheetID, "Changes")
	if len(rows) < 2 {
		t.Fatalf("Changes has %d rows; Sheets was not updated while Slack failed", len(rows))
	}

	n.slack.StopFailing()
	n.run(t, Want{Exit: 0, Stderr: []string{`slack: message posted`}})
	n.run(t, Want{Exit: 0, Stderr: []string{`slack: this report was already posted`}})
	n.messages(t, 1)
	if got := len(n.sheets.Values(notifySheetID, "Changes")); got != len(rows) {
		t.Errorf("Changes has %d rows after the re-runs, want %d", got, len(rows))
	}
}
