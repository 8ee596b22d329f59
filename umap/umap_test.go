package umap

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/store"
)

// uMap's own backups (testdata/umap) validate: nothing that breaks the import; the legacy one's numbers
// written as strings are found, as uMap 3.8 ignores them.
func TestValidateUMapsOwnBackups(t *testing.T) {
	files, _ := filepath.Glob("../testdata/umap/*.umap")
	if len(files) == 0 {
		t.Fatal("no uMap backups in testdata/umap: they are the reference the validator is checked against")
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var ignored []string
		for _, p := range Validate(data) {
			if p.Fatal {
				t.Errorf("%s: %s", filepath.Base(name), p)
			} else {
				ignored = append(ignored, p.Path)
			}
		}
		if strings.Contains(name, "test_upload_data") {
			found := false
			for _, p := range ignored {
				found = found || strings.HasSuffix(p, "properties.fillOpacity")
			}
			if !found {
				t.Errorf("%s: the string fillOpacity \"0.5\" was not reported (found %v)", filepath.Base(name), ignored)
			}
		}
	}
}

func TestValidateFindsWhatUMapRejects(t *testing.T) {
	base := `{"type":"umap","properties":{"name":"x"},"geometry":{"type":"Point","coordinates":[5,45]},"layers":[%s]}`
	for _, tc := range []struct {
		doc, path string
		fatal     bool
	}{
		{`{"type":"map","properties":{},"layers":[]}`, "type", true},
		{`{"type":"umap","uri":"/map/1","properties":{},"layers":[]}`, "uri", true},
		{`{"type":"umap","layers":[]}`, "properties", true},
		{`{"type":"umap","properties":{},"geometry":{"type":"Point","coordinates":[45,95]},"layers":[]}`, "geometry", true},
		{strings.Replace(base, "%s", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"GeometryCollection","geometries":[]},"properties":{}}],"properties":{}}`, 1), "layers[0].features[0].geometry", true},
		{strings.Replace(base, "%s", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[5,45],[6,45],[5,46]]]},"properties":{}}],"properties":{}}`, 1), "layers[0].features[0].geometry", true},
		{strings.Replace(base, "%s", `{"type":"FeatureCollection","features":[],"properties":{"remoteData":{"url":"https://x/{bbox}/{page}","format":"geojson"}}}`, 1), "layers[0].properties.remoteData.url", true},
		{strings.Replace(base, "%s", `{"type":"FeatureCollection","features":[],"properties":{"weight":"4"}}`, 1), "layers[0].properties.weight", false},
		{strings.Replace(base, "%s", `{"type":"FeatureCollection","features":[],"properties":{"type":"Clustered"}}`, 1), "layers[0].properties.type", false},
		{strings.Replace(base, "%s", `{"type":"FeatureCollection","features":[],"properties":{"iconClass":"Pin"}}`, 1), "layers[0].properties.iconClass", false},
		{strings.Replace(base, "%s", `{"type":"FeatureCollection","features":[],"properties":{"name":"a"},"_umap_options":{"name":"b"}}`, 1), "layers[0]._umap_options", false},
	} {
		ps := Validate([]byte(tc.doc))
		ok := false
		for _, p := range ps {
			ok = ok || p.Path == tc.path && p.Fatal == tc.fatal
		}
		if !ok {
			t.Errorf("%s: want a problem at %s (fatal %v), got %v", tc.doc, tc.path, tc.fatal, ps)
		}
	}
}

func TestStyleAndMapFiles(t *testing.T) {
	maps, err := DefaultMaps()
	if err != nil || maps["isere"].Name == "" {
		t.Fatalf("shipped maps: %v %v", maps, err)
	}
	for _, tc := range []struct{ doc, want string }{
		{`{"name":"x","datasets":[]}`, "lists no dataset"},
		{`{"name":"x","datasets":["a"],"colour":"Red"}`, `unknown field "colour"`},
		{`{"name":"x","datasets":["a"],"styles":{"a":{"type":"Clustered"}}}`, "uMap knows Default, Cluster, Heat"},
		{`{"name":"x","datasets":["a"],"styles":{"a":{"color":"vert"}}}`, "colour name of uMap's picker"},
		{`{"name":"x","datasets":["a"],"styles":{"a":{"fillOpacity":4}}}`, "within 0..1"},
		{`{"name":"x","datasets":["[a"]}`, "syntax error in pattern"},
	} {
		if _, err := ParseMap("t", []byte(tc.doc)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.doc, err, tc.want)
		}
	}
	d := store.Dataset{DatasetInfo: store.DatasetInfo{ID: "apb-isere", Theme: store.ThemeNatural}, Fields: []store.Field{{Name: "name"}}}
	s := StyleFor(d, "Arrêté de protection de biotope")
	if s.Color != "OliveDrab" || *s.FillOpacity != 0.4 || s.LabelKey != "name" || s.Validate() != nil {
		t.Errorf("APB style %+v", s)
	}
	for kind, st := range kindStyles {
		if err := StyleFor(d, kind).Validate(); err != nil || st.Color == "" {
			t.Errorf("%s: %v", kind, err)
		}
	}
}

func TestSimplify(t *testing.T) {
	var ring orb.Ring
	for i := 0; i <= 360; i++ {
		a := float64(i) * 3.14159265358979 / 180
		ring = append(ring, orb.Point{5 + 0.01*cos(a), 45 + 0.01*sin(a)})
	}
	ring[len(ring)-1] = ring[0]
	poly := orb.MultiPolygon{{ring}}
	if got := Simplify(poly, 0); len(got.(orb.MultiPolygon)[0][0]) != 361 {
		t.Error("tolerance 0 changed the geometry")
	}
	s := Simplify(poly, HalfPixel(10)).(orb.MultiPolygon)
	if n := len(s[0][0]); n >= 361 || n < 8 {
		t.Errorf("a 2 km circle keeps %d positions at zoom 10", n)
	}
	if len(poly[0][0]) != 361 {
		t.Error("Simplify modified its input")
	}
	// Smaller than the tolerance: kept, as its bounding box.
	tiny := Simplify(poly, HalfPixel(3)).(orb.Polygon)
	if len(tiny[0]) != 5 {
		t.Errorf("a sub-pixel polygon became %v", tiny)
	}
	if p := (orb.Point{5, 45}); Simplify(p, 1) != p {
		t.Error("points change")
	}
}

// A snapshot of a GeoJSON import (no normalised columns) carries every column, a Table popup, both option
// keys, and validates.
func TestBuildFromGeoJSONImport(t *testing.T) {
	fx := newIsereFixture(t)
	b, rep, err := fx.build(t, `{"datasets":["rnn-*"]}`, Options{Now: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := b.Marshal()
	for _, p := range Validate(data) {
		t.Error(p)
	}
	l := b.Layers[0]
	if len(l.Features) != 15 || l.Properties.PopupTemplate != "Table" || l.Properties != l.UmapOptions || rep.Bytes != int64(len(data)) {
		t.Errorf("layer %+v, %d features, report %+v (file %d bytes)", l.Properties, len(l.Features), rep, len(data))
	}
	if b.Properties.Name != "Réserves naturelles nationales" || !strings.Contains(b.Properties.Description, "2026-11-23") || b.Properties.Zoom < 7 {
		t.Errorf("map properties %+v", b.Properties)
	}
	// Live needs the public address.
	if _, _, err := fx.build(t, `{"datasets":["rnn-*"]}`, Options{Mode: Live}); err == nil || !strings.Contains(err.Error(), "--base-url") {
		t.Errorf("live without base URL: %v", err)
	}
}

func cos(a float64) float64 { return math.Cos(a) }
func sin(a float64) float64 { return math.Sin(a) }
