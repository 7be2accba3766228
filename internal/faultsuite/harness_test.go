package faultsuite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The binaries under test, built once by TestMain.
var (
	moduleRoot   string // the folder holding go.mod
	mirrorDir    string // testdata/mirror: the Bulk API file layout
	pricechecker string // go build ./cmd/pricechecker
	relayBin     string // go build -tags lambda.norpc ./cmd/relay, as for Lambda
)

// runTimeout bounds one child process: a hang fails the case instead of the
// whole package's test binary.
const runTimeout = 90 * time.Second

// minParallel is how many cases run at once unless -parallel says
// otherwise: the cases mostly wait (backoff, Retry-After, stalls), so more
// of them than there are CPUs keeps the package well under a minute.
const minParallel = 8

func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		_ = flag.Set("test.parallel", strconv.Itoa(max(minParallel, runtime.GOMAXPROCS(0))))
	}
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	var err error
	if moduleRoot, err = findModuleRoot(); err != nil {
		fmt.Fprintln(os.Stderr, "faultsuite:", err)
		return 1
	}
	mirrorDir = filepath.Join(moduleRoot, "testdata", "mirror")
	bin, err := os.MkdirTemp("", "faultsuite-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "faultsuite:", err)
		return 1
	}
	defer os.RemoveAll(bin)
	pricechecker = filepath.Join(bin, "pricechecker")
	relayBin = filepath.Join(bin, "relay", "bootstrap")
	builds := []struct {
		out, pkg string
		env      []string
		tags     []string
	}{
		{pricechecker, "./cmd/pricechecker", nil, nil},
		// Built as cmd/relay/main_test.go builds it for aws-lambda-rie.
		{relayBin, "./cmd/relay", []string{"CGO_ENABLED=0"}, []string{"-tags", "lambda.norpc"}},
	}
	errs := make([]error, len(builds))
	var wg sync.WaitGroup
	for i, b := range builds {
		wg.Go(func() {
			args := append([]string{"build"}, b.tags...)
			args = append(args, "-o", b.out, b.pkg)
			cmd := exec.Command("go", args...)
			cmd.Dir = moduleRoot
			cmd.Env = append(os.Environ(), b.env...)
			if out, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("go build %s: %v\n%s", b.pkg, err, out)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		fmt.Fprintln(os.Stderr, "faultsuite:", err)
		return 1
	}
	return m.Run()
}

// findModuleRoot walks up from the test's working directory (the package
// folder) to the folder with go.mod.
func findModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Result is what one run of a binary gave.
type Result struct {
	Code           int
	Stdout, Stderr string
	Elapsed        time.Duration
	// MaxRSS is the child's peak resident set size in bytes.
	MaxRSS int64
}

// baseEnv is the whole environment of every child: nothing of the
// developer's or CI's environment leaks in (no global git config, no
// PRICECHECKER_*, no AWS_* and no tokens), and git has an identity.
func baseEnv(home string) []string {
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"TMPDIR=" + os.TempDir(),
		"LANG=C",
		"GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Fault Suite",
		"GIT_AUTHOR_EMAIL=faultsuite@example.com",
		"GIT_COMMITTER_NAME=Fault Suite",
		"GIT_COMMITTER_EMAIL=faultsuite@example.com",
		"GIT_TERMINAL_PROMPT=0",
	}
}

// Exec runs a binary in dir with baseEnv plus env (later entries win) and
// returns its exit code and output. A binary that cannot start or hangs
// past runTimeout is reported with t.Errorf and Code -1 (never t.Fatal, so
// that Exec may run in goroutines of the test).
func Exec(t testing.TB, dir string, env []string, bin string, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = append(baseEnv(dir), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	res := Result{Code: 0, Stdout: stdout.String(), Stderr: stderr.String(), Elapsed: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		res.Code = ee.ExitCode()
	case err != nil:
		t.Errorf("%s %s: %v", filepath.Base(bin), strings.Join(args, " "), err)
		return Result{Code: -1}
	}
	if ctx.Err() != nil {
		t.Errorf("%s %s: still running after %s (a hang)\nstderr:\n%s", filepath.Base(bin), strings.Join(args, " "), runTimeout, res.Stderr)
		res.Code = -1
		return res
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		res.MaxRSS = int64(ru.Maxrss) * 1024 // Linux reports KiB
	}
	return res
}

// Fixture is one case's world: a work folder (a git clone of a bare remote
// when asked), a Bulk API with faults, and the environment for the binary.
type Fixture struct {
	Dir  string // the work folder; the binary runs here
	Out  string // the snapshot folder (Dir/prices)
	Bulk *Bulk
	// Remote is the bare repository Dir was cloned from ("" without git).
	Remote string
	// Env is added to baseEnv for every run; PRICECHECKER_ENDPOINT points
	// at Bulk.
	Env []string
}

// NewFixture makes a work folder and a Bulk API; with git, the folder is a
// clone of a fresh bare remote with one commit on main.
func NewFixture(t testing.TB, withGit bool) *Fixture {
	t.Helper()
	root := t.TempDir()
	f := &Fixture{Dir: filepath.Join(root, "work"), Bulk: NewBulk(t)}
	f.Out = filepath.Join(f.Dir, "prices")
	f.Env = []string{"PRICECHECKER_ENDPOINT=" + f.Bulk.URL}
	if withGit {
		f.Remote = NewRemote(t, root)
		Clone(t, f.Remote, f.Dir)
	} else if err := os.Mkdir(f.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return f
}

// Run runs pricechecker in the work folder.
func (f *Fixture) Run(t testing.TB, args ...string) Result {
	t.Helper()
	return Exec(t, f.Dir, f.Env, pricechecker, args...)
}

// MustRun runs pricechecker and fails the test unless it exits 0.
func (f *Fixture) MustRun(t testing.TB, args ...string) Result {
	t.Helper()
	res := f.Run(t, args...)
	if res.Code != 0 {
		t.Fatalf("pricechecker %s: exit %d\nstderr:\n%s", strings.Join(args, " "), res.Code, res.Stderr)
	}
	return res
}

// Write writes a file under the work folder.
func (f *Fixture) Write(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(f.Dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Seed records the older Redshift version (20180309224506) of us-east-1
// and eu-west-1 as the previous snapshot, through the fault-free Bulk API;
// the current version (20180401000000) differs, so a run that succeeds
// rewrites it. With git it is committed and pushed. Call it before
// installing faults.
func (f *Fixture) Seed(t testing.TB) {
	t.Helper()
	args := []string{"run", "--service", "AmazonRedshift", "--region", "us-east-1", "--region", "eu-west-1",
		"--version", "20180309224506", "--progress-interval", "0"}
	if f.Remote != "" {
		args = append(args, "--push")
	}
	f.MustRun(t, args...)
}

// Want is what a case expects.
type Want struct {
	Exit int
	// Stderr holds regular expressions that must all match stderr;
	// NotStderr ones that must not.
	Stderr, NotStderr []string
	// Snapshot says what must have happened under --out.
	Snapshot SnapshotWant
	// Git says what must have happened to HEAD and the remote (only for
	// fixtures with git).
	Git GitWant
}

// SnapshotWant is the expected fate of the snapshot folder.
type SnapshotWant int

const (
	// SnapshotAny checks nothing.
	SnapshotAny SnapshotWant = iota
	// SnapshotUnchanged: every file under --out is byte-identical to
	// before the run, and no file was added or removed.
	SnapshotUnchanged
	// SnapshotWritten: the run changed the folder (a new version).
	SnapshotWritten
)

// GitWant is the expected fate of the repository.
type GitWant int

const (
	// GitAny checks nothing.
	GitAny GitWant = iota
	// GitUnchanged: HEAD and the remote branch are where they were, and
	// the work tree is clean.
	GitUnchanged
	// GitPushed: a new commit is on the remote branch, HEAD is that
	// commit, and the work tree is clean.
	GitPushed
)

// Case is one single-run fault: Setup installs the fault (and usually
// seeds a previous snapshot), then pricechecker runs with Args in the work
// folder and the result is checked against Want. Check, if set, asserts
// more.
type Case struct {
	Name  string
	Git   bool // the work folder is a clone of a bare remote
	Setup func(t *testing.T, f *Fixture)
	Args  []string
	Want  Want
	Check func(t *testing.T, f *Fixture, res Result)
	// Skip, if set, skips the case with this note (a fault not handled
	// yet: say which item of issue 11 will handle it).
	Skip string
}

// RunCases runs each case as a parallel subtest.
func RunCases(t *testing.T, cases []Case) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			if c.Skip != "" {
				t.Skip(c.Skip)
			}
			t.Parallel()
			f := NewFixture(t, c.Git)
			if c.Setup != nil {
				c.Setup(t, f)
			}
			before := HashTree(t, f.Out)
			var head, remote string
			if c.Git {
				head, remote = Rev(t, f.Dir, "HEAD"), Rev(t, f.Remote, "main")
			}
			res := f.Run(t, c.Args...)
			t.Logf("exit %d in %s; stderr:\n%s", res.Code, res.Elapsed.Round(time.Millisecond), res.Stderr)
			CheckResult(t, res, c.Want)
			switch c.Want.Snapshot {
			case SnapshotUnchanged:
				AssertSameTree(t, f.Out, before, HashTree(t, f.Out))
			case SnapshotWritten:
				if maps.Equal(before, HashTree(t, f.Out)) {
					t.Errorf("%s: nothing was written", f.Out)
				}
			}
			if c.Git {
				switch c.Want.Git {
				case GitUnchanged:
					AssertRev(t, f.Dir, "HEAD", head)
					AssertRev(t, f.Remote, "main", remote)
					AssertClean(t, f.Dir)
				case GitPushed:
					if got := Rev(t, f.Remote, "main"); got == remote {
						t.Errorf("the remote branch did not move from %s", remote)
					}
					AssertRev(t, f.Dir, "HEAD", Rev(t, f.Remote, "main"))
					AssertClean(t, f.Dir)
				}
			}
			AssertNoStrayFiles(t, f.Dir)
			if c.Check != nil {
				c.Check(t, f, res)
			}
		})
	}
}

// CheckResult checks the exit code and the message.
func CheckResult(t testing.TB, res Result, w Want) {
	t.Helper()
	if res.Code != w.Exit {
		t.Errorf("exit %d, want %d\nstderr:\n%s", res.Code, w.Exit, res.Stderr)
	}
	for _, p := range w.Stderr {
		if !regexp.MustCompile(p).MatchString(res.Stderr) {
			t.Errorf("stderr does not match %q\nstderr:\n%s", p, res.Stderr)
		}
	}
	for _, p := range w.NotStderr {
		if regexp.MustCompile(p).MatchString(res.Stderr) {
			t.Errorf("stderr matches %q and must not\nstderr:\n%s", p, res.Stderr)
		}
	}
	// A Go panic or a runtime crash is never a clean failure.
	if strings.Contains(res.Stderr, "goroutine ") || strings.Contains(res.Stderr, "panic:") || strings.Contains(res.Stderr, "fatal error:") {
		t.Errorf("the binary crashed:\n%s", res.Stderr)
	}
}

// HashTree returns the SHA-256 of every file under dir, by slash path
// relative to dir (nil when dir does not exist).
func HashTree(t testing.TB, dir string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == dir {
			return fs.SkipAll
		}
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		sum := sha256.Sum256(data)
		sums[filepath.ToSlash(rel)] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sums
}

// AssertSameTree fails for every file added, removed or changed.
func AssertSameTree(t testing.TB, dir string, before, after map[string]string) {
	t.Helper()
	if len(before) == 0 {
		t.Errorf("%s: no previous snapshot to compare with (seed one in Setup)", dir)
	}
	for name, sum := range before {
		switch got, ok := after[name]; {
		case !ok:
			t.Errorf("%s/%s: removed", dir, name)
		case got != sum:
			t.Errorf("%s/%s: changed", dir, name)
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok {
			t.Errorf("%s/%s: added", dir, name)
		}
	}
}

// strayRE matches the names of temporary files the binaries write
// (atomicfile's ".NAME.tmp-*" and run's write probe).
var strayRE = regexp.MustCompile(`\.tmp-|^\.pricechecker-probe-`)

// AssertNoStrayFiles fails for every temporary file left under dir
// (outside .git).
func AssertNoStrayFiles(t testing.TB, dir string) {
	t.Helper()
	var stray []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && d.Name() == ".git" {
			return fs.SkipDir
		}
		if strayRE.MatchString(d.Name()) {
			stray = append(stray, p)
		}
		return nil
	})
	if len(stray) > 0 {
		t.Errorf("stray files left behind: %v", stray)
	}
}

// Git runs git with the suite's clean environment and returns its trimmed
// output; it fails the test when git fails.
func Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = baseEnv(dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// NewRemote makes a bare repository under parent whose main branch has one
// empty commit, "start", and returns its path.
func NewRemote(t testing.TB, parent string) string {
	t.Helper()
	bare := filepath.Join(parent, "remote.git")
	Git(t, parent, "init", "--quiet", "--bare", "--initial-branch=main", bare)
	seed := filepath.Join(parent, "seed")
	Git(t, parent, "clone", "--quiet", bare, seed)
	Git(t, seed, "checkout", "--quiet", "-B", "main")
	Git(t, seed, "commit", "--quiet", "--allow-empty", "-m", "start")
	Git(t, seed, "push", "--quiet", "origin", "main")
	if err := os.RemoveAll(seed); err != nil {
		t.Fatal(err)
	}
	return bare
}

// Clone clones remote into dir (on main).
func Clone(t testing.TB, remote, dir string) {
	t.Helper()
	Git(t, filepath.Dir(dir), "clone", "--quiet", remote, dir)
}

// Rev resolves a revision in a repository (a work tree or a bare one).
func Rev(t testing.TB, repo, rev string) string {
	t.Helper()
	return Git(t, repo, "rev-parse", "--verify", rev+"^{commit}")
}

// AssertRev fails unless rev resolves to want.
func AssertRev(t testing.TB, repo, rev, want string) {
	t.Helper()
	if got := Rev(t, repo, rev); got != want {
		t.Errorf("%s in %s is %s, want %s", rev, repo, got, want)
	}
}

// AssertOnRemote fails unless commit is on the remote's main branch (the
// branch tip or one of its ancestors): nothing committed was lost.
func AssertOnRemote(t testing.TB, remote, commit string) {
	t.Helper()
	cmd := exec.Command("git", "merge-base", "--is-ancestor", commit, "main")
	cmd.Dir = remote
	cmd.Env = baseEnv(remote)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("commit %s is not on %s main: %v %s", commit, remote, err, out)
	}
}

// AssertClean fails unless `git status --porcelain` prints nothing.
func AssertClean(t testing.TB, dir string) {
	t.Helper()
	if st := Git(t, dir, "status", "--porcelain", "--untracked-files=all"); st != "" {
		t.Errorf("work tree %s is not clean:\n%s", dir, st)
	}
}

// Subjects returns the commit subjects of rev, newest first.
func Subjects(t testing.TB, repo, rev string) []string {
	t.Helper()
	return strings.Split(Git(t, repo, "log", "--format=%s", rev), "\n")
}

// ReportPeakRSS reports the largest peak RSS among the children a
// benchmark ran, as the custom metric peak-RSS-MiB. Memory on junk input
// is measured this way, never asserted by a timed test.
func ReportPeakRSS(b *testing.B, results []Result) {
	b.Helper()
	var peak int64
	for _, r := range results {
		peak = max(peak, r.MaxRSS)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MiB")
}

// readMirror returns a file of the mirror by its Bulk API path.
func readMirror(t testing.TB, p string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(mirrorDir, filepath.FromSlash(strings.TrimPrefix(p, "/"))))
	if err != nil {
		t.Fatal(err)
	}
	return data
}
