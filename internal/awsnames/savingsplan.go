package awsnames

import "strings"

// SavingsPlanCodes are the Savings Plans codes of the Bulk API
// (/savingsPlan/v1.0/aws/<code>/...), the spelling snapshots and manifests
// use. AWS is not consistent: Compute has no final "s".
var SavingsPlanCodes = []string{"AWSComputeSavingsPlan", "AWSMachineLearningSavingsPlans", "AWSDatabaseSavingsPlans"}

// SavingsPlanCode returns the Bulk API code of a Savings Plans code in any
// of the spellings AWS uses: the Bulk API path's (AWSComputeSavingsPlan),
// the Pricing API's service code (ComputeSavingsPlans), the CSV preamble's
// OfferCode (AmazonComputeSavingsPlan). A code that names some other
// savings plan is returned as written, so that plans AWS adds later work;
// ok is false when code is not a Savings Plans code at all.
func SavingsPlanCode(code string) (string, bool) {
	if base := savingsPlanBase(code); base != "" {
		for _, c := range SavingsPlanCodes {
			if savingsPlanBase(c) == base {
				return c, true
			}
		}
		return code, true
	}
	return "", false
}

// BulkCodes returns codes with each Savings Plans code in the Bulk API's
// spelling, the one snapshots use (ComputeSavingsPlans and
// AWSComputeSavingsPlan name the same folder); other codes stay as written.
func BulkCodes(codes []string) []string {
	if codes == nil {
		return nil
	}
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = c
		if sp, ok := SavingsPlanCode(c); ok {
			out[i] = sp
		}
	}
	return out
}

// SavingsPlanServiceCode returns the Pricing API's service code of a
// Savings Plans code (AWSComputeSavingsPlan -> ComputeSavingsPlans).
func SavingsPlanServiceCode(code string) string {
	base := savingsPlanBase(code)
	if base == "" {
		return code
	}
	i := strings.Index(strings.ToLower(code), strings.ToLower(base))
	return code[i:i+len(base)] + "s"
}

// IsSavingsPlanCode reports whether code spells a Savings Plans code.
func IsSavingsPlanCode(code string) bool {
	_, ok := SavingsPlanCode(code)
	return ok
}

// savingsPlanBase reduces every spelling to "ComputeSavingsPlan"-like form
// (lower-cased), or "" when code does not end in SavingsPlan(s).
func savingsPlanBase(code string) string {
	l := strings.ToLower(strings.TrimSpace(code))
	l = strings.TrimSuffix(l, "s")
	if !strings.HasSuffix(l, "savingsplan") {
		return ""
	}
	for _, prefix := range []string{"aws", "amazon"} {
		if rest := strings.TrimPrefix(l, prefix); rest != l {
			l = rest
			break
		}
	}
	if l == "savingsplan" {
		return ""
	}
	return l
}
