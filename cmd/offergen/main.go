// Command offergen writes synthetic AWS Price List offer files of the size
// and shape of a regional EC2 offer, lays them out as a Bulk API mirror,
// and runs the baseline passes the performance goals are measured against.
//
//	offergen gen -format json|csv -o FILE [-size 480MB | -products N] [-region R] [-version V] [-seed N]
//	offergen mirror -dir DIR [-version V] [-region R[,R...]] [-formats json,csv] [-size ...] [-seed N]
//	offergen walk-json FILE    bare jsontext token pass; prints the token count
//	offergen walk-csv FILE     bare encoding/csv pass; prints the record count
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/pricechecker/pricechecker/internal/offergen"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

const usage = `usage:
  offergen gen -format json|csv -o FILE [-size 480MB | -products N] [-region us-east-1] [-version V] [-seed N]
  offergen mirror -dir DIR [-version V] [-region us-east-1[,...]] [-formats json,csv] [-size 480MB | -products N] [-seed N]
  offergen walk-json FILE
  offergen walk-csv FILE

-size is the size of the JSON rendering (B, KB, MB, GB or KiB, MiB, GiB);
the CSV of the same offer is about 0.63 of it. The same flags give the
same products in both formats, byte for byte the same on every run.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func exitCode(err error, stderr io.Writer) int {
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stderr, usage)
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "offergen: %v\n\n%s", err, usage)
		return exitUsage
	}
	fmt.Fprintf(stderr, "offergen: %v\n", err)
	return exitFailure
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"no command"}
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "gen":
		return runGen(ctx, rest, stdout, stderr)
	case "mirror":
		return runMirror(ctx, rest, stderr)
	case "walk-json", "walk-csv":
		return runWalk(cmd, rest, stdout)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		return usageError{fmt.Sprintf("unknown command %q", cmd)}
	}
}

// offerFlags are the flags gen and mirror share.
type offerFlags struct {
	size     string
	products int
	version  string
	pubDate  string
	offer    string
	seed     uint64
}

func (f *offerFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.size, "size", "480MB", "target size of the JSON rendering")
	fs.IntVar(&f.products, "products", 0, "number of products (overrides -size)")
	fs.StringVar(&f.version, "version", "", "offer version, 14 digits (default from -date, else 20250912225308)")
	fs.StringVar(&f.pubDate, "date", "", "publication date, RFC 3339 (default from -version)")
	fs.StringVar(&f.offer, "offer", offergen.DefaultOfferCode, "offer code")
	fs.Uint64Var(&f.seed, "seed", 0, "data seed")
}

func (f *offerFlags) options() (offergen.Options, error) {
	o := offergen.Options{
		OfferCode:       f.offer,
		Version:         f.version,
		PublicationDate: f.pubDate,
		Products:        f.products,
		Seed:            f.seed,
	}
	if f.products == 0 {
		n, err := parseSize(f.size)
		if err != nil {
			return o, usageError{err.Error()}
		}
		o.TargetBytes = n
	}
	return o, nil
}

func newFlagSet(name string) *flag.FlagSet {
	// The flag package's own messages are dropped: exitCode prints the
	// error once, followed by the usage above.
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	return nil
}

func runGen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("gen")
	var of offerFlags
	of.register(fs)
	format := fs.String("format", "json", "json or csv")
	out := fs.String("o", "", "output file (- for standard output)")
	region := fs.String("region", offergen.DefaultRegion, "region code")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usageError{"gen: -o FILE is required"}
	}
	if *format != "json" && *format != "csv" {
		return usageError{fmt.Sprintf("gen: -format %q: want json or csv", *format)}
	}
	o, err := of.options()
	if err != nil {
		return err
	}
	o.Region = *region
	// Resolve once: sizing the offer is a pass of its own.
	if o, err = o.Resolve(); err != nil {
		return err
	}
	if *out == "-" {
		return offergen.Generate(stdout, *format, o)
	}
	if err := writeAtomic(ctx, *out, func(w io.Writer) error {
		return offergen.Generate(w, *format, o)
	}); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "offergen: wrote %s: %s %s %s, %d products\n", *out, o.OfferCode, o.Region, o.Version, o.Products)
	return nil
}

func runMirror(ctx context.Context, args []string, stderr io.Writer) error {
	fs := newFlagSet("mirror")
	var of offerFlags
	of.register(fs)
	dir := fs.String("dir", "", "mirror root (the file:// endpoint)")
	regions := fs.String("region", offergen.DefaultRegion, "region codes, comma-separated")
	formats := fs.String("formats", "json,csv", "formats, comma-separated")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		return usageError{"mirror: -dir DIR is required"}
	}
	o, err := of.options()
	if err != nil {
		return err
	}
	if err := offergen.WriteMirror(ctx, *dir, offergen.MirrorOptions{
		Options: o,
		Regions: splitList(*regions),
		Formats: splitList(*formats),
	}); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "offergen: wrote mirror %s\n", *dir)
	return nil
}

func runWalk(cmd string, args []string, stdout io.Writer) error {
	fs := newFlagSet(cmd)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() != 1 {
		return usageError{cmd + ": want one FILE"}
	}
	name := fs.Arg(0)
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	walk, unit := offergen.WalkJSON, "tokens"
	if cmd == "walk-csv" {
		walk, unit = offergen.WalkCSV, "records"
	}
	n, err := walk(f)
	if err != nil {
		return fmt.Errorf("%s %s: %w", cmd, name, err)
	}
	fmt.Fprintf(stdout, "%d %s\n", n, unit)
	return nil
}

// writeAtomic writes name through fill: temp file beside it, sync, rename.
// A failed or interrupted run leaves no file under name.
func writeAtomic(ctx context.Context, name string, fill func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	// An interrupt stops the write at the next buffer flush.
	if err := fill(ctxWriter{ctx, tmp}); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}

type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// parseSize reads "480MB", "64KiB", "1e6" or "1000000" as bytes.
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{
		{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30},
		{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"K", 1e3}, {"M", 1e6}, {"G", 1e9}, {"B", 1},
	} {
		if strings.HasSuffix(strings.ToUpper(t), u.suffix) {
			t, mult = strings.TrimSpace(t[:len(t)-len(u.suffix)]), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v <= 0 || v*float64(mult) > 1<<50 {
		return 0, fmt.Errorf("size %q: want a positive size such as 480MB or 64KiB", s)
	}
	return int64(v * float64(mult)), nil
}
