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
	types             map[store.FieldType]string
}

var formats = []format{
	{name: "GeoPackage", ext: ".gpkg", driver: "GPKG", write: WriteGeoPackage,
		types: map[store.FieldType]string{store.FieldText: "String", store.FieldInteger: "Integer64", store.FieldReal: "Real",
			store.FieldBoolean: "Integer(Boolean)", store.FieldDate: "Date", store.FieldDateTime: "DateTime", store.FieldJSON: "String(JSON)"}},
	{name: "SpatiaLite", ext: ".sqlite", driver: "SQLite", write: WriteSpatiaLite,
		// GDAL 3.6 reads the JSONTEXT declared type as a plain String.
		types: map[store.FieldType]string{store.FieldText: "String", store.FieldInteger: "Integer64", store.FieldReal: "Real",
			store.FieldBoolean: "Integer(Boolean)", store.FieldDate: "Date", store.FieldDateTime: "DateTime", store.FieldJSON: "String"}},
}

// gdalGeometryNames are the names ogrinfo gives the catalogue's geometry types.
var gdalGeometryNames = map[string]string{"POINT": "Point", "MULTIPOINT": "Multi Point", "LINESTRING": "Line String",
	"MULTILINESTRING": "Multi Line String", "POLYGON": "Polygon", "MULTIPOLYGON": "Multi Polygon", "": "None"}

// Every real fixture, written in both formats from a store snapshot, reads back in GDAL as the store holds it:
// the layer, its count, geometry type, SRS and field types, every value and geometry, the spatial index (used by
// GDAL for a spatial filter, one envelope per geometry), the metadata, the rows that register the layer; the
// GeoPackage passes GDAL's validator.
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
				sum := checkSummary(t, path, d, ft)
				checkFeatures(t, path, d, want)
				checkSpatialIndex(t, st, path, d, ft, want)
				checkMetadata(t, path, d, ft, sum)
				checkRegistration(t, path, d, ft)
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

// checkSummary: `ogrinfo -so` finds the layer under the table's name with the store's count, geometry type,
// WGS84 and each field with the type GDAL gives the store's.
func checkSummary(t *testing.T, path string, d store.Dataset, ft format) layerSummary {
	t.Helper()
	got := summary(t, path, d.Table)
	if got.count != strconv.FormatInt(d.FeatureCount, 10) {
		t.Errorf("Feature Count: %s, the store has %d", got.count, d.FeatureCount)
	}
	if got.geometry != gdalGeometryNames[d.GeometryType] {
		t.Errorf("Geometry: %q, the store has %s", got.geometry, d.GeometryType)
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
	return got
}

// checkFeatures: ogr2ogr reads every feature with its fid, each value and geometry as the store has them, and
// says nothing (no overflow, no unreadable value).
func checkFeatures(t *testing.T, path string, d store.Dataset, want []store.Feature) {
	t.Helper()
	got := readWithGDAL(t, path, d.Table, "")
	if len(got) != len(want) {
		t.Fatalf("GDAL reads %d features, the store has %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
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
		}
		gg := geometryOf(t, g)
		switch {
		case w.Geometry == nil:
			if gg != nil {
				t.Errorf("fid %d: geometry %v, the store has none", w.FID, gg)
			}
		default:
			if err := sameGeometry(w.Geometry, gg, 1e-9); err != nil {
				t.Errorf("fid %d: geometry: %v", w.FID, err)
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
