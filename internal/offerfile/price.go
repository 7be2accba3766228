package offerfile

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pricechecker/pricechecker/internal/priceline"
)

// AWS writes every price as a plain non-negative decimal string: digits,
// and for most prices a point and more digits ("0.2500000000", upfront fees
// "34800", now and then a float printed in full,
// "0.35999999999999998667732370449812151491641998291015625"). Never a sign,
// an exponent, a hex prefix, a leading or trailing point, spaces, NaN or
// Infinity. Ranges have the same shape, and "Inf" ends an open range;
// upfront fees have no range at all. Anything else is a corrupt or forged
// file, and a snapshot of it would turn a price into text that no
// percentage can be computed from, so the decoders fail on it, naming the
// rate codes.

// maxNumberLen caps a price or range: AWS's longest, a float printed in
// full, has 56 characters.
const maxNumberLen = 100

// maxBadShown is how many bad values an error names; the rest are counted.
const maxBadShown = 3

// isDecimal reports whether s is digits, optionally followed by a point
// and digits, in at most maxNumberLen characters.
func isDecimal(s string) bool {
	if len(s) == 0 || len(s) > maxNumberLen || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	dot := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return true
}

// badValues collects the price lines whose price or range is not a number
// as AWS writes it, so that one error names them all (the first few, and
// how many).
type badValues struct {
	n     int
	shown []string
}

// check records what is wrong with a line's price and ranges, if anything.
func (b *badValues) check(l *priceline.Line) {
	if !isDecimal(l.Price) {
		b.add(l.RateCode, "price", l.Price)
	}
	if l.BeginRange != "" && !isDecimal(l.BeginRange) {
		b.add(l.RateCode, "beginRange", l.BeginRange)
	}
	if l.EndRange != "" && l.EndRange != "Inf" && !isDecimal(l.EndRange) {
		b.add(l.RateCode, "endRange", l.EndRange)
	}
}

func (b *badValues) add(rateCode, what, value string) {
	b.n++
	if len(b.shown) < maxBadShown {
		b.shown = append(b.shown, fmt.Sprintf("%s %s %s", printable(rateCode, false), what, printable(value, true)))
	}
}

// err is nil when every value checked was a number.
func (b *badValues) err() error {
	if b.n == 0 {
		return nil
	}
	list := strings.Join(b.shown, ", ")
	if more := b.n - len(b.shown); more > 0 {
		list += fmt.Sprintf(" and %d more", more)
	}
	what := "price or range is"
	if b.n > 1 {
		what = "prices or ranges are"
	}
	return fmt.Errorf("%d %s not a decimal number as AWS writes it (digits with an optional decimal point; Inf ends a range): %s", b.n, what, list)
}

// printable readies a value from the file for a message: quoted when
// asked or when it is not a plain word (so that "", " 1" and control
// characters show), and cut short when long.
func printable(s string, quote bool) string {
	const max = 40
	cut := ""
	if len(s) > max {
		cut = fmt.Sprintf("… (%d bytes)", len(s))
		s = s[:max]
	}
	plain := s != "" && !quote
	for i := 0; i < len(s) && plain; i++ {
		c := s[i]
		plain = c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '.' || c == '-' || c == '_'
	}
	if plain && cut == "" {
		return s
	}
	return strconv.Quote(s) + cut
}
