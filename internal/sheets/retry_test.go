package sheets

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"

	"google.golang.org/api/option"
	sheetsapi "google.golang.org/api/sheets/v4"

	"github.com/pricechecker/pricechecker/internal/sheets/sheetsfake"
)

// wantOnce checks that the first run's spreadsheet holds each tab once and
// each change line once.
func (e *env) wantOnce(t *testing.T) {
	t.Helper()
	seen := map[string]int{}
	for _, sh := range e.fake.Sheets(spreadsheetID) {
		seen[strings.ToLower(sh.Title)]++
	}
	for _, tab := range []string{ec2Tab, "Changes", "Status"} {
		if seen[strings.ToLower(tab)] != 1 {
			t.Errorf("tab %q exists %d times", tab, seen[strings.ToLower(tab)])
		}
	}
	rows := e.fake.Values(spreadsheetID, "Changes")
	if len(rows) != 4 {
		t.Errorf("Changes has %d rows, want the header and 3 lines:\n%q", len(rows), rows)
	}
	keys := map[string]bool{}
	for _, r := range rows[1:] {
		k := fmt.Sprint(r[colKey])
		if keys[k] {
			t.Errorf("line %s appended twice", k)
		}
		keys[k] = true
	}
}

// Every write may take effect and then fail (a 5xx after the write, or the
// connection cut before the answer); the retry must then neither fail on
// what the first attempt did nor do it twice.
func TestPublishRetriesWritesThatTookEffect(t *testing.T) {
	for _, call := range []string{
		sheetsfake.CallBatchUpdate, sheetsfake.CallValuesBatchUpdate, sheetsfake.CallValuesAppend,
	} {
		for _, code := range []int{http.StatusInternalServerError, http.StatusServiceUnavailable, sheetsfake.ResetConnection} {
			t.Run(fmt.Sprintf("%s %d", call, code), func(t *testing.T) {
				e := newEnv(t)
				e.fake.FailNextAfterApplying(call, 1, code)
				res := e.publish(t, []Tab{ec2Snapshot(t, v1)}, report1())
				if len(e.sleeps) == 0 {
					t.Error("nothing was retried: the fault did not fire")
				}
				e.wantOnce(t)
				if res.ChangesAppended != 3 {
					t.Errorf("ChangesAppended = %d, want 3", res.ChangesAppended)
				}
				if len(res.TabsCreated) != 3 {
					t.Errorf("TabsCreated = %q, want the price, Changes and Status tabs", res.TabsCreated)
				}
				// The next run finds everything there.
				res = e.publish(t, []Tab{ec2Snapshot(t, v1)}, report1())
				if res.ChangesAppended != 0 || res.ChangesSkipped != 3 {
					t.Errorf("re-run appended %d, skipped %d; want 0 and 3", res.ChangesAppended, res.ChangesSkipped)
				}
				e.wantOnce(t)
			})
		}
	}
}

// An append whose rows went in is not sent again: the key column is read
// back first, and the number formats still cover the rows.
func TestPublishAppendReadBack(t *testing.T) {
	e := newEnv(t)
	e.fake.FailNextAppendsAfterApplying(1, http.StatusServiceUnavailable)
	e.publish(t, []Tab{ec2Snapshot(t, v1)}, report1())
	appends := 0
	for _, r := range e.fake.Requests() {
		if strings.HasSuffix(r.Path, ":append") {
			appends++
		}
	}
	if appends != 1 {
		t.Errorf("%d appends sent, want 1: the retry must find the rows already there", appends)
	}
	if typ, _ := e.fake.NumberFormat(spreadsheetID, "Changes", 1, colChangePct); typ != "NUMBER" {
		t.Errorf("change_pct of the read-back rows has format %q, want NUMBER", typ)
	}
}

func TestPublishRetriesConnectionResets(t *testing.T) {
	e := newEnv(t)
	// The spreadsheet read, on a new connection: net/http itself repeats
	// a GET only on a connection it had used before.
	e.fake.ResetNext(1)
	e.publish(t, []Tab{ec2Snapshot(t, v1)}, report1())
	if len(e.sleeps) != 1 {
		t.Errorf("sleeps = %v, want one retry", e.sleeps)
	}
	e.wantOnce(t)
}

// refusing fails the first n connections as a closed port does.
type refusing struct {
	mu   sync.Mutex
	n    int
	next http.RoundTripper
}

func (r *refusing) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	fail := r.n > 0
	r.n--
	r.mu.Unlock()
	if fail {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &net.OpError{Op: "connect", Err: syscall.ECONNREFUSED}}
	}
	return r.next.RoundTrip(req)
}

func TestPublishRetriesConnectionRefused(t *testing.T) {
	e := newEnv(t)
	client := &http.Client{Transport: &refusing{n: 2, next: http.DefaultTransport}}
	svc, err := sheetsapi.NewService(context.Background(), option.WithEndpoint(e.fake.Endpoint()), option.WithHTTPClient(client))
	if err != nil {
		t.Fatal(err)
	}
	e.svc = svc
	e.publish(t, []Tab{ec2Snapshot(t, v1)}, report1())
	if len(e.sleeps) != 2 {
		t.Errorf("sleeps = %v, want two retries", e.sleeps)
	}
	e.wantOnce(t)

	// Refused for good: the error says so, after every attempt.
	e.svc, _ = sheetsapi.NewService(context.Background(), option.WithEndpoint(e.fake.Endpoint()),
		option.WithHTTPClient(&http.Client{Transport: &refusing{n: 100, next: http.DefaultTransport}}))
	e.sleeps = nil
	_, err = Publish(context.Background(), e.svc, e.opts, []Tab{ec2Snapshot(t, v1)}, report1())
	if err == nil || !strings.Contains(err.Error(), "could not be reached 8 times in a row") || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("err = %v", err)
	}
}

// tokenServer is an OAuth token endpoint that fails its first requests
// with the given statuses.
func tokenServer(t *testing.T, fail ...int) (*httptest.Server, *int) {
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		w.Header().Set("Content-Type", "application/json")
		if calls <= len(fail) {
			w.WriteHeader(fail[calls-1])
			if fail[calls-1] == http.StatusBadRequest {
				w.Write([]byte(`{"error":"invalid_grant","error_description":"Invalid JWT Signature."}`))
			} else {
				w.Write([]byte(`{"error":"internal_failure"}`))
			}
			return
		}
		w.Write([]byte(`{"access_token":"test-token","token_type":"Bearer","expires_in":3600}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

// The token is fetched inside the first API call, so the token endpoint's
// transient failures are that call's and are retried like Sheets' own.
func TestPublishRetriesTokenEndpoint(t *testing.T) {
	token, calls := tokenServer(t, http.StatusServiceUnavailable, http.StatusInternalServerError)
	e := newEnv(t)
	svc, err := NewService(context.Background(), Credentials{KeyJSON: serviceAccountKey(t, token.URL)}, e.fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	e.svc = svc
	e.publish(t, []Tab{ec2Snapshot(t, v1)}, report1())
	if *calls != 3 || len(e.sleeps) != 2 {
		t.Errorf("token requests = %d, sleeps = %v; want 3 and two retries", *calls, e.sleeps)
	}
	e.wantOnce(t)
}

// A refused key (400 invalid_grant) is not retried.
func TestPublishDoesNotRetryRefusedKey(t *testing.T) {
	token, calls := tokenServer(t, http.StatusBadRequest, http.StatusBadRequest)
	e := newEnv(t)
	svc, err := NewService(context.Background(), Credentials{KeyJSON: serviceAccountKey(t, token.URL)}, e.fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	e.svc = svc
	_, err = Publish(context.Background(), e.svc, e.opts, []Tab{ec2Snapshot(t, v1)}, report1())
	if err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Errorf("err = %v, want the token endpoint's answer", err)
	}
	if *calls != 1 || len(e.sleeps) != 0 {
		t.Errorf("token requests = %d, sleeps = %v; want 1 and no retry", *calls, e.sleeps)
	}
}

// Permanent answers are not retried.
func TestPublishDoesNotRetryPermanentErrors(t *testing.T) {
	for _, code := range []int{http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			e := newEnv(t)
			e.fake.FailNext(1, code)
			if _, err := Publish(context.Background(), e.svc, e.opts, []Tab{ec2Snapshot(t, v1)}, report1()); err == nil {
				t.Fatal("Publish succeeded")
			}
			if len(e.sleeps) != 0 || len(e.fake.Requests()) != 1 {
				t.Errorf("%d was retried: %d requests, sleeps %v", code, len(e.fake.Requests()), e.sleeps)
			}
		})
	}
}

// A token endpoint that cannot be reached is retried like Sheets itself,
// and the error says so after the last attempt.
func TestPublishRetriesUnreachableTokenEndpoint(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String() + "/token"
	l.Close()
	e := newEnv(t)
	svc, err := NewService(context.Background(), Credentials{KeyJSON: serviceAccountKey(t, closed)}, e.fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	e.svc = svc
	_, err = Publish(context.Background(), e.svc, e.opts, []Tab{ec2Snapshot(t, v1)}, report1())
	if err == nil || !strings.Contains(err.Error(), "could not be reached 8 times in a row") || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("err = %v", err)
	}
	if len(e.sleeps) != 7 {
		t.Errorf("sleeps = %v, want 7 retries", e.sleeps)
	}
}
