package cli

import (
	"errors"
	"flag"
	"fmt"

	"github.com/pricechecker/pricechecker/internal/actions"
	"github.com/pricechecker/pricechecker/internal/selection"
	"github.com/pricechecker/pricechecker/internal/source/bulk"
	"github.com/pricechecker/pricechecker/internal/source/pricingapi"
	"github.com/pricechecker/pricechecker/internal/textsafe"
	"github.com/pricechecker/pricechecker/internal/tracker"
)

// Exit codes.
const (
	ExitOK    = 0
	ExitError = 1
	ExitUsage = 2
)

// usageError marks errors in the command line; they exit with ExitUsage.
type usageError = tracker.UsageError

// unannotated marks an error that annotate leaves alone: one already shown
// as an annotation, or one the command's log shows well enough (a flag the
// command line got wrong).
type unannotated struct{ err error }

func (e unannotated) Error() string { return e.err.Error() }
func (e unannotated) Unwrap() error { return e.err }

// annotate is the one place that shows an error of run, plan, notify or
// action as an error annotation on the workflow run, where a log line alone
// is easy to miss, and the warnings of a run as warning annotations. It
// returns err marked as shown, so that a composed command (action) does not
// show it twice.
func annotate(gh *actions.Runner, err error, warnings ...string) error {
	for _, w := range warnings {
		gh.Warning(w)
	}
	if err == nil || errors.Is(err, flag.ErrHelp) || errors.As(err, new(unannotated)) {
		return err
	}
	if errors.As(err, new(*tracker.PublishError)) {
		return unannotated{err} // publish.Run annotated each destination as it failed
	}
	gh.Error(err)
	return unannotated{err}
}

// exitCode is the one place that maps an error to the exit code, and says
// it on stderr.
func exitCode(env Env, command string, err error) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	fmt.Fprintf(env.Stderr, "pricechecker %s: %s\n", command, textsafe.Text(err.Error())) // errors can quote AWS text
	if errors.As(err, new(usageError)) || errors.As(err, new(*bulk.NameError)) || errors.As(err, new(*selection.Error)) || errors.Is(err, pricingapi.ErrNotFound) {
		return ExitUsage
	}
	return ExitError
}
