package relay

import (
	"sync"
	"time"
)

// Dedup remembers what was dispatched recently, because SNS delivers at
// least once (retries reuse the MessageId) and AWS sometimes announces the
// same offer version twice. It lives in memory, so it covers redeliveries to
// a warm execution environment, which is where they land in practice; a
// cold start forgets, and the workflow must stay idempotent on
// (offerCode, version) anyway.
//
// Keys are marked only after a successful dispatch: a failed invocation must
// dispatch again when Lambda retries it.
type Dedup struct {
	mu      sync.Mutex
	ttl     time.Duration
	max     int
	entries map[string]time.Time // key → expiry
	order   []string             // insertion order, for eviction
}

// NewDedup keeps keys for ttl, and at most max keys (the oldest go first).
func NewDedup(ttl time.Duration, max int) *Dedup {
	if max <= 0 {
		max = 10000
	}
	return &Dedup{ttl: ttl, max: max, entries: map[string]time.Time{}}
}

// Seen reports whether any of keys was marked and has not expired.
func (d *Dedup) Seen(now time.Time, keys ...string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, k := range keys {
		if exp, ok := d.entries[k]; ok && now.Before(exp) {
			return true
		}
	}
	return false
}

// Mark records keys as dispatched at now.
func (d *Dedup) Mark(now time.Time, keys ...string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, k := range keys {
		if _, ok := d.entries[k]; !ok {
			d.order = append(d.order, k)
		}
		d.entries[k] = now.Add(d.ttl)
	}
	for len(d.order) > d.max {
		delete(d.entries, d.order[0])
		d.order = d.order[1:]
	}
}

// dedupKeys are the keys of one update: its place in its message (so a
// retried daily digest skips the services already dispatched) and, when AWS
// named a version, the offer version itself.
func dedupKeys(n Notification, u Update) []string {
	keys := []string{"msg:" + n.MessageID + "/" + u.OfferCode}
	if u.Version != "" && u.OfferCode != "" {
		keys = append(keys, "offer:"+u.OfferCode+"@"+u.Version)
	}
	return keys
}
