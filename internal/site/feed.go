package site

import (
	"encoding/xml"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// feedGroup is one feed entry: a commit, with the versions it recorded.
type feedGroup struct {
	Commit  string
	Date    time.Time
	Entries []entry
}

// byCommit groups versions (newest first) by commit, keeping the order.
func byCommit(entries []entry) []feedGroup {
	var out []feedGroup
	at := map[string]int{}
	for _, e := range entries {
		i, ok := at[e.Commit]
		if !ok {
			i = len(out)
			at[e.Commit] = i
			out = append(out, feedGroup{Commit: e.Commit, Date: e.Date})
		}
		out[i].Entries = append(out[i].Entries, e)
	}
	return out
}

// groups makes an entry of every version.
func groups(entries []entry) []feedGroup {
	out := make([]feedGroup, len(entries))
	for i, e := range entries {
		out[i] = feedGroup{Commit: e.Commit, Date: e.Date, Entries: []entry{e}}
	}
	return out
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomEntry struct {
	ID      string     `xml:"id"`
	Title   string     `xml:"title"`
	Updated string     `xml:"updated"`
	Links   []atomLink `xml:"link"`
	Summary atomText   `xml:"summary"`
}

type atomFeedDoc struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  string      `xml:"author>name"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

// atomFeed writes an Atom 1.0 feed of groups (newest first). slug is the
// offer's folder ("" for the whole site). Links are relative to the feed
// itself unless BaseURL is set; ids are tag: URIs that stay the same wherever
// the site is published.
func atomFeed(opts Options, slug, title string, gs []feedGroup, now time.Time) ([]byte, error) {
	base := strings.TrimSuffix(opts.BaseURL, "/")
	// A reader resolves a relative link against the feed's own address,
	// so without a base an offer's feed climbs to the site's root.
	root := ""
	if slug != "" {
		root = "../../../"
	}
	abs := func(rel string) string {
		if base == "" {
			return root + rel
		}
		return base + "/" + rel
	}
	self := "feed.xml"
	page := "index.html"
	if slug != "" {
		self = "offers/" + slug + "/feed.xml"
		page = "offers/" + slug + "/index.html"
	}
	updated := now
	if len(gs) > 0 {
		updated = gs[0].Date
	}
	doc := atomFeedDoc{
		ID:      "tag:pricechecker,2024:" + url.PathEscape(strings.ReplaceAll(slug, "/", ":")) + ":feed",
		Title:   title,
		Updated: updated.UTC().Format(time.RFC3339),
		Author:  "pricechecker",
		Links:   []atomLink{{Href: abs(self), Rel: "self", Type: "application/atom+xml"}, {Href: abs(page), Rel: "alternate", Type: "text/html"}},
	}
	if slug == "" {
		doc.ID = "tag:pricechecker,2024:feed"
	}
	for _, g := range gs {
		var titles, body []string
		for _, e := range g.Entries {
			titles = append(titles, fmt.Sprintf("%s %s: %s", e.Offer, e.Region, e.Summary()))
			body = append(body, fmt.Sprintf("%s %s version %s (published %s): %s", e.Offer, e.Region, e.Version.Version, e.PublicationDate, e.Summary()))
			for _, c := range e.Changes {
				body = append(body, "  "+changeText(c))
			}
			for _, f := range e.Flags {
				body = append(body, fmt.Sprintf("  flag %s: %s: %s", f.Kind, f.RateCode, f.Message))
			}
			if m := e.More(); m > 0 {
				body = append(body, fmt.Sprintf("  and %d more", m))
			}
		}
		link := abs("changes.html#c-" + g.Commit)
		if opts.CommitURL != "" {
			link = opts.CommitURL + g.Commit
		}
		id := "tag:pricechecker,2024:commit:" + g.Commit
		if slug != "" {
			id += ":" + strings.ReplaceAll(slug, "/", ":")
		}
		doc.Entries = append(doc.Entries, atomEntry{
			ID: id, Title: strings.Join(titles, "; "), Updated: g.Date.UTC().Format(time.RFC3339),
			Links:   []atomLink{{Href: link, Rel: "alternate"}},
			Summary: atomText{Type: "text", Body: strings.Join(body, "\n")},
		})
	}
	out, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode the feed: %w", err)
	}
	return append([]byte(xml.Header), append(out, '\n')...), nil
}

// changeText is a change as a line of text: "label: 1 → 2 USD (+100%)".
func changeText(c Change) string {
	switch c.Kind {
	case "new":
		return fmt.Sprintf("new: %s: %s %s", c.Label, c.New, c.Currency)
	case "removed":
		return fmt.Sprintf("removed: %s (was %s %s)", c.Label, c.Old, c.Currency)
	}
	var text string
	if c.Old == c.New {
		text = fmt.Sprintf("%s: %s %s", c.Label, c.New, c.Currency)
	} else {
		text = fmt.Sprintf("%s: %s → %s %s (%s)", c.Label, c.Old, c.New, c.Currency, c.Pct)
	}
	if c.Fields != "" {
		text += "; " + c.Fields
	}
	if len(c.Flags) > 0 {
		text += " [" + strings.Join(c.Flags, ", ") + "]"
	}
	return text
}
