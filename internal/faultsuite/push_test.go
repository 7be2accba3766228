package faultsuite

import (
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// race is two work trees cloned from one bare remote, fed by one Bulk API.
type race struct {
	remote string
	a, b   *Fixture
}

func newRace(t *testing.T) *race {
	root := t.TempDir()
	bulk := NewBulk(t)
	r := &race{remote: NewRemote(t, root)}
	for i, name := range []string{"a", "b"} {
		dir := filepath.Join(root, name)
		Clone(t, r.remote, dir)
		// Two runners commit at different seconds: their commits of the
		// same snapshot differ, so the second push really conflicts.
		date := fmt.Sprintf("GIT_COMMITTER_DATE=2018-04-01T12:00:0%dZ", i)
		env := []string{"PRICECHECKER_ENDPOINT=" + bulk.URL, date}
		f := &Fixture{Dir: dir, Out: filepath.Join(dir, "prices"), Bulk: bulk, Remote: r.remote, Env: env}
		if name == "a" {
			r.a = f
		} else {
			r.b = f
		}
	}
	return r
}

// both runs a and b at once and returns their results.
func (r *race) both(t *testing.T, argsA, argsB []string) (Result, Result) {
	var resA, resB Result
	var wg sync.WaitGroup
	wg.Go(func() { resA = r.a.Run(t, argsA...) })
	wg.Go(func() { resB = r.b.Run(t, argsB...) })
	wg.Wait()
	for name, res := range map[string]Result{"a": resA, "b": resB} {
		t.Logf("%s: exit %d in %s\nstderr:\n%s", name, res.Code, res.Elapsed.Round(time.Millisecond), res.Stderr)
	}
	return resA, resB
}

// settled checks the end state of both work trees: exit 0, what each
// committed is on the remote's main, nothing uncommitted, no stray files.
func (r *race) settled(t *testing.T, resA, resB Result) {
	t.Helper()
	CheckResult(t, resA, Want{Exit: 0})
	CheckResult(t, resB, Want{Exit: 0})
	for _, f := range []*Fixture{r.a, r.b} {
		AssertOnRemote(t, r.remote, Rev(t, f.Dir, "HEAD"))
		AssertClean(t, f.Dir)
		AssertNoStrayFiles(t, f.Dir)
	}
}

// remoteManifest reads the manifest on the remote's main branch.
func remoteManifest(t *testing.T, remote string) map[string]string {
	t.Helper()
	var m struct {
		Regions map[string]struct {
			Version string `json:"version"`
		} `json:"regions"`
	}
	if err := json.Unmarshal([]byte(Git(t, remote, "show", "main:prices/AmazonRedshift/manifest.json")), &m); err != nil {
		t.Fatal(err)
	}
	versions := map[string]string{}
	for region, st := range m.Regions {
		versions[region] = st.Version
	}
	return versions
}

// stallDownloads holds the first n downloads of the current us-east-1 and
// eu-west-1 files for a moment, so that both runs are fetching before
// either commits: the pushes then really race.
func stallDownloads(b *Bulk, n int) {
	for _, p := range []string{usEastCSV, "/offers/v1.0/aws/AmazonRedshift/20180401000000/eu-west-1/index.csv"} {
		b.Rule(p, Fault{Times: n, StallAfter: 1000, Stall: time.Second})
	}
}

// Two scheduled runs that overlap push to the same branch: both exit 0,
// nothing is lost, and the same price list is recorded once.
func TestPushRaces(t *testing.T) {
	t.Run("the same price list from two clones is recorded once", func(t *testing.T) {
		t.Parallel()
		r := newRace(t)
		stallDownloads(r.a.Bulk, 2)
		args := []string{"run", "--service", "AmazonRedshift", "--region", "us-east-1", "--push", "--progress-interval", "0"}
		resA, resB := r.both(t, args, args)
		r.settled(t, resA, resB)
		if got, want := Subjects(t, r.remote, "main"), []string{"AmazonRedshift us-east-1 20180401000000: 0 changed, 150 added, 0 removed", "start"}; !slices.Equal(got, want) {
			t.Errorf("remote log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		// Both committed before either saw the other's push (else the
		// race was not raced); the loser's rebase then dropped its commit
		// of the same snapshot, or it fetched again on top of the winner.
		committed := regexp.MustCompile(`(?m)^commit: [0-9a-f]{12} AmazonRedshift`)
		if n := len(committed.FindAllString(resA.Stderr, -1)) + len(committed.FindAllString(resB.Stderr, -1)); n < 2 {
			t.Errorf("%d commits made; want each run to commit before the other pushed", n)
		}
		AssertSameTree(t, r.a.Out, HashTree(t, r.a.Out), HashTree(t, r.b.Out))
	})

	t.Run("two regions of one offer from two clones are both recorded", func(t *testing.T) {
		t.Parallel()
		r := newRace(t)
		stallDownloads(r.a.Bulk, 2)
		run := func(region string) []string {
			return []string{"run", "--service", "AmazonRedshift", "--region", region, "--push", "--progress-interval", "0"}
		}
		resA, resB := r.both(t, run("us-east-1"), run("eu-west-1"))
		r.settled(t, resA, resB)
		subjects := Subjects(t, r.remote, "main")
		if len(subjects) != 3 {
			t.Errorf("remote log has %d commits, want 3 (start and one per region):\n%s", len(subjects), strings.Join(subjects, "\n"))
		}
		want := map[string]string{"us-east-1": "20180401000000", "eu-west-1": "20180401000000"}
		if got := remoteManifest(t, r.remote); !maps.Equal(got, want) {
			t.Errorf("remote manifest regions %v, want %v", got, want)
		}
		files := Git(t, r.remote, "ls-tree", "--name-only", "main", "prices/AmazonRedshift/")
		for _, name := range []string{"us-east-1.csv", "eu-west-1.csv", "manifest.json"} {
			if !strings.Contains(files, "prices/AmazonRedshift/"+name) {
				t.Errorf("remote lacks prices/AmazonRedshift/%s:\n%s", name, files)
			}
		}
	})

	t.Run("an older and a newer version of one region end on the newer", func(t *testing.T) {
		t.Parallel()
		r := newRace(t)
		stallDownloads(r.a.Bulk, 1)
		r.a.Bulk.Rule("/offers/v1.0/aws/AmazonRedshift/20180309224506/us-east-1/index.csv", Fault{Times: 1, StallAfter: 1000, Stall: time.Second})
		old := []string{"run", "--service", "AmazonRedshift", "--region", "us-east-1", "--version", "20180309224506", "--push", "--progress-interval", "0"}
		cur := []string{"run", "--service", "AmazonRedshift", "--region", "us-east-1", "--push", "--progress-interval", "0"}
		resA, resB := r.both(t, old, cur)
		r.settled(t, resA, resB)
		if got := remoteManifest(t, r.remote)["us-east-1"]; got != "20180401000000" {
			t.Errorf("remote records us-east-1 %s, want the newer 20180401000000", got)
		}
		// The newer version is on the remote whoever won; the older one
		// too when it won (it is then the newer one's base).
		subjects := Subjects(t, r.remote, "main")
		if !strings.HasPrefix(subjects[0], "AmazonRedshift us-east-1 20180401000000: ") {
			t.Errorf("remote log:\n%s", strings.Join(subjects, "\n"))
		}
	})
}
