package buildinfo

import (
	"runtime/debug"
	"strings"
	"testing"
)

func toolchain(version string, settings ...string) *debug.BuildInfo {
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/pricechecker/pricechecker", Version: version}}
	for i := 0; i+1 < len(settings); i += 2 {
		bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
	}
	return bi
}

const sha = "0123456789abcdef0123456789abcdef01234567"

func TestFromReadsTheToolchainsBuildInfo(t *testing.T) {
	// `go install github.com/pricechecker/pricechecker/cmd/pricechecker@v1.4.0`
	// records the module version; a checkout build records the commit.
	got := From(toolchain("v1.4.0", "vcs.revision", sha, "vcs.time", "2026-12-01T10:00:00Z", "vcs.modified", "true"), Stamp{})
	want := Info{Version: "v1.4.0", Commit: sha, Date: "2026-12-01T10:00:00Z", Modified: true, GoVersion: "go1.26.8"}
	if got != want {
		t.Fatalf("From = %+v, want %+v", got, want)
	}
	if s := got.String(); s != "pricechecker v1.4.0 (commit 0123456789ab, modified, 2026-12-01T10:00:00Z, go1.26.8)" {
		t.Errorf("String = %q", s)
	}
}

func TestDevelBuildHasAVersionAllTheSame(t *testing.T) {
	for name, bi := range map[string]*debug.BuildInfo{"no build info": nil, "(devel)": toolchain("(devel)"), "empty": toolchain("")} {
		got := From(bi, Stamp{})
		if got.Version != "devel" {
			t.Errorf("%s: Version = %q, want devel", name, got.Version)
		}
		if ua := got.UserAgent(); ua != "pricechecker/devel (+https://github.com/pricechecker/pricechecker)" {
			t.Errorf("%s: UserAgent = %q", name, ua)
		}
	}
	if s := From(nil, Stamp{}).String(); s != "pricechecker devel" {
		t.Errorf("String with nothing known = %q", s)
	}
}

func TestStampWinsOverTheToolchain(t *testing.T) {
	// release.yml builds from a tag with -trimpath and stamps what it built;
	// the toolchain's "(devel)" and a dirty work tree must not show.
	bi := toolchain("(devel)", "vcs.revision", "ffffffffffffffffffffffffffffffffffffffff", "vcs.time", "2026-01-01T00:00:00Z", "vcs.modified", "true")
	got := From(bi, Stamp{Version: "v2.0.1", Commit: sha, Date: "2026-12-07T02:00:00Z"})
	want := Info{Version: "v2.0.1", Commit: sha, Date: "2026-12-07T02:00:00Z", GoVersion: "go1.26.8"}
	if got != want {
		t.Fatalf("From = %+v, want %+v", got, want)
	}
	if ua := got.UserAgent(); ua != "pricechecker/v2.0.1 (+https://github.com/pricechecker/pricechecker)" {
		t.Errorf("UserAgent = %q", ua)
	}
	// A partial stamp keeps what the toolchain knows for the rest.
	got = From(bi, Stamp{Version: "v2.0.1"})
	if got.Commit != "ffffffffffffffffffffffffffffffffffffffff" || !got.Modified || got.Date != "2026-01-01T00:00:00Z" {
		t.Errorf("partial stamp lost the toolchain's fields: %+v", got)
	}
}

func TestGetInATestBinary(t *testing.T) {
	// A test binary has build info but no version; what matters is that
	// the User-Agent is well formed whatever the build.
	ua := UserAgent()
	if !strings.HasPrefix(ua, "pricechecker/") || !strings.HasSuffix(ua, " (+https://github.com/pricechecker/pricechecker)") || strings.Contains(ua, "pricechecker/ ") {
		t.Errorf("UserAgent = %q", ua)
	}
}
