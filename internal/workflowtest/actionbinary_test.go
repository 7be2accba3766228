package workflowtest

import (
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// actionRepo is a stand-in for github.com/OWNER/pricechecker that the
// action's binary script reaches through file:// URLs: a bare repository
// (git ls-remote) with releases/download/TAG/ files beside it (curl).
type actionRepo struct {
	t      *testing.T
	server string // SERVER_URL
	bare   string
	work   string
	asset  string
}

func newActionRepo(t *testing.T) *actionRepo {
	root := t.TempDir()
	r := &actionRepo{t: t, server: "file://" + root, bare: filepath.Join(root, "acme", "pricechecker"), work: filepath.Join(root, "work"),
		asset: fmt.Sprintf("pricechecker_%s_%s.tar.gz", runtime.GOOS, runtime.GOARCH)}
	git(t, root, "init", "-q", "--bare", "-b", "main", r.bare)
	git(t, root, "init", "-q", "-b", "main", r.work)
	git(t, r.work, "remote", "add", "origin", r.bare)
	return r
}

// commit makes a commit on main, pushes it and returns its SHA.
func (r *actionRepo) commit(msg string) string {
	git(r.t, r.work, "commit", "-q", "--allow-empty", "-m", msg)
	git(r.t, r.work, "push", "-q", "origin", "main")
	return git(r.t, r.work, "rev-parse", "HEAD")
}

// release tags HEAD (annotated, as a maintainer would) and publishes a
// binary that prints which release it is, with its checksums file.
func (r *actionRepo) release(tag string) {
	git(r.t, r.work, "tag", "-a", "-m", tag, tag)
	git(r.t, r.work, "push", "-q", "origin", "refs/tags/"+tag)
	dir := filepath.Join(r.bare, "releases", "download", tag)
	src := filepath.Join(r.t.TempDir(), "pricechecker")
	if err := os.WriteFile(src, []byte("#!/bin/sh\necho release "+tag+"\n"), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		r.t.Fatal(err)
	}
	if out, err := exec.Command("tar", "-czf", filepath.Join(dir, r.asset), "-C", filepath.Dir(src), "pricechecker").CombinedOutput(); err != nil {
		r.t.Fatalf("tar: %v\n%s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(dir, r.asset))
	if err != nil {
		r.t.Fatal(err)
	}
	sums := fmt.Sprintf("%x  %s\n%x  relay-arm64.zip\n", sha256.Sum256(data), r.asset, sha256.Sum256([]byte("zip")))
	if err := os.WriteFile(filepath.Join(dir, "checksums.txt"), []byte(sums), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// moveMajor moves the lightweight major tag, as release.yml does.
func (r *actionRepo) moveMajor(major, to string) {
	git(r.t, r.work, "tag", "-f", major, to+"^{}")
	git(r.t, r.work, "push", "-q", "-f", "origin", "refs/tags/"+major)
}

// resolve runs scripts/action-binary.sh for ref; a fake go on PATH stands
// for a source build. It returns what the binary printed and the log.
func (r *actionRepo) resolve(repository, ref string) (ran, log string, err error) {
	script, _ := filepath.Abs("../../scripts/action-binary.sh")
	fakeBin := r.t.TempDir()
	goScript := "#!/bin/sh\nif [ \"$1\" = version ]; then echo go version go0 fake; exit 0; fi\nprintf '#!/bin/sh\\necho source build\\n' > \"$3\"; chmod +x \"$3\"\n"
	if err := os.WriteFile(filepath.Join(fakeBin, "go"), []byte(goScript), 0o755); err != nil {
		r.t.Fatal(err)
	}
	cmd := exec.Command("bash", script)
	cmd.Env = append(os.Environ(), "PATH="+fakeBin+":"+os.Getenv("PATH"), "RUNNER_TEMP="+r.t.TempDir(),
		"ACTION_PATH="+r.work, "ACTION_REF="+ref, "ACTION_REPOSITORY="+repository, "SERVER_URL="+r.server)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", stderr.String(), err
	}
	bin := strings.TrimSpace(string(out))
	got, rerr := exec.Command(bin).Output()
	if rerr != nil {
		r.t.Fatalf("run %s: %v", bin, rerr)
	}
	return strings.TrimSpace(string(got)), stderr.String(), nil
}

func TestActionFindsTheReleaseBinaryForTagsAndSHAs(t *testing.T) {
	r := newActionRepo(t)
	r.commit("one")
	r.release("v1.0.0")
	released := r.commit("two")
	r.release("v1.1.0")
	r.moveMajor("v1", "v1.1.0")
	unreleased := r.commit("three")
	twice := r.commit("four")
	r.release("v2.9.0")
	r.release("v2.10.0") // the same commit released twice: the newer wins, by number
	r.commit("five")

	for _, tt := range []struct {
		name, repo, ref string
		want, why       string
	}{
		{"release tag", "acme/pricechecker", "v1.0.0", "release v1.0.0", "using the release binary of v1.0.0"},
		{"major tag", "acme/pricechecker", "v1", "release v1.1.0", "using the release binary of v1.1.0"},
		{"SHA pin of a release", "acme/pricechecker", released, "release v1.1.0", "using the release binary of v1.1.0"},
		{"SHA pin of a commit released twice", "acme/pricechecker", twice, "release v2.10.0", "using the release binary of v2.10.0"},
		{"SHA pin of no release", "acme/pricechecker", unreleased, "source build", "building from source: no vX.Y.Z release tag points at " + unreleased},
		{"branch", "acme/pricechecker", "main", "source build", "building from source: main is not a tag"},
		{"local action", "", "", "source build", "building from source: the action is used from the workflow's own repository"},
		{"unreachable repository", "acme/gone", "v1", "source build", "building from source: cannot list the tags of acme/gone"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ran, log, err := r.resolve(tt.repo, tt.ref)
			if err != nil {
				t.Fatalf("script failed: %v\n%s", err, log)
			}
			if ran != tt.want {
				t.Errorf("ran %q, want %q\n%s", ran, tt.want, log)
			}
			if !strings.Contains(log, tt.why) {
				t.Errorf("log does not say %q:\n%s", tt.why, log)
			}
		})
	}
}

func TestActionRefusesABinaryWithTheWrongChecksum(t *testing.T) {
	r := newActionRepo(t)
	r.commit("one")
	r.release("v1.0.0")
	asset := filepath.Join(r.bare, "releases", "download", "v1.0.0", r.asset)
	if err := os.WriteFile(asset, []byte("tampered"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, log, err := r.resolve("acme/pricechecker", "v1.0.0")
	if err == nil {
		t.Fatalf("a binary with the wrong checksum was accepted:\n%s", log)
	}
	if !strings.Contains(log, "::error::checksum mismatch") {
		t.Errorf("log does not report the mismatch:\n%s", log)
	}
	if strings.Contains(log, "building from source") {
		t.Errorf("a tampered release fell back to a source build:\n%s", log)
	}
}
