package relay

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pricechecker/pricechecker/internal/githubapi/githubfake"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/pricechecker/pricechecker/internal/relay/relaytest"
)

func fakeAWSClients(t *testing.T, fake *relaytest.AWS) (*secretsmanager.Client, *ssm.Client) {
	creds := credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")
	hc := &http.Client{Timeout: 5 * time.Second}
	sm := secretsmanager.New(secretsmanager.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(fake.Server.URL), HTTPClient: hc})
	p := ssm.New(ssm.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(fake.Server.URL), HTTPClient: hc})
	return sm, p
}

const secretARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:relay/github-AbCdEf"

func TestSecretToken(t *testing.T) {
	fake := relaytest.NewAWS(t)
	fake.Secrets[secretARN] = "ghp_fromsecret"
	fake.Secrets["json"] = `{"token":"ghp_fromjson","note":"rotated monthly"}`
	fake.Secrets["jsonwithoutkey"] = `{"pat":"x"}`
	sm, _ := fakeAWSClients(t, fake)
	ctx := context.Background()

	src := NewSecretToken(sm, secretARN, time.Hour)
	for range 3 {
		tok, err := src.Token(ctx)
		if err != nil || tok != "ghp_fromsecret" {
			t.Fatalf("Token = %q, %v", tok, err)
		}
	}
	if n := fake.Calls("secretsmanager.GetSecretValue"); n != 1 {
		t.Errorf("GetSecretValue calls = %d, want 1 (cached across invocations)", n)
	}
	src.(invalidator).Invalidate()
	if _, err := src.Token(ctx); err != nil || fake.Calls("secretsmanager.GetSecretValue") != 2 {
		t.Errorf("after Invalidate: err %v, calls %d; want a fresh read", err, fake.Calls("secretsmanager.GetSecretValue"))
	}

	if tok, err := NewSecretToken(sm, "json", time.Hour).Token(ctx); err != nil || tok != "ghp_fromjson" {
		t.Errorf("JSON secret: %q, %v", tok, err)
	}
	if _, err := NewSecretToken(sm, "jsonwithoutkey", time.Hour).Token(ctx); err == nil || !strings.Contains(err.Error(), "none of the keys token") {
		t.Errorf("JSON secret without token key: %v", err)
	}
	_, err := NewSecretToken(sm, "arn:missing", time.Hour).Token(ctx)
	if err == nil || !strings.Contains(err.Error(), "secretsmanager:GetSecretValue") || !strings.Contains(err.Error(), "ResourceNotFoundException") {
		t.Errorf("missing secret: %v", err)
	}
	if bad := fake.Errors(); len(bad) > 0 {
		t.Errorf("protocol errors: %v", bad)
	}
}

func TestParameterToken(t *testing.T) {
	fake := relaytest.NewAWS(t)
	fake.Parameters["/relay/github-token"] = "ghp_fromssm"
	_, p := fakeAWSClients(t, fake)
	src := NewParameterToken(p, "/relay/github-token", time.Hour)
	for range 2 {
		// The fake returns ciphertext unless WithDecryption is set.
		if tok, err := src.Token(context.Background()); err != nil || tok != "ghp_fromssm" {
			t.Fatalf("Token = %q, %v", tok, err)
		}
	}
	if n := fake.Calls("AmazonSSM.GetParameter"); n != 1 {
		t.Errorf("GetParameter calls = %d, want 1", n)
	}
	_, err := NewParameterToken(p, "/missing", time.Hour).Token(context.Background())
	if err == nil || !strings.Contains(err.Error(), "ParameterNotFound") || !strings.Contains(err.Error(), "kms:Decrypt") {
		t.Errorf("missing parameter: %v", err)
	}
}

func newAppKey(t testing.TB) (*rsa.PrivateKey, string) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k, string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
}

func TestAppToken(t *testing.T) {
	key, pemText := newAppKey(t)
	fake := githubfake.New(t, testRepo)
	fake.AppID, fake.InstallationID, fake.AppKey = "12345", "67890", &key.PublicKey

	// Keys pasted into a Lambda environment variable often carry literal \n.
	parsed, err := ParsePrivateKey(strings.ReplaceAll(pemText, "\n", `\n`))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	app := &GitHubApp{BaseURL: fake.URL(), AppID: "12345", Repo: testRepo, Key: parsed, HTTP: &http.Client{Timeout: 5 * time.Second}, Now: func() time.Time { return now }}
	src := NewAppToken(app)
	gh, _ := newTestGitHub(t, fake, src)
	for range 3 {
		if err := gh.Dispatch(context.Background(), "aws-price-list-update", samplePayload()); err != nil {
			t.Fatal(err)
		}
	}
	if app.InstallationID != "67890" {
		t.Errorf("installation id = %q, want it looked up from the repository", app.InstallationID)
	}
	if fake.TokenIssues() != 1 || len(fake.Dispatches()) != 3 {
		t.Errorf("tokens minted = %d, dispatches = %d; want 1, 3", fake.TokenIssues(), len(fake.Dispatches()))
	}
	if auth := fake.Dispatches()[0].Header.Get("Authorization"); auth != "Bearer ghs_fakeinstallationtoken0001" {
		t.Errorf("Authorization = %q", auth)
	}
	// Fifty-six minutes later the cached token is within five minutes of
	// expiry: a new one is minted.
	now = now.Add(56 * time.Minute)
	if err := gh.Dispatch(context.Background(), "aws-price-list-update", samplePayload()); err != nil {
		t.Fatal(err)
	}
	if fake.TokenIssues() != 2 {
		t.Errorf("tokens minted = %d after expiry, want 2", fake.TokenIssues())
	}

	// A wrong key is refused with a message naming what to check.
	other, _ := newAppKey(t)
	bad := NewAppToken(&GitHubApp{BaseURL: fake.URL(), AppID: "12345", InstallationID: "67890", Repo: testRepo, Key: other, HTTP: http.DefaultClient})
	if _, err := bad.Token(context.Background()); err == nil || !strings.Contains(err.Error(), "check GITHUB_APP_ID, GITHUB_APP_INSTALLATION_ID and the private key") {
		t.Errorf("wrong key: %v", err)
	}
}

func TestAppKeyFromSecret(t *testing.T) {
	key, pemText := newAppKey(t)
	gh := githubfake.New(t, testRepo)
	gh.AppID, gh.InstallationID, gh.AppKey = "12345", "67890", &key.PublicKey
	awsFake := relaytest.NewAWS(t)
	awsFake.Secrets["app-key"] = pemText
	sm, _ := fakeAWSClients(t, awsFake)
	src := newAppFromSecret(&GitHubApp{BaseURL: gh.URL(), AppID: "12345", InstallationID: "67890", Repo: testRepo, HTTP: http.DefaultClient}, sm, "app-key")
	tok, err := src.Token(context.Background())
	if err != nil || !strings.HasPrefix(tok, "ghs_") {
		t.Fatalf("Token = %q, %v", tok, err)
	}
}

func TestParsePrivateKeyErrors(t *testing.T) {
	if _, err := ParsePrivateKey("not a key"); err == nil || !strings.Contains(err.Error(), "not PEM") {
		t.Errorf("err = %v", err)
	}
}
