package relay

import (
	"context"
	"log"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pricechecker/pricechecker/internal/relay/relaytest"
)

// aws-lambda-go prints a failed invocation with the standard logger; once
// redirected, that line is JSON like the relay's own.
func TestRedirectStandardLog(t *testing.T) {
	flags, prefix, out := log.Flags(), log.Prefix(), log.Writer()
	t.Cleanup(func() { log.SetFlags(flags); log.SetPrefix(prefix); log.SetOutput(out) })
	var buf syncBuffer
	RedirectStandardLog(NewLogger(&buf))
	log.Printf("%s", `{"errorMessage":"dispatch aws-price-list-update for AWSConfig: GitHub answered 502","errorType":"joinError"}`)
	log.Print("WARNING! AWS_LAMBDA_RUNTIME_API environment variable not found.")
	lines := logLines(t, buf.String())
	if len(lines) != 2 {
		t.Fatalf("lines = %v", lines)
	}
	if l := lines[0]; l["level"] != "ERROR" || l["msg"] != "invocation failed" || l["errorType"] != "joinError" ||
		!strings.Contains(l["error"].(string), "GitHub answered 502") {
		t.Errorf("invocation failure = %v", l)
	}
	if l := lines[1]; l["level"] != "WARN" || !strings.HasPrefix(l["msg"].(string), "WARNING! AWS_LAMBDA_RUNTIME_API") {
		t.Errorf("runtime warning = %v", l)
	}
}

// The AWS SDK's own warnings go through slog too. The IMDSv1 fallback
// warning is provoked for real: no credentials in the environment, and an
// instance metadata service that refuses IMDSv2 tokens.
func TestAWSSDKLogsThroughSlog(t *testing.T) {
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPut && r.URL.Path == "/latest/api/token":
			http.Error(w, "forbidden", http.StatusForbidden) // IMDSv2 off: the SDK falls back to IMDSv1
		case r.URL.Path == "/latest/meta-data/iam/security-credentials/":
			w.Write([]byte("relay-role"))
		case r.URL.Path == "/latest/meta-data/iam/security-credentials/relay-role":
			w.Write([]byte(`{"Code":"Success","Type":"AWS-HMAC","AccessKeyId":"AKIDIMDS","SecretAccessKey":"imds-secret","Token":"imds-token","Expiration":"` +
				time.Now().Add(time.Hour).UTC().Format(time.RFC3339) + `","LastUpdated":"` + time.Now().UTC().Format(time.RFC3339) + `"}`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(imds.Close)
	awsFake := relaytest.NewAWS(t)
	awsFake.Parameters["/p"] = "ghp_fromssm"
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.URL, "AWS_EC2_METADATA_DISABLED": "false",
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "", "AWS_WEB_IDENTITY_TOKEN_FILE": "",
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL_SSM": awsFake.Server.URL,
	} {
		t.Setenv(k, v)
	}
	var buf syncBuffer
	_, params, err := AWSClients(context.Background(), Config{TokenParameter: "/p"}, NewLogger(&buf))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := NewParameterToken(params, "/p", time.Minute).Token(context.Background())
	if err != nil || tok != "ghp_fromssm" {
		t.Fatalf("token %q, err %v", tok, err)
	}
	var found bool
	for _, l := range logLines(t, buf.String()) {
		if l["level"] == "WARN" && l["source"] == "aws-sdk" && strings.Contains(l["msg"].(string), "falling back to IMDSv1") {
			found = true
		}
	}
	if !found {
		t.Errorf("no JSON log for the SDK's IMDSv1 warning:\n%s", buf.String())
	}
}
