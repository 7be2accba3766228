// Package gitstore keeps pricechecker's price history in git: the repository
// that runs the action is the price database, and every published AWS
// version that changed a snapshot is one commit. It commits and pushes
// snapshots (rebasing over concurrent runs), and reads the history back:
// the price of selected lines over time, the prices in force at a date, and
// the change report between two points.
//
// Everything goes through the real git binary (exec.CommandContext, always
// with -C, LC_ALL=C and GIT_TERMINAL_PROMPT=0), so that it behaves exactly
// like git on the runner, credentials helpers and all. Identity is passed
// explicitly; nothing relies on the user's global configuration for it.
package gitstore

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
)

// Identity is a git author or committer.
type Identity struct {
	Name  string
	Email string
}

// DefaultIdentity is the GitHub Actions bot, the identity GitHub shows with
// its avatar on commits made by workflows.
var DefaultIdentity = Identity{
	Name:  "github-actions[bot]",
	Email: "41898282+github-actions[bot]@users.noreply.github.com",
}

func (id Identity) orDefault() Identity {
	if id.Name == "" {
		id.Name = DefaultIdentity.Name
	}
	if id.Email == "" {
		id.Email = DefaultIdentity.Email
	}
	return id
}

// args returns the -c options that make id the author and committer.
func (id Identity) args() []string {
	return []string{"-c", "user.name=" + id.Name, "-c", "user.email=" + id.Email}
}

// env returns the environment that makes id the author and committer; it
// wins over GIT_AUTHOR_* variables the runner may have set.
func (id Identity) env() []string {
	return []string{
		"GIT_AUTHOR_NAME=" + id.Name, "GIT_AUTHOR_EMAIL=" + id.Email,
		"GIT_COMMITTER_NAME=" + id.Name, "GIT_COMMITTER_EMAIL=" + id.Email,
	}
}

// gitCmd describes one git invocation.
type gitCmd struct {
	dir   string
	args  []string
	env   []string
	stdin io.Reader
}

// command builds the exec.Cmd for c, with the fixed environment every
// call gets.
func (c gitCmd) command(ctx context.Context) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", c.dir}, c.args...)...)
	cmd.Env = append(os.Environ(), "LC_ALL=C", "GIT_TERMINAL_PROMPT=0")
	cmd.Env = append(cmd.Env, c.env...)
	cmd.Stdin = c.stdin
	return cmd
}

// run runs c and returns its standard output. A failure is an *Error that
// carries git's (redacted) standard error.
func (c gitCmd) run(ctx context.Context) (string, error) {
	cmd := c.command(ctx)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return stdout.String(), ctx.Err()
		}
		return stdout.String(), &Error{Args: c.args, Stderr: Redact(strings.TrimSpace(stderr.String())), Err: err}
	}
	return stdout.String(), nil
}

// git runs git in dir with args.
func git(ctx context.Context, dir string, args ...string) (string, error) {
	return gitCmd{dir: dir, args: args}.run(ctx)
}

// Error is a git command that failed.
type Error struct {
	Args   []string
	Stderr string
	Err    error
}

func (e *Error) Error() string {
	name := "git"
	for i := 0; i < len(e.Args); i++ {
		if e.Args[i] == "-c" {
			i++ // skip the option's value
			continue
		}
		name += " " + e.Args[i]
		break
	}
	if e.Stderr == "" {
		return fmt.Sprintf("%s: %v", name, e.Err)
	}
	return fmt.Sprintf("%s: %s (%v)", name, e.Stderr, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

var credentials = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s]+@`)

// Redact hides the credentials of URLs such as https://user:token@host, so
// that git's messages can be printed in a public workflow log.
func Redact(s string) string {
	return credentials.ReplaceAllString(s, "${1}***@")
}
