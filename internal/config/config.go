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
	"os"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
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

// DefaultAttributes are the snapshot's attribute columns when an offer lists
// none: present in nearly every service, and enough to tell lines apart.
var DefaultAttributes = []string{"productFamily", "usagetype"}

// Config is the validated configuration of a run.
type Config struct {
	Offers []Offer
	// FlagPct flags changes whose absolute percentage exceeds it.
	FlagPct float64
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
}

// AllRegions reports whether the offer selects every region.
func (o Offer) AllRegions() bool {
	return len(o.Regions) == 1 && o.Regions[0] == AllRegions
}

// file is the YAML shape. Unknown keys are errors so that a typo such as
// `filter:` is reported instead of silently selecting everything.
type file struct {
	Offers  []offerYAML `yaml:"offers"`
	FlagPct *float64    `yaml:"flagPct"`
}

type offerYAML struct {
	Code       string               `yaml:"code"`
	Regions    []string             `yaml:"regions"`
	Terms      []string             `yaml:"terms"`
	Filters    map[string]yaml.Node `yaml:"filters"`
	Attributes []string             `yaml:"attributes"`
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
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, yamlError(err)
	}
	cfg := Config{FlagPct: DefaultFlagPct}
	if f.FlagPct != nil {
		if *f.FlagPct <= 0 {
			return Config{}, fmt.Errorf("flagPct: must be a positive percentage, got %v", *f.FlagPct)
		}
		cfg.FlagPct = *f.FlagPct
	}
	for i, oy := range f.Offers {
		o, err := oy.toOffer()
		if err != nil {
			return Config{}, fmt.Errorf("offers[%d]: %w", i, err)
		}
		cfg.Offers = append(cfg.Offers, o)
	}
	return cfg, nil
}

func (oy offerYAML) toOffer() (Offer, error) {
	o := Offer{
		Code:       strings.TrimSpace(oy.Code),
		Regions:    oy.Regions,
		Terms:      oy.Terms,
		Attributes: oy.Attributes,
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

// yamlError rewrites the YAML library's Go-flavoured messages ("field filter
// not found in type config.offerYAML") into the user's terms.
func yamlError(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return fmt.Errorf("invalid YAML: %w", err)
	}
	msgs := make([]string, len(te.Errors))
	for i, m := range te.Errors {
		msgs[i] = unknownField.ReplaceAllStringFunc(m, func(m string) string {
			sub := unknownField.FindStringSubmatch(m)
			known := "offers, flagPct"
			where := "at the top level"
			if sub[3] == "offerYAML" {
				known = "code, regions, terms, filters, attributes"
				where = "in an offer"
			}
			return fmt.Sprintf("line %s: unknown key %q %s (known keys: %s)", sub[1], sub[2], where, known)
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
		return errors.New("offers: nothing to track; list at least one offer in the config or pass --service")
	}
	seen := map[string]bool{}
	for i, o := range c.Offers {
		if o.Code == "" {
			return fmt.Errorf("offers[%d].code: missing offer code (for example AmazonEC2)", i)
		}
		if strings.ContainsAny(o.Code, "/\\ .") {
			return fmt.Errorf("offers[%d].code: %q is not an offer code (for example AmazonEC2)", i, o.Code)
		}
		if seen[o.Code] {
			return fmt.Errorf("offers[%d].code: %s is listed twice; merge the entries", i, o.Code)
		}
		seen[o.Code] = true
		if len(o.Regions) == 0 {
			return fmt.Errorf("offers[%d].regions (%s): list region codes such as us-east-1, or [all] (or pass --region)", i, o.Code)
		}
		for _, r := range o.Regions {
			if r == AllRegions && len(o.Regions) > 1 {
				return fmt.Errorf("offers[%d].regions (%s): %q cannot be combined with other regions", i, o.Code, AllRegions)
			}
			if r == "" || strings.ContainsAny(r, "/\\ .") {
				return fmt.Errorf("offers[%d].regions (%s): %q is not a region code", i, o.Code, r)
			}
		}
		for _, t := range o.Terms {
			if t == "" {
				return fmt.Errorf("offers[%d].terms (%s): empty term type", i, o.Code)
			}
		}
		for _, a := range o.Attributes {
			if a == "" {
				return fmt.Errorf("offers[%d].attributes (%s): empty attribute name", i, o.Code)
			}
		}
		if dup := firstDuplicate(o.Attributes); dup != "" {
			return fmt.Errorf("offers[%d].attributes (%s): %q is listed twice", i, o.Code, dup)
		}
	}
	return nil
}

func firstDuplicate(names []string) string {
	seen := map[string]bool{}
	for _, n := range names {
		k := NormalizeName(n)
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
	if len(services) > 0 {
		var offers []Offer
		for _, code := range services {
			i := slices.IndexFunc(c.Offers, func(o Offer) bool { return o.Code == code })
			if i >= 0 {
				offers = append(offers, c.Offers[i])
			} else {
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
		if len(c.Offers[i].Attributes) == 0 {
			c.Offers[i].Attributes = slices.Clone(DefaultAttributes)
		}
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

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
