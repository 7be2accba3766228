package offergen

import (
	"strconv"
	"strings"
)

// attr is one product attribute, in the order the JSON file lists it.
type attr struct{ key, val string }

// dim is one price dimension. A dimension without a range (upfront fees)
// has begin == "" and end == "".
type dim struct {
	rate, desc, begin, end, unit, price string
}

// term is one offer term of a product. Reserved terms have lease != "".
type term struct {
	code, effective              string // effective: RFC 3339, "2025-09-01T00:00:00Z"
	lease, class, purchase, kind string // kind: "OnDemand" or "Reserved"
	dims                         []dim
}

// product is everything both renderings need about one SKU. A builder
// reuses one product value for every SKU to keep allocations down.
type product struct {
	sku, family string // family "" means productFamily is absent
	attrs       []attr
	onDemand    term
	reserved    []term
}

func (p *product) add(key, val string) { p.attrs = append(p.attrs, attr{key, val}) }

// builder makes product i of an offer from (seed, i) alone, so the JSON
// rendering, which needs every product twice (products, then terms), and
// the CSV rendering produce the same data without holding the offer.
type builder struct {
	seed     uint64
	offer    string
	reg      region
	currency string
	odDate   string // effective date of on-demand terms
	riDates  []string
	// combos is the size of the compute cross product; step permutes it so
	// that consecutive products are not consecutive combinations.
	combos, step uint64
	p            product
	rsv          [12]term // one per reservedOfferings entry
}

func newBuilder(o Options) *builder {
	b := &builder{
		seed:     o.Seed,
		offer:    o.OfferCode,
		reg:      lookupRegion(o.Region),
		currency: "USD",
	}
	if strings.HasPrefix(o.Region, "cn-") {
		b.currency = "CNY"
	}
	// On-demand prices take effect on the first of the publication month;
	// Reserved offerings carry older dates, as in the real files.
	month := o.PublicationDate[:7]
	b.odDate = month + "-01T00:00:00Z"
	y, _ := strconv.Atoi(month[:4])
	b.riDates = []string{
		month + "-01T00:00:00Z",
		strconv.Itoa(y-1) + "-12-01T00:00:00Z",
		strconv.Itoa(y-2) + "-06-01T00:00:00Z",
	}
	b.combos = uint64(len(instanceTypes) * len(osVariants) * len(tenancies) * len(capacities))
	b.step = 2654435761 % b.combos
	for gcd(b.step, b.combos) != 1 {
		b.step++
	}
	return b
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// Shares of product kinds, per mille. computeShare and the Reserved
// catalogue are calibrated so that a regional EC2 offer is about 480 MB as
// JSON and about 300 MB as CSV, the proportions of the real us-east-1 files:
// the CSV repeats every product attribute on every price row, so its size
// follows how many products carry the twelve Reserved offerings.
const (
	computeShare = 930
	// reservedShare is the per-mille of eligible instance type/OS pairs
	// (capacity Used, tenancy Shared or Dedicated) that have Reserved terms.
	reservedShare = 650
)

// build fills b.p with product i and returns it.
func (b *builder) build(i int) *product {
	r := newRNG(b.seed, uint64(i))
	p := &b.p
	p.attrs = p.attrs[:0]
	p.reserved = p.reserved[:0]
	p.onDemand = term{code: onDemandTermCode, kind: "OnDemand", effective: b.odDate, dims: p.onDemand.dims[:0]}
	if r.intn(1000) < computeShare {
		b.compute(i, r)
	} else {
		b.other(i, r)
	}
	return p
}

func (b *builder) compute(i int, r *rng) {
	p := &b.p
	c := (uint64(i) % b.combos) * b.step % b.combos
	cycle := uint64(i) / b.combos
	combo := c
	ti := c % uint64(len(instanceTypes))
	c /= uint64(len(instanceTypes))
	oi := c % uint64(len(osVariants))
	c /= uint64(len(osVariants))
	tn := c % uint64(len(tenancies))
	cs := c / uint64(len(tenancies))

	it := &instanceTypes[ti]
	f := it.fam
	ov := &osVariants[oi]
	ten := tenancies[tn]
	capa := capacities[cs]
	// The Used variant of the same combination: what an Unused or Allocated
	// capacity-reservation SKU names as its instanceSKU.
	usedCombo := combo - cs*uint64(len(instanceTypes)*len(osVariants)*len(tenancies))

	p.sku = skuFor(b.seed, (cycle*b.combos+combo)<<1)
	p.family = "Compute Instance"
	if it.metal {
		p.family = "Compute Instance (bare metal)"
	}

	usage := ten.usage
	if capa.usage != "" {
		usage = capa.usage
		if ten.name == "Dedicated" {
			usage += "Ded"
		}
	}
	usage = b.reg.prefix + usage + ":" + it.name

	p.add("servicecode", b.offer)
	p.add("location", b.reg.location)
	p.add("locationType", b.reg.locType)
	p.add("instanceType", it.name)
	p.add("currentGeneration", yesNo(f.current))
	p.add("instanceFamily", f.category)
	p.add("vcpu", itoa(int64(it.vcpu)))
	p.add("physicalProcessor", f.processor)
	if f.clock != "" {
		p.add("clockSpeed", f.clock)
	}
	p.add("memory", it.memory)
	p.add("storage", it.storage)
	p.add("networkPerformance", it.network)
	p.add("processorArchitecture", "64-bit")
	p.add("tenancy", ten.name)
	p.add("operatingSystem", ov.os)
	p.add("licenseModel", ov.license)
	p.add("usagetype", usage)
	p.add("operation", ov.operation)
	p.add("availabilityzone", "NA")
	p.add("capacitystatus", capa.name)
	p.add("classicnetworkingsupport", "false")
	p.add("dedicatedEbsThroughput", it.ebs)
	p.add("ecu", it.ecu)
	p.add("enhancedNetworkingSupported", "Yes")
	if f.gpu > 0 {
		p.add("gpu", itoa(int64(it.gpus)))
		p.add("gpuMemory", f.gpuMem)
	} else {
		p.add("gpuMemory", "NA")
	}
	if cs != 0 {
		p.add("instancesku", skuFor(b.seed, (cycle*b.combos+usedCombo)<<1))
	}
	intel := f.vendor() == "intel"
	p.add("intelAvx2Available", yesNo(intel))
	p.add("intelAvxAvailable", yesNo(intel))
	p.add("intelTurboAvailable", yesNo(intel))
	p.add("marketoption", "OnDemand")
	p.add("normalizationSizeFactor", it.norm)
	if it.metal || ten.name == "Host" {
		p.add("physicalCores", itoa(int64(it.vcpu/2)))
	}
	p.add("preInstalledSw", ov.sw)
	if feat := processorFeatures(f); feat != "" {
		p.add("processorFeatures", feat)
	}
	p.add("regionCode", b.reg.code)
	p.add("servicename", "Amazon Elastic Compute Cloud")
	p.add("vpcnetworkingsupport", "true")

	// Prices, in 1e-5 of the currency unit per hour.
	od := it.linuxPrice() + ov.uplift*int64(it.vcpu)
	if ten.name == "Dedicated" {
		od = od * 11 / 10
	}
	if ten.name == "Host" || capa.name == "AllocatedCapacityReservation" {
		od = 0
	}
	if b.currency == "CNY" {
		od *= 7
	}
	osName := ov.os
	if ov.sw != "NA" {
		osName += " with " + ov.sw
	}
	if ov.license == "Bring your own license" {
		osName += " BYOL"
	}
	var desc string
	switch {
	case ten.name == "Host":
		desc = dollars(b.currency, od) + " per " + osName + " " + it.name + " Dedicated Host Instance hour"
	case capa.word != "":
		desc = dollars(b.currency, od) + " per " + capa.word + " " + osName + " " + it.name + " Instance Hour"
	default:
		desc = dollars(b.currency, od) + " per " + ten.word + " " + osName + " " + it.name + " Instance Hour"
	}
	p.onDemand.dims = append(p.onDemand.dims, dim{
		rate:  p.sku + "." + onDemandTermCode + "." + hourlyRate,
		desc:  desc,
		begin: "0", end: "Inf", unit: "Hrs",
		price: price10(od),
	})

	if cs != 0 || ten.name == "Host" || !ov.reserved {
		return
	}
	if mix(b.seed^0x5eed, ti*uint64(len(osVariants))+oi)%1000 >= reservedShare {
		return
	}
	applied := ov.label + " (Amazon VPC), " + it.name + " reserved instance applied"
	for k, ro := range reservedOfferings {
		t := &b.rsv[k]
		*t = term{
			code: ro.code, kind: "Reserved",
			effective: b.riDates[r.intn(len(b.riDates))],
			lease:     ro.lease, class: ro.class, purchase: ro.purchase,
			dims: t.dims[:0],
		}
		hours := int64(8760)
		if ro.lease == "3yr" {
			hours = 26280
		}
		prefix := p.sku + "." + ro.code + "."
		hourly := od * ro.hourly / 1000
		hd := dim{rate: prefix + hourlyRate, desc: applied, begin: "0", end: "Inf", unit: "Hrs", price: price10(hourly)}
		if ro.hourly == 0 {
			hd.desc = b.currency + " 0.0 per " + applied
		}
		t.dims = append(t.dims, hd)
		if ro.upfront > 0 {
			up := (od*hours*ro.upfront/1000 + 50000) / 100000
			t.dims = append(t.dims, dim{rate: prefix + upfrontRate, desc: "Upfront Fee", unit: "Quantity", price: itoa(up)})
		}
		p.reserved = append(p.reserved, *t)
	}
}

func processorFeatures(f *family) string {
	switch f.vendor() {
	case "intel":
		if f.processor == procSapphire {
			return "Intel AVX; Intel AVX2; Intel AVX512; Intel Turbo; Intel AMX"
		}
		return "Intel AVX; Intel AVX2; Intel AVX512; Intel Turbo"
	case "amd":
		return "AMD Turbo; AVX; AVX2"
	}
	return ""
}

// other makes one of the products an EC2 offer has besides instances:
// volumes, snapshots, IOPS, throughput, data transfer, addresses, NAT
// gateways, CPU credits, dedicated hosts, and the odd product without a
// productFamily.
func (b *builder) other(i int, r *rng) {
	p := &b.p
	p.sku = skuFor(b.seed, uint64(i)<<1|1)
	p.add("servicecode", b.offer)
	p.add("location", b.reg.location)
	p.add("locationType", b.reg.locType)
	od := &p.onDemand
	flat := func(unit, desc string, price int64) {
		od.dims = append(od.dims, dim{
			rate: p.sku + "." + onDemandTermCode + "." + hourlyRate,
			desc: desc, begin: "0", end: "Inf", unit: unit, price: price10(b.money(price)),
		})
	}
	tiers := func(unit, what string, bounds []string, prices []int64) {
		for k := range prices {
			od.dims = append(od.dims, dim{
				rate:  p.sku + "." + onDemandTermCode + "." + tierRates[k],
				desc:  dollars(b.currency, b.money(prices[k])) + " per " + unit + " - " + what,
				begin: bounds[k], end: bounds[k+1], unit: unit, price: price10(b.money(prices[k])),
			})
		}
	}
	tail := func() {
		p.add("regionCode", b.reg.code)
		p.add("servicename", "Amazon Elastic Compute Cloud")
	}
	switch k := r.intn(100); {
	case k < 14:
		v := volumes[r.intn(len(volumes))]
		p.family = "Storage"
		p.add("storageMedia", v.media)
		p.add("volumeType", v.kind)
		p.add("maxVolumeSize", v.maxSize)
		p.add("maxIopsvolume", v.maxIOPS)
		p.add("maxThroughputvolume", v.maxThroughput)
		p.add("usagetype", b.reg.prefix+"EBS:VolumeUsage."+v.api)
		p.add("operation", "")
		tail()
		p.add("volumeApiName", v.api)
		flat("GB-Mo", dollars(b.currency, b.money(v.price))+" per GB-month of "+v.kind+" ("+v.api+") provisioned storage - "+b.reg.location, v.price)
	case k < 22:
		p.family = "Storage Snapshot"
		p.add("storageMedia", "Amazon S3")
		p.add("usagetype", b.reg.prefix+"EBS:SnapshotUsage")
		p.add("operation", "")
		tail()
		flat("GB-Mo", dollars(b.currency, b.money(5000))+" per GB-Month of snapshot data stored - "+b.reg.location, 5000)
	case k < 30:
		p.family = "System Operation"
		p.add("group", "EBS IOPS")
		p.add("groupDescription", "IOPS")
		p.add("provisioned", "Yes")
		p.add("usagetype", b.reg.prefix+"EBS:VolumeP-IOPS.io2")
		p.add("operation", "")
		tail()
		p.add("volumeApiName", "io2")
		tiers("IOPS-Mo", "io2 provisioned IOPS", []string{"0", "32000", "64000", "Inf"}, []int64{6500, 4550, 3185})
	case k < 34:
		p.family = "Provisioned Throughput"
		p.add("group", "EBS Throughput")
		p.add("groupDescription", "Throughput")
		p.add("provisioned", "Yes")
		p.add("usagetype", b.reg.prefix+"EBS:VolumeP-Throughput.gp3")
		p.add("operation", "")
		tail()
		p.add("volumeApiName", "gp3")
		flat("GiBps-mo", dollars(b.currency, b.money(4096))+" per provisioned MiBps-month of gp3 - "+b.reg.location, 4096)
	case k < 70:
		to := regions[r.intn(len(regions))]
		p.family = "Data Transfer"
		p.attrs = p.attrs[:1] // data transfer has no location of its own
		p.attrs[0].val = "AWSDataTransfer"
		dir := r.intn(3)
		switch dir {
		case 0:
			p.add("transferType", "InterRegion Outbound")
		case 1:
			p.add("transferType", "InterRegion Inbound")
		default:
			p.add("transferType", "AWS Outbound")
			to = region{"", "External", "", "Other"}
		}
		p.add("fromLocation", b.reg.location)
		p.add("fromLocationType", b.reg.locType)
		p.add("toLocation", to.location)
		p.add("toLocationType", to.locType)
		usage := dtPrefix(b.reg) + "-" + dtPrefix(to)
		switch dir {
		case 0:
			usage += "-AWS-Out-Bytes"
		case 1:
			usage += "-AWS-In-Bytes"
		default:
			usage = dtPrefix(b.reg) + "-DataTransfer-Out-Bytes"
		}
		p.add("usagetype", usage)
		p.add("operation", "")
		p.add("fromRegionCode", b.reg.code)
		if to.code != "" {
			p.add("toRegionCode", to.code)
		}
		p.add("servicename", "AWS Data Transfer")
		switch dir {
		case 0:
			flat("GB", dollars(b.currency, b.money(2000))+" per GB - "+b.reg.location+" data transfer to "+to.location, 2000)
		case 1:
			flat("GB", dollars(b.currency, 0)+" per GB - "+b.reg.location+" data transfer from "+to.location, 0)
		default:
			tiers("GB", "data transfer out of "+b.reg.location+" to the internet",
				[]string{"0", "1", "10240", "51200", "153600", "Inf"},
				[]int64{0, 9000, 8500, 7000, 5000})
		}
	case k < 80:
		p.family = "IP Address"
		remap := r.intn(4) == 0
		if remap {
			p.add("group", "ElasticIP:Remap")
			p.add("groupDescription", "Remap of Elastic IP address")
			p.add("usagetype", b.reg.prefix+"ElasticIP:Remap")
			p.add("operation", "RemapAddress")
			tail()
			tiers("Count", "Elastic IP address remaps", []string{"0", "100", "Inf"}, []int64{0, 10000})
			break
		}
		p.add("group", "ElasticIP:Address")
		p.add("groupDescription", "Public IPv4 address")
		p.add("usagetype", b.reg.prefix+"PublicIPv4:InUseAddress")
		p.add("operation", "AssociateAddress")
		tail()
		flat("Hrs", dollars(b.currency, b.money(500))+" per In-use public IPv4 address per hour", 500)
	case k < 86:
		p.family = "NAT Gateway"
		p.add("group", "NGW:NatGateway")
		p.add("groupDescription", "Hourly charge for NAT Gateways")
		p.add("usagetype", b.reg.prefix+"NatGateway-Hours")
		p.add("operation", "NatGateway")
		tail()
		flat("Hrs", dollars(b.currency, b.money(4500))+" per NAT Gateway Hour", 4500)
	case k < 92:
		fam := creditFamilies[r.intn(len(creditFamilies))]
		osName := "Linux"
		if r.intn(2) == 0 {
			osName = "Windows"
		}
		p.family = "CPU Credits"
		p.add("operatingSystem", osName)
		p.add("usagetype", b.reg.prefix+"CPUCredits:"+fam)
		p.add("operation", "")
		tail()
		flat("vCPU-Hours", dollars(b.currency, b.money(5000))+" per vCPU-Hour for "+fam+" "+osName+" unlimited mode", 5000)
	case k < 99:
		it := &instanceTypes[r.intn(len(instanceTypes))]
		f := it.fam
		p.family = "Dedicated Host"
		p.add("instanceFamily", f.name)
		p.add("physicalProcessor", f.processor)
		p.add("vcpu", itoa(int64(it.vcpu)))
		p.add("physicalCores", itoa(int64(it.vcpu/2)))
		p.add("memory", it.memory)
		p.add("tenancy", "Host")
		p.add("usagetype", b.reg.prefix+"HostUsage:"+f.name)
		p.add("operation", "RunInstances")
		for _, s := range hostCapacity {
			switch {
			case s.size == "large":
				p.add(s.key, itoa(int64(it.vcpu/2)))
			case s.size == it.size:
				p.add(s.key, "1")
			}
		}
		p.add("normalizationSizeFactor", "NA")
		tail()
		price := it.linuxPrice() * 11 / 10
		flat("Hrs", dollars(b.currency, b.money(price))+" per "+f.name+" Dedicated Host Hour", price)
	default:
		// Real files have products without productFamily.
		p.family = ""
		p.add("usagetype", b.reg.prefix+"EBS:directAPI.snapshot.Put")
		p.add("operation", "PutSnapshotBlock")
		tail()
		flat("Requests", dollars(b.currency, b.money(6))+" per 1,000 PutSnapshotBlock API requests", 6)
	}
}

func (b *builder) money(units int64) int64 {
	if b.currency == "CNY" {
		return units * 7
	}
	return units
}

// dtPrefix is the region abbreviation data-transfer usage types use;
// unlike instance usage types, us-east-1 has one.
func dtPrefix(r region) string {
	switch {
	case r.code == "us-east-1":
		return "USE1"
	case r.code == "":
		return ""
	}
	return strings.TrimSuffix(r.prefix, "-")
}

var volumes = []struct {
	api, kind, media, maxSize, maxIOPS, maxThroughput string
	price                                             int64
}{
	{"gp2", "General Purpose", "SSD-backed", "16 TiB", "16000", "250 MiB/s", 10000},
	{"gp3", "General Purpose", "SSD-backed", "16 TiB", "16000", "1000 MiB/s", 8000},
	{"io1", "Provisioned IOPS", "SSD-backed", "16 TiB", "64000", "1000 MiB/s", 12500},
	{"io2", "Provisioned IOPS", "SSD-backed", "64 TiB", "256000", "4000 MiB/s", 12500},
	{"st1", "Throughput Optimized HDD", "HDD-backed", "16 TiB", "500", "500 MiB/s", 4500},
	{"sc1", "Cold HDD", "HDD-backed", "16 TiB", "250", "250 MiB/s", 1500},
	{"standard", "Magnetic", "HDD-backed", "1 TiB", "40 - 200", "40 - 90 MB/sec", 5000},
}

var creditFamilies = []string{"t2", "t3", "t3a", "t4g"}

var hostCapacity = []struct{ key, size string }{
	{"instanceCapacityLarge", "large"},
	{"instanceCapacityXlarge", "xlarge"},
	{"instanceCapacity2xlarge", "2xlarge"},
	{"instanceCapacity4xlarge", "4xlarge"},
	{"instanceCapacity8xlarge", "8xlarge"},
	{"instanceCapacity12xlarge", "12xlarge"},
	{"instanceCapacity16xlarge", "16xlarge"},
	{"instanceCapacity24xlarge", "24xlarge"},
	{"instanceCapacityMetal", "metal"},
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// fixed formats units of 10^-decimals exactly, without floating point.
func fixed(units int64, decimals int) string {
	neg := units < 0
	if neg {
		units = -units
	}
	s := strconv.FormatInt(units, 10)
	if len(s) <= decimals {
		s = strings.Repeat("0", decimals-len(s)+1) + s
	}
	s = s[:len(s)-decimals] + "." + s[len(s)-decimals:]
	if neg {
		s = "-" + s
	}
	return s
}

// price10 renders a price in 1e-5 units the way AWS does: ten decimals.
func price10(units int64) string { return fixed(units, 5) + "00000" }

func trimZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// dollars renders a price for a description: "$0.096", "$0.00".
func dollars(currency string, units int64) string {
	sym := "$"
	if currency != "USD" {
		sym = currency + " "
	}
	s := trimZeros(fixed(units, 5))
	switch i := strings.IndexByte(s, '.'); {
	case i < 0:
		s += ".00"
	case len(s)-i == 2:
		s += "0"
	}
	return sym + s
}
