// Package config owns the user's configuration: which AWS offers, regions,
// term types and product attributes pricechecker tracks. It reads the YAML
// file, applies command-line overrides and validates everything once, so the
// stages downstream receive a value they can trust.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pricechecker/pricechecker/internal/awsnames"
)

// DefaultPath is where `pricechecker run` looks for a configuration when
// --config is not given.
const DefaultPath = ".github/pricechecker.yml"

// AllRegions in a regions list selects every region of the offer's region
// index.
const AllRegions = "all"

// DefaultFlagPct is the price move, in percent, above which a change is
// flagged for a human look.
const DefaultFlagPct = 25.0

// DefaultMaxRemovedPct is the share of a region's previous lines, in
// percent, that may vanish in one version before a run stops and asks for
// --accept-removals: AWS retires lines a few at a time, a broken or cut
// file loses them by the hundred.
const DefaultMaxRemovedPct = 20.0

// DefaultAttributes are the snapshot's attribute columns when an offer lists
// none: present in nearly every service, and enough to tell lines apart.
var DefaultAttributes = []string{"productFamily", "usagetype"}

// DefaultSavingsPlanAttributes are a savings plan's attribute columns when
// it lists none: the plan's usage type (which names its family, term and
// purchase option) and the usage the rate discounts.
var DefaultSavingsPlanAttributes = []string{"usageType", "discountedUsageType", "discountedOperation"}

// Kinds of price list an Offer reads.
const (
	// KindOffer is a service's on-demand and reserved offer
	// (/offers/v1.0/aws/<code>/...), configured under offers:.
	KindOffer = "offer"
	// KindSavingsPlan is a Savings Plans rate list
	// (/savingsPlan/v1.0/aws/<code>/...), configured under savingsPlans:.
	KindSavingsPlan = "savingsPlan"
)

// Sources of the price list files.
const (
	// SourceBulk reads the public Bulk API (or a mirror); the default.
	SourceBulk = "bulk"
	// SourceAPI reads through the credentialed Pricing service API.
	SourceAPI = "api"
)

// Modes of the api source.
const (
	// APIModeFiles locates the bulk files with ListPriceLists and
	// GetPriceListFileUrl and streams them; the default.
	APIModeFiles = "files"
	// APIModeProducts asks GetProducts for the filtered products only: for
	// small, targeted selections of the current version.
	APIModeProducts = "products"
)

// Config is the validated configuration of a run.
type Config struct {
	// Offers are the configured offers followed by the configured Savings
	// Plans (Kind tells them apart).
	Offers []Offer
	// FlagPct flags changes whose absolute percentage exceeds it.
	FlagPct float64
	// MaxRemovedPct stops a run when more than this percentage of a
	// region's previous lines would be removed; nil means
	// DefaultMaxRemovedPct, 100 disables the guard. Read it through
	// RemovalLimit.
	MaxRemovedPct *float64
}

// RemovalLimit is MaxRemovedPct, or its default when unset.
func (c Config) RemovalLimit() float64 {
	if c.MaxRemovedPct == nil {
		return DefaultMaxRemovedPct
	}
	return *c.MaxRemovedPct
}

// Offer selects price lines from one AWS offer (service).
type Offer struct {
	Code string
	// Regions are region codes, or the single entry "all".
	Regions []string
	// Terms are term types (OnDemand, Reserved, ...); empty means all.
	Terms []string
	// Filters maps an attribute name to the values it may take (any of).
	// Keys are kept as written; matching is done on normalised names.
	Filters map[string][]string
	// Attributes are extra snapshot columns, in order.
	Attributes []string
	// DefaultAttributes says Attributes are the defaults Resolve filled in,
	// not the user's choice.
	DefaultAttributes bool
	// Kind is KindOffer or KindSavingsPlan; "" is read as KindOffer.
	Kind string
	// Source is SourceBulk or SourceAPI; "" is read as SourceBulk.
	Source string
	// APIMode is APIModeFiles or APIModeProducts (api source only).
	APIMode string

	// key names the entry in errors ("savingsPlans[1]"); empty for an
	// offer named only on the command line.
	key string
}

// IsSavingsPlan reports whether the entry is a Savings Plans rate list.
func (o Offer) IsSavingsPlan() bool { return o.Kind == KindSavingsPlan }

// AllRegions reports whether the offer selects every region.
func (o Offer) AllRegions() bool {
	return len(o.Regions) == 1 && o.Regions[0] == AllRegions
}

// file is the YAML shape. Unknown keys are errors so that a typo such as
// `filter:` is reported instead of silently selecting everything.
type file struct {
	Offers       []offerYAML       `yaml:"offers"`
	SavingsPlans []savingsPlanYAML `yaml:"savingsPlans"`
	FlagPct      *float64          `yaml:"flagPct"`
	// MaxRemovedPct is read as a float like flagPct; 0 is meaningful
	// (any removal stops the run), so absence is told by the nil.
	MaxRemovedPct *float64 `yaml:"maxRemovedPct"`
}

type offerYAML struct {
	Code       string               `yaml:"code"`
	Regions    []string             `yaml:"regions"`
	Terms      []string             `yaml:"terms"`
	Filters    map[string]yaml.Node `yaml:"filters"`
	Attributes []string             `yaml:"attributes"`
	Source     string               `yaml:"source"`
	API        *apiYAML             `yaml:"api"`
}

// savingsPlanYAML has the shape of an offer; its own type lets errors say
// "in a savings plan".
type savingsPlanYAML offerYAML

type apiYAML struct {
	Mode string `yaml:"mode"`
}

// Load reads and validates the configuration file at path.
func Load(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read config: %w", err)
	}
	cfg, err := Parse(data)
	if err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// Parse decodes and validates a YAML configuration.
func Parse(data []byte) (Config, error) {
	// The document tree first: it gives the lines of the values checked
	// below, and what aliases would expand to before anything expands them.
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, yamlError(err, data)
	}
	// A second document would be read by nobody: a file pasted twice,
	// or an edit below a stray "---", must not be silently ignored.
	var second yaml.Node
	if err := dec.Decode(&second); err == nil {
		return Config{}, fmt.Errorf("invalid configuration: line %d: a second YAML document starts here; a configuration is one document (remove the \"---\" and merge the two)", documentLine(&second))
	} else if !errors.Is(err, io.EOF) {
		return Config{}, yamlError(err, data)
	}
	if err := checkAliases(&root); err != nil {
		return Config{}, err
	}
	var f file
	dec = yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, yamlError(err, data)
	}
	cfg := Config{FlagPct: DefaultFlagPct}
	if f.FlagPct != nil {
		// The same rule as --flag-pct: NaN compares false with every
		// threshold and would silently drop every large_move flag.
		if v := *f.FlagPct; !(v > 0) || math.IsInf(v, 0) {
			return Config{}, fmt.Errorf("flagPct (line %d): want a positive percentage such as 25, got %s", topLine(&root, "flagPct"), topValue(&root, "flagPct"))
		}
		cfg.FlagPct = *f.FlagPct
	}
	if f.MaxRemovedPct != nil {
		if v := *f.MaxRemovedPct; !(v >= 0 && v <= 100) {
			return Config{}, fmt.Errorf("maxRemovedPct (line %d): want a percentage from 0 to 100 (100 turns the removal guard off), got %s", topLine(&root, "maxRemovedPct"), topValue(&root, "maxRemovedPct"))
		}
		cfg.MaxRemovedPct = f.MaxRemovedPct
	}
	for i, oy := range f.Offers {
		key := fmt.Sprintf("offers[%d]", i)
		o, err := oy.toOffer(KindOffer, key)
		if err != nil {
			return Config{}, fmt.Errorf("%s: %w", key, err)
		}
		cfg.Offers = append(cfg.Offers, o)
	}
	for i, sy := range f.SavingsPlans {
		key := fmt.Sprintf("savingsPlans[%d]", i)
		if len(sy.Terms) > 0 {
			return Config{}, fmt.Errorf("%s.terms: Savings Plans have one term type (SavingsPlan); select rates with filters such as purchaseOption: No Upfront or leaseContractLength: 1yr", key)
		}
		o, err := offerYAML(sy).toOffer(KindSavingsPlan, key)
		if err != nil {
			return Config{}, fmt.Errorf("%s: %w", key, err)
		}
		cfg.Offers = append(cfg.Offers, o)
	}
	return cfg, nil
}

func (oy offerYAML) toOffer(kind, key string) (Offer, error) {
	o := Offer{
		Code:       strings.TrimSpace(oy.Code),
		Regions:    oy.Regions,
		Terms:      oy.Terms,
		Attributes: oy.Attributes,
		Kind:       kind,
		Source:     strings.TrimSpace(oy.Source),
		key:        key,
	}
	if kind == KindSavingsPlan && o.Code != "" {
		code, ok := awsnames.SavingsPlanCode(o.Code)
		if !ok {
			return Offer{}, fmt.Errorf("code: %q is not a Savings Plans code (known: %s)", o.Code, strings.Join(awsnames.SavingsPlanCodes, ", "))
		}
		o.Code = code
	}
	if oy.API != nil {
		o.APIMode = strings.TrimSpace(oy.API.Mode)
	}
	if len(oy.Filters) > 0 {
		o.Filters = make(map[string][]string, len(oy.Filters))
	}
	for key, node := range oy.Filters {
		values, err := filterValues(node)
		if err != nil {
			return Offer{}, fmt.Errorf("filters.%s: %w", key, err)
		}
		o.Filters[key] = values
	}
	return o, nil
}

var unknownField = regexp.MustCompile(`line (\d+): field (\S+) not found in type config\.(\w+)`)

// apiKeys completes the known keys of an entry with those of the Pricing
// API source, kept apart so that the long-standing message stays as it was.
const apiKeys = ", or source and api to read through the Pricing API"

var wrongType = regexp.MustCompile("line (\\d+): cannot unmarshal !!(\\w+)(?: `([^`]*)`)? into (\\S+)")

// expectedShape names a Go type of the YAML shape in the user's terms, with
// an example fit for the key when it is a list.
func expectedShape(goType, key string) string {
	switch {
	case goType == "[]string":
		example := map[string]string{
			"regions":    "[us-east-1, eu-west-1]",
			"terms":      "[OnDemand, Reserved]",
			"attributes": "[instanceType, vcpu, memory]",
		}[key[strings.LastIndex(key, ".")+1:]]
		if example == "" {
			example = "[a, b]"
		}
		return "a list such as " + example
	case strings.HasPrefix(goType, "[]"):
		return "a list of entries, each starting with \"- code:\""
	case strings.HasPrefix(goType, "map"), strings.HasPrefix(goType, "config."):
		return "a mapping of keys to values"
	case goType == "float64":
		return "a number"
	}
	return goType
}

// keyAt returns the path of the key whose value starts on line and is of
// kind ("offers[0].terms") and that value, the deepest one when several do.
func keyAt(n *yaml.Node, line int, kind yaml.Kind, path string) (string, *yaml.Node) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if k, v := keyAt(c, line, kind, path); v != nil {
				return k, v
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			sub := k.Value
			if path != "" {
				sub = path + "." + k.Value
			}
			if dk, dv := keyAt(v, line, kind, sub); dv != nil {
				return dk, dv
			}
			if v.Line == line && v.Kind == kind {
				return sub, v
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if k, v := keyAt(c, line, kind, fmt.Sprintf("%s[%d]", path, i)); v != nil {
				return k, v
			}
		}
	}
	return "", nil
}

// yamlError rewrites the YAML library's Go-flavoured messages ("field filter
// not found in type config.offerYAML") into the user's terms.
func yamlError(err error, data []byte) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return fmt.Errorf("invalid YAML: %w", err)
	}
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root) // it parsed once already; only the types were wrong
	msgs := make([]string, len(te.Errors))
	for i, m := range te.Errors {
		if sub := wrongType.FindStringSubmatch(m); sub != nil {
			line, _ := strconv.Atoi(sub[1])
			kind := map[string]yaml.Kind{"map": yaml.MappingNode, "seq": yaml.SequenceNode}[sub[2]]
			if kind == 0 {
				kind = yaml.ScalarNode
			}
			key, value := keyAt(&root, line, kind, "")
			found := fmt.Sprintf("%q", sub[3])
			if value != nil && value.Kind == yaml.ScalarNode && sub[3] != "" {
				found = fmt.Sprintf("%q", value.Value) // the library's message shortens it
			}
			if sub[3] == "" {
				found = "a " + sub[2]
				if kind, ok := map[string]string{"map": "mapping", "seq": "list"}[sub[2]]; ok {
					found = "a " + kind
				}
			}
			where := "line " + sub[1]
			if key != "" {
				where = fmt.Sprintf("%s (line %s)", key, sub[1])
			}
			msgs[i] = fmt.Sprintf("%s: expected %s, found %s", where, expectedShape(sub[4], key), found)
			continue
		}
		msgs[i] = unknownField.ReplaceAllStringFunc(m, func(m string) string {
			sub := unknownField.FindStringSubmatch(m)
			known := "offers, savingsPlans, flagPct, maxRemovedPct"
			where := "at the top level"
			more := ""
			switch sub[3] {
			case "offerYAML":
				known = "code, regions, terms, filters, attributes"
				where = "in an offer"
				more = apiKeys
			case "savingsPlanYAML":
				known = "code, regions, filters, attributes"
				where = "in a savings plan"
				more = apiKeys
			case "apiYAML":
				known = "mode"
				where = "in api"
			}
			return fmt.Sprintf("line %s: unknown key %q %s (known keys: %s)%s", sub[1], sub[2], where, known, more)
		})
	}
	return fmt.Errorf("invalid configuration: %s", strings.Join(msgs, "; "))
}

// filterValues accepts a scalar or a list of scalars.
func filterValues(n yaml.Node) ([]string, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		return []string{n.Value}, nil
	case yaml.SequenceNode:
		var out []string
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: expected a value, got a nested structure", c.Line)
			}
			out = append(out, c.Value)
		}
		if len(out) == 0 {
			return nil, errors.New("empty list selects nothing; remove the filter or give values")
		}
		return out, nil
	default:
		return nil, fmt.Errorf("line %d: expected a value or a list of values", n.Line)
	}
}

// Validate checks the configuration as a whole. Resolve calls it after the
// command line has had its say, so that a file completed by flags is valid.
func (c Config) Validate() error {
	if len(c.Offers) == 0 {
		return errors.New("offers: nothing to track; list at least one offer or savings plan in the config or pass --service")
	}
	seen := map[string]bool{}
	for i, o := range c.Offers {
		key := o.key
		if key == "" {
			key = fmt.Sprintf("offers[%d]", i)
			if o.IsSavingsPlan() {
				key = fmt.Sprintf("savingsPlans[%d]", i)
			}
		}
		if o.Code == "" {
			return fmt.Errorf("%s.code: missing offer code (for example AmazonEC2, or AWSComputeSavingsPlan under savingsPlans)", key)
		}
		if strings.ContainsAny(o.Code, "/\\ .") {
			return fmt.Errorf("%s.code: %q is not an offer code (for example AmazonEC2)", key, o.Code)
		}
		if seen[o.Code] {
			return fmt.Errorf("%s.code: %s is listed twice; merge the entries", key, o.Code)
		}
		seen[o.Code] = true
		if len(o.Regions) == 0 {
			return fmt.Errorf("%s.regions (%s): list region codes such as us-east-1, or [all] (or pass --region)", key, o.Code)
		}
		for _, r := range o.Regions {
			if r == AllRegions && len(o.Regions) > 1 {
				return fmt.Errorf("%s.regions (%s): %q cannot be combined with other regions", key, o.Code, AllRegions)
			}
			if r == "" || strings.ContainsAny(r, "/\\ .") {
				return fmt.Errorf("%s.regions (%s): %q is not a region code", key, o.Code, r)
			}
		}
		for _, t := range o.Terms {
			if t == "" {
				return fmt.Errorf("%s.terms (%s): empty term type", key, o.Code)
			}
		}
		for _, a := range o.Attributes {
			if a == "" {
				return fmt.Errorf("%s.attributes (%s): empty attribute name", key, o.Code)
			}
		}
		if dup := firstDuplicate(o.Attributes); dup != "" {
			return fmt.Errorf("%s.attributes (%s): %q is listed twice", key, o.Code, dup)
		}
		switch o.Source {
		case "", SourceBulk, SourceAPI:
		default:
			return fmt.Errorf("%s.source (%s): %q is not a source; use bulk (the public Bulk API, the default) or api (the Pricing API, with AWS credentials)", key, o.Code, o.Source)
		}
		switch {
		case o.Source != SourceAPI && o.APIMode != "":
			return fmt.Errorf("%s.api (%s): api settings need source: api", key, o.Code)
		case o.APIMode != "" && o.APIMode != APIModeFiles && o.APIMode != APIModeProducts:
			return fmt.Errorf("%s.api.mode (%s): %q is not a mode; use files (the default) or products", key, o.Code, o.APIMode)
		case o.APIMode == APIModeProducts && o.IsSavingsPlan():
			return fmt.Errorf("%s.api.mode (%s): GetProducts does not serve Savings Plans rates; use mode: files", key, o.Code)
		}
	}
	return nil
}

func firstDuplicate(names []string) string {
	seen := map[string]bool{}
	for _, n := range names {
		k := awsnames.NormalizeName(n)
		if seen[k] {
			return n
		}
		seen[k] = true
	}
	return ""
}

// Resolve applies the command line's --service and --region to a parsed
// configuration, fills in defaults and validates the result. Services replace
// the configured offers (keeping the configured settings of an offer that is
// named again); regions replace every offer's regions.
func Resolve(c Config, services, regions []string) (Config, error) {
	c.Offers = slices.Clone(c.Offers) // never write through to the caller's config
	if c.FlagPct == 0 {
		c.FlagPct = DefaultFlagPct
	}
	if c.MaxRemovedPct == nil {
		limit := DefaultMaxRemovedPct
		c.MaxRemovedPct = &limit
	}
	if len(services) > 0 {
		var offers []Offer
		for _, code := range services {
			sp, isSP := awsnames.SavingsPlanCode(code)
			if isSP {
				code = sp
			}
			i := slices.IndexFunc(c.Offers, func(o Offer) bool { return o.Code == code })
			switch {
			case i >= 0:
				offers = append(offers, c.Offers[i])
			case isSP:
				offers = append(offers, Offer{Code: code, Kind: KindSavingsPlan})
			default:
				offers = append(offers, Offer{Code: code})
			}
		}
		c.Offers = offers
	}
	if len(regions) > 0 {
		for i := range c.Offers {
			c.Offers[i].Regions = slices.Clone(regions)
		}
	}
	for i := range c.Offers {
		o := &c.Offers[i]
		if o.Kind == "" {
			o.Kind = KindOffer
		}
		if len(o.Attributes) == 0 {
			o.DefaultAttributes = true
			o.Attributes = slices.Clone(DefaultAttributes)
			if o.IsSavingsPlan() {
				o.Attributes = slices.Clone(DefaultSavingsPlanAttributes)
			}
		}
		if o.Source == "" {
			o.Source = SourceBulk
		}
		if o.Source == SourceAPI && o.APIMode == "" {
			o.APIMode = APIModeFiles
		}
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}
