// Package suggest finds the names close to a mistyped one, for error
// messages that say "did you mean ...?".
package suggest

import (
	"cmp"
	"slices"
	"strings"
)

// DidYouMean formats up to five candidates close to want, or "" if none is.
func DidYouMean(want string, candidates []string) string {
	type scored struct {
		s string
		d int
	}
	lw := strings.ToLower(want)
	var close []scored
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := levenshtein(lw, lc)
		if d <= max(2, len(want)/3) || (len(lw) >= 3 && (strings.Contains(lc, lw) || strings.Contains(lw, lc))) {
			close = append(close, scored{c, d})
		}
	}
	if len(close) == 0 {
		return ""
	}
	slices.SortFunc(close, func(a, b scored) int {
		return cmp.Or(cmp.Compare(a.d, b.d), strings.Compare(a.s, b.s))
	})
	names := make([]string, 0, 5)
	for _, c := range close[:min(5, len(close))] {
		names = append(names, c.s)
	}
	return "; did you mean " + strings.Join(names, ", ") + "?"
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
