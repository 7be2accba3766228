package dispatch

import (
	"encoding/json"
	"reflect"
	"testing"
)

// What the relay writes is what the action reads: every field survives the
// trip through JSON and go-githubactions' untyped map.
func TestReadWhatTheRelayWrites(t *testing.T) {
	sent := Payload{
		Kind: KindSavingsPlans, OfferCode: "AWSComputeSavingsPlan", Version: "20251001000000",
		Timestamp: "2025-10-01T00:00:00Z", Topic: "arn:aws:sns:us-east-1:278350005181:SavingsPlanPublishNotifications",
		MessageID:       "4d1c1b5e-0000-4000-8000-000000000001",
		RegionIndexURL:  "https://pricing.us-east-1.amazonaws.com/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/20251001000000/region_index.json",
		VersionIndexURL: "https://pricing.us-east-1.amazonaws.com/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/index.json",
	}
	b, err := json.Marshal(sent)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if len(m) > 10 {
		t.Errorf("payload has %d keys; GitHub allows 10", len(m))
	}
	got := Read(m)
	if !reflect.DeepEqual(got.Payload, sent) || got.Region != "" || got.OfferCodes != nil {
		t.Errorf("Read = %+v, want %+v", got, sent)
	}
}

// A hand-written dispatch: the two manual keys, a version typed as a
// number, and values of the wrong shape that are ignored.
func TestReadManualDispatch(t *testing.T) {
	var m map[string]any
	if err := json.Unmarshal([]byte(`{"offerCode":{"x":1},"offerCodes":["AmazonEC2","AmazonS3",["x"]],"region":"us-east-1,eu-west-1","version":20261115000000}`), &m); err != nil {
		t.Fatal(err)
	}
	got := Read(m)
	want := Received{Payload: Payload{Version: "20261115000000"}, OfferCodes: []string{"AmazonEC2", "AmazonS3"}, Region: "us-east-1,eu-west-1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Read = %+v, want %+v", got, want)
	}
	if got := Read(nil); !reflect.DeepEqual(got, Received{}) {
		t.Errorf("Read(nil) = %+v", got)
	}
}
