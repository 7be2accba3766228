package offergen

import (
	"bufio"
	"strings"
)

// csvFixed are the leading columns of every service CSV.
var csvFixed = []string{
	"SKU", "OfferTermCode", "RateCode", "TermType", "PriceDescription", "EffectiveDate",
	"StartingRange", "EndingRange", "Unit", "PricePerUnit", "Currency", "RelatedTo",
	"LeaseContractLength", "PurchaseOption", "OfferingClass", "Product Family",
}

// csvAttributes are the attribute columns of the real 2025 EC2 CSV, in its
// order, each with the JSON attribute key it renders.
var csvAttributes = []struct{ header, key string }{
	{"serviceCode", "servicecode"},
	{"Location", "location"},
	{"Location Type", "locationType"},
	{"Instance Type", "instanceType"},
	{"Current Generation", "currentGeneration"},
	{"Instance Family", "instanceFamily"},
	{"vCPU", "vcpu"},
	{"Physical Processor", "physicalProcessor"},
	{"Clock Speed", "clockSpeed"},
	{"Memory", "memory"},
	{"Storage", "storage"},
	{"Network Performance", "networkPerformance"},
	{"Processor Architecture", "processorArchitecture"},
	{"Storage Media", "storageMedia"},
	{"Volume Type", "volumeType"},
	{"Max Volume Size", "maxVolumeSize"},
	{"Max IOPS/volume", "maxIopsvolume"},
	{"Max IOPS Burst Performance", "maxIopsBurstPerformance"},
	{"Max throughput/volume", "maxThroughputvolume"},
	{"Provisioned", "provisioned"},
	{"Tenancy", "tenancy"},
	{"EBS Optimized", "ebsOptimized"},
	{"Operating System", "operatingSystem"},
	{"License Model", "licenseModel"},
	{"Group", "group"},
	{"Group Description", "groupDescription"},
	{"Transfer Type", "transferType"},
	{"From Location", "fromLocation"},
	{"From Location Type", "fromLocationType"},
	{"To Location", "toLocation"},
	{"To Location Type", "toLocationType"},
	{"usageType", "usagetype"},
	{"operation", "operation"},
	{"AvailabilityZone", "availabilityzone"},
	{"CapacityStatus", "capacitystatus"},
	{"ClassicNetworkingSupport", "classicnetworkingsupport"},
	{"Dedicated EBS Throughput", "dedicatedEbsThroughput"},
	{"ECU", "ecu"},
	{"Elastic Graphics Type", "elasticGraphicsType"},
	{"Enhanced Networking Supported", "enhancedNetworkingSupported"},
	{"From Region Code", "fromRegionCode"},
	{"GPU", "gpu"},
	{"GPU Memory", "gpuMemory"},
	{"Instance", "instance"},
	{"Instance Capacity - 10xlarge", "instanceCapacity10xlarge"},
	{"Instance Capacity - 12xlarge", "instanceCapacity12xlarge"},
	{"Instance Capacity - 16xlarge", "instanceCapacity16xlarge"},
	{"Instance Capacity - 18xlarge", "instanceCapacity18xlarge"},
	{"Instance Capacity - 24xlarge", "instanceCapacity24xlarge"},
	{"Instance Capacity - 2xlarge", "instanceCapacity2xlarge"},
	{"Instance Capacity - 32xlarge", "instanceCapacity32xlarge"},
	{"Instance Capacity - 4xlarge", "instanceCapacity4xlarge"},
	{"Instance Capacity - 8xlarge", "instanceCapacity8xlarge"},
	{"Instance Capacity - 9xlarge", "instanceCapacity9xlarge"},
	{"Instance Capacity - large", "instanceCapacityLarge"},
	{"Instance Capacity - medium", "instanceCapacityMedium"},
	{"Instance Capacity - metal", "instanceCapacityMetal"},
	{"Instance Capacity - xlarge", "instanceCapacityXlarge"},
	{"instanceSKU", "instancesku"},
	{"Intel AVX2 Available", "intelAvx2Available"},
	{"Intel AVX Available", "intelAvxAvailable"},
	{"Intel Turbo Available", "intelTurboAvailable"},
	{"MarketOption", "marketoption"},
	{"Normalization Size Factor", "normalizationSizeFactor"},
	{"Physical Cores", "physicalCores"},
	{"Pre Installed S/W", "preInstalledSw"},
	{"Processor Features", "processorFeatures"},
	{"Product Type", "productType"},
	{"Region Code", "regionCode"},
	{"Resource Type", "resourceType"},
	{"serviceName", "servicename"},
	{"SnapshotArchiveFeeType", "snapshotarchivefeetype"},
	{"To Region Code", "toRegionCode"},
	{"Volume API Name", "volumeApiName"},
	{"VPCNetworkingSupport", "vpcnetworkingsupport"},
}

// csvColumn maps a JSON attribute key to its index in csvAttributes.
var csvColumn = func() map[string]int {
	m := make(map[string]int, len(csvAttributes))
	for i, c := range csvAttributes {
		m[c.key] = i
	}
	return m
}()

// CSVHeader returns the header row of the CSV rendering.
func CSVHeader() []string {
	h := append([]string(nil), csvFixed...)
	for _, c := range csvAttributes {
		h = append(h, c.header)
	}
	return h
}

// AttributeHeader returns the CSV column name of a JSON attribute key, and
// whether the CSV has one.
func AttributeHeader(key string) (string, bool) {
	i, ok := csvColumn[key]
	if !ok {
		return "", false
	}
	return csvAttributes[i].header, true
}

func writeCSV(w *bufio.Writer, o Options) error {
	b := newBuilder(o)
	ew := &errWriter{w: w}
	var buf []byte
	for _, kv := range [][2]string{
		{"FormatVersion", formatVersion},
		{"Disclaimer", disclaimer},
		{"Publication Date", o.PublicationDate},
		{"Version", o.Version},
		{"OfferCode", o.OfferCode},
	} {
		buf = csvRow(buf[:0], kv[:])
		ew.write(buf)
	}
	buf = csvRow(buf[:0], CSVHeader())
	ew.write(buf)

	vals := make([]string, len(csvAttributes))
	var tail []byte
	for i := range o.Products {
		p := b.build(i)
		// The attribute columns are the same on every row of a product:
		// render them once.
		clear(vals)
		for _, a := range p.attrs {
			if c, ok := csvColumn[a.key]; ok {
				vals[c] = a.val
			}
		}
		tail = tail[:0]
		for _, v := range vals {
			tail = append(tail, ',')
			tail = csvField(tail, v)
		}
		tail = append(tail, '\n')
		buf = csvTerm(buf[:0], p, &p.onDemand, b.currency, tail)
		ew.write(buf)
		for k := range p.reserved {
			buf = csvTerm(buf[:0], p, &p.reserved[k], b.currency, tail)
			ew.write(buf)
		}
	}
	return ew.err
}

// csvTerm renders the rows of one term, in the real CSV's order: the hourly
// rate before the upfront fee.
func csvTerm(buf []byte, p *product, t *term, currency string, tail []byte) []byte {
	date, _, _ := strings.Cut(t.effective, "T") // EffectiveDate is date-only in CSV
	for _, d := range t.dims {
		for n, v := range [...]string{
			p.sku, t.code, d.rate, t.kind, d.desc, date, d.begin, d.end, d.unit, d.price,
			currency, "", t.lease, t.purchase, t.class, p.family,
		} {
			if n > 0 {
				buf = append(buf, ',')
			}
			buf = csvField(buf, v)
		}
		buf = append(buf, tail...)
	}
	return buf
}

func csvRow(buf []byte, fields []string) []byte {
	for n, v := range fields {
		if n > 0 {
			buf = append(buf, ',')
		}
		buf = csvField(buf, v)
	}
	return append(buf, '\n')
}

// csvField quotes every non-empty field and leaves empty ones bare, as the
// service CSVs do.
func csvField(buf []byte, v string) []byte {
	if v == "" {
		return buf
	}
	buf = append(buf, '"')
	for {
		i := strings.IndexByte(v, '"')
		if i < 0 {
			break
		}
		buf = append(buf, v[:i+1]...)
		buf = append(buf, '"')
		v = v[i+1:]
	}
	buf = append(buf, v...)
	return append(buf, '"')
}
