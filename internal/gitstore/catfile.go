package gitstore

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
)

// catFile is one long-lived `git cat-file --batch`: it reads any number of
// blobs without a process per blob. Blobs are read one at a time into a
// buffer that is reused, so memory is the largest blob, however long the
// history.
type catFile struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	w   *bufio.Writer
	r   *bufio.Reader
	buf []byte
}

// startCatFile starts git cat-file. cacheLimit, when set, bounds git's
// delta base cache: small is fastest for a few reads of large files, the
// default (96 MB) is fastest for reading a file's whole history.
func startCatFile(ctx context.Context, dir, cacheLimit string) (*catFile, error) {
	var args []string
	if cacheLimit != "" {
		args = []string{"-c", "core.deltaBaseCacheLimit=" + cacheLimit}
	}
	cmd := gitCmd{dir: dir, args: append(args, "cat-file", "--batch")}.command(ctx)
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start git cat-file: %w", err)
	}
	return &catFile{cmd: cmd, in: in, w: bufio.NewWriter(in), r: bufio.NewReaderSize(out, 1<<16)}, nil
}

// read returns the blob named by spec (such as "<commit>:<path>"), or ok
// false when there is no such object (the file does not exist at that
// commit). The slice is valid until the next read.
func (c *catFile) read(spec string) (data []byte, ok bool, err error) {
	if err := c.request(spec); err != nil {
		return nil, false, err
	}
	if err := c.w.Flush(); err != nil {
		return nil, false, fmt.Errorf("cat-file %s: %w", spec, err)
	}
	return c.next(spec)
}

// request asks for an object; its answer comes once the writer is flushed.
func (c *catFile) request(spec string) error {
	if strings.ContainsAny(spec, "\n") {
		return fmt.Errorf("cat-file: bad object name %q", spec)
	}
	if _, err := c.w.WriteString(spec + "\n"); err != nil {
		return fmt.Errorf("cat-file %s: %w", spec, err)
	}
	return nil
}

// next reads the answer to the oldest request not yet read.
func (c *catFile) next(spec string) (data []byte, ok bool, err error) {
	head, err := c.r.ReadString('\n')
	if err != nil {
		return nil, false, fmt.Errorf("cat-file %s: %w", spec, unexpectedEOF(err))
	}
	// "<oid> <type> <size>" or "<spec> missing" / "<spec> ambiguous".
	fields := strings.Fields(head)
	if len(fields) != 3 {
		if strings.HasSuffix(strings.TrimSpace(head), " missing") {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("cat-file %s: %s", spec, strings.TrimSpace(head))
	}
	size, err := strconv.Atoi(fields[2])
	if err != nil {
		return nil, false, fmt.Errorf("cat-file %s: bad header %q", spec, head)
	}
	if cap(c.buf) < size+1 {
		c.buf = make([]byte, size+1+size/8) // room for the next, slightly larger version
	}
	buf := c.buf[:size+1] // the content and git's trailing newline
	if _, err := io.ReadFull(c.r, buf); err != nil {
		return nil, false, fmt.Errorf("cat-file %s: %w", spec, unexpectedEOF(err))
	}
	if fields[1] != "blob" {
		return nil, false, fmt.Errorf("cat-file %s: is a %s, not a file", spec, fields[1])
	}
	return buf[:size], true, nil
}

func unexpectedEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

func (c *catFile) close() error {
	c.in.Close()
	err := c.cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return nil // killed by the context or closed early: nothing to report
	}
	return err
}
