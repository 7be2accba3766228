package workflowtest

import (
	"os"
	"testing"

	"go.yaml.in/yaml/v3"
)

// GitHub refuses to start a call of a reusable workflow whose caller grants
// less than one of the called jobs asks for, even when that job (or the
// step that needs it, such as notify's Workload Identity Federation
// sign-in) would be skipped: pricecheck.yml's job must cover every job of
// pricecheck-reusable.yml. It reads the files only; no act.
func TestCallerGrantsWhatEveryCalledJobAsks(t *testing.T) {
	type jobs struct {
		Jobs map[string]struct {
			Uses        string            `yaml:"uses"`
			Permissions map[string]string `yaml:"permissions"`
		} `yaml:"jobs"`
	}
	read := func(name string) jobs {
		data, err := os.ReadFile("../../.github/workflows/" + name)
		if err != nil {
			t.Fatal(err)
		}
		var wf jobs
		if err := yaml.Unmarshal(data, &wf); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return wf
	}
	caller, called := read("pricecheck.yml"), read("pricecheck-reusable.yml")
	call, ok := caller.Jobs["pricecheck"]
	if !ok || call.Uses != "./.github/workflows/pricecheck-reusable.yml" {
		t.Fatalf("pricecheck.yml's job pricecheck does not call pricecheck-reusable.yml: %+v", call)
	}
	level := map[string]int{"": 0, "none": 0, "read": 1, "write": 2}
	for name, job := range called.Jobs {
		if job.Permissions == nil {
			t.Errorf("pricecheck-reusable.yml: job %s sets no permissions (it would ask for the caller's all)", name)
		}
		for scope, want := range job.Permissions {
			if level[call.Permissions[scope]] < level[want] {
				t.Errorf("job %s asks for %s: %s; the caller grants %q", name, scope, want, call.Permissions[scope])
			}
		}
	}
	// notify's Workload Identity Federation step needs the run's OIDC token.
	if called.Jobs["notify"].Permissions["id-token"] != "write" {
		t.Error("notify does not ask for id-token: write, which google-github-actions/auth needs")
	}
}
