package relay

import (
	"regexp"
	"strconv"
)

// The client_payload reaches the user's workflow, where a value may be
// expanded into a shell command or an expression
// (run: echo ${{ github.event.client_payload.regionIndexUrl }}). So every
// value sent is checked, at the last moment, against the shape AWS uses
// for it; whatever else a message (or a user's own test topic) carries
// never reaches GitHub.
var (
	// timestampRE is what normalizeTime writes: RFC 3339 in UTC, seconds.
	timestampRE = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$`)
	// messageIDRE: SNS MessageIds are UUIDs; tests and redrives use
	// similar plain identifiers.
	messageIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)
)

// checkShape returns p with every field that is not in AWS's shape emptied,
// and what it emptied (field and value, for the log). usable is false when
// nothing worth a dispatch remains: an unknown kind, or no offer code
// where one is needed (only a Savings Plans notification may name none).
func checkShape(p Payload) (out Payload, dropped []string, usable bool) {
	check := func(field string, v *string, ok func(string) bool) {
		if *v != "" && !ok(*v) {
			dropped = append(dropped, field+"="+strconv.Quote(truncate(*v, 120)))
			*v = ""
		}
	}
	switch p.Kind {
	case KindPriceList, KindDaily, KindSavingsPlans:
	default:
		return Payload{}, []string{"kind=" + strconv.Quote(truncate(string(p.Kind), 40))}, false
	}
	check("offerCode", &p.OfferCode, func(s string) bool {
		if p.Kind == KindSavingsPlans {
			return canonicalSavingsPlanCode(s) == s
		}
		return offerCodeRE.MatchString(s)
	})
	check("version", &p.Version, versionRE.MatchString)
	check("timestamp", &p.Timestamp, timestampRE.MatchString)
	check("topic", &p.Topic, topicARNRE.MatchString)
	check("messageId", &p.MessageID, messageIDRE.MatchString)
	isURL := func(s string) bool { return pricingURL(s) == s }
	check("regionIndexUrl", &p.RegionIndexURL, isURL)
	check("versionIndexUrl", &p.VersionIndexURL, isURL)
	if p.OfferCode == "" && p.Kind != KindSavingsPlans {
		return Payload{}, dropped, false
	}
	return p, dropped, true
}
