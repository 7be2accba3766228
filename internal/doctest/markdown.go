// Package doctest runs the documentation. Its test extracts every fenced
// command block of README.md and docs/*.md and runs it offline, loads every
// configuration example, checks every workflow example against the
// workflow and action it calls, runs the cron and GitLab CI examples against
// a bare git remote, and checks that every relative link and #anchor
// resolves, so the documentation cannot drift from the code.
//
// A block is steered by an HTML comment on the line right above its fence:
//
//	<!-- doctest: skip: REASON -->   not run (it needs AWS, GitHub, minutes…); the reason is required
//	<!-- doctest: config -->         a YAML configuration, loaded with config.Parse
//	<!-- doctest: workflow -->       a GitHub workflow calling this repository's reusable workflow or action
//	<!-- doctest: gitlab-ci -->      a .gitlab-ci.yml whose jobs' script lines are run
//	<!-- doctest: crontab -->        a crontab whose command lines are run as cron would
//	<!-- doctest: webhook-receiver -->  a receiver's check of a webhook delivery, run on a real one
//
// Blocks fenced as sh, bash or console run without a comment.
package doctest

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// Block is one fenced block of a Markdown file.
type Block struct {
	File      string // the file, relative to the repository root
	Line      int    // the line of the opening fence, 1-based
	Lang      string // the fence's info string's first word: sh, yaml, …
	Directive string // the doctest comment's directive: "", skip, config, workflow, gitlab-ci, crontab
	Reason    string // why a skipped block is skipped
	Text      string // the body, without the list indentation of the fence
}

// Where names the block for messages.
func (b Block) Where() string { return fmt.Sprintf("%s:%d", b.File, b.Line) }

// Runs reports whether the block is a command block the test runs.
func (b Block) Runs() bool {
	return b.Directive == "" && (b.Lang == "sh" || b.Lang == "bash" || b.Lang == "console")
}

// Step is one command of a block and, in a console block, the output the
// documentation shows for it.
type Step struct {
	Command string
	Output  []string // the lines shown after the command; "…" in a line stands for any text
}

// Steps splits the block into commands. An sh or bash block is one
// command. In a console block, a "$ " line starts a command (a line ending
// in a backslash continues it) and the lines after it, up to the next
// prompt, are its output.
func (b Block) Steps() []Step {
	if b.Lang != "console" {
		return []Step{{Command: b.Text}}
	}
	var steps []Step
	continued := false
	for _, l := range strings.Split(strings.TrimSuffix(b.Text, "\n"), "\n") {
		switch c, prompt := strings.CutPrefix(l, "$ "); {
		case continued:
			steps[len(steps)-1].Command += "\n" + l
		case prompt:
			steps = append(steps, Step{Command: c})
		case len(steps) > 0 && strings.TrimSpace(l) != "":
			steps[len(steps)-1].Output = append(steps[len(steps)-1].Output, l)
		}
		continued = strings.HasSuffix(l, "\\")
	}
	return steps
}

// Missing returns the first line of want that the output lacks: the lines
// of want must appear in order (not necessarily adjacent), trailing
// spaces aside, "…" matching any text.
func Missing(want []string, output string) (string, bool) {
	got := strings.Split(output, "\n")
	at := 0
	for _, w := range want {
		re := regexp.MustCompile("^" + strings.Join(quoteAll(strings.Split(strings.TrimRight(w, " "), "…")), ".*") + "$")
		for at < len(got) && !re.MatchString(strings.TrimRight(got[at], " ")) {
			at++
		}
		if at == len(got) {
			return w, true
		}
		at++
	}
	return "", false
}

func quoteAll(parts []string) []string {
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return parts
}

var (
	fenceRE     = regexp.MustCompile("^( *)(```+)\\s*([A-Za-z0-9_+-]*)")
	directiveRE = regexp.MustCompile(`^\s*<!--\s*doctest:\s*(.*?)\s*-->\s*$`)
)

// directives are the comments the test understands, and the block languages
// each applies to.
var directives = map[string][]string{
	"skip":      nil, // any
	"config":    {"yaml"},
	"workflow":  {"yaml"},
	"gitlab-ci": {"yaml"},
	"crontab":   {"crontab"},
	// run with body.json, $SIGNATURE and $PRICECHECKER_WEBHOOK_SECRET of a
	// real delivery
	"webhook-receiver": {"sh", "bash"},
}

// Parse returns the fenced blocks of a Markdown file. A doctest comment that
// is malformed, unknown, on the wrong kind of block or followed by no fence
// is an error: a typo must not silently turn a check off.
func Parse(file string, data []byte) ([]Block, error) {
	lines := strings.Split(string(data), "\n")
	var blocks []Block
	pending, pendingLine := "", 0 // a directive waiting for its fence
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if m := directiveRE.FindStringSubmatch(line); m != nil {
			if pending != "" {
				return nil, fmt.Errorf("%s:%d: doctest comment followed by no fenced block", file, pendingLine)
			}
			pending, pendingLine = m[1], i+1
			continue
		}
		m := fenceRE.FindStringSubmatch(line)
		if m == nil {
			if pending != "" && strings.TrimSpace(line) != "" {
				return nil, fmt.Errorf("%s:%d: doctest comment followed by no fenced block", file, pendingLine)
			}
			continue
		}
		indent, fence := m[1], m[2]
		b := Block{File: file, Line: i + 1, Lang: m[3]}
		var body []string
		closed := false
		for i++; i < len(lines); i++ {
			l := lines[i]
			if strings.HasPrefix(strings.TrimLeft(l, " "), fence) && strings.TrimSpace(l) == fence {
				closed = true
				break
			}
			body = append(body, strings.TrimPrefix(l, indent))
		}
		if !closed {
			return nil, fmt.Errorf("%s: unclosed fence", b.Where())
		}
		if len(body) > 0 {
			b.Text = strings.Join(body, "\n") + "\n"
		}
		if pending != "" {
			if err := b.setDirective(pending); err != nil {
				return nil, err
			}
			pending = ""
		}
		blocks = append(blocks, b)
	}
	if pending != "" {
		return nil, fmt.Errorf("%s:%d: doctest comment followed by no fenced block", file, pendingLine)
	}
	return blocks, nil
}

func (b *Block) setDirective(d string) error {
	name, reason, hasReason := strings.Cut(d, ":")
	name, reason = strings.TrimSpace(name), strings.TrimSpace(reason)
	langs, known := directives[name]
	switch {
	case !known:
		return fmt.Errorf("%s: unknown doctest directive %q (known: skip: REASON, config, workflow, gitlab-ci, crontab, webhook-receiver)", b.Where(), name)
	case name == "skip" && reason == "":
		return fmt.Errorf("%s: a skipped block needs its reason: <!-- doctest: skip: REASON -->", b.Where())
	case name != "skip" && hasReason:
		return fmt.Errorf("%s: doctest %s takes no argument", b.Where(), name)
	case langs != nil && !contains(langs, b.Lang):
		return fmt.Errorf("%s: doctest %s applies to a %s block, not %q", b.Where(), name, strings.Join(langs, " or "), b.Lang)
	case name == "skip" && b.Lang != "sh" && b.Lang != "bash" && b.Lang != "console":
		return fmt.Errorf("%s: doctest skip on a %q block, which is never run", b.Where(), b.Lang)
	}
	b.Directive, b.Reason = name, reason
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Link is a Markdown link's target, where it appears.
type Link struct {
	Line   int
	Target string
}

var (
	linkRE       = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	inlineCodeRE = regexp.MustCompile("`[^`]*`")
	headingRE    = regexp.MustCompile(`^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$`)
	htmlAnchorRE = regexp.MustCompile(`<a (?:name|id)="([^"]+)"`)
)

// Links returns the links outside code, with their lines.
func Links(data []byte) []Link {
	var links []Link
	forProse(data, func(n int, line string) {
		for _, m := range linkRE.FindAllStringSubmatch(inlineCodeRE.ReplaceAllString(line, ""), -1) {
			links = append(links, Link{Line: n, Target: m[1]})
		}
	})
	return links
}

// Anchors returns the #fragments GitHub gives the file's headings (and
// explicit <a name> anchors).
func Anchors(data []byte) map[string]bool {
	anchors := map[string]bool{}
	seen := map[string]int{}
	forProse(data, func(_ int, line string) {
		for _, m := range htmlAnchorRE.FindAllStringSubmatch(line, -1) {
			anchors[m[1]] = true
		}
		m := headingRE.FindStringSubmatch(line)
		if m == nil {
			return
		}
		s := Slug(m[2])
		if k := seen[s]; k > 0 {
			anchors[fmt.Sprintf("%s-%d", s, k)] = true
		} else {
			anchors[s] = true
		}
		seen[s]++
	})
	return anchors
}

var mdLinkTextRE = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)

// Slug is GitHub's anchor for a heading: the text without its Markdown,
// lower-cased, every character but letters, digits, spaces, '-' and '_'
// dropped, and spaces made '-'.
func Slug(heading string) string {
	heading = mdLinkTextRE.ReplaceAllString(heading, "$1")
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// forProse calls fn for every line outside fenced blocks and HTML comments.
func forProse(data []byte, fn func(n int, line string)) {
	fence := ""
	for i, line := range strings.Split(string(data), "\n") {
		if m := fenceRE.FindStringSubmatch(line); m != nil {
			switch {
			case fence == "":
				fence = m[2]
				continue
			case strings.TrimSpace(line) == fence:
				fence = ""
				continue
			}
		}
		if fence != "" || directiveRE.MatchString(line) {
			continue
		}
		fn(i+1, line)
	}
}
