package relay

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
)

// snsEvent wraps one SNS record as Lambda delivers it.
func snsEvent(topic, messageID, message string) string {
	rec, _ := json.Marshal(map[string]any{"EventSource": "aws:sns", "Sns": map[string]any{
		"Type": "Notification", "MessageId": messageID, "TopicArn": topic, "Message": message, "Timestamp": "2025-06-01T00:00:00.000Z",
	}})
	return `{"Records":[` + string(rec) + `]}`
}

// Garbage of every shape is logged and dropped, and the invocation
// succeeds: a failed invocation is retried twice by Lambda and then
// dead-lettered, for nothing. The events go through the Lambda runtime's
// handler exactly as main registers it (lambda.Start(h)), because the
// runtime's own decoding is where a depth bomb used to fail.
func TestInvokeDropsGarbage(t *testing.T) {
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	deepObj := strings.Repeat(`{"a":`, 20000) + "1" + strings.Repeat("}", 20000)
	tests := []struct{ name, event, wantLog string }{
		{"event nested too deeply", `{"Records":[` + deep(20000) + `]}`, "dropped: event is not an SNS event"},
		{"whole event nested too deeply", deepObj, "dropped: event is not an SNS event"},
		{"record nested too deeply", `{"Records":[{"Sns":` + deepObj + `}]}`, "dropped: event is not an SNS event"},
		{"not JSON", `hello`, "dropped: event is not an SNS event"},
		{"empty", ``, "dropped: event is not an SNS event"},
		{"invalid UTF-8", "\xff\xfe{\"Records\":[]}", "dropped: event is not an SNS event"},
		{"truncated", `{"Records":[{"Sns":{"Message":"abc`, "dropped: event is not an SNS event"},
		{"null record", `{"Records":[null]}`, "dropped: record is not an SNS notification"},
		{"Sns an array", `{"Records":[{"Sns":[]}]}`, "dropped: record is not an SNS notification"},
		{"MessageId an object", `{"Records":[{"Sns":{"MessageId":{},"Message":"x"}}]}`, "dropped: record is not an SNS notification"},
		{"TopicArn a number", `{"Records":[{"Sns":{"TopicArn":7}}]}`, "dropped: record is not an SNS notification"},
		{"Records an object", `{"Records":{}}`, "dropped: event is not an SNS event"},
		{"records of every type", `{"Records":[1,true,"x",1e999]}`, "dropped: record is not an SNS notification"},
		{"Message nested too deeply", snsEvent(TopicPriceList, "deep-msg", deepObj), "dropped: message not understood"},
		{"daily Message nested too deeply", snsEvent(TopicDaily, "deep-daily", deep(100000)), "dropped: message not understood"},
		{"huge Message", snsEvent(TopicPriceList, "huge-msg", `{"offerCode":"`+strings.Repeat("A", 1<<20)+`"}`), "dropped: message not understood"},
		{"huge Savings Plans Message", snsEvent(TopicSavingsPlans, "huge-sp", strings.Repeat("{[", 1<<19)), "dropped: message not understood"},
		{"invalid UTF-8 in Message", snsEvent(TopicPriceList, "bad-utf8", "{\"offerCode\":\"Amazon\xffEC2\"}"), "dropped: message not understood"},
		{"offerCode of the wrong type", snsEvent(TopicPriceList, "wrong-type", `{"offerCode":["AmazonEC2"]}`), "dropped: message not understood"},
		{"Message JSON null", snsEvent(TopicPriceList, "json-null", `null`), "dropped: message not understood"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			th := newTestHandler(t, nil)
			out, err := lambda.NewHandler(th.h).Invoke(context.Background(), []byte(tt.event))
			if err != nil {
				t.Fatalf("invocation failed (Lambda would retry, then dead-letter it): %v", err)
			}
			if string(out) != "null" {
				t.Errorf("answer %q, want null", out)
			}
			if n := th.fake.Requests(); n != 0 {
				t.Errorf("GitHub requests = %d, want 0", n)
			}
			var found bool
			for _, l := range logLines(t, th.logs.String()) {
				found = found || l["msg"] == tt.wantLog
			}
			if !found {
				t.Errorf("no %q log:\n%.2000s", tt.wantLog, th.logs.String())
			}
		})
	}
	// A good event still dispatches through the same entry point.
	th := newTestHandler(t, nil)
	good := snsEvent(TopicPriceList, "good-1", `{"offerCode":"AmazonEC2","version":"20250601000000"}`)
	if _, err := lambda.NewHandler(th.h).Invoke(context.Background(), []byte(good)); err != nil || len(th.fake.Dispatches()) != 1 {
		t.Errorf("good event: %v, %d dispatches", err, len(th.fake.Dispatches()))
	}
}

// Every value put into client_payload has the shape AWS uses; anything
// else from a message is left out (logged), and the dispatch still goes
// out with what is sound.
func TestPayloadHasAWSShapesOnly(t *testing.T) {
	const base = "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AWSConfig/current/"
	hostile := []string{
		base + "$(curl evil)/region_index.json",
		base + "$(curl${IFS}evil)/region_index.json",
		base + "`curl evil`/region_index.json",
		base + "${{ github.token }}/region_index.json",
		base + "${{github.token}}/region_index.json",
		base + `"/region_index.json`,
		base + "'/region_index.json",
		base + "x y/region_index.json",
		base + "../../../../evil/region_index.json",
		base + "region_index.json?x=$(id)",
		base + "region_index.json#frag",
		base + "a;b|c&d>e/region_index.json",
		"https://pricing.us-east-1.amazonaws.com.evil.com/offers/v1.0/aws/AWSConfig/current/region_index.json",
		"https://user@pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AWSConfig/current/region_index.json",
		"https://pricing.us-east-1.amazonaws.com:8443/offers/v1.0/aws/AWSConfig/current/region_index.json",
		"http://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AWSConfig/current/region_index.json",
		"https://pricing.us-east-1.amazonaws.com/elsewhere/region_index.json",
		"https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws//region_index.json",
	}
	th := newTestHandler(t, nil)
	for i, raw := range hostile {
		msg, _ := json.Marshal(map[string]string{"offerCode": "AWSConfig", "version": fmt.Sprintf("202506010000%02d", i), "regionIndex": raw})
		if err := th.h.HandleEvent(context.Background(), json.RawMessage(snsEvent(TopicPriceList, fmt.Sprintf("hostile-%d", i), string(msg)))); err != nil {
			t.Fatal(err)
		}
	}
	// The daily digest and a Savings Plans message carry URLs too.
	daily := "We have published a new version of the offer file for Service AmazonRDS.\n - Region Index Url: https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonRDS/current/$(curl${IFS}evil)/region_index.json\n"
	sp := `{"url":"https://pricing.us-east-1.amazonaws.com/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/20250601000000/${{github.token}}/region_index.json"}`
	for _, ev := range []string{snsEvent(TopicDaily, "hostile-daily", daily), snsEvent(TopicSavingsPlans, "hostile-sp", sp)} {
		if err := th.h.HandleEvent(context.Background(), json.RawMessage(ev)); err != nil {
			t.Fatal(err)
		}
	}
	d := th.fake.Dispatches()
	if len(d) != len(hostile)+2 {
		t.Fatalf("%d dispatches, want %d: the offer code alone is still worth one", len(d), len(hostile)+2)
	}
	for _, dp := range d {
		if dp.Payload["regionIndexUrl"] != "" {
			t.Errorf("%s: regionIndexUrl %q passed on", dp.Payload["messageId"], dp.Payload["regionIndexUrl"])
		}
		for k, v := range dp.Payload {
			if s, _ := v.(string); strings.ContainsAny(s, "$`{}'\" ;|&<>") || strings.Contains(s, "..") {
				t.Errorf("%s: %s = %q", dp.Payload["messageId"], k, s)
			}
		}
	}
	var logged int
	for _, l := range logLines(t, th.logs.String()) {
		if l["msg"] == "left out of the dispatch: not in the shape AWS uses" {
			logged++
		}
	}
	if logged != len(hostile)+2 {
		t.Errorf("%d dispatches logged what was left out, want %d:\n%s", logged, len(hostile)+2, th.logs.String())
	}
}

// checkShape is the last gate before GitHub, whatever Parse let through.
func TestCheckShape(t *testing.T) {
	good := Payload{Kind: KindPriceList, OfferCode: "AmazonEC2", Version: "20250601000000", Timestamp: "2025-06-01T00:00:00Z",
		Topic: TopicPriceList, MessageID: "3db593a2-5be7-5db0-8e5c-c13dac8cb9c0",
		RegionIndexURL:  "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/region_index.json",
		VersionIndexURL: "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/index.json"}
	if p, dropped, ok := checkShape(good); !ok || p != good || len(dropped) != 0 {
		t.Errorf("a sound payload changed: %+v %v %v", p, dropped, ok)
	}
	sp := Payload{Kind: KindSavingsPlans, Topic: TopicSavingsPlans}
	if p, _, ok := checkShape(sp); !ok || p != sp {
		t.Errorf("a Savings Plans payload without a plan is usable: %+v %v", p, ok)
	}
	tests := []struct {
		name   string
		edit   func(p *Payload)
		field  string
		usable bool
	}{
		{"version", func(p *Payload) { p.Version = "$(id)" }, "version", true},
		{"timestamp", func(p *Payload) { p.Timestamp = "`id`" }, "timestamp", true},
		{"topic", func(p *Payload) { p.Topic = "arn:aws:sns:us-east-1:1:${{ github.token }}" }, "topic", true},
		{"messageId", func(p *Payload) { p.MessageID = "${{ secrets.X }}" }, "messageId", true},
		{"regionIndexUrl", func(p *Payload) { p.RegionIndexURL += "?$(id)" }, "regionIndexUrl", true},
		{"versionIndexUrl", func(p *Payload) { p.VersionIndexURL = "https://example.com/index.json" }, "versionIndexUrl", true},
		{"offerCode", func(p *Payload) { p.OfferCode = "Amazon EC2" }, "offerCode", false},
		{"unknown Savings Plans code", func(p *Payload) { p.Kind = KindSavingsPlans; p.OfferCode = "AWSFreeMoneySavingsPlan" }, "offerCode", true},
		{"kind", func(p *Payload) { p.Kind = "x\"y" }, "kind", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := good
			tt.edit(&p)
			out, dropped, ok := checkShape(p)
			if ok != tt.usable || len(dropped) != 1 || !strings.HasPrefix(dropped[0], tt.field+"=") {
				t.Fatalf("checkShape = %+v, %v, %v; want %s dropped, usable %v", out, dropped, ok, tt.field, tt.usable)
			}
		})
	}
}
