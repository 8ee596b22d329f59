package server

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/maptile/tilecover"

	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/storetest"
	"github.com/patrimap/patrimap/tiles"
)

// needTool fails (never skips) when a program the tile tests check with is missing.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not installed: the vector-tile tests check tiles with it; run `make test-deps`", name)
	}
	return p
}

func decodeTile(t *testing.T, b []byte) map[string]tiles.MVTLayer {
	t.Helper()
	ls, err := tiles.DecodeMVT(b)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]tiles.MVTLayer{}
	for _, l := range ls {
		m[l.Name] = l
	}
	return m
}

// isereTile is the z8 tile over Grenoble, where the Isère reserves are.
var isereTile = maptile.At(orb.Point{5.9, 45.1}, 8)

func tilePath(spec string, t maptile.Tile, ext string) string {
	return fmt.Sprintf("/tiles/%s/%d/%d/%d.%s", spec, t.Z, t.X, t.Y, ext)
}

func TestTileJSON(t *testing.T) {
	fx := rnnFixtureServer(t)
	res, body := fx.get(t, "/tiles/rnn.json")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("TileJSON %d %s: %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	var tj tiles.TileJSON
	if err := json.Unmarshal(body, &tj); err != nil {
		t.Fatal(err)
	}
	if tj.TileJSON != "3.0.0" || tj.MinZoom != 0 || tj.MaxZoom != tiles.MaxZoom || len(tj.Bounds) != 4 || len(tj.Center) != 3 ||
		len(tj.Tiles) != 1 || !strings.HasPrefix(tj.Tiles[0], fx.srv.URL+"/tiles/rnn/{z}/{x}/{y}.mvt?v=") || tj.Attribution == "" {
		t.Errorf("TileJSON = %s", body)
	}
	if tj.Bounds[0] < 4.5 || tj.Bounds[2] > 7 || tj.Bounds[1] < 44 || tj.Bounds[3] > 46.5 {
		t.Errorf("bounds %v are not Isère's", tj.Bounds)
	}
	if len(tj.VectorLayers) != 1 || tj.VectorLayers[0].ID != "rnn" || tj.VectorLayers[0].Fields["NOM_SITE"] != "String" || tj.VectorLayers[0].Fields["SURF_OFF"] != "Number" {
		t.Errorf("vector_layers = %+v", tj.VectorLayers)
	}
	res, _ = fx.get(t, "/tiles/rnn.json", "If-None-Match", res.Header.Get("ETag"))
	if res.StatusCode != 304 {
		t.Errorf("TileJSON revalidation: %d", res.StatusCode)
	}
	if res, _ := fx.get(t, "/tiles/nope.json"); res.StatusCode != 404 {
		t.Errorf("TileJSON of a missing dataset: %d", res.StatusCode)
	}
}

func TestTileAddressErrors(t *testing.T) {
	fx := rnnFixtureServer(t)
	for _, tc := range []struct {
		path   string
		status int
		detail string
	}{
		{"/tiles/rnn/15/0/0.mvt", 404, "past the maximum zoom 14"},
		{"/tiles/rnn/2/4/0.mvt", 404, "from 0 to 3"},
		{"/tiles/rnn/2/0/9.pbf", 404, "from 0 to 3"},
		{"/tiles/rnn/a/0/0.mvt", 400, "is not a whole number"},
		{"/tiles/rnn/2/-1/0.mvt", 400, "whole numbers"},
		{"/tiles/rnn/2/0/0.png", 404, ".mvt, {y}.pbf or {y}.geojson"},
		{"/tiles/nope/0/0/0.mvt", 404, "GET /datasets lists them"},
		{"/tiles/rnn,rnn/0/0/0.mvt", 404, "each once"},
		{"/tiles/a,b,c,d,e,f,g,h,i/0/0/0.mvt", 400, "at most 8"},
	} {
		res, body := fx.get(t, tc.path)
		if res.StatusCode != tc.status || res.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(string(body), tc.detail) {
			t.Errorf("%s: %d %s %s, want %d with %q", tc.path, res.StatusCode, res.Header.Get("Content-Type"), body, tc.status, tc.detail)
		}
	}
}

func TestTileEmptyCachedAndRevalidated(t *testing.T) {
	fx := rnnFixtureServer(t)
	// Empty: 204 without a body for MVT, an empty collection for GeoJSON.
	res, body := fx.get(t, "/tiles/rnn/5/0/0.mvt")
	if res.StatusCode != 204 || len(body) != 0 {
		t.Errorf("empty MVT tile: %d, %d bytes", res.StatusCode, len(body))
	}
	res, body = fx.get(t, "/tiles/rnn/5/0/0.geojson")
	if res.StatusCode != 200 || !strings.Contains(string(body), `"features":[]`) {
		t.Errorf("empty GeoJSON tile: %d %s", res.StatusCode, body)
	}

	path := tilePath("rnn", isereTile, "mvt")
	res, body = fx.get(t, path)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/vnd.mapbox-vector-tile" || res.Header.Get("X-Tile-Cache") != "miss" {
		t.Fatalf("tile %d %q cache %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("X-Tile-Cache"))
	}
	if l := decodeTile(t, body)["rnn"]; len(l.Features) == 0 || l.Extent != 4096 {
		t.Fatalf("tile over Grenoble has layers %v", decodeTile(t, body))
	}
	etag := res.Header.Get("ETag")
	if etag == "" || res.Header.Get("Cache-Control") != "public, no-cache" {
		t.Errorf("ETag %q, Cache-Control %q", etag, res.Header.Get("Cache-Control"))
	}
	res2, body2 := fx.get(t, path)
	if res2.Header.Get("X-Tile-Cache") != "hit" || !bytes.Equal(body, body2) || res2.Header.Get("ETag") != etag {
		t.Errorf("second request: cache %q, same bytes %v", res2.Header.Get("X-Tile-Cache"), bytes.Equal(body, body2))
	}
	if res, body := fx.get(t, path, "If-None-Match", etag); res.StatusCode != 304 || len(body) != 0 {
		t.Errorf("If-None-Match: %d", res.StatusCode)
	}
	// The gzip made once is what a client asking for gzip gets.
	res, zbody := fx.get(t, path, "Accept-Encoding", "gzip")
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q", res.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(zbody))
	if err != nil {
		t.Fatal(err)
	}
	if unz, _ := io.ReadAll(zr); !bytes.Equal(unz, body) {
		t.Errorf("gzipped tile differs from the tile")
	}
	// The URL TileJSON gives names the version: browsers may keep it for good.
	var tj tiles.TileJSON
	_, tjb := fx.get(t, "/tiles/rnn.json")
	json.Unmarshal(tjb, &tj)
	v := tj.Tiles[0][strings.Index(tj.Tiles[0], "?"):]
	if res, _ := fx.get(t, path+v); res.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Errorf("versioned URL Cache-Control %q", res.Header.Get("Cache-Control"))
	}
	// GeoJSON tiles for Leaflet and uMap.
	res, body = fx.get(t, tilePath("rnn", isereTile, "geojson"))
	var fc struct {
		Type     string
		Features []struct {
			ID         int64
			Properties map[string]any
		}
	}
	if err := json.Unmarshal(body, &fc); err != nil || res.Header.Get("Content-Type") != "application/geo+json" || len(fc.Features) == 0 || fc.Features[0].Properties["NOM_SITE"] == nil {
		t.Errorf("GeoJSON tile %s: %v %.300s", res.Header.Get("Content-Type"), err, body)
	}
}

// A re-import invalidates that dataset's tiles, and only its.
func TestTileCacheInvalidatedByReimport(t *testing.T) {
	fx := newFixture(t)
	for _, id := range []string{"a", "b"} {
		if err := fx.importFile(t, id, rnn); err != nil {
			t.Fatal(err)
		}
	}
	get := func(spec string) (string, string) {
		res, _ := fx.get(t, tilePath(spec, isereTile, "mvt"))
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", spec, res.StatusCode)
		}
		return res.Header.Get("X-Tile-Cache"), res.Header.Get("ETag")
	}
	for _, spec := range []string{"a", "b", "a,b"} {
		if c, _ := get(spec); c != "miss" {
			t.Errorf("first %s: %s", spec, c)
		}
	}
	_, etagA := get("a")
	for _, spec := range []string{"a", "b", "a,b"} {
		if c, _ := get(spec); c != "hit" {
			t.Errorf("second %s: %s", spec, c)
		}
	}
	if err := fx.importFile(t, "a", rnn); err != nil {
		t.Fatal(err)
	}
	if c, etag := get("a"); c != "miss" || etag == etagA {
		t.Errorf("after re-importing a: a is a %s with ETag %s (was %s)", c, etag, etagA)
	}
	if c, _ := get("b"); c != "hit" {
		t.Errorf("after re-importing a: b is a %s, want hit", c)
	}
	if c, _ := get("a,b"); c != "miss" {
		t.Errorf("after re-importing a: a,b is a %s, want miss", c)
	}
}

// Two datasets in one tile: one layer each, named after the dataset.
func TestTileSeveralDatasets(t *testing.T) {
	fx := newFixture(t)
	fx.importFile(t, "rnn", rnn)
	fx.importFile(t, "apb", "../testdata/apb-isere.geojson")
	res, body := fx.get(t, tilePath("rnn,apb", maptile.At(orb.Point{5.9, 45.1}, 6), "mvt"))
	ls := decodeTile(t, body)
	if res.StatusCode != 200 || len(ls) != 2 || len(ls["rnn"].Features) == 0 || len(ls["apb"].Features) == 0 {
		t.Errorf("%d: layers %v", res.StatusCode, ls)
	}
	var tj tiles.TileJSON
	_, body = fx.get(t, "/tiles/rnn,apb.json")
	json.Unmarshal(body, &tj)
	if len(tj.VectorLayers) != 2 || tj.VectorLayers[1].ID != "apb" {
		t.Errorf("TileJSON of two datasets: %s", body)
	}
}

type storedFeature struct {
	fid  int64
	geom orb.Geometry
	name string
}

func storedFeatures(t *testing.T, st storetest.Reader, id, nameField string) []storedFeature {
	t.Helper()
	_, fs := storetest.ReadAll(t, st, id, store.Query{Select: []string{nameField}})
	out := make([]storedFeature, len(fs))
	for i, f := range fs {
		name, _ := f.Values[0].(string)
		out[i] = storedFeature{f.FID, f.Geometry, name}
	}
	return out
}

// At the maximum zoom every feature is in every tile its geometry covers, with its attributes; the tiles
// decode with @mapbox/vector-tile (MapLibre's decoder) and GDAL's MVT driver; decoded polygons are valid.
func TestTilesEveryFeatureAtMaxZoomDecodedByMapboxAndGDAL(t *testing.T) {
	node := needTool(t, "node")
	needTool(t, "ogrinfo")
	fx := rnnFixtureServer(t)
	feats := storedFeatures(t, fx.st, "rnn", "NOM_SITE")
	if len(feats) != 15 {
		t.Fatalf("%d features", len(feats))
	}
	dir := t.TempDir()
	bodies := map[maptile.Tile][]byte{}
	var files []string
	for _, f := range feats {
		set, err := tilecover.Geometry(f.geom, tiles.MaxZoom)
		if err != nil {
			t.Fatal(err)
		}
		for tile := range set {
			b, ok := bodies[tile]
			if !ok {
				res, body := fx.get(t, tilePath("rnn", tile, "mvt"))
				if res.StatusCode != 200 {
					t.Fatalf("tile %v of feature %d (%s): %d", tile, f.fid, f.name, res.StatusCode)
				}
				b = body
				bodies[tile] = b
				file := filepath.Join(dir, fmt.Sprintf("%d-%d-%d.mvt", tile.Z, tile.X, tile.Y))
				os.WriteFile(file, b, 0o644)
				files = append(files, file)
			}
			found := false
			for _, mf := range decodeTile(t, b)["rnn"].Features {
				if int64(mf.ID) == f.fid {
					found = mf.Properties["NOM_SITE"] == f.name && mf.Properties["ID_LOCAL"] != nil
				}
			}
			if !found {
				t.Errorf("feature %d (%s) is not in tile %v with its attributes", f.fid, f.name, tile)
			}
		}
	}
	t.Logf("%d tiles at zoom %d cover the %d reserves", len(bodies), tiles.MaxZoom, len(feats))

	// @mapbox/vector-tile reads the same features, ids and attributes.
	sort.Strings(files)
	cmd := exec.Command(node, append([]string{"test/browser/mvt-decode.mjs"}, files...)...)
	cmd.Dir = ".."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node mvt-decode.mjs: %v\n%s", err, stderr.String())
	}
	var decoded map[string]map[string]struct {
		Extent   int
		Version  int
		Features []struct {
			ID         int64
			Type       string
			Properties map[string]any
			Rings      [][][2]float64
		}
	}
	if err := json.Unmarshal(out, &decoded); err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		l := decoded[file]["rnn"]
		b, _ := os.ReadFile(file)
		mine := decodeTile(t, b)["rnn"]
		if l.Extent != 4096 || l.Version != 2 || len(l.Features) != len(mine.Features) {
			t.Fatalf("%s: @mapbox/vector-tile reads extent %d version %d, %d features; patrimap wrote %d", file, l.Extent, l.Version, len(l.Features), len(mine.Features))
		}
		for i, f := range l.Features {
			if f.ID != int64(mine.Features[i].ID) || f.Type != "Polygon" || f.Properties["NOM_SITE"] != mine.Features[i].Properties["NOM_SITE"] {
				t.Errorf("%s feature %d: %+v", file, i, f.Properties)
			}
		}
	}

	// GDAL's MVT driver reads them; SpatiaLite (GEOS) finds every polygon valid.
	invalid, total := 0, 0
	for i, file := range files {
		if i%7 != 0 && i != len(files)-1 { // a sample keeps the test quick: every seventh tile
			continue
		}
		var z, x, y int
		fmt.Sscanf(filepath.Base(file), "%d-%d-%d.mvt", &z, &x, &y)
		cmd := exec.Command("ogrinfo", "-ro", "-q", "-oo", fmt.Sprintf("Z=%d", z), "-oo", fmt.Sprintf("X=%d", x), "-oo", fmt.Sprintf("Y=%d", y),
			"-dialect", "SQLite", "-sql", "SELECT count(*) AS n, sum(ST_IsValid(geometry)) AS valid, min(NOM_SITE) AS name FROM rnn", file)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("ogrinfo %s: %v\n%s", file, err, out)
		}
		var n, valid int
		for _, line := range strings.Split(string(out), "\n") {
			line = strings.TrimSpace(line)
			fmt.Sscanf(line, "n (Integer) = %d", &n)
			fmt.Sscanf(line, "valid (Integer) = %d", &valid)
		}
		if n == 0 || !strings.Contains(string(out), "name (String) = ") {
			t.Fatalf("GDAL reads no feature in %s:\n%s", file, out)
		}
		total += n
		invalid += n - valid
	}
	if invalid > 0 {
		t.Errorf("GDAL/GEOS finds %d invalid polygons out of %d", invalid, total)
	}
	t.Logf("GDAL read %d features, all valid", total)
}
