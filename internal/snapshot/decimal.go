package snapshot

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/pricechecker/pricechecker/internal/report"
)

// ParsePrice reads a price the way AWS writes it: a plain non-negative
// decimal, digits with an optional point and fraction ("0.2500000000",
// "34800", "0.35999999999999998667732370449812151491641998291015625"),
// exactly. Anything else is not a price: strconv.ParseFloat and
// big.Rat.SetString would read "0x10" as 16 and accept "1e3", "1/3",
// "NaN" or "Inf", each a number AWS never wrote.
func ParsePrice(s string) (*big.Rat, bool) {
	if !isPlainDecimal(s) {
		return nil, false
	}
	// SetString of a checked plain decimal is exact and cannot fail.
	return new(big.Rat).SetString(s)
}

func isPlainDecimal(s string) bool {
	digits := 0 // in the current part
	point := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !point && digits > 0:
			point, digits = true, 0
		default:
			return false
		}
	}
	return digits > 0
}

// invalidPriceFlag flags a touched line whose price, or previous price,
// is not a plain decimal: no percentage and no other price flag can be
// computed for it, and a silent null would hide that.
func invalidPriceFlag(rateCode, sku, oldPrice, newPrice string, changed bool) []report.Flag {
	var bad []string
	if changed && !isPlainDecimal(oldPrice) {
		bad = append(bad, fmt.Sprintf("previous price %s", quoteBrief(oldPrice)))
	}
	if !isPlainDecimal(newPrice) {
		bad = append(bad, fmt.Sprintf("price %s", quoteBrief(newPrice)))
	}
	if len(bad) == 0 {
		return nil
	}
	return []report.Flag{{Kind: report.FlagInvalidPrice, RateCode: rateCode, SKU: sku,
		Message: strings.Join(bad, " and ") + " is not a plain decimal number; no change is computed"}}
}

// quoteBrief quotes a value for a message, cut to a readable length.
func quoteBrief(s string) string {
	const max = 40
	if len(s) > max {
		return strconv.Quote(s[:max]) + "…"
	}
	return strconv.Quote(s)
}
