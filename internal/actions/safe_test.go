package actions

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pricechecker/pricechecker/internal/textsafe"
)

// What the runner writes (log commands, annotations, outputs, the job
// summary) never carries a control character or a bidi override, whatever
// AWS text reaches it; the summary's size cap holds on the cleaned text.
func TestRunnerWritesNoControlCharacters(t *testing.T) {
	const hostile = "desc a\x00b \x1b[31mred\x1b[0m \u202eexe.txt\u2069 del\x7f c1\u009b"
	dir := t.TempDir()
	env := map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": filepath.Join(dir, "out"), "GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary"),
	}
	var log bytes.Buffer
	r := New(func(k string) string { return env[k] }, &log)
	r.Group("fetch " + hostile)()
	r.Error(errors.New("decode: " + hostile))
	r.Warning("warning: " + hostile)
	r.SetOutput("report-path", "r\x00.json")
	r.Summary("## AWS price changes\n\n| `R` | "+hostile+" |\n", "\n[run](https://github.com/acme/prices/actions/runs/7)\n")

	outputs, _ := os.ReadFile(env["GITHUB_OUTPUT"])
	summary, _ := os.ReadFile(env["GITHUB_STEP_SUMMARY"])
	for name, text := range map[string]string{"log": log.String(), "GITHUB_OUTPUT": string(outputs), "summary": string(summary)} {
		if i := strings.IndexFunc(text, func(r rune) bool { return r != '\n' && textsafe.Unsafe(r) }); i >= 0 {
			t.Errorf("%s carries %q at %d:\n%q", name, text[i:i+1], i, text)
		}
	}
	if !strings.Contains(log.String(), "::error::decode: desc a\uFFFDb \uFFFD[31mred") {
		t.Errorf("the annotation lost its text:\n%s", log.String())
	}
	if !strings.Contains(string(summary), "| `R` | desc a\uFFFDb") {
		t.Errorf("summary = %q", summary)
	}

	// Each NUL becomes three bytes: the cap applies to what is written.
	os.Remove(env["GITHUB_STEP_SUMMARY"])
	r.Summary(strings.Repeat("\x00\n", MaxSummaryBytes/2), "\nfooter\n")
	if st, err := os.Stat(env["GITHUB_STEP_SUMMARY"]); err != nil || st.Size() > MaxSummaryBytes+1 {
		t.Errorf("summary of control characters not capped: %v %v", st.Size(), err)
	}
}
