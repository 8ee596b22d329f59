package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/patrimap/patrimap/static"
	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/memory"
)

// logBuffer is the server's log, read by the test while the server writes it.
type logBuffer struct {
	mu    sync.Mutex
	b     bytes.Buffer
	lines chan string
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lines != nil {
		select {
		case l.lines <- string(p):
		default:
		}
	}
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serveWith serves cat with opts, its log in the returned buffer.
func serveWith(t *testing.T, cat Catalog, opts ...Option) (*fixture, *logBuffer) {
	t.Helper()
	log := &logBuffer{lines: make(chan string, 100)}
	srv := httptest.NewServer(New(cat, slog.New(slog.NewTextHandler(log, nil)), static.Files, opts...).Handler())
	t.Cleanup(srv.Close)
	return &fixture{srv: srv}, log
}

// Every answer says nosniff and carries the pages' Content-Security-Policy; only /embed may be framed, by any
// site (a page of a town hall), the rest by none.
func TestSecurityHeaders(t *testing.T) {
	_, st := memoryFixture(t)
	fx, _ := serveWith(t, st)
	for _, tc := range []struct {
		path      string
		status    int
		frameable bool
	}{
		{"/", 200, false},
		{"/collections?f=json", 200, false},
		{"/collections/rnn/items?limit=1", 200, false},
		{"/tiles/rnn.json", 200, false},
		{"/collections/nothing", 404, false},
		{"/embed", 200, true},
		{"/embed?datasets=rnn", 200, true},
	} {
		res, _ := fx.get(t, tc.path)
		h := res.Header
		csp := h.Get("Content-Security-Policy")
		switch {
		case res.StatusCode != tc.status:
			t.Errorf("%s: status %d, want %d", tc.path, res.StatusCode, tc.status)
		case h.Get("X-Content-Type-Options") != "nosniff":
			t.Errorf("%s: X-Content-Type-Options %q", tc.path, h.Get("X-Content-Type-Options"))
		case !strings.Contains(csp, "script-src 'self';") || !strings.Contains(csp, "object-src 'none'"):
			t.Errorf("%s: Content-Security-Policy %q", tc.path, csp)
		case tc.frameable && (h.Get("X-Frame-Options") != "" || !strings.HasSuffix(csp, "frame-ancestors *")):
			t.Errorf("%s must be embeddable: X-Frame-Options %q, CSP %q", tc.path, h.Get("X-Frame-Options"), csp)
		case !tc.frameable && (h.Get("X-Frame-Options") != "DENY" || !strings.HasSuffix(csp, "frame-ancestors 'none'")):
			t.Errorf("%s must not be framed: X-Frame-Options %q, CSP %q", tc.path, h.Get("X-Frame-Options"), csp)
		}
	}
}

// The base maps of the web map (BASES in static/app.js) are allowed by the policy: a site added there and not
// here would draw a blank map.
func TestPolicyAllowsTheBaseMaps(t *testing.T) {
	js, err := static.Files.Open("app.js")
	if err != nil {
		t.Fatal(err)
	}
	defer js.Close()
	var b bytes.Buffer
	b.ReadFrom(js)
	policy := contentPolicy("", false)
	sites := regexp.MustCompile(`tiles: \["(https://[^/"]+)/`).FindAllStringSubmatch(b.String(), -1)
	if len(sites) < 2 {
		t.Fatalf("found %d base maps in app.js, want OpenStreetMap and IGN at least", len(sites))
	}
	for _, m := range sites {
		for _, directive := range []string{"img-src", "connect-src"} {
			if !regexp.MustCompile(directive + ` [^;]*` + regexp.QuoteMeta(m[1]) + `[ ;]`).MatchString(policy) {
				t.Errorf("the base map %s is not in %s of %q", m[1], directive, policy)
			}
		}
	}
}

// tileJSONTiles is the first tile URL of the TileJSON of rnn, asked with header (Host included).
func tileJSONTiles(t *testing.T, fx *fixture, header ...string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, fx.srv.URL+"/tiles/rnn.json", nil)
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "Host" {
			req.Host = header[i+1]
		}
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var tj struct{ Tiles []string }
	if err := json.NewDecoder(res.Body).Decode(&tj); err != nil || res.StatusCode != 200 || len(tj.Tiles) == 0 {
		t.Fatalf("TileJSON: %d %v", res.StatusCode, err)
	}
	return tj.Tiles[0]
}

// The address in absolute links is never a client's Host or X-Forwarded-* header (issue 17: the Host header
// was written into TileJSON and live uMap URLs, which caches then give everyone); a trusted proxy's headers
// count; a configured base URL wins over everything.
func TestBaseURLNeverFromAClient(t *testing.T) {
	_, st := memoryFixture(t)
	spoof := []string{"Host", "evil.example", "X-Forwarded-Host", "evil.example", "X-Forwarded-Proto", "https",
		"Forwarded", "host=evil.example;proto=https", "X-Forwarded-For", "203.0.113.9"}

	open, log := serveWith(t, st)
	if got := tileJSONTiles(t, open, spoof...); !strings.HasPrefix(got, open.srv.URL+"/tiles/rnn/") {
		t.Errorf("no trusted proxy: tiles at %q, want %s/tiles/rnn/…", got, open.srv.URL)
	}
	if strings.Contains(log.String(), "203.0.113.9") || !strings.Contains(log.String(), "remote=127.0.0.1") {
		t.Errorf("no trusted proxy: the log believed X-Forwarded-For:\n%s", log)
	}

	proxies, err := ParseProxies("10.0.0.0/8, 127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	behind, log := serveWith(t, st, WithTrustedProxies(proxies))
	for _, tc := range []struct {
		header []string
		want   string
	}{
		{[]string{"X-Forwarded-Proto", "https", "X-Forwarded-Host", "maps.example.org", "X-Forwarded-Prefix", "/patrimap/"},
			"https://maps.example.org/patrimap/tiles/rnn/"},
		{[]string{"Forwarded", `for=198.51.100.7;proto=https;host="cartes.example.org"`, "X-Forwarded-Host", "other.example"},
			"https://cartes.example.org/tiles/rnn/"},
		// A proxy that passes the client's Host and says nothing else.
		{[]string{"Host", "maps.example.org:8443"}, "http://maps.example.org:8443/tiles/rnn/"},
		// What is not a host is not believed.
		{[]string{"X-Forwarded-Host", "evil.example/x?", "X-Forwarded-Proto", "javascript"}, behind.srv.URL + "/tiles/rnn/"},
	} {
		if got := tileJSONTiles(t, behind, tc.header...); !strings.HasPrefix(got, tc.want) {
			t.Errorf("trusted proxy %q: tiles at %q, want %s…", tc.header, got, tc.want)
		}
	}
	tileJSONTiles(t, behind, "X-Forwarded-For", "203.0.113.9, 10.1.2.3")
	if !strings.Contains(log.String(), "remote=203.0.113.9") {
		t.Errorf("behind a trusted proxy, the log does not name the client of X-Forwarded-For:\n%s", log)
	}

	fixed, _ := serveWith(t, st, WithBaseURL("https://patrimap.example.org/"), WithTrustedProxies(proxies))
	if got := tileJSONTiles(t, fixed, spoof...); !strings.HasPrefix(got, "https://patrimap.example.org/tiles/rnn/") {
		t.Errorf("--base-url: tiles at %q", got)
	}

	for _, bad := range []string{"10.0.0.0/33", "proxy.example", "10.0.0.1;10.0.0.2"} {
		if _, err := ParseProxies(bad); err == nil || !strings.Contains(err.Error(), "give an address or a CIDR range") {
			t.Errorf("ParseProxies(%q) = %v", bad, err)
		}
	}
}

// stalling is a catalogue whose snapshots wait for the request to end (inStream: after the first feature of a
// stream, once the answer has begun), or fail as a broken database does.
type stalling struct {
	*memory.Store
	broken   error
	inStream bool
	entered  chan struct{}
}

func (s stalling) Snapshot(ctx context.Context) (store.Snapshot, error) {
	switch {
	case s.broken != nil:
		return nil, s.broken
	case s.inStream:
		sn, err := s.Store.Snapshot(ctx)
		return stallingStream{Snapshot: sn, entered: s.entered}, err
	}
	s.entered <- struct{}{}
	<-ctx.Done()
	return nil, ctx.Err()
}

type stallingStream struct {
	store.Snapshot
	entered chan struct{}
}

func (s stallingStream) Features(ctx context.Context, d store.Dataset, q store.Query, each func(*store.Feature) error) error {
	first := true
	return s.Snapshot.Features(ctx, d, q, func(f *store.Feature) error {
		if err := each(f); err != nil || !first {
			return err
		}
		first = false
		s.entered <- struct{}{}
		<-ctx.Done()
		return fmt.Errorf("read rows: %w", ctx.Err())
	})
}

// A client that goes away is logged 499, not 500 nor an error, and its request stops: the log line is written
// once the handler has returned, and the handler only returns when the store gave up on the ended request.
// Before the answer (waiting for a snapshot) and in the middle of a stream.
func TestClientGoneIs499(t *testing.T) {
	_, rnn := memoryFixture(t)
	for _, inStream := range []bool{false, true} {
		cat := stalling{Store: rnn, inStream: inStream, entered: make(chan struct{}, 1)}
		fx, log := serveWith(t, cat)
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fx.srv.URL+"/collections/rnn/items?f=json", nil)
		done := make(chan error, 1)
		go func() {
			res, err := http.DefaultClient.Do(req)
			if err == nil {
				_, err = io.ReadAll(res.Body)
				res.Body.Close()
			}
			done <- err
		}()
		<-cat.entered // the request is in the handler: the client hangs up
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("client: %v", err)
		}
		for line := range log.lines {
			if strings.Contains(line, "msg=request") {
				if !strings.Contains(line, "status=499") || !strings.Contains(line, "level=INFO") {
					t.Errorf("in stream %v: a client gone is logged %q, want status=499 at level INFO", inStream, line)
				}
				break
			}
		}
		if strings.Contains(log.String(), "level=ERROR") {
			t.Errorf("in stream %v: a client gone is logged as an error:\n%s", inStream, log)
		}
	}
}

// A database that fails is a 500 whose body gives the request id under which the log says the cause; a
// dataset that does not exist is a 404 (issue 17: every error of the store was a 404).
func TestBrokenStoreIs500NotFoundIs404(t *testing.T) {
	broken, log := serveWith(t, stalling{Store: memory.New(), broken: errors.New("disk I/O error")})
	res, body := broken.get(t, "/collections/rnn/items")
	id := res.Header.Get("X-Request-Id")
	if res.StatusCode != 500 || id == "" || !strings.Contains(string(body), "under request id "+id) || strings.Contains(string(body), "disk I/O") {
		t.Errorf("broken store: %d, id %q, %s", res.StatusCode, id, body)
	}
	if l := log.String(); !strings.Contains(l, "level=ERROR") || !strings.Contains(l, "disk I/O error") || !strings.Contains(l, "id="+id) {
		t.Errorf("the log does not say the cause under the request id %s:\n%s", id, l)
	}

	fx, _ := memoryFixture(t)
	for _, path := range []string{"/collections/nothing/items", "/tiles/nothing/5/16/11.mvt", "/collections/rnn/items/99999"} {
		if res, body := fx.get(t, path); res.StatusCode != 404 {
			t.Errorf("%s: %d %s, want 404", path, res.StatusCode, body)
		}
	}
}

// Whatever a request asks, what it costs is bounded: a page holds maxLimit features at most (the next link
// says so), numbers too large or too many are a 400 that names the limit, a request line or headers beyond
// maxHeaderBytes are refused before any handler runs.
func TestRequestsBounded(t *testing.T) {
	fx, _ := memoryFixture(t)
	p := fx.page(t, "/collections/rnn/items?limit=1000000000&f=json")
	for _, l := range p.Links {
		if l.Rel == "self" && !strings.Contains(l.Href, "limit=10000") {
			t.Errorf("limit=1000000000 served as %s, want limit=10000", l.Href)
		}
	}
	if p.NumberReturned != 15 {
		t.Errorf("limit=1000000000: %d features, want the 15 of rnn", p.NumberReturned)
	}
	many := strings.Repeat("5,", 200000) + "5"
	for _, tc := range []struct{ query, want string }{
		{"limit=99999999999999999999999999", "limit must be a whole number from 1 to 10000"},
		{"offset=99999999999999999999999999", "offset must be a whole number"},
		{"bbox=" + many, "got 200001 numbers"},
		{"bbox=1e400,45,6,46", "is not a number"},
		{"bbox=-1e308,-90,1e308,90", "longitudes must be within -180..180"},
	} {
		res, body := fx.get(t, "/collections/rnn/items?"+tc.query)
		if res.StatusCode != 400 || !strings.Contains(string(body), tc.want) || len(body) > 4096 {
			t.Errorf("%.60s: %d %.300s, want 400 saying %q", tc.query, res.StatusCode, body, tc.want)
		}
	}
	for _, tc := range []struct{ path, want string }{
		{"/tiles/rnn/99/0/0.mvt", "zoom 99 is past the maximum zoom 14"},
		{"/tiles/rnn/5/99999/0.mvt", "x and y go from 0 to 31"},
	} {
		if res, body := fx.get(t, tc.path); res.StatusCode != 404 || !strings.Contains(string(body), tc.want) {
			t.Errorf("%s: %d %.300s, want 404 saying %q", tc.path, res.StatusCode, body, tc.want)
		}
	}
	if res, _ := fx.get(t, "/collections/rnn/items?offset=1000000000&f=json"); res.StatusCode != 200 {
		t.Errorf("an offset beyond the end: %d, want 200 and no feature", res.StatusCode)
	}

	// Through the real listener: the header limit of Serve.
	_, st := memoryFixture(t)
	s := New(st, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})), static.Files)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	defer func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	url := "http://" + ln.Addr().String() + "/collections/rnn/items?bbox="
	res, err := http.Get(url + strings.Repeat("5,", maxHeaderBytes))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("a request line of %d bytes: %d, want 431", 2*maxHeaderBytes, res.StatusCode)
	}
	if res, err := http.Get(url + "5.6,45.1,5.8,45.3"); err != nil || res.StatusCode != 200 {
		t.Errorf("after a refused request: %v %v", res, err)
	} else {
		res.Body.Close()
	}
}
