// Package workflowtest runs this repository's real GitHub workflow
// (.github/workflows/pricecheck.yml) and action (action.yml) with act in host
// mode, offline, against fakes of the AWS Bulk API, Google Sheets and Slack,
// with a bare git repository as the remote. It has no code of its own: the
// tests are the package.
package workflowtest
