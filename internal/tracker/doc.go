// Package tracker owns pricechecker's use cases, each a function that takes
// an options struct and returns a result or an error, reading no flag, and
// the environment only through the Getenv it is given (the Pricing API's
// settings, PricingOptions):
//
//   - Run (run.go): fetch the configured price lists through their sources
//     (fetch.go, sources.go), select, snapshot, compare, guard against mass
//     removals (guard.go), write, then commit and push (commit.go),
//     fetching again after losing a push race for the same price list.
//   - Plan and Shards (shards.go): the (offer, region) matrix a workflow
//     fans out over; Selection.FromEvent (event.go) lets the triggering
//     event choose what the command line does not.
//   - Notify (notify.go): gather the reports or the commits of a run, link
//     the failed jobs, build the publish.Outcome and publish it;
//     NotifySummary (summary.go) is the pipeline's job summary.
//   - History and Diff (history.go, diff.go): the price history and the
//     change report between two points, from git.
//
// internal/cli maps flags and the environment to these options, and their
// errors to exit codes and annotations.
package tracker
