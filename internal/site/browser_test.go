package site

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/pricechecker/pricechecker/internal/site/sitetest"
)

// chromiumPath finds Debian's chromium. Without it the browser tests skip,
// except in CI (CI=true), where scripts/test.sh installs it and a skip
// would hide a broken page.
func chromiumPath(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed; scripts/test.sh installs it (apt-get install -y chromium)")
	}
	t.Skip("chromium is not installed; run scripts/test.sh, or apt-get install -y chromium")
	return ""
}

// browser is a headless Chromium that records what the page sends and logs.
type browser struct {
	ctx      context.Context
	mu       sync.Mutex
	requests []string
	problems []string
}

// newBrowser starts Chromium with no background connections (the machine
// may have no network, and a test must not reach it anyway) and a fresh
// profile.
func newBrowser(t testing.TB) *browser {
	t.Helper()
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1200, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	b := &browser{}
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(b.event))
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // start it
		t.Fatalf("start chromium: %v", err)
	}
	b.ctx = ctx
	return b
}

func (b *browser) event(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		b.requests = append(b.requests, e.Request.URL)
	case *runtime.EventExceptionThrown:
		b.problems = append(b.problems, "exception: "+e.ExceptionDetails.Text+" "+fmt.Sprint(e.ExceptionDetails.Exception))
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning || e.Type == runtime.ConsoleAPICalledTypeAssert {
			b.problems = append(b.problems, "console "+string(e.Type))
		}
	case *log.EventEntryAdded:
		if e.Entry.Level == log.EntryLevelError || e.Entry.Level == log.EntryLevelWarning {
			b.problems = append(b.problems, "log: "+e.Entry.Text+" "+e.Entry.URL)
		}
	}
}

// check fails the test for any console error or request that left base.
func (b *browser) check(t *testing.T, base string) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		t.Errorf("the page logged %s", p)
	}
	if len(b.requests) == 0 {
		t.Error("no request seen: the network listener is not working")
	}
	for _, r := range b.requests {
		if !strings.HasPrefix(r, base) {
			t.Errorf("the page requested %s, outside %s", r, base)
		}
	}
	b.problems, b.requests = nil, nil
}

// typeFilter types text into the filter as a person would, over what it
// held.
func typeFilter(text string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Focus(chromedp.CSS("#line-filter")),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Evaluate[any](`document.querySelector("#line-filter").select()`)(ctx, t)
			return err
		}),
		chromedp.KeyEvent(text),
	)
}

func eval[T any](t *testing.T, b *browser, js string) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

func do(t *testing.T, b *browser, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Steps(steps...)); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// gitTimeline reads the price of rate code rc from every commit of the
// snapshot with git itself, and keeps the points where it moved: the
// timeline a page must draw.
func gitTimeline(t *testing.T, repo, file, rc string) [][2]string {
	t.Helper()
	var points [][2]string
	for _, l := range strings.Split(gitOut(t, repo, "log", "--reverse", "--format=%H %cI", "--", file), "\n") {
		sha, date, _ := strings.Cut(l, " ")
		d, _ := time.Parse(time.RFC3339, date)
		for _, row := range strings.Split(gitOut(t, repo, "show", sha+":"+file), "\n") {
			if strings.HasPrefix(row, rc+",") {
				price := strings.Split(row, ",")[4]
				if len(points) == 0 || points[len(points)-1][1] != price {
					points = append(points, [2]string{d.UTC().Format(time.RFC3339), price})
				}
			}
		}
	}
	return points
}

func TestSiteInBrowser(t *testing.T) {
	b := newBrowser(t)
	repo := history(t, 12, 30)
	out := t.TempDir()
	build(t, repo, out)
	srv := httptest.NewServer(http.FileServer(http.Dir(out)))
	defer srv.Close()
	want := gitTimeline(t, repo, "prices/AmazonEC2/us-east-1.csv", sitetest.RateCode(0))
	if len(want) != 12 {
		t.Fatalf("the generated history moves line 0 %d times, want 12", len(want))
	}
	for _, base := range []string{srv.URL + "/", "file://" + filepath.ToSlash(out) + "/"} {
		t.Run(strings.Split(base, ":")[0], func(t *testing.T) {
			browse(t, b, base, want)
		})
	}
}

func browse(t *testing.T, b *browser, base string, timeline [][2]string) {
	// Home: both offers; follow the link to EC2.
	do(t, b, "load home", chromedp.Navigate(base+"index.html"), chromedp.WaitVisible(chromedp.CSS("#offers")))
	if n := eval[int](t, b, `document.querySelectorAll("#offers tbody tr").length`); n != 2 {
		t.Errorf("home lists %d offers, want 2", n)
	}
	do(t, b, "follow the EC2 link", chromedp.Click(chromedp.CSS(`#offers a[href*="AmazonEC2"]`)),
		chromedp.WaitVisible(chromedp.CSS("#lines tbody tr")))
	if h := eval[string](t, b, `document.querySelector("h1").textContent`); h != "AmazonEC2 us-east-1" {
		t.Fatalf("the link led to %q", h)
	}
	rows := `Array.from(document.querySelectorAll("#lines tbody tr")).map(r => r.textContent)`
	if got := eval[[]string](t, b, rows); len(got) != 30 {
		t.Errorf("the page shows %d lines, want 30", len(got))
	}

	// Filter as you type: words must all match, in any column.
	do(t, b, "type a filter", typeFilter("reserved t3"))
	got := eval[[]string](t, b, rows)
	// Lines 4 and 24 are the reserved t3.micro ones (i%5 == 4, i%6 == 4).
	if len(got) != 1 || !strings.Contains(got[0], sitetest.RateCode(4)) {
		t.Errorf("filter 'reserved t3' shows %d rows: %q", len(got), got)
	}
	do(t, b, "type another filter", typeFilter("Reserved"))
	got = eval[[]string](t, b, rows)
	if len(got) != 6 {
		t.Errorf("filter 'Reserved' shows %d rows, want 6: %q", len(got), got)
	}
	for _, r := range got {
		if !strings.Contains(r, "Reserved 1yr standard All Upfront") {
			t.Errorf("filter 'Reserved' shows %q", r)
		}
	}

	// Sort by price, both ways, with the keyboard.
	prices := `Array.from(document.querySelectorAll("#lines tbody tr td.num")).map(td => parseFloat(td.textContent))`
	do(t, b, "sort by price", chromedp.Focus(chromedp.CSS(`#lines th button[aria-label="sort by Price"]`)), chromedp.KeyEvent("\r"))
	asc := eval[[]float64](t, b, prices)
	do(t, b, "sort by price again", chromedp.KeyEvent("\r"))
	desc := eval[[]float64](t, b, prices)
	if len(asc) != 6 || !slices.IsSorted(asc) || !slices.Equal(desc, reversed(asc)) {
		t.Errorf("sorted by price: %v then %v", asc, desc)
	}

	// A line's timeline, opened with the keyboard, has a point per move
	// git recorded, at the commit's date.
	rc := sitetest.RateCode(0)
	do(t, b, "find line 0", typeFilter(rc),
		chromedp.Focus(chromedp.CSS("#lines tbody button.open")), chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.CSS("#timeline circle")))
	points := eval[[][2]string](t, b, `Array.from(document.querySelectorAll("#timeline circle")).map(c => [c.dataset.date, c.dataset.price])`)
	if fmt.Sprint(points) != fmt.Sprint(timeline) {
		t.Errorf("timeline points = %v\nwant (git) %v", points, timeline)
	}
	// The timeline is a link: opening it anew shows the same line.
	do(t, b, "open the timeline's link", chromedp.Navigate(base+"offers/AmazonEC2/us-east-1/index.html#line="+rc),
		chromedp.WaitVisible(chromedp.CSS("#timeline circle")))
	if n := eval[int](t, b, `document.querySelectorAll("#timeline circle").length`); n != len(timeline) {
		t.Errorf("the linked timeline has %d points, want %d", n, len(timeline))
	}

	// The hostile attribute is text on the page, not an element.
	do(t, b, "filter the hostile line", typeFilter("onerror"))
	if n := eval[int](t, b, `document.querySelectorAll("#lines img").length`); n != 0 {
		t.Errorf("AWS text became %d img elements", n)
	}
	if got := eval[[]string](t, b, rows); len(got) != 1 || !strings.Contains(got[0], sitetest.Hostile) {
		t.Errorf("the hostile line shows as %q", got)
	}

	// The changes page and the feed link work too.
	do(t, b, "open changes", chromedp.Navigate(base+"changes.html"), chromedp.WaitVisible(chromedp.CSS(".entries")))
	if n := eval[int](t, b, `document.querySelectorAll(".entries > li").length`); n != 12+2 {
		t.Errorf("changes lists %d versions, want 14", n)
	}
	b.check(t, base)
}

// BenchmarkFilterInBrowser measures, inside Chromium, filtering the lines
// of an offer page (SITE_BENCH_ROWS lines, default 25,000): the time from a
// keystroke's new filter to the table laid out again, by performance.now().
func BenchmarkFilterInBrowser(b *testing.B) {
	rows := 25000
	if s := os.Getenv("SITE_BENCH_ROWS"); s != "" {
		rows, _ = strconv.Atoi(s)
	}
	repo, err := sitetest.Cached(benchDir(), sitetest.Params{Days: 3, Rows: rows})
	if err != nil {
		b.Fatal(err)
	}
	out := b.TempDir()
	build(b, repo, out)
	br := newBrowser(b)
	page := "file://" + filepath.ToSlash(out) + "/offers/AmazonEC2/us-east-1/index.html"
	if _, err := chromedp.Run(br.ctx, chromedp.Steps(chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("#lines tbody tr")))); err != nil {
		b.Fatal(err)
	}
	queries := []string{"m5", "m5.large", "m5.large reserved", "r5", "x", ""}
	var worst, total float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q := queries[i%len(queries)]
		ms, err := chromedp.Run(br.ctx, chromedp.Evaluate[float64](fmt.Sprintf("window.pcFilterBench(%q)", q)))
		if err != nil {
			b.Fatal(err)
		}
		total += ms
		worst = max(worst, ms)
	}
	b.ReportMetric(total/float64(b.N), "ms/filter")
	b.ReportMetric(worst, "worst-ms")
}

func reversed(s []float64) []float64 {
	r := slices.Clone(s)
	slices.Reverse(r)
	return r
}

// benchDir caches generated histories between benchmark runs, keyed by
// their size: SITE_BENCH_DIR, default /tmp/pricechecker-bench-site.
func benchDir() string {
	if d := os.Getenv("SITE_BENCH_DIR"); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "pricechecker-bench-site")
}

// A page draws the first 100 matching lines; "Show more" draws more, and a
// filter starts from the first 100 again.
func TestSiteShowsMoreInBrowser(t *testing.T) {
	b := newBrowser(t)
	out := t.TempDir()
	build(t, history(t, 2, 250), out)
	base := "file://" + filepath.ToSlash(out) + "/"
	do(t, b, "open the offer", chromedp.Navigate(base+"offers/AmazonEC2/us-east-1/index.html"), chromedp.WaitVisible(chromedp.CSS("#lines tbody tr")))
	rows := `document.querySelectorAll("#lines tbody tr").length`
	if n := eval[int](t, b, rows); n != 100 {
		t.Errorf("the page draws %d rows, want the first 100", n)
	}
	if c := eval[string](t, b, `document.getElementById("line-count").textContent`); c != "251 of 251 lines, showing the first 100" {
		t.Errorf("count = %q", c)
	}
	do(t, b, "show more", chromedp.Focus(chromedp.CSS("#show-more")), chromedp.KeyEvent("\r"))
	if n := eval[int](t, b, rows); n != 251 {
		t.Errorf("after Show more, %d rows, want 251", n)
	}
	if eval[bool](t, b, `!document.getElementById("show-more").hidden`) {
		t.Error("Show more still offered with every line drawn")
	}
	do(t, b, "filter", typeFilter("reserved"))
	if n := eval[int](t, b, rows); n != 50 {
		t.Errorf("filter 'reserved' draws %d rows, want 50", n)
	}
	b.check(t, base)
}
