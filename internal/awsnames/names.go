// Package awsnames holds facts about how AWS spells things in its price
// lists: the Savings Plans codes, and the rules that relate a CSV column
// title to the JSON attribute key of the same field. They are AWS's, not the
// user's, so decoders and clients read them here rather than from config.
// Nothing here imports the rest of the project.
package awsnames

import "strings"

// The CSV files title the fields the JSON files key, and configurations use
// the JSON keys. Matching needs no table (NormalizeName folds both
// spellings alike), but a suggestion must be given in the configuration's
// spelling, so the decoders turn a CSV title back into its JSON key. AWS
// derives one from the other by rule, a different rule in each kind of file;
// both only change case and drop punctuation, so a title and its key fold
// to the same name.

// JSONKey returns the JSON attribute key of a service CSV column title: the
// words of the title in camel case, without punctuation ("Instance Type" is
// instanceType, "Pre Installed S/W" preInstalledSw, "Max IOPS/volume"
// maxIopsvolume); a one-word title is all lower case ("CapacityStatus" is
// capacitystatus, "vCPU" vcpu, "usageType" usagetype).
func JSONKey(title string) string {
	var b strings.Builder
	for _, word := range strings.Fields(title) {
		word = strings.ToLower(alnum(word))
		if word == "" {
			continue // the "-" of "Instance Capacity - large"
		}
		if b.Len() > 0 {
			b.WriteString(strings.ToUpper(word[:1]))
			word = word[1:]
		}
		b.WriteString(word)
	}
	return b.String()
}

// SavingsPlanJSONKey returns the JSON key of a Savings Plans CSV column title. That CSV
// capitalises the JSON keys (DiscountedUsageType, DiscountedSKU for
// discountedSku) and spaces a few (Instance Family), so its words are split
// at spaces and at changes of case, then joined in camel case.
func SavingsPlanJSONKey(title string) string {
	var b strings.Builder
	for _, word := range strings.Fields(title) {
		word = alnum(word)
		start := 0
		for i := 1; i <= len(word); i++ {
			// A word ends before an upper-case letter that follows a
			// lower-case one (Usage|Type) or that starts a word after an
			// acronym (SKU|Code), and at the end.
			if i < len(word) && !(isUpper(word[i]) && (!isUpper(word[i-1]) || i+1 < len(word) && !isUpper(word[i+1]))) {
				continue
			}
			w := strings.ToLower(word[start:i])
			if b.Len() > 0 {
				w = strings.ToUpper(w[:1]) + w[1:]
			}
			b.WriteString(w)
			start = i
		}
	}
	return b.String()
}

// alnum drops what NormalizeName drops: all but ASCII letters and
// digits.
func alnum(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// NormalizeName folds an attribute name so that the JSON key and the CSV
// column title of the same attribute compare equal: "instanceType" and
// "Instance Type", "preInstalledSw" and "Pre Installed S/W",
// "capacitystatus" and "CapacityStatus" all become the same string.
func NormalizeName(name string) string {
	b := make([]byte, 0, len(name))
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b = append(b, c)
		case c >= 'A' && c <= 'Z':
			b = append(b, c+('a'-'A'))
		}
	}
	return string(b)
}
