package slack

import (
	"fmt"
	"strings"

	goslack "github.com/slack-go/slack"

	"github.com/pricechecker/pricechecker/internal/publish"
	"github.com/pricechecker/pricechecker/internal/report"
)

// A thread's replies stay well inside Slack's limits, each on its own: at
// most threadSections sections of maxSectionText bytes and threadBudget
// bytes of text in all (Slack refuses about 40,000 characters or 50
// blocks), and at most maxThreadReplies replies, so that a very large change
// does not flood the channel (Slack paces an app to about one message a
// second); the last one says how many lines it left out.
const (
	threadSections   = 10
	threadBudget     = 28000
	maxThreadReplies = 20
)

// BuildThread lists every change of o, largest first, then every added and
// removed line, as replies to post in the thread of the summary message
// (see Publisher.Thread). It returns nil when there is no line to list.
func BuildThread(o publish.Outcome) []Message {
	changed := changedOffers(o.Report)
	multi := len(changed) > 1
	var lines []string
	for _, l := range sortChanges(changed) {
		lines = append(lines, changeLine(l, multi))
	}
	for i := range changed {
		off := &changed[i]
		for _, l := range off.Added {
			lines = append(lines, addedLine(off, l, "added", multi))
		}
		for _, l := range off.Removed {
			lines = append(lines, addedLine(off, l, "removed", multi))
		}
	}
	if len(lines) == 0 {
		return nil
	}

	const room = maxSectionText - moreReserve
	var (
		msgs     []Message
		sections []string
		cur      string
		used     int
	)
	flushSection := func() {
		if cur != "" {
			sections = append(sections, cur)
			used += len(cur)
			cur = ""
		}
	}
	flushMessage := func() {
		flushSection()
		if len(sections) > 0 {
			msgs = append(msgs, threadMessage(sections))
			sections, used = nil, 0
		}
	}
	shown := 0
	for _, line := range lines {
		line = truncate(line, room)
		if cur != "" && len(cur)+1+len(line) > room {
			flushSection()
		}
		if len(sections) == threadSections || (cur == "" && used+len(line) > threadBudget) {
			if len(msgs) == maxThreadReplies-1 {
				break
			}
			flushMessage()
		}
		if cur != "" {
			cur += "\n"
		}
		cur += line
		shown++
	}
	if more := len(lines) - shown; more > 0 {
		if cur != "" {
			cur += "\n"
		}
		cur += fmt.Sprintf("_…and %d more_", more)
	}
	flushMessage()
	for i := range msgs {
		msgs[i].Text = fmt.Sprintf("Every change, part %d of %d", i+1, len(msgs))
		title := fmt.Sprintf("*Every change* (part %d of %d)", i+1, len(msgs))
		msgs[i].Blocks = append([]goslack.Block{mrkdwnSection(title)}, msgs[i].Blocks...)
	}
	return msgs
}

func threadMessage(sections []string) Message {
	var m Message
	for _, s := range sections {
		m.Blocks = append(m.Blocks, mrkdwnSection(s))
	}
	return m
}

// addedLine formats "• m5.large · OnDemand · Hrs: added at 0.096 USD
// `rate_code`" (or "removed, was …").
func addedLine(off *report.Offer, l report.Line, kind string, withRegion bool) string {
	name, code := lineName(l.Label(nil), l.RateCode)
	var b strings.Builder
	b.WriteString("• " + name)
	if withRegion {
		b.WriteString(" [" + escape(offerName(*off)) + "]")
	}
	price := escape(truncate(l.Price, maxPriceLen))
	if l.Currency != "" {
		price += " " + escape(truncate(l.Currency, maxNameLen))
	}
	if kind == "added" {
		b.WriteString(": added at " + price)
	} else {
		b.WriteString(": removed, was " + price)
	}
	if code != "" {
		b.WriteString(" " + code)
	}
	return b.String()
}
