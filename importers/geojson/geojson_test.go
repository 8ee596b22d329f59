package geojson

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/charset"
	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/spatialite"
	"github.com/patrimap/patrimap/store/storetest"
)

func newStore(t *testing.T) *spatialite.Store {
	t.Helper()
	st, err := spatialite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func importFile(t *testing.T, st *spatialite.Store, id, path string, srid int) (store.Dataset, *importers.Report, error) {
	t.Helper()
	f, err := Open(path, srid, nil)
	if err != nil {
		return store.Dataset{}, nil, err
	}
	defer f.Close()
	rep := &importers.Report{Source: filepath.Base(path), Format: "GeoJSON"}
	d, err := importers.Run(context.Background(), st, importers.Job{
		Info:   store.DatasetInfo{ID: id, Title: id, Producer: "test"},
		Source: f, Report: rep,
	})
	return d, rep, err
}

func features(t *testing.T, st *spatialite.Store, d store.Dataset) []store.Feature {
	t.Helper()
	ctx := context.Background()
	snap, err := st.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	var out []store.Feature
	err = snap.Features(ctx, d, store.Query{}, func(f *store.Feature) error {
		c := *f
		c.Values = append([]any(nil), f.Values...)
		out = append(out, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRealLayer(t *testing.T) {
	st := newStore(t)
	d, rep, err := importFile(t, st, "cen-isere", filepath.Join("..", "..", "testdata", "cen-isere.geojson"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Read != 20 || rep.Written != 20 || d.FeatureCount != 20 {
		t.Errorf("read %d, written %d, dataset %d; want 20", rep.Read, rep.Written, d.FeatureCount)
	}
	// ogrinfo finds 2 invalid polygons in this subset (a ring self-intersection each).
	if rep.Repaired != 2 {
		t.Errorf("repaired %d, want 2 (report %+v)", rep.Repaired, rep.Fixes)
	}
	var names []string
	for _, f := range d.Fields {
		names = append(names, f.Name+":"+string(f.Type))
	}
	if got := strings.Join(names, " "); got != "ID_MNHN:text ID_ORG:text NOM:text SUPERFICE:real DATE_:text" {
		t.Errorf("fields = %s", got)
	}
	fs := features(t, st, d)
	if fs[0].Values[2] != "Marais de la Lèze" || fs[0].Values[1] != "CENISE019" {
		t.Errorf("first feature = %v", fs[0].Values)
	}
	var invalid int
	// Every stored geometry is valid after the import.
	for _, f := range fs {
		if f.Geometry == nil {
			invalid++
		}
	}
	if invalid != 0 {
		t.Errorf("%d features lost their geometry", invalid)
	}
}

func TestMalformedJSONNamesOffsetAndFeature(t *testing.T) {
	st := newStore(t)
	body := `{"type":"FeatureCollection","features":[
{"type":"Feature","geometry":{"type":"Point","coordinates":[5,45]},"properties":{"a":1}},
{"type":"Feature","geometry":{"type":"Point","coordinates":[5,45]},"properties":{"a":2,}}
]}`
	p := writeFile(t, "bad.geojson", body)
	at := fmt.Sprintf("feature 2 (starting after byte %d)", strings.Index(body, "}},\n{")+2)

	_, _, err := importFile(t, st, "bad", p, 0)
	if err == nil {
		t.Fatal("malformed JSON imported")
	}
	msg := err.Error()
	if !errors.Is(err, importers.ErrBadInput) || !strings.Contains(msg, "bad.geojson") || !strings.Contains(msg, at) {
		t.Errorf("error = %v", err)
	}
	if ds := storetest.Datasets(t, st); len(ds) != 0 {
		t.Errorf("a failed import left %d datasets", len(ds))
	}
}

func TestTruncatedFile(t *testing.T) {
	st := newStore(t)
	p := writeFile(t, "cut.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[5,`)
	_, _, err := importFile(t, st, "cut", p, 0)
	if err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("error = %v", err)
	}
}

func TestNullGeometryKept(t *testing.T) {
	st := newStore(t)
	p := writeFile(t, "null.geojson", `{"type":"FeatureCollection","features":[
{"type":"Feature","geometry":null,"properties":{"ref":"PA00092145","nom":"Église"}},
{"type":"Feature","geometry":{"type":"Point","coordinates":[5.72,45.19]},"properties":{"ref":"PA38000012","nom":"Tour"}}]}`)
	d, rep, err := importFile(t, st, "nulls", p, 0)
	if err != nil {
		t.Fatal(err)
	}
	if rep.NoGeom != 1 || d.FeatureCount != 2 || d.GeometryType != "POINT" {
		t.Errorf("without geometry %d, count %d, type %s", rep.NoGeom, d.FeatureCount, d.GeometryType)
	}
	fs := features(t, st, d)
	if fs[0].Geometry != nil || fs[0].Values[0] != "PA00092145" {
		t.Errorf("attribute-only row = %+v", fs[0])
	}
}

func TestInvalidPolygonRepairedAndCounted(t *testing.T) {
	st := newStore(t)
	p := writeFile(t, "bowtie.geojson", `{"type":"FeatureCollection","features":[
{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[5,45],[5.1,45.1],[5.1,45],[5,45.1],[5,45]]]},"properties":{"n":"bow-tie"}},
{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[6,45],[6.1,45],[6.1,45.1],[6,45.1]]]},"properties":{"n":"unclosed"}}]}`)
	d, rep, err := importFile(t, st, "bowtie", p, 0)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Repaired != 1 {
		t.Errorf("repaired = %d, want 1", rep.Repaired)
	}
	closed := false
	for _, c := range rep.Fixes {
		if c.What == "unclosed ring closed" && c.N == 1 && c.Examples[0] == "feature 2" {
			closed = true
		}
	}
	if !closed {
		t.Errorf("unclosed ring not reported: %+v", rep.Fixes)
	}
	for _, f := range features(t, st, d) {
		if f.Geometry == nil || f.Geometry.GeoJSONType() != "MultiPolygon" {
			t.Errorf("feature %d geometry = %v", f.FID, f.Geometry)
		}
	}
}

func TestEmptyCollection(t *testing.T) {
	st := newStore(t)
	for name, content := range map[string]string{
		"empty.geojson":  `{"type":"FeatureCollection","features":[]}`,
		"nofeat.geojson": `{"type":"FeatureCollection"}`,
	} {
		d, rep, err := importFile(t, st, strings.TrimSuffix(name, ".geojson"), writeFile(t, name, content), 0)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d.FeatureCount != 0 || len(rep.Warnings) == 0 {
			t.Errorf("%s: %d features, warnings %v", name, d.FeatureCount, rep.Warnings)
		}
	}
	if _, _, err := importFile(t, st, "zero", writeFile(t, "zero.geojson", ""), 0); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty file: %v", err)
	}
}

func TestMissingFile(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), "nope.geojson"), 0, nil)
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "nope.geojson") {
		t.Errorf("error = %v", err)
	}
}

func TestNewlineDelimitedAndSequences(t *testing.T) {
	st := newStore(t)
	nd := `{"type":"Feature","geometry":{"type":"Point","coordinates":[5,45]},"properties":{"a":1}}
{"properties":{"a":2},"geometry":{"type":"Point","coordinates":[6,46]},"type":"Feature"}
`
	d, _, err := importFile(t, st, "nd", writeFile(t, "a.geojsonl", nd), 0)
	if err != nil || d.FeatureCount != 2 {
		t.Fatalf("ndjson: %d features, %v", d.FeatureCount, err)
	}
	seq := "\x1e" + strings.ReplaceAll(nd, "\n{", "\n\x1e{")
	d, _, err = importFile(t, st, "seq", writeFile(t, "a.geojsons", seq), 0)
	if err != nil || d.FeatureCount != 2 {
		t.Fatalf("text sequence: %d features, %v", d.FeatureCount, err)
	}
}

func TestPropertiesKeepOrderTypesAndIDs(t *testing.T) {
	st := newStore(t)
	p := writeFile(t, "p.geojson", "\ufeff"+`{"type":"FeatureCollection","features":[
{"type":"Feature","id":"node/42","geometry":{"type":"Point","coordinates":[5,45]},
 "properties":{"zeta":"06059","alpha":12345678901234567890,"big":1.5e3,"ok":true,"tags":{"k":["v"]},"d":"2019-10-03","esc":"L\u2019AVAL \"x\""}}]}`)
	d, _, err := importFile(t, st, "props", p, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range d.Fields {
		got = append(got, f.Name+":"+string(f.Type))
	}
	want := "id:text zeta:text alpha:text big:real ok:boolean tags:json d:date esc:text"
	if strings.Join(got, " ") != want {
		t.Errorf("fields = %s\nwant     %s", strings.Join(got, " "), want)
	}
	f := features(t, st, d)[0]
	if f.Values[0] != "node/42" || f.Values[1] != "06059" || f.Values[2] != "12345678901234567890" || f.Values[7] != `L’AVAL "x"` {
		t.Errorf("values = %#v", f.Values)
	}
}

func TestLambert93(t *testing.T) {
	st := newStore(t)
	// The Grenoble town hall, in Lambert-93 as GDAL writes a GeoJSON 2008 "crs".
	body := `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::2154"}},"features":[
{"type":"Feature","geometry":{"type":"Point","coordinates":[914240.0,6457660.0]},"properties":{}}]}`
	d, rep, err := importFile(t, st, "l93", writeFile(t, "l93.geojson", body), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep.SourceCRS, "2154") {
		t.Errorf("source CRS = %q", rep.SourceCRS)
	}
	pt := features(t, st, d)[0].Geometry.(interface{ Y() float64 })
	if y := pt.Y(); y < 45.1 || y > 45.3 {
		t.Errorf("latitude = %v, want about 45.19", y)
	}
	// Without the crs member, projected coordinates are refused with advice.
	noCRS := strings.Replace(body, `"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::2154"}},`, "", 1)
	_, _, err = importFile(t, st, "l93b", writeFile(t, "l93b.geojson", noCRS), 0)
	if err == nil || !strings.Contains(err.Error(), "--crs EPSG:2154") || !strings.Contains(err.Error(), "feature 1") {
		t.Errorf("error = %v", err)
	}
	// --crs makes it work.
	if _, _, err := importFile(t, st, "l93c", writeFile(t, "l93c.geojson", noCRS), 2154); err != nil {
		t.Errorf("with --crs: %v", err)
	}
}

func TestNotFeaturesSkipped(t *testing.T) {
	st := newStore(t)
	p := writeFile(t, "mixed.geojson", `{"type":"FeatureCollection","features":[{"type":"Point","coordinates":[1,2]},
{"type":"Feature","geometry":{"type":"LineString","coordinates":[[5,45],[6,46]]},"properties":null}]}`)
	d, rep, err := importFile(t, st, "mixed", p, 0)
	if err != nil {
		t.Fatal(err)
	}
	if d.FeatureCount != 1 || rep.SkippedTotal() != 1 || d.GeometryType != "MULTILINESTRING" {
		t.Errorf("count %d, skipped %d, type %s", d.FeatureCount, rep.SkippedTotal(), d.GeometryType)
	}
}

func FuzzProperties(f *testing.F) {
	f.Add([]byte(`{"a":1,"b":"x","c":[1,{"d":"]"}],"e":null}`))
	f.Add([]byte(`{"k\"ey":"v\\"}`))
	f.Add([]byte("{\"\":\"\x8e\"}")) // issue 17: a byte that is not UTF-8 was stored as is
	f.Fuzz(func(t *testing.T, raw []byte) {
		// Never panic; on any valid JSON object, find the same keys and values as encoding/json once the strings
		// that are not UTF-8 are read as Windows-1252, and only valid UTF-8.
		props, _, err := properties(raw)
		repaired, _ := charset.JSON(raw)
		var want map[string]any
		if json.Unmarshal(repaired, &want) != nil || want == nil {
			return
		}
		if err != nil {
			t.Fatalf("valid object %q rejected: %v", raw, err)
		}
		got := map[string]any{}
		for _, p := range props {
			if !utf8.ValidString(p.Key) {
				t.Fatalf("%q: key %q is not UTF-8", raw, p.Key)
			}
			if s, ok := p.Value.(string); ok && !utf8.ValidString(s) {
				t.Fatalf("%q: value %q is not UTF-8", raw, s)
			}
			got[p.Key] = p.Value
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d keys, encoding/json finds %d", raw, len(got), len(want))
		}
		for k, w := range want {
			switch g := got[k].(type) {
			case string:
				if ws, ok := w.(string); ok && ws != g {
					t.Fatalf("%q: key %q = %q, want %q", raw, k, g, ws)
				}
			case nil:
				if w != nil {
					t.Fatalf("%q: key %q = nil, want %v", raw, k, w)
				}
			}
		}
	})
}
