package sheets

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pricechecker/pricechecker/internal/textsafe"
)

// hostile holds every kind of character that must not reach people as is.
const hostile = "a\x00b\tc\nd\re\x1bf\x7fg\u0085h\u202ei\u2066j\u2069k"

func unsafeRune(s string) (rune, bool) {
	for _, r := range s {
		if textsafe.Unsafe(r) {
			return r, true
		}
	}
	return 0, false
}

// A control or bidi character in AWS's text never reaches the Changes and
// Status tabs; a price tab keeps AWS's text except the controls.
func TestPublishCleansText(t *testing.T) {
	e := newEnv(t)
	tab := ec2Snapshot(t, v1)
	tab.Rows[0][1] = hostile // a column of the snapshot, not the price
	tab.Version = v1 + "\x00"
	rep := report1()
	o := &rep.Offers[0]
	o.Added[0].Description = hostile
	o.Added[0].Attributes["instanceType"] = hostile
	o.Changed[0].Unit = hostile
	o.Removed[0].RateCode = "9999ZZZZ.JRTCKXETXF.6YS6EN2CT7" + hostile
	e.publish(t, []Tab{tab}, rep)

	for _, name := range []string{"Changes", "Status"} {
		for i, row := range e.fake.Values(spreadsheetID, name) {
			for j, c := range row {
				if r, bad := unsafeRune(fmt.Sprint(c)); bad {
					t.Errorf("%s row %d column %d holds %U: %q", name, i+1, j+1, r, c)
				}
			}
		}
	}
	got := fmt.Sprint(e.fake.Values(spreadsheetID, ec2Tab)[1][1])
	if want := "a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf\uFFFDg\uFFFDh\u202ei\u2066j\u2069k"; got != want {
		t.Errorf("price tab cell = %q, want %q (controls replaced, bidi kept)", got, want)
	}
	// The same report again appends nothing: the cleaned keys match.
	if res := e.publish(t, []Tab{tab}, rep); res.ChangesAppended != 0 {
		t.Errorf("re-run appended %d lines", res.ChangesAppended)
	}
	if strings.Contains(fmt.Sprint(e.fake.Values(spreadsheetID, "Changes")), "\x00") {
		t.Error("NUL in the Changes tab")
	}
}

func TestSanitizeTitleDropsBidi(t *testing.T) {
	if got := SanitizeTitle("AmazonEC2 \u202eus-east-1\u0085"); got != "AmazonEC2  us-east-1" {
		t.Errorf("SanitizeTitle = %q", got)
	}
}
