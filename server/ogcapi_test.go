package server

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const rnnFixture = "../testdata/rnn-isere.geojson"

type page struct {
	Type           string
	NumberMatched  int64
	NumberReturned int64
	Links          []link
	Features       []struct {
		ID         int64
		Geometry   json.RawMessage
		Properties map[string]any
	}
}

func (fx *fixture) items(t *testing.T, query string) page {
	t.Helper()
	res, body := fx.get(t, "/collections/rnn/items?"+query)
	if res.StatusCode != 200 {
		t.Fatalf("items?%s: %d %s", query, res.StatusCode, body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/geo+json" {
		t.Errorf("items?%s: Content-Type %q", query, ct)
	}
	var p page
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("items?%s: %v\n%s", query, err, body)
	}
	return p
}

func (p page) names(key string) []string {
	var out []string
	for _, f := range p.Features {
		out = append(out, fmt.Sprint(f.Properties[key]))
	}
	return out
}

func (p page) link(rel string) string {
	for _, l := range p.Links {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

func rnnFixtureServer(t *testing.T) *fixture {
	fx := newFixture(t)
	if err := fx.importFile(t, "rnn", rnnFixture); err != nil {
		t.Fatal(err)
	}
	return fx
}

// Core, OpenAPI 3.0, HTML and GeoJSON: the landing page, conformance, the API definition, the collections.
func TestOGCAPICore(t *testing.T) {
	fx := rnnFixtureServer(t)
	var landing struct{ Links []link }
	res, body := fx.get(t, "/", "Accept", "application/json")
	json.Unmarshal(body, &landing)
	rels := map[string]string{}
	for _, l := range landing.Links {
		rels[l.Rel] = l.Href
	}
	for _, rel := range []string{"self", "service-desc", "service-doc", "conformance", "data"} {
		if !strings.HasPrefix(rels[rel], fx.srv.URL) {
			t.Errorf("landing page link %s = %q (status %d)", rel, rels[rel], res.StatusCode)
		}
	}
	if res, body := fx.get(t, "/", "Accept", "text/html,application/xhtml+xml"); res.StatusCode != 200 || !strings.Contains(string(body), "<html") {
		t.Errorf("a browser gets the web map at /: %d", res.StatusCode)
	}
	var conf struct{ ConformsTo []string }
	_, body = fx.get(t, "/conformance")
	json.Unmarshal(body, &conf)
	for _, want := range []string{"ogcapi-features-1/1.0/conf/core", "conf/oas30", "conf/html", "conf/geojson", "ogcapi-features-2/1.0/conf/crs",
		"ogcapi-features-3/1.0/conf/filter", "ogcapi-features-3/1.0/conf/queryables", "cql2/1.0/conf/cql2-text"} {
		if !strings.Contains(strings.Join(conf.ConformsTo, " "), want) {
			t.Errorf("conformance lacks %s", want)
		}
	}
	res, body = fx.get(t, "/api")
	var api struct {
		OpenAPI string
		Paths   map[string]any
	}
	json.Unmarshal(body, &api)
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/vnd.oai.openapi+json") || api.OpenAPI != "3.0.3" ||
		api.Paths["/collections/{collectionId}/items"] == nil {
		t.Errorf("/api: %s %q %d paths", res.Header.Get("Content-Type"), api.OpenAPI, len(api.Paths))
	}
	var cols struct {
		Collections []struct {
			ID     string
			Crs    []string
			Extent struct{ Spatial struct{ Bbox [][]float64 } }
			Links  []link
		}
	}
	_, body = fx.get(t, "/collections")
	json.Unmarshal(body, &cols)
	if len(cols.Collections) != 1 || cols.Collections[0].ID != "rnn" || len(cols.Collections[0].Crs) != 4 ||
		len(cols.Collections[0].Extent.Spatial.Bbox) != 1 || cols.Collections[0].Extent.Spatial.Bbox[0][0] < 4.7 {
		t.Errorf("collections: %s", body)
	}
	for path, want := range map[string]string{
		"/collections?f=html":                `href="/collections/rnn?f=html"`,
		"/collections/rnn?f=html":            `<canvas class="minimap"`,
		"/collections/rnn/items?f=html":      "Haut-Vénéon",
		"/collections/rnn/items/1?f=html":    "FR3600013",
		"/conformance?f=html":                "conf/core",
		"/collections/rnn/queryables?f=html": "SURF_OFF",
	} {
		res, body := fx.get(t, path)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), want) {
			t.Errorf("%s: %d %s, want HTML with %q", path, res.StatusCode, res.Header.Get("Content-Type"), want)
		}
	}
	// The same page in JSON by the Accept header.
	if res, _ := fx.get(t, "/collections/rnn", "Accept", "text/html"); !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Errorf("Accept: text/html gave %s", res.Header.Get("Content-Type"))
	}
}

// Paging through 10,000 features with limit=7 returns each exactly once, following the next links.
func TestItemsPagingNeverSkipsNorRepeats(t *testing.T) {
	fx := newFixture(t)
	var b strings.Builder
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for i := 0; i < 10000; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		// Many equal sort keys, so that the order relies on the fid tie-break.
		fmt.Fprintf(&b, `{"type":"Feature","geometry":{"type":"Point","coordinates":[%f,%f]},"properties":{"n":%d,"group":%d}}`,
			2+float64(i%100)*0.05, 44+float64(i/100)*0.05, i, i%13)
	}
	b.WriteString(`]}`)
	path := filepath.Join(t.TempDir(), "points.geojson")
	os.WriteFile(path, []byte(b.String()), 0o644)
	if err := fx.importFile(t, "points", path); err != nil {
		t.Fatal(err)
	}
	for _, sortby := range []string{"", "&sortby=-group"} {
		seen := map[int64]int{}
		next := fx.srv.URL + "/collections/points/items?limit=7" + sortby
		pages := 0
		lastGroup := math.Inf(1)
		for next != "" {
			res, body := fx.get(t, strings.TrimPrefix(next, fx.srv.URL))
			var p page
			if err := json.Unmarshal(body, &p); err != nil || res.StatusCode != 200 {
				t.Fatalf("%s: %d %v", next, res.StatusCode, err)
			}
			if p.NumberMatched != 10000 || int(p.NumberReturned) != len(p.Features) {
				t.Fatalf("page %d: numberMatched %d, numberReturned %d for %d features", pages, p.NumberMatched, p.NumberReturned, len(p.Features))
			}
			if pages == 1 && p.link("prev") == "" {
				t.Error("page 2 has no prev link")
			}
			for _, f := range p.Features {
				seen[f.ID]++
				if g := f.Properties["group"].(float64); sortby != "" && g > lastGroup {
					t.Fatalf("sortby=-group: %v after %v", g, lastGroup)
				} else {
					lastGroup = g
				}
			}
			if sortby == "" {
				lastGroup = math.Inf(1)
			}
			next = p.link("next")
			pages++
		}
		if len(seen) != 10000 || pages != 1429 {
			t.Errorf("sortby %q: %d distinct features in %d pages", sortby, len(seen), pages)
		}
		for id, n := range seen {
			if n != 1 {
				t.Fatalf("sortby %q: feature %d returned %d times", sortby, id, n)
			}
		}
	}
}

// Filters: bbox, property=value, properties, sortby, datetime and CQL2, each checked against the fixture.
func TestItemsFilters(t *testing.T) {
	fx := rnnFixtureServer(t)
	tests := []struct {
		query string
		key   string
		want  []string
	}{
		// Expected sets checked with GDAL: ogrinfo -spat 5.4 44.8 5.9 45.3 testdata/rnn-isere.geojson.
		{"bbox=5.4,44.8,5.9,45.3&limit=100", "ID_MNHN", []string{"FR3600001", "FR3600074"}},
		{"bbox=5.7,45.0,5.9,45.2", "ID_MNHN", []string{"FR3600001"}},
		{"MARIN=F&CODE_R_ENP=RNN&limit=3", "ID_MNHN", []string{"FR3600013", "FR3600014", "FR3600015"}},
		{"sortby=-SURF_OFF&limit=3", "SURF_OFF", []string{"16661.83", "4450", "1707"}},
		{"sortby=DATE_CREA,-ID_MNHN&limit=2", "ID_MNHN", []string{"FR3600001", "FR3600016"}},
		{"datetime=1974-05-15", "ID_MNHN", []string{"FR3600013", "FR3600014", "FR3600015", "FR3600016", "FR3600011"}},
		{"datetime=1990-01-01/..", "ID_MNHN", []string{"FR3600115", "FR3600136", "FR3600179"}},
		{"datetime=../1962", "ID_MNHN", []string{"FR3600001"}},
		{url.Values{"filter": {"NOM_SITE LIKE 'Haut%' AND SURF_OFF > 100"}}.Encode(), "ID_MNHN", []string{"FR3600011", "FR3600074", "FR3600136", "FR3600179"}},
		{url.Values{"filter": {"NOM_SITE LIKE '%lac%'"}}.Encode(), "ID_MNHN", nil}, // LIKE is case-sensitive
		{url.Values{"filter": {"ID_MNHN IN ('FR3600021', 'FR3600036') OR SURF_OFF < 20"}}.Encode(), "ID_MNHN", []string{"FR3600021", "FR3600001", "FR3600036"}},
		{url.Values{"filter": {"NOT (SURF_OFF >= 60) AND GEST_SITE IS NULL"}}.Encode(), "ID_MNHN", []string{"FR3600001", "FR3600115"}},
		{url.Values{"filter": {"SURF_OFF BETWEEN 80 AND 90"}}.Encode(), "ID_MNHN", []string{"FR3600014", "FR3600021"}},
		{url.Values{"filter": {"S_INTERSECTS(geometry, BBOX(5.4,44.8,5.9,45.3))"}}.Encode(), "ID_MNHN", []string{"FR3600001", "FR3600074"}},
		{url.Values{"filter": {"S_INTERSECTS(geometry, POINT(5.47 44.83))"}}.Encode(), "ID_MNHN", []string{"FR3600074"}},
		{url.Values{"filter": {`"DATE_CREA" > DATE('2000-01-01')`}}.Encode(), "ID_MNHN", []string{"FR3600179"}},
	}
	for _, tt := range tests {
		p := fx.items(t, tt.query)
		got := p.names(tt.key)
		if strings.Join(got, ",") != strings.Join(tt.want, ",") || p.NumberMatched < int64(len(tt.want)) {
			t.Errorf("%s: %v (matched %d), want %v", tt.query, got, p.NumberMatched, tt.want)
		}
	}
	p := fx.items(t, "properties=NOM_SITE,SURF_OFF&limit=1")
	if len(p.Features[0].Properties) != 2 || p.Features[0].Properties["NOM_SITE"] != "Haut-Vénéon" {
		t.Errorf("properties=: %v", p.Features[0].Properties)
	}
	if p := fx.items(t, "limit=20000"); len(p.Features) != 15 {
		t.Errorf("limit above the maximum: %d features", len(p.Features))
	}
}

// Part 2: crs and bbox-crs. Lambert-93 output matches PROJ (gdaltransform) within 1 mm; EPSG:4326 is
// latitude first.
func TestItemsCRS(t *testing.T) {
	fx := rnnFixtureServer(t)
	type pt struct{ Coordinates [][][][]float64 }
	first := func(query string) ([]float64, http.Header) {
		res, body := fx.get(t, "/collections/rnn/items/1?"+query)
		var f struct{ Geometry pt }
		if err := json.Unmarshal(body, &f); err != nil || res.StatusCode != 200 {
			t.Fatalf("%s: %d %s", query, res.StatusCode, body)
		}
		return f.Geometry.Coordinates[0][0][0], res.Header
	}
	lonlat, h := first("")
	if h.Get("Content-Crs") != "<"+crs84URI+">" {
		t.Errorf("Content-Crs %q", h.Get("Content-Crs"))
	}
	latlon, _ := first("crs=http://www.opengis.net/def/crs/EPSG/0/4326")
	if latlon[0] != lonlat[1] || latlon[1] != lonlat[0] {
		t.Errorf("EPSG:4326: %v for CRS84 %v", latlon, lonlat)
	}
	l93, h := first("crs=" + url.QueryEscape("http://www.opengis.net/def/crs/EPSG/0/2154"))
	if h.Get("Content-Crs") != "<http://www.opengis.net/def/crs/EPSG/0/2154>" {
		t.Errorf("Content-Crs %q", h.Get("Content-Crs"))
	}
	if _, err := exec.LookPath("gdaltransform"); err != nil {
		t.Fatal("gdaltransform not found: install gdal-bin (make test-deps does)")
	}
	cmd := exec.Command("gdaltransform", "-s_srs", "EPSG:4326", "-t_srs", "EPSG:2154", "-output_xy")
	cmd.Stdin = strings.NewReader(fmt.Sprintf("%.9f %.9f\n", lonlat[0], lonlat[1]))
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(out))
	x, _ := strconv.ParseFloat(f[0], 64)
	y, _ := strconv.ParseFloat(f[1], 64)
	if math.Abs(x-l93[0]) > 0.001 || math.Abs(y-l93[1]) > 0.001 {
		t.Errorf("Lambert-93 %v, PROJ says %v %v (difference %.4f m, %.4f m)", l93, x, y, x-l93[0], y-l93[1])
	}
	// A bbox in Lambert-93 selects what the same area in CRS84 selects.
	want := fx.items(t, "bbox=5.7,45.0,5.9,45.2").names("ID_MNHN")
	got := fx.items(t, "bbox=911000,6442000,928000,6465000&bbox-crs=EPSG:2154").names("ID_MNHN")
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("bbox-crs=EPSG:2154: %v, CRS84 box gives %v", got, want)
	}
	got = fx.items(t, "bbox=45.0,5.7,45.2,5.9&bbox-crs="+url.QueryEscape("http://www.opengis.net/def/crs/EPSG/0/4326")).names("ID_MNHN")
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("bbox-crs=EPSG:4326 (lat first): %v, want %v", got, want)
	}
	merc := fx.items(t, "crs=EPSG:3857&limit=1")
	if !strings.Contains(string(merc.Features[0].Geometry), "5") || merc.Features[0].Geometry[0] != '{' {
		t.Errorf("EPSG:3857: %s", merc.Features[0].Geometry)
	}
}

func TestOGCAPIBadRequests(t *testing.T) {
	fx := rnnFixtureServer(t)
	tests := []struct{ path, want string }{
		{"/collections/rnn/items?bbox=1,2,3", "bbox must be west,south,east,north"},
		{"/collections/rnn/items?limit=-1", "limit must be a whole number from 1 to 10000"},
		{"/collections/rnn/items?limit=ten", "limit must be a whole number"},
		{"/collections/rnn/items?offset=-3", "offset must be a whole number"},
		{"/collections/rnn/items?colour=red", `unknown parameter "colour"`},
		{"/collections/rnn/items?properties=NOM,SURF_OFF", `no property "NOM"`},
		{"/collections/rnn/items?sortby=-nope", `no property "nope"`},
		{"/collections/rnn/items?filter=" + url.QueryEscape("NOM_SITE = "), "expected a value"},
		{"/collections/rnn/items?filter=" + url.QueryEscape("colour = 'red'"), `no property "colour"`},
		{"/collections/rnn/items?filter=" + url.QueryEscape("SURF_OFF = 'big'"), `property "SURF_OFF" is real`},
		{"/collections/rnn/items?filter-lang=cql2-json&filter=x", "only cql2-text"},
		{"/collections/rnn/items?crs=EPSG:27572", "crs=EPSG:27572 is not supported"},
		{"/collections/rnn/items?bbox-crs=EPSG:2154", "bbox-crs is given without bbox"},
		{"/collections/rnn/items?datetime=yesterday", "not an ISO 8601 date"},
		{"/collections/rnn/items?f=xml", "f=json and f=html"},
		{"/collections/rnn/items/1?limit=3", `unknown parameter "limit"`},
	}
	for _, tt := range tests {
		res, body := fx.get(t, tt.path)
		var p problem
		json.Unmarshal(body, &p)
		if res.StatusCode != 400 || !strings.Contains(p.Detail, tt.want) {
			t.Errorf("%s: %d %q, want 400 saying %q", tt.path, res.StatusCode, p.Detail, tt.want)
		}
	}
	for _, path := range []string{"/collections/nope", "/collections/nope/items", "/collections/rnn/items/99", "/collections/rnn/items/x"} {
		if res, _ := fx.get(t, path); res.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", path, res.StatusCode)
		}
	}
}

// ETags from the dataset version, different for JSON and HTML, and 304 on If-None-Match.
func TestOGCAPIETags(t *testing.T) {
	fx := rnnFixtureServer(t)
	for _, path := range []string{"/collections", "/collections/rnn", "/collections/rnn/items?limit=2", "/collections/rnn/items/3", "/collections/rnn/queryables"} {
		res, _ := fx.get(t, path)
		etag := res.Header.Get("ETag")
		resHTML, _ := fx.get(t, path, "Accept", "text/html")
		if etag == "" || etag == resHTML.Header.Get("ETag") {
			t.Errorf("%s: ETag %q, HTML ETag %q", path, etag, resHTML.Header.Get("ETag"))
		}
		if res, _ := fx.get(t, path, "If-None-Match", etag); res.StatusCode != http.StatusNotModified {
			t.Errorf("%s: If-None-Match gave %d", path, res.StatusCode)
		}
	}
	res, _ := fx.get(t, "/collections/rnn/items")
	old := res.Header.Get("ETag")
	if err := fx.importFile(t, "rnn", rnnFixture); err != nil {
		t.Fatal(err)
	}
	if res, _ := fx.get(t, "/collections/rnn/items", "If-None-Match", old); res.StatusCode != 200 {
		t.Errorf("after a re-import, the old ETag gave %d", res.StatusCode)
	}
}

func TestQueryables(t *testing.T) {
	fx := rnnFixtureServer(t)
	res, body := fx.get(t, "/collections/rnn/queryables")
	var q struct {
		Properties map[string]map[string]string
	}
	json.Unmarshal(body, &q)
	if res.Header.Get("Content-Type") != "application/schema+json" || q.Properties["SURF_OFF"]["type"] != "number" ||
		q.Properties["DATE_CREA"]["format"] != "date" || q.Properties["ID_MNHN"]["type"] != "string" || q.Properties["geometry"]["format"] != "geometry-any" {
		t.Errorf("queryables: %s", body)
	}
	var names []string
	for k := range q.Properties {
		names = append(names, k)
	}
	sort.Strings(names)
	if len(names) != 30 { // 29 properties and the geometry
		t.Errorf("%d queryables: %v", len(names), names)
	}
}
