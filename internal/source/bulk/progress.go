package bulk

import (
	"fmt"
	"io"
	"time"
)

// Progress wraps a download and reports bytes, percent and rate to w every
// interval, as plain lines that read well in CI logs (no carriage returns).
type Progress struct {
	r        io.Reader
	w        io.Writer
	label    string
	size     int64
	read     int64
	start    time.Time
	interval time.Duration
	last     time.Time
	now      func() time.Time
}

// NewProgress reports on r, which has size bytes (or -1 when unknown).
// When r is a File, its stalls and resumptions are reported too, whatever
// the interval: they are what a user watching a silent log needs to see.
func NewProgress(r io.Reader, w io.Writer, label string, size int64, interval time.Duration) *Progress {
	now := time.Now()
	p := &Progress{r: r, w: w, label: label, size: size, start: now, last: now, interval: interval, now: time.Now}
	if f, ok := r.(*File); ok {
		f.notify = p.event
	}
	return p
}

// event prints a line about the download ("no data for 30s ...",
// "resuming ..."). The File calls it from its watchdog while Read waits,
// or from Read itself, never both at once.
func (p *Progress) event(msg string) { fmt.Fprintf(p.w, "%s: %s\n", p.label, msg) }

func (p *Progress) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.read += int64(n)
	if p.interval > 0 {
		if t := p.now(); t.Sub(p.last) >= p.interval {
			p.last = t
			p.report(t, false)
		}
	}
	return n, err
}

// Done prints the final line.
func (p *Progress) Done() { p.report(p.now(), true) }

// Bytes returns how much was read so far.
func (p *Progress) Bytes() int64 { return p.read }

func (p *Progress) report(t time.Time, done bool) {
	read := p.read
	elapsed := t.Sub(p.start).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(read) / elapsed
	}
	line := fmt.Sprintf("%s: %s", p.label, mb(read))
	if p.size > 0 {
		line += fmt.Sprintf(" / %s (%.0f%%)", mb(p.size), 100*float64(read)/float64(p.size))
	}
	line += fmt.Sprintf(", %s/s", mb(int64(rate)))
	if done {
		line += fmt.Sprintf(", done in %.1fs", elapsed)
	}
	fmt.Fprintln(p.w, line)
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
