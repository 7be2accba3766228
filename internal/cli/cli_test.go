package cli_test

import (
	"context"
	"flag"
	"os"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/pricechecker/pricechecker/internal/cli"
	"github.com/pricechecker/pricechecker/internal/source/bulk/bulkfake"
	"github.com/pricechecker/pricechecker/internal/source/pricingapi/pricingfake"
	"github.com/pricechecker/pricechecker/internal/testkit"
)

var update = flag.Bool("update", false, "rewrite the expected files of cmp commands in testdata/script")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"pricechecker": func() {
			os.Exit(cli.Main(context.Background(), os.Args[1:], cli.Env{Getenv: os.Getenv, Stdout: os.Stdout, Stderr: os.Stderr}))
		},
	})
}

// TestScripts runs the command-line scripts in testdata/script. Each script
// gets $MIRROR (a file:// URL of the shipped demo mirror) and $BULK (an
// httptest fake of the Bulk API serving the same files), $PRICING (an
// httptest fake of the Pricing service API serving the same mirror, with
// static AWS credentials in the environment), the fakes notify publishes
// to (see startPublishFakes), and the commands `bulkfault`,
// `bulktruncate`, `pricingthrottle` and `pricingpagesize`
// to make the fakes misbehave (`fakes` and `fakefail` for the publishing
// fakes).
func TestScripts(t *testing.T) {
	mirror := testkit.Mirror(t)
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Setup: func(env *testscript.Env) error {
			srv := bulkfake.New(mirror)
			env.Defer(srv.Close)
			env.Values["bulk"] = srv
			env.Setenv("BULK", srv.URL)
			env.Setenv("MIRROR", "file://"+mirror)
			env.Setenv("PRICECHECKER_ENDPOINT", "")

			api := pricingfake.New(mirror)
			env.Defer(api.Close)
			env.Values["pricing"] = api
			env.Setenv("PRICING", api.URL)
			env.Setenv("PRICECHECKER_PRICING_ENDPOINT", "")
			env.Setenv("AWS_ACCESS_KEY_ID", "AKIDPRICECHECKERTEST")
			env.Setenv("AWS_SECRET_ACCESS_KEY", "pricechecker-test-secret")
			env.Setenv("AWS_EC2_METADATA_DISABLED", "true")

			startPublishFakes(env)
			return nil
		},
		Cmds: withCmds(publishCmds, map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// bulkfault PATH-PREFIX STATUS TIMES [RETRY-AFTER]
			"bulkfault": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) < 3 {
					ts.Fatalf("usage: bulkfault prefix status times [retry-after]")
				}
				status, _ := strconv.Atoi(args[1])
				times, _ := strconv.Atoi(args[2])
				f := bulkfake.Fault{Status: status, Times: times}
				if len(args) > 3 {
					f.RetryAfter = args[3]
				}
				ts.Value("bulk").(*bulkfake.Server).SetFault(args[0], f)
			},
			// pricingthrottle N: the next N Pricing API calls are throttled.
			"pricingthrottle": func(ts *testscript.TestScript, neg bool, args []string) {
				n, _ := strconv.Atoi(args[0])
				ts.Value("pricing").(*pricingfake.Server).Throttle(n)
			},
			// pricingexpire N: the N-th page token presented from now
			// finds every token handed out so far expired, once.
			"pricingexpire": func(ts *testscript.TestScript, neg bool, args []string) {
				n, _ := strconv.Atoi(args[0])
				ts.Value("pricing").(*pricingfake.Server).ExpireAtUse(n)
			},
			// pricingpagesize N: pages of at most N entries.
			"pricingpagesize": func(ts *testscript.TestScript, neg bool, args []string) {
				n, _ := strconv.Atoi(args[0])
				ts.Value("pricing").(*pricingfake.Server).SetPageSize(n)
			},
			"bulkreset": func(ts *testscript.TestScript, neg bool, args []string) {
				ts.Value("bulk").(*bulkfake.Server).Reset()
			},
			// bulktruncate PATH-PREFIX BYTES
			"bulktruncate": func(ts *testscript.TestScript, neg bool, args []string) {
				n, _ := strconv.ParseInt(args[1], 10, 64)
				ts.Value("bulk").(*bulkfake.Server).SetFault(args[0], bulkfake.Fault{TruncateAt: n})
			},
		}),
	})
}

// withCmds is the union of sets of script commands.
func withCmds(sets ...map[string]func(ts *testscript.TestScript, neg bool, args []string)) map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	all := map[string]func(ts *testscript.TestScript, neg bool, args []string){}
	for _, set := range sets {
		for name, cmd := range set {
			all[name] = cmd
		}
	}
	return all
}
