package cli

import (
	"context"
	"fmt"

	"github.com/pricechecker/pricechecker/internal/buildinfo"
)

// cmdVersion prints the module version, commit and build date: what a bug
// report needs, and what the User-Agent sends.
func cmdVersion(_ context.Context, env Env, args []string) error {
	fs := newFlagSet("version", env)
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, buildinfo.Get())
	return nil
}
