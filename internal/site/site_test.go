package site

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pricechecker/pricechecker/internal/config"
	"github.com/pricechecker/pricechecker/internal/gitstore"
	"github.com/pricechecker/pricechecker/internal/report"
	"github.com/pricechecker/pricechecker/internal/site/sitetest"
	"github.com/pricechecker/pricechecker/internal/snapshot"
)

// history generates a small history of days commits in a temporary folder.
func history(t testing.TB, days, rows int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	if err := sitetest.Generate(dir, sitetest.Params{Days: days, Rows: rows}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func build(t testing.TB, repo, out string) Stats {
	t.Helper()
	var st Stats
	if err := Build(context.Background(), Options{Repo: repo, Prices: "prices", Out: out, Stats: &st}); err != nil {
		t.Fatal(err)
	}
	return st
}

func gitOut(t testing.TB, repo string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", repo}, args...)...).Output()
	if err != nil {
		t.Fatalf("git %v: %v", args, err)
	}
	return strings.TrimSpace(string(out))
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// The home page's data lists every offer with its latest version and line
// count, and each offer's lines.json holds the lines in force: the removed
// line is gone, the added one is there.
func TestBuildListsOffersAndCurrentLines(t *testing.T) {
	repo := history(t, 12, 20)
	out := t.TempDir()
	build(t, repo, out)
	var offers []homeOffer
	readJSON(t, filepath.Join(out, "offers.json"), &offers)
	if len(offers) != 2 {
		t.Fatalf("offers.json has %d offers, want 2: %+v", len(offers), offers)
	}
	ec2, rs := offers[0], offers[1]
	if ec2.OfferCode != "AmazonEC2" || ec2.Versions != 12 || ec2.Lines != 20 || ec2.Version != "20250112060000" {
		t.Errorf("EC2 = %+v, want 12 versions of 20 lines, the last 20250112060000", ec2)
	}
	if rs.OfferCode != "AmazonRedshift" || rs.Versions != 2 || !rs.Recorded.Equal(sitetest.Start.AddDate(0, 0, 10)) {
		t.Errorf("Redshift = %+v, want 2 versions, the last on day 10", rs)
	}
	var lines []currentLine
	readJSON(t, filepath.Join(out, "offers", "AmazonEC2", "us-east-1", "lines.json"), &lines)
	rates := map[string]bool{}
	for _, l := range lines {
		rates[l.Line.RateCode] = true
	}
	if len(lines) != 20 || rates[sitetest.RateCode(1)] || !rates[sitetest.RateCode(20)] {
		t.Errorf("lines.json has %d lines (removed one there: %v, added one there: %v)", len(lines), rates[sitetest.RateCode(1)], rates[sitetest.RateCode(20)])
	}
	for _, l := range lines {
		if l.Line.RateCode == sitetest.RateCode(4) && l.Label != "t3.micro · US East (N. Virginia) · Reserved 1yr standard All Upfront · Quantity" {
			t.Errorf("label of a reserved line = %q", l.Label)
		}
	}
}

// A rebuild after one new commit reads only the new version (and the last
// one built, where it resumes), and writes what a full build writes.
func TestRebuildReadsOnlyWhatChanged(t *testing.T) {
	repo := history(t, 12, 20)
	out := t.TempDir()
	if st := build(t, repo, out); st.Versions != 12+2 || st.Offers != 2 {
		t.Fatalf("full build decoded %d versions of %d offers, want 14 of 2", st.Versions, st.Offers)
	}
	if st := build(t, repo, out); st.Versions != 0 || st.Offers != 0 {
		t.Errorf("a rebuild with no new commit walked %d offers, decoded %d versions; want none", st.Offers, st.Versions)
	}
	if err := sitetest.AddDay(repo, 12); err != nil {
		t.Fatal(err)
	}
	// Only the new version is decoded.
	if st := build(t, repo, out); st.Versions != 1 {
		t.Errorf("rebuild after one commit decoded %d versions, want 1", st.Versions)
	}
	fresh := t.TempDir()
	build(t, repo, fresh)
	assertSameData(t, out, fresh)
}

// A state left by another history (rewritten, or another repository) is
// not trusted: the build starts over.
func TestRebuildAfterRewrittenHistoryStartsOver(t *testing.T) {
	out := t.TempDir()
	build(t, history(t, 12, 20), out)
	other := history(t, 5, 20)
	build(t, other, out)
	fresh := t.TempDir()
	build(t, other, fresh)
	assertSameData(t, out, fresh)
}

// assertSameData compares the data files of two builds (pages carry the
// build time).
func assertSameData(t *testing.T, got, want string) {
	t.Helper()
	for _, f := range []string{"offers.json", "feed.xml", "offers/AmazonEC2/us-east-1/data.js", "offers/AmazonEC2/us-east-1/lines.json",
		"offers/AmazonEC2/us-east-1/history.json", "offers/AmazonEC2/us-east-1/feed.xml", "offers/AmazonRedshift/eu-west-1/history.json"} {
		a, err := os.ReadFile(filepath.Join(got, f))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(want, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs from a full build's", f)
		}
	}
}

// AWS's text reaches the pages as text: an attribute holding markup is
// escaped in the HTML, and cannot close the script that carries the data.
func TestPagesEscapeAWSText(t *testing.T) {
	out := t.TempDir()
	build(t, history(t, 12, 20), out)
	for _, f := range []string{"changes.html", "index.html", "offers/AmazonEC2/us-east-1/index.html", "offers/AmazonEC2/us-east-1/data.js"} {
		data, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte("<img")) || bytes.Contains(data, []byte("</script><")) && strings.HasSuffix(f, ".js") {
			t.Errorf("%s carries AWS text as markup", f)
		}
	}
	changes, _ := os.ReadFile(filepath.Join(out, "changes.html"))
	if !bytes.Contains(changes, []byte("&lt;img src=x onerror=alert(1)&gt;")) {
		t.Errorf("changes.html lost the hostile attribute instead of escaping it")
	}
}

type atomDoc struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Author  []struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Links   []struct{ Href, Rel string } `xml:"link"`
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Links   []struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Summary string `xml:"summary"`
	} `xml:"entry"`
}

// checkAtom parses a feed and holds it to Atom 1.0's musts (RFC 4287 4.1):
// the feed and each entry have an id (an IRI), a title and an RFC 3339
// updated; the feed has an author (so entries need none); each entry has a
// link (it has no content). It returns the entries' ids.
func checkAtom(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc atomDoc
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s is not an Atom feed: %v", path, err)
	}
	iri := func(s string) bool { return strings.Contains(s, ":") && !strings.ContainsAny(s, " <>\"") }
	stamp := func(s string) bool { _, err := time.Parse(time.RFC3339, s); return err == nil }
	if !iri(doc.ID) || doc.Title == "" || !stamp(doc.Updated) || len(doc.Author) != 1 || doc.Author[0].Name == "" {
		t.Errorf("%s: feed id %q, title %q, updated %q, authors %v", path, doc.ID, doc.Title, doc.Updated, doc.Author)
	}
	var ids []string
	seen := map[string]bool{}
	for _, e := range doc.Entries {
		if !iri(e.ID) || seen[e.ID] || e.Title == "" || !stamp(e.Updated) || len(e.Links) == 0 || e.Links[0].Href == "" || e.Summary == "" {
			t.Errorf("%s: entry %+v misses what Atom requires", path, e)
		}
		seen[e.ID] = true
		ids = append(ids, e.ID)
	}
	return ids
}

// feed.xml has one entry per commit that recorded a version; each offer's
// feed one per version of that offer.
func TestFeedsAreAtomWithAnEntryPerCommit(t *testing.T) {
	repo := history(t, 12, 20)
	out := t.TempDir()
	build(t, repo, out)
	commits := strings.Fields(gitOut(t, repo, "rev-list", "HEAD", "--", "prices"))
	ids := checkAtom(t, filepath.Join(out, "feed.xml"))
	if len(ids) != len(commits) {
		t.Fatalf("feed.xml has %d entries, want one per commit: %d", len(ids), len(commits))
	}
	for i, c := range commits { // both newest first
		if !strings.HasSuffix(ids[i], c) {
			t.Errorf("entry %d is %s, want commit %s", i, ids[i], c)
		}
	}
	rs := strings.Fields(gitOut(t, repo, "rev-list", "HEAD", "--", "prices/AmazonRedshift/eu-west-1.csv"))
	if n := len(checkAtom(t, filepath.Join(out, "offers", "AmazonRedshift", "eu-west-1", "feed.xml"))); n != len(rs) || n != 2 {
		t.Errorf("the Redshift feed has %d entries, want %d", n, len(rs))
	}
}

// With --base-url the feed's links are absolute; a commit links to GitHub
// when the remote is known.
func TestFeedLinks(t *testing.T) {
	repo := history(t, 3, 5)
	out := t.TempDir()
	err := Build(context.Background(), Options{Repo: repo, Prices: "prices", Out: out,
		BaseURL: "https://o.github.io/p/", CommitURL: "https://github.com/o/p/commit/"})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(out, "feed.xml"))
	head := gitOut(t, repo, "rev-parse", "HEAD")
	for _, want := range []string{`href="https://o.github.io/p/feed.xml" rel="self"`, `href="https://github.com/o/p/commit/` + head + `"`} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("feed.xml lacks %s", want)
		}
	}
	page, _ := os.ReadFile(filepath.Join(out, "changes.html"))
	if !bytes.Contains(page, []byte(`href="https://github.com/o/p/commit/`+head+`"`)) {
		t.Errorf("changes.html does not link the commit")
	}
}

func TestCommitURL(t *testing.T) {
	for remote, want := range map[string]string{
		"git@github.com:o/p.git":                       "https://github.com/o/p/commit/",
		"https://github.com/o/p":                       "https://github.com/o/p/commit/",
		"https://x-access-token:s3cr3t@github.com/o/p": "",
		"https://gitlab.com/o/p.git":                   "",
		"https://github.com/o/p/extra":                 "",
		"":                                             "",
	} {
		if got := commitURL(remote); got != want {
			t.Errorf("commitURL(%q) = %q, want %q", remote, got, want)
		}
	}
}

// A build that cannot write leaves no state behind claiming it did; the
// next build does the work.
func TestFailedBuildKeepsPreviousState(t *testing.T) {
	repo := history(t, 3, 5)
	out := t.TempDir()
	build(t, repo, out)
	before, _ := os.ReadFile(filepath.Join(out, stateFile))
	if err := sitetest.AddDay(repo, 3); err != nil {
		t.Fatal(err)
	}
	// A file where the offer's folder must go: the build fails.
	os.RemoveAll(filepath.Join(out, "offers", "AmazonEC2"))
	os.WriteFile(filepath.Join(out, "offers", "AmazonEC2"), nil, 0o644)
	if err := Build(context.Background(), Options{Repo: repo, Prices: "prices", Out: out}); err == nil {
		t.Fatal("the build succeeded over a file in its way")
	}
	after, _ := os.ReadFile(filepath.Join(out, stateFile))
	if !bytes.Equal(before, after) {
		t.Error("a failed build changed the state file")
	}
	os.Remove(filepath.Join(out, "offers", "AmazonEC2"))
	build(t, repo, out)
	var offers []homeOffer
	readJSON(t, filepath.Join(out, "offers.json"), &offers)
	if offers[0].Versions != 4 {
		t.Errorf("after the failure, the site has %d versions, want 4", offers[0].Versions)
	}
}

// The history JSON of a line has a row per move with the change AWS made.
func TestHistoryRows(t *testing.T) {
	out := t.TempDir()
	build(t, history(t, 4, 5), out)
	var rows []gitstore.Row
	readJSON(t, filepath.Join(out, "offers", "AmazonEC2", "us-east-1", "history.json"), &rows)
	var got []string
	for _, r := range rows {
		if r.RateCode == sitetest.RateCode(1) || r.RateCode == sitetest.RateCode(5) {
			got = append(got, r.Date.Format("01-02")+" "+r.RateCode[:16]+" "+strconv.Quote(r.Change))
		}
	}
	want := []string{`01-01 SKU0000000000001 ""`, `01-03 SKU0000000000001 "removed"`, `01-02 SKU0000000000005 "new"`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("history rows = %q, want %q", got, want)
	}
}

// Without --base-url every link of every feed, resolved against the feed's
// own address as a feed reader does, is a file of the site.
func TestFeedLinksResolveFromTheFeed(t *testing.T) {
	repo := history(t, 3, 5)
	out := t.TempDir()
	build(t, repo, out)
	type link struct {
		Href string `xml:"href,attr"`
	}
	var doc struct {
		Links   []link `xml:"link"`
		Entries []struct {
			Links []link `xml:"link"`
		} `xml:"entry"`
	}
	feeds := 0
	err := filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.Name() != "feed.xml" {
			return err
		}
		feeds++
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		doc.Links, doc.Entries = nil, nil
		if err := xml.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		links := doc.Links
		for _, e := range doc.Entries {
			links = append(links, e.Links...)
		}
		if len(links) < 3 {
			t.Errorf("%s has %d links", p, len(links))
		}
		self := &url.URL{Scheme: "file", Path: filepath.ToSlash(p)}
		for _, l := range links {
			ref, err := url.Parse(l.Href)
			if err != nil {
				t.Errorf("%s: link %q: %v", p, l.Href, err)
				continue
			}
			target := self.ResolveReference(ref)
			if target.Scheme != "file" {
				t.Errorf("%s: link %q is absolute without --base-url", p, l.Href)
				continue
			}
			if !exists(filepath.FromSlash(target.Path)) {
				t.Errorf("%s: link %q resolves to %s, which is not in the site", p, l.Href, target.Path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if feeds != 3 {
		t.Errorf("checked %d feeds, want 3 (the site's and two offers')", feeds)
	}
}

// The site's change report of every version is the diff's (what run
// commits and `pricechecker diff` prints): an attribute-only change under
// the same rate code counts, a moved effective date does not, and the
// flags are listed on changes.html.
func TestChangesAreTheDiffs(t *testing.T) {
	repo := history(t, 12, 20)
	file := filepath.Join(repo, "prices", "AmazonRedshift", "eu-west-1.csv")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	csv := string(data)
	for _, r := range []struct{ old, new string }{
		// A large move on RS1.
		{"OnDemand,Hrs,0.2510000000", "OnDemand,Hrs,9.0000000000"},
		// RS2: an attribute-only change and a moved effective date.
		{"0,Inf,2025-01-01,ds2.8xlarge upfront,ds2.8xlarge,", "0,Inf,2025-02-01,ds2.8xlarge upfront,ds2.xlarge,"},
	} {
		if !strings.Contains(csv, r.old) {
			t.Fatalf("the Redshift snapshot lacks %q:\n%s", r.old, csv)
		}
		csv = strings.Replace(csv, r.old, r.new, 1)
	}
	if err := os.WriteFile(file, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	date := sitetest.Start.AddDate(0, 0, 13).Format(time.RFC3339)
	cmd := exec.Command("git", "-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-am", "Redshift moves")
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git commit: %v: %s", err, out)
	}

	out := t.TempDir()
	var st state
	build(t, repo, out)
	st = loadState(filepath.Join(out, stateFile))
	ctx := context.Background()
	g, err := gitstore.Open(ctx, repo)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	checked := 0
	for _, o := range st.Offers {
		for i, v := range o.Versions[1:] {
			rep, err := g.Diff(ctx, "prices", o.Versions[i].Commit, v.Commit, snapshot.DiffOptions{FlagPct: config.DefaultFlagPct})
			if err != nil {
				t.Fatal(err)
			}
			var want report.Offer
			for _, ro := range rep.Offers {
				if ro.OfferCode == o.OfferCode && ro.Region == o.Region {
					want = ro
				}
			}
			a, r, c := want.Counts()
			if v.Added != a || v.Removed != r || v.Changed != c {
				t.Errorf("%s %s at %s: %d new, %d removed, %d changed; the diff says %d, %d, %d", o.OfferCode, o.Region, v.Commit, v.Added, v.Removed, v.Changed, a, r, c)
			}
			if got, want := flagKinds(v.Flags), flagKinds(want.Flags); got != want {
				t.Errorf("%s %s at %s: flags %s, the diff's %s", o.OfferCode, o.Region, v.Commit, got, want)
			}
			checked++
		}
	}
	if checked != 11+2 {
		t.Errorf("compared %d versions, want 13", checked)
	}
	rs := st.Offers["prices/AmazonRedshift/eu-west-1.csv"]
	if rs == nil {
		t.Fatalf("no Redshift offer in %v", st.Offers)
	}
	last := rs.Latest()
	if last.Changed != 2 || flagKinds(last.Flags) != "attributes_changed:RS2.38NPMPTW36.2TG2D8R56U large_move:RS1.JRTCKXETXF.6YS6EN2CT7" {
		t.Errorf("the last Redshift version: %d changed, flags %s; want both lines changed and flagged", last.Changed, flagKinds(last.Flags))
	}
	page, _ := os.ReadFile(filepath.Join(out, "changes.html"))
	for _, want := range []string{"2 changed", `<span class="flag">large_move</span>`, `<span class="flag">attributes_changed</span>`, "instanceType &#34;ds2.8xlarge&#34; → &#34;ds2.xlarge&#34;"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("changes.html lacks %s", want)
		}
	}
}

func flagKinds(flags []report.Flag) string {
	var out []string
	for _, f := range flags {
		out = append(out, f.Kind+":"+f.RateCode)
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

// offers.json has snake_case keys, as lines.json and history.json.
func TestOffersJSONKeys(t *testing.T) {
	repo := history(t, 3, 5)
	out := t.TempDir()
	build(t, repo, out)
	var offers []map[string]any
	readJSON(t, filepath.Join(out, "offers.json"), &offers)
	if len(offers) == 0 {
		t.Fatal("offers.json is empty")
	}
	var keys []string
	for k := range offers[0] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if got, want := strings.Join(keys, " "), "href last_change lines offer_code publication_date recorded region version versions"; got != want {
		t.Errorf("offers.json keys are %s, want %s", got, want)
	}
}
