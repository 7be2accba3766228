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
// The fault families, the file that holds each, and what the user gets:
//
//	family                      file                 faults                                             outcome
//	storms                      storm_test.go        429/5xx with and without Retry-After (seconds,     retried with backoff; exit 1 naming the URL
//	                                                 HTTP-date), resets before headers                  when it outlasts 5 attempts
//	stalls                      storm_test.go,       silence mid-body (--idle-timeout 300ms)            resumed with Range; exit 1 "the download
//	                            download_test.go                                                        stalled" when it does not end
//	truncation                  truncation_test.go   cuts with Content-Length, gzip, chunked, no        exit 1, snapshot byte-identical
//	                                                 length, wrong length; no ETag to resume from
//	download integrity/resume   download_test.go     clean close or short Content-Length at a row end   MD5 against the ETag: exit 1; one drop, reset
//	                                                 (caught by the ETag's MD5), drops, resets,         or stall resumed, snapshot as a clean run's;
//	                                                 servers that ignore Range, 403 for missing keys    Range ignored: exit 1, not spliced
//	junk                        junk_test.go         deep JSON, HTML for JSON/CSV, a region code that   exit 1 naming the file; nothing written
//	                                                 climbs out of --out
//	removal guard, attributes   guard_test.go        a version with no line or most lines gone, an      exit 1 unless --accept-removals (flagged
//	                                                 attribute AWS dropped or the user misspelt         large_removal); dropped: warned, flagged
//	config                      config_test.go,      YAML bombs, deep nesting, percentages that are     exit 2 before any request
//	                            guard_test.go        NaN/Inf/out of range, a second document
//	git recording               git_test.go          pre-commit and pre-receive hooks, broken push      recorded state read from git: exit 1 with
//	                                                 URL or remote, uncommitted snapshots of a killed   git clean, repaired by the next run; usage
//	                                                 run, temporary files, detached HEAD, no remote     errors exit 2 before any request
//	push races                  push_test.go         two clones pushing at once                         both exit 0, nothing lost, recorded once
//	control characters          controlchars_test.go NUL, ANSI escapes, bidi overrides in AWS text      raw in the snapshot, U+FFFD in commits,
//	                                                                                                    summaries and step outputs
//	notify                      notify_test.go       Slack 429 and errors, Sheets 403/429/5xx, writes   retried or read back: each row and message
//	                                                 applied then failed, connection resets             once; exit 1 saying which side failed
//	Pricing API                 pricingapi_test.go   versions by effective date, throttling storms      exit 0 / exit 2 / exit 1 "still throttled"
//	relay                       relay_test.go        SNS redeliveries, deep JSON events, shell or       one dispatch per version; hostile fields
//	                                                 workflow syntax in URLs, a forged certificate      left out; bad events dropped as successes;
//	                                                 host in HTTP mode (under aws-lambda-rie)           forged HTTP messages answered 403
//	memory                      memory_test.go       junk input (BenchmarkPeakRSS, not a timed test)    peak RSS reported
//	pending                     pending_test.go      faults of items not merged yet (decoders)          skipped with the item that handles them
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
