// Package actions adapts pricechecker to GitHub Actions through
// go-githubactions: it reads the triggering event and the action's inputs,
// groups the log by stage, masks secrets, turns errors into annotations, and
// writes outputs and the job summary. Outside Actions every method is a
// harmless no-op, so the same program runs as a plain CLI.
package actions

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/pricechecker/pricechecker/internal/dispatch"
	"github.com/pricechecker/pricechecker/internal/report"

	"github.com/sethvargo/go-githubactions"

	"github.com/pricechecker/pricechecker/internal/textsafe"
)

// MaxSummaryBytes keeps the job summary under GitHub's 1 MiB per step, with
// room for what other steps add.
const MaxSummaryBytes = 900 << 10

// Runner is the Actions side of a run.
type Runner struct {
	gh      *githubactions.Action
	getenv  func(string) string
	enabled bool
}

// New returns a runner; it is enabled when GITHUB_ACTIONS is "true". Log
// commands go to w (the step's stdout).
func New(getenv func(string) string, w io.Writer) *Runner {
	return &Runner{
		gh:      githubactions.New(githubactions.WithGetenv(getenv), githubactions.WithWriter(w)),
		getenv:  getenv,
		enabled: getenv("GITHUB_ACTIONS") == "true",
	}
}

// Enabled reports whether the program runs inside GitHub Actions.
func (r *Runner) Enabled() bool { return r.enabled }

// Input returns an action input (INPUT_<NAME>), trimmed.
func (r *Runner) Input(name string) string { return r.gh.GetInput(name) }

// Group opens a collapsible log group and returns the function that closes it.
func (r *Runner) Group(title string) (end func()) {
	if !r.enabled {
		return func() {}
	}
	r.gh.Group(textsafe.Line(title))
	return r.gh.EndGroup
}

// Mask hides a secret from the log, and each line of a multi-line one (a
// key file) that is long enough to carry secret material: masking "{" or
// "}" would turn every brace in the log into ***.
func (r *Runner) Mask(secret string) {
	if !r.enabled || strings.TrimSpace(secret) == "" {
		return
	}
	r.gh.AddMask(secret)
	if strings.Contains(secret, "\n") {
		for _, line := range strings.Split(secret, "\n") {
			if line = strings.TrimSpace(line); len(line) >= minMaskedLine {
				r.gh.AddMask(line)
			}
		}
	}
}

// minMaskedLine is the shortest line of a multi-line secret that is masked
// on its own.
const minMaskedLine = 16

// Error reports an error as an annotation on the run. Errors and warnings
// may quote AWS text; what reaches the log and the annotation carries no
// control character or bidi override (see textsafe).
func (r *Runner) Error(err error) {
	if r.enabled && err != nil {
		r.gh.Errorf("%s", textsafe.Text(err.Error()))
	}
}

// Warning reports a warning annotation.
func (r *Runner) Warning(msg string) {
	if r.enabled {
		r.gh.Warningf("%s", textsafe.Text(msg))
	}
}

// SetOutput sets a step output; go-githubactions panics without
// GITHUB_OUTPUT, so outside a step this does nothing.
func (r *Runner) SetOutput(name, value string) {
	if r.enabled && r.getenv("GITHUB_OUTPUT") != "" {
		r.gh.SetOutput(name, textsafe.Text(value))
	}
}

// Summary appends Markdown to the job summary, the body cut so that body
// and footer (the links to the commit and the run, which must survive the
// cut) fit in MaxSummaryBytes. Neither carries a control character or a
// bidi override (see textsafe); they are cleaned before the cut, which
// measures what is written.
func (r *Runner) Summary(body, footer string) {
	if !r.enabled || r.getenv("GITHUB_STEP_SUMMARY") == "" {
		return
	}
	body, footer = textsafe.Text(body), textsafe.Text(footer)
	r.gh.AddStepSummary(Truncate(body, MaxSummaryBytes-len(footer)) + footer)
}

// Truncate cuts s to at most max bytes at a line boundary and says so.
func Truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	const note = "\n\n…the rest is cut to stay under GitHub's summary size limit; see the JSON report.\n"
	cut := s[:max-len(note)]
	if i := strings.LastIndexByte(cut, '\n'); i > 0 {
		cut = cut[:i]
	}
	return cut + note
}

// Links are the URLs a message or summary points to.
type Links struct {
	Repository string // https://github.com/owner/repo
	Run        string // .../actions/runs/<id>
}

// Links returns the repository and run URLs, empty outside Actions.
func (r *Runner) Links() Links {
	server, repo, run := strings.TrimSuffix(r.getenv("GITHUB_SERVER_URL"), "/"), r.getenv("GITHUB_REPOSITORY"), r.getenv("GITHUB_RUN_ID")
	if server == "" {
		server = "https://github.com"
	}
	var l Links
	if repo != "" {
		l.Repository = server + "/" + repo
		if run != "" {
			l.Run = l.Repository + "/actions/runs/" + run
		}
	}
	return l
}

// CommitURL links to a commit of the repository.
func (l Links) CommitURL(sha string) string {
	if l.Repository == "" || sha == "" {
		return ""
	}
	return l.Repository + "/commit/" + sha
}

// CompareURL links to the diff between two commits.
func (l Links) CompareURL(base, head string) string {
	if l.Repository == "" || base == "" || head == "" {
		return ""
	}
	return l.Repository + "/compare/" + base + "..." + head
}

// Event is what the triggering event asks for.
type Event struct {
	Name string // repository_dispatch, workflow_dispatch, schedule, ...
	// Action is repository_dispatch's event_type.
	Action string
	// Services and Regions come from the dispatch payload or the manual
	// inputs; empty means "as configured".
	Services []string
	Regions  []string
	Version  string
	Force    bool
	DryRun   bool
}

// Event reads the event that started the workflow. Outside Actions, or
// without an event file, it returns the zero Event.
func (r *Runner) Event() (Event, error) {
	if !r.enabled {
		return Event{}, nil
	}
	// go-githubactions reads GITHUB_EVENT_NAME and parses GITHUB_EVENT_PATH.
	// It may return a usable context together with an error about another
	// variable (a malformed GITHUB_RUN_ID, say): only a missing context, or
	// an event file it could not read, is a failure here.
	ghc, err := r.gh.Context()
	if ghc == nil {
		return Event{}, fmt.Errorf("read the workflow's event (%s): %w", r.getenv("GITHUB_EVENT_PATH"), err)
	}
	return eventFrom(ghc.EventName, ghc.Event), nil
}

// ParseEvent reads the parts of an event payload pricechecker uses.
func ParseEvent(name string, payload []byte) (Event, error) {
	var m map[string]any
	if len(payload) > 0 {
		if err := json.Unmarshal(payload, &m); err != nil {
			return Event{Name: name}, fmt.Errorf("parse %s event: %w", name, err)
		}
	}
	return eventFrom(name, m), nil
}

// eventFrom picks what pricechecker uses out of a parsed event payload.
func eventFrom(name string, payload map[string]any) Event {
	ev := Event{Name: name}
	obj := func(key string) map[string]any {
		m, _ := payload[key].(map[string]any)
		return m
	}
	switch name {
	case "repository_dispatch":
		ev.Action = str(payload["action"])
		// The relay's payload, read through its one definition.
		p := dispatch.Read(obj("client_payload"))
		ev.Services = append(ev.Services, List(p.OfferCode)...)
		for _, c := range p.OfferCodes {
			ev.Services = append(ev.Services, List(c)...)
		}
		ev.Version = p.Version
		ev.Regions = List(p.Region)
	case "workflow_dispatch":
		in := obj("inputs")
		ev.Services = List(str(in["services"]))
		ev.Regions = List(str(in["regions"]))
		ev.Version = strings.TrimSpace(str(in["version"]))
		ev.Force = truthy(in["force"])
		ev.DryRun = truthy(in["dry-run"]) || truthy(in["dry_run"])
	}
	return ev
}

// List splits a comma-, space- or newline-separated input.
func List(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' })
}

func str(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

// truthy accepts booleans and their string forms: github.event.inputs
// turns every input into a string.
func truthy(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return v == "true"
	}
	return false
}

// ReportOutputs sets the step outputs other steps and jobs read about a
// change report: run's, and notify's for what it covers.
func (r *Runner) ReportOutputs(rep report.Report, reportPath, commitSHA string) {
	added, removed, changed := rep.Totals()
	r.SetOutput("changed", strconv.FormatBool(!rep.Unchanged))
	r.SetOutput("added-count", strconv.Itoa(added))
	r.SetOutput("removed-count", strconv.Itoa(removed))
	r.SetOutput("changed-count", strconv.Itoa(changed))
	r.SetOutput("report-path", reportPath)
	r.SetOutput("commit-sha", commitSHA)
}

// Footer is the job summary's footer: links to the commit and the run.
func (l Links) Footer(commitSHA string) string {
	var parts []string
	if u := l.CommitURL(commitSHA); u != "" {
		parts = append(parts, fmt.Sprintf("[commit %s](%s)", commitSHA[:min(7, len(commitSHA))], u))
	}
	if l.Run != "" {
		parts = append(parts, fmt.Sprintf("[workflow run](%s)", l.Run))
	}
	if len(parts) == 0 {
		return ""
	}
	return "\n" + strings.Join(parts, " · ") + "\n"
}
