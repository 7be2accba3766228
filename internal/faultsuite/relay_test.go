//go:build unix

package faultsuite

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/pricechecker/pricechecker/internal/githubapi/githubfake"
	"github.com/pricechecker/pricechecker/internal/testkit"
)

const (
	relayRepo  = "octo-org/prices"
	relayToken = "ghp_faultsuitetoken0123456789"
)

// findRIE finds aws-lambda-rie; the relay cases skip without it.
func findRIE(t *testing.T) string {
	t.Helper()
	if p := testkit.FindRIE(); p != "" {
		return p
	}
	t.Skip("aws-lambda-rie not found; install it as cmd/relay/main_test.go says")
	return ""
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// startRelay starts the relay under the emulator with a fake GitHub and a
// plain PRICECHECKER_DISPATCH_TOKEN (no AWS service is called).
func startRelay(t *testing.T, gh *githubfake.GitHub, extraEnv ...string) *testkit.Lambda {
	t.Helper()
	rie := findRIE(t)
	home := t.TempDir()
	env := append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"AWS_LAMBDA_FUNCTION_TIMEOUT=30",
		"AWS_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + filepath.Join(home, "none"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "none"),
		"GITHUB_REPOSITORY=" + relayRepo,
		"GITHUB_API_URL=" + gh.URL(),
		"PRICECHECKER_DISPATCH_TOKEN=" + relayToken,
		"RELAY_ALLOWED_OFFERS=AWSConfig,AmazonS3,AWSComputeSavingsPlan",
		"RELAY_MAX_ATTEMPTS=2",
	}, extraEnv...)
	return testkit.StartLambda(t, rie, relayBin, env)
}

// snsEvent is the repository's real price-list SNS sample, with its
// MessageId and version replaced when asked.
func snsEvent(t *testing.T, messageID, version string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(moduleRoot, "testdata", "sns", "lambda-price-list-api.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatal(err)
	}
	sns := ev["Records"].([]any)[0].(map[string]any)["Sns"].(map[string]any)
	if messageID != "" {
		sns["MessageId"] = messageID
	}
	if version != "" {
		sns["Message"] = strings.ReplaceAll(sns["Message"].(string), "20171205010842", version)
	}
	out, _ := json.Marshal(ev)
	return out
}

// SNS delivers at least once: a redelivery of a message already dispatched
// makes no second repository_dispatch, and a delivery whose dispatch
// failed is dispatched when Lambda retries it, once.
func TestRelayDuplicateDeliveries(t *testing.T) {
	t.Parallel()
	gh := githubfake.New(t, relayRepo, relayToken)
	l := startRelay(t, gh)

	dispatches := func(t *testing.T, want int) {
		t.Helper()
		if got := len(gh.Dispatches()); got != want {
			t.Errorf("%d repository_dispatch calls, want %d; fake GitHub errors: %v", got, want, gh.Errors())
		}
	}

	t.Run("the same MessageId twice dispatches once", func(t *testing.T) {
		event := snsEvent(t, "", "")
		for range 2 {
			if err := l.Invoke(t, event); err != nil {
				t.Fatalf("invocation failed: %v (SNS would redeliver)", err)
			}
		}
		dispatches(t, 1)
		if d := gh.Dispatches(); len(d) > 0 && (d[0].Payload["offerCode"] != "AWSConfig" || d[0].Payload["version"] != "20171205010842") {
			t.Errorf("dispatch payload %v", d[0].Payload)
		}
	})

	t.Run("the same version under a new MessageId dispatches no more", func(t *testing.T) {
		if err := l.Invoke(t, snsEvent(t, "faultsuite-republished", "")); err != nil {
			t.Fatal(err)
		}
		dispatches(t, 1)
	})

	t.Run("a failed dispatch is retried by the redelivery, once", func(t *testing.T) {
		event := snsEvent(t, "faultsuite-502", "20171206000000")
		gh.Script(githubfake.Response{Status: 502, Message: "Server Error"}, githubfake.Response{Status: 502, Message: "Server Error"})
		if err := l.Invoke(t, event); err == nil || !strings.Contains(err.Error(), "502") {
			t.Fatalf("invocation error %v, want the 502 (so that Lambda retries)", err)
		}
		dispatches(t, 1)
		for range 2 { // Lambda's retry, then one more SNS redelivery
			if err := l.Invoke(t, event); err != nil {
				t.Fatal(err)
			}
		}
		dispatches(t, 2)
	})

	if out := l.Out.String(); strings.Contains(out, relayToken) {
		t.Error("the token appears in the relay's logs")
	}
}

// Hostile SNS deliveries: an event nested deeper than any JSON decoder
// should follow is dropped as a success (SNS would redeliver a failure
// forever), and a message whose fields would be code in a workflow's
// shell is dispatched without them.
func TestRelayHostileEvents(t *testing.T) {
	t.Parallel()
	gh := githubfake.New(t, relayRepo, relayToken)
	l := startRelay(t, gh)

	t.Run("an event nested 20000 deep is dropped, not failed", func(t *testing.T) {
		event := `{"Records":[` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `]}`
		if err := l.Invoke(t, []byte(event)); err != nil {
			t.Fatalf("invocation failed: %v (SNS would redeliver it)", err)
		}
		if n := gh.Requests(); n != 0 {
			t.Errorf("%d GitHub requests for an event that is not SNS's", n)
		}
		if !strings.Contains(l.Out.String(), "dropped") {
			t.Errorf("the relay's log does not say the event was dropped:\n%s", truncateLog(l.Out.String()))
		}
	})

	for i, value := range []string{
		"https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AWSConfig/current/$(curl evil)/region_index.json",
		"https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AWSConfig/current/`id`/region_index.json",
		"https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AWSConfig/current/${{ github.token }}/region_index.json",
	} {
		t.Run("a regionIndex carrying shell or workflow syntax "+strconv.Itoa(i), func(t *testing.T) {
			before := len(gh.Dispatches())
			event := snsEvent(t, "faultsuite-hostile-"+strconv.Itoa(i), "2018010"+strconv.Itoa(i)+"000000")
			event = []byte(strings.Replace(string(event), `https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AWSConfig/current/region_index.json`,
				strings.NewReplacer(`"`, `\\\"`).Replace(value), 1))
			if err := l.Invoke(t, event); err != nil {
				t.Fatal(err)
			}
			d := gh.Dispatches()
			if len(d) != before+1 {
				t.Fatalf("%d dispatches, want one more than %d; fake GitHub errors: %v", len(d), before, gh.Errors())
			}
			p := d[len(d)-1].Payload
			if p["regionIndexUrl"] != "" {
				t.Errorf("regionIndexUrl %q dispatched, want it left out", p["regionIndexUrl"])
			}
			for k, v := range p {
				if s, ok := v.(string); ok && strings.ContainsAny(s, "$`{}'\"") {
					t.Errorf("payload %s = %q carries shell or workflow syntax", k, s)
				}
			}
			if !strings.Contains(l.Out.String(), "left out of the dispatch: not in the shape AWS uses") {
				t.Errorf("the relay's log does not say what it left out:\n%s", truncateLog(l.Out.String()))
			}
		})
	}
}

func truncateLog(s string) string {
	if len(s) > 4000 {
		return s[len(s)-4000:]
	}
	return s
}

// In HTTP mode (SNS posts to a function URL), a message whose
// SigningCertURL is not SNS's own host is refused with 403 before any
// certificate is fetched: sns.s3-<region>.amazonaws.com is an S3 website
// anyone can host a certificate on.
func TestRelayHTTPForgedCertHost(t *testing.T) {
	t.Parallel()
	gh := githubfake.New(t, relayRepo, relayToken)
	l := startRelay(t, gh, "RELAY_MODE=http")
	var ev struct {
		Records []struct {
			Sns map[string]any
		}
	}
	if err := json.Unmarshal(snsEvent(t, "faultsuite-forged", ""), &ev); err != nil {
		t.Fatal(err)
	}
	msg := ev.Records[0].Sns
	delete(msg, "SigningCertUrl")
	delete(msg, "UnsubscribeUrl")
	delete(msg, "MessageAttributes")
	msg["SigningCertURL"] = "https://sns.s3-us-east-1.amazonaws.com/x.pem"
	msg["UnsubscribeURL"] = "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe"
	body, _ := json.Marshal(msg)
	req, _ := json.Marshal(map[string]any{
		"headers":         map[string]string{"x-amz-sns-message-type": "Notification", "content-type": "text/plain; charset=UTF-8"},
		"body":            string(body),
		"isBase64Encoded": false,
		"requestContext":  map[string]any{"http": map[string]string{"method": "POST", "path": "/"}},
	})
	answer, err := l.Call(t, req)
	if err != nil {
		t.Fatalf("invocation failed: %v", err)
	}
	var resp struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	if err := json.Unmarshal(answer, &resp); err != nil {
		t.Fatalf("answer %s: %v", answer, err)
	}
	if resp.StatusCode != http.StatusForbidden || resp.Body != "signature check failed" {
		t.Errorf("answer %d %q, want 403 \"signature check failed\"", resp.StatusCode, resp.Body)
	}
	if n := gh.Requests(); n != 0 {
		t.Errorf("%d GitHub requests for a forged message", n)
	}
	// The log quotes the host, JSON-escaped once or twice.
	if out := l.Out.String(); !regexp.MustCompile(`host \\*"sns\.s3-us-east-1\.amazonaws\.com\\*" is not an SNS host`).MatchString(out) {
		t.Errorf("the relay's log does not say the certificate's host is not SNS's:\n%s", truncateLog(out))
	}
}
