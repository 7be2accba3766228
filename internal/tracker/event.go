package tracker

import "github.com/pricechecker/pricechecker/internal/actions"

// FromEvent lets the event that started the workflow choose what to fetch
// where the command line does not (given reports whether it does, by flag
// name): a repository_dispatch names offers and a version, checked against
// the configuration; a workflow_dispatch carries the manual inputs.
func (s *Selection) FromEvent(ev actions.Event, version *string, given func(flag string) bool) {
	if !given("service") && ev.Name == "repository_dispatch" {
		s.Dispatched, s.DispatchAction, s.DispatchedServices = true, ev.Action, ev.Services
	} else if !given("service") && len(ev.Services) > 0 {
		s.Services = ev.Services
	}
	if !given("region") && len(ev.Regions) > 0 {
		s.Regions = ev.Regions
	}
	if !given("version") && ev.Version != "" {
		*version = ev.Version
	}
}
