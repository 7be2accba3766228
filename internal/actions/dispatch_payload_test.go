package actions

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pricechecker/pricechecker/internal/dispatch"
)

// The action reads the event the relay sends: a repository_dispatch whose
// client_payload is a dispatch.Payload, encoded as the relay encodes it.
func TestParseEventReadsTheRelaysPayload(t *testing.T) {
	for _, p := range []dispatch.Payload{
		{Kind: dispatch.KindPriceList, OfferCode: "AmazonEC2", Version: "20261115000000", MessageID: "m1"},
		{Kind: dispatch.KindSavingsPlans, OfferCode: "AWSComputeSavingsPlan"}, // no version: the current one
	} {
		event, err := json.Marshal(map[string]any{"action": "aws-price-list-update", "client_payload": p})
		if err != nil {
			t.Fatal(err)
		}
		ev, err := ParseEvent("repository_dispatch", event)
		if err != nil || strings.Join(ev.Services, ",") != p.OfferCode || ev.Version != p.Version || len(ev.Regions) != 0 {
			t.Errorf("ParseEvent(%s) = %+v, %v", event, ev, err)
		}
	}
}
