package publish

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

// recorder is a destination that records what it was given.
type recorder struct {
	name      string
	amendable bool
	fail      error
	links     Links
	got       []Outcome
	order     *[]string
}

func (r *recorder) Name() string    { return r.name }
func (r *recorder) Failure() string { return r.name + " was not updated" }
func (r *recorder) Amendable() bool { return r.amendable }
func (r *recorder) Publish(_ context.Context, o Outcome) (Links, error) {
	r.got = append(r.got, o)
	*r.order = append(*r.order, r.name)
	return r.links, r.fail
}

type log struct{ groups, errs []string }

func (l *log) Group(title string) func() { l.groups = append(l.groups, title); return func() {} }
func (l *log) Error(err error)           { l.errs = append(l.errs, err.Error()) }

// Destinations that can be corrected go first, whatever the registration
// order; a failed one does not stop the others and is named in what the
// later ones publish; the error names every failure.
func TestRunOrderAndIndependence(t *testing.T) {
	var order []string
	chat := &recorder{name: "chat", order: &order, fail: errors.New("chat down")}
	hook := &recorder{name: "hook", order: &order}
	sheet := &recorder{name: "sheet", amendable: true, order: &order, fail: errors.New("sheet\nforbidden"), links: Links{Spreadsheet: "https://sheet"}}
	var l log
	o := Outcome{Status: StatusSuccess, PublicationID: "id1", Links: Links{Run: "https://run"}}
	err := Run(context.Background(), o, []Publisher{chat, hook, sheet}, &l)

	if got := strings.Join(order, ","); got != "sheet,chat,hook" {
		t.Errorf("published in order %s, want sheet,chat,hook", got)
	}
	if err == nil || !strings.Contains(err.Error(), "sheet was not updated: sheet\nforbidden") || !strings.Contains(err.Error(), "chat was not updated: chat down") {
		t.Errorf("error = %v, want both failures named", err)
	}
	if len(chat.got) != 1 || len(chat.got[0].Unpublished) != 1 || chat.got[0].Unpublished[0] != (Unpublished{"sheet", "sheet forbidden"}) {
		t.Errorf("chat was told %+v, want the sheet's failure on one line", chat.got)
	}
	if len(hook.got) != 1 || len(hook.got[0].Unpublished) != 2 || hook.got[0].Unpublished[1].Destination != "chat" {
		t.Errorf("hook was told %+v, want the sheet's and the chat's failures", hook.got[0].Unpublished)
	}
	if hook.got[0].Links != (Links{Run: "https://run", Spreadsheet: "https://sheet"}) || hook.got[0].PublicationID != "id1" {
		t.Errorf("hook got links %+v, id %q", hook.got[0].Links, hook.got[0].PublicationID)
	}
	if len(sheet.got[0].Unpublished) != 0 {
		t.Errorf("the first destination was told of failures: %+v", sheet.got[0].Unpublished)
	}
	if strings.Join(l.groups, ",") != "sheet,chat,hook" || len(l.errs) != 2 {
		t.Errorf("groups %v, annotations %v", l.groups, l.errs)
	}
	if err := Run(context.Background(), o, []Publisher{&recorder{name: "ok", order: &order}}, &l); err != nil {
		t.Errorf("a publication that succeeded failed: %v", err)
	}
}

func TestRunStatus(t *testing.T) {
	for _, tt := range []struct {
		o    Outcome
		want Status
	}{
		{Outcome{}, StatusSuccess},
		{Outcome{Jobs: []Job{{Name: "a", Result: "cancelled"}}}, StatusCancelled},
		{Outcome{Status: StatusCancelled, Jobs: []Job{{Name: "a", Result: "failure"}}}, StatusCancelled},
		{Outcome{Status: "skipped"}, StatusFailure},
	} {
		if got := tt.o.RunStatus(); got != tt.want {
			t.Errorf("%+v: RunStatus = %s, want %s", tt.o, got, tt.want)
		}
	}
}

// RunLinks returns what every publisher added to the links, even where a
// later one failed: the Slack message's ts becomes notify's slack-ts output.
func TestRunLinksGathersWhatPublishersAdd(t *testing.T) {
	var order []string
	var l log
	o := Outcome{Links: Links{Run: "https://run"}}
	links, err := RunLinks(context.Background(), o, []Publisher{
		&recorder{name: "chat", order: &order, links: Links{SlackTS: "1700000000.000100"}},
		&recorder{name: "hook", order: &order, fail: errors.New("down")},
		&recorder{name: "sheet", amendable: true, order: &order, links: Links{Spreadsheet: "https://sheet"}},
	}, &l)
	if err == nil {
		t.Error("the failed destination was not reported")
	}
	want := Links{Run: "https://run", Spreadsheet: "https://sheet", SlackTS: "1700000000.000100"}
	if links != want {
		t.Errorf("links = %+v, want %+v", links, want)
	}
}

// RunOutcome returns the outcome as the last publisher left it: every
// destination that failed is in Unpublished, with its reason on one line,
// for notify's job summary.
func TestRunOutcomeNamesEveryFailure(t *testing.T) {
	var order []string
	var l log
	done, err := RunOutcome(context.Background(), Outcome{}, []Publisher{
		&recorder{name: "chat", order: &order, fail: errors.New("channel_not_found")},
		&recorder{name: "hook", order: &order, fail: errors.New("answered 400\n\"bad\"")},
		&recorder{name: "sheet", amendable: true, order: &order, links: Links{Spreadsheet: "https://sheet"}},
	}, &l)
	if err == nil {
		t.Error("the failed destinations were not reported")
	}
	want := []Unpublished{{Destination: "chat", Reason: "channel_not_found"}, {Destination: "hook", Reason: `answered 400 "bad"`}}
	if !slices.Equal(done.Unpublished, want) || done.Links.Spreadsheet != "https://sheet" {
		t.Errorf("outcome = %+v, want Unpublished %+v and the spreadsheet", done, want)
	}
}
