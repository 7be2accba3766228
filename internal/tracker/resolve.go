package tracker

import (
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/pricechecker/pricechecker/internal/config"
)

// ErrNotTracked says that a repository_dispatch named no configured offer.
var ErrNotTracked = errors.New("the notification names no offer the configuration tracks; nothing to do")

// Selection is what a run or a plan was asked to fetch: the configuration
// file, the offers and regions named on the command line or by the
// triggering event, and the repository_dispatch, if any, that started it.
type Selection struct {
	ConfigPath        string
	Services, Regions []string
	// Dispatched is true for a repository_dispatch naming DispatchedServices
	// (its event type is DispatchAction): they are checked against the
	// configuration.
	Dispatched         bool
	DispatchAction     string
	DispatchedServices []string
	// OnlyTracked checks a dispatch against the configuration even when
	// there is none (a plan then has no shard), where a run without one
	// fetches what the dispatch names.
	OnlyTracked bool

	// A run's overrides of the configuration, checked against it:
	// Version must be one every entry's source serves; FlagPct and
	// MaxRemovedPct, when set, replace the configuration's.
	Version                string
	FlagPct, MaxRemovedPct *float64
	// Log is told about dispatched offers the configuration ignores.
	Log io.Writer
}

// Resolve loads the configuration and narrows it to the selection.
// ErrNotTracked says a dispatch named nothing the configuration tracks.
func Resolve(s Selection) (config.Config, error) {
	cfg, err := LoadConfig(s.ConfigPath)
	if err != nil {
		return config.Config{}, UsageError{Err: err}
	}
	services := s.Services
	if s.Dispatched && (len(cfg.Offers) > 0 || s.OnlyTracked) {
		if services = Tracked(s.Log, cfg, s.DispatchAction, s.DispatchedServices); len(services) == 0 {
			return config.Config{}, ErrNotTracked
		}
	} else if s.Dispatched {
		services = s.DispatchedServices // no config: the notification says what to fetch
	}
	cfg, err = config.Resolve(cfg, services, s.Regions)
	if err != nil {
		return config.Config{}, UsageError{Err: err}
	}
	if s.Version != "" {
		for _, o := range cfg.Offers {
			if CurrentOnly(o) {
				return config.Config{}, UsageError{Err: fmt.Errorf("%s: --version %s: GetProducts serves only the current version; use api mode files (or the Bulk API) for a published version", o.Code, s.Version)}
			}
		}
	}
	if pct := s.FlagPct; pct != nil {
		if !(*pct > 0) || math.IsInf(*pct, 0) {
			return config.Config{}, UsageError{Err: fmt.Errorf("--flag-pct %v: want a positive percentage such as 25", *pct)}
		}
		cfg.FlagPct = *pct
	}
	if pct := s.MaxRemovedPct; pct != nil {
		if !(*pct >= 0 && *pct <= 100) {
			return config.Config{}, UsageError{Err: fmt.Errorf("--max-removed-pct %v: want a percentage from 0 to 100 such as 20 (100 turns the removal guard off)", *pct)}
		}
		cfg.MaxRemovedPct = pct
	}
	return cfg, nil
}

// CheckVersion refuses a version that is not the 14 digits AWS publishes.
func CheckVersion(v string) error {
	if v == "" {
		return nil
	}
	ok := len(v) == 14
	for _, c := range v {
		ok = ok && c >= '0' && c <= '9'
	}
	if !ok {
		return UsageError{Err: fmt.Errorf("--version %q: want the 14-digit version AWS publishes, such as 20250912225308", v)}
	}
	return nil
}
