package site_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pricechecker/pricechecker/internal/site"
	"github.com/pricechecker/pricechecker/internal/testkit"
	"github.com/pricechecker/pricechecker/internal/tracker"
)

// For two runs against two versions of the mirror, each committed, the
// site's change report of the second version is `pricechecker diff
// HEAD~1 HEAD`'s for every offer and region: the same counts (attribute-only
// changes included) and the same flags, listed on changes.html.
func TestChangesAreTheDiffsOfTheMirror(t *testing.T) {
	if testing.Short() {
		t.Skip("builds pricechecker")
	}
	bin := filepath.Join(t.TempDir(), "pricechecker")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/pricechecker/pricechecker/cmd/pricechecker").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v: %s", err, out)
	}
	repo := t.TempDir()
	cfg := "offers:\n  - code: AmazonRedshift\n    regions: [us-east-1, eu-west-1]\n    attributes: [instanceType, vcpu, memory]\n"
	if err := os.WriteFile(filepath.Join(repo, "cfg.yml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1", "PRICECHECKER_ENDPOINT=",
		"GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.com")
	run := func(extra []string, name string, args ...string) {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = repo
		cmd.Env = append(slices.Clone(env), extra...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v: %s", name, args, err, out)
		}
	}
	run(nil, "git", "init", "--quiet", "--initial-branch=main")
	mirror := "file://" + testkit.Mirror(t)
	for i, version := range []string{"--version=20180309224506", ""} {
		args := []string{"run", "--endpoint", mirror, "--config", "cfg.yml"}
		if version != "" {
			args = append(args, version)
		}
		run(nil, bin, args...)
		run(nil, "git", "add", "prices")
		date := fmt.Sprintf("2018-0%d-10T12:00:00Z", 3+i)
		run([]string{"GIT_AUTHOR_DATE=" + date, "GIT_COMMITTER_DATE=" + date}, "git", "commit", "--quiet", "-m", fmt.Sprint("v", i+1))
	}

	ctx := context.Background()
	rep, err := tracker.Diff(ctx, tracker.DiffOptions{Repo: repo, Out: "prices", From: "HEAD~1", To: "HEAD", HasTo: true, FlagPct: 25})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := site.Build(ctx, site.Options{Repo: repo, Prices: "prices", Out: out}); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(out, "changes.html"))
	if err != nil {
		t.Fatal(err)
	}
	// An entry: its heading names the offer and region, its summary the
	// counts; its flags follow.
	entry := regexp.MustCompile(`(?s)^[0-9a-f]+"><h3>.*?>(\S+) (\S+)</a> version \S+</h3>\s*<p>(.*?);.*?</p>(.*)`)
	got := map[string][2]string{}
	for _, e := range strings.Split(string(page), `<li id="c-`)[1:] {
		m := entry.FindStringSubmatch(e)
		if m == nil {
			t.Fatalf("changes.html: an entry of another shape: %.200s", e)
		}
		if strings.HasPrefix(m[3], "start of") {
			continue
		}
		var flags []string
		for _, f := range regexp.MustCompile(`<ul class="flags">(?s:.*?)</ul>`).FindAllString(m[4], -1) {
			for _, k := range regexp.MustCompile(`<li><span class="flag">(\w+)</span> <span title="[^"]*">([^<]+)</span>`).FindAllStringSubmatch(f, -1) {
				flags = append(flags, k[1]+":"+k[2])
			}
		}
		slices.Sort(flags)
		got[m[1]+" "+m[2]] = [2]string{m[3], strings.Join(flags, " ")}
	}
	if len(rep.Offers) != 2 {
		t.Fatalf("the diff has %d offers, want 2", len(rep.Offers))
	}
	for _, o := range rep.Offers {
		a, r, c := o.Counts()
		want := fmt.Sprintf("%d changed, %d new, %d removed", c, a, r)
		var flags []string
		for _, f := range o.Flags {
			flags = append(flags, f.Kind+":"+f.RateCode)
		}
		slices.Sort(flags)
		g := got[o.OfferCode+" "+o.Region]
		if g[0] != want {
			t.Errorf("%s %s: changes.html says %q, the diff %q", o.OfferCode, o.Region, g[0], want)
		}
		if g[1] != strings.Join(flags, " ") || len(flags) == 0 {
			t.Errorf("%s %s: changes.html flags\n%s\nthe diff's\n%s", o.OfferCode, o.Region, g[1], strings.Join(flags, " "))
		}
	}
}
