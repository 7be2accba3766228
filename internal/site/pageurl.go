package site

import (
	"net/url"
	"strings"
)

// PageURL is the address of an offer and region's page on the site
// published at base (the site's public address, as --base-url), for links
// from elsewhere: notify's job summary. "" without a base.
func PageURL(base, offerCode, region string) string {
	if base == "" {
		return ""
	}
	return strings.TrimSuffix(base, "/") + "/offers/" + url.PathEscape(offerCode) + "/" + url.PathEscape(region) + "/index.html"
}
