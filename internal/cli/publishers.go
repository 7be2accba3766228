package cli

import (
	"flag"
	"strconv"

	"github.com/pricechecker/pricechecker/internal/actions"
	"github.com/pricechecker/pricechecker/internal/publish"
	"github.com/pricechecker/pricechecker/internal/slack"
	"github.com/pricechecker/pricechecker/internal/webhook"
)

// publisherFlags are the settings of every destination notify publishes
// to. Adding a destination: a package that implements publish.Publisher,
// its flags here, and one entry in publishers.
type publisherFlags struct {
	sheet   sheetFlags
	slack   slackFlags
	webhook webhookFlags
}

func (p *publisherFlags) register(fs *flag.FlagSet) {
	p.sheet.register(fs)
	p.slack.register(fs)
	p.webhook.register(fs)
}

// publishers returns notify's destinations, in the order they are
// published (publish.Run puts those that cannot be amended last). Each
// one's secrets are masked before it exists, so that nothing it prints
// can show them.
func (p *publisherFlags) publishers(env Env, gh *actions.Runner, out string, dryRun bool) []publish.Publisher {
	gh.Mask(env.Getenv("GOOGLE_CREDENTIALS"))
	slackPub := p.slack.publisher(env, gh, dryRun)
	for _, s := range slackPub.Config.Secrets() {
		gh.Mask(s)
	}
	hook := p.webhook.publisher(env, dryRun)
	for _, s := range hook.Config.Secrets() {
		gh.Mask(s)
	}
	return []publish.Publisher{
		p.sheet.publisher(env, gh, out, dryRun),
		slackPub,
		hook,
	}
}

// slackFlags are notify's Slack settings. The webhook URL and the bot
// token come from the environment only.
type slackFlags struct {
	notifyOnNoChange bool
	maxChanges       int
	channel          string
	apiURL           string
	thread           bool
}

func (s *slackFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&s.notifyOnNoChange, "notify-on-no-change", false, "post to Slack even when nothing changed")
	fs.IntVar(&s.maxChanges, "max-changes", slack.DefaultMaxChanges, "largest changes listed in the Slack message")
	fs.StringVar(&s.channel, "slack-channel", "", "channel ID for the bot token ($SLACK_BOT_TOKEN)")
	fs.StringVar(&s.apiURL, "slack-api-url", "", "Slack Web API base URL (default "+slack.DefaultAPIURL+")")
	fs.BoolVar(&s.thread, "slack-thread", false, "also post every change as replies in the Slack message's thread (bot token only)")
}

func (s *slackFlags) publisher(env Env, gh *actions.Runner, dryRun bool) *slack.Publisher {
	attempt, _ := strconv.Atoi(env.Getenv("GITHUB_RUN_ATTEMPT"))
	return &slack.Publisher{
		Config: slack.Config{
			WebhookURL: env.Getenv("SLACK_WEBHOOK_URL"),
			Token:      env.Getenv("SLACK_BOT_TOKEN"),
			Channel:    s.channel,
			APIURL:     s.apiURL,
		},
		Message: slack.MessageOptions{NotifyOnNoChange: s.notifyOnNoChange, MaxChanges: s.maxChanges},
		DryRun:  dryRun,
		Stdout:  env.Stdout,
		Stderr:  env.Stderr,
		Rerun:   attempt > 1,
		Warn:    gh.Warning,
		Thread:  s.thread,
	}
}

// webhookFlags are notify's generic webhook settings. The URL and the
// signing secret are secrets: prefer the environment to the command line.
type webhookFlags struct {
	url    string
	secret string
}

func (w *webhookFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&w.url, "webhook-url", "", "POST the run's outcome and change report as JSON to this URL (a secret; default $PRICECHECKER_WEBHOOK_URL)")
	fs.StringVar(&w.secret, "webhook-secret", "", "sign webhook deliveries with HMAC-SHA256 in X-Pricechecker-Signature-256 (a secret; default $PRICECHECKER_WEBHOOK_SECRET)")
}

func (w *webhookFlags) publisher(env Env, dryRun bool) *webhook.Publisher {
	url, secret := w.url, w.secret
	if url == "" {
		url = env.Getenv("PRICECHECKER_WEBHOOK_URL")
	}
	if secret == "" {
		secret = env.Getenv("PRICECHECKER_WEBHOOK_SECRET")
	}
	return &webhook.Publisher{
		Config: webhook.Config{URL: url, Secret: secret},
		DryRun: dryRun,
		Stdout: env.Stdout,
		Stderr: env.Stderr,
	}
}
