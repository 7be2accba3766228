package doctest

import (
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/pricechecker/pricechecker/internal/config"
	"github.com/pricechecker/pricechecker/internal/slack/slackfake"
	"github.com/pricechecker/pricechecker/internal/testkit"
	"github.com/pricechecker/pricechecker/internal/webhook/webhookfake"
)

// bin holds the binaries built from this tree for the whole test run.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "doctest-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = dir
	build := exec.Command("go", "build", "-o", dir+string(filepath.Separator), "./cmd/pricechecker", "./cmd/offergen")
	build.Dir = root()
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build the binaries: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// root is the repository root: two levels above this package.
func root() string {
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	return filepath.Dir(filepath.Dir(wd))
}

// pages are README.md and docs/*.md, relative to the root.
func pages(t *testing.T) []string {
	t.Helper()
	docs, err := filepath.Glob(filepath.Join(root(), "docs", "*.md"))
	if err != nil || len(docs) == 0 {
		t.Fatalf("no docs/*.md: %v", err)
	}
	files := []string{"README.md"}
	for _, d := range docs {
		files = append(files, filepath.Join("docs", filepath.Base(d)))
	}
	return files
}

func blocksOf(t *testing.T, file string) []Block {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root(), file))
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := Parse(file, data)
	if err != nil {
		t.Fatal(err)
	}
	return blocks
}

// directed returns every block of the pages with that directive.
func directed(t *testing.T, directive string) []Block {
	t.Helper()
	var out []Block
	for _, f := range pages(t) {
		for _, b := range blocksOf(t, f) {
			if b.Directive == directive {
				out = append(out, b)
			}
		}
	}
	return out
}

func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}

// offline is the environment of a reader's fresh machine: a new HOME and
// TMPDIR, the binaries of this tree first on PATH, go install into a
// folder of the test, the Go caches shared (a cold cache would only be
// slow), no module downloads, a git identity, and no way out: proxies that
// refuse every connection, and a Bulk API endpoint that answers nothing, so
// a command that forgot --endpoint fails instead of reaching AWS. Nothing
// of the test's own environment leaks in (a GITHUB_ACTIONS would turn the
// CLI into the action).
func offline(t *testing.T, gitconfig ...string) (env []string, home string) {
	t.Helper()
	dir := t.TempDir()
	home, tmp, gobin := filepath.Join(dir, "home"), filepath.Join(dir, "tmp"), filepath.Join(dir, "gobin")
	for _, d := range []string{home, tmp, gobin} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	gc := filepath.Join(dir, "gitconfig")
	conf := "[user]\n\tname = Doc Reader\n\temail = reader@example.com\n[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n" + strings.Join(gitconfig, "")
	if err := os.WriteFile(gc, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	const refuse = "http://127.0.0.1:9"
	env = []string{
		"HOME=" + home, "TMPDIR=" + tmp, "LANG=C.UTF-8", "TERM=dumb",
		"PATH=" + gobin + string(os.PathListSeparator) + bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"GOBIN=" + gobin, "GOPATH=" + goEnv(t, "GOPATH"), "GOCACHE=" + goEnv(t, "GOCACHE"),
		"GOMODCACHE=" + goEnv(t, "GOMODCACHE"), "GOTOOLCHAIN=" + goEnv(t, "GOTOOLCHAIN"),
		"GOPROXY=off", "GOFLAGS=-mod=readonly",
		"GIT_CONFIG_GLOBAL=" + gc, "GIT_CONFIG_NOSYSTEM=1",
		"HTTP_PROXY=" + refuse, "HTTPS_PROXY=" + refuse, "http_proxy=" + refuse, "https_proxy=" + refuse,
		"NO_PROXY=127.0.0.1,localhost", "no_proxy=127.0.0.1,localhost",
		"PRICECHECKER_ENDPOINT=" + refuse,
	}
	return env, home
}

// mirror is the shipped Bulk API mirror as an endpoint.
func mirror(t *testing.T) string { return "file://" + testkit.Mirror(t) }

// checkoutState is what git says of the checkout, ignored files included:
// a documented command must not leave anything in the reader's clone.
// internal/ is left out: other packages' tests, running at the same time
// under go test ./..., may write there, and no documented command does.
func checkoutState(t *testing.T) string {
	t.Helper()
	cmd := exec.Command("git", "status", "--porcelain", "--untracked-files=all", "--ignored", "--", ".", ":!internal")
	cmd.Dir = root()
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("not a git checkout (%v): cannot tell whether the commands leave files in it", err)
	}
	return string(out)
}

// TestCommands runs every sh, bash and console block of README.md and
// docs/*.md: each page as one terminal session starting at the root of the
// checkout (the commands say "from the pricechecker checkout"), offline.
func TestCommands(t *testing.T) {
	before := checkoutState(t)
	ran := 0
	for _, f := range pages(t) {
		var run []Block
		for _, b := range blocksOf(t, f) {
			switch {
			case b.Runs():
				run = append(run, b)
			case b.Directive == "skip":
				t.Logf("%s: not run: %s", b.Where(), b.Reason)
			}
		}
		if len(run) == 0 {
			continue
		}
		ran += len(run)
		t.Run(f, func(t *testing.T) {
			env, _ := offline(t)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			out, err := Session{Dir: root(), Env: env}.Run(ctx, run)
			if err != nil {
				t.Fatalf("%v\n%s", err, tail(out, 60))
			}
		})
	}
	if ran == 0 {
		t.Fatal("no command block found")
	}
	if after := checkoutState(t); after != before {
		t.Errorf("the documented commands changed the checkout:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = append([]string{"…"}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// TestSessionStopsAtAFailingCommand: a failing command, a failing stage of
// a pipeline and an unset variable each fail the session, and the error
// names the block; the blocks after it do not run.
func TestSessionStopsAtAFailingCommand(t *testing.T) {
	ok := Block{File: "x.md", Line: 1, Lang: "sh", Text: "echo first\n"}
	never := Block{File: "x.md", Line: 20, Lang: "sh", Text: "echo never-printed\n"}
	for name, text := range map[string]string{
		"command":  "true\nfalse\necho after\n",
		"pipeline": "false | cat\n",
		"unset":    "echo \"$NOT_SET_ANYWHERE\"\n",
	} {
		t.Run(name, func(t *testing.T) {
			bad := Block{File: "x.md", Line: 10, Lang: "sh", Text: text}
			out, err := Session{Dir: t.TempDir(), Env: os.Environ()}.Run(context.Background(), []Block{ok, bad, never})
			if err == nil || !strings.Contains(err.Error(), "x.md:10") {
				t.Fatalf("err = %v, want the block at x.md:10 named\n%s", err, out)
			}
			if strings.Contains(out, "never-printed") || strings.Contains(out, "after") {
				t.Errorf("commands after the failure ran:\n%s", out)
			}
		})
	}
	// A console block's output lines must be what its command prints.
	out, err := Session{Dir: t.TempDir(), Env: os.Environ()}.Run(context.Background(), []Block{
		{File: "z.md", Line: 3, Lang: "console", Text: "$ printf 'a 1\\nb 2\\nc 3\\n'\nb …\n$ echo two \\\n  words\ntwo words\n"},
	})
	if err != nil {
		t.Fatalf("err = %v\n%s", err, out)
	}
	out, err = Session{Dir: t.TempDir(), Env: os.Environ()}.Run(context.Background(), []Block{
		{File: "z.md", Line: 3, Lang: "console", Text: "$ printf 'a 1\\nb 2\\n'\nb 2\na 1\n"},
	})
	if err == nil || !strings.Contains(err.Error(), `did not print "a 1"`) {
		t.Fatalf("lines out of order: err = %v\n%s", err, out)
	}
	// And state carries over from block to block, as in one terminal.
	dir := t.TempDir()
	out, err = Session{Dir: dir, Env: os.Environ()}.Run(context.Background(), []Block{
		{File: "y.md", Line: 1, Lang: "sh", Text: "mkdir sub && cd sub\nX=kept\n"},
		{File: "y.md", Line: 5, Lang: "console", Text: "$ test \"$X\" = kept && basename \"$PWD\"\nsub\n"},
	})
	if err != nil || !strings.Contains(out, "sub") {
		t.Fatalf("err = %v\n%s", err, out)
	}
}

// TestConfigExamples loads every <!-- doctest: config --> block as
// pricechecker loads its configuration file.
func TestConfigExamples(t *testing.T) {
	blocks := directed(t, "config")
	if len(blocks) == 0 {
		t.Fatal("no configuration example marked <!-- doctest: config -->")
	}
	for _, b := range blocks {
		if _, err := config.Parse([]byte(b.Text)); err != nil {
			t.Errorf("%s: %v", b.Where(), err)
		}
	}
}

type workflowFile struct {
	On   map[string]any         `yaml:"on"`
	Jobs map[string]workflowJob `yaml:"jobs"`
}

type workflowJob struct {
	Uses    string         `yaml:"uses"`
	With    map[string]any `yaml:"with"`
	Secrets any            `yaml:"secrets"`
	Steps   []struct {
		Uses string         `yaml:"uses"`
		With map[string]any `yaml:"with"`
	} `yaml:"steps"`
}

type parameter struct {
	Required bool `yaml:"required"`
}

var (
	reusableRE = regexp.MustCompile(`^(?:pricechecker/pricechecker/|\./)(\.github/workflows/[^@]+)(?:@.+)?$`)
	actionRE   = regexp.MustCompile(`^(?:pricechecker/pricechecker@.+|\./)$`)
)

// TestWorkflowExamples checks every <!-- doctest: workflow --> block: it
// parses, calls this repository's reusable workflow or action, and passes
// only inputs and secrets those declare, every required one included.
func TestWorkflowExamples(t *testing.T) {
	blocks := directed(t, "workflow")
	if len(blocks) == 0 {
		t.Fatal("no workflow example marked <!-- doctest: workflow -->")
	}
	var action struct {
		Inputs map[string]parameter `yaml:"inputs"`
	}
	readYAML(t, filepath.Join(root(), "action.yml"), &action)
	for _, b := range blocks {
		var wf workflowFile
		if err := yaml.Unmarshal([]byte(b.Text), &wf); err != nil {
			t.Errorf("%s: not YAML: %v", b.Where(), err)
			continue
		}
		if len(wf.On) == 0 || len(wf.Jobs) == 0 {
			t.Errorf("%s: a workflow needs on: and jobs:", b.Where())
		}
		calls := 0
		for name, job := range wf.Jobs {
			if m := reusableRE.FindStringSubmatch(job.Uses); m != nil {
				calls++
				var called struct {
					On struct {
						Call struct {
							Inputs  map[string]parameter `yaml:"inputs"`
							Secrets map[string]parameter `yaml:"secrets"`
						} `yaml:"workflow_call"`
					} `yaml:"on"`
				}
				readYAML(t, filepath.Join(root(), m[1]), &called)
				where := fmt.Sprintf("%s: job %s", b.Where(), name)
				checkParameters(t, where+" with:", job.With, called.On.Call.Inputs)
				if secrets, ok := job.Secrets.(map[string]any); ok {
					checkParameters(t, where+" secrets:", secrets, called.On.Call.Secrets)
				} else if job.Secrets != nil && job.Secrets != "inherit" {
					t.Errorf("%s: secrets: is neither a map nor inherit", where)
				}
			}
			for i, s := range job.Steps {
				if actionRE.MatchString(s.Uses) {
					calls++
					checkParameters(t, fmt.Sprintf("%s: job %s step %d with:", b.Where(), name, i+1), s.With, action.Inputs)
				}
			}
		}
		if calls == 0 {
			t.Errorf("%s: calls neither pricechecker's reusable workflow nor its action", b.Where())
		}
		actionlint(t, b)
	}
}

// actionlint lints the example as a workflow file of its own repository,
// as a reader's copy would be. scripts/test.sh installs actionlint; without
// it the lint is skipped, except under CI=true, where a missing tool fails.
func actionlint(t *testing.T, b Block) {
	t.Helper()
	tool, err := exec.LookPath("actionlint")
	if err != nil {
		tool = filepath.Join(goEnv(t, "GOPATH"), "bin", "actionlint")
		if _, err := os.Stat(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Errorf("actionlint is missing (scripts/test.sh installs it)")
			} else {
				t.Logf("%s: not linted: actionlint is missing (scripts/test.sh installs it)", b.Where())
			}
			return
		}
	}
	dir := filepath.Join(t.TempDir(), ".github", "workflows")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "prices.yml")
	if err := os.WriteFile(file, []byte(b.Text), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tool, "-no-color", file)
	cmd.Dir = filepath.Dir(filepath.Dir(dir))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("%s: actionlint: %v\n%s", b.Where(), err, out)
	}
}

func checkParameters(t *testing.T, where string, given map[string]any, declared map[string]parameter) {
	t.Helper()
	for k := range given {
		if _, ok := declared[k]; !ok {
			t.Errorf("%s %s is not declared (declared: %s)", where, k, strings.Join(slices.Sorted(maps.Keys(declared)), ", "))
		}
	}
	for k, p := range declared {
		if _, ok := given[k]; p.Required && !ok {
			t.Errorf("%s required %s is missing", where, k)
		}
	}
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// TestLinks: every relative link of README.md and docs/*.md names a file
// of the repository, and every #anchor a heading of its page.
func TestLinks(t *testing.T) {
	anchors := map[string]map[string]bool{}
	anchorsOf := func(file string) map[string]bool {
		if a, ok := anchors[file]; ok {
			return a
		}
		data, err := os.ReadFile(filepath.Join(root(), file))
		if err != nil {
			return nil
		}
		anchors[file] = Anchors(data)
		return anchors[file]
	}
	checked := 0
	for _, f := range pages(t) {
		data, err := os.ReadFile(filepath.Join(root(), f))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range Links(data) {
			if strings.Contains(l.Target, "://") || strings.HasPrefix(l.Target, "mailto:") {
				continue
			}
			checked++
			path, anchor, _ := strings.Cut(l.Target, "#")
			target := f
			if path != "" {
				target = filepath.Join(filepath.Dir(f), path)
				if _, err := os.Stat(filepath.Join(root(), target)); err != nil {
					t.Errorf("%s:%d: link to %s: no such file", f, l.Line, l.Target)
					continue
				}
			}
			if anchor == "" {
				continue
			}
			if !strings.HasSuffix(target, ".md") {
				t.Errorf("%s:%d: link to %s: an anchor into a file that is not Markdown", f, l.Line, l.Target)
			} else if !anchorsOf(target)[anchor] {
				t.Errorf("%s:%d: link to %s: %s has no heading #%s", f, l.Line, l.Target, target, anchor)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no relative link found")
	}
}

// TestParseRefusesBadDirectives: a typo in a doctest comment must not turn
// a check off silently.
func TestParseRefusesBadDirectives(t *testing.T) {
	for name, md := range map[string]string{
		"skip without reason": "<!-- doctest: skip -->\n```sh\nfalse\n```\n",
		"unknown directive":   "<!-- doctest: skpi: typo -->\n```sh\nfalse\n```\n",
		"no block after it":   "<!-- doctest: skip: x -->\ntext\n```sh\nfalse\n```\n",
		"config on sh":        "<!-- doctest: config -->\n```sh\nfalse\n```\n",
		"skip on yaml":        "<!-- doctest: skip: x -->\n```yaml\na: 1\n```\n",
		"unclosed fence":      "```sh\nfalse\n",
	} {
		if _, err := Parse("x.md", []byte(md)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	blocks, err := Parse("x.md", []byte("- item:\n\n  <!-- doctest: skip: needs AWS -->\n  ```sh\n  aws s3 ls\n    indented\n  ```\n"))
	if err != nil || len(blocks) != 1 || blocks[0].Reason != "needs AWS" || blocks[0].Text != "aws s3 ls\n  indented\n" || blocks[0].Runs() {
		t.Fatalf("blocks = %+v, err = %v", blocks, err)
	}
}

func TestSlug(t *testing.T) {
	for heading, want := range map[string]string{
		"Publishing: `pricechecker notify`": "publishing-pricechecker-notify",
		"`run --commit` / `--push`":         "run---commit----push",
		"The relay (AWS Lambda)":            "the-relay-aws-lambda",
		"1. Create the spreadsheet":         "1-create-the-spreadsheet",
		"See [the guide](x.md)":             "see-the-guide",
	} {
		if got := Slug(heading); got != want {
			t.Errorf("Slug(%q) = %q, want %q", heading, got, want)
		}
	}
	a := Anchors([]byte("# A\n## A\n```sh\n# not a heading\n```\n"))
	if !a["a"] || !a["a-1"] || a["not-a-heading"] {
		t.Errorf("anchors = %v", a)
	}
}

// seedRemote makes the bare repository that stands in for the reader's
// GitHub or GitLab repository: the demo configuration and the first
// version of the mirror recorded, so that the example's run records a real
// change. It returns the remote's path.
func seedRemote(t *testing.T, env []string) string {
	t.Helper()
	remote, seed := testkit.CloneOfBare(t, t.TempDir())
	if err := os.MkdirAll(filepath.Join(seed, ".github"), 0o755); err != nil {
		t.Fatal(err)
	}
	conf := "offers:\n  - code: AmazonRedshift\n    regions: [us-east-1]\n    terms: [OnDemand]\n    filters:\n      productFamily: Compute Instance\n    attributes: [instanceType, vcpu, memory]\n"
	if err := os.WriteFile(filepath.Join(seed, ".github", "pricechecker.yml"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	testkit.Git(t, seed, "add", ".github/pricechecker.yml")
	testkit.Git(t, seed, "commit", "-q", "-m", "pricechecker configuration")
	cmd := exec.Command(filepath.Join(bin, "pricechecker"), "run", "--endpoint", mirror(t), "--version", "20180309224506", "--commit", "--push")
	cmd.Dir, cmd.Env = seed, env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("seed the remote: %v\n%s", err, out)
	}
	return remote
}

// checkRecorded: the remote's branch gained the commit of the mirror's
// current version, and Slack got one message.
func checkRecorded(t *testing.T, remote string, slack *slackfake.Server, wantMessages int) {
	t.Helper()
	subjects := testkit.Git(t, remote, "log", "--format=%s", "main")
	if !strings.HasPrefix(subjects, "AmazonRedshift us-east-1 20180401000000:") || strings.Count(subjects, "\n") != 2 {
		t.Errorf("remote history:\n%s\nwant the 20180401000000 version recorded on top of the seed", subjects)
	}
	if n := len(slack.Messages()); n != wantMessages {
		t.Errorf("Slack got %d messages, want %d", n, wantMessages)
	}
}

var cronEnvRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*\s*=`)

// cronCommands returns the command of each job line of a crontab, and the
// NAME=value lines, which cron puts in the jobs' environment.
func cronCommands(t *testing.T, b Block) (cmds, vars []string) {
	t.Helper()
	for _, line := range strings.Split(b.Text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case cronEnvRE.MatchString(line):
			vars = append(vars, line)
		default:
			fields := strings.Fields(line)
			n := 5
			if strings.HasPrefix(line, "@") {
				n = 1
			}
			if len(fields) <= n {
				t.Fatalf("%s: %q is no crontab line", b.Where(), line)
			}
			cmd := line
			for range n {
				cmd = strings.TrimSpace(strings.TrimPrefix(cmd, strings.Fields(cmd)[0]))
			}
			// cron turns an unescaped % into a newline.
			if strings.Contains(strings.ReplaceAll(cmd, `\%`, ""), "%") {
				t.Errorf("%s: the command has a %% that cron would turn into a newline: %s", b.Where(), cmd)
			}
			cmds = append(cmds, cmd)
		}
	}
	if len(cmds) == 0 {
		t.Fatalf("%s: no job line", b.Where())
	}
	return cmds, vars
}

// TestCronExample runs each job line of docs/cron.md's crontab as cron
// would (/bin/sh, from HOME, a bare PATH), twice, against a clone of a bare
// file:// remote, with the mirror as the Bulk API and the Slack fake as the
// webhook: the first time records the new version on the remote and posts
// once; the second changes nothing and posts nothing.
func TestCronExample(t *testing.T) {
	blocks := directed(t, "crontab")
	if len(blocks) == 0 {
		t.Fatal("no crontab example marked <!-- doctest: crontab -->")
	}
	for _, b := range blocks {
		env, home := offline(t)
		remote := seedRemote(t, env)
		testkit.Git(t, home, "clone", "-q", remote, filepath.Join(home, "prices"))
		// Where go install puts it (GOPATH's default is ~/go).
		data, err := os.ReadFile(filepath.Join(bin, "pricechecker"))
		if err == nil {
			err = os.MkdirAll(filepath.Join(home, "go", "bin"), 0o755)
		}
		if err == nil {
			err = os.WriteFile(filepath.Join(home, "go", "bin", "pricechecker"), data, 0o755)
		}
		slack := slackfake.New()
		defer slack.Close()
		if err == nil {
			err = os.MkdirAll(filepath.Join(home, ".config"), 0o700)
		}
		if err == nil {
			err = os.WriteFile(filepath.Join(home, ".config", "pricechecker.env"), []byte("export SLACK_WEBHOOK_URL="+slack.WebhookURL()+"\n"), 0o600)
		}
		if err != nil {
			t.Fatal(err)
		}
		cmds, vars := cronCommands(t, b)
		cronEnv := []string{"HOME=" + home, "LOGNAME=reader", "SHELL=/bin/sh", "PATH=/usr/bin:/bin"}
		for _, kv := range env {
			if !strings.HasPrefix(kv, "PATH=") && !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "PRICECHECKER_ENDPOINT=") {
				cronEnv = append(cronEnv, kv)
			}
		}
		cronEnv = append(cronEnv, "PRICECHECKER_ENDPOINT="+mirror(t))
		cronEnv = append(cronEnv, vars...)
		for round := 1; round <= 2; round++ {
			for _, c := range cmds {
				cmd := exec.Command("/bin/sh", "-c", c)
				cmd.Dir, cmd.Env = home, cronEnv
				if out, err := cmd.CombinedOutput(); err != nil {
					log, _ := os.ReadFile(filepath.Join(home, "pricechecker.log"))
					t.Fatalf("%s: round %d: %s: %v\n%s\nlog:\n%s", b.Where(), round, c, err, out, log)
				}
			}
			checkRecorded(t, remote, slack, 1)
		}
	}
}

// TestGitLabCIExample runs the before_script and script lines of each job
// of docs/gitlab-ci.md's .gitlab-ci.yml as GitLab's shell executor would:
// one bash, in a clone detached at the branch's head, with GitLab's
// variables. git's insteadOf turns the job's https push URL into a bare
// file:// remote; the Bulk API is the mirror and Slack the fake. Lines
// that download (go install …@latest) are not run: pricechecker is on
// PATH already.
func TestGitLabCIExample(t *testing.T) {
	blocks := directed(t, "gitlab-ci")
	if len(blocks) == 0 {
		t.Fatal("no GitLab CI example marked <!-- doctest: gitlab-ci -->")
	}
	for _, b := range blocks {
		var pipeline map[string]any
		if err := yaml.Unmarshal([]byte(b.Text), &pipeline); err != nil {
			t.Fatalf("%s: not YAML: %v", b.Where(), err)
		}
		jobs := 0
		for name, v := range pipeline {
			job, ok := v.(map[string]any)
			if !ok || job["script"] == nil {
				continue
			}
			jobs++
			t.Run(name, func(t *testing.T) {
				const token, host, project = "glpat-doctest", "gitlab.example.com", "acme/prices"
				seedEnv, _ := offline(t)
				remote := seedRemote(t, seedEnv)
				env, home := offline(t, fmt.Sprintf("[url \"file://%s\"]\n\tinsteadOf = https://oauth2:%s@%s/%s.git\n", remote, token, host, project))
				dir := filepath.Join(home, "builds", project)
				testkit.Git(t, home, "clone", "-q", remote, dir)
				sha := testkit.Git(t, dir, "rev-parse", "HEAD")
				testkit.Git(t, dir, "checkout", "-q", "--detach", sha)
				slack := slackfake.New()
				defer slack.Close()
				env = slices.DeleteFunc(env, func(kv string) bool { return strings.HasPrefix(kv, "PRICECHECKER_ENDPOINT=") })
				env = append(env, "PRICECHECKER_ENDPOINT="+mirror(t), "SLACK_WEBHOOK_URL="+slack.WebhookURL(),
					"CI=true", "GITLAB_CI=true", "CI_PIPELINE_SOURCE=schedule", "CI_COMMIT_BRANCH=main", "CI_DEFAULT_BRANCH=main",
					"CI_COMMIT_SHA="+sha, "CI_PROJECT_DIR="+dir, "CI_SERVER_HOST="+host, "CI_SERVER_URL=https://"+host,
					"CI_PROJECT_PATH="+project, "CI_PROJECT_URL=https://"+host+"/"+project, "PRICECHECKER_PUSH_TOKEN="+token)
				if vars, ok := job["variables"].(map[string]any); ok {
					for k, v := range vars {
						env = append(env, fmt.Sprintf("%s=%v", k, v))
					}
				}
				var script strings.Builder
				script.WriteString("set -eo pipefail\n")
				for _, key := range []string{"before_script", "script"} {
					for _, line := range scriptLines(t, job[key]) {
						if strings.HasPrefix(line, "go install ") {
							t.Logf("not run offline: %s", line)
							continue
						}
						script.WriteString(line + "\n")
					}
				}
				cmd := exec.Command("bash", "-c", script.String())
				cmd.Dir, cmd.Env = dir, env
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("%s: job %s: %v\n%s", b.Where(), name, err, tail(string(out), 60))
				}
				checkRecorded(t, remote, slack, 1)
			})
		}
		if jobs == 0 {
			t.Errorf("%s: no job with a script", b.Where())
		}
	}
}

func scriptLines(t *testing.T, v any) []string {
	t.Helper()
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		return []string{v}
	case []any:
		var lines []string
		for _, x := range v {
			lines = append(lines, scriptLines(t, x)...)
		}
		return lines
	}
	t.Fatalf("a script line of type %T", v)
	return nil
}

// TestDemoRepeats: scripts/demo.sh prints the same real change report every
// time it runs, each time in a folder of its own (it used to print "No
// price changed" the second time, in a fixed /tmp folder shared by every
// user of the machine).
func TestDemoRepeats(t *testing.T) {
	env, _ := offline(t)
	want := "| AmazonRedshift | us-east-1 | 20180309224506 → 20180401000000 |"
	folders := map[string]bool{}
	for range 2 {
		cmd := exec.Command(filepath.Join(root(), "scripts", "demo.sh"))
		cmd.Env = env
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("demo: %v\n%s", err, stderr.String())
		}
		if !strings.Contains(stdout.String(), want) {
			t.Fatalf("the demo's report lacks %q:\n%s", want, stdout.String())
		}
		m := regexp.MustCompile(`are in (\S+)`).FindStringSubmatch(stderr.String())
		if m == nil {
			t.Fatalf("the demo does not say where its files are:\n%s", stderr.String())
		}
		folders[m[1]] = true
	}
	if len(folders) != 2 {
		t.Errorf("both runs used %v", folders)
	}
}

var repoPathRE = regexp.MustCompile(`(?:^|[^A-Za-z0-9_./-])((?:internal|cmd|scripts|testdata)/[A-Za-z0-9_./-]*[A-Za-z0-9_])`)

// TestPathsExist: every path of this repository the pages name (a package,
// a script, a test file), in prose or in a code block, exists, so a package
// that moves cannot leave the documentation pointing at its old place. The
// relay's build output (cmd/relay/dist, which the SAM template deploys) is
// the one path that exists only after a build.
func TestPathsExist(t *testing.T) {
	checked := 0
	for _, f := range pages(t) {
		data, err := os.ReadFile(filepath.Join(root(), f))
		if err != nil {
			t.Fatal(err)
		}
		for n, line := range strings.Split(string(data), "\n") {
			for _, m := range repoPathRE.FindAllStringSubmatch(line, -1) {
				p := m[1]
				if strings.HasPrefix(p, "cmd/relay/dist") {
					continue
				}
				checked++
				if _, err := os.Stat(filepath.Join(root(), p)); err != nil {
					t.Errorf("%s:%d: %s does not exist", f, n+1, p)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no repository path found")
	}
}

// TestWebhookReceiverExample runs the receiver's signature check of
// docs/publishing.md (<!-- doctest: webhook-receiver -->) on a real
// delivery: notify posts the demo's change report to the webhook fake with
// a secret, the check accepts the body and signature received, and refuses
// the same body with one byte changed.
func TestWebhookReceiverExample(t *testing.T) {
	blocks := directed(t, "webhook-receiver")
	if len(blocks) == 0 {
		t.Fatal("no example marked <!-- doctest: webhook-receiver -->")
	}
	env, _ := offline(t)
	dir := t.TempDir()
	const secret = "doctest-secret"
	hook := webhookfake.New(secret)
	defer hook.Close()
	pc := filepath.Join(bin, "pricechecker")
	for _, args := range [][]string{
		{"run", "--endpoint", mirror(t), "--service", "AmazonRedshift", "--region", "us-east-1", "--version", "20180309224506"},
		{"run", "--endpoint", mirror(t), "--service", "AmazonRedshift", "--region", "us-east-1", "--report", "report.json"},
		{"notify", "--report", "report.json"},
	} {
		cmd := exec.Command(pc, args...)
		cmd.Dir, cmd.Env = dir, append(env, "PRICECHECKER_WEBHOOK_URL="+hook.URL, "PRICECHECKER_WEBHOOK_SECRET="+secret)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("pricechecker %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	got := hook.Deliveries()
	if len(got) != 1 || got[0].Signature == "" {
		t.Fatalf("deliveries = %+v, want one signed", got)
	}
	for _, b := range blocks {
		for _, body := range []struct {
			bytes []byte
			valid bool
		}{{got[0].Body, true}, {append(slices.Clone(got[0].Body), ' '), false}} {
			if err := os.WriteFile(filepath.Join(dir, "body.json"), body.bytes, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("bash", "-c", "set -euo pipefail\n"+b.Text)
			cmd.Dir, cmd.Env = dir, append(env, "SIGNATURE="+got[0].Signature, "PRICECHECKER_WEBHOOK_SECRET="+secret)
			out, err := cmd.CombinedOutput()
			if body.valid && err != nil {
				t.Errorf("%s: refuses a genuine delivery: %v\n%s", b.Where(), err, out)
			}
			if !body.valid && err == nil {
				t.Errorf("%s: accepts a body that is not the one signed", b.Where())
			}
		}
	}
}
