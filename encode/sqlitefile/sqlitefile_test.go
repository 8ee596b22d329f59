package sqlitefile

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	sqlite3 "github.com/mattn/go-sqlite3"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/spatialite"
)

// format is one of the two files, with what GDAL reports of each field type in it.
type format struct {
	name, ext, driver string
	write             func(context.Context, string, store.Dataset, Stream) error
	legacy            func(*spatialite.Store) func(context.Context, store.Dataset, string) error
	types             map[store.FieldType]string
}

var formats = []format{
	{name: "GeoPackage", ext: ".gpkg", driver: "GPKG", write: WriteGeoPackage,
		legacy: func(s *spatialite.Store) func(context.Context, store.Dataset, string) error {
			return s.ExportGeoPackage
		},
		types: map[store.FieldType]string{store.FieldText: "String", store.FieldInteger: "Integer64", store.FieldReal: "Real",
			store.FieldBoolean: "Integer(Boolean)", store.FieldDate: "Date", store.FieldDateTime: "DateTime", store.FieldJSON: "String(JSON)"}},
	{name: "SpatiaLite", ext: ".sqlite", driver: "SQLite", write: WriteSpatiaLite,
		legacy: func(s *spatialite.Store) func(context.Context, store.Dataset, string) error {
			return s.ExportSpatiaLite
		},
		// GDAL 3.6 reads the JSONTEXT declared type as a plain String.
		types: map[store.FieldType]string{store.FieldText: "String", store.FieldInteger: "Integer64", store.FieldReal: "Real",
			store.FieldBoolean: "Integer(Boolean)", store.FieldDate: "Date", store.FieldDateTime: "DateTime", store.FieldJSON: "String"}},
}

// gdalGeometryNames are the names ogrinfo gives the catalogue's geometry types.
var gdalGeometryNames = map[string]string{"POINT": "Point", "MULTIPOINT": "Multi Point", "LINESTRING": "Line String",
	"MULTILINESTRING": "Multi Line String", "POLYGON": "Polygon", "MULTIPOLYGON": "Multi Polygon", "": "None"}

// Every real fixture, written in both formats from a store snapshot, reads back in GDAL as the store holds it
// and as the store's own export (store/export.go) wrote it: count, types, every value, every geometry, the
// spatial index, the metadata; the GeoPackage passes GDAL's validator.
func TestWrittenFilesReadByGDAL(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	dir := t.TempDir()
	var datasets []store.Dataset
	for _, fx := range fixtures {
		datasets = append(datasets, fx.load(t, st, fx.id))
	}
	datasets = append(datasets, importTypes(t, st))
	for _, d := range datasets {
		want := storeFeatures(t, st, d)
		for _, ft := range formats {
			t.Run(d.ID+"/"+ft.name, func(t *testing.T) {
				path := filepath.Join(dir, d.ID+ft.ext)
				if err := ft.write(ctx, path, d, features(st, d)); err != nil {
					t.Fatal(err)
				}
				legacy := filepath.Join(dir, d.ID+".legacy"+ft.ext)
				if err := ft.legacy(st)(ctx, d, legacy); err != nil {
					t.Fatal(err)
				}
				sum := checkSummary(t, path, legacy, d, ft)
				checkFeatures(t, path, legacy, d, want)
				checkSpatialIndex(t, st, path, legacy, d, ft)
				checkMetadata(t, path, legacy, d, ft, sum)
				checkSQLite(t, path, legacy, d, ft)
				if ft.driver == "GPKG" {
					// A date-time without a time zone is written without the Z, as GDAL writes it: the validator
					// warns about it, it is not UTC.
					validateGeoPackage(t, path, "In column at, text 2022-03-04T05:06:07.500 found which is not a valid DATETIME")
				}
				if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o644 {
					t.Errorf("file %v, %v: want mode 0644", st, err)
				}
			})
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// storeFeatures reads d from the store, geometries cloned.
func storeFeatures(t *testing.T, st *spatialite.Store, d store.Dataset) []store.Feature {
	t.Helper()
	var out []store.Feature
	err := features(st, d)(context.Background(), func(f *store.Feature) error {
		out = append(out, store.Feature{FID: f.FID, Geometry: orb.Clone(f.Geometry), Values: append([]any(nil), f.Values...)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(out)) != d.FeatureCount || len(out) == 0 {
		t.Fatalf("the store streams %d features of %s, its catalogue says %d", len(out), d.ID, d.FeatureCount)
	}
	return out
}

func checkSummary(t *testing.T, path, legacy string, d store.Dataset, ft format) layerSummary {
	t.Helper()
	got, old := summary(t, path, d.Table), summary(t, legacy, d.Table)
	if got.count != strconv.FormatInt(d.FeatureCount, 10) || got.count != old.count {
		t.Errorf("Feature Count: %s, legacy export %s, store %d", got.count, old.count, d.FeatureCount)
	}
	if got.geometry != gdalGeometryNames[d.GeometryType] || got.geometry != old.geometry {
		t.Errorf("Geometry: %q, legacy export %q, store %s", got.geometry, old.geometry, d.GeometryType)
	}
	if d.GeometryType != "" && !got.srs {
		t.Errorf("the layer is not in EPSG:4326")
	}
	want := map[string]string{}
	for _, f := range d.Fields {
		want[f.Name] = ft.types[f.Type]
	}
	if !reflect.DeepEqual(got.fields, want) {
		t.Errorf("GDAL field types %v, want %v", got.fields, want)
	}
	for name, typ := range old.fields {
		// The legacy SpatiaLite export declares INTEGER, which GDAL reads as 32 bits (2^40 becomes 2147483647).
		if got.fields[name] != typ && !(ft.driver == "SQLite" && typ == "Integer" && got.fields[name] == "Integer64") {
			t.Errorf("field %s: %s, legacy export %s", name, got.fields[name], typ)
		}
	}
	return got
}

func checkFeatures(t *testing.T, path, legacy string, d store.Dataset, want []store.Feature) {
	t.Helper()
	// The legacy SpatiaLite export declares INTEGER, which GDAL reads as 32 bits: it warns of an overflow.
	got, old := readWithGDAL(t, path, d.Table, ""), readWithGDAL(t, legacy, d.Table, "Integer overflow occurred")
	if len(got) != len(want) || len(old) != len(want) {
		t.Fatalf("GDAL reads %d features, %d from the legacy export, the store has %d", len(got), len(old), len(want))
	}
	for i, w := range want {
		g, o := got[i], old[i]
		if g.ID.String() != strconv.FormatInt(w.FID, 10) {
			t.Fatalf("feature %d: fid %s in the file, want %d", i, g.ID, w.FID)
		}
		if len(g.Properties) != len(d.Fields) {
			t.Errorf("fid %d: %d properties, want %d", w.FID, len(g.Properties), len(d.Fields))
		}
		for j, f := range d.Fields {
			if err := sameValue(f, w.Values[j], g.Properties[f.Name]); err != nil {
				t.Errorf("fid %d: %s (%s): %v", w.FID, f.Name, f.Type, err)
			}
			if f.Type != store.FieldInteger && !reflect.DeepEqual(g.Properties[f.Name], o.Properties[f.Name]) {
				t.Errorf("fid %d: %s = %v, legacy export %v", w.FID, f.Name, g.Properties[f.Name], o.Properties[f.Name])
			}
		}
		gg, og := geometryOf(t, g), geometryOf(t, o)
		switch {
		case w.Geometry == nil:
			if gg != nil || og != nil {
				t.Errorf("fid %d: geometry %v (legacy %v), the store has none", w.FID, gg, og)
			}
		default:
			if err := sameGeometry(w.Geometry, gg, 1e-9); err != nil {
				t.Errorf("fid %d: geometry: %v", w.FID, err)
			}
			if err := sameGeometry(og, gg, 1e-9); err != nil {
				t.Errorf("fid %d: geometry against the legacy export: %v", w.FID, err)
			}
		}
	}
}

func geometryOf(t *testing.T, f gdalFeature) orb.Geometry {
	t.Helper()
	if len(f.Geometry) == 0 || string(f.Geometry) == "null" {
		return nil
	}
	g, err := geojson.UnmarshalGeometry(f.Geometry)
	if err != nil {
		t.Fatalf("geometry %.100s: %v", f.Geometry, err)
	}
	return g.Geometry()
}

// checkSpatialIndex: GDAL finds the index, uses it for a bounding-box query (its debug output shows the
// query going through the R*Tree), and the query selects what the store selects.
func checkSpatialIndex(t *testing.T, st *spatialite.Store, path, legacy string, d store.Dataset, ft format) {
	t.Helper()
	if d.GeometryType == "" || d.BBox == nil {
		return
	}
	b := *d.BBox
	c := b.Center()
	q := orb.Bound{Min: orb.Point{(b.Min[0] + c[0]) / 2, (b.Min[1] + c[1]) / 2}, Max: orb.Point{(b.Max[0] + c[0]) / 2, (b.Max[1] + c[1]) / 2}}
	spat := []string{"-spat", fmt.Sprint(q.Min[0]), fmt.Sprint(q.Min[1]), fmt.Sprint(q.Max[0]), fmt.Sprint(q.Max[1])}

	ctx := context.Background()
	sn, err := st.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, err := sn.Count(ctx, d, store.Query{BBox: &q})
	sn.Close()
	if err != nil {
		t.Fatal(err)
	}
	count := func(path string) int {
		out := ogrinfo(t, append(append([]string{"-q", "-geom=NO"}, spat...), path, d.Table)...)
		return strings.Count(out, "\nOGRFeature(")
	}
	if n, old := count(path), count(legacy); int64(n) != want || n != old {
		t.Errorf("bbox %v selects %d features, legacy export %d, store %d", q, n, old, want)
	}

	// GDAL's GPKG driver logs the features query (a join with the R*Tree), its SQLite driver the count of a
	// layer under a spatial filter (from the R*Tree).
	mode, uses := []string{"-q", "-geom=NO"}, `JOIN "rtree_`+d.Table+`_geom" r ON`
	check, answer := "SELECT HasSpatialIndex('"+d.Table+"', 'geom')", "HasSpatialIndex (Integer) = 1"
	if ft.driver == "SQLite" {
		mode, uses = []string{"-so"}, `SELECT count(*) FROM 'idx_`+d.Table+`_geom' WHERE xmax >=`
		check, answer = "SELECT CheckSpatialIndex('"+d.Table+"', 'geom') AS ok", "ok (Integer) = 1"
	}
	_, debug := gdal(t, true, "ogrinfo", append(append(append([]string{"--debug", "on"}, mode...), spat...), path, d.Table)...)
	if !strings.Contains(debug, uses) {
		t.Errorf("GDAL does not read the spatial index for a bbox (no %q in its debug output):\n%s", uses, debug)
	}
	if out := ogrinfo(t, path, "-sql", check); !strings.Contains(out, answer) {
		t.Errorf("%s:\n%s", check, out)
	}
}

// checkMetadata: the catalogue entry is in the file as the legacy export wrote it, and GDAL shows it.
func checkMetadata(t *testing.T, path, legacy string, d store.Dataset, ft format, sum layerSummary) {
	t.Helper()
	rows := func(path string) map[string]string {
		m := map[string]string{}
		r, err := openPlain(t, path).Query(`SELECT key, value FROM ` + MetadataTableName(d))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		for r.Next() {
			var k, v string
			if err := r.Scan(&k, &v); err != nil {
				t.Fatal(err)
			}
			m[k] = v
		}
		return m
	}
	got, old := rows(path), rows(legacy)
	if !reflect.DeepEqual(got, old) {
		t.Errorf("metadata %v, legacy export %v", got, old)
	}
	if got["licence"] != d.Licence || got["title"] != d.Title || got["version"] != strconv.FormatInt(d.Version, 10) ||
		got["feature_count"] != strconv.FormatInt(d.FeatureCount, 10) || got["source_url"] != d.Source.URL {
		t.Errorf("metadata %v", got)
	}
	if ft.driver != "GPKG" {
		return
	}
	md := sum.metadata
	for _, k := range []string{"licence", "attribution", "producer", "title", "source_url", "version"} {
		if got[k] != "" && md[k] != got[k] {
			t.Errorf("GDAL layer metadata %s = %q, want %q (all: %v)", k, md[k], got[k], md)
		}
	}
	if d.Title != d.Table && md["IDENTIFIER"] != d.Title { // GDAL says IDENTIFIER when it is not the table's name
		t.Errorf("GDAL layer IDENTIFIER = %q, want %q", md["IDENTIFIER"], d.Title)
	}
}

// checkSQLite compares the files' own tables with SQLite alone: GeoPackage registration rows equal to the
// legacy export's, integrity and foreign keys.
func checkSQLite(t *testing.T, path, legacy string, d store.Dataset, ft format) {
	t.Helper()
	db := openPlain(t, path)
	var check string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check: %q, %v", check, err)
	}
	var fk int
	if err := db.QueryRow(`SELECT count(*) FROM pragma_foreign_key_check`).Scan(&fk); err != nil || fk != 0 {
		t.Errorf("foreign_key_check: %d rows, %v", fk, err)
	}
	if ft.driver != "GPKG" {
		var srids string
		if err := db.QueryRow(`SELECT group_concat(srid) FROM spatial_ref_sys`).Scan(&srids); err != nil || srids != "4326" {
			t.Errorf("spatial_ref_sys holds %s (%v), want only 4326", srids, err)
		}
		return
	}
	var app, version int
	db.QueryRow(`PRAGMA application_id`).Scan(&app)
	db.QueryRow(`PRAGMA user_version`).Scan(&version)
	if app != 0x47504B47 || version != 10300 {
		t.Errorf("application_id %#x, user_version %d", app, version)
	}
	for _, q := range []string{
		`SELECT table_name, data_type, identifier, description, last_change, min_x, min_y, max_x, max_y, srs_id FROM gpkg_contents ORDER BY 1`,
		`SELECT * FROM gpkg_geometry_columns`,
		`SELECT table_name, column_name, description, mime_type FROM gpkg_data_columns ORDER BY 1, 2`,
		`SELECT * FROM gpkg_spatial_ref_sys ORDER BY srs_id`,
		`SELECT * FROM gpkg_extensions WHERE extension_name != 'gpkg_metadata' ORDER BY 1, 2, 3`,
		`SELECT count(*) FROM "rtree_` + d.Table + `_geom"`,
		`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name`,
	} {
		if d.GeometryType == "" && strings.Contains(q, "rtree_") {
			continue
		}
		if got, old := dump(t, db, q), dump(t, openPlain(t, legacy), q); got != old {
			t.Errorf("%s:\n%s\nlegacy export:\n%s", q, got, old)
		}
	}
}

func dump(t *testing.T, db *sql.DB, q string) string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			if s, ok := v.([]byte); ok {
				v = string(s)
			}
			fmt.Fprintf(&b, "%v|", strings.Join(strings.Fields(fmt.Sprint(v)), " "))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// openPlain opens a file with SQLite alone, as any reader of a download would.
func openPlain(t *testing.T, path string) *sql.DB {
	t.Helper()
	db := sql.OpenDB(connector{dsn: "file:" + path + "?mode=ro", drv: &sqlite3.SQLiteDriver{}})
	t.Cleanup(func() { db.Close() })
	return db
}
