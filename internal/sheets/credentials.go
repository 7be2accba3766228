package sheets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/pricechecker/pricechecker/internal/buildinfo"
	"google.golang.org/api/option"
	sheetsapi "google.golang.org/api/sheets/v4"
)

// Credentials says how to authenticate. With neither KeyJSON nor KeyFile,
// Application Default Credentials are used: GOOGLE_APPLICATION_CREDENTIALS,
// which google-github-actions/auth sets for Workload Identity Federation,
// or the metadata server.
type Credentials struct {
	// KeyJSON is the contents of a service-account key passed as a secret.
	// It goes to the client in memory, never to disk, and never appears in
	// errors.
	KeyJSON string
	// KeyFile is the path of a credentials file (service-account key or
	// external-account configuration).
	KeyFile string
	// ADCFile optionally names the Application Default Credentials file; it
	// is only read to name the service account in error messages.
	ADCFile string
	// Anonymous sends no credentials: for a fake server in tests.
	Anonymous bool
}

// credentialFile is the part of a credentials JSON file read here.
type credentialFile struct {
	Type                           string `json:"type"`
	ClientEmail                    string `json:"client_email"`
	ServiceAccountImpersonationURL string `json:"service_account_impersonation_url"`
}

func parseCredentials(data []byte, what string) (credentialFile, option.CredentialsType, error) {
	var f credentialFile
	// The decoder's error could quote the secret: never include it.
	if err := json.Unmarshal(data, &f); err != nil {
		return f, "", fmt.Errorf("sheets: %s is not valid JSON: paste the whole key file Google Cloud gave you", what)
	}
	switch f.Type {
	case "service_account":
		return f, option.ServiceAccount, nil
	case "external_account":
		return f, option.ExternalAccount, nil
	case "impersonated_service_account":
		return f, option.ImpersonatedServiceAccount, nil
	}
	return f, "", fmt.Errorf("sheets: %s has type %q; want a service-account key (type service_account) or a Workload Identity Federation configuration (external_account)", what, f.Type)
}

// NewService returns a Sheets client. endpoint overrides the API's base URL
// (a fake server in tests); "" is Google.
func NewService(ctx context.Context, c Credentials, endpoint string) (*sheetsapi.Service, error) {
	opts := []option.ClientOption{option.WithScopes(sheetsapi.SpreadsheetsScope), option.WithUserAgent(buildinfo.UserAgent())}
	if endpoint != "" {
		if !strings.HasSuffix(endpoint, "/") {
			endpoint += "/" // the client joins paths onto it
		}
		opts = append(opts, option.WithEndpoint(endpoint))
	}
	switch {
	case c.KeyJSON != "" && c.KeyFile != "":
		return nil, errors.New("sheets: both a key and a key file are set: give one")
	case c.Anonymous:
		opts = append(opts, option.WithoutAuthentication())
	case c.KeyJSON != "":
		_, typ, err := parseCredentials([]byte(c.KeyJSON), "the service-account key")
		if err != nil {
			return nil, err
		}
		// In memory: a key written to disk outlives a killed run.
		opts = append(opts, option.WithAuthCredentialsJSON(typ, []byte(c.KeyJSON)))
	case c.KeyFile != "":
		data, err := os.ReadFile(c.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("sheets: read key file: %w", err)
		}
		_, typ, err := parseCredentials(data, "key file "+c.KeyFile)
		if err != nil {
			return nil, err
		}
		opts = append(opts, option.WithAuthCredentialsFile(typ, c.KeyFile))
	}
	svc, err := sheetsapi.NewService(ctx, opts...)
	if err != nil {
		if c.KeyJSON == "" && c.KeyFile == "" && !c.Anonymous {
			return nil, fmt.Errorf("sheets: no credentials: set up Application Default Credentials (google-github-actions/auth with Workload Identity Federation) or pass a service-account key: %w", err)
		}
		return nil, fmt.Errorf("sheets: create client: %w", err)
	}
	return svc, nil
}

// Email returns the service account the credentials act as, when the key
// or configuration file names it, for the "share the spreadsheet" advice;
// "" when unknown.
func (c Credentials) Email() string {
	var data []byte
	switch {
	case c.KeyJSON != "":
		data = []byte(c.KeyJSON)
	case c.KeyFile != "":
		data, _ = os.ReadFile(c.KeyFile)
	case c.ADCFile != "":
		data, _ = os.ReadFile(c.ADCFile)
	}
	var f credentialFile
	if json.Unmarshal(data, &f) != nil {
		return ""
	}
	if f.ClientEmail != "" {
		return f.ClientEmail
	}
	// .../serviceAccounts/NAME@PROJECT.iam.gserviceaccount.com:generateAccessToken
	_, after, ok := strings.Cut(f.ServiceAccountImpersonationURL, "/serviceAccounts/")
	if !ok {
		return ""
	}
	email, _, _ := strings.Cut(after, ":")
	return email
}
