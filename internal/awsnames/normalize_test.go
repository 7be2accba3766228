package awsnames

import "testing"

func TestNormalizeName(t *testing.T) {
	pairs := [][2]string{
		{"instanceType", "Instance Type"}, {"preInstalledSw", "Pre Installed S/W"},
		{"capacitystatus", "CapacityStatus"}, {"vcpu", "vCPU"}, {"productFamily", "Product Family"},
		{"maxIopsvolume", "Max IOPS/volume"}, {"usagetype", "usageType"},
	}
	for _, p := range pairs {
		if NormalizeName(p[0]) != NormalizeName(p[1]) {
			t.Errorf("%q and %q normalise differently: %q vs %q", p[0], p[1], NormalizeName(p[0]), NormalizeName(p[1]))
		}
	}
}
