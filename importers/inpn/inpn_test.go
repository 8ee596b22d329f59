package inpn

import (
	"archive/zip"
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/spatialite"
)

// realFiles are every INPN delivery in testdata/inpn and testdata/inpn-geojson (copies of the shared real
// files), with the layer each is.
var realFiles = []struct {
	path, layer string
	gdalLayer   string // layer name for ogr2ogr when the path is a zip
	encoding    string // what GDAL must be told when the file does not say it (no .cpg, no language driver)
}{
	{"inpn/apb/apb.zip", "apb", "apb", "CP1252"},
	{"inpn/apb/subset_isere_38/apb.shp", "apb", "", "CP1252"},
	{"inpn/apb/subset_puy_de_dome_63/apb.shp", "apb", "", "CP1252"},
	{"inpn/cen/subset_isere_38/cen2013_09.shp", "cen", "", ""},
	{"inpn/cen/subset_puy_de_dome_63/cen2013_09.shp", "cen", "", ""},
	{"inpn/pn/pn.zip", "pn", "N_ENP_PN_S_000", ""},
	{"inpn/pn/subset_isere_38/N_ENP_PN_S_000.shp", "pn", "", ""},
	{"inpn/rb/subset_isere_38/N_ENP_RB_S_000.shp", "rb", "", ""},
	{"inpn/rb/subset_puy_de_dome_63/N_ENP_RB_S_000.shp", "rb", "", ""},
	{"inpn/rnn/rnn.zip", "rnn", "N_ENP_RNN_S_000", ""},
	{"inpn/rnn/subset_isere_38/N_ENP_RNN_S_000.shp", "rnn", "", ""},
	{"inpn/rnn/subset_puy_de_dome_63/N_ENP_RNN_S_000.shp", "rnn", "", ""},
	{"inpn/rnr/rnr.zip", "rnr", "N_ENP_RNR_S_000", ""},
	{"inpn/rnr/subset_isere_38/N_ENP_RNR_S_000.shp", "rnr", "", ""},
	{"inpn/rnr/subset_puy_de_dome_63/N_ENP_RNR_S_000.shp", "rnr", "", ""},
	{"inpn/znieff1_mer/znieff1_mer.zip", "znieff1", "znieff1_mer", ""},
	{"inpn/znieff2_mer/znieff2_mer.zip", "znieff2", "znieff2_mer", "CP1252"}, // GDAL 3.6 does not understand the .cpg "ANSI 1252"
	{"inpn/znieff2/znieff2.dbf", "znieff2", "", ""},
	{"inpn/natura2000_sic/sic.dbf", "natura2000-sic", "", ""},
}

type gdalFeature struct {
	Properties map[string]any  `json:"properties"`
	Geometry   json.RawMessage `json:"geometry"`
}

// gdalRead reads a file the way QGIS would, through GDAL: reprojected to WGS84, with the .cpg's encoding.
func gdalRead(t *testing.T, path, layer, encoding string) []gdalFeature {
	t.Helper()
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		t.Fatal("ogr2ogr not found: install gdal-bin (make test-deps does)")
	}
	src := gdalPath(t, path, layer)
	out := filepath.Join(t.TempDir(), "gdal.geojson")
	args := []string{"-f", "GeoJSON", "-t_srs", "EPSG:4326", "-lco", "COORDINATE_PRECISION=9", out, src}
	if strings.HasSuffix(path, ".dbf") {
		args = []string{"-f", "GeoJSON", out, src}
	}
	if layer != "" {
		args = append(args, layer)
	}
	if encoding != "" {
		args = append([]string{"--config", "SHAPE_ENCODING", encoding}, args...)
	}
	if b, err := exec.Command("ogr2ogr", args...).CombinedOutput(); err != nil {
		t.Fatalf("ogr2ogr %v: %v\n%s", args, err, b)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var fc struct{ Features []gdalFeature }
	if err := json.Unmarshal(raw, &fc); err != nil {
		t.Fatal(err)
	}
	return fc.Features
}

func importReal(t *testing.T, st *spatialite.Store, path, key string) []store.Dataset {
	t.Helper()
	ctx := context.Background()
	f, err := Inspect(ctx, path, 0)
	if err != nil {
		t.Fatalf("inspect: %v", err)
	}
	defer f.Close()
	layer, _ := LayerByKey(key)
	var out []store.Dataset
	for i, part := range layer.Parts() {
		src, closeFn, err := f.Source(nil)
		if err != nil {
			t.Fatal(err)
		}
		id := strings.NewReplacer("_", "-", ".", "-", "/", "-").Replace(strings.ToLower(strings.TrimSuffix(path, filepath.Ext(path))))
		id = strings.Trim(id, "-")
		if len(id) > 50 {
			id = id[len(id)-50:]
		}
		id = strings.Trim(id, "-") + "-" + string(rune('a'+i))
		rep := &importers.Report{Source: filepath.Base(path), Format: f.Format, SourceCRS: f.CRS}
		d, err := importers.Run(ctx, st, importers.Job{
			Info:   store.DatasetInfo{ID: id, Title: layer.Title, Producer: layer.Producer, Theme: store.ThemeNatural},
			Fields: append(append([]store.Field(nil), NormalisedFields...), f.Fields...),
			Source: &Normaliser{Layer: layer, Part: part, Source: src}, Report: rep,
		})
		closeFn()
		if err != nil {
			t.Fatalf("import %s: %v", path, err)
		}
		out = append(out, d)
	}
	return out
}

// TestRealFilesMatchGDAL imports every real INPN file and checks it against GDAL: same count, same ids and
// names with the right encoding, areas within 0.1 % (or a repair in the report), every geometry valid.
func TestRealFilesMatchGDAL(t *testing.T) {
	st, err := spatialite.Open(context.Background(), filepath.Join(t.TempDir(), "inpn.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, rf := range realFiles {
		t.Run(rf.path, func(t *testing.T) {
			path := filepath.Join("..", "..", "testdata", rf.path)
			want := gdalRead(t, path, rf.gdalLayer, rf.encoding)
			ds := importReal(t, st, path, rf.layer)
			layer, _ := LayerByKey(rf.layer)
			var total int64
			var got []store.Feature
			ctx := context.Background()
			snap, err := st.Snapshot(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer snap.Close()
			var fields []store.Field
			for _, d := range ds {
				total += d.FeatureCount
				fields = d.Fields
				snap.Features(ctx, d, store.Query{}, func(f *store.Feature) error {
					c := *f
					c.Values = append([]any(nil), f.Values...)
					got = append(got, c)
					return nil
				})
			}
			if total != int64(len(want)) {
				t.Fatalf("%d features, GDAL reads %d", total, len(want))
			}
			col := map[string]int{}
			for i, f := range fields {
				col[f.Name] = i
			}
			// Compare ids and original names, as sets keyed by id+name (the PN parts reorder the records).
			key := func(id, name any) string { s, _ := json.Marshal([]any{id, name}); return string(s) }
			idField, nameField := "", ""
			for _, f := range layer.IDFields {
				if _, ok := col[f]; ok && idField == "" {
					idField = f
				}
			}
			for _, f := range layer.NameFields {
				if _, ok := col[f]; ok && nameField == "" {
					nameField = f
				}
			}
			// A file may have neither (some WFS extracts carry no attribute at all): both sides then read null.
			value := func(f store.Feature, name string) any {
				if i, ok := col[name]; ok && name != "" {
					return f.Values[i]
				}
				return nil
			}
			var gotKeys, wantKeys []string
			for _, f := range got {
				gotKeys = append(gotKeys, key(value(f, idField), value(f, nameField)))
			}
			for _, f := range want {
				wantKeys = append(wantKeys, key(f.Properties[idField], f.Properties[nameField]))
			}
			sort.Strings(gotKeys)
			sort.Strings(wantKeys)
			for i := range wantKeys {
				if gotKeys[i] != wantKeys[i] {
					t.Errorf("id/name %s, GDAL reads %s", gotKeys[i], wantKeys[i])
					break
				}
			}
			for _, k := range gotKeys {
				if strings.ContainsAny(k, "\u0092\u009c") || strings.Contains(k, "Ã") {
					t.Errorf("mis-decoded text: %s", k)
				}
			}
			if ds[0].GeometryType == "" {
				return // attribute-only table
			}
			// Every geometry valid, and areas as GDAL/PROJ measure them.
			for _, d := range ds {
				checkValidAndAreas(t, st, d, path, rf.gdalLayer, idField)
			}
		})
	}
}

func checkValidAndAreas(t *testing.T, st *spatialite.Store, d store.Dataset, path, layer, idField string) {
	t.Helper()
	// Our areas, ellipsoidal, by id.
	out, err := exec.Command("spatialite", "-silent", st.Path(),
		"SELECT sum(ST_IsValid(geom) = 0), count(*) FROM "+d.Table+" WHERE geom IS NOT NULL;").CombinedOutput()
	if err != nil {
		t.Fatalf("spatialite: %v\n%s", err, out)
	}
	fields := strings.Split(strings.TrimSpace(lastLine(string(out))), "|")
	if fields[0] != "0" {
		t.Errorf("%s: %s of %s geometries invalid", d.ID, fields[0], fields[1])
	}
	ours := areas(t, st.Path(), "SELECT coalesce(id, ''), ST_Area(geom, 1) FROM "+d.Table+" WHERE geom IS NOT NULL ORDER BY fid;")
	src := gdalPath(t, path, layer)
	gdalDB := filepath.Join(t.TempDir(), "g.db")
	args := []string{"-f", "SQLite", "-dsco", "SPATIALITE=YES", "-t_srs", "EPSG:4326", "-makevalid", "-nlt", "PROMOTE_TO_MULTI", "-dim", "XY", "-nln", "g", gdalDB, src}
	if layer != "" {
		args = append(args, layer)
	}
	if b, err := exec.Command("ogr2ogr", args...).CombinedOutput(); err != nil {
		t.Fatalf("ogr2ogr: %v\n%s", err, b)
	}
	gdalID := "''"
	if idField != "" {
		gdalID = "coalesce(CAST(" + strings.ToLower(idField) + " AS TEXT), '')"
	}
	theirs := areas(t, gdalDB, "SELECT "+gdalID+", ST_Area(GEOMETRY, 1) FROM g;")
	repaired := string(d.Report)
	bad := 0
	for id, a := range ours {
		b, ok := theirs[id]
		if !ok || b == 0 {
			continue
		}
		if rel := math.Abs(a-b) / b; rel > 0.001 && !strings.Contains(repaired, "made valid") {
			bad++
			if bad < 5 {
				t.Errorf("%s %s: area %.1f m², GDAL/PROJ %.1f m² (%.3f %%)", d.ID, id, a, b, rel*100)
			}
		}
	}
}

func areas(t *testing.T, db, sql string) map[string]float64 {
	t.Helper()
	out, err := exec.Command("spatialite", "-silent", db, sql).CombinedOutput()
	if err != nil {
		t.Fatalf("spatialite %s: %v\n%s", db, err, out)
	}
	m := map[string]float64{}
	for _, line := range strings.Split(string(out), "\n") {
		parts := strings.Split(line, "|")
		if len(parts) != 2 {
			continue
		}
		var v float64
		json.Unmarshal([]byte(parts[1]), &v)
		m[parts[0]] += v
	}
	return m
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// gdalPath is how GDAL opens path: zips through /vsizip/, which wants an absolute path and the folder that
// layer's .shp.
func gdalPath(t *testing.T, path, layer string) string {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(path, ".zip") {
		return abs
	}
	zr, err := zip.OpenReader(abs)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if strings.EqualFold(f.Name[strings.LastIndex(f.Name, "/")+1:], layer+".shp") {
			return "/vsizip/" + abs + "/" + f.Name
		}
	}
	t.Fatalf("no %s.shp in %s", layer, path)
	return ""
}

// A dataset's title names its territory, so that "apb" and "apb-isere" read apart in QGIS's list: the
// --territory's name, else the département the id ends with; a national layer's title stays bare.
func TestDatasetTitlesNameTheirTerritory(t *testing.T) {
	apb, _ := LayerByKey("apb")
	for id, want := range map[string]string{
		"":          "Arrêtés de protection de biotope",
		"apb-isere": "Arrêtés de protection de biotope (Isère)",
		"apb-ain":   "Arrêtés de protection de biotope (Ain)",
		"apb-test":  "Arrêtés de protection de biotope",
	} {
		if got := datasetInfo(apb, Part{}, id, nil, store.Source{}).Title; got != want {
			t.Errorf("id %q: title %q, want %q", id, got, want)
		}
	}
}
