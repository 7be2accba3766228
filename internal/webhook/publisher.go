package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/pricechecker/pricechecker/internal/publish"
)

// Publisher delivers a run's outcome to the webhook: notify's generic
// webhook destination (see publish.Publisher).
type Publisher struct {
	Config Config
	// DryRun prints the payload to Stdout instead of sending it.
	DryRun bool
	Stdout io.Writer
	// Stderr receives what the publisher did.
	Stderr io.Writer
}

// Name implements publish.Publisher.
func (p *Publisher) Name() string { return "webhook" }

// Failure implements publish.Publisher.
func (p *Publisher) Failure() string { return "the webhook was not delivered" }

// Amendable implements publish.Publisher: a delivery cannot be taken back.
func (p *Publisher) Amendable() bool { return false }

// Publish delivers o, unless no URL is set. Every run is delivered, changed
// or not, failed or not: automation may want to know that a check ran.
func (p *Publisher) Publish(ctx context.Context, o publish.Outcome) (publish.Links, error) {
	if p.Config.URL == "" {
		fmt.Fprintln(p.Stderr, "webhook: no PRICECHECKER_WEBHOOK_URL; not delivering")
		return publish.Links{}, nil
	}
	// A setup that would fail to send fails the dry run too.
	sender, err := NewSender(p.Config)
	if err != nil {
		return publish.Links{}, err
	}
	if p.DryRun {
		data, err := json.MarshalIndent(NewPayload(o), "", "  ")
		if err != nil {
			return publish.Links{}, err
		}
		fmt.Fprintf(p.Stdout, "%s\n", data)
		return publish.Links{}, nil
	}
	body, err := Body(o)
	if err != nil {
		return publish.Links{}, err
	}
	if err := sender.Send(ctx, o.PublicationID, body); err != nil {
		return publish.Links{}, err
	}
	fmt.Fprintf(p.Stderr, "webhook: delivered (publication %s)\n", o.PublicationID)
	return publish.Links{}, nil
}
