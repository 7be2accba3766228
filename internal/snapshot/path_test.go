package snapshot

import (
	"path/filepath"
	"strings"
	"testing"
)

// Names that are not one plain path element never lead outside out, even
// if a caller forgot to check them.
func TestPathStaysUnderOut(t *testing.T) {
	out := filepath.Join(t.TempDir(), "prices")
	for _, name := range [][2]string{
		{"AmazonEC2", "../../../escaped"},
		{"..", "us-east-1"},
		{"AmazonEC2", ".."},
		{"AmazonEC2", "/etc/passwd"},
		{"AmazonEC2", `..\..\escaped`},
		{"AmazonEC2", ".us-east-1.csv.tmp-1"},
		{"", ""},
	} {
		p := Path(out, name[0], name[1])
		rel, err := filepath.Rel(out, p)
		if err != nil || !filepath.IsLocal(rel) || strings.Count(rel, string(filepath.Separator)) != 1 {
			t.Errorf("Path(%q, %q, %q) = %s, outside %s/<offer>/", out, name[0], name[1], p, out)
		}
	}
	if p := Path(out, "AmazonEC2", "us-east-1-wl1-chi1"); p != filepath.Join(out, "AmazonEC2", "us-east-1-wl1-chi1.csv") {
		t.Errorf("a plain region's path = %s", p)
	}
}
