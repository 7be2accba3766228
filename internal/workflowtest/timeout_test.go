package workflowtest

import (
	"os"
	"path/filepath"
	"testing"

	"go.yaml.in/yaml/v3"
)

// Every job of every workflow sets timeout-minutes (a job that calls a
// reusable workflow cannot: the called workflow's jobs do): GitHub's default is six
// hours, which a hung runner would hold (and, for pricecheck.yml, the
// concurrency group with it). It reads the files only; no act.
func TestEveryJobHasATimeout(t *testing.T) {
	files, err := filepath.Glob("../../.github/workflows/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no workflows: %v", err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var wf struct {
			Jobs map[string]struct {
				TimeoutMinutes int    `yaml:"timeout-minutes"`
				Uses           string `yaml:"uses"`
			} `yaml:"jobs"`
		}
		if err := yaml.Unmarshal(data, &wf); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(wf.Jobs) == 0 {
			t.Errorf("%s: no jobs", name)
		}
		for job, j := range wf.Jobs {
			if j.Uses != "" {
				continue // a reusable workflow's jobs set their own; GitHub allows none here
			}
			if j.TimeoutMinutes <= 0 || j.TimeoutMinutes > 60 {
				t.Errorf("%s: job %s has timeout-minutes %d, want 1 to 60", filepath.Base(name), job, j.TimeoutMinutes)
			}
		}
	}
}
