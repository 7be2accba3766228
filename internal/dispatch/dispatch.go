// Package dispatch is the one definition of the repository_dispatch
// client_payload: the relay writes a Payload, the action reads it back with
// Read. Both sides use the same struct tags, so a key renamed on one side
// is renamed on the other.
package dispatch

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Kind is the kind of AWS notification an update came from. It picks the
// default event type and is sent to the workflow as client_payload.kind.
type Kind string

const (
	// KindPriceList is the per-service JSON message of the price-list-api topic.
	KindPriceList Kind = "price-list"
	// KindDaily is the plain-text digest of the daily-aggregated-price-list-api topic.
	KindDaily Kind = "daily"
	// KindSavingsPlans is a message of the SavingsPlanPublishNotifications topic.
	KindSavingsPlans Kind = "savings-plans"
)

// Payload is the client_payload of every dispatch. The workflow reads
// offerCode and version; the field names are a public contract (camelCase,
// at most GitHub's 10 top-level properties). Every key is always present so
// that workflow expressions see "" rather than null.
type Payload struct {
	Kind      Kind   `json:"kind"`
	OfferCode string `json:"offerCode"` // the Savings Plans code for savings-plans
	// Version is "" when AWS did not name one (daily digest): read the
	// version index then.
	Version         string `json:"version"`
	Timestamp       string `json:"timestamp"`
	Topic           string `json:"topic"`
	MessageID       string `json:"messageId"`
	RegionIndexURL  string `json:"regionIndexUrl"`
	VersionIndexURL string `json:"versionIndexUrl"`
}

// Received is a client_payload as the action reads it: what the relay
// writes, plus two keys a person dispatching by hand may add (the relay
// never sends them).
type Received struct {
	Payload
	OfferCodes []string // client_payload.offerCodes: several services at once
	Region     string   // client_payload.region: a comma-separated list of regions
}

// Read takes the client_payload of a repository_dispatch event as
// go-githubactions parsed it. It is lenient as a hand-written dispatch
// needs: a missing key is "", a number or boolean is taken in its printed
// form, and a value of the wrong shape is ignored rather than failing the
// run (the names it yields are validated later, against the configuration).
func Read(clientPayload map[string]any) Received {
	// Decode through Payload's own tags: each value becomes a string first,
	// so that "version": 20261115000000 still reads.
	flat := make(map[string]string, len(clientPayload))
	for k, v := range clientPayload {
		if s, ok := scalar(v); ok {
			flat[k] = s
		}
	}
	var r Received
	if b, err := json.Marshal(flat); err == nil {
		_ = json.Unmarshal(b, &r.Payload) // a map of strings always fits
	}
	r.Region = flat["region"]
	if codes, ok := clientPayload["offerCodes"].([]any); ok {
		for _, c := range codes {
			if s, ok := scalar(c); ok {
				r.OfferCodes = append(r.OfferCodes, s)
			}
		}
	}
	r.Version = strings.TrimSpace(r.Version)
	return r
}

// scalar prints a JSON scalar; objects and arrays are not values here.
func scalar(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case nil:
		return "", true
	case map[string]any, []any:
		return "", false
	case float64:
		// encoding/json decodes every number as float64: print an
		// integer without an exponent (a version is 14 digits).
		if v == float64(int64(v)) {
			return fmt.Sprintf("%d", int64(v)), true
		}
		return fmt.Sprint(v), true
	default:
		return fmt.Sprint(v), true
	}
}
