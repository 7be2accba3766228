package workflowtest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The stand-ins for the Pages actions, which act cannot fetch offline:
// upload-pages-artifact keeps a copy of the folder it is given, and
// deploy-pages records that it ran and answers with a page_url, as the
// real ones do.
const uploadStandIn = `name: upload-pages-artifact stand-in
inputs:
  path:
    required: true
runs:
  using: composite
  steps:
    - shell: bash
      env:
        SITE: ${{ inputs.path }}
      run: cp -R "$SITE" "$PAGES_RECORD/artifact"
`

const deployStandIn = `name: deploy-pages stand-in
outputs:
  page_url:
    value: ${{ steps.deploy.outputs.page_url }}
runs:
  using: composite
  steps:
    - id: deploy
      shell: bash
      run: |
        test -d "$PAGES_RECORD/artifact" || { echo "deploy before upload"; exit 1; }
        touch "$PAGES_RECORD/deployed"
        echo "page_url=https://acme.github.io/prices/" >> "$GITHUB_OUTPUT"
`

// withPages turns the pages job on (the caller's PRICECHECKER_PAGES
// variable) and returns the folder the stand-ins record into.
func (e *env) withPages() string {
	e.t.Helper()
	dir := e.t.TempDir()
	record := filepath.Join(dir, "record")
	for name, text := range map[string]string{"upload": uploadStandIn, "deploy": deployStandIn, "record": ""} {
		if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
			e.t.Fatal(err)
		}
		if text != "" {
			if err := os.WriteFile(filepath.Join(dir, name, "action.yml"), []byte(text), 0o644); err != nil {
				e.t.Fatal(err)
			}
		}
	}
	e.extra = append(e.extra,
		"--local-repository", "actions/upload-pages-artifact@v3="+filepath.Join(dir, "upload"),
		"--local-repository", "actions/deploy-pages@v4="+filepath.Join(dir, "deploy"),
		"--var", "PRICECHECKER_PAGES=true",
		"--var", "PRICECHECKER_SITE_BASE_URL=https://acme.github.io/prices/",
		"--env", "PAGES_RECORD="+record,
	)
	return record
}

const pagesJob = "[pricecheck/pricecheck-reusable/pages"

func TestPagesJobDeploysTheSiteOfWhatTheShardsPushed(t *testing.T) {
	e := setup(t, config)
	record := e.withPages()
	log, err := e.act("repository_dispatch", map[string]any{
		"action":         "aws-price-list-update",
		"client_payload": map[string]any{"offerCode": "AmazonRedshift", "version": "20180309224506"},
	})
	if err != nil {
		t.Fatalf("act failed: %v\n%s", err, tail(log))
	}
	// The site job starts only once both shards have pushed.
	pagesStart := strings.Index(log, pagesJob)
	lastShard := strings.LastIndex(log, "push: ")
	if pagesStart < 0 || lastShard < 0 || pagesStart < lastShard {
		t.Fatalf("the pages job did not run after the shards' pushes (pages at %d, last push at %d)\n%s", pagesStart, lastShard, tail(log))
	}
	if _, err := os.Stat(filepath.Join(record, "deployed")); err != nil {
		t.Error("deploy-pages did not run")
	}
	if !strings.Contains(log, "https://acme.github.io/prices/") {
		t.Error("the deploy step's page_url does not appear in the log")
	}

	// The artifact is the site of the two commits the shards pushed.
	site := filepath.Join(record, "artifact")
	for _, f := range []string{"index.html", "feed.xml", "offers.json"} {
		if _, err := os.Stat(filepath.Join(site, f)); err != nil {
			t.Errorf("the uploaded site lacks %s", f)
		}
	}
	if _, err := os.Stat(filepath.Join(site, ".site-state.gob")); err == nil {
		t.Error("the uploaded site holds the build state")
	}
	var offers []struct{ OfferCode, Region, Version string }
	data, _ := os.ReadFile(filepath.Join(site, "offers.json"))
	if err := json.Unmarshal(data, &offers); err != nil {
		t.Fatalf("offers.json: %v\n%s", err, data)
	}
	regions := []string{}
	for _, o := range offers {
		if o.OfferCode != "AmazonRedshift" || o.Version != "20180309224506" {
			t.Errorf("offers.json lists %+v, want AmazonRedshift 20180309224506", o)
		}
		regions = append(regions, o.Region)
	}
	if !sameSet(regions, []string{"us-east-1", "eu-west-1"}) {
		t.Errorf("offers.json regions = %q, want us-east-1 and eu-west-1", regions)
	}
	feed, _ := os.ReadFile(filepath.Join(site, "feed.xml"))
	if n := strings.Count(string(feed), "<entry>"); n != 2 {
		t.Errorf("feed.xml has %d entries, want one per shard commit", n)
	}
	for _, sha := range strings.Split(git(t, e.origin, "log", "--format=%H", "-2", "main"), "\n") {
		if !strings.Contains(string(feed), sha) {
			t.Errorf("feed.xml does not mention the shard commit %s", sha)
		}
	}
	if !strings.Contains(string(feed), `<link href="https://acme.github.io/prices/feed.xml" rel="self"`) {
		t.Error("feed.xml's self link does not use PRICECHECKER_SITE_BASE_URL")
	}
}
