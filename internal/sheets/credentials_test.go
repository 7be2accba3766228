package sheets

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pricechecker/pricechecker/internal/sheets/sheetsfake"
)

// serviceAccountKey returns a key file whose token endpoint is a local
// server.
func serviceAccountKey(t *testing.T, tokenURL string) string {
	t.Helper()
	pk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(pk)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := json.Marshal(map[string]string{
		"type":           "service_account",
		"project_id":     "acme-prices",
		"private_key_id": "k1",
		"private_key":    string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email":   "publisher@acme-prices.iam.gserviceaccount.com",
		"client_id":      "123",
		"token_uri":      tokenURL,
	})
	return string(key)
}

func TestNewServiceWithKeyJSON(t *testing.T) {
	token := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"test-token","token_type":"Bearer","expires_in":3600}`))
	}))
	defer token.Close()
	fake := sheetsfake.New()
	defer fake.Close()
	fake.AddSpreadsheet(spreadsheetID)

	// The key reaches the client in memory: nothing is written to the
	// temporary folder (RUNNER_TEMP on a runner), where a killed run would
	// leave it.
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	t.Setenv("RUNNER_TEMP", dir)
	creds := Credentials{KeyJSON: serviceAccountKey(t, token.URL)}
	if got := creds.Email(); got != "publisher@acme-prices.iam.gserviceaccount.com" {
		t.Errorf("Email() = %q", got)
	}
	svc, err := NewService(context.Background(), creds, fake.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Spreadsheets.Get(spreadsheetID).Do(); err != nil {
		t.Fatal(err)
	}
	reqs := fake.Requests()
	if auth := reqs[len(reqs)-1].Header.Get("Authorization"); !strings.HasPrefix(auth, "Bearer ") {
		t.Errorf("Authorization = %q, want a bearer token", auth)
	}
	if ua := reqs[len(reqs)-1].Header.Get("User-Agent"); !strings.Contains(ua, "pricechecker/") {
		t.Errorf("User-Agent = %q, want pricechecker's", ua)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*")); len(files) != 0 {
		t.Errorf("files written for the key: %q", files)
	}
}

func TestNewServiceKeyNeverInErrors(t *testing.T) {
	const secret = "-----BEGIN PRIVATE KEY-----very-secret-material"
	for _, key := range []string{
		`{"type":"service_account","private_key":"` + secret + `"`, // truncated JSON
		`{"type":"authorized_user","private_key":"` + secret + `"}`,
	} {
		_, err := NewService(context.Background(), Credentials{KeyJSON: key}, "http://127.0.0.1:1/")
		if err == nil {
			t.Fatalf("no error for %.20q", key)
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("error leaks the key: %v", err)
		}
	}
	if _, err := NewService(context.Background(), Credentials{KeyJSON: "{}", KeyFile: "k.json"}, ""); err == nil {
		t.Error("key and key file both accepted")
	}
}

func TestCredentialsEmailFromFederation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "adc.json")
	os.WriteFile(path, []byte(`{"type":"external_account","audience":"//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/gh/providers/gh",
"service_account_impersonation_url":"https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/publisher@acme-prices.iam.gserviceaccount.com:generateAccessToken"}`), 0o600)
	if got := (Credentials{ADCFile: path}).Email(); got != "publisher@acme-prices.iam.gserviceaccount.com" {
		t.Errorf("Email() = %q", got)
	}
	if got := (Credentials{}).Email(); got != "" {
		t.Errorf("Email() without credentials = %q", got)
	}
}
