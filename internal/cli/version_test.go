package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestVersionCommandAndFlag(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		var out, errOut bytes.Buffer
		code := Main(context.Background(), args, Env{Stdout: &out, Stderr: &errOut})
		if code != ExitOK {
			t.Errorf("%q: exit %d, stderr %q", args, code, errOut.String())
		}
		// A test binary has no module version: "devel", with the Go version.
		if got := out.String(); !strings.HasPrefix(got, "pricechecker devel") || !strings.Contains(got, "go1.") || strings.Count(got, "\n") != 1 {
			t.Errorf("%q printed %q, want one line naming the version and Go", args, got)
		}
	}
	var out, errOut bytes.Buffer
	if code := Main(context.Background(), []string{"version", "extra"}, Env{Stdout: &out, Stderr: &errOut}); code != ExitUsage {
		t.Errorf("version with an argument: exit %d, want %d", code, ExitUsage)
	}
}
