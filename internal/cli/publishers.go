package cli

import (
	"cmp"
	"flag"

	"github.com/pricechecker/pricechecker/internal/actions"
	"github.com/pricechecker/pricechecker/internal/publish"
	"github.com/pricechecker/pricechecker/internal/sheets"
	"github.com/pricechecker/pricechecker/internal/slack"
	"github.com/pricechecker/pricechecker/internal/webhook"
)

// publisherFlags are the settings of every destination notify publishes
// to; they bind to the publishers' own settings. Adding a destination: a
// package that implements publish.Publisher, its flags here, and one entry
// in publishers. Secrets (Google's key, Slack's webhook URL and token) come
// from the environment only; the webhook's may come from either.
type publisherFlags struct {
	sheet          sheets.Publisher
	sheetAnonymous bool
	slack          slack.Publisher
	webhook        webhook.Config
}

func (p *publisherFlags) register(fs *flag.FlagSet) {
	o := &p.sheet.Options
	fs.StringVar(&o.SpreadsheetID, "spreadsheet-id", "", "Google Sheets spreadsheet ID or URL (empty: skip Sheets)")
	fs.StringVar(&o.TabName, "sheet-tab-name", sheets.DefaultTabName, "price tab name template; {offer} and {region} are replaced")
	fs.StringVar(&o.ChangesTab, "sheet-changes-tab", sheets.DefaultChangesTab, "name of the tab the changes are appended to")
	fs.StringVar(&o.StatusTab, "sheet-status-tab", sheets.DefaultStatusTab, "name of the status tab")
	fs.Var((*listFlag)(&o.Columns), "sheet-columns", "snapshot columns to publish (repeatable or comma-separated; default all)")
	fs.StringVar(&p.sheet.Endpoint, "sheets-endpoint", "", "Sheets API base URL (default Google's; $PRICECHECKER_SHEETS_ENDPOINT)")
	fs.BoolVar(&p.sheetAnonymous, "sheets-anonymous", false, "send no credentials (for a local fake of the Sheets API)")
	m := &p.slack.Message
	fs.BoolVar(&m.NotifyOnNoChange, "notify-on-no-change", false, "post to Slack even when nothing changed")
	fs.IntVar(&m.MaxChanges, "max-changes", slack.DefaultMaxChanges, "largest changes listed in the Slack message")
	fs.StringVar(&p.slack.Config.Channel, "slack-channel", "", "channel ID for the bot token ($SLACK_BOT_TOKEN)")
	fs.StringVar(&p.slack.Config.APIURL, "slack-api-url", "", "Slack Web API base URL (default $PRICECHECKER_SLACK_API_URL or "+slack.DefaultAPIURL+")")
	fs.BoolVar(&p.slack.Thread, "slack-thread", false, "also post every change as replies in the Slack message's thread (bot token only)")
	fs.StringVar(&p.webhook.URL, "webhook-url", "", "POST the run's outcome and change report as JSON to this URL (a secret; default $PRICECHECKER_WEBHOOK_URL)")
	fs.StringVar(&p.webhook.Secret, "webhook-secret", "", "sign webhook deliveries with HMAC-SHA256 in X-Pricechecker-Signature-256 (a secret; default $PRICECHECKER_WEBHOOK_SECRET)")
}

// publishers returns notify's destinations, in the order they are
// published (publish.Run puts those that cannot be amended last). Each
// one's secrets are masked before it exists, so that nothing it prints
// can show them.
func (p *publisherFlags) publishers(env Env, gh *actions.Runner, run actions.WorkflowRun, out string, dryRun bool) []publish.Publisher {
	gh.Mask(env.Getenv("GOOGLE_CREDENTIALS"))
	links := run.Links
	sheet := p.sheet
	sheet.Options.RunURL, sheet.CommitURL, sheet.Snapshots = links.Run, links.CommitURL, out
	sheet.Credentials = sheets.Credentials{
		KeyJSON:   env.Getenv("GOOGLE_CREDENTIALS"),
		ADCFile:   env.Getenv("GOOGLE_APPLICATION_CREDENTIALS"),
		Anonymous: p.sheetAnonymous || env.Getenv("PRICECHECKER_SHEETS_ANONYMOUS") == "true",
	}
	sheet.Endpoint = cmp.Or(sheet.Endpoint, env.Getenv("PRICECHECKER_SHEETS_ENDPOINT"))
	sheet.DryRun, sheet.Stdout, sheet.Stderr = dryRun, env.Stdout, env.Stderr

	slackPub := p.slack
	slackPub.Config.WebhookURL, slackPub.Config.Token = env.Getenv("SLACK_WEBHOOK_URL"), env.Getenv("SLACK_BOT_TOKEN")
	slackPub.Config.APIURL = cmp.Or(slackPub.Config.APIURL, env.Getenv("PRICECHECKER_SLACK_API_URL"))
	for _, s := range slackPub.Config.Secrets() {
		gh.Mask(s)
	}
	slackPub.DryRun, slackPub.Stdout, slackPub.Stderr, slackPub.Rerun, slackPub.Warn = dryRun, env.Stdout, env.Stderr, run.Attempt > 1, gh.Warning

	hook := &webhook.Publisher{Config: p.webhook, DryRun: dryRun, Stdout: env.Stdout, Stderr: env.Stderr}
	hook.Config.URL = cmp.Or(hook.Config.URL, env.Getenv("PRICECHECKER_WEBHOOK_URL"))
	hook.Config.Secret = cmp.Or(hook.Config.Secret, env.Getenv("PRICECHECKER_WEBHOOK_SECRET"))
	for _, s := range hook.Config.Secrets() {
		gh.Mask(s)
	}
	return []publish.Publisher{&sheet, &slackPub, hook}
}
