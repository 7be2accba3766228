//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pricechecker/pricechecker/internal/githubapi/githubfake"
	"github.com/pricechecker/pricechecker/internal/testkit"

	"github.com/pricechecker/pricechecker/internal/relay/relaytest"
)

// The end-to-end test runs the real binary, built as for Lambda, behind the
// real Runtime API (aws-lambda-rie), with the token in an SSM parameter read
// through the AWS SDK, posting to a fake GitHub on 127.0.0.1.

const (
	e2eRepo   = "octo-org/prices"
	e2eToken  = "ghp_e2esecrettoken0123456789"
	e2eParam  = "/pricechecker/github-token"
	snsSample = "../../testdata/sns"
)

// findRIE finds aws-lambda-rie; CI must have it, elsewhere the test skips.
func findRIE(t *testing.T) string {
	if p := testkit.FindRIE(); p != "" {
		return p
	}
	msg := "aws-lambda-rie not found; install it with: " + testkit.RIEInstall
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

func readSample(t *testing.T, name string) []byte {
	b, err := os.ReadFile(filepath.Join(snsSample, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// withMessage returns the event with its MessageId and Message replaced.
func withMessage(t *testing.T, event []byte, id, from, to string) []byte {
	var ev map[string]any
	if err := json.Unmarshal(event, &ev); err != nil {
		t.Fatal(err)
	}
	sns := ev["Records"].([]any)[0].(map[string]any)["Sns"].(map[string]any)
	sns["MessageId"] = id
	sns["Message"] = strings.ReplaceAll(sns["Message"].(string), from, to)
	b, _ := json.Marshal(ev)
	return b
}

// buildBootstrap builds the binary as for Lambda into dir.
func buildBootstrap(t *testing.T, dir string) string {
	bootstrap := filepath.Join(dir, "bootstrap")
	build := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bootstrap, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bootstrap
}

// emulatorLineRE matches the lines aws-lambda-rie writes itself; every
// other line comes from the function and must be JSON.
var emulatorLineRE = regexp.MustCompile(`^(\d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2},\d{3} \[\w+\] |(START|END|REPORT) RequestId: )`)

// A bad configuration fails the init phase with one JSON line that names
// the variable to fix.
func TestInitFailureIsLoggedAsJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bootstrap := buildBootstrap(t, dir)
	for _, tt := range []struct{ name, env, want string }{
		{"topic not an ARN", "RELAY_EXTRA_TOPICS=not-an-arn", `RELAY_EXTRA_TOPICS: \"not-an-arn\" is not an SNS topic ARN`},
		{"replaced variable", "RELAY_ALLOWED_TOPICS=arn:aws:sns:us-east-1:123456789012:t", "RELAY_ALLOWED_TOPICS is no longer read"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(bootstrap)
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "GITHUB_REPOSITORY=o/r", "PRICECHECKER_DISPATCH_TOKEN=t", tt.env}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
				t.Fatalf("exit: %v, want status 1\n%s", err, stderr.String())
			}
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			var m map[string]any
			if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &m) != nil || m["level"] != "ERROR" || m["msg"] != "relay not started" {
				t.Fatalf("stderr is not one JSON error line:\n%s", stderr.String())
			}
			if !strings.Contains(lines[0], tt.want) {
				t.Errorf("log %s\nwant it to contain %s", lines[0], tt.want)
			}
		})
	}
}

func TestEndToEndWithLambdaRuntime(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	rie := findRIE(t)
	dir := t.TempDir()
	bootstrap := buildBootstrap(t, dir)

	gh := githubfake.New(t, e2eRepo, e2eToken)
	awsFake := relaytest.NewAWS(t)
	awsFake.Parameters[e2eParam] = e2eToken

	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"AWS_LAMBDA_FUNCTION_TIMEOUT=30",
		"GITHUB_REPOSITORY=" + e2eRepo,
		"GITHUB_API_URL=" + gh.URL(),
		"PRICECHECKER_DISPATCH_TOKEN_PARAMETER=" + e2eParam,
		"RELAY_ALLOWED_OFFERS=AWSConfig,AmazonS3,AWSComputeSavingsPlan",
		"RELAY_MAX_ATTEMPTS=2",
		"AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=AKIDE2ETEST",
		"AWS_SECRET_ACCESS_KEY=e2e-secret-key",
		"AWS_ENDPOINT_URL_SSM=" + awsFake.Server.URL,
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "no-config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "no-credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
	}
	emu := testkit.StartLambda(t, rie, bootstrap, env)
	priceList := readSample(t, "lambda-price-list-api.json")

	t.Run("price-list message dispatches once", func(t *testing.T) {
		if err := emu.Invoke(t, priceList); err != nil {
			t.Fatal(err)
		}
		d := gh.Dispatches()
		if len(d) != 1 {
			t.Fatalf("dispatches = %d, want 1; fake errors %v", len(d), gh.Errors())
		}
		if d[0].EventType != "aws-price-list-update" || d[0].Payload["offerCode"] != "AWSConfig" || d[0].Payload["version"] != "20171205010842" ||
			d[0].Payload["messageId"] != "3db593a2-5be7-5db0-8e5c-c13dac8cb9c0" {
			t.Errorf("dispatch = %+v", d[0])
		}
		if got := d[0].Header.Get("Authorization"); got != "Bearer "+e2eToken {
			t.Errorf("Authorization = %q", got)
		}
		if d[0].Header.Get("X-GitHub-Api-Version") == "" || d[0].Header.Get("Accept") != "application/vnd.github+json" {
			t.Errorf("headers = %v", d[0].Header)
		}
	})

	t.Run("duplicate delivery is not dispatched again", func(t *testing.T) {
		if err := emu.Invoke(t, priceList); err != nil {
			t.Fatal(err)
		}
		if n := gh.Requests(); n != 1 {
			t.Errorf("GitHub requests = %d, want 1", n)
		}
	})

	t.Run("unparseable message is dropped without error", func(t *testing.T) {
		if err := emu.Invoke(t, readSample(t, "madeup-garbage.json")); err != nil {
			t.Fatalf("invocation failed: %v (would cause a retry storm)", err)
		}
		if n := gh.Requests(); n != 1 {
			t.Errorf("GitHub requests = %d, want 1", n)
		}
	})

	t.Run("daily digest is filtered by the allow-list", func(t *testing.T) {
		if err := emu.Invoke(t, readSample(t, "madeup-daily-multi.json")); err != nil {
			t.Fatal(err)
		}
		d := gh.Dispatches()
		if len(d) != 2 || d[1].Payload["offerCode"] != "AmazonS3" || d[1].Payload["kind"] != "daily" {
			t.Errorf("dispatches = %+v", d)
		}
	})

	t.Run("rate limit is waited out", func(t *testing.T) {
		gh.Script(githubfake.Response{Status: 429, Message: "API rate limit exceeded", Header: map[string]string{"Retry-After": "1"}})
		before := gh.Requests()
		start := time.Now()
		if err := emu.Invoke(t, readSample(t, "madeup-savings-plans-json.json")); err != nil {
			t.Fatal(err)
		}
		if time.Since(start) < time.Second {
			t.Errorf("retry-after not honoured: took %s", time.Since(start))
		}
		d := gh.Dispatches()
		if gh.Requests()-before != 2 || d[len(d)-1].EventType != "aws-savings-plans-update" || d[len(d)-1].Payload["offerCode"] != "AWSComputeSavingsPlan" {
			t.Errorf("requests %d, last dispatch %+v", gh.Requests()-before, d[len(d)-1])
		}
	})

	t.Run("retry-after is honoured on a 5xx", func(t *testing.T) {
		gh.Script(githubfake.Response{Status: 503, Message: "Service Unavailable", Header: map[string]string{"Retry-After": "2"}})
		before := gh.Requests()
		start := time.Now()
		if err := emu.Invoke(t, withMessage(t, priceList, "e2e-503", "20171205010842", "20171208000000")); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took < 2*time.Second {
			t.Errorf("retry-after: 2 not honoured: took %s", took)
		}
		if gh.Requests()-before != 2 {
			t.Errorf("requests = %d, want 2", gh.Requests()-before)
		}
	})

	t.Run("events that are not SNS events are dropped without error", func(t *testing.T) {
		before := gh.Requests()
		// Nested deeper than encoding/json allows: the Lambda runtime's
		// own decoding used to fail these before the relay saw them.
		deep := `{"Records":[` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `]}`
		deepMessage := bytes.Replace(priceList, []byte(`"Message": "{`), []byte(`"Message": "`+strings.Repeat("[", 20000)+`{`), 1)
		if bytes.Equal(deepMessage, priceList) {
			t.Fatal("sample has no Message to replace")
		}
		for _, ev := range []string{`"hello"`, `[]`, `{}`, deep, string(deepMessage)} {
			if err := emu.Invoke(t, []byte(ev)); err != nil {
				t.Errorf("%.40s: invocation failed: %v (would cause a retry storm)", ev, err)
			}
		}
		// A record whose Timestamp is unreadable is still relayed.
		badTime := bytes.Replace(withMessage(t, priceList, "e2e-bad-time", "20171205010842", "20171209000000"),
			[]byte(`"2017-12-05T01:23:55.452Z"`), []byte(`"not-a-time"`), 1)
		if !bytes.Contains(badTime, []byte("not-a-time")) {
			t.Fatal("sample has no Timestamp to replace")
		}
		if err := emu.Invoke(t, badTime); err != nil {
			t.Fatalf("bad Timestamp: %v", err)
		}
		d := gh.Dispatches()
		if gh.Requests()-before != 1 || d[len(d)-1].Payload["messageId"] != "e2e-bad-time" {
			t.Errorf("requests = %d, last dispatch %+v", gh.Requests()-before, d[len(d)-1])
		}
	})

	t.Run("server errors fail the invocation after the retries", func(t *testing.T) {
		gh.Script(githubfake.Response{Status: 502, Message: "Server Error"}, githubfake.Response{Status: 502, Message: "Server Error"})
		before := gh.Requests()
		err := emu.Invoke(t, withMessage(t, priceList, "e2e-502", "20171205010842", "20171206000000"))
		if err == nil || !strings.Contains(err.Error(), "502") || !strings.Contains(err.Error(), "after 2 attempts") {
			t.Fatalf("err = %v", err)
		}
		if gh.Requests()-before != 2 {
			t.Errorf("requests = %d, want 2", gh.Requests()-before)
		}
		// Lambda's retry of the same event then succeeds.
		if err := emu.Invoke(t, withMessage(t, priceList, "e2e-502", "20171205010842", "20171206000000")); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("422 names the fix", func(t *testing.T) {
		gh.Script(githubfake.Response{Status: 422, Message: "No more than 10 properties are allowed; 11 were supplied."})
		err := emu.Invoke(t, withMessage(t, priceList, "e2e-422", "20171205010842", "20171207000000"))
		if err == nil || !strings.Contains(err.Error(), "No more than 10 properties") || !strings.Contains(err.Error(), "payload too large") {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("logs are JSON, name dropped messages and hide the token", func(t *testing.T) {
		out := emu.Out.String()
		if strings.Contains(out, e2eToken) {
			t.Error("the token appears in the output")
		}
		seen := map[string]bool{}
		for _, line := range strings.Split(out, "\n") {
			if line == "" || emulatorLineRE.MatchString(line) {
				continue // the emulator's own lines
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Errorf("function log line is not JSON: %q", line)
				continue
			}
			msg, _ := m["msg"].(string)
			if msg == "dropped: message not understood" && m["messageId"] == "44444444-4444-5444-8444-444444444444" {
				seen["drop"] = true
			}
			if msg == "dispatch failed; retrying" && m["messageId"] == "e2e-502" && m["offerCode"] == "AWSConfig" {
				seen["retry"] = true
			}
			if msg == "invocation failed" && m["level"] == "ERROR" && strings.Contains(fmt.Sprint(m["error"]), "e2e-502") {
				seen["invocation"] = true
			}
			if msg == "dropped: event is not an SNS event" {
				seen["not sns"] = true
			}
		}
		for _, k := range []string{"drop", "retry", "invocation", "not sns"} {
			if !seen[k] {
				t.Errorf("no %q log line:\n%s", k, out)
			}
		}
		if n := awsFake.Calls("AmazonSSM.GetParameter"); n != 1 {
			t.Errorf("SSM GetParameter calls = %d, want 1 (cached across invocations)", n)
		}
		if errs := gh.Errors(); len(errs) > 0 {
			t.Errorf("fake GitHub refused requests: %v", errs)
		}
	})
}

// A relay deployed before the rename, with the token in GITHUB_TOKEN, still
// dispatches under the real Runtime API, and its cold start logs one JSON
// warning naming the new variable (never the token).
func TestEndToEndOldTokenName(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	rie := findRIE(t)
	dir := t.TempDir()
	bootstrap := buildBootstrap(t, dir)
	gh := githubfake.New(t, e2eRepo, e2eToken)
	emu := testkit.StartLambda(t, rie, bootstrap, []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"AWS_LAMBDA_FUNCTION_TIMEOUT=30",
		"AWS_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true",
		"GITHUB_REPOSITORY=" + e2eRepo,
		"GITHUB_API_URL=" + gh.URL(),
		"GITHUB_TOKEN=" + e2eToken,
	})
	if err := emu.Invoke(t, readSample(t, "lambda-price-list-api.json")); err != nil {
		t.Fatal(err)
	}
	d := gh.Dispatches()
	if len(d) != 1 || d[0].Header.Get("Authorization") != "Bearer "+e2eToken {
		t.Fatalf("dispatches = %+v; fake errors %v", d, gh.Errors())
	}
	out := emu.Out.String()
	if strings.Contains(out, e2eToken) {
		t.Error("the token appears in the output")
	}
	warnings := 0
	for _, line := range strings.Split(out, "\n") {
		if line == "" || emulatorLineRE.MatchString(line) {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Errorf("function log line is not JSON: %q", line)
			continue
		}
		if m["level"] == "WARN" && strings.Contains(fmt.Sprint(m["warning"]), "GITHUB_TOKEN is deprecated: rename it to PRICECHECKER_DISPATCH_TOKEN") {
			warnings++
		}
	}
	if warnings != 1 {
		t.Errorf("%d rename warnings, want 1:\n%s", warnings, out)
	}
}
