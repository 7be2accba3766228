package doctest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Session runs a page's command blocks in order in one bash, as a reader
// types them into one terminal: a block's cd and variables carry over to
// the next. The first failing command stops it (set -euo pipefail).
type Session struct {
	Dir string   // the working directory the first block starts in
	Env []string // the whole environment
}

// Run runs the blocks and returns their combined output. The error names
// the block that failed, or the output line a console block shows that its
// command did not print.
func (s Session) Run(ctx context.Context, blocks []Block) (string, error) {
	tmp, err := os.MkdirTemp("", "doctest-session-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	done := filepath.Join(tmp, "done")

	var script strings.Builder
	script.WriteString("set -euo pipefail\n")
	for i, b := range blocks {
		fmt.Fprintf(&script, "printf '\\n$ # %%s\\n' %s\n", shellQuote(b.Where()))
		for k, st := range b.Steps() {
			if b.Lang != "console" {
				script.WriteString(st.Command + "\n")
				continue
			}
			// The command runs in this shell (a cd carries over); its
			// standard output is kept to compare with what the page shows.
			out := shellQuote(filepath.Join(tmp, fmt.Sprintf("%d-%d", i, k)))
			fmt.Fprintf(&script, "{ %s\n} >%s\ncat %s\n", st.Command, out, out)
		}
		fmt.Fprintf(&script, "echo %s >>%s\n", shellQuote(b.Where()), shellQuote(done))
	}

	cmd := exec.CommandContext(ctx, "bash", "-c", script.String())
	cmd.Dir, cmd.Env = s.Dir, s.Env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if runErr := cmd.Run(); runErr != nil {
		finished, _ := os.ReadFile(done)
		n := len(strings.Fields(string(finished)))
		if n < len(blocks) {
			return out.String(), fmt.Errorf("the block at %s failed: %w", blocks[n].Where(), runErr)
		}
		return out.String(), fmt.Errorf("the session failed after its last block: %w", runErr)
	}
	for i, b := range blocks {
		for k, st := range b.Steps() {
			if len(st.Output) == 0 {
				continue
			}
			printed, err := os.ReadFile(filepath.Join(tmp, fmt.Sprintf("%d-%d", i, k)))
			if err != nil {
				return out.String(), err
			}
			if line, missing := Missing(st.Output, string(printed)); missing {
				return out.String(), fmt.Errorf("the block at %s: $ %s did not print %q; it printed:\n%s", b.Where(), st.Command, line, printed)
			}
		}
	}
	return out.String(), nil
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
