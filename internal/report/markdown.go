package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/pricechecker/pricechecker/internal/textsafe"
)

// Largest returns the changes ordered for people: largest absolute move
// first, lines without a percentage (from zero, attribute-only) after them,
// ties by rate code so that the order is stable.
func Largest(changes []Change) []Change {
	out := slices.Clone(changes)
	slices.SortStableFunc(out, func(a, b Change) int {
		switch {
		case a.ChangePct != nil && b.ChangePct != nil:
			if c := cmp.Compare(math.Abs(*b.ChangePct), math.Abs(*a.ChangePct)); c != 0 {
				return c
			}
		case a.ChangePct != nil:
			return -1
		case b.ChangePct != nil:
			return 1
		}
		return cmp.Compare(a.RateCode, b.RateCode)
	})
	return out
}

// FormatPct renders a change percentage, "n/a" when undefined.
func FormatPct(p *float64) string {
	if p == nil {
		return "n/a"
	}
	return fmt.Sprintf("%+.2f%%", *p)
}

// Subject is a one-line summary, used as the commit subject:
// "AmazonEC2 us-east-1 20261115000000: 12 changed, 3 added, 1 removed".
// Several offers or regions are summed up on one line, each named with its
// version: "AmazonEC2 us-east-1 20261115000000, AmazonEC2 eu-west-1
// 20261115000000: 20 changed, 3 added, 1 removed" (after three, "N more").
// It never holds a control character (see textsafe): git refuses a
// message with a NUL byte.
func (r Report) Subject() string { return textsafe.Line(r.subject()) }

func (r Report) subject() string {
	var parts []string
	changedOffers := 0
	for _, o := range r.Offers {
		if o.Skipped == "" {
			changedOffers++
		}
	}
	for _, o := range r.Offers {
		if o.Skipped != "" {
			continue
		}
		a, rm, c := o.Counts()
		if changedOffers == 1 {
			return fmt.Sprintf("%s %s %s: %d changed, %d added, %d removed", o.OfferCode, o.Region, o.ToVersion, c, a, rm)
		}
		// Each part reads like the one-region subject, so that the log
		// answers "which version" for every region it names.
		parts = append(parts, o.OfferCode+" "+o.Region+" "+o.ToVersion)
	}
	if len(parts) == 0 {
		return "AWS prices: no change"
	}
	a, rm, c := r.Totals()
	if len(parts) > 3 {
		parts = append(parts[:3], fmt.Sprintf("%d more", len(parts)-3))
	}
	return fmt.Sprintf("%s: %d changed, %d added, %d removed", strings.Join(parts, ", "), c, a, rm)
}

// Markdown renders the report for people. maxRows caps the rows listed per
// table (largest changes first), so that a job summary stays under GitHub's
// 1 MiB limit; 0 means 50.
//
// The Markdown goes to commit messages, job summaries and terminals, so AWS
// text in it never carries a control character or a bidi override (see
// textsafe), and never breaks out of its table cell.
func (r Report) Markdown(maxRows int) string {
	// Each value is made safe where it is written; this last pass is the
	// boundary that holds even for a value written without it.
	return textsafe.Text(r.markdown(maxRows))
}

func (r Report) markdown(maxRows int) string {
	if maxRows <= 0 {
		maxRows = 50
	}
	var b strings.Builder
	b.WriteString("## AWS price changes\n\n")
	if r.Unchanged {
		b.WriteString("No price changed.\n\n")
	}
	if len(r.Offers) == 0 {
		return b.String()
	}
	b.WriteString("| Offer | Region | Version | Added | Removed | Changed | Flags |\n|---|---|---|---:|---:|---:|---:|\n")
	for _, o := range r.Offers {
		version := o.ToVersion
		if o.FromVersion != "" && o.FromVersion != o.ToVersion {
			version = o.FromVersion + " → " + o.ToVersion
		}
		if o.Skipped != "" {
			fmt.Fprintf(&b, "| %s | %s | %s | – | – | – | %s |\n", cell(o.OfferCode), cell(o.Region), cell(version), cell(o.Skipped))
			continue
		}
		a, rm, c := o.Counts()
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %d | %d | %d |\n", cell(o.OfferCode), cell(o.Region), cell(version), a, rm, c, len(o.Flags))
	}
	b.WriteString("\n")
	for _, o := range r.Offers {
		if o.Skipped != "" || (o.Empty() && len(o.Flags) == 0) {
			continue
		}
		fmt.Fprintf(&b, "### %s %s\n\n", inline(o.OfferCode), inline(o.Region))
		writeFlags(&b, o.Flags, o.Labels(), maxRows)
		writeChanges(&b, o.Changed, maxRows)
		writeLines(&b, "Added", o.Added, maxRows)
		writeLines(&b, "Removed", o.Removed, maxRows)
	}
	return b.String()
}

func writeFlags(b *strings.Builder, flags []Flag, labels map[string]string, maxRows int) {
	if len(flags) == 0 {
		return
	}
	b.WriteString("**Worth a look**\n\n")
	for i, f := range flags {
		if i == maxRows {
			fmt.Fprintf(b, "- …and %d more\n", len(flags)-maxRows)
			break
		}
		if f.RateCode == "" { // a flag of the whole offer/region
			fmt.Fprintf(b, "- `%s`: %s\n", inline(f.Kind), inline(f.Message))
			continue
		}
		// A flag names its line by label when the report lists the line,
		// the rate code following as code; otherwise by rate code alone.
		name := code(f.RateCode)
		if l := labels[f.RateCode]; l != "" && l != f.RateCode {
			name = inline(l) + " (" + name + ")"
		}
		fmt.Fprintf(b, "- `%s` %s: %s\n", inline(f.Kind), name, inline(f.Message))
	}
	b.WriteString("\n")
}

func writeChanges(b *strings.Builder, changes []Change, maxRows int) {
	if len(changes) == 0 {
		return
	}
	fmt.Fprintf(b, "**Changed** (%d, largest first)\n\n| Line | Rate code | Description | Old | New | Change |\n|---|---|---|---:|---:|---:|\n", len(changes))
	for i, c := range Largest(changes) {
		if i == maxRows {
			fmt.Fprintf(b, "| …and %d more | | | | | |\n", len(changes)-maxRows)
			break
		}
		desc := c.Description
		if c.OldPrice == c.NewPrice && len(c.AttributeChanges) > 0 {
			var fs []string
			for _, f := range c.AttributeChanges {
				fs = append(fs, f.Field)
			}
			desc += " (changed: " + strings.Join(fs, ", ") + ")"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n", cell(c.Label(nil)), code(c.RateCode), cell(desc), cell(c.OldPrice), cell(c.NewPrice), FormatPct(c.ChangePct))
	}
	b.WriteString("\n")
}

func writeLines(b *strings.Builder, title string, lines []Line, maxRows int) {
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(b, "**%s** (%d)\n\n| Line | Rate code | Description | Price |\n|---|---|---|---:|\n", title, len(lines))
	for i, l := range lines {
		if i == maxRows {
			fmt.Fprintf(b, "| …and %d more | | | |\n", len(lines)-maxRows)
			break
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", cell(l.Label(nil)), code(l.RateCode), cell(l.Description), cell(l.Price+" "+l.Currency+"/"+l.Unit))
	}
	b.WriteString("\n")
}

// inline makes AWS text safe on one line of Markdown: line breaks become
// spaces (they would end a list item or a table row), any other control
// character or bidi override becomes U+FFFD.
func inline(s string) string {
	return textsafe.Line(lineBreaks.Replace(s))
}

var lineBreaks = strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ")

// cell keeps a value from breaking a Markdown table: on top of inline, a
// pipe is escaped, and so is a backslash, which would otherwise escape the
// pipe's escape ("a\|b" must not end the cell after "a\").
func cell(s string) string {
	return cellEscapes.Replace(inline(s))
}

var cellEscapes = strings.NewReplacer(`\`, `\\`, "|", `\|`)

// code shows a rate code as code when it has the shape AWS gives rate codes;
// anything else is shown as escaped text, since a backtick or backslash
// would break out of the code span.
func code(s string) string {
	if s == "" || strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_')
	}) {
		return cell(s)
	}
	return "`" + s + "`"
}
