package gitstore

import "testing"

func TestWebURL(t *testing.T) {
	for remote, want := range map[string]string{
		"git@github.com:acme/prices.git":                          "https://github.com/acme/prices",
		"github.com:acme/prices":                                  "https://github.com/acme/prices",
		"ssh://git@github.com/acme/prices.git":                    "https://github.com/acme/prices",
		"ssh://git@github.com:2222/acme/prices.git":               "https://github.com/acme/prices",
		"https://github.com/acme/prices.git":                      "https://github.com/acme/prices",
		"https://github.com/acme/prices/":                         "https://github.com/acme/prices",
		"https://x-access-token:ghs_SECRET@github.com/acme/p.git": "https://github.com/acme/p",
		"https://ghp_SECRET@github.com/acme/p":                    "https://github.com/acme/p",
		"https://gitlab.example.com:8443/group/sub/prices.git\n":  "https://gitlab.example.com:8443/group/sub/prices",
		"http://git.internal/acme/prices":                         "http://git.internal/acme/prices",
		"/srv/git/prices.git":                                     "",
		"file:///srv/git/prices.git":                              "",
		"../prices":                                               "",
		`C:\repos\prices`:                                         "",
		"":                                                        "",
		"https://github.com/":                                     "",
		"host:path@odd":                                           "",
	} {
		if got := WebURL(remote); got != want {
			t.Errorf("WebURL(%q) = %q, want %q", remote, got, want)
		}
	}
}
