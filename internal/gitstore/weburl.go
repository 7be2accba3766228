package gitstore

import (
	"context"
	"net/url"
	"strings"
)

// WebURL is the web page of the repository a git remote URL names, for
// links outside GitHub Actions: https://github.com/o/r from
// git@github.com:o/r.git, ssh://git@github.com:22/o/r.git or
// https://user:token@github.com/o/r.git. The user and password of a URL
// never reach it (links are printed and posted). It is "" for a remote
// with no web page: a local path, file://, or one it cannot read.
func WebURL(remote string) string {
	remote = strings.TrimSpace(remote)
	scheme, host, path := "https", "", ""
	if u, err := url.Parse(remote); err == nil && u.Scheme != "" && u.Host != "" {
		switch u.Scheme {
		case "http", "https":
			scheme, host = u.Scheme, u.Host
		case "ssh", "git", "git+ssh", "ssh+git":
			host = u.Hostname() // the SSH port is not the web server's
		default:
			return ""
		}
		path = u.Path
	} else if at, colon := strings.Index(remote, "@"), strings.Index(remote, ":"); colon > 0 && !strings.Contains(remote, "://") && !strings.Contains(remote[:colon], "/") {
		// scp-like syntax, [user@]host:path
		host, path = remote[:colon], remote[colon+1:]
		if at >= 0 && at < colon {
			host = remote[at+1 : colon]
		}
	}
	path = strings.TrimSuffix(strings.Trim(path, "/"), ".git")
	if host == "" || strings.ContainsAny(host, "@/") || path == "" || strings.Contains(path, "..") || strings.ContainsAny(path, "@:?# \\") {
		return ""
	}
	return scheme + "://" + host + "/" + path
}

// RemoteWebURL is WebURL of the remote of the repository at dir, "" when
// it has no such remote.
func RemoteWebURL(ctx context.Context, dir, remote string) string {
	out, err := git(ctx, dir, "remote", "get-url", remote)
	if err != nil {
		return ""
	}
	return WebURL(out)
}
