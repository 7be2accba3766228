package faultsuite

import (
	"fmt"
	"strings"
	"testing"
)

// billionLaughs is a YAML alias bomb under a key the config knows: ten
// levels of nine aliases each expand to 9^10 (3.4 billion) strings.
func billionLaughs(key string) string {
	var b strings.Builder
	b.WriteString("offers:\n  - code: AmazonRedshift\n    " + key + ":\n")
	b.WriteString("      - &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i < 10; i++ {
		refs := strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 9), ", ")
		fmt.Fprintf(&b, "      - &l%d [%s]\n", i, refs)
	}
	return b.String()
}

// bombInFilter is the same bomb inside a filter, whose values are kept as
// YAML nodes: the anchors are filter values, the last one a filter that
// refers to the top alias.
func bombInFilter() string {
	var b strings.Builder
	b.WriteString("offers:\n  - code: AmazonRedshift\n    regions: [us-east-1]\n    filters:\n")
	b.WriteString("      l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i < 10; i++ {
		refs := strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 9), ", ")
		fmt.Fprintf(&b, "      l%d: &l%d [%s]\n", i, i, refs)
	}
	b.WriteString("      productFamily: *l9\n")
	return b.String()
}

// configCase runs `run --config c.yml` on a config file: the input is
// wrong, so exit 2, before anything is fetched or written.
func configCase(name, yml string, msg ...string) Case {
	mark, none := noRequests()
	return Case{
		Name: name,
		Setup: func(t *testing.T, f *Fixture) {
			f.Seed(t)
			f.Write(t, "c.yml", yml)
			mark(f)
		},
		Args:  []string{"run", "--config", "c.yml", "--progress-interval", "0"},
		Want:  Want{Exit: 2, Snapshot: SnapshotUnchanged, Stderr: msg},
		Check: func(t *testing.T, f *Fixture, res Result) { none(t, f) },
	}
}

// Hostile YAML in the configuration is refused as a configuration error,
// quickly and in bounded memory (BenchmarkPeakRSS measures it): the
// config's YAML is checked before it is decoded, and anchors and aliases
// that expand to more values than any configuration has stop it, wherever
// the aliases are (a list the config decodes, or a filter whose values are
// kept as YAML nodes).
func TestConfigBombs(t *testing.T) {
	const bomb = `c\.yml: invalid configuration: line \d+: its anchors and aliases expand to over 100000 values`
	RunCases(t, []Case{
		configCase("billion laughs in a list the config decodes", billionLaughs("regions"), bomb),
		configCase("billion laughs in a filter value", bombInFilter(), bomb),
		configCase("deeply nested YAML", "offers:\n  - code: AmazonRedshift\n    regions: "+nested(100_000)+"\n",
			`c\.yml: invalid YAML: yaml: line 3: exceeded max depth of 10000`),
	})
}
