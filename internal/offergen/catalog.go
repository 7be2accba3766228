package offergen

import (
	"strconv"
	"strings"
)

// The catalogue below is a compact model of what EC2 sells in a region:
// instance families with their sizes, the operating-system/licence variants
// each instance type is priced for, tenancies and capacity states. Products
// are drawn from the cross product of these, so attribute combinations stay
// unique the way they are in the real files (several SKUs per instance type,
// differing by operatingSystem, licenseModel, preInstalledSw, tenancy and
// capacitystatus).

// family is one EC2 instance family ("m6i") and how its sizes scale.
type family struct {
	name       string
	category   string // instanceFamily
	processor  string // physicalProcessor
	clock      string // clockSpeed; "" when AWS publishes none
	memPerVCPU float64
	// localDisk is the NVMe/HDD size in GB per vCPU; 0 means "EBS only".
	localDisk int
	diskKind  string // "NVMe SSD", "HDD"
	// network is the top networkPerformance in Gigabit for the largest size.
	network int
	// price is the Linux on-demand price per vCPU-hour, in 1e-5 USD.
	price   int64
	sizes   []string
	gpu     int    // GPUs in the largest size; 0 for none
	gpuMem  string // per-GPU memory, "24 GiB"
	current bool
}

func (f *family) vendor() string {
	switch {
	case strings.HasPrefix(f.processor, "AWS Graviton"):
		return "graviton"
	case strings.HasPrefix(f.processor, "AMD"):
		return "amd"
	}
	return "intel"
}

// size is an instance size ("2xlarge") with its vCPU count and EC2's
// normalization factor.
type size struct {
	name string
	vcpu int
	norm string
}

var sizeTable = map[string]size{
	"nano":      {"nano", 2, "0.25"},
	"micro":     {"micro", 2, "0.5"},
	"small":     {"small", 2, "1"},
	"medium":    {"medium", 1, "2"},
	"large":     {"large", 2, "4"},
	"xlarge":    {"xlarge", 4, "8"},
	"2xlarge":   {"2xlarge", 8, "16"},
	"3xlarge":   {"3xlarge", 12, "24"},
	"4xlarge":   {"4xlarge", 16, "32"},
	"6xlarge":   {"6xlarge", 24, "48"},
	"8xlarge":   {"8xlarge", 32, "64"},
	"9xlarge":   {"9xlarge", 36, "72"},
	"12xlarge":  {"12xlarge", 48, "96"},
	"16xlarge":  {"16xlarge", 64, "128"},
	"18xlarge":  {"18xlarge", 72, "144"},
	"24xlarge":  {"24xlarge", 96, "192"},
	"32xlarge":  {"32xlarge", 128, "256"},
	"48xlarge":  {"48xlarge", 192, "384"},
	"10xlarge":  {"10xlarge", 40, "80"},
	"56xlarge":  {"56xlarge", 224, "448"},
	"112xlarge": {"112xlarge", 448, "896"},
	"metal":     {"metal", 0, ""}, // takes the largest size's figures
}

var (
	sizesStd    = []string{"large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "metal"}
	sizesStd32  = []string{"large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge", "metal"}
	sizesStd48  = []string{"medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge", "48xlarge", "metal"}
	sizesGrav   = []string{"medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "metal"}
	sizesGrav48 = []string{"medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge", "metal"}
	sizesBurst  = []string{"nano", "micro", "small", "medium", "large", "xlarge", "2xlarge"}
	sizesC5     = []string{"large", "xlarge", "2xlarge", "4xlarge", "9xlarge", "12xlarge", "18xlarge", "24xlarge", "metal"}
	sizesStor   = []string{"large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge", "metal"}
	sizesGPU    = []string{"xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge"}
)

const (
	procSkylake   = "Intel Xeon Platinum 8175"
	procCascade   = "Intel Xeon Platinum 8275L"
	procIceLake   = "Intel Xeon 8375C (Ice Lake)"
	procSapphire  = "Intel Xeon Scalable (Sapphire Rapids)"
	procEPYC1     = "AMD EPYC 7571"
	procEPYC3     = "AMD EPYC 7R13 Processor"
	procEPYC4     = "AMD EPYC 9R14 Processor"
	procGraviton2 = "AWS Graviton2 Processor"
	procGraviton3 = "AWS Graviton3 Processor"
	procGraviton4 = "AWS Graviton4 Processor"
)

var families = []family{
	// General purpose.
	{"m5", "General purpose", procSkylake, "3.1 GHz", 4, 0, "", 25, 4800, sizesStd, 0, "", true},
	{"m5a", "General purpose", procEPYC1, "2.5 GHz", 4, 0, "", 20, 4300, sizesStd[:8], 0, "", true},
	{"m5d", "General purpose", procSkylake, "3.1 GHz", 4, 75, "NVMe SSD", 25, 5650, sizesStd, 0, "", true},
	{"m5n", "General purpose", procCascade, "3.1 GHz", 4, 0, "", 100, 5950, sizesStd, 0, "", true},
	{"m6i", "General purpose", procIceLake, "3.5 GHz", 4, 0, "", 50, 4800, sizesStd32, 0, "", true},
	{"m6id", "General purpose", procIceLake, "3.5 GHz", 4, 59, "NVMe SSD", 50, 5933, sizesStd32, 0, "", true},
	{"m6a", "General purpose", procEPYC3, "3.6 GHz", 4, 0, "", 50, 4320, sizesStd48, 0, "", true},
	{"m6g", "General purpose", procGraviton2, "2.5 GHz", 4, 0, "", 25, 3850, sizesGrav, 0, "", true},
	{"m6gd", "General purpose", procGraviton2, "2.5 GHz", 4, 59, "NVMe SSD", 25, 4520, sizesGrav, 0, "", true},
	{"m7i", "General purpose", procSapphire, "3.2 GHz", 4, 0, "", 50, 5040, sizesStd48, 0, "", true},
	{"m7i-flex", "General purpose", procSapphire, "3.2 GHz", 4, 0, "", 12, 4788, []string{"large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"}, 0, "", true},
	{"m7a", "General purpose", procEPYC4, "3.7 GHz", 4, 0, "", 50, 5796, sizesStd48, 0, "", true},
	{"m7g", "General purpose", procGraviton3, "2.6 GHz", 4, 0, "", 30, 4080, sizesGrav, 0, "", true},
	{"m8g", "General purpose", procGraviton4, "2.8 GHz", 4, 0, "", 50, 4488, sizesGrav48, 0, "", true},
	{"m4", "General purpose", "Intel Xeon E5-2676 v3 (Haswell)", "2.4 GHz", 4, 0, "", 25, 5000, []string{"large", "xlarge", "2xlarge", "4xlarge", "10xlarge", "16xlarge"}, 0, "", false},
	{"t2", "General purpose", "Intel Xeon Family", "Up to 3.3 GHz", 2, 0, "", 1, 580, sizesBurst, 0, "", false},
	{"t3", "General purpose", "Intel Skylake E5 2686 v5", "3.1 GHz", 2, 0, "", 5, 520, sizesBurst, 0, "", true},
	{"t3a", "General purpose", procEPYC1, "2.5 GHz", 2, 0, "", 5, 470, sizesBurst, 0, "", true},
	{"t4g", "General purpose", procGraviton2, "2.5 GHz", 2, 0, "", 5, 420, sizesBurst, 0, "", true},
	{"m5dn", "General purpose", procCascade, "3.1 GHz", 4, 75, "NVMe SSD", 100, 6800, sizesStd, 0, "", true},
	{"m5zn", "General purpose", "Intel Xeon Platinum 8252", "4.5 GHz", 4, 0, "", 100, 8258, []string{"large", "xlarge", "2xlarge", "3xlarge", "6xlarge", "12xlarge", "metal"}, 0, "", true},
	{"m6in", "General purpose", procIceLake, "3.5 GHz", 4, 0, "", 200, 6962, sizesStd32, 0, "", true},
	{"m6idn", "General purpose", procIceLake, "3.5 GHz", 4, 59, "NVMe SSD", 200, 7958, sizesStd32, 0, "", true},
	{"m7gd", "General purpose", procGraviton3, "2.6 GHz", 4, 59, "NVMe SSD", 30, 5337, sizesGrav, 0, "", true},
	{"m8gd", "General purpose", procGraviton4, "2.8 GHz", 4, 59, "NVMe SSD", 50, 5872, sizesGrav48, 0, "", true},
	{"mac2", "General purpose", "Apple M1 chip with 8-core CPU", "", 2, 0, "", 10, 7750, []string{"metal"}, 0, "", true},
	// Compute optimized.
	{"c5", "Compute optimized", "Intel Xeon Platinum 8124M", "3.4 GHz", 2, 0, "", 25, 4250, sizesC5, 0, "", true},
	{"c5a", "Compute optimized", "AMD EPYC 7R32", "3.3 GHz", 2, 0, "", 20, 3850, sizesStd[:8], 0, "", true},
	{"c5d", "Compute optimized", "Intel Xeon Platinum 8124M", "3.4 GHz", 2, 50, "NVMe SSD", 25, 4800, sizesC5, 0, "", true},
	{"c5n", "Compute optimized", "Intel Xeon Platinum 8124M", "3.0 GHz", 2.625, 0, "", 100, 5400, []string{"large", "xlarge", "2xlarge", "4xlarge", "9xlarge", "18xlarge", "metal"}, 0, "", true},
	{"c6i", "Compute optimized", procIceLake, "3.5 GHz", 2, 0, "", 50, 4250, sizesStd32, 0, "", true},
	{"c6id", "Compute optimized", procIceLake, "3.5 GHz", 2, 59, "NVMe SSD", 50, 5040, sizesStd32, 0, "", true},
	{"c6a", "Compute optimized", procEPYC3, "3.6 GHz", 2, 0, "", 50, 3825, sizesStd48, 0, "", true},
	{"c6g", "Compute optimized", procGraviton2, "2.5 GHz", 2, 0, "", 25, 3400, sizesGrav, 0, "", true},
	{"c6gn", "Compute optimized", procGraviton2, "2.5 GHz", 2, 0, "", 100, 4320, sizesGrav[:8], 0, "", true},
	{"c7i", "Compute optimized", procSapphire, "3.2 GHz", 2, 0, "", 50, 4463, sizesStd48, 0, "", true},
	{"c7a", "Compute optimized", procEPYC4, "3.7 GHz", 2, 0, "", 50, 5131, sizesStd48, 0, "", true},
	{"c7g", "Compute optimized", procGraviton3, "2.6 GHz", 2, 0, "", 30, 3625, sizesGrav, 0, "", true},
	{"c7gn", "Compute optimized", procGraviton3, "2.6 GHz", 2, 0, "", 200, 6240, sizesGrav, 0, "", true},
	{"c8g", "Compute optimized", procGraviton4, "2.8 GHz", 2, 0, "", 50, 3988, sizesGrav48, 0, "", true},
	{"c4", "Compute optimized", "Intel Xeon E5-2666 v3 (Haswell)", "2.9 GHz", 1.875, 0, "", 10, 5000, []string{"large", "xlarge", "2xlarge", "4xlarge", "8xlarge"}, 0, "", false},
	{"c5ad", "Compute optimized", "AMD EPYC 7R32", "3.3 GHz", 2, 37, "NVMe SSD", 20, 4300, sizesStd[:8], 0, "", true},
	{"c6gd", "Compute optimized", procGraviton2, "2.5 GHz", 2, 59, "NVMe SSD", 25, 3840, sizesGrav, 0, "", true},
	{"c6in", "Compute optimized", procIceLake, "3.5 GHz", 2, 0, "", 200, 5670, sizesStd32, 0, "", true},
	{"c7gd", "Compute optimized", procGraviton3, "2.6 GHz", 2, 59, "NVMe SSD", 30, 4535, sizesGrav, 0, "", true},
	{"c7i-flex", "Compute optimized", procSapphire, "3.2 GHz", 2, 0, "", 12, 4240, []string{"large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"}, 0, "", true},
	{"c8gd", "Compute optimized", procGraviton4, "2.8 GHz", 2, 59, "NVMe SSD", 50, 4986, sizesGrav48, 0, "", true},
	{"hpc6a", "Compute optimized", "AMD EPYC 7R13 Processor", "3.6 GHz", 4, 0, "", 100, 300, []string{"48xlarge"}, 0, "", true},
	{"hpc7g", "Compute optimized", procGraviton3, "2.6 GHz", 1, 0, "", 200, 265, []string{"4xlarge", "8xlarge", "16xlarge"}, 0, "", true},
	// Memory optimized.
	{"r5", "Memory optimized", procSkylake, "3.1 GHz", 8, 0, "", 25, 6300, sizesStd, 0, "", true},
	{"r5a", "Memory optimized", procEPYC1, "2.5 GHz", 8, 0, "", 20, 5650, sizesStd[:8], 0, "", true},
	{"r5b", "Memory optimized", procCascade, "3.1 GHz", 8, 0, "", 25, 7450, sizesStd, 0, "", true},
	{"r5d", "Memory optimized", procSkylake, "3.1 GHz", 8, 75, "NVMe SSD", 25, 7200, sizesStd, 0, "", true},
	{"r6i", "Memory optimized", procIceLake, "3.5 GHz", 8, 0, "", 50, 6300, sizesStd32, 0, "", true},
	{"r6id", "Memory optimized", procIceLake, "3.5 GHz", 8, 59, "NVMe SSD", 50, 7560, sizesStd32, 0, "", true},
	{"r6a", "Memory optimized", procEPYC3, "3.6 GHz", 8, 0, "", 50, 5670, sizesStd48, 0, "", true},
	{"r6g", "Memory optimized", procGraviton2, "2.5 GHz", 8, 0, "", 25, 5040, sizesGrav, 0, "", true},
	{"r7i", "Memory optimized", procSapphire, "3.2 GHz", 8, 0, "", 50, 6615, sizesStd48, 0, "", true},
	{"r7a", "Memory optimized", procEPYC4, "3.7 GHz", 8, 0, "", 50, 7608, sizesStd48, 0, "", true},
	{"r7g", "Memory optimized", procGraviton3, "2.6 GHz", 8, 0, "", 30, 5355, sizesGrav, 0, "", true},
	{"r8g", "Memory optimized", procGraviton4, "2.8 GHz", 8, 0, "", 50, 5891, sizesGrav48, 0, "", true},
	{"x2idn", "Memory optimized", procIceLake, "3.5 GHz", 16, 29, "NVMe SSD", 100, 10420, []string{"16xlarge", "24xlarge", "32xlarge", "metal"}, 0, "", true},
	{"x2iedn", "Memory optimized", procIceLake, "3.5 GHz", 32, 59, "NVMe SSD", 100, 20840, []string{"xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge", "24xlarge", "32xlarge", "metal"}, 0, "", true},
	{"x1e", "Memory optimized", "High Frequency Intel Xeon E7-8880 v3 (Haswell)", "2.3 GHz", 30.5, 30, "SSD", 25, 20850, []string{"xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge", "32xlarge"}, 0, "", true},
	{"z1d", "Memory optimized", "Intel Xeon Platinum 8151", "4.0 GHz", 8, 37, "NVMe SSD", 25, 9300, []string{"large", "xlarge", "2xlarge", "3xlarge", "6xlarge", "12xlarge", "metal"}, 0, "", true},
	{"r5n", "Memory optimized", procCascade, "3.1 GHz", 8, 0, "", 100, 7450, sizesStd, 0, "", true},
	{"r5dn", "Memory optimized", procCascade, "3.1 GHz", 8, 75, "NVMe SSD", 100, 8350, sizesStd, 0, "", true},
	{"r5ad", "Memory optimized", procEPYC1, "2.5 GHz", 8, 75, "NVMe SSD", 20, 6550, sizesStd[:8], 0, "", true},
	{"r6gd", "Memory optimized", procGraviton2, "2.5 GHz", 8, 59, "NVMe SSD", 25, 5760, sizesGrav, 0, "", true},
	{"r6in", "Memory optimized", procIceLake, "3.5 GHz", 8, 0, "", 200, 8718, sizesStd32, 0, "", true},
	{"r6idn", "Memory optimized", procIceLake, "3.5 GHz", 8, 59, "NVMe SSD", 200, 9767, sizesStd32, 0, "", true},
	{"r7gd", "Memory optimized", procGraviton3, "2.6 GHz", 8, 59, "NVMe SSD", 30, 6804, sizesGrav, 0, "", true},
	{"r7iz", "Memory optimized", procSapphire, "3.9 GHz", 8, 0, "", 50, 9300, []string{"large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "32xlarge", "metal"}, 0, "", true},
	{"r8gd", "Memory optimized", procGraviton4, "2.8 GHz", 8, 59, "NVMe SSD", 50, 7448, sizesGrav48, 0, "", true},
	{"x2gd", "Memory optimized", procGraviton2, "2.5 GHz", 16, 59, "NVMe SSD", 25, 8350, sizesGrav, 0, "", true},
	{"x8g", "Memory optimized", procGraviton4, "2.8 GHz", 16, 0, "", 50, 9771, sizesGrav48, 0, "", true},
	{"u-6tb1", "Memory optimized", "Intel Xeon Scalable (Skylake)", "2.1 GHz", 27.43, 0, "", 100, 20250, []string{"56xlarge", "112xlarge", "metal"}, 0, "", true},
	// Storage optimized.
	{"i3", "Storage optimized", "Intel Xeon E5-2686 v4 (Broadwell)", "2.3 GHz", 7.625, 237, "NVMe SSD", 25, 7800, sizesStor, 0, "", true},
	{"i3en", "Storage optimized", procSkylake, "3.1 GHz", 8, 625, "NVMe SSD", 100, 11300, []string{"large", "xlarge", "2xlarge", "3xlarge", "6xlarge", "12xlarge", "24xlarge", "metal"}, 0, "", true},
	{"i4i", "Storage optimized", procIceLake, "3.5 GHz", 8, 234, "NVMe SSD", 75, 8580, sizesStd32, 0, "", true},
	{"i4g", "Storage optimized", procGraviton2, "2.5 GHz", 8, 234, "NVMe SSD", 37, 7720, sizesGrav[1:8], 0, "", true},
	{"d3", "Storage optimized", "Intel Xeon Platinum 8259 (Cascade Lake)", "3.1 GHz", 8, 1500, "HDD", 25, 12450, []string{"xlarge", "2xlarge", "4xlarge", "8xlarge"}, 0, "", true},
	{"d3en", "Storage optimized", "Intel Xeon Platinum 8259 (Cascade Lake)", "3.1 GHz", 4, 3500, "HDD", 75, 12630, []string{"xlarge", "2xlarge", "4xlarge", "6xlarge", "8xlarge", "12xlarge"}, 0, "", true},
	{"im4gn", "Storage optimized", procGraviton2, "2.5 GHz", 4, 234, "NVMe SSD", 100, 9100, sizesGrav[1:8], 0, "", true},
	{"i7ie", "Storage optimized", "Intel Xeon Scalable (Emerald Rapids)", "3.2 GHz", 8, 625, "NVMe SSD", 100, 14480, sizesStd48, 0, "", true},
	{"i8g", "Storage optimized", procGraviton4, "2.8 GHz", 8, 234, "NVMe SSD", 100, 9700, sizesGrav48, 0, "", true},
	{"is4gen", "Storage optimized", procGraviton2, "2.5 GHz", 6, 468, "NVMe SSD", 50, 14400, sizesGrav[1:7], 0, "", true},
	{"h1", "Storage optimized", "Intel Xeon E5-2686 v4 (Broadwell)", "2.3 GHz", 4, 250, "HDD", 25, 5850, []string{"2xlarge", "4xlarge", "8xlarge", "16xlarge"}, 0, "", false},
	// Accelerated computing.
	{"g4dn", "GPU instance", procCascade, "2.5 GHz", 4, 31, "NVMe SSD", 100, 13150, []string{"xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "metal"}, 8, "16 GiB", true},
	{"g5", "GPU instance", "AMD EPYC 7R32", "3.3 GHz", 4, 62, "NVMe SSD", 100, 25150, sizesGPU, 8, "24 GiB", true},
	{"g6", "GPU instance", "AMD EPYC 7R13", "3.95 GHz", 4, 62, "NVMe SSD", 100, 20150, sizesGPU, 8, "24 GiB", true},
	{"p3", "GPU instance", "Intel Xeon E5-2686 v4 (Broadwell)", "2.3 GHz", 7.625, 0, "", 25, 38250, []string{"2xlarge", "8xlarge", "16xlarge"}, 8, "16 GiB", true},
	{"p4d", "GPU instance", procCascade, "3.0 GHz", 12, 83, "NVMe SSD", 400, 34135, []string{"24xlarge"}, 8, "40 GiB", true},
	{"p5", "GPU instance", "AMD EPYC 7R13 Processor", "3.6 GHz", 10.67, 157, "NVMe SSD", 3200, 102400, []string{"48xlarge"}, 8, "80 GiB", true},
	{"inf2", "Machine Learning ASIC Instances", "AMD EPYC 7R13 Processor", "3.6 GHz", 4, 0, "", 100, 18960, []string{"xlarge", "8xlarge", "24xlarge", "48xlarge"}, 0, "", true},
	{"trn1", "Machine Learning ASIC Instances", procIceLake, "3.5 GHz", 4, 62, "NVMe SSD", 800, 16790, []string{"2xlarge", "32xlarge"}, 0, "", true},
	{"g4ad", "GPU instance", "AMD EPYC 7R32", "3.3 GHz", 4, 37, "NVMe SSD", 25, 9460, []string{"xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge"}, 4, "8 GiB", true},
	{"g5g", "GPU instance", procGraviton2, "2.5 GHz", 2, 0, "", 25, 10450, []string{"xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge", "metal"}, 2, "16 GiB", true},
	{"g6e", "GPU instance", "AMD EPYC 7R13", "3.95 GHz", 8, 62, "NVMe SSD", 400, 46350, sizesGPU, 8, "48 GiB", true},
	{"gr6", "GPU instance", "AMD EPYC 7R13", "3.95 GHz", 8, 62, "NVMe SSD", 25, 28150, []string{"4xlarge", "8xlarge"}, 1, "24 GiB", true},
	{"p4de", "GPU instance", procCascade, "3.0 GHz", 12, 83, "NVMe SSD", 400, 42685, []string{"24xlarge"}, 8, "80 GiB", true},
	{"p5e", "GPU instance", "AMD EPYC 7R13 Processor", "3.6 GHz", 10.67, 157, "NVMe SSD", 3200, 120000, []string{"48xlarge"}, 8, "141 GiB", true},
	{"dl1", "Machine Learning ASIC Instances", procCascade, "3.0 GHz", 8, 83, "NVMe SSD", 400, 13650, []string{"24xlarge"}, 0, "", true},
	{"inf1", "Machine Learning ASIC Instances", procCascade, "3.0 GHz", 2, 0, "", 100, 5700, []string{"xlarge", "2xlarge", "6xlarge", "24xlarge"}, 0, "", true},
	{"trn2", "Machine Learning ASIC Instances", procSapphire, "3.2 GHz", 12, 62, "NVMe SSD", 3200, 23290, []string{"48xlarge"}, 0, "", true},
	{"vt1", "Media Accelerator Instances", procCascade, "2.5 GHz", 2, 0, "", 25, 6771, []string{"3xlarge", "6xlarge", "24xlarge"}, 0, "", true},
	{"f1", "FPGA Instances", "Intel Xeon E5-2686 v4 (Broadwell)", "2.3 GHz", 15.25, 59, "NVMe SSD", 25, 20625, []string{"2xlarge", "4xlarge", "16xlarge"}, 0, "", true},
	{"f2", "FPGA Instances", "AMD EPYC 7R13 Processor", "3.6 GHz", 16, 59, "NVMe SSD", 100, 20640, []string{"6xlarge", "12xlarge", "48xlarge"}, 0, "", true},
}

// instanceType is one family/size pair, resolved once into what the product
// attributes need.
type instanceType struct {
	fam     *family
	name    string // "m6i.large"
	size    string
	vcpu    int
	norm    string
	memory  string // "8 GiB"
	storage string // "EBS only", "2 x 950 NVMe SSD"
	network string // "Up to 12500 Megabit", "50 Gigabit"
	ebs     string // dedicatedEbsThroughput
	ecu     string
	gpus    int
	metal   bool
	burst   bool
	// burstMult is the price multiple of the smallest burstable size.
	burstMult int64
}

// linuxPrice is the Linux on-demand price per hour in 1e-5 USD.
func (it *instanceType) linuxPrice() int64 {
	if it.burst {
		return it.fam.price * it.burstMult
	}
	return it.fam.price * int64(it.vcpu)
}

// The instance-type list is built once: it is a pure function of the tables.
var instanceTypes = buildInstanceTypes()

func buildInstanceTypes() []instanceType {
	var out []instanceType
	for fi := range families {
		f := &families[fi]
		largest := sizeTable["large"]
		for _, s := range f.sizes {
			if st, ok := sizeTable[s]; ok && s != "metal" && st.vcpu > largest.vcpu {
				largest = st
			}
		}
		for _, s := range f.sizes {
			st := sizeTable[s]
			metal := s == "metal"
			if metal {
				st.vcpu, st.norm = largest.vcpu, largest.norm
			}
			burst := strings.HasPrefix(f.name, "t")
			mem := float64(st.vcpu) * f.memPerVCPU
			if burst {
				st.vcpu = max(st.vcpu, 2)
				mem = burstMemory[s]
			}
			it := instanceType{
				fam:    f,
				name:   f.name + "." + s,
				size:   s,
				vcpu:   st.vcpu,
				norm:   st.norm,
				memory: formatGiB(mem),
				metal:  metal,
				burst:  burst,
			}
			it.storage = "EBS only"
			if f.localDisk > 0 {
				total := f.localDisk * st.vcpu
				n := 1
				switch {
				case st.vcpu > 32:
					n = 4
				case st.vcpu > 8:
					n = 2
				}
				it.storage = strconv.Itoa(n) + " x " + strconv.Itoa(total/n) + " " + f.diskKind
			}
			switch gbit := f.network * st.vcpu / largest.vcpu; {
			case it.burst:
				it.network = "Up to " + strconv.Itoa(f.network) + " Gigabit"
			case st.vcpu <= 16 && !metal:
				it.network = "Up to 12500 Megabit"
			case gbit < 10:
				it.network = "10 Gigabit"
			default:
				it.network = strconv.Itoa(gbit) + " Gigabit"
			}
			it.ebs = "Up to 10000 Mbps"
			if st.vcpu > 16 {
				it.ebs = strconv.Itoa(min(st.vcpu*5000/16, 60000)) + " Mbps"
			}
			it.ecu = "NA"
			switch {
			case it.burst:
				it.ecu = "Variable"
			case !f.current:
				it.ecu = strconv.Itoa(st.vcpu * 7 / 2)
			}
			if f.gpu > 0 {
				it.gpus = max(1, f.gpu*st.vcpu/largest.vcpu)
			}
			it.burstMult = burstMult[s]
			out = append(out, it)
		}
	}
	return out
}

var burstMult = map[string]int64{
	"nano": 1, "micro": 2, "small": 4, "medium": 8, "large": 16, "xlarge": 32, "2xlarge": 64,
}

var burstMemory = map[string]float64{
	"nano": 0.5, "micro": 1, "small": 2, "medium": 4, "large": 8, "xlarge": 16, "2xlarge": 32,
}

func formatGiB(v float64) string {
	if v == float64(int64(v)) {
		return itoa(int64(v)) + " GiB"
	}
	return trimZeros(fixed(int64(v*1000+0.5), 3)) + " GiB"
}

// osVariant is one operating-system/licence/software combination EC2 prices
// separately, with the operation code AWS uses for it.
type osVariant struct {
	os        string // operatingSystem
	license   string // licenseModel
	sw        string // preInstalledSw
	operation string
	label     string // how Reserved descriptions name it
	// uplift is added to the Linux price: per vCPU-hour, in 1e-5 USD.
	uplift int64
	// reserved says whether AWS offers Reserved Instances for it here.
	reserved bool
}

var osVariants = []osVariant{
	{"Linux", "No License required", "NA", "RunInstances", "Linux/UNIX", 0, true},
	{"RHEL", "No License required", "NA", "RunInstances:0010", "Red Hat Enterprise Linux", 1300, true},
	{"SUSE", "No License required", "NA", "RunInstances:000g", "SUSE Linux", 1250, true},
	{"Windows", "No License required", "NA", "RunInstances:0002", "Windows", 4600, true},
	{"Windows", "Bring your own license", "NA", "RunInstances:0800", "Windows BYOL", 0, false},
	{"Ubuntu Pro", "No License required", "NA", "RunInstances:0g00", "Ubuntu Pro", 350, false},
	{"Red Hat Enterprise Linux with HA", "No License required", "NA", "RunInstances:1010", "Red Hat Enterprise Linux with HA", 2500, true},
	{"Linux", "No License required", "SQL Web", "RunInstances:0200", "Linux with SQL Server Web", 1700, true},
	{"Linux", "No License required", "SQL Std", "RunInstances:0004", "Linux with SQL Server Standard", 12000, true},
	{"Linux", "No License required", "SQL Ent", "RunInstances:0100", "Linux with SQL Server Enterprise", 37500, true},
	{"Windows", "No License required", "SQL Web", "RunInstances:0202", "Windows with SQL Server Web", 6300, true},
	{"Windows", "No License required", "SQL Std", "RunInstances:0006", "Windows with SQL Server Standard", 16600, true},
	{"Windows", "No License required", "SQL Ent", "RunInstances:0102", "Windows with SQL Server Enterprise", 42100, true},
	{"RHEL", "No License required", "SQL Std", "RunInstances:0014", "Red Hat Enterprise Linux with SQL Server Standard", 13300, true},
	{"RHEL", "No License required", "SQL Ent", "RunInstances:0110", "Red Hat Enterprise Linux with SQL Server Enterprise", 38800, true},
	{"RHEL", "No License required", "SQL Web", "RunInstances:0210", "Red Hat Enterprise Linux with SQL Server Web", 3000, true},
}

// tenancy and capacity: the usage-type stems and description words AWS uses.
var tenancies = []struct{ name, usage, word string }{
	{"Shared", "BoxUsage", "On Demand"},
	{"Dedicated", "DedicatedUsage", "Dedicated"},
	{"Host", "HostBoxUsage", "Host"},
}

var capacities = []struct{ name, usage, word string }{
	{"Used", "", ""},
	{"UnusedCapacityReservation", "UnusedBox", "Unused Reservation"},
	{"AllocatedCapacityReservation", "Reservation", "Reservation"},
}

// region is what the files say about a region.
type region struct {
	code, location, prefix, locType string
}

var regions = []region{
	{"us-east-1", "US East (N. Virginia)", "", "AWS Region"},
	{"us-east-2", "US East (Ohio)", "USE2-", "AWS Region"},
	{"us-west-1", "US West (N. California)", "USW1-", "AWS Region"},
	{"us-west-2", "US West (Oregon)", "USW2-", "AWS Region"},
	{"ca-central-1", "Canada (Central)", "CAN1-", "AWS Region"},
	{"eu-west-1", "EU (Ireland)", "EU-", "AWS Region"},
	{"eu-west-2", "EU (London)", "EUW2-", "AWS Region"},
	{"eu-west-3", "EU (Paris)", "EUW3-", "AWS Region"},
	{"eu-central-1", "EU (Frankfurt)", "EUC1-", "AWS Region"},
	{"eu-north-1", "EU (Stockholm)", "EUN1-", "AWS Region"},
	{"eu-south-1", "EU (Milan)", "EUS1-", "AWS Region"},
	{"ap-northeast-1", "Asia Pacific (Tokyo)", "APN1-", "AWS Region"},
	{"ap-northeast-2", "Asia Pacific (Seoul)", "APN2-", "AWS Region"},
	{"ap-northeast-3", "Asia Pacific (Osaka)", "APN3-", "AWS Region"},
	{"ap-southeast-1", "Asia Pacific (Singapore)", "APS1-", "AWS Region"},
	{"ap-southeast-2", "Asia Pacific (Sydney)", "APS2-", "AWS Region"},
	{"ap-south-1", "Asia Pacific (Mumbai)", "APS3-", "AWS Region"},
	{"ap-east-1", "Asia Pacific (Hong Kong)", "APE1-", "AWS Region"},
	{"sa-east-1", "South America (Sao Paulo)", "SAE1-", "AWS Region"},
	{"me-south-1", "Middle East (Bahrain)", "MES1-", "AWS Region"},
	{"af-south-1", "Africa (Cape Town)", "AFS1-", "AWS Region"},
	{"cn-north-1", "China (Beijing)", "CNN1-", "AWS Region"},
	{"us-east-1-nyc-1", "US East (New York City)", "NYC1-", "AWS Local Zone"},
	{"us-west-2-den-1", "US West (Denver)", "USW2-DEN1-", "AWS Local Zone"},
}

// lookupRegion never fails: region codes are not validated against a fixed
// list (Local Zones and Wavelength zones keep appearing), so an unknown code
// gets a location and usage-type prefix made from the code itself.
func lookupRegion(code string) region {
	for _, r := range regions {
		if r.code == code {
			return r
		}
	}
	return region{code, code, strings.ToUpper(code) + "-", "AWS Region"}
}

// The Reserved offerings EC2 sells, with the offer term codes AWS uses for
// them. hourly and upfront are fractions (in thousandths) of the on-demand
// cost over the lease.
var reservedOfferings = []struct {
	code, lease, class, purchase string
	hourly, upfront              int64
}{
	{"38NPMPTW36", "3yr", "standard", "Partial Upfront", 210, 205},
	{"4NA7Y494T4", "1yr", "standard", "No Upfront", 630, 0},
	{"6QCMYABX3D", "1yr", "standard", "All Upfront", 0, 590},
	{"7NE97W5U4E", "1yr", "convertible", "No Upfront", 720, 0},
	{"BPH4J8HBKS", "3yr", "standard", "No Upfront", 440, 0},
	{"CUZHX8X6JH", "1yr", "convertible", "Partial Upfront", 345, 340},
	{"HU7G6KETJZ", "1yr", "standard", "Partial Upfront", 300, 300},
	{"MZU6U2429S", "3yr", "convertible", "All Upfront", 0, 500},
	{"NQ3QZPMQV9", "3yr", "standard", "All Upfront", 0, 395},
	{"R5XV2EPZQZ", "3yr", "convertible", "Partial Upfront", 255, 250},
	{"VJWZNREJX2", "1yr", "convertible", "All Upfront", 0, 670},
	{"Z2E3P23VKM", "3yr", "convertible", "No Upfront", 540, 0},
}

const (
	onDemandTermCode = "JRTCKXETXF"
	hourlyRate       = "6YS6EN2CT7"
	upfrontRate      = "2TG2D8R56U"
)

// tierRates are the rate-code suffixes of tiered dimensions, in tier order.
var tierRates = []string{"6YS6EN2CT7", "8EEUB22XNJ", "VF6T3GAUKQ", "N9EW5UVVPA", "GPHNPT8M2D"}
