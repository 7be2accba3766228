package relay

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pricechecker/pricechecker/internal/dispatch"
)

// Kind is the kind of AWS notification an update came from; it is
// defined with the payload in package dispatch.
type Kind = dispatch.Kind

const (
	KindPriceList    = dispatch.KindPriceList
	KindDaily        = dispatch.KindDaily
	KindSavingsPlans = dispatch.KindSavingsPlans
)

// The three AWS topics. Only their last ARN segment is used to recognise
// them, so that a user's own test topic with the same name (in another
// account) is parsed the same way.
const (
	TopicPriceList    = "arn:aws:sns:us-east-1:278350005181:price-list-api"
	TopicDaily        = "arn:aws:sns:us-east-1:278350005181:daily-aggregated-price-list-api"
	TopicSavingsPlans = "arn:aws:sns:us-east-1:626627529009:SavingsPlanPublishNotifications"
)

// DefaultTopics are always accepted; RELAY_EXTRA_TOPICS adds to them.
var DefaultTopics = []string{TopicPriceList, TopicDaily, TopicSavingsPlans}

// ErrUnparseable marks a message the relay cannot understand. The handler
// drops such messages instead of failing, because a retry would fail again.
var ErrUnparseable = errors.New("message not understood")

// Notification is the part of an SNS notification the relay uses; both the
// Lambda event and the HTTPS body are converted to it.
type Notification struct {
	MessageID string
	TopicArn  string
	Subject   string
	Message   string
	Timestamp time.Time
}

// Update is one price list (or Savings Plans rate file) that AWS says has
// been republished. One Update becomes one repository_dispatch.
type Update struct {
	Kind      Kind
	OfferCode string // empty only for a Savings Plans message that names no plan
	// Version is the 14-digit version folder (20171205010842), or empty when
	// AWS did not name one (the daily digest only links to current/): the
	// workflow must then read the version index.
	Version string
	// Timestamp is RFC 3339, from the message or else from SNS; empty when
	// neither is readable.
	Timestamp      string
	RegionIndexURL string // an AWS pricing URL of at most maxURLLen bytes, or empty
	// Rejected names what the message offered for a field and was not in
	// the shape AWS uses (so it was left out), for the log; "" if nothing.
	Rejected string
}

// reject notes a value left out of u, for the log.
func (u *Update) reject(field, raw string) {
	if u.Rejected != "" {
		u.Rejected += "; "
	}
	u.Rejected += field + " " + strconv.Quote(truncate(raw, 120))
}

// Parse turns one notification into the updates it announces. It returns an
// error wrapping ErrUnparseable when nothing usable can be found; it never
// panics on arbitrary input.
func Parse(n Notification) ([]Update, error) {
	msg := strings.TrimSpace(n.Message)
	if msg == "" {
		return nil, fmt.Errorf("empty message: %w", ErrUnparseable)
	}
	ts := ""
	if !n.Timestamp.IsZero() {
		ts = n.Timestamp.UTC().Format(time.RFC3339)
	}
	var ups []Update
	var err error
	switch kindOf(n) {
	case KindPriceList:
		ups, err = parsePriceList(msg)
	case KindDaily:
		ups, err = parseDaily(msg)
	default:
		ups, err = parseSavingsPlans(msg)
	}
	if err != nil {
		return nil, err
	}
	for i := range ups {
		if ups[i].Timestamp == "" {
			ups[i].Timestamp = ts
		}
	}
	return ups, nil
}

// kindOf recognises the topic by name, and falls back to the message shape
// for topics it does not know (a user's own topic used for testing).
func kindOf(n Notification) Kind {
	name := n.TopicArn[strings.LastIndex(n.TopicArn, ":")+1:]
	switch name {
	case "price-list-api":
		return KindPriceList
	case "daily-aggregated-price-list-api":
		return KindDaily
	case "SavingsPlanPublishNotifications":
		return KindSavingsPlans
	}
	msg := n.Message
	switch {
	case strings.Contains(msg, "/savingsPlan/") || strings.Contains(strings.ToLower(msg), "savingsplan"):
		return KindSavingsPlans
	case dailyServiceRE.MatchString(msg):
		return KindDaily
	default:
		return KindPriceList
	}
}

// priceListMessage is the JSON inside the price-list-api Message string.
type priceListMessage struct {
	OfferCode   string `json:"offerCode"`
	Version     string `json:"version"`
	TimeStamp   string `json:"timeStamp"` // camel-cased by AWS
	RegionIndex string `json:"regionIndex"`
}

var (
	// Offer codes are identifiers such as AmazonEC2, AWSConfig, datazone;
	// anything else would end up in a workflow expression, so refuse it.
	offerCodeRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	// versionRE is the only version format AWS uses for a price list or
	// Savings Plans folder: YYYYMMDDhhmmss. Anything else ("v1.0" is the API
	// version, a date is not a folder name) is not passed on.
	versionRE = regexp.MustCompile(`^[0-9]{14}$`)
)

// maxURLLen bounds every URL passed on, so that no message can make the
// dispatch payload too large for GitHub.
const maxURLLen = 512

// version returns s when it is a version folder name, else "".
func version(s string) string {
	s = strings.TrimSpace(s)
	if versionRE.MatchString(s) {
		return s
	}
	return ""
}

func parsePriceList(msg string) ([]Update, error) {
	var m priceListMessage
	if err := json.Unmarshal([]byte(msg), &m); err != nil {
		return nil, fmt.Errorf("price-list message is not JSON (%v): %w", err, ErrUnparseable)
	}
	if !offerCodeRE.MatchString(m.OfferCode) {
		return nil, fmt.Errorf("price-list message has no valid offerCode %q: %w", truncate(m.OfferCode, 80), ErrUnparseable)
	}
	// A version in another format is dropped, not the message: the offer
	// code alone still tells the workflow what to re-read.
	u := Update{
		Kind:           KindPriceList,
		OfferCode:      m.OfferCode,
		Version:        version(m.Version),
		Timestamp:      normalizeTime(m.TimeStamp),
		RegionIndexURL: pricingURL(m.RegionIndex),
	}
	if u.Version == "" && m.Version != "" {
		u.reject("version", m.Version)
	}
	if u.RegionIndexURL == "" && m.RegionIndex != "" {
		u.reject("regionIndex", m.RegionIndex)
	}
	return []Update{u}, nil
}

var (
	// The wording has changed over the years ("We've"/"We have", indentation),
	// so only the stable core of each line is matched.
	dailyServiceRE = regexp.MustCompile(`(?i)offer\s+file\s+for\s+(?:the\s+)?service\s+([A-Za-z0-9_-]+)`)
	regionIndexRE  = regexp.MustCompile(`(?i)region\s*index\s*(?:url)?\s*:\s*(\S+)`)
	anyURLRE       = regexp.MustCompile(`https://[^\s"'<>\\]+`)
)

func parseDaily(msg string) ([]Update, error) {
	locs := dailyServiceRE.FindAllStringSubmatchIndex(msg, -1)
	if len(locs) == 0 {
		return nil, fmt.Errorf("daily message names no service: %w", ErrUnparseable)
	}
	seen := map[string]bool{}
	var ups []Update
	for i, loc := range locs {
		code := msg[loc[2]:loc[3]]
		end := len(msg)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		block := msg[loc[1]:end]
		if seen[code] {
			continue
		}
		seen[code] = true
		u := Update{Kind: KindDaily, OfferCode: code}
		if m := regionIndexRE.FindStringSubmatch(block); m != nil {
			if u.RegionIndexURL = pricingURL(m[1]); u.RegionIndexURL == "" {
				u.reject("Region Index Url", m[1])
			}
		}
		// The digest links to current/, but if AWS ever links a versioned
		// folder, pass that version on.
		for _, raw := range anyURLRE.FindAllString(block, -1) {
			if _, v := codeVersionFromURL(raw); v != "" {
				u.Version = v
				break
			}
		}
		ups = append(ups, u)
	}
	return ups, nil
}

// savingsPlanURLRE matches Savings Plans bulk-file URLs:
// https://pricing.us-east-1.amazonaws.com/savingsPlan/v1.0/aws/<code>/<version or current>/...
var (
	savingsPlanURLRE  = regexp.MustCompile(`https://pricing\.us-east-1\.amazonaws\.com/savingsPlan/v1\.0/aws/([A-Za-z0-9_-]+)(?:/([A-Za-z0-9._-]+))?[^\s"'<>\\]*`)
	savingsPlanCodeRE = regexp.MustCompile(`\b[A-Za-z]*SavingsPlans?\b`)
	// savingsPlanNameRE matches the plans' names in prose ("Compute Savings
	// Plans", "SageMaker Savings Plans").
	savingsPlanNameRE = regexp.MustCompile(`(?i)\b(compute|sagemaker|machine[\s-]+learning|database)\s+savings\s+plans?\b`)
)

// parseSavingsPlans is defensive: AWS documents no format for this topic.
// It accepts JSON (any nesting) or text, and takes any plan code, version and
// Savings Plans URL it can find. A message that is clearly about Savings
// Plans but names no known plan still yields one update with an empty
// OfferCode: the topic firing is itself the news, and the workflow can
// re-read every Savings Plans version index.
func parseSavingsPlans(msg string) ([]Update, error) {
	var fields spFields
	var doc any
	if err := json.Unmarshal([]byte(msg), &doc); err == nil {
		fields.walk(doc, 0)
	}
	for _, m := range savingsPlanURLRE.FindAllStringSubmatch(msg, -1) {
		fields.addURL(m[0])
	}
	if len(fields.codes) == 0 {
		for _, c := range savingsPlanCodeRE.FindAllString(msg, -1) {
			fields.addCode(c)
		}
		for _, m := range savingsPlanNameRE.FindAllStringSubmatch(msg, -1) {
			fields.addCode(m[1] + "SavingsPlans")
		}
	}
	if len(fields.codes) == 0 && !strings.Contains(strings.ToLower(msg), "savings") {
		return nil, fmt.Errorf("savings plans message names no plan, URL or version: %w", ErrUnparseable)
	}
	codes := make([]string, 0, len(fields.codes))
	for c := range fields.codes {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	if len(codes) == 0 {
		codes = []string{""}
	}
	ts := cmp.Or(fields.timestamp, fields.publicationDate)
	ups := make([]Update, 0, len(codes))
	for _, c := range codes {
		u := Update{Kind: KindSavingsPlans, OfferCode: c, Timestamp: ts}
		u.Version = fields.versions[c]
		if u.Version == "" && len(codes) == 1 {
			u.Version = fields.version
		}
		u.RegionIndexURL = fields.regionIndex[c]
		if raw, ok := fields.rejected[c]; ok && u.RegionIndexURL == "" {
			u.reject("region index URL", raw)
		}
		ups = append(ups, u)
	}
	return ups, nil
}

type spFields struct {
	codes       map[string]bool
	versions    map[string]string // per code, from URLs
	regionIndex map[string]string // per code, from URLs
	version     string            // from a version field, code unknown
	rejected    map[string]string // per code, region index URLs left out
	timestamp   string
	// publicationDate is used as the timestamp only: nothing documents
	// that a notification's publication date is the name of the version
	// folder, so it is never turned into a version.
	publicationDate string
}

func (f *spFields) addCode(raw string) {
	c := canonicalSavingsPlanCode(raw)
	if c == "" {
		return
	}
	if f.codes == nil {
		f.codes = map[string]bool{}
	}
	f.codes[c] = true
}

func (f *spFields) addURL(raw string) {
	m := savingsPlanURLRE.FindStringSubmatch(raw)
	if m == nil {
		return
	}
	code := canonicalSavingsPlanCode(m[1])
	if code == "" {
		return
	}
	f.addCode(code)
	if f.versions == nil {
		f.versions, f.regionIndex = map[string]string{}, map[string]string{}
	}
	if v := version(m[2]); v != "" && f.versions[code] == "" {
		f.versions[code] = v
	}
	if strings.HasSuffix(m[0], "/region_index.json") && f.regionIndex[code] == "" {
		if f.regionIndex[code] = pricingURL(m[0]); f.regionIndex[code] == "" {
			if f.rejected == nil {
				f.rejected = map[string]string{}
			}
			f.rejected[code] = m[0]
		}
	}
}

// walk visits a decoded JSON document, bounded in depth so that a hostile
// message cannot exhaust the stack.
func (f *spFields) walk(v any, depth int) {
	if depth > 32 {
		return
	}
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys) // deterministic when several fields compete
		for _, k := range keys {
			s, isString := t[k].(string)
			if isString {
				switch strings.ToLower(k) {
				case "offercode", "savingsplancode", "savingsplanoffercode", "servicecode", "code", "plantype", "savingsplantype":
					f.addCode(s)
				case "version", "versionid", "offerversion":
					if f.version == "" {
						f.version = version(s)
					}
				case "timestamp", "publishedat":
					if f.timestamp == "" {
						f.timestamp = normalizeTime(s)
					}
				case "publicationdate":
					if f.publicationDate == "" {
						f.publicationDate = normalizeTime(s)
					}
				}
				f.addURL(s)
				continue
			}
			f.walk(t[k], depth+1)
		}
	case []any:
		for _, e := range t {
			f.walk(e, depth+1)
		}
	case string:
		f.addURL(t)
	}
}

// canonicalSavingsPlanCode maps any spelling of the three plans (bulk API
// AWSComputeSavingsPlan, Pricing API ComputeSavingsPlans, CSV preamble
// AmazonComputeSavingsPlan, the human "SageMaker Savings Plans") to the
// bulk-API code the rest of pricechecker uses. It returns "" for anything
// else, so that no unknown word reaches the workflow as an offer code.
func canonicalSavingsPlanCode(raw string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(raw) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	core := b.String()
	if len(core) > 64 {
		return ""
	}
	core = strings.TrimPrefix(core, "aws")
	core = strings.TrimPrefix(core, "amazon")
	core = strings.TrimSuffix(core, "s")
	switch core {
	case "computesavingsplan":
		return "AWSComputeSavingsPlan"
	case "machinelearningsavingsplan", "sagemakersavingsplan":
		return "AWSMachineLearningSavingsPlans"
	case "databasesavingsplan":
		return "AWSDatabaseSavingsPlans"
	}
	return ""
}

// codeVersionFromURL reads <code>/<version> from a bulk-file URL path
// (/offers/v1.0/aws/<code>/<version>/...). version is "" for current/.
func codeVersionFromURL(raw string) (code, ver string) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", ""
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 5 || parts[2] != "aws" {
		return "", ""
	}
	return parts[3], version(parts[4])
}

// pricingURLRE is the shape of every URL AWS's price list notifications
// carry: the Bulk API host, an offers or savingsPlan path, and path segments
// of letters, digits, '.', '_' and '-' that do not start with a dot (no
// "..", no query). The workflow may fetch what the payload names, or expand
// it in a shell: "$(...)", backticks, "${{ }}", quotes, spaces and anything
// else from an unauthenticated message never get through.
var pricingURLRE = regexp.MustCompile(`^https://pricing\.us-east-1\.amazonaws\.com/(?:offers|savingsPlan)/v1\.0/aws(?:/[A-Za-z0-9_-][A-Za-z0-9._-]*)+$`)

// pricingURL returns raw (trimmed) when it is an AWS pricing URL of at most
// maxURLLen bytes, else "".
func pricingURL(raw string) string {
	raw = strings.TrimSpace(raw)
	if len(raw) > maxURLLen || !pricingURLRE.MatchString(raw) {
		return ""
	}
	return raw
}

// normalizeTime returns t in RFC 3339 UTC when it parses, else "".
func normalizeTime(s string) string {
	for _, layout := range []string{time.RFC3339Nano, time.RFC3339, "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t.UTC().Format(time.RFC3339)
		}
	}
	return ""
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
