package territory

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/patrimap/patrimap/store/spatialite"
)

// geoAPI is a fake geo.api.gouv.fr answering from testdata/territory/geoapi.
type geoAPI struct {
	*httptest.Server
	mu       sync.Mutex
	requests []string
	agents   []string
	status   int // when not 0, every answer has this status
}

func newGeoAPI(t *testing.T) *geoAPI {
	t.Helper()
	g := &geoAPI{}
	dir := filepath.Join("..", "..", "testdata", "territory", "geoapi")
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		g.requests = append(g.requests, r.URL.RequestURI())
		g.agents = append(g.agents, r.UserAgent())
		status := g.status
		g.mu.Unlock()
		if status != 0 {
			http.Error(w, http.StatusText(status), status)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/portal/") { // a captive portal: 200 and a web page
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html><body>Connectez-vous au Wi-Fi</body></html>"))
			return
		}
		q := r.URL.Query()
		if q.Get("format") != "geojson" || q.Get("geometry") != "contour" {
			http.Error(w, "want format=geojson&geometry=contour", http.StatusBadRequest)
			return
		}
		// /epcis/246300701 → epcis-246300701.geojson; /departements/2A/communes → departements-2A-communes.geojson
		name := strings.ReplaceAll(strings.Trim(r.URL.Path, "/"), "/", "-") + ".geojson"
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			http.NotFound(w, r) // the API answers 404 with no body for unknown codes
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(b)
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *geoAPI) count() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.requests)
}

func openStore(t *testing.T, path string) *spatialite.Store {
	t.Helper()
	st, err := spatialite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func resolve(t *testing.T, spec string) *Territory {
	t.Helper()
	s, err := ParseSpec(spec)
	if err != nil {
		t.Fatal(err)
	}
	tt, err := loadRef(t).Communes(s)
	if err != nil {
		t.Fatal(err)
	}
	return tt
}

func TestBoundaryFetchThenCache(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		spec      string
		requests  []string
		polygons  int
		inside    orb.Point
		outside   orb.Point
		wantBound orb.Bound
	}{
		{spec: "epci:246300701", requests: []string{"/epcis/246300701?format=geojson&geometry=contour&fields=code,nom"},
			polygons: 1, inside: orb.Point{3.08, 45.78}, outside: orb.Point{3.30, 45.78},
			wantBound: orb.Bound{Min: orb.Point{2.9571, 45.6998}, Max: orb.Point{3.1827, 45.8630}}},
		{spec: "commune:63113,63014", requests: []string{
			"/communes/63113?format=geojson&geometry=contour&fields=code,nom",
			"/communes/63014?format=geojson&geometry=contour&fields=code,nom"},
			polygons: 2, inside: orb.Point{3.12, 45.735}, outside: orb.Point{3.0, 45.735},
			wantBound: orb.Bound{Min: orb.Point{3.0557, 45.7198}, Max: orb.Point{3.1502, 45.8192}}},
		{spec: "dep:2A", requests: []string{"/departements/2A/communes?format=geojson&geometry=contour&fields=code,nom"},
			polygons: 3, inside: orb.Point{8.70, 41.93}, outside: orb.Point{9.2, 41.93},
			wantBound: orb.Bound{Min: orb.Point{8.5702, 41.8904}, Max: orb.Point{8.7835, 42.0322}}},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			api := newGeoAPI(t)
			dbPath := filepath.Join(t.TempDir(), "t.db")
			st := openStore(t, dbPath)
			b := &Boundaries{HTTP: api.Client(), Store: st, UserAgent: "patrimap-test/1", BaseURL: api.URL + "/"}

			tt := resolve(t, tc.spec)
			if err := b.Boundary(ctx, tt); err != nil {
				t.Fatal(err)
			}
			if strings.Join(api.requests, " ") != strings.Join(tc.requests, " ") {
				t.Errorf("requests %q; want %q", api.requests, tc.requests)
			}
			for _, ua := range api.agents {
				if ua != "patrimap-test/1" {
					t.Errorf("User-Agent %q", ua)
				}
			}
			check := func(tt *Territory) {
				t.Helper()
				mp, ok := tt.Boundary.(orb.MultiPolygon)
				if !ok || len(mp) != tc.polygons {
					t.Fatalf("Boundary %T with %d polygons; want a MultiPolygon of %d", tt.Boundary, len(mp), tc.polygons)
				}
				if !planar.MultiPolygonContains(mp, tc.inside) || planar.MultiPolygonContains(mp, tc.outside) {
					t.Errorf("boundary should contain %v and not %v", tc.inside, tc.outside)
				}
				if tt.BBox != tc.wantBound {
					t.Errorf("BBox %v; want %v", tt.BBox, tc.wantBound)
				}
			}
			check(tt)

			// Same store, reopened, and a server that fails: the cache answers with no request at all.
			st.Close()
			st2 := openStore(t, dbPath)
			api.status = http.StatusInternalServerError
			before := api.count()
			b2 := &Boundaries{HTTP: api.Client(), Store: st2, UserAgent: "patrimap-test/1", BaseURL: api.URL}
			tt2 := resolve(t, tc.spec)
			if err := b2.Boundary(ctx, tt2); err != nil {
				t.Fatalf("second Boundary, from the cache: %v", err)
			}
			if n := api.count() - before; n != 0 {
				t.Errorf("second Boundary made %d requests; want 0 (cache hit)", n)
			}
			check(tt2)
		})
	}
}

func TestBoundaryCacheKeyIgnoresOrder(t *testing.T) {
	ctx := context.Background()
	api := newGeoAPI(t)
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	b := &Boundaries{HTTP: api.Client(), Store: st, BaseURL: api.URL}
	if err := b.Boundary(ctx, resolve(t, "commune:63113,63014")); err != nil {
		t.Fatal(err)
	}
	n := api.count()
	tt := resolve(t, "commune:63014,63113")
	if err := b.Boundary(ctx, tt); err != nil {
		t.Fatal(err)
	}
	if api.count() != n || tt.Boundary == nil {
		t.Errorf("the same communes in another order were fetched again")
	}
	if name, _, ok, err := CachedBoundary(ctx, st, "commune:63014,63113"); err != nil || !ok || name != "Clermont-Ferrand et Aubière" {
		t.Errorf("CachedBoundary = %q, %v, %v", name, ok, err)
	}
}

func TestBoundaryWithoutStore(t *testing.T) {
	ctx := context.Background()
	api := newGeoAPI(t)
	b := &Boundaries{HTTP: api.Client(), BaseURL: api.URL}
	for i := 0; i < 2; i++ {
		tt := resolve(t, "epci:246300701")
		if err := b.Boundary(ctx, tt); err != nil {
			t.Fatal(err)
		}
	}
	if api.count() != 2 {
		t.Errorf("%d requests; want 2 (no cache without a store)", api.count())
	}
}

func TestBoundaryDamagedCacheIsRefetched(t *testing.T) {
	ctx := context.Background()
	api := newGeoAPI(t)
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	if err := CacheBoundary(ctx, st, "epci:246300701", "Clermont Auvergne Métropole", `{"type":"Point","coordinates":[3,45]}`); err != nil {
		t.Fatal(err)
	}
	b := &Boundaries{HTTP: api.Client(), Store: st, BaseURL: api.URL}
	tt := resolve(t, "epci:246300701")
	if err := b.Boundary(ctx, tt); err != nil {
		t.Fatal(err)
	}
	if api.count() != 1 {
		t.Errorf("%d requests; want 1", api.count())
	}
	if _, gj, _, _ := CachedBoundary(ctx, st, "epci:246300701"); !strings.Contains(gj, "MultiPolygon") {
		t.Errorf("cache not replaced: %s", gj)
	}
}

func TestBoundaryErrors(t *testing.T) {
	ctx := context.Background()
	api := newGeoAPI(t)

	// A port nothing listens on: connection refused.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadURL := "http://" + l.Addr().String()
	l.Close()

	for _, tc := range []struct {
		name   string
		spec   Spec
		base   string
		status int
		want   []string
		absent []string
	}{
		{name: "404 epci", spec: Spec{KindEPCI, []string{"200040715"}}, base: api.URL,
			want: []string{"unknown epci 200040715", "no such EPCI"}, absent: []string{"offline"}},
		{name: "404 commune", spec: Spec{KindCommune, []string{"63113", "63999"}}, base: api.URL,
			want: []string{"unknown commune 63999"}},
		{name: "500", spec: Spec{KindEPCI, []string{"246300701"}}, base: api.URL, status: http.StatusInternalServerError,
			want: []string{"cannot fetch the boundary of epci:246300701 from 127.0.0.1", "(offline?)", "HTTP 500 Internal Server Error",
				"download it once", api.URL + "/epcis/246300701?format=geojson&geometry=contour", "--within"}},
		{name: "500 communes", spec: Spec{KindCommune, []string{"63113", "63014"}}, base: api.URL, status: http.StatusInternalServerError,
			want: []string{"cannot fetch the boundary of commune:63113 from", "the 2 files '" + api.URL + "/communes/63113?format=geojson",
				"', '" + api.URL + "/communes/63014?", "merge them into one GeoJSON FeatureCollection and pass --within FILE"}},
		{name: "503 dep", spec: Spec{KindDep, []string{"38"}}, base: api.URL, status: http.StatusServiceUnavailable,
			want: []string{"cannot fetch the boundary of dep:38", "HTTP 503", "/departements/38/communes?format=geojson"}},
		{name: "connection refused", spec: Spec{KindEPCI, []string{"200040715"}}, base: deadURL,
			want: []string{"cannot fetch the boundary of epci:200040715 from " + l.Addr().String() + " (offline?)", "connection refused",
				"--within"}},
		{name: "captive portal", spec: Spec{KindEPCI, []string{"246300701"}}, base: api.URL + "/portal",
			want: []string{"cannot fetch the boundary of epci:246300701", "unexpected answer", "not a GeoJSON file"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api.status = tc.status
			st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
			b := &Boundaries{HTTP: api.Client(), Store: st, BaseURL: tc.base}
			tt := &Territory{Spec: tc.spec}
			err := b.Boundary(ctx, tt)
			if err == nil {
				t.Fatal("no error")
			}
			t.Log(err)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			for _, w := range tc.absent {
				if strings.Contains(err.Error(), w) {
					t.Errorf("error %q contains %q", err, w)
				}
			}
			if tt.Boundary != nil {
				t.Error("boundary set despite the error")
			}
			if _, _, ok, _ := CachedBoundary(ctx, st, CacheKey(tc.spec)); ok {
				t.Error("a failure was cached")
			}
		})
	}
}

func TestBoundaryDefaultsAndEdgeCases(t *testing.T) {
	ctx := context.Background()
	if err := (&Boundaries{}).Boundary(ctx, nil); err == nil {
		t.Error("nil territory: no error")
	}
	if err := (&Boundaries{}).Boundary(ctx, &Territory{}); err == nil || !strings.Contains(err.Error(), "--within") {
		t.Errorf("empty spec: %v", err)
	}
	// A territory with a boundary already (--within) is left alone, without any request.
	within := &Territory{Boundary: orb.MultiPolygon{orb.Bound{Max: orb.Point{1, 1}}.ToPolygon()}}
	if err := (&Boundaries{BaseURL: "http://127.0.0.1:1"}).Boundary(ctx, within); err != nil {
		t.Error(err)
	}
	if got := (&Boundaries{}).base(); got != "https://geo.api.gouv.fr" {
		t.Errorf("default base %q", got)
	}
	// A cancelled context is reported as such, not as "offline".
	api := newGeoAPI(t)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	err := (&Boundaries{HTTP: api.Client(), BaseURL: api.URL}).Boundary(cctx, &Territory{Spec: Spec{KindEPCI, []string{"246300701"}}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
