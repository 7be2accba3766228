package faultsuite

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// csvHead returns a mirror CSV cut after its header row and keep data
// rows: a well-formed file that is short by rows, as a broken or cut
// publication is.
func csvHead(t *testing.T, p string, keep int) []byte {
	t.Helper()
	lines := bytes.SplitAfter(readMirror(t, p), []byte("\n"))
	for i, l := range lines {
		if bytes.HasPrefix(l, []byte(`"SKU",`)) {
			return bytes.Join(lines[:min(i+1+keep, len(lines))], nil)
		}
	}
	t.Fatalf("%s has no header row", p)
	return nil
}

// seededLines counts the price lines of the seeded us-east-1 snapshot
// (its rows after the header), so no case hard-codes it.
func seededLines(t *testing.T, f *Fixture) int {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(f.Out, "AmazonRedshift", "us-east-1.csv"))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(bytes.TrimRight(data, "\n"), []byte("\n"))
}

// serveCSV seeds, then serves body as the current us-east-1 CSV.
func serveCSV(body func(t *testing.T) []byte) func(t *testing.T, f *Fixture) {
	return func(t *testing.T, f *Fixture) {
		f.Seed(t)
		f.Bulk.Rule(usEastCSV, Fault{Body: body(t)})
	}
}

// A version that would remove most of a region's lines, or all of them,
// is not recorded unless the user says so: a broken or cut publication
// that every framing signal accepts is caught here. Percentages in the
// config are checked before anything is fetched.
func TestRemovalGuard(t *testing.T) {
	headerOnly := func(t *testing.T) []byte { return csvHead(t, usEastCSV, 0) }
	fiveRows := func(t *testing.T) []byte { return csvHead(t, usEastCSV, 5) }
	noLines := func(t *testing.T, f *Fixture, res Result) {
		want := `where the previous snapshot \(version 20180309224506\) has ` + strconv.Itoa(seededLines(t, f)) + `\b`
		if !regexp.MustCompile(want).MatchString(res.Stderr) {
			t.Errorf("stderr does not match %q:\n%s", want, res.Stderr)
		}
	}
	RunCases(t, []Case{
		{
			Name:  "a current CSV with a header and no row",
			Setup: serveCSV(headerOnly),
			Args:  runArgs(),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`AmazonRedshift us-east-1: \S+/us-east-1/index\.csv yields no price line for the selection`}},
			Check: noLines,
		},
		{
			Name:  "a current CSV with no row, guard turned off with --max-removed-pct 100",
			Setup: serveCSV(headerOnly),
			Args:  runArgs("--max-removed-pct", "100"),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`yields no price line for the selection`, `--accept-removals`}},
			Check: noLines,
		},
		{
			Name: "a current JSON with no product",
			Setup: func(t *testing.T, f *Fixture) {
				f.Seed(t)
				f.Bulk.Rule(usEastJSON, Fault{Body: []byte(offerHead + `"products":{},"terms":{}}`)})
			},
			Args: runArgs("--format", "json"),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`us-east-1/index\.json yields no price line for the selection`}},
			Check: noLines,
		},
		{
			Name:  "a current CSV of five rows",
			Setup: serveCSV(fiveRows),
			Args:  runArgs(),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`AmazonRedshift us-east-1: .* would be removed, over maxRemovedPct 20 \(version 20180309224506 → 20180401000000\)`, `--accept-removals`}},
		},
		{
			Name: "a current CSV of five rows under maxRemovedPct: 50",
			Setup: func(t *testing.T, f *Fixture) {
				serveCSV(fiveRows)(t, f)
				f.Write(t, "c.yml", "maxRemovedPct: 50\noffers:\n  - code: AmazonRedshift\n    regions: [us-east-1, eu-west-1]\n")
			},
			Args: []string{"run", "--config", "c.yml", "--progress-interval", "0"},
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged, Stderr: []string{`would be removed, over maxRemovedPct 50 `}},
		},
		{
			Name:  "a current CSV of five rows with --accept-removals",
			Setup: serveCSV(fiveRows),
			Args:  runArgs("--accept-removals", "--report", "r.json"),
			Want:  Want{Exit: 0, Snapshot: SnapshotWritten},
			Check: func(t *testing.T, f *Fixture, res Result) {
				if !strings.Contains(res.Stdout, "large_removal") {
					t.Errorf("stdout does not name the large_removal flag:\n%s", res.Stdout)
				}
				assertReportFlag(t, f, "large_removal")
			},
		},
	})
}

// assertReportFlag fails unless r.json has a flag of this kind.
func assertReportFlag(t *testing.T, f *Fixture, kind string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(f.Dir, "r.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r any
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	found := false
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if v["kind"] == kind {
				found = true
			}
			for _, c := range v {
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	walk(r)
	if !found {
		t.Errorf("r.json has no flag of kind %q:\n%s", kind, data)
	}
}

// Percentages and documents the config cannot mean are usage errors,
// found before any request.
func TestConfigValues(t *testing.T) {
	offer := "offers:\n  - code: AmazonRedshift\n    regions: [us-east-1]\n"
	var cases []Case
	for _, v := range []string{".nan", ".inf", "-.inf", "0", "-3"} {
		cases = append(cases, configCase("flagPct "+v, "flagPct: "+v+"\n"+offer, `flagPct \(line 1\): want a positive percentage`))
	}
	for _, v := range []string{".inf", "-1", "101", ".nan"} {
		cases = append(cases, configCase("maxRemovedPct "+v, "maxRemovedPct: "+v+"\n"+offer, `maxRemovedPct \(line 1\): want a percentage from 0 to 100`))
	}
	for _, v := range []string{"101", "NaN", "-1"} {
		c := configCase("--max-removed-pct "+v, offer, `--max-removed-pct \S+: want a percentage from 0 to 100`)
		c.Args = append(c.Args, "--max-removed-pct", v)
		cases = append(cases, c)
	}
	cases = append(cases,
		configCase("a second YAML document", offer+"---\n"+offer, `invalid configuration: line \d+: a second YAML document starts here`),
	)
	RunCases(t, cases)
}

// An attribute the config asks for that AWS dropped is written empty with
// a warning and a report flag; a misspelt one is a usage error.
func TestAttributes(t *testing.T) {
	const yml = "offers:\n  - code: AmazonRedshift\n    regions: [us-east-1]\n    attributes: [%s]\n"
	RunCases(t, []Case{
		{
			Name: "an attribute AWS dropped from the current version",
			Setup: func(t *testing.T, f *Fixture) {
				f.Write(t, "c.yml", strings.ReplaceAll(yml, "%s", "transferType"))
				f.MustRun(t, "run", "--config", "c.yml", "--version", "20180309224506", "--progress-interval", "0")
				body := bytes.Replace(readMirror(t, usEastCSV), []byte(`"Transfer Type"`), []byte(`"Transfer Kind"`), 1)
				f.Bulk.Rule(usEastCSV, Fault{Body: body})
			},
			Args: []string{"run", "--config", "c.yml", "--report", "r.json", "--progress-interval", "0"},
			Want: Want{Exit: 0, Snapshot: SnapshotWritten,
				Stderr: []string{`attributes\.transferType: no product of version 20180401000000 has that attribute, but an earlier snapshot of AmazonRedshift had it`}},
			Check: func(t *testing.T, f *Fixture, res Result) {
				assertReportFlag(t, f, "attribute_dropped")
			},
		},
		{
			Name: "an attribute no product has",
			Setup: func(t *testing.T, f *Fixture) {
				f.Seed(t)
				f.Write(t, "c.yml", strings.ReplaceAll(yml, "%s", "transferTyp"))
			},
			Args: []string{"run", "--config", "c.yml", "--progress-interval", "0"},
			Want: Want{Exit: 2, Snapshot: SnapshotUnchanged,
				Stderr: []string{`attributes\.transferTyp: no product in this file has that attribute`}},
		},
	})
}
