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
			if tt.posted > 0 && fake.Requests() != min(tt.limits, 100)+1 {
				t.Errorf("%d requests, want %d refused and one accepted", fake.Requests(), tt.limits)
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
// once. An append that took effect before its error is not retried (it
// may have been applied): notify fails saying so, and the re-run appends
// only what is missing, which is nothing.
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
			Want{Exit: 1, Stderr: []string{`google sheets: sheets: append to tab "Changes" \(request 1\): googleapi: Error 503: .*not retried: the rows may have been added; the next run appends only what is missing`}}},
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
