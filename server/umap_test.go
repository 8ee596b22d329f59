package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/patrimap/patrimap/umap"
)

func countPositions(g orb.Geometry) int {
	n := 0
	switch g := g.(type) {
	case orb.MultiPolygon:
		for _, p := range g {
			for _, r := range p {
				n += len(r)
			}
		}
	case orb.Polygon:
		for _, r := range g {
			n += len(r)
		}
	}
	return n
}

// What uMap's remote-data layer gets: CORS, validators, bbox in uMap's order, lighter outlines at low zoom.
func TestUMapRemoteData(t *testing.T) {
	fx := newFixture(t)
	if err := fx.importFile(t, "rnn-isere", rnn); err != nil {
		t.Fatal(err)
	}
	res, body := fx.get(t, "/umap/data/rnn-isere.geojson", "Origin", "https://umap.openstreetmap.fr")
	if res.StatusCode != 200 || res.Header.Get("Access-Control-Allow-Origin") != "*" || res.Header.Get("Last-Modified") == "" ||
		res.Header.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("status %d, headers %v", res.StatusCode, res.Header)
	}
	full, err := geojson.UnmarshalFeatureCollection(body)
	if err != nil || len(full.Features) != 15 {
		t.Fatalf("%v, %d features", err, len(full.Features))
	}
	// Revalidation: uMap's fetch sends the ETag back; nothing changed, nothing sent.
	res, _ = fx.get(t, "/umap/data/rnn-isere.geojson", "If-None-Match", res.Header.Get("ETag"))
	if res.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: %d, want 304", res.StatusCode)
	}

	// uMap's {bbox} is west,south,east,north: around the Haut-Vénéon reserve only.
	_, body = fx.get(t, "/umap/data/rnn-isere.geojson?bbox=6.27,44.92,6.30,44.95&zoom=12")
	fc, err := geojson.UnmarshalFeatureCollection(body)
	if err != nil || len(fc.Features) != 1 || fc.Features[0].Properties["NOM_SITE"] != "Haut-Vénéon" {
		t.Fatalf("bbox: %v %s", err, body)
	}
	// Zoomed out past the world (Leaflet's bounds run beyond ±180): clamped, everything answered.
	_, body = fx.get(t, "/umap/data/rnn-isere.geojson?bbox=-540.5,-85.1,540.2,85.1&zoom=2")
	low, err := geojson.UnmarshalFeatureCollection(body)
	if err != nil || len(low.Features) != 15 {
		t.Fatalf("world bbox: %v %s", err, truncateBody(body))
	}
	fullN, lowN := 0, 0
	for i := range full.Features {
		fullN += countPositions(full.Features[i].Geometry)
		lowN += countPositions(low.Features[i].Geometry)
	}
	if lowN*4 > fullN {
		t.Errorf("zoom 2 keeps %d of %d positions: not simplified", lowN, fullN)
	}
	for _, tc := range []struct {
		path, says string
		status     int
	}{
		// The cap: a clear 413 problem, never a truncated layer.
		{"/umap/data/rnn-isere.geojson?limit=5", "15 features in rnn-isere, more than the 5 patrimap sends to uMap at once: the layer grew since its map was exported", 413},
		{"/umap/data/rnn-isere.geojson?limit=5&bbox=5,44,7,46&zoom=9", "features of rnn-isere in this view, more than the 5 patrimap sends to uMap at once: zoom in (a live export hides the layer below the zoom where a 2560×1600 px view", 413},
		{"/umap/data/rnn-isere.geojson?fields=NOM_SITE,nope", `rnn-isere has no column "nope"`, 400},
		{"/umap/data/rnn-isere.geojson?bbox=5,45,6", "west,south,east,north", 400},
		{"/umap/data/rnn-isere.geojson?bbox=6,45,5,46", "must not exceed", 400},
		{"/umap/data/rnn-isere.geojson?zoom=abc", "zoom=abc", 400},
		{"/umap/data/nope.geojson", "not found", 404},
		{"/umap/data/rnn-isere.json", "/umap/data/{dataset}.geojson", 404},
	} {
		res, body := fx.get(t, tc.path, "Origin", "https://umap.openstreetmap.fr")
		var p problem
		json.Unmarshal(body, &p)
		if res.StatusCode != tc.status || !strings.Contains(p.Detail, tc.says) || res.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s: %d %q, want %d saying %q (with CORS, so that uMap can read it)", tc.path, res.StatusCode, p.Detail, tc.status, tc.says)
		}
	}
}

// A live layer gets the features uMap can place (a feature without geometry makes uMap's editor alert
// "Skipping unknown geometry.type"), and the columns a thematic layer asks for.
func TestUMapRemoteDataPlacedFeaturesAndColumns(t *testing.T) {
	fx := monumentsFixture(t)
	_, body := fx.get(t, "/umap/data/monuments.geojson")
	fc, err := geojson.UnmarshalFeatureCollection(body)
	if err != nil || len(fc.Features) != 3 || !strings.Contains(string(body), `"numberReturned":3`) {
		t.Fatalf("%v: %s", err, truncateBody(body))
	}
	for _, f := range fc.Features {
		if f.Geometry == nil || f.Properties["name"] == "Chapelle perdue" {
			t.Errorf("feature %v without a place", f.Properties)
		}
	}
	_, body = fx.get(t, "/umap/data/rnn.geojson?fields=NOM_SITE,SURF_OFF&bbox=6.27,44.92,6.30,44.95&zoom=12")
	fc, err = geojson.UnmarshalFeatureCollection(body)
	if err != nil || len(fc.Features) != 1 || len(fc.Features[0].Properties) != 2 || fc.Features[0].Properties["SURF_OFF"] == nil {
		t.Fatalf("fields: %v %s", err, truncateBody(body))
	}
}

func truncateBody(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// /umap/{map}.umap: a backup uMap imports, snapshot or live; a territory map found from dataset ids.
func TestUMapBackups(t *testing.T) {
	fx := newFixture(t)
	if err := fx.importFile(t, "rnn-isere", rnn); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/umap/isere.umap", "/umap/all.umap", "/umap/isere.umap?mode=live", "/umap/datasets/rnn-isere.umap"} {
		res, body := fx.get(t, path)
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Disposition"), ".umap") {
			t.Fatalf("%s: %d %s", path, res.StatusCode, truncateBody(body))
		}
		for _, p := range umap.Validate(body) {
			t.Errorf("%s: %s", path, p)
		}
		var b struct {
			URI    string
			Layers []struct {
				Features   []json.RawMessage
				Properties map[string]any
			}
		}
		json.Unmarshal(body, &b)
		if len(b.Layers) != 1 || b.Layers[0].Properties["name"] != "Réserves rnn-isere" || !strings.HasPrefix(b.URI, fx.srv.URL+"/umap/") {
			t.Errorf("%s: %d layers, uri %q", path, len(b.Layers), b.URI)
			continue
		}
		remote := b.Layers[0].Properties["remoteData"].(map[string]any)
		if live := strings.Contains(path, "live"); live != (remote["url"] != nil) || live == (len(b.Layers[0].Features) == 15) {
			t.Errorf("%s: remoteData %v with %d features", path, remote, len(b.Layers[0].Features))
		}
		if strings.Contains(path, "live") {
			res, body := fx.get(t, strings.TrimPrefix(remote["url"].(string), fx.srv.URL))
			if fc, err := geojson.UnmarshalFeatureCollection(body); res.StatusCode != 200 || err != nil || len(fc.Features) != 15 {
				t.Errorf("remote data %v: %d %v", remote["url"], res.StatusCode, err)
			}
		}
	}
	for _, tc := range []struct {
		path, says string
		status     int
	}{
		{"/umap/nowhere.umap", "the maps are isere, puy-de-dome, all", 404},
		{"/umap/isere.umap?budget=10000", "over the budget", 413},
		{"/umap/isere.umap?mode=frozen", "the modes are snapshot", 400},
		{"/umap/datasets/nope.umap", `no dataset "nope"`, 404},
	} {
		res, body := fx.get(t, tc.path)
		var p problem
		json.Unmarshal(body, &p)
		if res.StatusCode != tc.status || !strings.Contains(p.Detail, tc.says) {
			t.Errorf("%s: %d %q, want %d saying %q", tc.path, res.StatusCode, p.Detail, tc.status, tc.says)
		}
	}
	res, body := fx.get(t, "/umap")
	if res.StatusCode != 200 || !strings.Contains(string(body), `"slug":"isere"`) || strings.Contains(string(body), "puy-de-dome") {
		t.Errorf("/umap: %d %s", res.StatusCode, body)
	}
}
