package tracker

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// Without a configuration a run fetches what a repository_dispatch names,
// while a plan checks it against the (empty) configuration and plans
// nothing; with one, both skip what it does not track and say so.
func TestResolveDispatch(t *testing.T) {
	t.Chdir(t.TempDir()) // no default configuration file here
	var log bytes.Buffer
	run := Selection{Dispatched: true, DispatchedServices: []string{"AmazonRedshift"}, Regions: []string{"us-east-1"}, Log: &log}
	cfg, err := Resolve(run)
	if err != nil || len(cfg.Offers) != 1 || cfg.Offers[0].Code != "AmazonRedshift" {
		t.Fatalf("run without a config: %+v, %v", cfg.Offers, err)
	}
	plan := run
	plan.OnlyTracked = true
	if _, err := Resolve(plan); !errors.Is(err, ErrNotTracked) {
		t.Errorf("plan without a config: %v, want ErrNotTracked", err)
	}
	if !strings.Contains(log.String(), "offer AmazonRedshift is not in the configuration") {
		t.Errorf("log = %q", log.String())
	}
}
