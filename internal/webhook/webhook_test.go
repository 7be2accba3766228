package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pricechecker/pricechecker/internal/buildinfo"
	"github.com/pricechecker/pricechecker/internal/publish"
	"github.com/pricechecker/pricechecker/internal/report"
	"github.com/pricechecker/pricechecker/internal/webhook"
	"github.com/pricechecker/pricechecker/internal/webhook/webhookfake"
)

const secret = "whsec-pricechecker-test"

func outcome() publish.Outcome {
	pct := 12.5
	return publish.Outcome{
		Status: publish.StatusFailure,
		Jobs:   []publish.Job{{Name: "shard (AmazonEC2, us-east-1)", Result: "failure", URL: "https://github.com/acme/prices/actions/runs/1/job/2"}},
		Report: report.Report{Offers: []report.Offer{{OfferCode: "AmazonEC2", Region: "us-east-1", FromVersion: "1", ToVersion: "2",
			Changed: []report.Change{{RateCode: "R.1", OldPrice: "0.0100000000", NewPrice: "0.0112500000", ChangePct: &pct, Currency: "USD"}}}}},
		Links:         publish.Links{Repository: "https://github.com/acme/prices", Run: "https://github.com/acme/prices/actions/runs/1"},
		Unpublished:   []publish.Unpublished{{Destination: "Google Sheets", Reason: "sheets: forbidden"}},
		PublicationID: "0123456789abcdef01234567",
	}
}

// sleeps records the waits instead of waiting.
type sleeps []time.Duration

func (s *sleeps) sleep(_ context.Context, d time.Duration) error { *s = append(*s, d); return nil }

func publisher(fake *webhookfake.Server, secret string, slept *sleeps) (*webhook.Publisher, *bytes.Buffer) {
	var stderr bytes.Buffer
	return &webhook.Publisher{Config: webhook.Config{URL: fake.URL, Secret: secret, Sleep: slept.sleep}, Stdout: &stderr, Stderr: &stderr}, &stderr
}

// A delivery is the outcome and the report as JSON, signed over the exact
// body, with the publication id as delivery id; the receiver checks the
// signature with its own HMAC.
func TestDeliverySignedWithOutcomeAndReport(t *testing.T) {
	fake := webhookfake.New(secret)
	defer fake.Close()
	var slept sleeps
	p, stderr := publisher(fake, secret, &slept)
	if _, err := p.Publish(context.Background(), outcome()); err != nil {
		t.Fatal(err)
	}
	d := fake.Deliveries()
	if len(d) != 1 || d[0].ID != outcome().PublicationID || !webhook.Verify(secret, d[0].Body, d[0].Signature) {
		t.Fatalf("deliveries %+v", d)
	}
	// The User-Agent says which pricechecker delivered.
	if d[0].UserAgent != buildinfo.UserAgent() || !strings.HasPrefix(d[0].UserAgent, "pricechecker/") {
		t.Errorf("User-Agent %q, want %q", d[0].UserAgent, buildinfo.UserAgent())
	}
	var got struct {
		PublicationID string `json:"publication_id"`
		Status        string
		Jobs          []struct{ Name, Result, URL string }
		Links         map[string]string
		Unpublished   []struct{ Destination, Reason string }
		Report        report.Report
	}
	if err := json.Unmarshal(d[0].Body, &got); err != nil {
		t.Fatal(err)
	}
	if got.PublicationID != outcome().PublicationID || got.Status != "failure" || len(got.Jobs) != 1 || got.Jobs[0].URL == "" ||
		got.Links["run"] != outcome().Links.Run || len(got.Unpublished) != 1 || got.Unpublished[0].Destination != "Google Sheets" {
		t.Errorf("payload %s", d[0].Body)
	}
	// The report is the --report schema, prices as AWS published them.
	if len(got.Report.Offers) != 1 || got.Report.Offers[0].Changed[0].NewPrice != "0.0112500000" {
		t.Errorf("report %s", d[0].Body)
	}
	if !strings.Contains(stderr.String(), "webhook: delivered (publication "+outcome().PublicationID+")") {
		t.Errorf("stderr: %s", stderr)
	}
}

// A wrong secret is refused with 401 and not retried.
func TestWrongSecretIsRefused(t *testing.T) {
	fake := webhookfake.New(secret)
	defer fake.Close()
	var slept sleeps
	p, _ := publisher(fake, "not-the-secret", &slept)
	_, err := p.Publish(context.Background(), outcome())
	if err == nil || !strings.Contains(err.Error(), "HTTP 401") || fake.Requests() != 1 || len(fake.Deliveries()) != 0 {
		t.Fatalf("err %v, %d requests", err, fake.Requests())
	}
}

// 5xx and 429 are retried, waiting as Retry-After asks (seconds or a
// date) or with backoff; other 4xx are final; a wait longer than MaxWait
// or too many failures give up, and no error shows the URL.
func TestRetries(t *testing.T) {
	for _, tt := range []struct {
		name      string
		faults    []webhookfake.Fault
		wantErr   string
		requests  int
		delivered int
		check     func(t *testing.T, slept sleeps)
	}{
		{name: "503 twice", faults: []webhookfake.Fault{{Status: 503, Times: 2}}, requests: 3, delivered: 1,
			check: func(t *testing.T, s sleeps) {
				if len(s) != 2 || s[0] <= 0 || s[0] > time.Second || s[1] > 2*time.Second {
					t.Errorf("waits %v, want two jittered backoffs", s)
				}
			}},
		{name: "429 with Retry-After seconds", faults: []webhookfake.Fault{{Status: 429, RetryAfter: "7", Times: 1}}, requests: 2, delivered: 1,
			check: func(t *testing.T, s sleeps) {
				if len(s) != 1 || s[0] != 7*time.Second {
					t.Errorf("waits %v, want 7s", s)
				}
			}},
		{name: "429 with Retry-After date", faults: []webhookfake.Fault{{Status: 429, RetryAfter: time.Now().Add(20 * time.Second).UTC().Format(http.TimeFormat), Times: 1}}, requests: 2, delivered: 1,
			check: func(t *testing.T, s sleeps) {
				if len(s) != 1 || s[0] < 15*time.Second || s[0] > 21*time.Second {
					t.Errorf("waits %v, want about 20s", s)
				}
			}},
		{name: "400 is final", faults: []webhookfake.Fault{{Status: 400, Times: 1}}, requests: 1, wantErr: "HTTP 400 \"Bad Request\": the receiver refused the delivery"},
		{name: "404 is final", faults: []webhookfake.Fault{{Status: 404, Times: 1}}, requests: 1, wantErr: "HTTP 404"},
		{name: "Retry-After past MaxWait", faults: []webhookfake.Fault{{Status: 429, RetryAfter: "3600", Times: 1}}, requests: 1, wantErr: "longer than the 1m0s this job waits"},
		{name: "500 that does not lift", faults: []webhookfake.Fault{{Status: 500, Times: 100}}, requests: 4, wantErr: "gave up after 4 attempts"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fake := webhookfake.New(secret)
			defer fake.Close()
			for _, f := range tt.faults {
				fake.Fail(f)
			}
			var slept sleeps
			p, _ := publisher(fake, secret, &slept)
			_, err := p.Publish(context.Background(), outcome())
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("error %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			case err != nil && strings.Contains(err.Error(), "/hooks/pricechecker"):
				t.Errorf("the error shows the URL: %v", err)
			}
			if fake.Requests() != tt.requests || len(fake.Deliveries()) != tt.delivered {
				t.Errorf("%d requests, %d delivered; want %d, %d", fake.Requests(), len(fake.Deliveries()), tt.requests, tt.delivered)
			}
			if tt.check != nil {
				tt.check(t, slept)
			}
		})
	}
}

// A re-run sends the same delivery id, so the receiver keeps one.
func TestRerunSendsTheSameDeliveryID(t *testing.T) {
	fake := webhookfake.New("")
	defer fake.Close()
	var slept sleeps
	for range 2 {
		p, _ := publisher(fake, "", &slept)
		if _, err := p.Publish(context.Background(), outcome()); err != nil {
			t.Fatal(err)
		}
	}
	if len(fake.Deliveries()) != 1 || fake.Duplicates() != 1 {
		t.Errorf("%d deliveries, %d duplicates; want 1 and 1", len(fake.Deliveries()), fake.Duplicates())
	}
}

// The URL (whose path is often its key) and the secret never reach an
// error, even when the connection itself fails.
func TestSecretsStayOutOfErrors(t *testing.T) {
	url := "http://127.0.0.1:1/api/webhooks/123/tok-SECRET-PATH-abcdef?key=QUERYSECRET123"
	var slept sleeps
	p := &webhook.Publisher{Config: webhook.Config{URL: url, Secret: secret, Sleep: slept.sleep, MaxRetries: -1}, Stderr: new(bytes.Buffer)}
	_, err := p.Publish(context.Background(), outcome())
	if err == nil {
		t.Fatal("no error from a closed port")
	}
	for _, s := range []string{"tok-SECRET-PATH", "QUERYSECRET123", secret} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error shows %q: %v", s, err)
		}
	}
	secrets := strings.Join(p.Config.Secrets(), "\n")
	for _, s := range []string{url, "/api/webhooks/123/tok-SECRET-PATH-abcdef?key=QUERYSECRET123", "key=QUERYSECRET123", secret} {
		if !strings.Contains(secrets, s) {
			t.Errorf("Secrets() does not mask %q", s)
		}
	}
	_, err = (&webhook.Publisher{Config: webhook.Config{URL: "ftp://x/" + secret}, Stderr: new(bytes.Buffer)}).Publish(context.Background(), outcome())
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Errorf("a bad URL: %v", err)
	}
}

// Without a URL nothing is sent, and notify says so; a dry run prints the
// payload and sends nothing.
func TestNotConfiguredAndDryRun(t *testing.T) {
	var stderr bytes.Buffer
	if _, err := (&webhook.Publisher{Stderr: &stderr}).Publish(context.Background(), outcome()); err != nil || !strings.Contains(stderr.String(), "not delivering") {
		t.Errorf("err %v, stderr %s", err, stderr.String())
	}
	fake := webhookfake.New(secret)
	defer fake.Close()
	var stdout bytes.Buffer
	p := &webhook.Publisher{Config: webhook.Config{URL: fake.URL, Secret: secret}, DryRun: true, Stdout: &stdout, Stderr: &stderr}
	if _, err := p.Publish(context.Background(), outcome()); err != nil {
		t.Fatal(err)
	}
	if fake.Requests() != 0 || !strings.Contains(stdout.String(), `"publication_id": "0123456789abcdef01234567"`) {
		t.Errorf("%d requests; stdout %s", fake.Requests(), stdout.String())
	}
}
