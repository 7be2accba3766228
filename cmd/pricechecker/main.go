// Command pricechecker tracks AWS prices: it snapshots the AWS Price List
// files a team cares about, keeps their history in git, and reports what
// changed. See README.md, or run `pricechecker help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/pricechecker/pricechecker/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.Env{Getenv: os.Getenv, Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	os.Exit(code)
}
