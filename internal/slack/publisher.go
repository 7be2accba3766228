package slack

import (
	"context"
	"fmt"
	"io"

	"github.com/pricechecker/pricechecker/internal/publish"
)

// Publisher posts a run's outcome as one Slack message: notify's Slack
// destination (see publish.Publisher).
type Publisher struct {
	Config  Config
	Message MessageOptions
	// DryRun prints the message JSON to Stdout instead of posting it.
	DryRun bool
	Stdout io.Writer
	// Stderr receives what the publisher did.
	Stderr io.Writer
	// Rerun is true on a re-run of the job (GITHUB_RUN_ATTEMPT > 1), where
	// a message that could not be checked for may be a duplicate; Warn
	// then shows that where people look (a workflow annotation).
	Rerun bool
	Warn  func(msg string)
}

// Name implements publish.Publisher.
func (p *Publisher) Name() string { return "Slack" }

// Failure implements publish.Publisher.
func (p *Publisher) Failure() string { return "Slack was not notified" }

// Amendable implements publish.Publisher: a posted message stays as it
// was posted, so Slack goes after the destinations that can be corrected,
// and names their failures.
func (p *Publisher) Amendable() bool { return false }

// Publish posts the message for o, once per publication (see SendOnce).
func (p *Publisher) Publish(ctx context.Context, o publish.Outcome) (publish.Links, error) {
	cfg := p.Config
	if cfg.WebhookURL == "" && cfg.Token == "" && !p.DryRun {
		fmt.Fprintln(p.Stderr, "slack: no SLACK_WEBHOOK_URL or SLACK_BOT_TOKEN; not posting")
		return publish.Links{}, nil
	}
	msg, skip := BuildMessage(o, p.Message)
	if skip {
		fmt.Fprintln(p.Stderr, "slack: nothing changed; staying silent (use --notify-on-no-change to post anyway)")
		return publish.Links{}, nil
	}
	if p.DryRun {
		// A setup that would fail to send fails the dry run too.
		if cfg.WebhookURL != "" || cfg.Token != "" {
			if _, err := NewSender(cfg); err != nil {
				return publish.Links{}, err
			}
		}
		data, err := RenderJSON(msg)
		if err != nil {
			return publish.Links{}, err
		}
		fmt.Fprintf(p.Stdout, "%s\n", data)
		return publish.Links{}, nil
	}
	sender, err := NewSender(cfg)
	if err != nil {
		return publish.Links{}, err
	}
	res, err := sender.SendOnce(ctx, msg)
	if res.Unchecked != "" {
		warning := "slack: " + res.Unchecked
		fmt.Fprintln(p.Stderr, warning)
		// On a re-run of the job the message may now be a duplicate:
		// worth an annotation. A first attempt cannot have posted before.
		if p.Rerun && p.Warn != nil {
			p.Warn(warning)
		}
	}
	if err != nil {
		return publish.Links{}, err
	}
	if res.AlreadyPosted != "" {
		fmt.Fprintf(p.Stderr, "slack: this report was already posted (message %s, publication %s); not posting it again\n", res.AlreadyPosted, msg.PublicationID)
		return publish.Links{}, nil
	}
	fmt.Fprintf(p.Stderr, "slack: message posted (publication %s)\n", msg.PublicationID)
	return publish.Links{}, nil
}
