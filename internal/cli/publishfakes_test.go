package cli_test

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/pricechecker/pricechecker/internal/sheets/sheetsfake"
	"github.com/pricechecker/pricechecker/internal/slack/slackfake"
	"github.com/pricechecker/pricechecker/internal/webhook"
	"github.com/pricechecker/pricechecker/internal/webhook/webhookfake"
)

// The spreadsheet and the signing secret of the publishing fakes.
const (
	fakeSheetID       = "1LiveScriptSheetLiveScriptSheet0"
	fakeWebhookSecret = "whsec-script-secret"
)

// startPublishFakes starts a fake of each destination notify publishes
// to, so that scripts publish for real: $SHEETS_URL and $SHEET_ID (Google
// Sheets, which takes no credentials), $SLACK_API_URL, $SLACK_TOKEN and
// $SLACK_CHANNEL (Slack's Web API; $SLACK_WEBHOOK is its incoming
// webhook), and $WEBHOOK_URL and $WEBHOOK_SECRET (a receiver that checks
// signatures and drops repeated delivery ids).
func startPublishFakes(env *testscript.Env) {
	sh := sheetsfake.New()
	env.Defer(sh.Close)
	sh.AddSpreadsheet(fakeSheetID)
	env.Values["sheets"] = sh
	env.Setenv("SHEETS_URL", sh.Endpoint())
	env.Setenv("SHEET_ID", fakeSheetID)

	sl := slackfake.New()
	env.Defer(sl.Close)
	sl.SetMessageInterval(0)
	env.Values["slack"] = sl
	env.Setenv("SLACK_API_URL", sl.APIURL())
	env.Setenv("SLACK_WEBHOOK", sl.WebhookURL())
	env.Setenv("SLACK_TOKEN", slackfake.Token)
	env.Setenv("SLACK_CHANNEL", slackfake.Channel)

	wh := webhookfake.New(fakeWebhookSecret)
	env.Defer(wh.Close)
	env.Values["webhook"] = wh
	env.Setenv("WEBHOOK_URL", wh.URL)
	env.Setenv("WEBHOOK_SECRET", fakeWebhookSecret)
}

// publishCmds are the scripts' commands to read and break the fakes:
//
//	fakes sheets TAB   the tab's rows, one JSON array a line
//	fakes slack        the messages posted, one JSON object a line
//	fakes webhook      the deliveries accepted, one JSON object a line,
//	                   with "signed": true when the signature checks out,
//	                   then "duplicates N"
//	fakefail sheets forbidden|ok
//	fakefail slack ANSWER|ok
//	fakefail webhook STATUS TIMES [RETRY-AFTER]
var publishCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"fakes": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) == 0 {
			ts.Fatalf("usage: fakes sheets TAB | slack | webhook")
		}
		line := func(v any) {
			data, err := json.Marshal(v)
			ts.Check(err)
			fmt.Fprintf(ts.Stdout(), "%s\n", data)
		}
		switch args[0] {
		case "sheets":
			if len(args) != 2 {
				ts.Fatalf("usage: fakes sheets TAB")
			}
			for _, row := range ts.Value("sheets").(*sheetsfake.Server).Values(fakeSheetID, args[1]) {
				line(row)
			}
		case "slack":
			for _, m := range ts.Value("slack").(*slackfake.Server).Messages() {
				line(map[string]any{"via": m.Via, "channel": m.Channel, "text": m.Text, "blocks": m.Blocks, "metadata": m.Metadata, "ts": m.TS, "thread_ts": m.ThreadTS})
			}
		case "webhook":
			fake := ts.Value("webhook").(*webhookfake.Server)
			for _, d := range fake.Deliveries() {
				line(map[string]any{"id": d.ID, "signed": webhook.Verify(fakeWebhookSecret, d.Body, d.Signature), "body": d.Body})
			}
			fmt.Fprintf(ts.Stdout(), "duplicates %d\n", fake.Duplicates())
		default:
			ts.Fatalf("fakes: unknown fake %q", args[0])
		}
	},
	"fakefail": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) < 2 {
			ts.Fatalf("usage: fakefail sheets|slack|webhook ...")
		}
		switch args[0] {
		case "sheets":
			ts.Value("sheets").(*sheetsfake.Server).SetForbidden(args[1] == "forbidden")
		case "slack":
			if args[1] == "ok" {
				ts.Value("slack").(*slackfake.Server).StopFailing()
			} else {
				ts.Value("slack").(*slackfake.Server).FailWith(args[1])
			}
		case "webhook":
			status, err := strconv.Atoi(args[1])
			ts.Check(err)
			f := webhookfake.Fault{Status: status, Times: 1}
			if len(args) > 2 {
				f.Times, err = strconv.Atoi(args[2])
				ts.Check(err)
			}
			if len(args) > 3 {
				f.RetryAfter = args[3]
			}
			ts.Value("webhook").(*webhookfake.Server).Fail(f)
		default:
			ts.Fatalf("fakefail: unknown fake %q", args[0])
		}
	},
}
