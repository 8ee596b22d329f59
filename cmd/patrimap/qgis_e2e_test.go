package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/patrimap/patrimap/store"
)

// qgisPython is Debian's Python, the one python3-qgis installs into (a python3 earlier on the PATH, pyenv's,
// has no qgis module).
const qgisPython = "/usr/bin/python3"

// qgisLayer is what test/qgis/load.py says of a vector layer QGIS loaded.
type qgisLayer struct {
	Valid    bool        `json:"valid"`
	Error    string      `json:"error"`
	Count    int         `json:"count"`
	Fields   [][2]string `json:"fields"`
	Features []struct {
		Attrs map[string]any `json:"attrs"`
		BBox  []float64      `json:"bbox"`
	} `json:"features"`
	Sublayers []string `json:"sublayers"`
}

func (l qgisLayer) fieldType(name string) string {
	for _, f := range l.Fields {
		if f[0] == name {
			return f[1]
		}
	}
	return ""
}

type qgisRender struct {
	PNG     string   `json:"png"`
	Painted int      `json:"painted"`
	Sampled int      `json:"sampled"`
	Errors  []string `json:"errors"`
}

type qgisTiles struct {
	Valid   bool        `json:"valid"`
	MinZoom int         `json:"minzoom"`
	MaxZoom int         `json:"maxzoom"`
	Render  *qgisRender `json:"render"`
}

type qgisResults struct {
	QGIS        string               `json:"qgis"`
	OAPIF       map[string]qgisLayer `json:"oapif"`
	OAPIFRender *qgisRender          `json:"oapif_render"`
	Store       struct {
		Sublayers []string             `json:"sublayers"`
		Browser   []string             `json:"browser"`
		Layers    map[string]qgisLayer `json:"layers"`
	} `json:"store"`
	GPKG    qgisLayer `json:"gpkg"`
	Tiles   qgisTiles `json:"tiles"`
	MBTiles qgisTiles `json:"mbtiles"`
}

// QGIS 3.22 (Debian's qgis and python3-qgis, headless) loads what patrimap serves and writes, as a user adds
// it: every collection over OGC API Features, the store file itself, a downloaded GeoPackage, the vector
// tiles and an MBTiles export. The store is the demo's plus the national APB layer (a second "Arrêtés de
// protection de biotope") and gardens whose INSEE codes start with 0. Every value QGIS shows is compared with
// the server's GeoJSON: none lost, dates typed Date, codes kept as text with their leading zeros; the store
// file offers the datasets and nothing else; layers render.
func TestQGISLoadsPatrimap(t *testing.T) {
	if _, err := os.Stat(qgisPython); err != nil {
		t.Fatalf("%s not found: the QGIS test runs PyQGIS with Debian's Python (apt-get install qgis python3-qgis)", qgisPython)
	}
	if out, err := exec.Command(qgisPython, "-c", "import qgis.core").CombinedOutput(); err != nil {
		t.Fatalf("PyQGIS is not installed for %s: apt-get install qgis python3-qgis (make test-deps does)\n%s", qgisPython, out)
	}
	db := demoStore(t)
	for _, args := range [][]string{
		{"import", "inpn", "--file", "../../testdata/inpn/apb/apb.zip"},
		{"import", "culture", "--list", "jardins", "--file", "../../testdata/culture/jardins-tortuecookie-extract.csv", "--dataset", "jardins-extrait"},
	} {
		if out, err := patrimap(t, append(args, "--db", db)...); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	srv := serveStore(t, db)
	dir := t.TempDir()

	// The collections and their titles, as QGIS's OGC API dialog lists them: one title per collection.
	var colls struct {
		Collections []struct{ ID, Title string }
	}
	getJSON(t, srv.URL+"/collections?f=json", &colls)
	var ids []string
	titles := map[string]string{}
	for _, c := range colls.Collections {
		ids = append(ids, c.ID)
		if other, dup := titles[c.Title]; dup {
			t.Errorf("collections %s and %s share the title %q: QGIS's list cannot tell them apart", other, c.ID, c.Title)
		}
		titles[c.Title] = c.ID
	}
	if len(ids) != 11 {
		t.Fatalf("%d collections: %v", len(ids), ids)
	}

	gpkg := filepath.Join(dir, "jardins-extrait.gpkg")
	download(t, srv.URL+"/datasets/jardins-extrait.gpkg", gpkg)
	mbtiles := filepath.Join(dir, "apb-isere.mbtiles")
	if out, err := patrimap(t, "tiles", "export", "--db", db, "--dataset", "apb-isere", "--maxzoom", "10", "--out", mbtiles); err != nil {
		t.Fatalf("tiles export: %v\n%s", err, out)
	}
	shots := screenshotDir(t, "qgis")
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	cases := map[string]any{
		"url": srv.URL, "collections": ids, "render": "apb-isere", "extent": []float64{4.7, 44.6, 6.4, 46.4},
		"png_dir": shots, "store": db, "store_dir": filepath.Dir(db), "store_name": filepath.Base(db), "gpkg": gpkg,
		"tiles": srv.URL + "/tiles/apb-isere/{z}/{x}/{y}.mvt", "mbtiles": mbtiles,
	}
	casesFile, resultsFile := filepath.Join(dir, "cases.json"), filepath.Join(dir, "results.json")
	data, _ := json.Marshal(cases)
	if err := os.WriteFile(casesFile, data, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, qgisPython, "../../test/qgis/load.py", casesFile, resultsFile)
	runtime := filepath.Join(dir, "xdg-runtime")
	if err := os.Mkdir(runtime, 0o700); err != nil { // Qt wants its runtime directory private
		t.Fatal(err)
	}
	cmd.Env = append(os.Environ(), "QT_QPA_PLATFORM=offscreen", "XDG_RUNTIME_DIR="+runtime)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("test/qgis/load.py: %v\n%s", err, out)
	} else {
		t.Logf("test/qgis/load.py:\n%s", out)
	}
	var res qgisResults
	data, err := os.ReadFile(resultsFile)
	if err != nil || json.Unmarshal(data, &res) != nil {
		t.Fatalf("results of test/qgis/load.py: %v", err)
	}
	t.Logf("QGIS %s", res.QGIS)

	// Over OGC API: every collection, every feature, every value as the server has it (JSON columns as their
	// JSON text, which is what QGIS is served).
	for _, id := range ids {
		l := res.OAPIF[id]
		if !l.Valid {
			t.Errorf("OAPIF %s: not loaded: %s", id, l.Error)
			continue
		}
		server := serverFeatures(t, srv.URL, id)
		compareLayer(t, "OAPIF "+id, l, server)
	}
	mer, jar := res.OAPIF["merimee-isere"], res.OAPIF["jardins-extrait"]
	if len(mer.Features) > 0 {
		f := mer.Features[0]
		if f.Attrs["name"] != "Maison du peintre Ernest Hébert" || f.Attrs["dmaj"] != "2022-12-09" ||
			math.Abs(f.BBox[0]-5.7507919) > 1e-6 || math.Abs(f.BBox[1]-45.2056338) > 1e-6 {
			t.Errorf("OAPIF merimee-isere, first feature: %v at %v", f.Attrs, f.BBox)
		}
	}
	// The year of the first protection is a whole number in every feature, its full date (when known) a Date:
	// neither column mixes years and dates, which QGIS would type from its first page and blank.
	for name, want := range map[string]string{"dmaj": "Date", "id": "String", "insee": "String", "protection_events": "String",
		"first_protected": "Integer", "first_protected_date": "Date"} {
		if got := mer.fieldType(name); got != want {
			t.Errorf("OAPIF merimee-isere: %s typed %q, want %s", name, got, want)
		}
	}
	for _, name := range []string{"insee", "postcode", "departement"} {
		if got := jar.fieldType(name); got != "String" {
			t.Errorf("OAPIF jardins-extrait: %s typed %q: codes are text (leading zeros)", name, got)
		}
	}
	if !slices.ContainsFunc(jar.Features, func(f struct {
		Attrs map[string]any `json:"attrs"`
		BBox  []float64      `json:"bbox"`
	}) bool {
		return f.Attrs["insee"] == "06059" && f.Attrs["departement"] == "06"
	}) {
		t.Errorf("OAPIF jardins-extrait: no garden of commune 06059 (département 06) as text")
	}
	checkRender(t, "OAPIF apb-isere", res.OAPIFRender)

	// The store file: QGIS offers the datasets, under their table names, and nothing else; each holds what the
	// server serves (JSON columns as text).
	var tables []string
	for _, id := range ids {
		tables = append(tables, store.TableName(id))
	}
	for what, got := range map[string][]string{"Add Vector Layer's sublayers": res.Store.Sublayers, "the browser": res.Store.Browser} {
		if !sameSet(got, tables) {
			t.Errorf("the store file in %s: %v, want the datasets %v", what, got, tables)
		}
	}
	for _, id := range []string{"merimee-isere", "jardins-extrait", "apb-isere"} {
		l := res.Store.Layers[store.TableName(id)]
		if !l.Valid {
			t.Errorf("store %s: not loaded: %s", id, l.Error)
			continue
		}
		compareLayer(t, "store "+id, l, serverFeatures(t, srv.URL, id))
	}
	for name, want := range map[string]string{"dmaj": "Date", "first_protected": "Integer", "first_protected_date": "Date"} {
		if got := res.Store.Layers["merimee_isere"].fieldType(name); got != want {
			t.Errorf("store merimee_isere: %s typed %q, want %s", name, got, want)
		}
	}

	// A downloaded GeoPackage.
	if !res.GPKG.Valid || len(res.GPKG.Sublayers) == 0 || res.GPKG.Sublayers[0] != "jardins_extrait" {
		t.Errorf("GeoPackage: valid %v, layers %v: %s", res.GPKG.Valid, res.GPKG.Sublayers, res.GPKG.Error)
	} else {
		compareLayer(t, "GeoPackage jardins-extrait", res.GPKG, serverFeatures(t, srv.URL, "jardins-extrait"))
	}

	// Vector tiles from the server and from the MBTiles export, at the file's zooms, drawn.
	if !res.Tiles.Valid || res.Tiles.MinZoom != 0 || res.Tiles.MaxZoom != 14 {
		t.Errorf("vector tiles: %+v", res.Tiles)
	}
	checkRender(t, "vector tiles", res.Tiles.Render)
	if !res.MBTiles.Valid || res.MBTiles.MinZoom != 0 || res.MBTiles.MaxZoom != 10 {
		t.Errorf("MBTiles exported to zoom 10: QGIS reads %+v", res.MBTiles)
	}
	checkRender(t, "MBTiles", res.MBTiles.Render)
}

// serverFeatures is what the server serves QGIS of a collection: its features' properties, JSON columns as
// text, and their bounding boxes.
func serverFeatures(t *testing.T, base, id string) []serverFeature {
	t.Helper()
	var fc struct {
		Features []struct {
			Geometry   json.RawMessage
			Properties map[string]any
		}
	}
	getJSON(t, base+"/collections/"+id+"/items?limit=10000&json=text", &fc)
	out := make([]serverFeature, len(fc.Features))
	for i, f := range fc.Features {
		out[i] = serverFeature{Props: f.Properties, BBox: rawBBox(f.Geometry)}
	}
	return out
}

type serverFeature struct {
	Props map[string]any
	BBox  [4]float64
}

// rawBBox is the bounding box of a GeoJSON geometry's coordinates, read as nested arrays.
func rawBBox(g json.RawMessage) [4]float64 {
	var geom struct{ Coordinates any }
	json.Unmarshal(g, &geom)
	b := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	var walk func(v any)
	walk = func(v any) {
		a, _ := v.([]any)
		if len(a) >= 2 {
			if x, ok := a[0].(float64); ok {
				y, _ := a[1].(float64)
				b = [4]float64{min(b[0], x), min(b[1], y), max(b[2], x), max(b[3], y)}
				return
			}
		}
		for _, e := range a {
			walk(e)
		}
	}
	walk(geom.Coordinates)
	return b
}

// compareLayer checks that QGIS's layer holds the server's features, in order, with every property as a field
// and every value equal: a value QGIS shows as NULL or otherwise is lost, counted per field.
func compareLayer(t *testing.T, what string, l qgisLayer, server []serverFeature) {
	t.Helper()
	if l.Count != len(server) || len(l.Features) != len(server) {
		t.Errorf("%s: QGIS counts %d features and reads %d, the server has %d", what, l.Count, len(l.Features), len(server))
		return
	}
	lost := map[string]int{}
	example := map[string]string{}
	for i, sf := range server {
		q := l.Features[i]
		for name, v := range sf.Props {
			got, ok := q.Attrs[name]
			if !ok {
				lost[name]++
				example[name] = "no such field in QGIS"
				continue
			}
			if !sameQGISValue(v, got) {
				lost[name]++
				if example[name] == "" {
					example[name] = fmt.Sprintf("feature %d: server %#v, QGIS %#v", i+1, v, got)
				}
			}
		}
		if q.BBox != nil && !math.IsInf(sf.BBox[0], 0) {
			for k := range 4 {
				if math.Abs(q.BBox[k]-sf.BBox[k]) > 1e-6 {
					t.Errorf("%s: feature %d: QGIS bounds %v, the server's %v", what, i+1, q.BBox, sf.BBox)
					break
				}
			}
		}
	}
	for name, n := range lost {
		t.Errorf("%s: %s: %d of %d values lost (%s)", what, name, n, len(server), example[name])
	}
}

// sameQGISValue compares a value of the server's GeoJSON with the one QGIS shows: strings and dates as text,
// numbers as numbers, and a JSON column served as text with what a GeoPackage's JSON field gives back.
func sameQGISValue(server, qgis any) bool {
	switch s := server.(type) {
	case nil:
		return qgis == nil
	case float64:
		switch q := qgis.(type) {
		case float64:
			return math.Abs(s-q) <= 1e-9*math.Max(1, math.Abs(s))
		case bool:
			return (s != 0) == q
		}
		return false
	case bool:
		switch q := qgis.(type) {
		case bool:
			return s == q
		case float64:
			return s == (q != 0)
		}
		return false
	case string:
		switch q := qgis.(type) {
		case string:
			// A date-time QGIS shows in ISO form ("T"), without its zone and fraction.
			if s == q {
				return true
			}
			iso := strings.Replace(s, " ", "T", 1)
			return len(q) >= 19 && len(iso) >= 19 && iso[10] == 'T' && strings.HasPrefix(iso, q)
		case nil:
			return false
		default:
			var sv any
			if json.Unmarshal([]byte(s), &sv) != nil {
				return false
			}
			a, _ := json.Marshal(sv)
			b, _ := json.Marshal(q)
			return string(a) == string(b)
		}
	}
	return false
}

func checkRender(t *testing.T, what string, r *qgisRender) {
	t.Helper()
	if r == nil {
		t.Errorf("%s: not rendered", what)
		return
	}
	// The APB polygons of Isère, drawn over the département: some pixels painted, most left white.
	if r.Painted < 200 || r.Painted > r.Sampled/2 || len(r.Errors) > 0 {
		t.Errorf("%s: %d of %d sampled pixels painted in %s, errors %v", what, r.Painted, r.Sampled, r.PNG, r.Errors)
	}
	t.Logf("%s: %d of %d sampled pixels painted (%s)", what, r.Painted, r.Sampled, r.PNG)
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("%s: %d %s", url, res.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
}

func download(t *testing.T, url, path string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("%s: %d", url, res.StatusCode)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(f, res.Body); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
