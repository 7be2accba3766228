package slack

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	goslack "github.com/slack-go/slack"

	"github.com/pricechecker/pricechecker/internal/publish"
	"github.com/pricechecker/pricechecker/internal/report"
)

// Message is a Slack message: Block Kit blocks plus the plain text that
// notifications, screen readers and clients without Block Kit show.
type Message struct {
	Text   string
	Blocks []goslack.Block
	// PublicationID identifies the report and run the message publishes
	// (see SendOnce); a bot token sends it as message metadata too.
	PublicationID string
	// ThreadTS, when set, posts the message as a reply in the thread of
	// the message with that ts (a bot token only).
	ThreadTS string
	// Reply, from 1, makes the message that reply of the thread of
	// publication PublicationID (see PostThread): its metadata marks it
	// as such, not as the publication's summary.
	Reply int
}

// Slack's limits. Lengths are counted in bytes, which is never less than
// the characters (or UTF-16 units) Slack counts, so a message that fits here
// fits in Slack.
const (
	maxBlocks      = 50
	maxSectionText = 3000
	maxHeaderText  = 150
	maxFields      = 10
	maxButtonText  = 75
	maxURL         = 3000
)

// Our own budgets, chosen so that the worst case stays below Slack's limits
// of 50 blocks and about 40,000 characters of text in all: at most
// 1 header + 2 failure + 1 counts + 3 offers + 6 changes + 3 flags +
// 1 actions + 1 context = 18 blocks, and 4,000 + 6,000 + 18,000 + 6,000 +
// 1,000 (fallback) + small change = about 35,500 bytes of text.
const (
	maxFallbackText = 1000
	failureBudget   = 4000
	offersBudget    = 6000
	changesBudget   = 18000
	flagsBudget     = 6000

	failureSections = 2
	offersSections  = 3
	changesSections = 6
	flagsSections   = 3

	// Components of a line are cut to these lengths before escaping, so
	// that no single line needs cutting in the middle of its formatting.
	maxNameLen  = 100
	maxDescLen  = 150
	maxLabelLen = 200
	maxPriceLen = 64
	maxFlagLen  = 300
	// maxLinkURL keeps a link inside a list line short enough that the
	// line never needs cutting; longer URLs are shown as plain text.
	maxLinkURL = 500
	// moreReserve is kept free in every list for the "…and N more" line.
	moreReserve = 64
)

// DefaultMaxChanges is how many changed lines a message lists by default.
const DefaultMaxChanges = 10

// MessageOptions are how much a message says, beyond the run's outcome.
type MessageOptions struct {
	// NotifyOnNoChange posts a short "no changes" message for a successful
	// run that changed nothing, which otherwise stays silent.
	NotifyOnNoChange bool
	// MaxChanges is how many of the largest changes to list; zero or less
	// means DefaultMaxChanges. Fewer are listed when Slack's limits require.
	MaxChanges int
}

// BuildMessage builds the notification for a finished run. skip is true
// when nothing should be posted: a successful run that changed nothing,
// unless opts.NotifyOnNoChange is set. BuildMessage is deterministic: the
// same Outcome and options always give the same Message.
func BuildMessage(o publish.Outcome, opts MessageOptions) (msg Message, skip bool) {
	status := o.RunStatus()
	changed := changedOffers(o.Report)
	if status == publish.StatusSuccess && len(changed) == 0 && !opts.NotifyOnNoChange {
		return Message{}, true
	}

	var blocks []goslack.Block
	header := headerText(status, changed)
	blocks = append(blocks, goslack.NewHeaderBlock(
		goslack.NewTextBlockObject(goslack.PlainTextType, truncate(header, maxHeaderText), true, false)))

	if status != publish.StatusSuccess {
		blocks = append(blocks, failureBlocks(status, o)...)
	}
	if b := unpublishedBlock(o.Unpublished); b != nil {
		blocks = append(blocks, b)
	}
	switch {
	case len(changed) > 0:
		blocks = append(blocks, countsBlock(o.Report, changed))
		blocks = append(blocks, offerBlocks(changed)...)
		blocks = append(blocks, changeBlocks(changed, opts.MaxChanges)...)
		blocks = append(blocks, flagBlocks(changed)...)
	case status == publish.StatusSuccess:
		// A failed run may not have got as far as comparing anything, so
		// only a successful one can say that nothing changed.
		blocks = append(blocks, mrkdwnSection(noChangeText(o.Report)))
	}
	if b := actionBlock(o.Links); b != nil {
		blocks = append(blocks, b)
	}
	if b := contextBlock(o.Links, o.PublicationID); b != nil {
		blocks = append(blocks, b)
	}
	return Message{Text: fallbackText(status, o, changed), Blocks: blocks, PublicationID: o.PublicationID}, false
}

// unpublishedBlock names the destinations this notification could not
// update, so that the people reading Slack know the spreadsheet is behind.
func unpublishedBlock(failed []publish.Unpublished) goslack.Block {
	if len(failed) == 0 {
		return nil
	}
	var lines []string
	for _, u := range failed {
		lines = append(lines, ":warning: *"+escape(truncate(u.Destination, maxNameLen))+" was not updated:* "+escape(truncate(u.Reason, maxFlagLen)))
	}
	// A line or two of bounded length: well inside a section's 3,000.
	return mrkdwnSection(strings.Join(lines, "\n"))
}

// webhookPayload is what an incoming webhook receives. Unfurling is off
// because previews of the GitHub links would dwarf the message.
type webhookPayload struct {
	Text        string          `json:"text"`
	Blocks      []goslack.Block `json:"blocks,omitempty"`
	UnfurlLinks bool            `json:"unfurl_links"`
	UnfurlMedia bool            `json:"unfurl_media"`
}

// RenderJSON returns the exact body the webhook sender posts, indented for
// people reading --dry-run output.
func RenderJSON(m Message) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep "→" and "&amp;" readable; Slack does not need \u003c
	enc.SetIndent("", "  ")
	if err := enc.Encode(webhookPayload{Text: m.Text, Blocks: m.Blocks}); err != nil {
		return nil, fmt.Errorf("encode Slack message: %w", err)
	}
	return buf.Bytes(), nil
}

func changedOffers(r report.Report) []report.Offer {
	var changed []report.Offer
	for _, o := range r.Offers {
		if !o.Empty() {
			changed = append(changed, o)
		}
	}
	slices.SortStableFunc(changed, func(a, b report.Offer) int {
		return cmp.Or(cmp.Compare(a.OfferCode, b.OfferCode), cmp.Compare(a.Region, b.Region))
	})
	return changed
}

func headerText(status publish.Status, changed []report.Offer) string {
	switch status {
	case publish.StatusFailure:
		return ":x: AWS price check failed"
	case publish.StatusCancelled:
		return ":warning: AWS price check cancelled"
	}
	if len(changed) == 0 {
		return ":white_check_mark: AWS price lists unchanged"
	}
	if len(changed) == 1 {
		return ":chart_with_upwards_trend: AWS price list changed: " + offerName(changed[0]) + " " + versions(changed[0])
	}
	return ":chart_with_upwards_trend: AWS price lists changed: " + offerSummary(changed)
}

func offerName(o report.Offer) string {
	return truncate(o.OfferCode, maxNameLen) + " " + truncate(o.Region, maxNameLen)
}

func versions(o report.Offer) string {
	if o.FromVersion == "" {
		return "(first snapshot " + truncate(o.ToVersion, maxNameLen) + ")"
	}
	return "(" + truncate(o.FromVersion, maxNameLen) + " → " + truncate(o.ToVersion, maxNameLen) + ")"
}

// offerSummary names the changed offers and their regions, grouping regions
// by offer so that many regions of one offer stay short:
// "AmazonEC2 in us-east-1, eu-west-1; AmazonRDS in 7 regions".
func offerSummary(changed []report.Offer) string {
	var parts []string
	for i := 0; i < len(changed); {
		code := changed[i].OfferCode
		var regions []string
		for ; i < len(changed) && changed[i].OfferCode == code; i++ {
			regions = append(regions, truncate(changed[i].Region, maxNameLen))
		}
		if len(regions) > 3 {
			parts = append(parts, fmt.Sprintf("%s in %d regions", truncate(code, maxNameLen), len(regions)))
		} else {
			parts = append(parts, truncate(code, maxNameLen)+" in "+strings.Join(regions, ", "))
		}
	}
	return strings.Join(parts, "; ")
}

func failureBlocks(status publish.Status, o publish.Outcome) []goslack.Block {
	title := "*Failed jobs*"
	if status == publish.StatusCancelled {
		title = "*Cancelled jobs*"
	}
	var lines []string
	for _, j := range o.Jobs {
		if !j.Failed() {
			continue
		}
		target := cmp.Or(j.URL, o.Links.Run)
		lines = append(lines, "• "+link(target, truncate(cmp.Or(j.Name, "unnamed job"), maxNameLen))+": "+escape(truncate(j.Result, maxNameLen)))
	}
	if len(lines) == 0 {
		text := "The run did not finish."
		if o.Links.Run != "" {
			text += " See " + link(o.Links.Run, "the workflow run") + " for the logs."
		}
		return []goslack.Block{mrkdwnSection(text)}
	}
	return packSections(title, lineAt(lines), len(lines), len(lines), failureSections, failureBudget)
}

func countsBlock(r report.Report, changed []report.Offer) goslack.Block {
	added, removed, changedLines := r.Totals()
	field := func(name string, n int) *goslack.TextBlockObject {
		return goslack.NewTextBlockObject(goslack.MarkdownType, "*"+name+"*\n"+strconv.Itoa(n), false, false)
	}
	fields := []*goslack.TextBlockObject{
		field("Added", added),
		field("Removed", removed),
		field("Changed", changedLines),
		goslack.NewTextBlockObject(goslack.MarkdownType,
			fmt.Sprintf("*Price lists*\n%d changed of %d", len(changed), len(r.Offers)), false, false),
	}
	return goslack.NewSectionBlock(nil, fields[:min(len(fields), maxFields)], nil)
}

func offerBlocks(changed []report.Offer) []goslack.Block {
	lines := make([]string, 0, len(changed))
	for _, o := range changed {
		a, r, c := o.Counts()
		lines = append(lines, fmt.Sprintf("• *%s* %s: %d added, %d removed, %d changed",
			escape(offerName(o)), escape(versions(o)), a, r, c))
	}
	return packSections("*What changed*", lineAt(lines), len(lines), len(lines), offersSections, offersBudget)
}

// located is a change together with the offer/region it belongs to.
type located struct {
	offer  *report.Offer
	change *report.Change
}

// sortChanges orders changes largest first by absolute change_pct; changes
// without a percentage come after those with one; ties are broken by rate
// code and then by offer, region, SKU and term so the order never depends
// on the input's.
func sortChanges(changed []report.Offer) []located {
	var all []located
	for i := range changed {
		for j := range changed[i].Changed {
			all = append(all, located{offer: &changed[i], change: &changed[i].Changed[j]})
		}
	}
	slices.SortStableFunc(all, func(a, b located) int {
		pa, pb := a.change.ChangePct, b.change.ChangePct
		switch {
		case pa != nil && pb == nil:
			return -1
		case pa == nil && pb != nil:
			return 1
		case pa != nil && pb != nil:
			if c := cmp.Compare(math.Abs(*pb), math.Abs(*pa)); c != 0 {
				return c
			}
		}
		return cmp.Or(
			cmp.Compare(a.change.RateCode, b.change.RateCode),
			cmp.Compare(a.offer.OfferCode, b.offer.OfferCode),
			cmp.Compare(a.offer.Region, b.offer.Region),
			cmp.Compare(a.change.SKU, b.change.SKU),
			cmp.Compare(a.change.TermType, b.change.TermType),
		)
	})
	return all
}

func changeBlocks(changed []report.Offer, maxChanges int) []goslack.Block {
	all := sortChanges(changed)
	if len(all) == 0 {
		return nil
	}
	if maxChanges <= 0 {
		maxChanges = DefaultMaxChanges
	}
	line := func(i int) string { return changeLine(all[i], len(changed) > 1) }
	return packSections("*Largest changes*", line, min(len(all), maxChanges), len(all), changesSections, changesBudget)
}

// changeLine formats "• ds2.8xlarge · Reserved 1yr standard All Upfront ·
// Quantity · Upfront Fee: 24000 → 72000 USD (+200.0%) `rate_code`": the
// line's label (see report.Line.Label) and description first, its rate code
// last, so that a person reads what changed and a tool can still find it. A
// line with nothing but a rate code reads "• `rate_code` description: …".
// Prices are the report's strings: formatting them through a float would
// change what AWS published.
func changeLine(l located, withRegion bool) string {
	c := *l.change
	name, code := lineName(c.Label(nil), c.RateCode)
	var b strings.Builder
	b.WriteString("• " + name)
	if c.Description != "" {
		sep := " "
		if code != "" {
			sep = " · "
		}
		b.WriteString(sep + escape(truncate(c.Description, maxDescLen)))
	}
	if withRegion {
		b.WriteString(" [" + escape(offerName(*l.offer)) + "]")
	}
	b.WriteString(": " + escape(truncate(c.OldPrice, maxPriceLen)) + " → " + escape(truncate(c.NewPrice, maxPriceLen)))
	if c.Currency != "" {
		b.WriteString(" " + escape(truncate(c.Currency, maxNameLen)))
	}
	b.WriteString(" (" + pctText(c) + ")")
	if code != "" {
		b.WriteString(" " + code)
	}
	return b.String()
}

// lineName is how a line is named in a list: its label, with its rate code
// as a code span to put after the line; or, when the label is only the rate
// code, that code span alone (and no code after).
func lineName(label, rateCode string) (name, code string) {
	if label == "" || label == rateCode {
		return "`" + codeSpan(rateCode) + "`", ""
	}
	return escape(truncate(label, maxLabelLen)), "`" + codeSpan(rateCode) + "`"
}

func pctText(c report.Change) string {
	if c.ChangePct != nil {
		s := strconv.FormatFloat(*c.ChangePct, 'f', 1, 64)
		switch {
		case s == "-0.0" || s == "0.0":
			return "0.0%"
		case *c.ChangePct > 0:
			return "+" + s + "%"
		}
		return s + "%"
	}
	if c.OldPrice != c.NewPrice {
		return "from zero"
	}
	if len(c.AttributeChanges) == 0 {
		return "no price change"
	}
	var names []string
	for _, f := range c.AttributeChanges[:min(3, len(c.AttributeChanges))] {
		names = append(names, escape(truncate(f.Field, maxNameLen)))
	}
	text := "changed: " + strings.Join(names, ", ")
	if n := len(c.AttributeChanges) - len(names); n > 0 {
		text += fmt.Sprintf(" and %d more", n)
	}
	return text
}

var flagNames = map[string]string{
	report.FlagPriceToZero:           "price to zero",
	report.FlagLargeMove:             "large move",
	report.FlagReservedAboveOnDemand: "reserved above on-demand",
	report.FlagAttributesChanged:     "attributes changed",
	report.FlagLargeRemoval:          "large removal",
	report.FlagAttributeDropped:      "attribute dropped",
	report.FlagInvalidPrice:          "invalid price",
}

func flagBlocks(changed []report.Offer) []goslack.Block {
	type located struct {
		offer  *report.Offer
		flag   *report.Flag
		labels map[string]string
	}
	var all []located
	for i := range changed {
		labels := changed[i].Labels()
		for j := range changed[i].Flags {
			all = append(all, located{&changed[i], &changed[i].Flags[j], labels})
		}
	}
	if len(all) == 0 {
		return nil
	}
	line := func(i int) string {
		f := all[i].flag
		kind := cmp.Or(flagNames[f.Kind], f.Kind)
		line := "• *" + escape(truncate(kind, maxNameLen)) + "*" // a flag of the whole offer/region
		if f.RateCode != "" {
			// A flagged line reads by its label when the report lists it.
			name, code := lineName(all[i].labels[f.RateCode], f.RateCode)
			if code != "" {
				name += " " + code
			}
			line = "• " + name + " " + line[len("• "):]
		}
		if len(changed) > 1 {
			line += " [" + escape(offerName(*all[i].offer)) + "]"
		}
		if f.Message != "" {
			line += ": " + escape(truncate(f.Message, maxFlagLen))
		}
		return line
	}
	return packSections(":warning: *Flags: worth a human look*", line, len(all), len(all), flagsSections, flagsBudget)
}

func noChangeText(r report.Report) string {
	if len(r.Offers) == 0 {
		return "No price list was compared in this run."
	}
	skipped := 0
	for _, o := range r.Offers {
		if o.Skipped != "" {
			skipped++
		}
	}
	text := fmt.Sprintf("No price changed in the %d price lists checked", len(r.Offers))
	if skipped > 0 {
		text += fmt.Sprintf(" (%d skipped: version already recorded or not fetched)", skipped)
	}
	return text + "."
}

func actionBlock(l publish.Links) goslack.Block {
	var buttons []goslack.BlockElement
	add := func(id, text, target string, primary bool) {
		if !usableURL(target) {
			return
		}
		b := goslack.NewButtonBlockElement(id, "", goslack.NewTextBlockObject(goslack.PlainTextType, truncate(text, maxButtonText), false, false))
		b.URL = cleanURL(target)
		if primary {
			b.Style = goslack.StylePrimary
		}
		buttons = append(buttons, b)
	}
	add("open_diff", "View diff", l.Commit, true)
	add("open_spreadsheet", "Spreadsheet", l.Spreadsheet, false)
	add("open_run", "Workflow run", l.Run, false)
	if len(buttons) == 0 {
		return nil
	}
	return goslack.NewActionBlock("links", buttons...)
}

func contextBlock(l publish.Links, publicationID string) goslack.Block {
	var elems []goslack.MixedElement
	if usableURL(l.Repository) {
		name := l.Repository
		if u, err := url.Parse(l.Repository); err == nil && u.Path != "" {
			name = strings.Trim(u.Path, "/")
		}
		text := "pricechecker · " + link(l.Repository, truncate(name, maxNameLen))
		elems = append(elems, goslack.NewTextBlockObject(goslack.MarkdownType, text, false, false))
	}
	if publicationID != "" {
		// Shown so that people can tell a re-post from a new report, and
		// read back by SendOnce when metadata is missing.
		text := publicationMarker + "`" + codeSpan(publicationID) + "`"
		elems = append(elems, goslack.NewTextBlockObject(goslack.MarkdownType, text, false, false))
	}
	if len(elems) == 0 {
		return nil
	}
	return goslack.NewContextBlock("context", elems...)
}

func fallbackText(status publish.Status, o publish.Outcome, changed []report.Offer) string {
	var text string
	switch status {
	case publish.StatusFailure, publish.StatusCancelled:
		verb := "failed"
		if status == publish.StatusCancelled {
			verb = "cancelled"
		}
		var names []string
		for _, j := range o.Jobs {
			if j.Failed() {
				names = append(names, truncate(j.Name, maxNameLen))
			}
		}
		text = "AWS price check " + verb
		if len(names) > 0 {
			text += ": " + strings.Join(names, ", ")
		}
	case publish.StatusSuccess:
		if len(changed) == 0 {
			return "AWS price lists unchanged"
		}
	}
	if len(changed) > 0 {
		added, removed, changedLines := o.Report.Totals()
		if text != "" {
			text += ". "
		}
		if len(changed) == 1 {
			text += "AWS price list changed: " + offerName(changed[0])
		} else {
			text += "AWS price lists changed: " + offerSummary(changed)
		}
		text += fmt.Sprintf(": %d added, %d removed, %d changed", added, removed, changedLines)
	}
	for _, u := range o.Unpublished {
		text += ". " + truncate(u.Destination, maxNameLen) + " was not updated"
	}
	return truncate(escape(text), maxFallbackText)
}

// packSections lays out a titled list as few mrkdwn sections as possible,
// at most maxSections of them and budget bytes in all. It formats lines
// 0 to n-1 with line(i), lazily, since a report may hold far more items
// than a message can. Lines that do not fit, and items beyond n (total
// counts every item), are summed up in a final "…and N more" line, for
// which room is always kept.
func packSections(title string, line func(i int) string, n, total, maxSections, budget int) []goslack.Block {
	const room = maxSectionText - moreReserve
	var texts []string
	cur, used, shown := title, 0, 0
	for i := range n {
		line := truncate(line(i), room-len(title)-1)
		if len(cur)+1+len(line) <= room && used+len(cur)+1+len(line) <= budget-moreReserve {
			cur += "\n" + line
			shown++
			continue
		}
		if len(texts)+1 < maxSections && used+len(cur)+len(line) <= budget-moreReserve {
			texts = append(texts, cur)
			used += len(cur)
			cur = line
			shown++
			continue
		}
		break
	}
	if more := total - shown; more > 0 {
		cur += fmt.Sprintf("\n_…and %d more_", more)
	}
	texts = append(texts, cur)
	blocks := make([]goslack.Block, 0, len(texts))
	for _, t := range texts {
		blocks = append(blocks, mrkdwnSection(t))
	}
	return blocks
}

func lineAt(lines []string) func(int) string {
	return func(i int) string { return lines[i] }
}

func mrkdwnSection(text string) goslack.Block {
	return goslack.NewSectionBlock(goslack.NewTextBlockObject(goslack.MarkdownType, text, false, false), nil, nil)
}

// escape makes text safe for Slack's mrkdwn, where &, < and > are control
// characters (links, mentions), and drops the characters that must never
// reach people (see clean).
func escape(s string) string { return mrkdwnEscaper.Replace(clean(s)) }

var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// codeSpan keeps a value from closing its `code span` early.
func codeSpan(s string) string {
	return escape(strings.ReplaceAll(truncate(s, maxNameLen), "`", "'"))
}

// link formats a mrkdwn link, or just the text when there is no usable URL.
func link(target, text string) string {
	if !usableURL(target) || len(target) > maxLinkURL {
		return escape(text)
	}
	target = strings.NewReplacer("|", "%7C", "<", "%3C", ">", "%3E", " ", "%20").Replace(cleanURL(target))
	return "<" + target + "|" + strings.ReplaceAll(escape(text), "|", "¦") + ">"
}

func usableURL(s string) bool {
	if s == "" || len(s) > maxURL {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// truncate cleans s (see clean) and cuts it to at most n bytes, ending
// with "…" when cut, without splitting a UTF-8 sequence. Every value from
// a report or the workflow goes through it on its way into a message.
func truncate(s string, n int) string {
	s = clean(s)
	if len(s) <= n {
		return s
	}
	const ellipsis = "…"
	if n < len(ellipsis) {
		return ""
	}
	cut := n - len(ellipsis)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ellipsis
}
