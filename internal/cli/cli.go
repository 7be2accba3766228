// Package cli is pricechecker's command line: it parses arguments and the
// environment into options, calls the use case in internal/tracker, and
// maps its errors to exit codes and annotations (errors.go). It holds no
// business logic of its own.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/pricechecker/pricechecker/internal/actions"
)

// Env is the process's outside world, injected so that tests run commands
// in-process.
type Env struct {
	Getenv func(string) string
	Stdout io.Writer
	Stderr io.Writer
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env Env, args []string) error
}

func commands() []command {
	return []command{
		{"run", "fetch the configured price lists, write snapshots and a change report", cmdRun},
		{"history", "print the price of selected lines over time, from the git history", cmdHistory},
		{"site", "build a static website of the price history (pages, Atom feeds, JSON)", cmdSite},
		{"diff", "the change report between two points of the git history", cmdDiff},
		{"plan", "list the (offer, region) shards a workflow fans out over, as JSON", cmdPlan},
		{"notify", "publish a finished run to Google Sheets, Slack and a webhook", cmdNotify},
		{"action", "the GitHub Action's entry point: reads INPUT_* and runs run, plan, notify or site", cmdAction},
		{"version", "print the version, commit and build date (also: pricechecker --version)", cmdVersion},
	}
}

// Main runs the command named by args[0] and returns the exit code.
func Main(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(env.Stdout)
		if len(args) == 0 {
			return ExitUsage
		}
		return ExitOK
	}
	if args[0] == "--version" || args[0] == "-version" {
		args = append([]string{"version"}, args[1:]...)
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		return exitCode(env, c.name, c.run(ctx, env, args[1:]))
	}
	fmt.Fprintf(env.Stderr, "pricechecker: unknown command %q\n\n", args[0])
	usage(env.Stderr)
	return ExitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: pricechecker <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'pricechecker <command> -h' for the flags of a command.")
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name string, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet("pricechecker "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs
}

// parse parses flags and rejects stray positional arguments.
func parse(fs *flag.FlagSet, args []string, positional int) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{Err: err}
	}
	if fs.NArg() > positional {
		return usageError{Err: fmt.Errorf("unexpected argument %q", fs.Arg(positional))}
	}
	return nil
}

// listFlag is a repeatable flag; values may also be comma-separated, which
// is how GitHub Actions inputs carry lists (split as actions.List does).
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	*l = append(*l, actions.List(v)...)
	return nil
}
