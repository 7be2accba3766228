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
