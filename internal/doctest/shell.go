package doctest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
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
// the block that failed.
func (s Session) Run(ctx context.Context, blocks []Block) (string, error) {
	done, err := os.CreateTemp("", "doctest-done-*")
	if err != nil {
		return "", err
	}
	done.Close()
	defer os.Remove(done.Name())

	var script strings.Builder
	script.WriteString("set -euo pipefail\n")
	for _, b := range blocks {
		fmt.Fprintf(&script, "printf '\\n$ # %%s\\n' %s\n", shellQuote(b.Where()))
		script.WriteString(b.Commands())
		// A block that leaves a command failing in a pipeline or a
		// condition still ran to its end: record that it did.
		fmt.Fprintf(&script, "\necho %s >>%s\n", shellQuote(b.Where()), shellQuote(done.Name()))
	}

	cmd := exec.CommandContext(ctx, "bash", "-c", script.String())
	cmd.Dir, cmd.Env = s.Dir, s.Env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	runErr := cmd.Run()
	if runErr == nil {
		return out.String(), nil
	}
	finished, _ := os.ReadFile(done.Name())
	n := len(strings.Fields(string(finished)))
	if n < len(blocks) {
		return out.String(), fmt.Errorf("the block at %s failed: %w", blocks[n].Where(), runErr)
	}
	return out.String(), fmt.Errorf("the session failed after its last block: %w", runErr)
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
