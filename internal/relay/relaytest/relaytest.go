// Package relaytest provides fakes of the AWS JSON 1.1 APIs the relay
// reads its credentials from, Secrets Manager and SSM, that enforce the
// documented rules and answer with the real error bodies. GitHub's fake is
// internal/githubapi/githubfake. It is used only by tests.
package relaytest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// AWS is a fake of the AWS JSON 1.1 APIs Secrets Manager (GetSecretValue)
// and SSM (GetParameter).
type AWS struct {
	Server     *httptest.Server
	Secrets    map[string]string // ARN or name → SecretString
	Parameters map[string]string // name → decrypted value

	mu    sync.Mutex
	calls map[string]int // X-Amz-Target → count
	bad   []string
}

// NewAWS starts the fake; it stops with the test.
func NewAWS(t testing.TB) *AWS {
	a := &AWS{Secrets: map[string]string{}, Parameters: map[string]string{}, calls: map[string]int{}}
	a.Server = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.Server.Close)
	return a
}

// Calls counts requests per target, e.g. "secretsmanager.GetSecretValue".
func (a *AWS) Calls(target string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.calls[target]
}

// Errors lists requests that broke the protocol.
func (a *AWS) Errors() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.bad...)
}

func awsError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Query-Error", typ+";Sender")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}

func (a *AWS) serve(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	target := r.Header.Get("X-Amz-Target")
	a.calls[target]++
	if r.Method != http.MethodPost || r.URL.Path != "/" || r.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
		a.bad = append(a.bad, fmt.Sprintf("%s %s %s", r.Method, r.URL.Path, r.Header.Get("Content-Type")))
		awsError(w, 400, "SerializationException", "bad request")
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=") {
		a.bad = append(a.bad, "unsigned request")
		awsError(w, 400, "MissingAuthenticationTokenException", "Missing Authentication Token")
		return
	}
	var in map[string]any
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		awsError(w, 400, "SerializationException", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	switch target {
	case "secretsmanager.GetSecretValue":
		id, _ := in["SecretId"].(string)
		s, ok := a.Secrets[id]
		if !ok {
			awsError(w, 400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"ARN": id, "Name": id, "SecretString": s, "VersionId": "v1", "VersionStages": []string{"AWSCURRENT"}, "CreatedDate": 1.7e9})
	case "AmazonSSM.GetParameter":
		name, _ := in["Name"].(string)
		v, ok := a.Parameters[name]
		if !ok {
			awsError(w, 400, "ParameterNotFound", "")
			return
		}
		if dec, _ := in["WithDecryption"].(bool); !dec {
			// A SecureString read without decryption is ciphertext.
			v = base64.StdEncoding.EncodeToString([]byte("ciphertext:" + v))
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"Parameter": map[string]any{"Name": name, "Type": "SecureString", "Value": v, "Version": 1, "DataType": "text"}})
	default:
		a.bad = append(a.bad, "unknown target "+target)
		awsError(w, 400, "UnknownOperationException", "")
	}
}
