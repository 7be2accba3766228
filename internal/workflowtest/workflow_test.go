package workflowtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pricechecker/pricechecker/internal/sheets/sheetsfake"
	"github.com/pricechecker/pricechecker/internal/slack/slackfake"
	"github.com/pricechecker/pricechecker/internal/source/bulk/bulkfake"
)

const spreadsheetID = "test-spreadsheet"

// env is one workflow sandbox: a repository whose remote is a bare
// repository, and the fakes the workflow talks to.
type env struct {
	t      *testing.T
	actBin string
	repo   string // the work tree act copies for every job
	origin string // the bare remote the shards push to
	bulk   *bulkfake.Server
	slack  *slackfake.Server
	sheets *sheetsfake.Server
	extra  []string // more act arguments (stand-in actions, variables)
	// auth is the stand-in for google-github-actions/auth: act prepares
	// every step's action before the job runs, skipped steps too, and
	// cannot fetch one offline. authRecord is where it writes its inputs.
	auth, authRecord string
}

// authStandIn records the provider and service account it was given and,
// as the real action does, writes a credentials file and points
// GOOGLE_APPLICATION_CREDENTIALS at it for the steps after it.
const authStandIn = `name: google-github-actions/auth stand-in
inputs:
  workload_identity_provider:
    required: false
  service_account:
    required: false
runs:
  using: composite
  steps:
    - shell: bash
      env:
        PROVIDER: ${{ inputs.workload_identity_provider }}
        ACCOUNT: ${{ inputs.service_account }}
      run: |
        creds="$RUNNER_TEMP/gha-creds-stand-in.json"
        printf '{"type":"external_account","service_account_impersonation_url":"https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/%s:generateAccessToken"}\n' "$ACCOUNT" > "$creds"
        echo "GOOGLE_APPLICATION_CREDENTIALS=$creds" >> "$GITHUB_ENV"
        printf 'provider=%s\naccount=%s\n' "$PROVIDER" "$ACCOUNT" >> "$GOOGLE_AUTH_RECORD"
`

func findAct(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("act"); err == nil {
		return p
	}
	gopath, _ := exec.Command("go", "env", "GOPATH").Output()
	p := filepath.Join(strings.TrimSpace(string(gopath)), "bin", "act")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatal("act is not installed; scripts/test.sh installs it (go install github.com/nektos/act@v0.2.89)")
	}
	t.Skip("act is not installed; run scripts/test.sh, or go install github.com/nektos/act@v0.2.89")
	return ""
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=test", "GIT_AUTHOR_EMAIL=test@example.com", "GIT_COMMITTER_NAME=test", "GIT_COMMITTER_EMAIL=test@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// setup copies the parts of this repository the workflow needs (the action
// builds pricechecker from this source) into a fresh repository.
func setup(t *testing.T, config string) *env {
	e := &env{t: t, actBin: findAct(t)}
	root := t.TempDir()
	e.repo = filepath.Join(root, "repo")
	e.origin = filepath.Join(root, "origin.git")
	for _, p := range []string{"go.mod", "go.sum", "action.yml", ".github/workflows", "cmd/pricechecker", "internal", "scripts/action-binary.sh"} {
		copyTree(t, filepath.Join("../..", p), filepath.Join(e.repo, p))
	}
	if err := os.WriteFile(filepath.Join(e.repo, ".github/pricechecker.yml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, root, "init", "-q", "--bare", "-b", "main", e.origin)
	git(t, e.repo, "init", "-q", "-b", "main")
	git(t, e.repo, "add", "-A")
	git(t, e.repo, "commit", "-q", "-m", "start")
	git(t, e.repo, "remote", "add", "origin", e.origin)
	git(t, e.repo, "push", "-q", "origin", "main")

	mirror, _ := filepath.Abs("../../testdata/mirror")
	e.bulk = bulkfake.New(mirror)
	t.Cleanup(e.bulk.Close)
	e.slack = slackfake.New()
	t.Cleanup(e.slack.Close)
	e.sheets = sheetsfake.New()
	t.Cleanup(e.sheets.Close)
	e.sheets.AddSpreadsheet(spreadsheetID)
	// The service's limits, not the fake's lenient defaults: request bodies
	// under about 2 MB and 60 writes a minute per user.
	e.sheets.SetMaxBodyBytes(2 << 20)
	e.sheets.SetWriteQuota(60, time.Now)

	standIns := t.TempDir()
	e.auth, e.authRecord = filepath.Join(standIns, "auth"), filepath.Join(standIns, "auth-record")
	if err := os.MkdirAll(e.auth, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.auth, "action.yml"), []byte(authStandIn), 0o644); err != nil {
		t.Fatal(err)
	}
	return e
}

// withWorkloadIdentity sets the caller's variables that pricecheck.yml
// passes as the reusable workflow's google-* inputs.
func (e *env) withWorkloadIdentity(provider, account string) {
	e.extra = append(e.extra,
		"--var", "PRICECHECKER_WORKLOAD_IDENTITY_PROVIDER="+provider,
		"--var", "PRICECHECKER_SERVICE_ACCOUNT="+account,
	)
}

// authRan returns what the auth stand-in recorded, "" when it never ran.
func (e *env) authRan() string {
	data, _ := os.ReadFile(e.authRecord)
	return string(data)
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// act runs the workflow for an event and returns act's log.
func (e *env) act(event string, payload any) (string, error) {
	e.t.Helper()
	// On GitHub, actions/checkout gives every job the branch as it was when
	// the run started; act skips checkout and copies this work tree, so
	// bring it up to date with what earlier runs pushed.
	git(e.t, e.repo, "pull", "--quiet", "--ff-only", "origin", "main")
	data, _ := json.Marshal(payload)
	eventFile := filepath.Join(e.t.TempDir(), "event.json")
	if err := os.WriteFile(eventFile, data, 0o644); err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.actBin, event,
		"-W", ".github/workflows/pricecheck.yml",
		"-e", eventFile,
		"-P", "ubuntu-latest=-self-hosted",
		// The reusable workflow uses pricechecker/pricechecker@v1: this
		// source tree stands in for it, and GitHub is out of reach (the
		// action's release lookup fails at once and builds from source).
		"--local-repository", "pricechecker/pricechecker@v1="+e.repo,
		"--local-repository", "google-github-actions/auth@v2="+e.auth,
		"--env", "GOOGLE_AUTH_RECORD="+e.authRecord,
		"--github-instance", "127.0.0.1:9",
		"--env", "PRICECHECKER_ENDPOINT="+e.bulk.URL,
		"--env", "PRICECHECKER_SHEETS_ENDPOINT="+e.sheets.Endpoint(),
		"--env", "PRICECHECKER_SHEETS_ANONYMOUS=true",
		"--var", "PRICECHECKER_SPREADSHEET_ID="+spreadsheetID,
		"-s", "SLACK_WEBHOOK_URL="+e.slack.WebhookURL(),
	)
	cmd.Args = append(cmd.Args, e.extra...)
	cmd.Dir = e.repo
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if testing.Verbose() {
		e.t.Logf("act %s:\n%s", event, out.String())
	}
	return out.String(), err
}

func (e *env) originLog() []string {
	return strings.Split(git(e.t, e.origin, "log", "--format=%s", "main"), "\n")
}

func (e *env) originFile(path string) string {
	return git(e.t, e.origin, "show", "main:"+path)
}

const config = `offers:
  - code: AmazonRedshift
    regions: [us-east-1, eu-west-1]
    terms: [OnDemand]
    filters:
      productFamily: Compute Instance
    attributes: [instanceType, vcpu, memory]
`

var sha40 = regexp.MustCompile(`::set-output:: commit-sha=[0-9a-f]{40}`)

func TestRepositoryDispatchFansOutCommitsAndPublishes(t *testing.T) {
	e := setup(t, config)
	dispatch := map[string]any{
		"action":         "aws-price-list-update",
		"client_payload": map[string]any{"offerCode": "AmazonRedshift", "version": "20180309224506"},
	}
	log, err := e.act("repository_dispatch", dispatch)
	if err != nil {
		t.Fatalf("act failed: %v\n%s", err, tail(log))
	}

	// Two shards (one per region) committed and pushed; the rebase over
	// each other's push went through.
	commits := e.originLog()
	want := []string{
		"AmazonRedshift eu-west-1 20180309224506: 0 changed, 8 added, 0 removed",
		"AmazonRedshift us-east-1 20180309224506: 0 changed, 8 added, 0 removed",
	}
	if len(commits) != 3 || !sameSet(commits[:2], want) {
		t.Fatalf("origin commits = %q, want the start commit plus %q", commits, want)
	}
	manifest := e.originFile("prices/AmazonRedshift/manifest.json")
	for _, region := range []string{`"us-east-1"`, `"eu-west-1"`} {
		if !strings.Contains(manifest, region) {
			t.Errorf("merged manifest lacks %s:\n%s", region, manifest)
		}
	}
	if !strings.Contains(e.originFile("prices/AmazonRedshift/us-east-1.csv"), "EQZPNHDARH87W7S6.JRTCKXETXF.6YS6EN2CT7,EQZPNHDARH87W7S6,OnDemand,Hrs,0.2500000000,USD") {
		t.Error("us-east-1 snapshot lacks the dc1.large on-demand line at 0.2500000000")
	}
	// Outputs and job summary of the shards.
	for _, want := range []string{"::set-output:: changed=true", "::set-output:: added-count=8", "Summary - ## AWS price changes", `::set-output:: matrix=[{"offer":"AmazonRedshift","region":"us-east-1","version":"20180309224506"},{"offer":"AmazonRedshift","region":"eu-west-1","version":"20180309224506"}]`} {
		if !strings.Contains(log, want) {
			t.Errorf("act log lacks %q", want)
		}
	}
	if !sha40.MatchString(log) {
		t.Error("no commit-sha output with a full SHA")
	}
	// Pages is off unless the caller turns it on, and so is Workload
	// Identity Federation.
	if strings.Contains(log, pagesJob) {
		t.Error("the pages job ran although PRICECHECKER_PAGES is not set")
	}
	if got := e.authRan(); got != "" {
		t.Errorf("google-github-actions/auth ran without a workload identity provider: %q", got)
	}
	// The final job published to Sheets and Slack.
	for _, tab := range []string{"AmazonRedshift us-east-1", "AmazonRedshift eu-west-1", "Changes", "Status"} {
		if _, ok := e.sheets.Sheet(spreadsheetID, tab); !ok {
			t.Errorf("spreadsheet has no tab %q", tab)
		}
	}
	if rows := e.sheets.Values(spreadsheetID, "Changes"); len(rows) != 1+16 {
		t.Errorf("Changes tab has %d rows, want a header and 16 added lines", len(rows))
	}
	msgs := e.slack.Messages()
	if len(msgs) != 1 || !strings.Contains(string(msgs[0].Body), "AmazonRedshift") {
		t.Fatalf("slack got %d messages, want one about AmazonRedshift: %v", len(msgs), msgs)
	}

	// The same notification again is a no-op: no commit, nothing appended,
	// Slack stays silent.
	log, err = e.act("repository_dispatch", dispatch)
	if err != nil {
		t.Fatalf("second dispatch: %v\n%s", err, tail(log))
	}
	if got := e.originLog(); len(got) != 3 {
		t.Errorf("second dispatch of the same version made commits: %q", got)
	}
	if !strings.Contains(log, "already recorded") {
		t.Error("second dispatch did not say the version was already recorded")
	}
	if n := len(e.slack.Messages()); n != 1 {
		t.Errorf("slack got %d messages after a no-op run, want still 1", n)
	}
	if rows := e.sheets.Values(spreadsheetID, "Changes"); len(rows) != 1+16 {
		t.Errorf("Changes tab has %d rows after a no-op run, want 17", len(rows))
	}
}

func TestWorkflowDispatchDryRunWritesNothing(t *testing.T) {
	e := setup(t, config)
	log, err := e.act("workflow_dispatch", map[string]any{
		"inputs": map[string]any{"services": "AmazonRedshift", "regions": "us-east-1", "dry-run": true},
	})
	if err != nil {
		t.Fatalf("act failed: %v\n%s", err, tail(log))
	}
	if got := e.originLog(); len(got) != 1 {
		t.Errorf("a dry run pushed commits: %q", got)
	}
	if !strings.Contains(log, "| AmazonRedshift | us-east-1 | 20180401000000 | 9 | 0 | 0 |") {
		t.Error("the dry run did not print the change report")
	}
	if n := len(e.slack.Messages()); n != 0 {
		t.Errorf("a dry run posted %d Slack messages", n)
	}
	if _, ok := e.sheets.Sheet(spreadsheetID, "Changes"); ok {
		t.Error("a dry run wrote to the spreadsheet")
	}
}

func TestFailedShardIsReportedToSlack(t *testing.T) {
	// The daily schedule reads everything configured, Savings Plans included.
	e := setup(t, config+`savingsPlans:
  - code: AWSComputeSavingsPlan
    regions: [ap-east-2]
`)
	e.bulk.SetFault("/offers/v1.0/aws/AmazonRedshift/20180401000000/eu-west-1/", bulkfake.Fault{Status: 500, Times: 1000})
	log, err := e.act("schedule", map[string]any{"schedule": "37 5 * * *"})
	if err == nil {
		t.Fatalf("act succeeded although a shard could not download its file\n%s", tail(log))
	}
	if !strings.Contains(log, "::error::") || !strings.Contains(log, "HTTP 500") {
		t.Error("the failing shard did not annotate its error")
	}
	// The healthy shards still landed their commits.
	commits := e.originLog()
	if len(commits) != 3 || !slices.ContainsFunc(commits, func(c string) bool { return strings.HasPrefix(c, "AmazonRedshift us-east-1 20180401000000") }) ||
		!slices.ContainsFunc(commits, func(c string) bool { return strings.HasPrefix(c, "AWSComputeSavingsPlan ap-east-2 ") }) {
		t.Errorf("origin commits = %q, want the us-east-1 and the Savings Plans shards' commits", commits)
	}
	msgs := e.slack.Messages()
	if len(msgs) != 1 || !strings.Contains(string(msgs[0].Body), "failed") || !strings.Contains(string(msgs[0].Body), "shard") {
		t.Fatalf("slack messages = %v, want one failure message naming the shard job", msgs)
	}
	if !strings.Contains(string(msgs[0].Body), "AWSComputeSavingsPlan") {
		t.Error("the message does not list the Savings Plans changes that were recorded")
	}
	// What was recorded is published, Savings Plans rates included.
	if _, ok := e.sheets.Sheet(spreadsheetID, "AWSComputeSavingsPlan ap-east-2"); !ok {
		t.Error("the spreadsheet has no Savings Plans tab")
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, s := range a {
		seen[s]++
	}
	for _, s := range b {
		seen[s]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}

func tail(s string) string {
	if len(s) > 6000 {
		return "…" + s[len(s)-6000:]
	}
	return s
}

func TestDispatchForAnUntrackedOfferRunsNoShardAndNoNotify(t *testing.T) {
	// The relay forwards every AWS notification its AllowedOffers let
	// through; the config here tracks Redshift only.
	e := setup(t, config)
	log, err := e.act("repository_dispatch", map[string]any{
		"action":         "aws-price-list-update",
		"client_payload": map[string]any{"offerCode": "AmazonEC2", "version": "20180309224506"},
	})
	if err != nil {
		t.Fatalf("act failed: %v\n%s", err, tail(log))
	}
	if !strings.Contains(log, "::set-output:: shards=0") {
		t.Errorf("the plan did not output zero shards\n%s", tail(log))
	}
	for _, job := range []string{"pricecheck-reusable/shard", "pricecheck-reusable/notify"} {
		if strings.Contains(log, "["+"pricecheck/"+job) {
			t.Errorf("job %s ran for an empty plan", job)
		}
	}
	if got := e.originLog(); len(got) != 1 {
		t.Errorf("an empty plan pushed commits: %q", got)
	}
	if n := len(e.slack.Messages()); n != 0 {
		t.Errorf("an empty plan posted %d Slack messages", n)
	}
}
