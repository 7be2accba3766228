package relay

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pricechecker/pricechecker/internal/githubapi/githubfake"

	"github.com/aws/aws-lambda-go/events"
)

// fakeSNS serves a signing certificate and the SubscribeURL over TLS on
// 127.0.0.1, and signs messages the way SNS does.
type fakeSNS struct {
	srv       *httptest.Server
	key       *rsa.PrivateKey
	confirmed atomic.Int32
	certGets  atomic.Int32
}

func newFakeSNS(t *testing.T) *fakeSNS {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sns.amazonaws.com"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	f := &fakeSNS{key: key}
	f.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/SimpleNotificationService-test.pem":
			f.certGets.Add(1)
			w.Write(certPEM)
		case r.URL.Query().Get("Action") == "ConfirmSubscription" && r.URL.Query().Get("Token") == "tok-123":
			f.confirmed.Add(1)
			w.Write([]byte(`<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>arn</SubscriptionArn></ConfirmSubscriptionResult></ConfirmSubscriptionResponse>`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSNS) certURL() string { return f.srv.URL + "/SimpleNotificationService-test.pem" }

// sign computes the signature independently of the code under test, from
// the field lists in the SNS documentation.
func (f *fakeSNS) sign(t *testing.T, m map[string]string, version string) {
	var fields []string
	if m["Type"] == "Notification" {
		fields = []string{"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"}
	} else {
		fields = []string{"Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"}
	}
	var s string
	for _, k := range fields {
		if v, ok := m[k]; ok {
			s += k + "\n" + v + "\n"
		}
	}
	var sig []byte
	var err error
	if version == "1" {
		h := sha1.Sum([]byte(s))
		sig, err = rsa.SignPKCS1v15(rand.Reader, f.key, crypto.SHA1, h[:])
	} else {
		h := sha256.Sum256([]byte(s))
		sig, err = rsa.SignPKCS1v15(rand.Reader, f.key, crypto.SHA256, h[:])
	}
	if err != nil {
		t.Fatal(err)
	}
	m["SignatureVersion"] = version
	m["Signature"] = base64.StdEncoding.EncodeToString(sig)
	if _, ok := m["SigningCertURL"]; !ok {
		m["SigningCertURL"] = f.certURL()
	}
}

func newHTTPHandler(t *testing.T, sns *fakeSNS, hostOK func(string) bool) (*Handler, *githubfake.GitHub) {
	fake := githubfake.New(t, testRepo, testToken)
	cfg, err := LoadConfig(env(map[string]string{"GITHUB_REPOSITORY": testRepo, "GITHUB_API_URL": fake.URL(), "PRICECHECKER_DISPATCH_TOKEN": testToken, "RELAY_MODE": "http"}))
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(cfg, Deps{HTTP: &http.Client{Timeout: 5 * time.Second}, SNSHTTP: sns.srv.Client(), SNSHostOK: hostOK, Log: slog.New(slog.NewJSONHandler(&syncBuffer{}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return h, fake
}

func localhostOK(host string) bool { return host == "127.0.0.1" }

func notificationBody(t *testing.T, sns *fakeSNS, version string) map[string]string {
	ev := loadEvent(t, "lambda-price-list-api.json").Records[0].SNS
	m := map[string]string{"Type": "Notification", "MessageId": ev.MessageID, "TopicArn": ev.TopicArn, "Subject": ev.Subject,
		"Message": ev.Message, "Timestamp": snsTime(time.Now()), "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe"}
	sns.sign(t, m, version)
	return m
}

// snsTime formats t as SNS writes Timestamp.
func snsTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func post(t *testing.T, h http.Handler, m map[string]string) *httptest.ResponseRecorder {
	b, _ := json.Marshal(m)
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(b)))
	r.Header.Set("X-Amz-Sns-Message-Type", m["Type"])
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestHTTPModeNotification(t *testing.T) {
	for _, version := range []string{"1", "2"} {
		t.Run("SignatureVersion "+version, func(t *testing.T) {
			sns := newFakeSNS(t)
			h, gh := newHTTPHandler(t, sns, localhostOK)
			if w := post(t, h, notificationBody(t, sns, version)); w.Code != 200 {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			d := gh.Dispatches()
			if len(d) != 1 || d[0].Payload["offerCode"] != "AWSConfig" {
				t.Fatalf("dispatches = %+v", d)
			}
		})
	}
}

func TestHTTPModeRejects(t *testing.T) {
	sns := newFakeSNS(t)
	tests := []struct {
		name   string
		hostOK func(string) bool
		edit   func(m map[string]string)
		status int
	}{
		{"tampered message", localhostOK, func(m map[string]string) { m["Message"] = strings.Replace(m["Message"], "AWSConfig", "AmazonEC2", 1) }, 403},
		{"subject removed", localhostOK, func(m map[string]string) { delete(m, "Subject") }, 403},
		{"unknown signature version", localhostOK, func(m map[string]string) { m["SignatureVersion"] = "3" }, 403},
		{"cert host not SNS (default check)", nil, func(map[string]string) {}, 403},
		{"cert URL not https", localhostOK, func(m map[string]string) {
			m["SigningCertURL"] = strings.Replace(m["SigningCertURL"], "https:", "http:", 1)
		}, 403},
		{"cert URL not .pem", localhostOK, func(m map[string]string) { m["SigningCertURL"] = sns.srv.URL + "/cert.txt" }, 403},
		{"foreign topic", localhostOK, func(m map[string]string) { m["TopicArn"] = "arn:aws:sns:us-east-1:999999999999:price-list-api" }, 403},
		{"header mismatch", localhostOK, func(m map[string]string) { m["Type"] = "SubscriptionConfirmation" }, 400},
		{"cert URL with userinfo", localhostOK, func(m map[string]string) {
			m["SigningCertURL"] = strings.Replace(m["SigningCertURL"], "https://", "https://user@", 1)
		}, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, gh := newHTTPHandler(t, sns, tt.hostOK)
			m := notificationBody(t, sns, "2")
			typ := m["Type"]
			tt.edit(m)
			b, _ := json.Marshal(m)
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(b)))
			r.Header.Set("X-Amz-Sns-Message-Type", typ)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.status {
				t.Errorf("status = %d (%s), want %d", w.Code, strings.TrimSpace(w.Body.String()), tt.status)
			}
			if gh.Requests() != 0 {
				t.Errorf("GitHub was called")
			}
		})
	}
	if n := sns.certGets.Load(); n == 0 {
		t.Error("certificate never fetched")
	}
}

func TestHTTPModeSubscriptionConfirmation(t *testing.T) {
	sns := newFakeSNS(t)
	sub := func(topic string) map[string]string {
		m := map[string]string{"Type": "SubscriptionConfirmation", "MessageId": "sub-1", "Token": "tok-123", "TopicArn": topic,
			"Message": "You have chosen to subscribe to the topic " + topic, "Timestamp": snsTime(time.Now()),
			"SubscribeURL": sns.srv.URL + "/?Action=ConfirmSubscription&TopicArn=" + topic + "&Token=tok-123"}
		sns.sign(t, m, "1")
		return m
	}
	h, _ := newHTTPHandler(t, sns, localhostOK)
	if w := post(t, h, sub(TopicDaily)); w.Code != 200 || sns.confirmed.Load() != 1 {
		t.Fatalf("status %d (%s), confirmations %d", w.Code, w.Body, sns.confirmed.Load())
	}
	if w := post(t, h, sub("arn:aws:sns:us-east-1:999999999999:attacker")); w.Code != 403 || sns.confirmed.Load() != 1 {
		t.Errorf("foreign topic: status %d, confirmations %d; want 403 and no confirmation", w.Code, sns.confirmed.Load())
	}
	// A SubscribeURL outside SNS is never fetched, even when signed.
	m := sub(TopicDaily)
	m["SubscribeURL"] = "https://example.com/?Action=ConfirmSubscription"
	sns.sign(t, m, "1")
	if w := post(t, h, m); w.Code != 502 || sns.confirmed.Load() != 1 {
		t.Errorf("foreign SubscribeURL: status %d", w.Code)
	}
}

func TestHandleFunctionURL(t *testing.T) {
	sns := newFakeSNS(t)
	h, gh := newHTTPHandler(t, sns, localhostOK)
	b, _ := json.Marshal(notificationBody(t, sns, "2"))
	resp, err := h.HandleFunctionURL(context.Background(), events.LambdaFunctionURLRequest{
		Headers: map[string]string{"x-amz-sns-message-type": "Notification"}, Body: base64.StdEncoding.EncodeToString(b), IsBase64Encoded: true,
	})
	if err != nil || resp.StatusCode != 200 || len(gh.Dispatches()) != 1 {
		t.Fatalf("resp %+v, err %v, dispatches %d", resp, err, len(gh.Dispatches()))
	}
	resp, _ = h.HandleFunctionURL(context.Background(), events.LambdaFunctionURLRequest{Body: "not json"})
	if resp.StatusCode != 400 {
		t.Errorf("garbage: %d", resp.StatusCode)
	}
}

func TestSNSHostPattern(t *testing.T) {
	for host, ok := range map[string]bool{
		"sns.us-east-1.amazonaws.com": true, "sns.cn-north-1.amazonaws.com.cn": true,
		"sns.us-east-1.amazonaws.com.evil.com": false, "evilsns.us-east-1.amazonaws.com": false, "sns.x.amazonaws.com": false,
		"sns.us-gov-west-1.amazonaws.com": true, "sns.ap-southeast-3.amazonaws.com": true, "sns.il-central-1.amazonaws.com": true,
		// Other AWS hosts under sns.: S3 website endpoints, extra labels.
		"sns.s3-us-east-1.amazonaws.com": false, "sns.s3.us-east-1.amazonaws.com": false, "sns.s3-website-us-east-1.amazonaws.com": false,
		"sns.us-east-1.s3.amazonaws.com": false, "a.sns.us-east-1.amazonaws.com": false, "sns.us-east-1.amazonaws.com.cn": false,
		"SNS.US-EAST-1.AMAZONAWS.COM": false, "sns.us-east-1.amazonaws.com.": false, "sns..amazonaws.com": false,
	} {
		if snsHostRE.MatchString(host) != ok {
			t.Errorf("%s: got %v", host, !ok)
		}
	}
}

// SNS always sends x-amz-sns-message-type; a request without it is refused
// before anything else happens.
func TestHTTPModeRequiresTheTypeHeader(t *testing.T) {
	sns := newFakeSNS(t)
	h, gh := newHTTPHandler(t, sns, localhostOK)
	b, _ := json.Marshal(notificationBody(t, sns, "2"))
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(b)))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 400 {
		t.Errorf("ServeHTTP without the header: status %d (%s), want 400", w.Code, strings.TrimSpace(w.Body.String()))
	}
	resp, err := h.HandleFunctionURL(context.Background(), events.LambdaFunctionURLRequest{Body: string(b)})
	if err != nil || resp.StatusCode != 400 {
		t.Errorf("HandleFunctionURL without the header: %+v, %v; want 400", resp, err)
	}
	if gh.Requests() != 0 || sns.certGets.Load() != 0 {
		t.Errorf("GitHub requests %d, certificate fetches %d; want none", gh.Requests(), sns.certGets.Load())
	}
}

// In HTTP mode SNS waits only seconds for the answer: the whole handling,
// GitHub retries included, is bounded well under that, and a failure
// answers 5xx at once so that SNS's delivery policy retries.
func TestHTTPModeAnswersWithinTheBudget(t *testing.T) {
	sns := newFakeSNS(t)
	h, gh := newHTTPHandler(t, sns, localhostOK)

	// The dispatcher sees a deadline no later than the budget.
	var deadline time.Time
	var hasDeadline bool
	orig := h.gh
	h.gh = dispatchFunc(func(ctx context.Context, et string, p any) error {
		deadline, hasDeadline = ctx.Deadline()
		return orig.Dispatch(ctx, et, p)
	})
	body := notificationBody(t, sns, "2")
	if w := post(t, h, body); w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	if end := time.Now(); !hasDeadline || deadline.After(end.Add(httpBudget)) || httpBudget > 12*time.Second {
		t.Errorf("dispatch deadline %v after the answer (set %v); want at most %v, itself at most 12s", deadline.Sub(end), hasDeadline, httpBudget)
	}
	h.gh = orig

	// GitHub asks for a wait longer than the budget: 500 at once, no wait.
	gh.Script(githubfake.Response{Status: 503, Header: map[string]string{"Retry-After": "30"}})
	m := notificationBody(t, sns, "2")
	m["MessageId"] = "http-503"
	m["Message"] = strings.Replace(m["Message"], "20171205010842", "20171206000000", 1)
	sns.sign(t, m, "2")
	start := time.Now()
	if w := post(t, h, m); w.Code != 500 {
		t.Errorf("status %d, want 500", w.Code)
	}
	if time.Since(start) > 5*time.Second || gh.Requests() != 2 {
		t.Errorf("took %v with %d GitHub requests; want an immediate 500 after one more request", time.Since(start), gh.Requests())
	}

	// A GitHub that does not answer: 500 when the budget runs out.
	hang := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // so that a client hang-up cancels r.Context()
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(hang) }) // runs first
	cfg := h.cfg
	cfg.APIURL = slow.URL
	h2, err := New(cfg, Deps{HTTP: &http.Client{Timeout: time.Minute}, SNSHTTP: sns.srv.Client(), SNSHostOK: localhostOK, HTTPBudget: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	if w := post(t, h2, notificationBody(t, sns, "2")); w.Code != 500 {
		t.Errorf("status %d, want 500", w.Code)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("took %v; the budget was 300ms", took)
	}
}

// A signed message is accepted only within the freshness window on its
// Timestamp: SNS's longest delivery policy retries for an hour; an older
// one is a replay, one from the future was not signed when it claims.
func TestHTTPModeFreshnessWindow(t *testing.T) {
	sns := newFakeSNS(t)
	now := time.Now()
	tests := []struct {
		name   string
		sent   string
		status int
	}{
		{"just sent", snsTime(now), 200},
		{"an hour of SNS retries", snsTime(now.Add(-time.Hour)), 200},
		{"small clock skew", snsTime(now.Add(2 * time.Minute)), 200},
		{"older than the longest retry policy", snsTime(now.Add(-maxMessageAge - time.Minute)), 403},
		{"a day old replay", snsTime(now.Add(-24 * time.Hour)), 403},
		{"years old", "2017-12-05T01:23:55.452Z", 403},
		{"from the future", snsTime(now.Add(10 * time.Minute)), 403},
		{"unreadable", "yesterday", 403},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := &syncBuffer{}
			h, gh := newHTTPHandler(t, sns, localhostOK)
			h.log = slog.New(slog.NewJSONHandler(logs, nil))
			h.now = func() time.Time { return now }
			m := notificationBody(t, sns, "2")
			m["MessageId"] = fmt.Sprintf("fresh-%d", i)
			m["Timestamp"] = tt.sent
			sns.sign(t, m, "2")
			w := post(t, h, m)
			if w.Code != tt.status {
				t.Fatalf("status %d (%s), want %d", w.Code, strings.TrimSpace(w.Body.String()), tt.status)
			}
			if want := map[bool]int{true: 1, false: 0}[tt.status == 200]; len(gh.Dispatches()) != want {
				t.Errorf("dispatches %d, want %d", len(gh.Dispatches()), want)
			}
			if tt.status != 200 && !strings.Contains(logs.String(), "rejected HTTP request: Timestamp") {
				t.Errorf("rejection not logged:\n%s", logs.String())
			}
		})
	}
}
