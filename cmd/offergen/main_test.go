package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func runCmd(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, &stdout, &stderr)
	code := exitCode(err, &stderr)
	return stdout.String(), stderr.String(), code
}

func TestGenAndWalk(t *testing.T) {
	dir := t.TempDir()
	js := filepath.Join(dir, "offer.json")
	cs := filepath.Join(dir, "offer.csv")
	for _, c := range [][]string{
		{"gen", "-format", "json", "-o", js, "-size", "32KB", "-seed", "5", "-version", "20250101000000"},
		{"gen", "-format", "csv", "-o", cs, "-size", "32KB", "-seed", "5", "-version", "20250101000000"},
	} {
		if _, stderr, code := runCmd(t, c...); code != exitOK {
			t.Fatalf("%v: exit %d: %s", c, code, stderr)
		}
	}
	info, err := os.Stat(js)
	if err != nil || info.Size() < 32_000 || info.Size() > 100_000 {
		t.Fatalf("JSON: %v, %v", info, err)
	}
	data, _ := os.ReadFile(cs)
	if !bytes.Contains(data, []byte(`"Version","20250101000000"`)) {
		t.Error("CSV lacks the version given")
	}

	out, stderr, code := runCmd(t, "walk-json", js)
	if code != exitOK || !strings.HasSuffix(out, " tokens\n") {
		t.Errorf("walk-json: %d %q %q", code, out, stderr)
	}
	out, stderr, code = runCmd(t, "walk-csv", cs)
	lines := bytes.Count(data, []byte("\n"))
	if code != exitOK || out != strconv.Itoa(lines)+" records\n" {
		t.Errorf("walk-csv: %d %q %q, want %d records", code, out, stderr, lines)
	}

	// Broken input fails with the file named.
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"a" : `), 0o644)
	if _, stderr, code := runCmd(t, "walk-json", bad); code != exitFailure || !strings.Contains(stderr, "bad.json") {
		t.Errorf("walk-json bad: %d %q", code, stderr)
	}
}

func TestGenToStdoutMatchesFile(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	runCmd(t, "gen", "-format", "csv", "-o", a, "-products", "20")
	runCmd(t, "gen", "-format", "csv", "-o", b, "-products", "20")
	out, _, code := runCmd(t, "gen", "-format", "csv", "-o", "-", "-products", "20")
	da, _ := os.ReadFile(a)
	db, _ := os.ReadFile(b)
	if code != exitOK || len(da) == 0 || !bytes.Equal(da, db) || out != string(da) {
		t.Error("runs with the same flags differ")
	}
}

func TestMirror(t *testing.T) {
	dir := t.TempDir()
	_, stderr, code := runCmd(t, "mirror", "-dir", dir, "-version", "20250912225308", "-products", "10", "-region", "us-east-1,eu-west-1")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, p := range []string{
		"offers/v1.0/aws/index.json",
		"offers/v1.0/aws/AmazonEC2/index.json",
		"offers/v1.0/aws/AmazonEC2/20250912225308/region_index.json",
		"offers/v1.0/aws/AmazonEC2/current/region_index.json",
		"offers/v1.0/aws/AmazonEC2/20250912225308/us-east-1/index.json",
		"offers/v1.0/aws/AmazonEC2/20250912225308/eu-west-1/index.csv",
		"offers/v1.0/aws/AmazonEC2/current/us-east-1/index.csv",
		"offers/v1.0/aws/AmazonEC2/current/eu-west-1/index.json",
	} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Error(err)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, c := range [][]string{
		{},
		{"frobnicate"},
		{"gen"},
		{"gen", "-o", "x", "-format", "xml"},
		{"gen", "-o", "x", "-size", "lots"},
		{"gen", "-o", "x", "-nope"},
		{"mirror"},
		{"walk-json"},
		{"walk-csv", "a", "b"},
	} {
		_, stderr, code := runCmd(t, c...)
		if code != exitUsage || !strings.Contains(stderr, "usage:") {
			t.Errorf("%q: exit %d, stderr %q", c, code, stderr)
		}
	}
	if out, _, code := runCmd(t, "help"); code != exitOK || !strings.Contains(out, "offergen mirror") {
		t.Errorf("help: %d %q", code, out)
	}
}

func TestGenFailureLeavesNoFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "x.json")
	// A bad version fails before anything is written.
	if _, _, code := runCmd(t, "gen", "-o", out, "-products", "5", "-version", "2025"); code != exitFailure {
		t.Errorf("exit %d", code)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
	// A cancelled run stops writing and leaves nothing either.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := run(ctx, []string{"gen", "-o", out, "-products", "50"}, io.Discard, io.Discard); err == nil {
		t.Error("cancelled gen: no error")
	}
	entries, _ = os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("left behind after cancel: %v", entries)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"480MB": 480_000_000, "64KiB": 65536, "1GiB": 1 << 30, "1000": 1000, "2.5MB": 2_500_000, "10 kb": 10_000, "3G": 3e9,
	} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MB", "-1MB", "lots", "0"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q): no error", in)
		}
	}
}
