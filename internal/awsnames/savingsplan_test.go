package awsnames

import "testing"

func TestSavingsPlanCodeSpellings(t *testing.T) {
	cases := map[string]string{
		"AWSComputeSavingsPlan": "AWSComputeSavingsPlan", "ComputeSavingsPlans": "AWSComputeSavingsPlan",
		"AmazonComputeSavingsPlan": "AWSComputeSavingsPlan", "computesavingsplans": "AWSComputeSavingsPlan",
		"MachineLearningSavingsPlans": "AWSMachineLearningSavingsPlans", "AWSDatabaseSavingsPlans": "AWSDatabaseSavingsPlans",
		"AWSFutureSavingsPlans": "AWSFutureSavingsPlans",
	}
	for in, want := range cases {
		if got, ok := SavingsPlanCode(in); !ok || got != want {
			t.Errorf("SavingsPlanCode(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"AmazonEC2", "SavingsPlans", "AWSSavingsPlan", ""} {
		if _, ok := SavingsPlanCode(in); ok {
			t.Errorf("SavingsPlanCode(%q) accepted", in)
		}
	}
	for in, want := range map[string]string{"AWSComputeSavingsPlan": "ComputeSavingsPlans", "AWSMachineLearningSavingsPlans": "MachineLearningSavingsPlans", "AWSDatabaseSavingsPlans": "DatabaseSavingsPlans"} {
		if got := SavingsPlanServiceCode(in); got != want {
			t.Errorf("SavingsPlanServiceCode(%q) = %q, want %q", in, got, want)
		}
	}
}

// The offers a history or a site selects are named in any spelling; the
// snapshot folders use the Bulk API's, and other codes stay as written.
func TestBulkCodes(t *testing.T) {
	got := BulkCodes([]string{"ComputeSavingsPlans", "AmazonEC2", "AmazonDatabaseSavingsPlans", "AWSComputeSavingsPlan"})
	want := []string{"AWSComputeSavingsPlan", "AmazonEC2", "AWSDatabaseSavingsPlans", "AWSComputeSavingsPlan"}
	if len(got) != len(want) {
		t.Fatalf("BulkCodes = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("BulkCodes[%d] = %q, want %q", i, got[i], want[i])
		}
	}
	if BulkCodes(nil) != nil {
		t.Error("BulkCodes(nil) is not nil: no selection must stay no selection")
	}
}
