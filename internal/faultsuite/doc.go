// Package faultsuite injects faults into the real pricechecker and relay
// binaries, run as a user runs them: built once with go build, against an
// httptest Bulk API that serves the repository's mirror (testdata/mirror)
// through a fault-injecting middleware, with real git work trees and a bare
// remote, and with the repository's fakes of Slack, Google Sheets and
// GitHub.
//
// Every case asserts what the user relies on: the exit code (0 done, 1 the
// run failed, 2 the input is wrong), the message, the previous snapshot
// byte for byte, the git and remote state, and that no temporary file is
// left behind. Memory on junk input is measured by a benchmark
// (BenchmarkPeakRSS), never by a timed test.
//
// The package has only tests. Run it with
//
//	go test -count=1 ./internal/faultsuite/
//	go test -count=1 -run '^$' -bench PeakRSS -benchtime 1x ./internal/faultsuite/
//
// A new single-run case is one entry in a family's table (see Case in
// harness_test.go): a name, a Setup that installs faults or writes inputs,
// the arguments, and the Want (exit, message patterns, snapshot and git
// state). Multi-step scenarios (parallel pushes, notify) are ordinary test
// functions built from the same helpers.
package faultsuite
