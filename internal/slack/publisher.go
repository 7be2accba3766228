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
	// Thread posts every change (see BuildThread) as replies in the
	// thread of the summary message. Only a bot token can: a webhook's
	// answer has no ts to reply under. When the summary is found already
	// posted by an earlier attempt, its thread is read and only the
	// replies that are missing are posted, so a re-run completes the
	// thread and posts nothing twice.
	Thread bool
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
		if p.Thread {
			for _, reply := range BuildThread(o) {
				data, err := RenderJSON(reply)
				if err != nil {
					return publish.Links{}, err
				}
				fmt.Fprintf(p.Stdout, "%s\n", data)
			}
		}
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
	links := publish.Links{SlackTS: res.TS}
	if res.AlreadyPosted != "" {
		fmt.Fprintf(p.Stderr, "slack: this report was already posted (message %s, publication %s); not posting it again\n", res.AlreadyPosted, msg.PublicationID)
		if p.Thread {
			return links, p.postThread(ctx, sender, o, res.TS, true)
		}
		return links, nil
	}
	fmt.Fprintf(p.Stderr, "slack: message posted (publication %s)\n", msg.PublicationID)
	if p.Thread {
		return links, p.postThread(ctx, sender, o, res.TS, false)
	}
	return links, nil
}

// postThread posts every change in the thread of the summary message ts;
// with resume (the summary was already posted) only the replies its
// thread lacks.
func (p *Publisher) postThread(ctx context.Context, sender *Sender, o publish.Outcome, ts string, resume bool) error {
	replies := BuildThread(o)
	switch {
	case len(replies) == 0:
		return nil
	case ts == "":
		fmt.Fprintln(p.Stderr, "slack: an incoming webhook's answer has no message ts to reply under, so the list of changes is not posted in a thread; use a bot token (SLACK_BOT_TOKEN) for --slack-thread")
		return nil
	}
	posted, err := sender.PostThread(ctx, ts, o.PublicationID, replies, resume)
	if err != nil {
		return err
	}
	switch {
	case !resume:
		fmt.Fprintf(p.Stderr, "slack: every change posted in %d thread replies\n", len(replies))
	case posted == 0:
		fmt.Fprintf(p.Stderr, "slack: the thread already has its %d replies; not posting them again\n", len(replies))
	default:
		fmt.Fprintf(p.Stderr, "slack: %d missing thread replies of %d posted\n", posted, len(replies))
	}
	return nil
}
