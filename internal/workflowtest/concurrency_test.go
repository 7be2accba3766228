package workflowtest

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// GitHub keeps one pending run per concurrency group and replaces it with
// the newest: a manual run or a Savings Plans dispatch in the daily sweep's
// group would cancel the pending sweep. act ignores concurrency, so this
// evaluates the group expression for each trigger. It reads the file only.
func TestConcurrencyGroupsKeepTheDailySweep(t *testing.T) {
	data, err := os.ReadFile("../../.github/workflows/pricecheck-reusable.yml")
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Concurrency struct {
			Group            string `yaml:"group"`
			CancelInProgress bool   `yaml:"cancel-in-progress"`
		} `yaml:"concurrency"`
	}
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatal(err)
	}
	if wf.Concurrency.Group == "" || wf.Concurrency.CancelInProgress {
		t.Fatalf("concurrency = %+v, want a group that never cancels a run in progress", wf.Concurrency)
	}
	runs := map[string]map[string]string{
		"daily sweep":          {"github.workflow": "pricecheck", "github.event_name": "schedule"},
		"manual run":           {"github.workflow": "pricecheck", "github.event_name": "workflow_dispatch"},
		"manual EC2 run":       {"github.workflow": "pricecheck", "github.event_name": "workflow_dispatch", "inputs.services": "AmazonEC2"},
		"EC2 dispatch":         {"github.workflow": "pricecheck", "github.event_name": "repository_dispatch", "github.event.client_payload.offerCode": "AmazonEC2"},
		"Savings Plans":        {"github.workflow": "pricecheck", "github.event_name": "repository_dispatch", "github.event.client_payload.offerCode": "AWSComputeSavingsPlan"},
		"S3 dispatch":          {"github.workflow": "pricecheck", "github.event_name": "repository_dispatch", "github.event.client_payload.offerCode": "AmazonS3"},
		"other workflow sweep": {"github.workflow": "prices-eu", "github.event_name": "schedule"},
	}
	groups := map[string]string{}
	for name, ctx := range runs {
		g := evalGroup(t, wf.Concurrency.Group, ctx)
		if other, ok := groups[g]; ok {
			t.Errorf("%s and %s share the concurrency group %q: one would replace the other while pending", name, other, g)
		}
		groups[g] = name
	}
	// Two dispatches for one offer do share a group: a burst collapses into
	// the newest notification.
	ec2 := runs["EC2 dispatch"]
	if evalGroup(t, wf.Concurrency.Group, ec2) != evalGroup(t, wf.Concurrency.Group, map[string]string{"github.workflow": "pricecheck", "github.event_name": "repository_dispatch", "github.event.client_payload.offerCode": "AmazonEC2", "github.event.client_payload.version": "2"}) {
		t.Error("two dispatches for the same offer are in different groups")
	}
}

var expr = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// evalGroup evaluates the ${{ a || b || 'literal' }} expressions a group
// uses: context paths (unset ones are empty) joined by ||.
func evalGroup(t *testing.T, group string, ctx map[string]string) string {
	return expr.ReplaceAllStringFunc(group, func(m string) string {
		inner := expr.FindStringSubmatch(m)[1]
		for _, term := range strings.Split(inner, "||") {
			term = strings.TrimSpace(term)
			if strings.HasPrefix(term, "'") && strings.HasSuffix(term, "'") {
				return strings.Trim(term, "'")
			}
			if !regexp.MustCompile(`^[a-z_.A-Z-]+$`).MatchString(term) {
				t.Fatalf("cannot evaluate %q in the concurrency group", term)
			}
			if v := ctx[term]; v != "" {
				return v
			}
		}
		return ""
	})
}
