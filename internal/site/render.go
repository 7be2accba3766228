package site

import (
	"bufio"
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pricechecker/pricechecker/internal/atomicfile"
	"github.com/pricechecker/pricechecker/internal/gitstore"
	"github.com/pricechecker/pricechecker/internal/linelabel"
	"github.com/pricechecker/pricechecker/internal/report"
)

//go:embed assets/style.css assets/site.js assets/icon.svg
var assets embed.FS

//go:embed templates.html
var templatesText string

var pages = template.Must(template.New("site").Funcs(template.FuncMap{
	"date":  func(t time.Time) string { return t.UTC().Format(time.DateOnly) },
	"stamp": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"short": func(s string) string { return s[:min(len(s), 7)] },
}).Parse(templatesText))

// homeOffer is a row of the home page.
type homeOffer struct {
	OfferCode string `json:"offer_code"`
	Region    string `json:"region"`
	// Href is the offer's page, relative to the site's root.
	Href string `json:"href"`
	// Version and Published are AWS's version and publication date of the
	// newest version recorded.
	Version   string `json:"version"`
	Published string `json:"publication_date"`
	// Recorded is the date of the newest version's commit, LastChange that
	// of the newest one where a line changed.
	Recorded   time.Time `json:"recorded"`
	LastChange time.Time `json:"last_change"`
	Lines      int       `json:"lines"`
	Versions   int       `json:"versions"`
}

// entry is a version of one offer, for the changes page and the feeds.
type entry struct {
	Offer, Region, Href string
	Version
	CommitURL string
}

func (e entry) Summary() string {
	if e.Start {
		return fmt.Sprintf("start of the history: %d lines", e.Lines)
	}
	if e.Added+e.Removed+e.Changed == 0 {
		return "no price moved"
	}
	var parts []string
	for _, p := range []struct {
		n    int
		what string
	}{{e.Changed, "changed"}, {e.Added, "new"}, {e.Removed, "removed"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	return strings.Join(parts, ", ")
}

// More is how many changes the version has beyond those listed.
func (e entry) More() int { return e.Added + e.Removed + e.Changed - len(e.Changes) }

type pageData struct {
	Title, Root, Generated string
	Offers                 []homeOffer
	Entries                []entry
	Offer                  *homeOffer
	Attrs                  []string
}

// render writes the site; the pages and data of an offer only when it is in
// fresh (the others are as the previous build left them).
func render(opts Options, offers []*Offer, fresh map[string]bool, now time.Time) error {
	out := opts.Out
	for _, name := range []string{"assets/style.css", "assets/site.js", "assets/icon.svg"} {
		data, _ := assets.ReadFile(name)
		if err := writeFile(filepath.Join(out, filepath.FromSlash(name)), data); err != nil {
			return err
		}
	}
	var home []homeOffer
	var all []entry
	keep := map[string]bool{}
	for _, o := range offers {
		keep[o.Slug()] = true
		latest := o.Latest()
		h := homeOffer{OfferCode: o.OfferCode, Region: o.Region, Href: "offers/" + o.Slug() + "/index.html",
			Version: latest.Version, Published: latest.PublicationDate, Recorded: latest.Date,
			LastChange: o.LastChange().Date, Lines: latest.Lines, Versions: len(o.Versions)}
		home = append(home, h)
		var entries []entry
		for _, v := range o.Versions {
			e := entry{Offer: o.OfferCode, Region: o.Region, Href: h.Href, Version: v}
			if opts.CommitURL != "" {
				e.CommitURL = opts.CommitURL + v.Commit
			}
			entries = append(entries, e)
		}
		slices.Reverse(entries)
		all = append(all, entries...)
		if !fresh[o.File] {
			continue
		}
		if err := renderOffer(opts, o, h, entries, now); err != nil {
			return err
		}
	}
	slices.SortStableFunc(all, func(a, b entry) int { return b.Date.Compare(a.Date) })
	latest := all[:min(len(all), 20)]
	gen := now.Format(time.RFC3339)
	if err := writeTemplate(filepath.Join(out, "index.html"), "home", pageData{Title: "AWS price history", Root: "", Generated: gen, Offers: home, Entries: latest}); err != nil {
		return err
	}
	if err := writeTemplate(filepath.Join(out, "changes.html"), "changes", pageData{Title: "Every recorded version", Root: "", Generated: gen, Entries: all}); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(out, "offers.json"), home); err != nil {
		return err
	}
	feed, err := atomFeed(opts, "", "AWS price history", byCommit(all), now)
	if err != nil {
		return err
	}
	if err := writeFile(filepath.Join(out, "feed.xml"), feed); err != nil {
		return err
	}
	return removeStaleOffers(out, keep)
}

func renderOffer(opts Options, o *Offer, h homeOffer, entries []entry, now time.Time) error {
	dir := filepath.Join(opts.Out, "offers", filepath.FromSlash(o.Slug()))
	page := pageData{Title: o.OfferCode + " " + o.Region, Root: "../../../", Generated: now.Format(time.RFC3339),
		Offer: &h, Entries: entries[:min(len(entries), 20)], Attrs: o.Attrs}
	if err := writeTemplate(filepath.Join(dir, "index.html"), "offer", page); err != nil {
		return err
	}
	current := o.Current()
	data := pageLines{Offer: o.OfferCode, Region: o.Region, Recorded: o.Latest().Date.UTC().Format(time.RFC3339), Attrs: o.Attrs, Lines: make([]pageLine, 0, len(current))}
	lines := make([]currentLine, 0, len(current))
	for _, l := range current {
		last := l.Points[len(l.Points)-1]
		rows := gitstore.Rows(o.OfferCode, o.Region, l.Line, l.Points)
		pl := pageLine{R: l.Line.RateCode, S: l.Line.SKU, L: linelabel.Label(l.Line, o.Attrs), T: linelabel.Term(l.Line),
			U: l.Line.Unit, C: l.Line.Currency, P: l.Line.Price, D: last.Date.UTC().Format(time.DateOnly), X: rows[len(rows)-1].Change}
		for _, a := range o.Attrs {
			pl.A = append(pl.A, l.Line.Attributes[a])
		}
		for _, p := range l.Points {
			var price *string
			if !p.Removed {
				price = &p.Price
			}
			pl.H = append(pl.H, []any{p.Date.UTC().Format(time.RFC3339), p.Version, p.PublicationDate, price})
		}
		data.Lines = append(data.Lines, pl)
		lines = append(lines, currentLine{Line: l.Line, Label: pl.L, LastChange: last.Date.UTC(), Commit: last.Commit})
	}
	js, err := json.Marshal(data)
	if err != nil {
		return err
	}
	// A script, not a JSON fetch: browsers refuse fetch() from file://.
	// encoding/json escapes <, > and &, so the data cannot close the script.
	if err := writeFile(filepath.Join(dir, "data.js"), append(append([]byte("window.PRICE_DATA = "), js...), ";\n"...)); err != nil {
		return err
	}
	if err := writeJSONArray(filepath.Join(dir, "lines.json"), lines); err != nil {
		return err
	}
	var rows []gitstore.Row
	for _, l := range o.Sorted() {
		rows = append(rows, gitstore.Rows(o.OfferCode, o.Region, l.Line, l.Points)...)
	}
	if err := writeJSONArray(filepath.Join(dir, "history.json"), rows); err != nil {
		return err
	}
	feed, err := atomFeed(opts, o.Slug(), o.OfferCode+" "+o.Region+" price history", groups(entries), now)
	if err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, "feed.xml"), feed)
}

// pageLines is data.js: the offer page's lines, with short keys since a
// page may carry tens of thousands.
type pageLines struct {
	Offer  string `json:"offer"`
	Region string `json:"region"`
	// Recorded is the date of the newest version: a timeline runs to it.
	Recorded string     `json:"recorded"`
	Attrs    []string   `json:"attrs"`
	Lines    []pageLine `json:"lines"`
}

type pageLine struct {
	R string   `json:"r"` // rate code
	S string   `json:"s"` // SKU
	L string   `json:"l"` // label
	T string   `json:"t"` // term
	A []string `json:"a"` // attribute values, in the order of attrs
	U string   `json:"u"` // unit
	C string   `json:"c"` // currency
	P string   `json:"p"` // price
	D string   `json:"d"` // date of the last move
	X string   `json:"x"` // the last move: "", "new" or a percentage
	// H is the timeline: [date, AWS version, publication date, price or
	// null where the line was removed].
	H [][]any `json:"h"`
}

// currentLine is a line of lines.json.
type currentLine struct {
	Line       report.Line `json:"line"`
	Label      string      `json:"label"`
	LastChange time.Time   `json:"last_change"`
	Commit     string      `json:"last_change_commit"`
}

func writeTemplate(path, name string, data pageData) error {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		return fmt.Errorf("render %s: %w", filepath.Base(path), err)
	}
	return writeFile(path, buf.Bytes())
}

func writeJSON(path string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return writeFile(path, append(data, '\n'))
}

// writeJSONArray writes a JSON array an element at a time, so that the
// history of 25,000 lines is never held whole in memory.
func writeJSONArray[T any](path string, items []T) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, 0o644, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<16)
		enc := json.NewEncoder(bw)
		bw.WriteString("[")
		for i, it := range items {
			if i > 0 {
				bw.WriteString(",")
			}
			if err := enc.Encode(it); err != nil {
				return err
			}
		}
		bw.WriteString("]\n")
		return bw.Flush()
	})
}
