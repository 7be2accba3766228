package faultsuite

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// hostileText is what the case writes into AWS's descriptions: a NUL
// byte, an ANSI colour escape and a right-to-left override.
const hostileText = "Upfront\x00 Fee \x1b[31mred\x1b[0m \u202eeef"

// unsafeRune returns the first control character (line breaks and tabs
// aside) or bidi override in s, or -1.
func unsafeRune(s string) rune {
	for _, r := range s {
		if r == '\n' || r == '\t' || r == '\r' {
			continue
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return r
		}
	}
	return -1
}

// Control characters in AWS's text reach the snapshot as AWS published
// them, but never the commit message, the terminal summary or the GitHub
// step summary and outputs: a NUL there made every commit fail, an escape
// or a bidi override makes a review show what is not there.
func TestControlCharacters(t *testing.T) {
	t.Parallel()
	f := NewFixture(t, true)
	for _, version := range []string{"20180309224506", "20180401000000"} {
		p := "/offers/v1.0/aws/AmazonRedshift/" + version + "/us-east-1/index.csv"
		body := bytes.ReplaceAll(readMirror(t, p), []byte(`"Upfront Fee"`), []byte(`"`+hostileText+`"`))
		if bytes.Equal(body, readMirror(t, p)) {
			t.Fatalf("%s has no \"Upfront Fee\" to make hostile", p)
		}
		f.Bulk.Rule(p, Fault{Body: body})
	}
	f.MustRun(t, oneRegion("--commit", "--version", "20180309224506")...)

	summary, output := filepath.Join(f.Dir, "..", "summary.md"), filepath.Join(f.Dir, "..", "output.txt")
	env := append(f.Env, "GITHUB_ACTIONS=true", "GITHUB_STEP_SUMMARY="+summary, "GITHUB_OUTPUT="+output)
	res := Exec(t, f.Dir, env, pricechecker, oneRegion("--commit")...)
	CheckResult(t, res, Want{Exit: 0})

	msg := Git(t, f.Dir, "log", "--format=%B", "HEAD~2..HEAD")
	if r := unsafeRune(msg); r >= 0 {
		t.Errorf("the commit messages carry %U:\n%q", r, msg)
	}
	if !strings.Contains(msg, "\uFFFD") {
		t.Errorf("the commit messages do not show the replaced characters as U+FFFD:\n%s", msg)
	}
	snap := Git(t, f.Dir, "show", "HEAD:prices/AmazonRedshift/us-east-1.csv")
	if !strings.Contains(snap, "\x00") || !strings.Contains(snap, "\x1b[31m") || !strings.Contains(snap, "\u202e") {
		t.Error("the snapshot at HEAD lost AWS's bytes; it must keep them as published")
	}
	for name, p := range map[string]string{"stdout": "", "step summary": summary, "outputs": output} {
		text := res.Stdout
		if p != "" {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			text = string(data)
		}
		if r := unsafeRune(text); r >= 0 {
			t.Errorf("the %s carries %U", name, r)
		}
	}
	AssertClean(t, f.Dir)
	AssertNoStrayFiles(t, f.Dir)
}
