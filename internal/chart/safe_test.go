package chart

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/pricechecker/pricechecker/internal/textsafe"
)

// A series name comes from AWS attribute values; the SVG stays well-formed
// XML and shows no control character or bidi override.
func TestStepNamesCarryNoControlCharacters(t *testing.T) {
	series := []Series{{Name: "R1 a\x00b \x1b[31m \u202eexe.txt del\x7f c1\u0085", Points: []Point{
		{Time: day("2018-03-09"), Value: 0.25}, {Time: day("2018-04-01"), Value: 0.125},
	}}}
	var buf bytes.Buffer
	if err := Step(&buf, series, Options{Title: "T\u202e", YLabel: "USD/Hrs", End: day("2018-04-20")}); err != nil {
		t.Fatal(err)
	}
	svg := buf.String()
	if i := strings.IndexFunc(svg, func(r rune) bool { return r != '\n' && textsafe.Unsafe(r) }); i >= 0 {
		t.Errorf("the SVG carries %q", svg[i:i+1])
	}
	dec := xml.NewDecoder(strings.NewReader(svg))
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("the SVG is not XML: %v", err)
		}
	}
}
