package server

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const qgisUserAgent = "Mozilla/5.0 QGIS/32216"

// monumentsServer serves two monuments with a JSON column of arrays of objects, as Mérimée's
// protection_events.
func monumentsServer(t *testing.T) *fixture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "monuments.geojson")
	err := os.WriteFile(path, []byte(`{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"name":"Maison Hébert","events":[{"date":"1942-08-09","type":"inscrit","partial":false}]},"geometry":{"type":"Point","coordinates":[5.7508,45.2056]}},
{"type":"Feature","properties":{"name":"Église","events":[{"date":"1840","type":"classé"},{"date":"1926-03-01","type":"inscrit"}]},"geometry":{"type":"Point","coordinates":[5.72,45.19]}}]}`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	fx := newFixture(t)
	if err := fx.importFile(t, "monuments", path); err != nil {
		t.Fatal(err)
	}
	return fx
}

// A JSON column over OGC API: JSON for GDAL and browsers, its JSON text in a string for QGIS (whose provider
// blanks arrays of objects) or whoever asks json=text, and the queryables say which.
func TestJSONColumnsOverOGCAPI(t *testing.T) {
	fx := monumentsServer(t)
	const events = `[{"date":"1942-08-09","type":"inscrit","partial":false}]`
	for _, tc := range []struct {
		query, userAgent string
		text             bool
	}{
		{"", "GDAL/3.6.2", false},
		{"", "", false},
		{"", qgisUserAgent, true},
		{"json=native", qgisUserAgent, false},
		{"json=text", "", true},
	} {
		for _, path := range []string{"/collections/monuments/items?limit=1&" + tc.query, "/collections/monuments/items/1?" + tc.query} {
			res, body := fx.get(t, path, "User-Agent", tc.userAgent)
			if res.StatusCode != 200 {
				t.Fatalf("%s (%s): %d %s", path, tc.userAgent, res.StatusCode, body)
			}
			var doc struct {
				Properties map[string]any
				Features   []struct{ Properties map[string]any }
			}
			if err := json.Unmarshal(body, &doc); err != nil {
				t.Fatal(err)
			}
			props := doc.Properties
			if len(doc.Features) > 0 {
				props = doc.Features[0].Properties
			}
			got := props["events"]
			if s, ok := got.(string); tc.text && (!ok || s != events) {
				t.Errorf("%s (%s): events %#v, want the JSON text %s", path, tc.userAgent, got, events)
			}
			if a, ok := got.([]any); !tc.text && (!ok || len(a) != 1) {
				t.Errorf("%s (%s): events %#v, want an array", path, tc.userAgent, got)
			}
			if tc.query == "" && !strings.Contains(strings.Join(res.Header.Values("Vary"), ","), "User-Agent") {
				t.Errorf("%s: Vary %q: the answer depends on the User-Agent", path, res.Header.Values("Vary"))
			}
		}
		res, body := fx.get(t, "/collections/monuments/queryables?"+tc.query, "User-Agent", tc.userAgent)
		var q struct{ Properties map[string]map[string]any }
		if err := json.Unmarshal(body, &q); err != nil || res.StatusCode != 200 {
			t.Fatalf("queryables: %d %s", res.StatusCode, body)
		}
		e := q.Properties["events"]
		if tc.text && (e["type"] != "string" || e["contentMediaType"] != "application/json") {
			t.Errorf("queryables (%s %s): events %v, want a string of JSON", tc.query, tc.userAgent, e)
		}
		if types, _ := e["type"].([]any); !tc.text && len(types) != 2 {
			t.Errorf("queryables (%s %s): events %v, want an array or an object", tc.query, tc.userAgent, e)
		}
	}
	native, _ := fx.get(t, "/collections/monuments/items", "User-Agent", "GDAL/3.6.2")
	text, _ := fx.get(t, "/collections/monuments/items", "User-Agent", qgisUserAgent)
	if native.Header.Get("ETag") == text.Header.Get("ETag") {
		t.Errorf("JSON and text answers share the ETag %s", text.Header.Get("ETag"))
	}
	if res, _ := fx.get(t, "/collections/monuments/items", "User-Agent", qgisUserAgent, "If-None-Match", native.Header.Get("ETag")); res.StatusCode != http.StatusOK {
		t.Errorf("QGIS revalidating with the JSON answer's ETag got %d", res.StatusCode)
	}
	for _, path := range []string{"/collections/monuments/items?json=xml", "/collections/monuments/items/1?json=JSON", "/collections/monuments/queryables?json=yes"} {
		res, body := fx.get(t, path)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "json=native") {
			t.Errorf("%s: %d %s", path, res.StatusCode, body)
		}
	}
}
