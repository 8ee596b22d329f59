package server

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// monumentsFixture imports a small inventory with the normalised name and kind columns, one row unplaced.
func monumentsFixture(t *testing.T) *fixture {
	t.Helper()
	fx := rnnFixtureServer(t)
	path := filepath.Join(t.TempDir(), "monuments.geojson")
	doc := `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"name":"Église Saint-Laurent","kind":"église"},"geometry":{"type":"Point","coordinates":[5.7305,45.1952]}},
{"type":"Feature","properties":{"name":"Château de Vizille","kind":"château"},"geometry":{"type":"Point","coordinates":[5.7719,45.0781]}},
{"type":"Feature","properties":{"name":"Ancienne église paroissiale","kind":"église"},"geometry":{"type":"Point","coordinates":[5.9,45.3]}},
{"type":"Feature","properties":{"name":"Chapelle perdue","kind":"chapelle"},"geometry":null}
]}`
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := fx.importFile(t, "monuments", path); err != nil {
		t.Fatal(err)
	}
	return fx
}

// A browser asking for /datasets/{id} gets the dataset's sheet; API clients keep the JSON.
func TestDatasetSheet(t *testing.T) {
	fx := monumentsFixture(t)
	tests := []struct {
		name, path, accept string
		html               bool
		want               []string
	}{
		{"browser", "/datasets/monuments", "text/html,application/xhtml+xml,*/*;q=0.8", true,
			[]string{`<html lang="fr">`, "<h1>Réserves monuments</h1>", "INPN – MNHN/PatriNat", "Licence Ouverte 2.0",
				`href="/datasets/monuments.geojson"`, `href="/datasets/monuments.csv"`, `href="/umap/datasets/monuments.umap"`,
				"<code>name</code></td><td>text", "Rapport d&#39;import", "<strong>4</strong> lus",
				"<strong>1</strong> sans position", `data-datasets="monuments"`, `src="/static/vendor/maplibre-gl.js"`}},
		{"f=html in English", "/datasets/monuments?f=html&lang=en", "", true,
			[]string{`<html lang="en">`, "Import report", "<strong>1</strong> without a position", "Downloads"}},
		{"API client", "/datasets/monuments", "application/json", false, []string{`"id":"monuments"`, `"without_geometry":1`}},
		{"no Accept", "/datasets/monuments", "", false, []string{`"id":"monuments"`}},
		{".json stays JSON for a browser", "/datasets/monuments.json", "text/html", false, []string{`"id":"monuments"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			if tc.accept != "" {
				hdr = []string{"Accept", tc.accept}
			}
			res, body := fx.get(t, tc.path, hdr...)
			if res.StatusCode != 200 {
				t.Fatalf("%d: %s", res.StatusCode, body)
			}
			ct := res.Header.Get("Content-Type")
			if tc.html != strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type %s", ct)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(body), w) {
					t.Errorf("lacks %q", w)
				}
			}
		})
	}
	// The HTML and JSON representations have their own validators.
	res, _ := fx.get(t, "/datasets/monuments", "Accept", "text/html")
	etag := res.Header.Get("ETag")
	if res, _ = fx.get(t, "/datasets/monuments", "Accept", "text/html", "If-None-Match", etag); res.StatusCode != 304 {
		t.Errorf("sheet revalidation: %d", res.StatusCode)
	}
	if res, _ = fx.get(t, "/datasets/monuments", "Accept", "application/json", "If-None-Match", etag); res.StatusCode != 200 {
		t.Errorf("JSON with the sheet's ETag: %d, want 200", res.StatusCode)
	}
	if res, _ = fx.get(t, "/datasets/nope", "Accept", "text/html"); res.StatusCode != 404 {
		t.Errorf("unknown dataset: %d", res.StatusCode)
	}
}

func TestSearchIgnoresCaseAndAccents(t *testing.T) {
	fx := monumentsFixture(t)
	type hit struct {
		Dataset, Name, Kind string
		BBox                []float64
	}
	tests := []struct {
		q    string
		want []string // names, in order
	}{
		{"eglise", []string{"Église Saint-Laurent", "Ancienne église paroissiale"}}, // prefix matches first
		{"CHÂTEAU", []string{"Château de Vizille"}},
		{"saint laurent", []string{"Église Saint-Laurent"}},
		{"perdue", []string{"Chapelle perdue"}},
		{"zzz", nil},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			res, body := fx.get(t, "/search?q="+strings.ReplaceAll(tc.q, " ", "+"))
			if res.StatusCode != 200 {
				t.Fatalf("%d: %s", res.StatusCode, body)
			}
			var out struct{ Results []hit }
			if err := json.Unmarshal(body, &out); err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, h := range out.Results {
				names = append(names, h.Name)
				if h.Dataset != "monuments" {
					t.Errorf("%s from %s", h.Name, h.Dataset)
				}
				if (h.Name == "Chapelle perdue") != (h.BBox == nil) {
					t.Errorf("%s: bbox %v (only the unplaced row has none)", h.Name, h.BBox)
				}
			}
			if strings.Join(names, "|") != strings.Join(tc.want, "|") {
				t.Errorf("got %q, want %q", names, tc.want)
			}
		})
	}
	for _, bad := range []string{"/search", "/search?q=e", "/search?q=eglise&limit=0", "/search?q=eglise&limit=x"} {
		if res, body := fx.get(t, bad); res.StatusCode != 400 || !strings.Contains(string(body), "search:") {
			t.Errorf("%s: %d %s", bad, res.StatusCode, body)
		}
	}
	// datasets= restricts the search.
	_, body := fx.get(t, "/search?q=eglise&datasets=rnn")
	if !strings.Contains(string(body), `"results":[]`) {
		t.Errorf("datasets=rnn: %s", body)
	}
}

func TestEmbedPage(t *testing.T) {
	fx := monumentsFixture(t)
	tests := []struct {
		query  string
		status int
		want   string
	}{
		{"", 200, `data-mode="embed"`},
		{"?datasets=monuments,rnn&bbox=5.6,45.0,6.0,45.4&lang=en", 200, `data-mode="embed"`},
		{"?datasets=nope", 404, `no dataset \"nope\"`},
		{"?bbox=5,45,4,46", 400, "west (5) is greater than east (4)"},
		{"?zoom=3", 400, `unknown parameter \"zoom\"`},
	}
	for _, tc := range tests {
		res, body := fx.get(t, "/embed"+tc.query)
		if res.StatusCode != tc.status || !strings.Contains(string(body), tc.want) {
			t.Errorf("/embed%s: %d, want %d with %q:\n%.300s", tc.query, res.StatusCode, tc.status, tc.want, body)
		}
	}
}

// The pages load MapLibre from the binary, never from a CDN.
func TestWebMapAssetsAreVendored(t *testing.T) {
	fx := newFixture(t)
	for _, p := range []string{"/", "/embed"} {
		_, body := fx.get(t, p, "Accept", "text/html")
		for _, w := range []string{`src="/static/vendor/maplibre-gl.js"`, `href="/static/vendor/maplibre-gl.css"`, `src="/static/app.js"`} {
			if !strings.Contains(string(body), w) {
				t.Errorf("%s lacks %s", p, w)
			}
		}
		if strings.Contains(string(body), "://") && strings.Contains(string(body), "unpkg") {
			t.Errorf("%s loads from a CDN", p)
		}
	}
	for _, p := range []string{"/static/vendor/maplibre-gl.js", "/static/vendor/maplibre-gl.css", "/static/vendor/LICENSE.txt", "/static/embed.html"} {
		if res, body := fx.get(t, p); res.StatusCode != 200 || len(body) == 0 {
			t.Errorf("%s: %d", p, res.StatusCode)
		}
	}
}

func TestFoldName(t *testing.T) {
	for in, want := range map[string]string{
		"Église Saint-Laurent": "eglise saint laurent",
		"ŒUVRE":                "oeuvre",
		"l’Abbaye":             "l'abbaye",
		"Château":              "chateau",
	} {
		if got := foldName(in); got != want {
			t.Errorf("foldName(%q) = %q, want %q", in, got, want)
		}
	}
}
