package cli

import (
	"context"
	"fmt"

	"github.com/pricechecker/pricechecker/internal/awsnames"
	"github.com/pricechecker/pricechecker/internal/site"
)

// cmdSite builds the static price-history website; the work is
// site.Build's.
func cmdSite(ctx context.Context, env Env, args []string) error {
	var opts site.Options
	var services, regions listFlag
	fs := newFlagSet("site", env)
	fs.StringVar(&opts.Out, "out", "site", "folder to write the website to")
	fs.StringVar(&opts.Repo, "repo", ".", "git repository holding the price history")
	fs.StringVar(&opts.Prices, "prices", "prices", "snapshot folder, inside the repository (history's --out)")
	fs.Var(&services, "service", "offer code, e.g. AmazonEC2 (repeatable; default every offer)")
	fs.Var(&regions, "region", "region code (repeatable; default every region)")
	fs.StringVar(&opts.BaseURL, "base-url", "", "the site's public address, e.g. https://owner.github.io/prices/, to make the feeds' links absolute")
	fs.StringVar(&opts.CommitURL, "commit-url", "", "link to a commit, completed by its hash, e.g. https://github.com/owner/prices/commit/ (default: from the origin remote when it is on GitHub)")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	opts.Services = awsnames.BulkCodes(services)
	opts.Regions = regions
	if opts.CommitURL == "" {
		opts.CommitURL = site.CommitURL(ctx, opts.Repo)
	}
	if err := site.Build(ctx, opts); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "site written to %s\n", opts.Out)
	return nil
}
