package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/pricechecker/pricechecker/internal/config"
	"github.com/pricechecker/pricechecker/internal/tracker"
)

// cmdDiff prints the change report between two points of the git history
// (tracker.Diff).
func cmdDiff(ctx context.Context, env Env, args []string) error {
	var o tracker.DiffOptions
	fs := newFlagSet("diff", env)
	fs.StringVar(&o.Out, "out", "prices", "snapshot folder, inside the repository")
	fs.StringVar(&o.Repo, "repo", ".", "git repository holding the price history")
	reportPath := fs.String("report", "", "write the JSON change report to this file")
	fs.Float64Var(&o.FlagPct, "flag-pct", config.DefaultFlagPct, "flag price moves above this percentage")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: pricechecker diff [flags] FROM [TO]\n\n"+
			"FROM and TO are git revisions (a commit, a tag, HEAD~2) or dates (2018-04-01 meaning\n"+
			"the last commit of that day, UTC, or RFC 3339). Without TO, FROM is compared with the\n"+
			"work tree. The report has the schema of `pricechecker run`'s.\n\n")
		fs.PrintDefaults()
	}
	points, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(points) < 1 || len(points) > 2 {
		return usageError{Err: errors.New("want FROM [TO]: a revision or a date, once or twice")}
	}
	o.From, o.To, o.HasTo = points[0], points[len(points)-1], len(points) == 2
	rep, err := tracker.Diff(ctx, o)
	if err == nil && *reportPath != "" {
		err = tracker.WriteReport(*reportPath, rep)
	}
	if err != nil {
		return err
	}
	fmt.Fprint(env.Stdout, rep.Markdown(0))
	return nil
}

// parseInterleaved parses flags placed before, between or after the
// positional arguments, and returns the positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{Err: err}
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
