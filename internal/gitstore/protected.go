package gitstore

import (
	"errors"
	"strings"
)

// ProtectedAdvice is what to do when the remote refuses a push because the
// branch is protected (a branch protection rule or a ruleset).
const ProtectedAdvice = "the branch is protected: let the workflow's token push (a ruleset bypass) or pass branch: to record on a data branch"

// protected reports whether a push was refused by GitHub's branch
// protection: "GH006: Protected branch update failed" (a protection rule),
// "GH013: Repository rule violations found" (a ruleset), or git's
// "[remote rejected] main -> main (protected branch hook declined)".
func protected(err error) bool {
	var gerr *Error
	if !errors.As(err, &gerr) {
		return false
	}
	for _, s := range []string{"GH006", "GH013", "protected branch"} {
		if strings.Contains(strings.ToLower(gerr.Stderr), strings.ToLower(s)) {
			return true
		}
	}
	return false
}
