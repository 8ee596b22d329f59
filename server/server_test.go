package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/patrimap/patrimap/importers"
	gj "github.com/patrimap/patrimap/importers/geojson"
	"github.com/patrimap/patrimap/static"
	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/spatialite"
)

type fixture struct {
	st  store.Store
	srv *httptest.Server
}

// newFixture serves a new SpatiaLite store.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := spatialite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, st)
}

// serve serves st until the end of the test.
func serve(t *testing.T, st store.Store) *fixture {
	srv := httptest.NewServer(New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), static.Files).Handler())
	t.Cleanup(func() { srv.Close(); st.Close() })
	return &fixture{st: st, srv: srv}
}

func (fx *fixture) importFile(t testing.TB, id, path string) error {
	t.Helper()
	f, err := gj.Open(path, 0, nil)
	if err != nil {
		return err
	}
	defer f.Close()
	src, _, err := importers.DescribeFile(path)
	if err != nil {
		return err
	}
	_, err = importers.Run(context.Background(), fx.st, importers.Job{
		Info: store.DatasetInfo{ID: id, Title: "Réserves " + id, Producer: "INPN – MNHN/PatriNat", Theme: store.ThemeNatural,
			Licence: "Licence Ouverte 2.0", Source: src},
		Source: f, Report: &importers.Report{Source: filepath.Base(path), Format: "GeoJSON"},
	})
	return err
}

func (fx *fixture) get(t *testing.T, path string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, fx.srv.URL+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	// Ask for identity so that the bytes compared are the server's own, unless a test asks for gzip.
	if req.Header.Get("Accept-Encoding") == "" {
		req.Header.Set("Accept-Encoding", "identity")
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

const rnn = "../testdata/rnn-isere.geojson"

func TestCatalogueAndMetadata(t *testing.T) {
	fx := newFixture(t)
	if err := fx.importFile(t, "rnn-isere", rnn); err != nil {
		t.Fatal(err)
	}
	res, body := fx.get(t, "/datasets", "Origin", "https://umap.openstreetmap.fr")
	if res.StatusCode != 200 || res.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("status %d, CORS %q", res.StatusCode, res.Header.Get("Access-Control-Allow-Origin"))
	}
	var cat struct {
		Datasets []struct {
			ID           string
			Title        string
			FeatureCount int64 `json:"feature_count"`
			BBox         []float64
			Version      int64
			Fields       []store.Field
		}
	}
	if err := json.Unmarshal(body, &cat); err != nil {
		t.Fatal(err)
	}
	if len(cat.Datasets) != 1 || cat.Datasets[0].FeatureCount != 15 || len(cat.Datasets[0].BBox) != 4 || cat.Datasets[0].Title != "Réserves rnn-isere" {
		t.Errorf("catalogue = %+v", cat)
	}
	res, body = fx.get(t, "/datasets/rnn-isere")
	var meta map[string]any
	json.Unmarshal(body, &meta)
	if res.StatusCode != 200 || meta["producer"] != "INPN – MNHN/PatriNat" || meta["report"] == nil || meta["source"].(map[string]any)["sha256"] == nil {
		t.Errorf("metadata %d: %s", res.StatusCode, body)
	}
	res, _ = fx.get(t, "/healthz")
	if res.StatusCode != 200 {
		t.Errorf("healthz = %d", res.StatusCode)
	}
}

func TestGeoJSONDownload(t *testing.T) {
	fx := newFixture(t)
	if err := fx.importFile(t, "rnn-isere", rnn); err != nil {
		t.Fatal(err)
	}
	res, body := fx.get(t, "/datasets/rnn-isere.geojson")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/geo+json" ||
		res.Header.Get("Content-Disposition") != `attachment; filename="rnn-isere.geojson"` {
		t.Fatalf("status %d, headers %v", res.StatusCode, res.Header)
	}
	fc, err := geojson.UnmarshalFeatureCollection(body)
	if err != nil {
		t.Fatalf("not GeoJSON: %v", err)
	}
	if len(fc.Features) != 15 {
		t.Fatalf("%d features, want 15", len(fc.Features))
	}
	// Shells counter-clockwise, holes clockwise (RFC 7946).
	for _, f := range fc.Features {
		for _, p := range f.Geometry.(orb.MultiPolygon) {
			for i, r := range p {
				want := orb.CCW
				if i > 0 {
					want = orb.CW
				}
				if r.Orientation() != want {
					t.Errorf("feature %v ring %d orientation %v", f.ID, i, r.Orientation())
				}
			}
		}
	}

	// bbox around the Haut-Vénéon reserve only.
	_, body = fx.get(t, "/datasets/rnn-isere.geojson?bbox=6.27,44.92,6.30,44.95")
	fc, _ = geojson.UnmarshalFeatureCollection(body)
	if len(fc.Features) != 1 || fc.Features[0].Properties["NOM_SITE"] != "Haut-Vénéon" {
		t.Errorf("bbox selected %d features", len(fc.Features))
	}
	_, body = fx.get(t, "/datasets/rnn-isere.geojson?bbox=-5,40,-4,41")
	fc, _ = geojson.UnmarshalFeatureCollection(body)
	if fc == nil || len(fc.Features) != 0 {
		t.Errorf("empty bbox answered %s", body)
	}
}

func TestBadRequests(t *testing.T) {
	fx := newFixture(t)
	if err := fx.importFile(t, "rnn-isere", rnn); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path   string
		status int
		says   string
	}{
		{"/datasets/nope.geojson", 404, "GET /datasets lists the datasets"},
		{"/datasets/nope", 404, "dataset not found"},
		{"/datasets/Bad_Id", 404, "slug"},
		{"/datasets/rnn-isere.geojson?bbox=1,2,3", 400, "got 3 numbers"},
		{"/datasets/rnn-isere.geojson?bbox=a,b,c,d", 400, "is not a number"},
		{"/datasets/rnn-isere.geojson?bbox=0,0,200,10", 400, "-180..180"},
		{"/datasets/rnn-isere.geojson?bbox=0,50,10,40", 400, "south (50) is greater than north (40)"},
		{"/datasets/rnn-isere.geojson?bbox=0,95,10,96", 400, "-90..90"},
		{"/datasets/rnn-isere.geojson?bbox=10,40,0,50", 400, "antimeridian"},
		{"/nowhere", 404, "Not Found"},
	}
	for _, tc := range tests {
		res, body := fx.get(t, tc.path)
		var p problem
		if err := json.Unmarshal(body, &p); err != nil {
			t.Errorf("%s: not JSON: %s", tc.path, body)
			continue
		}
		if res.StatusCode != tc.status || p.Status != tc.status || !strings.Contains(p.Detail, tc.says) {
			t.Errorf("%s: %d %+v, want %d saying %q", tc.path, res.StatusCode, p, tc.status, tc.says)
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
			t.Errorf("%s: content type %q", tc.path, ct)
		}
	}
}

func TestETagGzipAndHead(t *testing.T) {
	fx := newFixture(t)
	if err := fx.importFile(t, "rnn-isere", rnn); err != nil {
		t.Fatal(err)
	}
	res, plain := fx.get(t, "/datasets/rnn-isere.geojson")
	etag := res.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	res, _ = fx.get(t, "/datasets/rnn-isere.geojson", "If-None-Match", etag)
	if res.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %d, want 304", res.StatusCode)
	}
	res, zipped := fx.get(t, "/datasets/rnn-isere.geojson", "Accept-Encoding", "gzip")
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("not gzipped: %v", res.Header)
	}
	zr, err := gzip.NewReader(bytes.NewReader(zipped))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, _ := io.ReadAll(zr)
	if !bytes.Equal(unzipped, plain) || len(zipped) >= len(plain)/2 {
		t.Errorf("gzip: %d bytes for %d, equal %v", len(zipped), len(plain), bytes.Equal(unzipped, plain))
	}
	// A re-import changes the version, hence the ETag.
	if err := fx.importFile(t, "rnn-isere", rnn); err != nil {
		t.Fatal(err)
	}
	res, _ = fx.get(t, "/datasets/rnn-isere.geojson", "If-None-Match", etag)
	if res.StatusCode != 200 || res.Header.Get("ETag") == etag {
		t.Errorf("after re-import: %d, ETag %s", res.StatusCode, res.Header.Get("ETag"))
	}
	req, _ := http.NewRequest(http.MethodHead, fx.srv.URL+"/datasets/rnn-isere.geojson", nil)
	hres, err := http.DefaultClient.Do(req)
	if err != nil || hres.StatusCode != 200 {
		t.Errorf("HEAD: %v %v", hres, err)
	}
}

// A re-import that fails midway leaves the previous version served, byte for byte.
func TestFailedReimportServesPreviousVersion(t *testing.T) {
	fx := newFixture(t)
	if err := fx.importFile(t, "rnn-isere", rnn); err != nil {
		t.Fatal(err)
	}
	_, before := fx.get(t, "/datasets/rnn-isere.geojson")
	_, metaBefore := fx.get(t, "/datasets/rnn-isere")

	// The same layer, cut off in the middle of its eighth feature.
	src, _ := os.ReadFile(rnn)
	cut := 0
	for i, n := 0, 0; i < len(src); i++ {
		if bytes.HasPrefix(src[i:], []byte(`{ "type": "Feature"`)) {
			if n++; n == 8 {
				cut = i + 200
				break
			}
		}
	}
	broken := filepath.Join(t.TempDir(), "broken.geojson")
	os.WriteFile(broken, src[:cut], 0o644)
	err := fx.importFile(t, "rnn-isere", broken)
	if err == nil || !strings.Contains(err.Error(), "feature 8") {
		t.Fatalf("broken re-import: %v", err)
	}
	_, after := fx.get(t, "/datasets/rnn-isere.geojson")
	_, metaAfter := fx.get(t, "/datasets/rnn-isere")
	if !bytes.Equal(before, after) || !bytes.Equal(metaBefore, metaAfter) {
		t.Error("the served dataset changed after a failed re-import")
	}
}

func TestHomePage(t *testing.T) {
	fx := newFixture(t)
	res, body := fx.get(t, "/")
	if res.StatusCode != 200 || !bytes.Contains(body, []byte("patrimap")) {
		t.Errorf("home: %d", res.StatusCode)
	}
	res, _ = fx.get(t, "/static/app.js")
	if res.StatusCode != 200 {
		t.Errorf("app.js: %d", res.StatusCode)
	}
}
