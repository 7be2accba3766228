package gitstore

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A pre-receive hook that refuses the push the way GitHub does for a
// protected branch (GH006) and for a ruleset (GH013): git then reports
// "[remote rejected] ... (pre-receive hook declined)" and the remote's lines.
func TestPushToProtectedBranchSaysWhatToDo(t *testing.T) {
	for name, refusal := range map[string]string{
		"protection rule": "remote: error: GH006: Protected branch update failed for refs/heads/main.\nremote: error: Changes must be made through a pull request.",
		"ruleset":         "remote: error: GH013: Repository rule violations found for refs/heads/main.\nremote: - Changes must be made through a pull request.",
	} {
		t.Run(name, func(t *testing.T) {
			isolate(t)
			ctx := context.Background()
			bare := remote(t)
			hook := "#!/bin/sh\ncat >/dev/null\nprintf '%s\\n' '" + strings.ReplaceAll(strings.ReplaceAll(refusal, "remote: ", ""), "\n", "' '") + "' >&2\nexit 1\n"
			if err := os.WriteFile(filepath.Join(bare, "hooks", "pre-receive"), []byte(hook), 0o755); err != nil {
				t.Fatal(err)
			}
			dir := clone(t, bare)
			write(t, dir, "prices/AmazonEC2/us-east-1.csv", "x\n")
			if _, _, err := Commit(ctx, dir, []string{"prices"}, "AmazonEC2 us-east-1", "", Identity{}); err != nil {
				t.Fatal(err)
			}
			err := Push(ctx, dir, "origin", "main", 3)
			if err == nil {
				t.Fatal("push to a protected branch succeeded")
			}
			if !strings.Contains(err.Error(), ProtectedAdvice) {
				t.Errorf("error does not say what to do:\n%v", err)
			}
			if strings.Contains(err.Error(), "still rejected") {
				t.Errorf("a protected branch was retried: %v", err)
			}
		})
	}
}
