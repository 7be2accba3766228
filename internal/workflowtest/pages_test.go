package workflowtest

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"slices"
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

// The stand-in for actions/cache, a JavaScript action like the real one
// (a composite action has no post step): a folder of entries, one per key,
// in $CACHE_STORE/entries, and the keys in the order they were saved in
// $CACHE_STORE/keys. main restores the entry of the key, or else the newest
// whose key starts with a restore key; post saves the path under the key
// unless main found that very key. Both log what they did in
// $CACHE_STORE/log ("restore KEY PATH", "save KEY PATH").
const cacheStandIn = `name: actions/cache stand-in
inputs:
  path:
    required: true
  key:
    required: true
  restore-keys:
    required: false
outputs:
  cache-hit:
    description: the key matched exactly
runs:
  using: node20
  main: main.js
  post: post.js
`

const cacheMain = `const fs = require("fs"), path = require("path");
const store = process.env.CACHE_STORE;
const target = process.env["INPUT_PATH"].trim(), key = process.env["INPUT_KEY"].trim();
const prefixes = (process.env["INPUT_RESTORE-KEYS"] || "").split("\n").map(s => s.trim()).filter(Boolean);
const keys = fs.existsSync(path.join(store, "keys")) ? fs.readFileSync(path.join(store, "keys"), "utf8").split("\n").filter(Boolean) : [];
let matched = keys.includes(key) ? key : "";
for (const p of prefixes) {
  if (matched) break;
  matched = keys.filter(k => k.startsWith(p)).pop() || "";
}
if (matched) {
  fs.mkdirSync(target, { recursive: true });
  fs.cpSync(path.join(store, "entries", encodeURIComponent(matched)), target, { recursive: true });
  fs.appendFileSync(path.join(store, "log"), "restore " + matched + " " + target + "\n");
  console.log("Cache restored from key: " + matched);
} else {
  console.log("Cache not found for input keys: " + [key, ...prefixes].join(", "));
}
fs.appendFileSync(process.env.GITHUB_OUTPUT, "cache-hit=" + (matched === key) + "\n");
fs.appendFileSync(process.env.GITHUB_STATE, "key=" + key + "\npath=" + target + "\nmatched=" + matched + "\n");
`

const cachePost = `const fs = require("fs"), path = require("path");
const store = process.env.CACHE_STORE;
const target = process.env.STATE_path || process.env["INPUT_PATH"].trim();
const key = process.env.STATE_key || process.env["INPUT_KEY"].trim();
if (process.env.STATE_matched === key) {
  console.log("Cache hit occurred on the primary key " + key + ", not saving cache.");
} else if (!fs.existsSync(target)) {
  console.log("Path does not exist: " + target);
} else {
  fs.cpSync(target, path.join(store, "entries", encodeURIComponent(key)), { recursive: true });
  fs.appendFileSync(path.join(store, "keys"), key + "\n");
  fs.appendFileSync(path.join(store, "log"), "save " + key + " " + target + "\n");
  console.log("Cache saved with key: " + key);
}
`

// withPages turns the pages job on (the caller's PRICECHECKER_PAGES
// variable) and returns the folder the Pages stand-ins record into and the
// actions/cache stand-in's store.
func (e *env) withPages() (record, cache string) {
	e.t.Helper()
	dir := e.t.TempDir()
	record, cache = filepath.Join(dir, "record"), filepath.Join(dir, "cache")
	files := map[string]string{
		"upload/action.yml":       uploadStandIn,
		"deploy/action.yml":       deployStandIn,
		"cache-action/action.yml": cacheStandIn,
		"cache-action/main.js":    cacheMain,
		"cache-action/post.js":    cachePost,
		"record/":                 "",
		"cache/entries/":          "",
	}
	for name, text := range files {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755); err != nil {
			e.t.Fatal(err)
		}
		if text != "" {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				e.t.Fatal(err)
			}
		}
	}
	e.extra = append(e.extra,
		"--local-repository", "actions/upload-pages-artifact@v3="+filepath.Join(dir, "upload"),
		"--local-repository", "actions/deploy-pages@v4="+filepath.Join(dir, "deploy"),
		"--local-repository", "actions/cache@v4="+filepath.Join(dir, "cache-action"),
		"--var", "PRICECHECKER_PAGES=true",
		"--var", "PRICECHECKER_SITE_BASE_URL=https://acme.github.io/prices/",
		"--env", "PAGES_RECORD="+record,
		"--env", "CACHE_STORE="+cache,
	)
	return record, cache
}

// seedCache stores an entry under key, as an earlier run would have.
func seedCache(t *testing.T, cache, key string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(cache, "entries", url.PathEscape(key), name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.OpenFile(filepath.Join(cache, "keys"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(key + "\n"); err != nil {
		t.Fatal(err)
	}
}

const (
	pagesJob  = "[pricecheck/pricecheck-reusable/pages"
	notifyJob = "[pricecheck/pricecheck-reusable/notify"
)

func TestPagesJobDeploysTheSiteOfWhatTheShardsPushed(t *testing.T) {
	e := setup(t, config)
	record, cache := e.withPages()
	// An earlier run's build of the branch: its state is not one this
	// pricechecker reads (the build starts over and replaces it), and a
	// file of its own shows where the folder went.
	const staleState = "the state of an earlier build"
	seedCache(t, cache, "pricechecker-site-main-0123456789abcdef0123456789abcdef01234567", map[string]string{
		".site-state.gob":   staleState,
		"earlier-build.txt": "restored",
	})
	// This caller signs in to Google with Workload Identity Federation too.
	e.withWorkloadIdentity("projects/123/locations/global/workloadIdentityPools/github/providers/acme", "prices@acme.iam.gserviceaccount.com")
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

	// The build went into the cached folder: the earlier build was restored
	// there before it (by the branch's restore key), and the folder, with
	// the new build's state, was saved after it under the commit built.
	head := git(t, e.origin, "rev-parse", "main")
	cacheLog, _ := os.ReadFile(filepath.Join(cache, "log"))
	var restored, saved []string
	for _, line := range strings.Split(strings.TrimSpace(string(cacheLog)), "\n") {
		switch f := strings.Fields(line); {
		case len(f) == 3 && f[0] == "restore":
			restored = f[1:]
		case len(f) == 3 && f[0] == "save":
			saved = f[1:]
		}
	}
	if len(restored) != 2 || restored[0] != "pricechecker-site-main-0123456789abcdef0123456789abcdef01234567" || filepath.Base(restored[1]) != "site" {
		t.Errorf("actions/cache restored %q, want the earlier build of main into the site folder\n%s", restored, cacheLog)
	}
	if len(saved) != 2 || saved[0] != "pricechecker-site-main-"+head || len(restored) == 2 && saved[1] != restored[1] {
		t.Errorf("actions/cache saved %q, want the restored folder under pricechecker-site-main-%s\n%s", saved, head, cacheLog)
	}
	entry := filepath.Join(cache, "entries", url.PathEscape("pricechecker-site-main-"+head))
	for _, f := range []string{"index.html", "offers.json", "earlier-build.txt"} {
		if _, err := os.Stat(filepath.Join(entry, f)); err != nil {
			t.Errorf("the saved build lacks %s", f)
		}
	}
	if state, err := os.ReadFile(filepath.Join(entry, ".site-state.gob")); err != nil || len(state) == 0 || string(state) == staleState {
		t.Errorf("the saved build does not hold this build's state (%v, %d bytes)", err, len(state))
	}

	// notify signed in with Workload Identity Federation before publishing.
	if got, want := e.authRan(), "provider=projects/123/locations/global/workloadIdentityPools/github/providers/acme\naccount=prices@acme.iam.gserviceaccount.com\n"; got != want {
		t.Errorf("google-github-actions/auth got %q, want %q", got, want)
	}
	var notifySteps []string
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, notifyJob) && strings.Contains(line, "Run Main ") {
			notifySteps = append(notifySteps, line[strings.Index(line, "Run Main ")+len("Run Main "):])
		}
	}
	auth := slices.IndexFunc(notifySteps, func(s string) bool { return strings.HasPrefix(s, "Sign in to Google") })
	publish := slices.IndexFunc(notifySteps, func(s string) bool { return strings.HasPrefix(s, "pricechecker/pricechecker@v1") })
	if auth < 0 || publish < 0 || auth > publish {
		t.Errorf("notify's steps %q: want the Google sign-in before pricechecker", notifySteps)
	}
	if _, ok := e.sheets.Sheet(spreadsheetID, "Changes"); !ok {
		t.Error("notify did not publish to the spreadsheet after signing in")
	}
	var offers []struct {
		OfferCode string `json:"offer_code"`
		Region    string `json:"region"`
		Version   string `json:"version"`
	}
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
