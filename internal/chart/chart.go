// Package chart draws price histories as SVG step charts: a price holds
// until the next change, so the line steps rather than slopes. It uses the
// standard library only, and the same input always gives the same bytes,
// so charts can be committed and compared.
package chart

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/pricechecker/pricechecker/internal/textsafe"
)

// Point is a value from Time on. A Gap point ends the line at Time (the
// price line disappeared); a later point starts it again.
type Point struct {
	Time  time.Time
	Value float64
	Gap   bool
}

// Series is one line of the chart, its points in time order.
type Series struct {
	// Name is what the legend reads: the line's label (see
	// report.Line.Label), so that people read "dc2.large · OnDemand · Hrs".
	Name string
	// Code, when set, is the line's rate code: the legend shows it as a
	// tooltip, and the line's own tooltip names it after Name.
	Code   string
	Points []Point
}

// title is the line's tooltip: its name, then its rate code.
func (s Series) title() string {
	if s.Code == "" || s.Code == s.Name {
		return s.Name
	}
	return s.Name + " (" + s.Code + ")"
}

// Options tune the chart. Zero values get defaults.
type Options struct {
	Title  string
	YLabel string
	// Width and Height are the plot's outer size in pixels, without the
	// legend, which is added below.
	Width, Height int
	// End is where the last values stop; default the last point's time.
	End time.Time
}

// palette is colour-blind friendly (Okabe–Ito, then Tableau).
var palette = []string{"#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000", "#8c564b", "#7f7f7f"}

const (
	marginLeft   = 80
	marginRight  = 40
	marginTop    = 40
	marginBottom = 48
	legendRow    = 18
)

// Step writes an SVG step chart of series to w.
func Step(w io.Writer, series []Series, opts Options) error {
	if opts.Width <= 0 {
		opts.Width = 800
	}
	if opts.Height <= 0 {
		opts.Height = 400
	}
	t0, t1, v0, v1, ok := bounds(series)
	if !ok {
		return errors.New("chart: nothing to draw")
	}
	if opts.End.After(t1) {
		t1 = opts.End
	}
	if !t1.After(t0) {
		t0, t1 = t0.Add(-12*time.Hour), t1.Add(12*time.Hour)
	}
	// Leave room after the last change so that the price in force now reads
	// as a level, not as a drop at the very edge.
	t1 = t1.Add(t1.Sub(t0) / 12)
	yTicks, yDec := niceTicks(v0, v1, 6)
	v0, v1 = yTicks[0], yTicks[len(yTicks)-1]
	xTicks, xLayout := timeTicks(t0, t1, 8)

	pw := float64(opts.Width - marginLeft - marginRight)
	ph := float64(opts.Height - marginTop - marginBottom)
	x := func(t time.Time) float64 {
		return marginLeft + pw*float64(t.Sub(t0))/float64(t1.Sub(t0))
	}
	y := func(v float64) float64 {
		return marginTop + ph - ph*(v-v0)/(v1-v0)
	}

	var b bytes.Buffer
	height := opts.Height + legendRow*len(series) + 8
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", opts.Width, height, opts.Width, height)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", opts.Width, height)
	if opts.Title != "" {
		fmt.Fprintf(&b, `<text x="%d" y="24" font-size="15" font-weight="bold">%s</text>`+"\n", marginLeft, esc(opts.Title))
	}
	// Grid and axes.
	for _, v := range yTicks {
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#e0e0e0"/>`+"\n", f(marginLeft), f(y(v)), f(marginLeft+pw), f(y(v)))
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end">%s</text>`+"\n", f(marginLeft-6), f(y(v)+4), strconv.FormatFloat(v, 'f', yDec, 64))
	}
	for _, t := range xTicks {
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#e0e0e0"/>`+"\n", f(x(t)), f(marginTop), f(x(t)), f(marginTop+ph))
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle">%s</text>`+"\n", f(x(t)), f(marginTop+ph+18), t.Format(xLayout))
	}
	fmt.Fprintf(&b, `<path d="M%s %sV%sH%s" fill="none" stroke="#333333"/>`+"\n", f(marginLeft), f(marginTop), f(marginTop+ph), f(marginLeft+pw))
	if opts.YLabel != "" {
		fmt.Fprintf(&b, `<text transform="translate(16 %s) rotate(-90)" text-anchor="middle">%s</text>`+"\n", f(marginTop+ph/2), esc(opts.YLabel))
	}
	// Lines.
	for i, s := range series {
		color := palette[i%len(palette)]
		var d bytes.Buffer
		open := false
		for j, p := range s.Points {
			switch {
			case p.Gap && open:
				fmt.Fprintf(&d, "H%s", f(x(p.Time)))
				open = false
			case p.Gap:
			case open:
				fmt.Fprintf(&d, "H%sV%s", f(x(p.Time)), f(y(p.Value)))
			default:
				fmt.Fprintf(&d, "M%s %s", f(x(p.Time)), f(y(p.Value)))
				open = true
			}
			if open && j == len(s.Points)-1 {
				fmt.Fprintf(&d, "H%s", f(x(t1)))
			}
		}
		fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="%s" stroke-width="2"><title>%s</title></path>`+"\n", d.String(), color, esc(s.title()))
		for _, p := range s.Points {
			if !p.Gap {
				fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="3" fill="%s"><title>%s %s: %s</title></circle>`+"\n", f(x(p.Time)), f(y(p.Value)), color, esc(s.title()), p.Time.UTC().Format(time.DateOnly), strconv.FormatFloat(p.Value, 'f', -1, 64))
			}
		}
	}
	// Legend.
	for i, s := range series {
		ly := opts.Height + legendRow*i
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="14" height="4" fill="%s"/>`+"\n", marginLeft, ly-4, palette[i%len(palette)])
		if s.Code != "" && s.Code != s.Name {
			fmt.Fprintf(&b, `<text x="%d" y="%d"><title>%s</title>%s</text>`+"\n", marginLeft+20, ly+1, esc(s.Code), esc(s.Name))
			continue
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`+"\n", marginLeft+20, ly+1, esc(s.Name))
	}
	b.WriteString("</svg>\n")
	_, err := w.Write(b.Bytes())
	return err
}

// bounds returns the time and value ranges of the points.
func bounds(series []Series) (t0, t1 time.Time, v0, v1 float64, ok bool) {
	v0, v1 = math.Inf(1), math.Inf(-1)
	for _, s := range series {
		for _, p := range s.Points {
			if !ok || p.Time.Before(t0) {
				t0 = p.Time
			}
			if !ok || p.Time.After(t1) {
				t1 = p.Time
			}
			ok = true
			if !p.Gap && !math.IsNaN(p.Value) && !math.IsInf(p.Value, 0) {
				v0, v1 = math.Min(v0, p.Value), math.Max(v1, p.Value)
			}
		}
	}
	if ok && v0 > v1 { // only gaps
		v0, v1 = 0, 1
	}
	return t0, t1, v0, v1, ok
}

// niceTicks returns about n round tick values covering lo..hi (steps of 1,
// 2 or 5 times a power of ten), and the decimals their labels need.
func niceTicks(lo, hi float64, n int) ([]float64, int) {
	if hi == lo {
		pad := math.Abs(lo) * 0.1
		if pad == 0 {
			pad = 1
		}
		lo, hi = lo-pad, hi+pad
	}
	raw := (hi - lo) / float64(n-1)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	dec := max(0, int(-math.Floor(math.Log10(step)+1e-9)))
	first := math.Floor(lo/step+1e-9) * step
	last := math.Ceil(hi/step-1e-9) * step
	var ticks []float64
	for i := 0; ; i++ {
		v := first + float64(i)*step
		scale := math.Pow(10, float64(dec))
		ticks = append(ticks, math.Round(v*scale)/scale)
		if v >= last-step*1e-6 {
			break
		}
	}
	if len(ticks) < 2 {
		ticks = append(ticks, first+step)
	}
	return ticks, dec
}

// timeTicks returns at most n tick times on round boundaries between t0
// and t1, and the layout to label them.
func timeTicks(t0, t1 time.Time, n int) ([]time.Time, string) {
	t0, t1 = t0.UTC(), t1.UTC()
	type step struct {
		d       time.Duration
		months  int
		layout  string
		truncTo time.Duration
	}
	steps := []step{
		{d: time.Hour, layout: "01-02 15:04"}, {d: 3 * time.Hour, layout: "01-02 15:04"},
		{d: 6 * time.Hour, layout: "01-02 15:04"}, {d: 12 * time.Hour, layout: "01-02 15:04"},
		{d: 24 * time.Hour, layout: time.DateOnly}, {d: 48 * time.Hour, layout: time.DateOnly},
		{d: 7 * 24 * time.Hour, layout: time.DateOnly}, {d: 14 * 24 * time.Hour, layout: time.DateOnly},
		{months: 1, layout: "2006-01"}, {months: 2, layout: "2006-01"}, {months: 3, layout: "2006-01"},
		{months: 6, layout: "2006-01"}, {months: 12, layout: "2006"}, {months: 24, layout: "2006"},
		{months: 60, layout: "2006"}, {months: 120, layout: "2006"},
	}
	for _, s := range steps {
		var ticks []time.Time
		if s.months == 0 && t1.Sub(t0)/s.d > time.Duration(n) {
			continue
		}
		if s.months > 0 && (t1.Year()-t0.Year())*12+int(t1.Month()-t0.Month()) > s.months*n {
			continue
		}
		if s.months == 0 {
			for t := t0.Truncate(s.d); !t.After(t1); t = t.Add(s.d) {
				if !t.Before(t0) {
					ticks = append(ticks, t)
				}
			}
		} else {
			start := time.Date(t0.Year(), t0.Month(), 1, 0, 0, 0, 0, time.UTC)
			for start.Month()%time.Month(min(s.months, 12)) != 1%time.Month(min(s.months, 12)) {
				start = start.AddDate(0, -1, 0)
			}
			for t := start; !t.After(t1); t = t.AddDate(0, s.months, 0) {
				if !t.Before(t0) {
					ticks = append(ticks, t)
				}
			}
		}
		if len(ticks) <= n {
			return ticks, s.layout
		}
	}
	return []time.Time{t0, t1}, "2006"
}

// f formats a coordinate with one decimal: enough for a pixel, and stable.
func f(v float64) string {
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// esc writes text into the SVG. Names come from AWS attribute values:
// encoding/xml replaces what XML cannot hold, textsafe the rest of what
// must not be shown (DEL, C1 controls, bidi overrides).
func esc(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(textsafe.Line(s)))
	return b.String()
}
