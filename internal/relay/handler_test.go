package relay

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pricechecker/pricechecker/internal/githubapi/githubfake"
	"github.com/pricechecker/pricechecker/internal/testkit"
)

// syncBuffer is a log sink safe for concurrent handlers.
type syncBuffer = testkit.SyncBuffer

// logLines decodes the JSON log lines, failing on anything that is not JSON.
func logLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		out = append(out, m)
	}
	return out
}

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

type testHandler struct {
	h    *Handler
	fake *githubfake.GitHub
	logs *syncBuffer
	s    *sleeps
}

func newTestHandler(t *testing.T, extra map[string]string) *testHandler {
	t.Helper()
	fake := githubfake.New(t, testRepo, testToken)
	vars := map[string]string{"GITHUB_REPOSITORY": testRepo, "GITHUB_API_URL": fake.URL(), "PRICECHECKER_DISPATCH_TOKEN": testToken}
	for k, v := range extra {
		vars[k] = v
	}
	cfg, err := LoadConfig(env(vars))
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	s := &sleeps{}
	h, err := New(cfg, Deps{Log: slog.New(slog.NewJSONHandler(logs, nil)), HTTP: &http.Client{Timeout: 5 * time.Second}, Sleep: s.Sleep})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if strings.Contains(logs.String(), testToken) {
			t.Errorf("the token was logged:\n%s", logs.String())
		}
		if errs := fake.Errors(); len(errs) > 0 {
			t.Errorf("the fake GitHub refused requests: %v", errs)
		}
	})
	return &testHandler{h: h, fake: fake, logs: logs, s: s}
}

func TestHandleSNSRealSamples(t *testing.T) {
	th := newTestHandler(t, nil)
	ctx := context.Background()
	for _, f := range []string{"lambda-price-list-api.json", "lambda-daily-aggregated.json", "madeup-daily-multi.json", "madeup-savings-plans-json.json"} {
		if err := th.h.HandleSNS(ctx, loadEvent(t, f)); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	type got struct{ event, offer, version, kind string }
	var gots []got
	for _, d := range th.fake.Dispatches() {
		gots = append(gots, got{d.EventType, d.Payload["offerCode"].(string), d.Payload["version"].(string), d.Payload["kind"].(string)})
		if len(d.Payload) > 10 {
			t.Errorf("payload has %d properties", len(d.Payload))
		}
	}
	want := []got{
		{"aws-price-list-update", "AWSConfig", "20171205010842", "price-list"},
		{"aws-price-list-update", "AWSConfig", "", "daily"},
		{"aws-price-list-update", "AmazonEC2", "", "daily"},
		{"aws-price-list-update", "AWSLambda", "", "daily"},
		{"aws-price-list-update", "AmazonS3", "", "daily"},
		{"aws-savings-plans-update", "AWSComputeSavingsPlan", "20250601000000", "savings-plans"},
	}
	if len(gots) != len(want) {
		t.Fatalf("dispatches:\n got %v\nwant %v", gots, want)
	}
	for i := range want {
		if gots[i] != want[i] {
			t.Errorf("dispatch %d = %v, want %v", i, gots[i], want[i])
		}
	}
	first := th.fake.Dispatches()[0].Payload
	wantFirst := map[string]any{
		"kind": "price-list", "offerCode": "AWSConfig", "version": "20171205010842", "timestamp": "2017-12-05T01:08:44Z",
		"topic": TopicPriceList, "messageId": "3db593a2-5be7-5db0-8e5c-c13dac8cb9c0",
		"regionIndexUrl":  "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AWSConfig/current/region_index.json",
		"versionIndexUrl": "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AWSConfig/index.json",
	}
	for k, v := range wantFirst {
		if first[k] != v {
			t.Errorf("payload[%s] = %v, want %v", k, first[k], v)
		}
	}
	if len(first) != len(wantFirst) {
		t.Errorf("payload keys = %v", first)
	}
}

func TestHandleSNSDropsWhatItCannotUse(t *testing.T) {
	th := newTestHandler(t, nil)
	ctx := context.Background()
	if err := th.h.HandleSNS(ctx, loadEvent(t, "madeup-garbage.json")); err != nil {
		t.Fatalf("unparseable message must be dropped, not retried: %v", err)
	}
	foreign := loadEvent(t, "lambda-price-list-api.json")
	foreign.Records[0].SNS.TopicArn = "arn:aws:sns:us-east-1:999999999999:price-list-api"
	foreign.Records[0].SNS.MessageID = "foreign-1"
	if err := th.h.HandleSNS(ctx, foreign); err != nil {
		t.Fatal(err)
	}
	if n := th.fake.Requests(); n != 0 {
		t.Errorf("GitHub requests = %d, want 0", n)
	}
	var dropped []string
	for _, l := range logLines(t, th.logs.String()) {
		if strings.HasPrefix(l["msg"].(string), "dropped") {
			dropped = append(dropped, l["messageId"].(string))
		}
	}
	if strings.Join(dropped, ",") != "44444444-4444-5444-8444-444444444444,foreign-1" {
		t.Errorf("dropped messages logged = %v\n%s", dropped, th.logs.String())
	}
}

func TestHandleSNSDeduplicates(t *testing.T) {
	th := newTestHandler(t, nil)
	ctx := context.Background()
	ev := loadEvent(t, "lambda-price-list-api.json")
	for range 2 {
		if err := th.h.HandleSNS(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	// Same offer and version under another MessageId (AWS announced twice).
	ev.Records[0].SNS.MessageID = "another-id"
	if err := th.h.HandleSNS(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if n := len(th.fake.Dispatches()); n != 1 {
		t.Errorf("dispatches = %d, want 1", n)
	}
	// A new version is news.
	ev.Records[0].SNS.MessageID = "third-id"
	ev.Records[0].SNS.Message = strings.Replace(ev.Records[0].SNS.Message, "20171205010842", "20171206000000", 1)
	if err := th.h.HandleSNS(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if n := len(th.fake.Dispatches()); n != 2 {
		t.Errorf("dispatches = %d, want 2", n)
	}
}

// When one service of a daily digest fails, the invocation fails; Lambda's
// retry then dispatches only what is missing.
func TestHandleSNSPartialFailureRetriesOnlyTheRest(t *testing.T) {
	th := newTestHandler(t, nil)
	ev := loadEvent(t, "madeup-daily-multi.json")
	// The first dispatch succeeds, the second fails, the third is still tried.
	calls := 0
	orig := th.h.gh
	th.h.gh = dispatchFunc(func(ctx context.Context, et string, p any) error {
		calls++
		if calls == 2 {
			return &APIError{Status: 502, Retryable: true}
		}
		return orig.Dispatch(ctx, et, p)
	})
	err := th.h.HandleSNS(context.Background(), ev)
	if err == nil || !strings.Contains(err.Error(), "dispatch aws-price-list-update for AWSLambda (message 11111111-1111-5111-8111-111111111111)") {
		t.Fatalf("err = %v", err)
	}
	if n := len(th.fake.Dispatches()); n != 2 {
		t.Fatalf("dispatches = %d, want 2", n)
	}
	th.h.gh = orig
	if err := th.h.HandleSNS(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	d := th.fake.Dispatches()
	if len(d) != 3 || d[2].Payload["offerCode"] != "AWSLambda" {
		t.Errorf("after retry: %d dispatches, last %v; want only AWSLambda re-sent", len(d), d[len(d)-1].Payload)
	}
}

type dispatchFunc func(ctx context.Context, eventType string, payload any) error

func (f dispatchFunc) Dispatch(ctx context.Context, eventType string, payload any) error {
	return f(ctx, eventType, payload)
}

func TestHandleSNSAllowList(t *testing.T) {
	th := newTestHandler(t, map[string]string{
		"RELAY_ALLOWED_OFFERS": "AmazonS3, ComputeSavingsPlans",
		"RELAY_EVENT_TYPE":     "prices",
	})
	ctx := context.Background()
	for _, f := range []string{"madeup-daily-multi.json", "madeup-savings-plans-json.json", "madeup-savings-plans-text.json", "lambda-price-list-api.json"} {
		if err := th.h.HandleSNS(ctx, loadEvent(t, f)); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, d := range th.fake.Dispatches() {
		got = append(got, d.EventType+":"+d.Payload["offerCode"].(string))
	}
	if strings.Join(got, " ") != "prices:AmazonS3 prices:AWSComputeSavingsPlan" {
		t.Errorf("dispatched %v", got)
	}
}

func TestHandleSNSFailsWithTheFix(t *testing.T) {
	th := newTestHandler(t, map[string]string{"GITHUB_REPOSITORY": "octo-org/missing"})
	err := th.h.HandleSNS(context.Background(), loadEvent(t, "lambda-price-list-api.json"))
	if err == nil || !strings.Contains(err.Error(), "check GITHUB_REPOSITORY") {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(th.logs.String(), `"level":"ERROR","msg":"dispatch failed"`) {
		t.Errorf("no error log:\n%s", th.logs.String())
	}
	// The failed message is not remembered: Lambda's retry must try again.
	_ = th.h.HandleSNS(context.Background(), loadEvent(t, "lambda-price-list-api.json"))
	if th.fake.Requests() != 2 {
		t.Errorf("requests = %d, want 2", th.fake.Requests())
	}
}

func TestLoadConfig(t *testing.T) {
	base := map[string]string{"GITHUB_REPOSITORY": "o/r", "PRICECHECKER_DISPATCH_TOKEN": "t"}
	c, err := LoadConfig(env(base))
	if err != nil {
		t.Fatal(err)
	}
	if c.APIURL != "https://api.github.com" || c.EventTypePriceList != DefaultEventTypePriceList || c.EventTypeSavingsPlans != DefaultEventTypeSavingsPlans ||
		c.Mode != "sns" || c.Credential != CredentialToken || len(c.AllowedTopics) != 3 || c.MaxAttempts != 4 || c.DedupTTL != 24*time.Hour {
		t.Errorf("defaults: %+v", c)
	}
	tests := []struct {
		name string
		vars map[string]string
		want string
	}{
		{"no repository", map[string]string{"PRICECHECKER_DISPATCH_TOKEN": "t"}, "GITHUB_REPOSITORY=\"\": set it to owner/repo"},
		{"no credential", map[string]string{"GITHUB_REPOSITORY": "o/r"}, "no GitHub credential"},
		{"two credentials", map[string]string{"GITHUB_REPOSITORY": "o/r", "PRICECHECKER_DISPATCH_TOKEN": "t", "PRICECHECKER_DISPATCH_TOKEN_PARAMETER": "/p"}, "several GitHub credentials are set (PRICECHECKER_DISPATCH_TOKEN, PRICECHECKER_DISPATCH_TOKEN_PARAMETER)"},
		{"app without key", map[string]string{"GITHUB_REPOSITORY": "o/r", "GITHUB_APP_ID": "1"}, "GITHUB_APP_PRIVATE_KEY"},
		{"bad mode", map[string]string{"GITHUB_REPOSITORY": "o/r", "PRICECHECKER_DISPATCH_TOKEN": "t", "RELAY_MODE": "sqs"}, "RELAY_MODE"},
		{"bad offer", map[string]string{"GITHUB_REPOSITORY": "o/r", "PRICECHECKER_DISPATCH_TOKEN": "t", "RELAY_ALLOWED_OFFERS": "Amazon EC2;x"}, "RELAY_ALLOWED_OFFERS"},
		{"bad api url", map[string]string{"GITHUB_REPOSITORY": "o/r", "PRICECHECKER_DISPATCH_TOKEN": "t", "GITHUB_API_URL": "api.github.com"}, "GITHUB_API_URL"},
		{"bad ttl", map[string]string{"GITHUB_REPOSITORY": "o/r", "PRICECHECKER_DISPATCH_TOKEN": "t", "RELAY_DEDUP_TTL": "1 day"}, "RELAY_DEDUP_TTL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig(env(tt.vars))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "\"t\"") {
				t.Errorf("error echoes the token: %v", err)
			}
		})
	}
}

// A message that cannot be used must never fail the invocation: a huge
// Savings Plans URL (or any over-long field) is dropped from the payload,
// and the dispatch goes out.
func TestHandleSNSBoundsThePayload(t *testing.T) {
	th := newTestHandler(t, nil)
	ev := loadEvent(t, "madeup-savings-plans-json.json")
	long := "https://pricing.us-east-1.amazonaws.com/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/20250601000000/" + strings.Repeat("x", 70*1024) + "/region_index.json"
	ev.Records[0].SNS.Message = `{"savingsPlanCode":"ComputeSavingsPlans","regionIndex":"` + long + `"}`
	if err := th.h.HandleSNS(context.Background(), ev); err != nil {
		t.Fatalf("invocation failed: %v (Lambda would retry, then dead-letter it)", err)
	}
	ev.Records[0].SNS.MessageID = strings.Repeat("m", 70*1024)
	ev.Records[0].SNS.Message = `{"savingsPlanCode":"AWSDatabaseSavingsPlans"}`
	if err := th.h.HandleSNS(context.Background(), ev); err != nil {
		t.Fatalf("invocation failed: %v", err)
	}
	d := th.fake.Dispatches()
	if len(d) != 2 {
		t.Fatalf("dispatches = %d, want 2", len(d))
	}
	if d[0].Payload["offerCode"] != "AWSComputeSavingsPlan" || d[0].Payload["regionIndexUrl"] != "" || d[0].Payload["version"] != "20250601000000" {
		t.Errorf("first payload = %v", d[0].Payload)
	}
	if d[1].Payload["offerCode"] != "AWSDatabaseSavingsPlans" || d[1].Payload["messageId"] != "" {
		t.Errorf("second payload = %v", d[1].Payload)
	}
	if strings.Contains(th.logs.String(), strings.Repeat("x", 1000)) || strings.Contains(th.logs.String(), strings.Repeat("m", 1000)) {
		t.Error("the logs carry the over-long fields")
	}
}

func TestFitPayload(t *testing.T) {
	huge := strings.Repeat("h", 70*1024)
	p := Payload{Kind: KindSavingsPlans, OfferCode: "AWSComputeSavingsPlan", Version: huge, Timestamp: huge, Topic: huge, MessageID: huge, RegionIndexURL: huge, VersionIndexURL: huge}
	got, err := fitPayload("aws-savings-plans-update", p)
	if err != nil {
		t.Fatal(err)
	}
	want := Payload{Kind: KindSavingsPlans, OfferCode: "AWSComputeSavingsPlan"}
	if got != want {
		t.Errorf("fitPayload = %+v, want %+v", got, want)
	}
	// Every field at its bound, each byte escaped by JSON (< is \u003c),
	// still leaves the payload under 10 KB, far below 64 KB.
	esc := func(n int) string { return strings.Repeat("<", n) }
	full := Payload{Kind: Kind(esc(maxKindLen)), OfferCode: esc(maxOfferCodeLen), Version: esc(maxVersionLen), Timestamp: esc(maxTimestampLen),
		Topic: esc(maxTopicLen), MessageID: esc(maxMessageIDLen), RegionIndexURL: esc(maxURLLen), VersionIndexURL: esc(maxURLLen)}
	if got, err := fitPayload("aws-savings-plans-update", full); err != nil || got != full {
		t.Errorf("fitPayload changed a payload within its bounds: %+v, %v", got, err)
	}
	body, err := ValidatePayload("e", full)
	if err != nil || len(body) > 10*1024 {
		t.Errorf("payload at the bounds is %d bytes, err %v", len(body), err)
	}
}

// RELAY_EXTRA_TOPICS adds to the three AWS topics, and must hold topic ARNs.
func TestExtraTopics(t *testing.T) {
	mine := "arn:aws:sns:us-east-1:123456789012:my-test"
	th := newTestHandler(t, map[string]string{"RELAY_EXTRA_TOPICS": mine + ", " + TopicDaily})
	if got := th.h.cfg.AllowedTopics; strings.Join(got, ",") != strings.Join(append(append([]string(nil), DefaultTopics...), mine), ",") {
		t.Errorf("allowed topics = %v", got)
	}
	ctx := context.Background()
	ev := loadEvent(t, "lambda-price-list-api.json")
	if err := th.h.HandleSNS(ctx, ev); err != nil {
		t.Fatal(err)
	}
	ev.Records[0].SNS.TopicArn, ev.Records[0].SNS.MessageID = mine, "mine-1"
	ev.Records[0].SNS.Message = strings.Replace(ev.Records[0].SNS.Message, "20171205010842", "20171206000000", 1)
	if err := th.h.HandleSNS(ctx, ev); err != nil {
		t.Fatal(err)
	}
	d := th.fake.Dispatches()
	if len(d) != 2 || d[0].Payload["topic"] != TopicPriceList || d[1].Payload["topic"] != mine {
		t.Errorf("dispatches = %+v", d)
	}

	for _, tt := range []struct{ name, key, val, want string }{
		{"not an ARN", "RELAY_EXTRA_TOPICS", "not-an-arn", `RELAY_EXTRA_TOPICS: "not-an-arn" is not an SNS topic ARN`},
		{"not SNS", "RELAY_EXTRA_TOPICS", "arn:aws:sqs:us-east-1:123456789012:q", "RELAY_EXTRA_TOPICS"},
		{"bad account", "RELAY_EXTRA_TOPICS", "arn:aws:sns:us-east-1:1234:t", "RELAY_EXTRA_TOPICS"},
		{"old variable", "RELAY_ALLOWED_TOPICS", mine, "RELAY_ALLOWED_TOPICS is no longer read"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig(env(map[string]string{"GITHUB_REPOSITORY": "o/r", "PRICECHECKER_DISPATCH_TOKEN": "t", tt.key: tt.val}))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
	for _, ok := range []string{"arn:aws-cn:sns:cn-north-1:123456789012:t", "arn:aws-us-gov:sns:us-gov-west-1:123456789012:a_b-c", "arn:aws:sns:us-east-1:123456789012:t.fifo"} {
		if _, err := LoadConfig(env(map[string]string{"GITHUB_REPOSITORY": "o/r", "PRICECHECKER_DISPATCH_TOKEN": "t", "RELAY_EXTRA_TOPICS": ok})); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}

// The retry warnings name the message and the offer.
func TestRetryWarningNamesTheMessage(t *testing.T) {
	th := newTestHandler(t, nil)
	th.fake.Script(githubfake.Response{Status: 503, Message: "Service Unavailable"})
	if err := th.h.HandleSNS(context.Background(), loadEvent(t, "lambda-price-list-api.json")); err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, l := range logLines(t, th.logs.String()) {
		if l["msg"] == "dispatch failed; retrying" {
			found = true
			if l["messageId"] != "3db593a2-5be7-5db0-8e5c-c13dac8cb9c0" || l["offerCode"] != "AWSConfig" || l["status"] != float64(503) {
				t.Errorf("retry warning = %v", l)
			}
		}
	}
	if !found {
		t.Errorf("no retry warning:\n%s", th.logs.String())
	}
}

// Whatever Lambda is invoked with, an event that is not an SNS event is
// logged and dropped: failing would only make Lambda retry it, then
// dead-letter it.
func TestHandleEventMalformed(t *testing.T) {
	valid := loadEvent(t, "lambda-price-list-api.json").Records[0]
	rec := func(edit func(m map[string]any)) string {
		b, _ := json.Marshal(valid)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		edit(m["Sns"].(map[string]any))
		b, _ = json.Marshal(m)
		return string(b)
	}
	tests := []struct {
		name, event string
		dispatches  int
		wantLog     string
	}{
		{"string", `"hello"`, 0, "dropped: event is not an SNS event"},
		{"array", `[]`, 0, "dropped: event is not an SNS event"},
		{"null", `null`, 0, "dropped: event is not an SNS event"},
		{"empty object", `{}`, 0, "dropped: event is not an SNS event"},
		{"Records not an array", `{"Records":"x"}`, 0, "dropped: event is not an SNS event"},
		{"record without Sns", `{"Records":[{"eventSource":"aws:sqs","body":"x"}]}`, 0, "dropped: record is not an SNS notification"},
		{"Message not a string", `{"Records":[` + rec(func(m map[string]any) { m["Message"] = 42; m["MessageId"] = "bad-message" }) + `]}`, 0, "dropped: record is not an SNS notification"},
		{"bad Timestamp is kept as unknown", `{"Records":[` + rec(func(m map[string]any) { m["Timestamp"] = "not-a-time" }) + `]}`, 1, "SNS Timestamp unreadable; treating the time as unknown"},
		{"one bad record among good ones", `{"Records":["x",` + rec(func(m map[string]any) { m["MessageId"] = "good-2" }) + `]}`, 1, "dropped: record is not an SNS notification"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			th := newTestHandler(t, nil)
			if err := th.h.HandleEvent(context.Background(), json.RawMessage(tt.event)); err != nil {
				t.Fatalf("invocation failed: %v", err)
			}
			if n := len(th.fake.Dispatches()); n != tt.dispatches {
				t.Errorf("dispatches = %d, want %d", n, tt.dispatches)
			}
			var found bool
			for _, l := range logLines(t, th.logs.String()) {
				found = found || l["msg"] == tt.wantLog
			}
			if !found {
				t.Errorf("no %q log:\n%s", tt.wantLog, th.logs.String())
			}
		})
	}
	// A bad Timestamp and a message without one: the time is unknown.
	th := newTestHandler(t, nil)
	_ = th.h.HandleEvent(context.Background(), json.RawMessage(`{"Records":[`+rec(func(m map[string]any) {
		m["Timestamp"] = "not-a-time"
		m["Message"] = `{"offerCode":"AmazonEC2"}`
	})+`]}`))
	if d := th.fake.Dispatches(); len(d) != 1 || d[0].Payload["timestamp"] != "" || d[0].Payload["offerCode"] != "AmazonEC2" {
		t.Errorf("dispatches = %+v, want one with an empty timestamp", d)
	}
}
