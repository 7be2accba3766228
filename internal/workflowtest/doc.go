// Package workflowtest runs this repository's real GitHub workflow
// (.github/workflows/pricecheck.yml, a caller of pricecheck-reusable.yml) and
// action (action.yml) with act in host mode, offline, against fakes of the
// AWS Bulk API, Google Sheets and Slack, with a bare git repository as the
// remote; and the action's binary lookup (scripts/action-binary.sh) against
// a file:// stand-in for a GitHub repository with releases. It has no code
// of its own: the tests are the package.
package workflowtest
