//go:build unix

package testkit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// RIEInstall is how to install aws-lambda-rie, the Lambda Runtime API
// emulator the relay's end-to-end tests run the binary behind.
const RIEInstall = "go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d"

// FindRIE looks for aws-lambda-rie on PATH, then in $(go env GOPATH)/bin,
// and returns "" when neither has it.
func FindRIE() string {
	if p, err := exec.LookPath("aws-lambda-rie"); err == nil {
		return p
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, dir := range filepath.SplitList(strings.TrimSpace(string(out))) {
			p := filepath.Join(dir, "bin", "aws-lambda-rie")
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	return ""
}

// FreeAddr is a 127.0.0.1 address no one listens on (yet).
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Lambda is a function binary running behind aws-lambda-rie: one warm
// execution environment, as SNS's redeliveries meet it.
type Lambda struct {
	addr string
	// Out is the emulator's output, the function's logs included.
	Out *SyncBuffer
	// done counts the invocations answered, to wait for their logs.
	done atomic.Int64
}

// StartLambda starts bootstrap under the emulator rie with env, and stops
// both when the test ends (showing their output if it failed).
func StartLambda(t testing.TB, rie, bootstrap string, env []string) *Lambda {
	t.Helper()
	addr, apiAddr := FreeAddr(t), FreeAddr(t)
	out := &SyncBuffer{}
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", addr, "--runtime-api-address", apiAddr, bootstrap)
	cmd.Env = env
	cmd.Dir = filepath.Dir(bootstrap)
	cmd.Stdout, cmd.Stderr = out, out
	// Own process group, so that the bootstrap the emulator starts is
	// stopped with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("emulator did not stop")
		}
		if t.Failed() {
			t.Logf("emulator output:\n%s", out.String())
		}
	})
	for deadline := time.Now().Add(15 * time.Second); ; {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			break
		}
		select {
		case <-done:
			t.Fatalf("emulator exited:\n%s", out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("emulator not listening on %s after 15s:\n%s", addr, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return &Lambda{addr: addr, Out: out}
}

// Call delivers an event and returns the function's answer, or the
// invocation's errorMessage when the function failed (SNS would then
// redeliver).
func (l *Lambda) Call(t testing.TB, event []byte) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+l.addr+"/2015-03-31/functions/function/invocations", bytes.NewReader(event))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var fnErr struct {
		ErrorMessage string `json:"errorMessage"`
	}
	l.awaitLogs(t)
	if json.Unmarshal(body, &fnErr) == nil && fnErr.ErrorMessage != "" {
		return nil, errors.New(fnErr.ErrorMessage)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("invoke: HTTP %d: %s", resp.StatusCode, body)
	}
	return body, nil
}

// awaitLogs waits until the emulator has printed the END line of every
// invocation answered so far. The answer can reach the caller before the
// function's log lines reach Out (they come through the emulator's output
// pipe), so a test that reads Out right after Call would race; the END
// line follows the function's lines in that pipe.
func (l *Lambda) awaitLogs(t testing.TB) {
	t.Helper()
	want := int(l.done.Add(1))
	for deadline := time.Now().Add(10 * time.Second); ; {
		if strings.Count(l.Out.String(), "END RequestId:") >= want {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("the emulator printed no END line for invocation %d within 10s", want)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Invoke delivers an event; it returns the invocation's error message, or
// nil when the function succeeded.
func (l *Lambda) Invoke(t testing.TB, event []byte) error {
	t.Helper()
	_, err := l.Call(t, event)
	return err
}
