package publish

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// A Publisher is one destination of a run's Outcome. Each one decides on
// its own whether it is configured, what a dry run prints, and how a
// re-run of the same publication (the same PublicationID) avoids
// publishing it twice.
type Publisher interface {
	// Name is the destination as people know it ("Google Sheets"); it
	// heads the destination's log group and names it in what the
	// publishers after it say about a failure.
	Name() string
	// Failure says that the publication failed, as in "Slack was not
	// notified"; it starts the error that names this destination.
	Failure() string
	// Amendable reports whether a later publication corrects this one (a
	// spreadsheet is rewritten; a chat message or a webhook delivery
	// cannot be taken back). Amendable publishers go first, so that the
	// others can name their failures.
	Amendable() bool
	// Publish publishes o. It returns the links to what it updated (a
	// spreadsheet), which the publishers after it show.
	Publish(ctx context.Context, o Outcome) (Links, error)
}

// Log is where Run shows its progress: the workflow's log groups and
// error annotations (*actions.Runner).
type Log interface {
	Group(title string) (end func())
	Error(err error)
}

// Run publishes o to each publisher, amendable ones first and otherwise in
// the order given. Each destination is published on its own: one that
// fails does not keep the others from being updated, and is named in what
// the later ones publish (o.Unpublished). The error names every
// destination that failed.
func Run(ctx context.Context, o Outcome, pubs []Publisher, log Log) error {
	_, err := RunLinks(ctx, o, pubs, log)
	return err
}

// RunLinks is Run that also returns o's links with what the publishers
// added (the spreadsheet, the Slack message's ts), for notify's outputs.
func RunLinks(ctx context.Context, o Outcome, pubs []Publisher, log Log) (Links, error) {
	done, err := RunOutcome(ctx, o, pubs, log)
	return done.Links, err
}

// RunOutcome is Run that returns o as it stands after every publisher:
// its links completed with what the publishers added, and Unpublished
// naming every destination that failed (with its reason, one line), for
// notify's outputs and job summary.
func RunOutcome(ctx context.Context, o Outcome, pubs []Publisher, log Log) (Outcome, error) {
	ordered := slices.Clone(pubs)
	slices.SortStableFunc(ordered, func(a, b Publisher) int {
		switch {
		case a.Amendable() == b.Amendable():
			return 0
		case a.Amendable():
			return -1
		}
		return 1
	})
	var errs []error
	for _, p := range ordered {
		end := log.Group(p.Name())
		links, err := p.Publish(ctx, o)
		end()
		o.Links = o.Links.with(links)
		if err != nil {
			log.Error(err)
			errs = append(errs, fmt.Errorf("%s: %w", p.Failure(), err))
			// One line: some errors (the token endpoint's) hold the
			// answer's body on lines of their own.
			reason := strings.Join(strings.Fields(err.Error()), " ")
			o.Unpublished = append(slices.Clip(o.Unpublished), Unpublished{Destination: p.Name(), Reason: reason})
		}
	}
	return o, errors.Join(errs...)
}

// with returns l with the links that add sets.
func (l Links) with(add Links) Links {
	return Links{
		Repository:  cmp.Or(add.Repository, l.Repository),
		Run:         cmp.Or(add.Run, l.Run),
		Commit:      cmp.Or(add.Commit, l.Commit),
		Spreadsheet: cmp.Or(add.Spreadsheet, l.Spreadsheet),
		SlackTS:     cmp.Or(add.SlackTS, l.SlackTS),
	}
}
