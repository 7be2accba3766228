package bulk_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"

	"github.com/pricechecker/pricechecker/internal/buildinfo"
	"github.com/pricechecker/pricechecker/internal/source/bulk/bulkfake"
)

// Every Bulk API request says which pricechecker sends it, version
// included, so that AWS (or a proxy's operator) can tell releases apart.
func TestRequestsCarryTheVersionedUserAgent(t *testing.T) {
	srv := bulkfake.New(mirror)
	defer srv.Close()
	target, _ := url.Parse(srv.URL)
	var mu sync.Mutex
	var agents []string
	proxy := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		agents = append(agents, r.Header.Get("User-Agent"))
		mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()

	c, _ := newClient(t, front.URL)
	if _, err := readAll(t, c, csvPath, nil); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(agents) == 0 {
		t.Fatal("no request reached the server")
	}
	for _, ua := range agents {
		if ua != buildinfo.UserAgent() {
			t.Errorf("User-Agent = %q, want %q", ua, buildinfo.UserAgent())
		}
	}
}
