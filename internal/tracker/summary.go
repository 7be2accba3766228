package tracker

import (
	"fmt"
	"strings"

	"github.com/pricechecker/pricechecker/internal/actions"
	"github.com/pricechecker/pricechecker/internal/publish"
	"github.com/pricechecker/pricechecker/internal/site"
	"github.com/pricechecker/pricechecker/internal/textsafe"
)

// maxSitePages bounds the site links of a summary; past it the summary
// links the site's home page.
const maxSitePages = 10

// NotifySummary is the job summary of a whole pipeline, written by
// notify: the run's status, the destinations notify could not update
// ("Not published", each with its reason on one line), its jobs, the
// merged change report, and the links that survive a size cut (the footer): the commit the shards
// pushed, the diff, the site's pages of what changed (when siteBase, the
// site's public address, is known), the spreadsheet and the run.
func NotifySummary(o publish.Outcome, run actions.WorkflowRun, siteBase string) (body, footer string) {
	var b strings.Builder
	fmt.Fprintf(&b, "## pricechecker: %s\n\n", o.RunStatus())
	if len(o.Unpublished) > 0 {
		// The reasons are the publishers' errors, already redacted (no
		// URL, token or secret); kept on one line each.
		b.WriteString("**Not published:**\n\n")
		for _, u := range o.Unpublished {
			reason := textsafe.Line(strings.Join(strings.Fields(u.Reason), " "))
			fmt.Fprintf(&b, "- %s: %s\n", markdownText(textsafe.Line(u.Destination)), markdownText(reason))
		}
		b.WriteString("\n")
	}
	if len(o.Jobs) > 0 {
		b.WriteString("| Job | Result |\n| --- | --- |\n")
		for _, j := range o.Jobs {
			name := strings.ReplaceAll(j.Name, "|", `\|`)
			if j.URL != "" {
				name = fmt.Sprintf("[%s](%s)", name, j.URL)
			}
			fmt.Fprintf(&b, "| %s | %s |\n", name, j.Result)
		}
		b.WriteString("\n")
	}
	b.WriteString(o.Report.Markdown(0))

	var links []string
	add := func(text, url string) {
		if url != "" {
			links = append(links, fmt.Sprintf("[%s](%s)", text, url))
		}
	}
	commitURL := ""
	if o.Commit != "" {
		commitURL = run.Links.CommitURL(o.Commit)
		add("commit "+o.Commit[:min(7, len(o.Commit))], commitURL)
	}
	if o.Links.Commit != commitURL {
		add("diff", o.Links.Commit)
	}
	var pages []string
	for _, off := range o.Report.Offers {
		if !off.Empty() && siteBase != "" {
			pages = append(pages, fmt.Sprintf("[site: %s %s](%s)", off.OfferCode, off.Region, site.PageURL(siteBase, off.OfferCode, off.Region)))
		}
	}
	if len(pages) > maxSitePages {
		pages = []string{fmt.Sprintf("[price history site](%s/index.html)", strings.TrimSuffix(siteBase, "/"))}
	}
	links = append(links, pages...)
	add("spreadsheet", o.Links.Spreadsheet)
	add("workflow run", o.Links.Run)
	if len(links) == 0 {
		return b.String(), ""
	}
	return b.String(), "\n" + strings.Join(links, " · ") + "\n"
}

// markdownText keeps s as text in Markdown: no link, emphasis, code or
// HTML (a word_with_underscores stays as it is).
func markdownText(s string) string {
	return strings.NewReplacer(`\`, `\\`, "<", "&lt;", ">", "&gt;", "[", `\[`, "]", `\]`, "*", `\*`, "`", "\\`").Replace(s)
}
