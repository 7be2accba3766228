package relay

import (
	"context"
	"log/slog"
	"strings"
	"testing"
)

// The dispatch token is PRICECHECKER_DISPATCH_TOKEN*; a relay deployed with
// the old GITHUB_TOKEN* names keeps working and says, once per cold start,
// what to rename. The warning never carries the value.
func TestDispatchTokenNames(t *testing.T) {
	const secret = "tok-not-in-logs"
	tests := []struct {
		name       string
		vars       map[string]string
		credential string
		value      func(Config) string
		want       string // the value read
		warning    []string
	}{
		{"new token", map[string]string{"PRICECHECKER_DISPATCH_TOKEN": secret}, CredentialToken, func(c Config) string { return c.Token }, secret, nil},
		{"old token", map[string]string{"GITHUB_TOKEN": secret}, CredentialToken, func(c Config) string { return c.Token }, secret,
			[]string{"GITHUB_TOKEN is deprecated: rename it to PRICECHECKER_DISPATCH_TOKEN"}},
		{"both tokens", map[string]string{"PRICECHECKER_DISPATCH_TOKEN": secret, "GITHUB_TOKEN": "old-" + secret}, CredentialToken, func(c Config) string { return c.Token }, secret,
			[]string{"both PRICECHECKER_DISPATCH_TOKEN and GITHUB_TOKEN are set: using PRICECHECKER_DISPATCH_TOKEN; remove GITHUB_TOKEN"}},
		{"new secret", map[string]string{"PRICECHECKER_DISPATCH_TOKEN_SECRET_ARN": "arn:new"}, CredentialSecret, func(c Config) string { return c.TokenSecretARN }, "arn:new", nil},
		{"old secret", map[string]string{"GITHUB_TOKEN_SECRET_ARN": "arn:old"}, CredentialSecret, func(c Config) string { return c.TokenSecretARN }, "arn:old",
			[]string{"GITHUB_TOKEN_SECRET_ARN is deprecated: rename it to PRICECHECKER_DISPATCH_TOKEN_SECRET_ARN"}},
		{"both secrets", map[string]string{"PRICECHECKER_DISPATCH_TOKEN_SECRET_ARN": "arn:new", "GITHUB_TOKEN_SECRET_ARN": "arn:old"}, CredentialSecret, func(c Config) string { return c.TokenSecretARN }, "arn:new",
			[]string{"using PRICECHECKER_DISPATCH_TOKEN_SECRET_ARN; remove GITHUB_TOKEN_SECRET_ARN"}},
		{"new parameter", map[string]string{"PRICECHECKER_DISPATCH_TOKEN_PARAMETER": "/new"}, CredentialParameter, func(c Config) string { return c.TokenParameter }, "/new", nil},
		{"old parameter", map[string]string{"GITHUB_TOKEN_PARAMETER": "/old"}, CredentialParameter, func(c Config) string { return c.TokenParameter }, "/old",
			[]string{"GITHUB_TOKEN_PARAMETER is deprecated: rename it to PRICECHECKER_DISPATCH_TOKEN_PARAMETER"}},
		{"both parameters", map[string]string{"PRICECHECKER_DISPATCH_TOKEN_PARAMETER": "/new", "GITHUB_TOKEN_PARAMETER": "/old"}, CredentialParameter, func(c Config) string { return c.TokenParameter }, "/new",
			[]string{"using PRICECHECKER_DISPATCH_TOKEN_PARAMETER; remove GITHUB_TOKEN_PARAMETER"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars := map[string]string{"GITHUB_REPOSITORY": "o/r"}
			for k, v := range tt.vars {
				vars[k] = v
			}
			c, err := LoadConfig(env(vars))
			if err != nil {
				t.Fatal(err)
			}
			if c.Credential != tt.credential || tt.value(c) != tt.want {
				t.Errorf("credential %q value %q, want %q %q", c.Credential, tt.value(c), tt.credential, tt.want)
			}
			if len(c.Warnings) != len(tt.warning) {
				t.Fatalf("warnings = %q, want %q", c.Warnings, tt.warning)
			}
			for i, w := range tt.warning {
				if !strings.Contains(c.Warnings[i], w) {
					t.Errorf("warning %q, want it to contain %q", c.Warnings[i], w)
				}
				if strings.Contains(c.Warnings[i], secret) {
					t.Errorf("warning echoes the token: %q", c.Warnings[i])
				}
			}
		})
	}
}

// NewFromEnv logs the rename warning as a JSON WARN line, as the relay logs
// everything, at cold start.
func TestNewFromEnvLogsOldTokenName(t *testing.T) {
	for _, tt := range []struct {
		name string
		vars map[string]string
		want string
	}{
		{"old", map[string]string{"GITHUB_TOKEN": "tok-secret"}, "GITHUB_TOKEN is deprecated: rename it to PRICECHECKER_DISPATCH_TOKEN"},
		{"both", map[string]string{"GITHUB_TOKEN": "tok-old", "PRICECHECKER_DISPATCH_TOKEN": "tok-secret"}, "using PRICECHECKER_DISPATCH_TOKEN; remove GITHUB_TOKEN"},
		{"new", map[string]string{"PRICECHECKER_DISPATCH_TOKEN": "tok-secret"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.vars["GITHUB_REPOSITORY"] = "o/r"
			logs := &syncBuffer{}
			if _, err := NewFromEnv(context.Background(), env(tt.vars), slog.New(slog.NewJSONHandler(logs, nil))); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(logs.String(), "tok-") {
				t.Errorf("log echoes a token: %s", logs.String())
			}
			if tt.want == "" {
				if logs.String() != "" {
					t.Errorf("unexpected log: %s", logs.String())
				}
				return
			}
			lines := logLines(t, logs.String())
			if len(lines) != 1 || lines[0]["level"] != "WARN" || !strings.Contains(lines[0]["warning"].(string), tt.want) {
				t.Errorf("log = %s, want one WARN line containing %q", logs.String(), tt.want)
			}
		})
	}
}
