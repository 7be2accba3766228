package actions

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseEvent(t *testing.T) {
	ev, err := ParseEvent("repository_dispatch", []byte(`{"action":"aws-price-list-update","client_payload":{"offerCode":"AmazonEC2","version":"20261115000000","region":"us-east-1"}}`))
	if err != nil || ev.Action != "aws-price-list-update" || strings.Join(ev.Services, ",") != "AmazonEC2" || ev.Version != "20261115000000" || strings.Join(ev.Regions, ",") != "us-east-1" {
		t.Errorf("dispatch = %+v, %v", ev, err)
	}
	// github.event.inputs turns booleans into strings; both forms count.
	for _, payload := range []string{`{"inputs":{"services":"AmazonEC2, AmazonS3","dry-run":"true","force":true}}`, `{"inputs":{"services":"AmazonEC2\nAmazonS3","dry-run":true,"force":"true"}}`} {
		ev, err := ParseEvent("workflow_dispatch", []byte(payload))
		if err != nil || strings.Join(ev.Services, ",") != "AmazonEC2,AmazonS3" || !ev.DryRun || !ev.Force {
			t.Errorf("workflow_dispatch %s = %+v, %v", payload, ev, err)
		}
	}
	if ev, err := ParseEvent("schedule", []byte(`{"schedule":"37 5 * * *"}`)); err != nil || len(ev.Services) != 0 {
		t.Errorf("schedule = %+v, %v", ev, err)
	}
	if _, err := ParseEvent("repository_dispatch", []byte(`{`)); err == nil {
		t.Error("a broken event file was accepted")
	}
}

func TestTruncateAtLineBoundary(t *testing.T) {
	s := strings.Repeat("| row |\n", 1000)
	got := Truncate(s, 500)
	if len(got) > 500 || !strings.Contains(got, "cut to stay under GitHub's summary size limit") {
		t.Errorf("Truncate gave %d bytes:\n%s", len(got), got)
	}
	if kept := strings.SplitN(got, "\n\n…", 2)[0]; !strings.HasSuffix(kept, "| row |") {
		t.Errorf("cut inside a line: ends with %q", kept[max(0, len(kept)-10):])
	}
	if Truncate("short", 500) != "short" {
		t.Error("a short summary was changed")
	}
}

func TestRunnerOutsideAndInsideActions(t *testing.T) {
	var out bytes.Buffer
	outside := New(func(string) string { return "" }, &out)
	outside.Group("x")()
	outside.Mask("secret")
	outside.SetOutput("changed", "true") // must not panic without GITHUB_OUTPUT
	outside.Summary("## hi", "")
	if out.Len() != 0 {
		t.Errorf("outside Actions it printed %q", out.String())
	}

	dir := t.TempDir()
	env := map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": filepath.Join(dir, "out"), "GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary"),
		"GITHUB_REPOSITORY": "acme/prices", "GITHUB_RUN_ID": "7",
	}
	in := New(func(k string) string { return env[k] }, &out)
	in.Mask("{\n  \"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMIIE\",\n}")
	in.SetOutput("changed", "true")
	footer := "\n[workflow run](https://github.com/acme/prices/actions/runs/7)\n"
	in.Summary(strings.Repeat("x\n", MaxSummaryBytes), footer)
	if !strings.Contains(out.String(), `::add-mask::"private_key": "-----BEGIN PRIVATE KEY-----\nMIIE",`) {
		t.Errorf("the key's line is not masked on its own:\n%s", out.String())
	}
	if strings.Contains(out.String(), "::add-mask::{\n") || strings.Contains(out.String(), "::add-mask::}\n") {
		t.Errorf("a lone brace was masked, which would garble every log line with one:\n%s", out.String())
	}
	if data, _ := os.ReadFile(env["GITHUB_OUTPUT"]); !strings.Contains(string(data), "changed<<") {
		t.Errorf("GITHUB_OUTPUT = %q", data)
	}
	if st, _ := os.Stat(env["GITHUB_STEP_SUMMARY"]); st == nil || st.Size() > MaxSummaryBytes+1 {
		t.Errorf("summary not capped: %v", st)
	}
	// The links come after the cut, never cut themselves.
	if data, _ := os.ReadFile(env["GITHUB_STEP_SUMMARY"]); !strings.HasSuffix(strings.TrimSpace(string(data)), strings.TrimSpace(footer)) || !strings.Contains(string(data), "the rest is cut") {
		t.Errorf("summary end = %q", data[max(0, len(data)-200):])
	}
	l := in.Links()
	if l.Run != "https://github.com/acme/prices/actions/runs/7" || l.CommitURL("abc") != "https://github.com/acme/prices/commit/abc" || l.CompareURL("a", "b") != "https://github.com/acme/prices/compare/a...b" {
		t.Errorf("links = %+v", l)
	}
}

// The event comes through go-githubactions' Context, which can return a
// usable context together with an error about another variable.
func TestRunnerEvent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(path, []byte(`{"action":"aws-savings-plans-update","client_payload":{"offerCode":"AWSComputeSavingsPlan","version":"20251001000000"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "repository_dispatch", "GITHUB_EVENT_PATH": path,
		"GITHUB_RUN_ID": "not-a-number",
	}
	ev, err := New(func(k string) string { return env[k] }, io.Discard).Event()
	if err != nil || ev.Action != "aws-savings-plans-update" || len(ev.Services) != 1 || ev.Services[0] != "AWSComputeSavingsPlan" || ev.Version != "20251001000000" {
		t.Errorf("Event = %+v, %v", ev, err)
	}
	if err := os.WriteFile(path, []byte(`{`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := New(func(k string) string { return env[k] }, io.Discard).Event(); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("a broken event file: %v", err)
	}
}

// The run's links come from the variables GitHub Actions sets; a server
// URL with a trailing slash gives no double slash.
func TestLinks(t *testing.T) {
	env := map[string]string{"GITHUB_SERVER_URL": "https://ghe.example.com/", "GITHUB_REPOSITORY": "acme/prices", "GITHUB_RUN_ID": "42"}
	got := New(func(k string) string { return env[k] }, io.Discard).Links()
	want := Links{Repository: "https://ghe.example.com/acme/prices", Run: "https://ghe.example.com/acme/prices/actions/runs/42"}
	if got != want {
		t.Errorf("Links = %+v, want %+v", got, want)
	}
	if got := New(func(string) string { return "" }, io.Discard).Links(); got != (Links{}) {
		t.Errorf("Links without GitHub = %+v, want none", got)
	}
}
