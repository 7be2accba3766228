// Package buildinfo says which pricechecker this is: the module version, the
// commit and the build date, read from what the Go toolchain records in the
// binary (debug.ReadBuildInfo) unless a release build stamped them with
// -ldflags -X (see .github/workflows/release.yml).
package buildinfo

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// Stamped by release builds:
//
//	go build -ldflags "-X github.com/pricechecker/pricechecker/internal/buildinfo.version=v1.2.3
//	  -X github.com/pricechecker/pricechecker/internal/buildinfo.commit=<sha>
//	  -X github.com/pricechecker/pricechecker/internal/buildinfo.date=<RFC 3339>"
//
// They are set at link time only, never at run time: the version a binary
// reports cannot depend on its environment.
var (
	version string
	commit  string
	date    string
)

// Homepage is where pricechecker lives; User-Agent headers point to it so
// that an operator who sees the traffic can find out what sends it.
const Homepage = "https://github.com/pricechecker/pricechecker"

// devel is the version of a build with no version of its own: `go build` or
// `go run` in a checkout with no tag on its commit.
const devel = "devel"

// Info is what a binary knows about its own build. Empty fields are unknown.
type Info struct {
	Version   string // v1.2.3, or a pseudo-version; "devel" when none
	Commit    string // full commit SHA
	Date      string // commit time (or the stamped build date), RFC 3339
	Modified  bool   // built from a work tree with uncommitted changes
	GoVersion string
}

// Stamp is what -ldflags -X set; empty fields fall back to the build info.
type Stamp struct{ Version, Commit, Date string }

// Get returns this binary's build information.
func Get() Info {
	bi, _ := debug.ReadBuildInfo()
	return From(bi, Stamp{Version: version, Commit: commit, Date: date})
}

// From combines the toolchain's build information (nil when the binary has
// none) with what a release stamped, which wins field by field.
func From(bi *debug.BuildInfo, s Stamp) Info {
	var info Info
	if bi != nil {
		info.GoVersion = bi.GoVersion
		// "(devel)" is what the toolchain records when it knows no version.
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			info.Version = v
		}
		for _, kv := range bi.Settings {
			switch kv.Key {
			case "vcs.revision":
				info.Commit = kv.Value
			case "vcs.time":
				info.Date = kv.Value
			case "vcs.modified":
				info.Modified = kv.Value == "true"
			}
		}
	}
	if s.Version != "" {
		info.Version = s.Version
	}
	if s.Commit != "" {
		info.Commit = s.Commit
		// The stamp names the commit the release was built from; what the
		// toolchain saw of the work tree says nothing more.
		info.Modified = false
	}
	if s.Date != "" {
		info.Date = s.Date
	}
	if info.Version == "" {
		info.Version = devel
	}
	return info
}

// String is the one line `pricechecker version` prints, e.g.
// "pricechecker v1.2.3 (commit 0123456789ab, 2026-12-07T02:00:00Z, go1.26.8)".
func (i Info) String() string {
	var details []string
	if i.Commit != "" {
		c := i.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		if i.Modified {
			c += ", modified"
		}
		details = append(details, "commit "+c)
	}
	if i.Date != "" {
		details = append(details, i.Date)
	}
	if i.GoVersion != "" {
		details = append(details, i.GoVersion)
	}
	if len(details) == 0 {
		return "pricechecker " + i.Version
	}
	return fmt.Sprintf("pricechecker %s (%s)", i.Version, strings.Join(details, ", "))
}

// UserAgent is the User-Agent every HTTP client of pricechecker sends:
// "pricechecker/v1.2.3 (+https://github.com/pricechecker/pricechecker)".
func (i Info) UserAgent() string {
	return "pricechecker/" + i.Version + " (+" + Homepage + ")"
}

// UserAgent is Get().UserAgent(), for clients that set the header.
func UserAgent() string { return Get().UserAgent() }
