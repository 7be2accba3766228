package cli

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pricechecker/pricechecker/internal/testkit"
	"github.com/pricechecker/pricechecker/internal/textsafe"
)

// hostileMirror copies the shipped Redshift mirror and writes control
// characters into us-east-1's text in both versions: a NUL byte, an ANSI
// escape and a bidi override in every "Upfront Fee" description and in
// the ds2.8xlarge instance type. It returns the mirror's file:// URL.
func hostileMirror(t *testing.T) string {
	t.Helper()
	src, err := filepath.Abs("../../testdata/mirror/offers")
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "mirror")
	err = filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if filepath.Base(filepath.Dir(path)) == "us-east-1" && filepath.Ext(path) == ".csv" {
			data = bytes.ReplaceAll(data, []byte(`"Upfront Fee"`), []byte("\"Upfront\x00 Fee \x1b[31mred\x1b[0m \u202eeef\""))
			data = bytes.ReplaceAll(data, []byte(`"ds2.8xlarge"`), []byte("\"ds2.8xlarge\x1b[31m\u202e\""))
		}
		target := filepath.Join(dst, "offers", rel)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return "file://" + dst
}

// unsafeAt returns the first control character or bidi override in s
// (newlines aside), or "" when there is none.
func unsafeAt(s string) string {
	if i := strings.IndexFunc(s, func(r rune) bool { return r != '\n' && textsafe.Unsafe(r) }); i >= 0 {
		return s[i:min(len(s), i+1)]
	}
	return ""
}

// A NUL byte in an AWS description made `git commit` fail on every run,
// forever. The snapshot keeps AWS's bytes; the commit message, the
// Markdown on stdout, the job summary and annotations, and the history and
// diff output carry none of them, and the commits succeed.
func TestRunCommitWithControlCharactersInAWSText(t *testing.T) {
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	mirror := hostileMirror(t)
	work := filepath.Join(t.TempDir(), "work")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	testkit.Git(t, work, "init", "--quiet", "--initial-branch=main")
	cfg, err := filepath.Abs("../../testdata/demo.yml")
	if err != nil {
		t.Fatal(err)
	}
	actionsDir := t.TempDir()
	vars := map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": filepath.Join(actionsDir, "summary"), "GITHUB_OUTPUT": filepath.Join(actionsDir, "output"),
	}
	run := func(args ...string) (stdout, stderr string) {
		t.Helper()
		var out, errOut bytes.Buffer
		code := Main(context.Background(), args, Env{Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return vars[k] }})
		if code != 0 {
			t.Fatalf("pricechecker %s: exit %d\n%s", strings.Join(args, " "), code, errOut.String())
		}
		return out.String(), errOut.String()
	}
	common := []string{"--endpoint", mirror, "--config", cfg, "--repo", work, "--out", filepath.Join(work, "prices"), "--commit"}

	for i, version := range []string{"20180309224506", "20180401000000"} {
		md, _ := run(append([]string{"run", "--version", version}, common...)...)
		if c := unsafeAt(md); c != "" {
			t.Errorf("run %s: the Markdown on stdout carries %q", version, c)
		}
		if !strings.Contains(md, "Upfront\uFFFD Fee \uFFFD[31mred\uFFFD[0m \uFFFDeef") {
			t.Errorf("run %s: the Markdown does not show the description, made safe:\n%s", version, md)
		}
		if n := testkit.Git(t, work, "rev-list", "--count", "HEAD"); n != string(rune('1'+i)) {
			t.Fatalf("run %s: %s commits, want %d", version, n, i+1)
		}
	}
	msg := testkit.Git(t, work, "log", "--format=%B")
	if c := unsafeAt(msg); c != "" {
		t.Errorf("a commit message carries %q", c)
	}
	if !strings.Contains(msg, "Upfront\uFFFD Fee") {
		t.Errorf("the commit message lost the description:\n%s", msg)
	}

	// The snapshot, in the work tree and in git, keeps AWS's bytes.
	snap, err := os.ReadFile(filepath.Join(work, "prices", "AmazonRedshift", "us-east-1.csv"))
	if err != nil {
		t.Fatal(err)
	}
	committed := testkit.Git(t, work, "show", "HEAD:prices/AmazonRedshift/us-east-1.csv")
	for _, raw := range []string{"Upfront\x00 Fee \x1b[31mred\x1b[0m \u202eeef", "ds2.8xlarge\x1b[31m\u202e"} {
		if !bytes.Contains(snap, []byte(raw)) || !strings.Contains(committed, raw) {
			t.Errorf("the snapshot lost AWS's bytes %q", raw)
		}
	}

	for name, path := range map[string]string{"job summary": vars["GITHUB_STEP_SUMMARY"], "step outputs": vars["GITHUB_OUTPUT"]} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if c := unsafeAt(string(data)); c != "" {
			t.Errorf("the %s carries %q", name, c)
		}
	}

	// What people read back: the history table and the diff.
	hist, _ := run("history", "--repo", work, "--out", filepath.Join(work, "prices"), "--rate-code", "54HCHMYAK66DCEQX.JRTCKXETXF.6YS6EN2CT7")
	if c := unsafeAt(hist); c != "" || !strings.Contains(hist, "ds2.8xlarge\uFFFD[31m\uFFFD") {
		t.Errorf("history carries %q:\n%s", c, hist)
	}
	diff, _ := run("diff", "--repo", work, "--out", filepath.Join(work, "prices"), "HEAD~1", "HEAD")
	if c := unsafeAt(diff); c != "" || !strings.Contains(diff, "Upfront\uFFFD Fee") {
		t.Errorf("diff carries %q:\n%s", c, diff)
	}
}
