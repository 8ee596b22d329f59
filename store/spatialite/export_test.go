package spatialite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	sqlite3 "github.com/mattn/go-sqlite3"
	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/store"
)

// ogrinfo runs GDAL's ogrinfo and returns its standard output, failing the test on an error or on anything
// GDAL says on standard error (a warning about a malformed file, a value it could not read).
func ogrinfo(t *testing.T, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("ogrinfo")
	if err != nil {
		t.Fatalf("ogrinfo (GDAL) is needed to check exported files: install it with `sudo apt-get install gdal-bin` (%v)", err)
	}
	cmd := exec.Command(bin, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ogrinfo %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	if s := stderr.String(); s != "" {
		t.Errorf("ogrinfo %s complained:\n%s", strings.Join(args, " "), s)
	}
	return string(out)
}

// ogrFields parses the "NAME: Type (w.p)" lines of ogrinfo -so into name -> type.
func ogrFields(out string) map[string]string {
	fields := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^(\S[^:\n]*): (\w+(?:\(\w+\))?) \(`).FindAllStringSubmatch(out, -1) {
		fields[m[1]] = m[2]
	}
	return fields
}

// ogrValues parses the "  NAME (Type) = value" lines of one feature printed by ogrinfo.
func ogrValues(out string) map[string]string {
	values := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^  (\S[^(\n]*) \((?:.*?)\) = (.*)$`).FindAllStringSubmatch(out, -1) {
		values[m[1]] = m[2]
	}
	return values
}

// openPlain opens a file with SQLite alone, as any reader of the exported file would.
func openPlain(t *testing.T, path string) *sql.DB {
	t.Helper()
	db := sql.OpenDB(connector{dsn: "file:" + path + "?mode=ro", drv: &sqlite3.SQLiteDriver{}})
	t.Cleanup(func() { db.Close() })
	return db
}

func exportRNN(t *testing.T) (*Store, store.Dataset) {
	t.Helper()
	s := openTest(t)
	ctx := context.Background()
	fc := loadFixture(t, "rnn-isere.geojson")
	info := store.DatasetInfo{ID: "rnn-isere", Title: "Réserves naturelles nationales (Isère)",
		Producer: "INPN", Theme: store.ThemeNatural, Licence: "Licence Ouverte 2.0", Attribution: "INPN / MNHN",
		Source: store.Source{URL: "https://inpn.mnhn.fr/"}}

	im, err := s.BeginImport(ctx, info.ID, store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fc.Features {
		if err := im.Add(ctx, store.Row{Geometry: f.Geometry, Properties: props(f, rnnKeys)}); err != nil {
			t.Fatal(err)
		}
	}
	d, err := im.Commit(ctx, info, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s, d
}

// storeValues reads the feature fid of d from the store as text, the way ogrinfo prints it.
func storeValues(t *testing.T, s *Store, d store.Dataset, fid int64) (map[string]string, orb.Geometry) {
	t.Helper()
	ctx := context.Background()
	snap, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	want := map[string]string{}
	var g orb.Geometry
	err = snap.Features(ctx, d, store.Query{FID: fid}, func(f *store.Feature) error {
		g = orb.Clone(f.Geometry)
		for i, v := range f.Values {
			switch v := v.(type) {
			case nil:
				want[d.Fields[i].Name] = "(null)"
			case float64:
				want[d.Fields[i].Name] = strconv.FormatFloat(v, 'f', -1, 64)
			case string:
				if d.Fields[i].Type == store.FieldDate { // GDAL prints dates as 1974/05/15
					v = strings.ReplaceAll(v, "-", "/")
				}
				want[d.Fields[i].Name] = v
			case bool:
				want[d.Fields[i].Name] = map[bool]string{true: "1", false: "0"}[v]
			default:
				b, _ := json.Marshal(v)
				want[d.Fields[i].Name] = strings.Trim(string(b), `"`)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return want, g
}

func TestExportedFilesReadByGDAL(t *testing.T) {
	s, d := exportRNN(t)
	ctx := context.Background()
	dir := t.TempDir()
	for _, tc := range []struct {
		name   string
		export func(context.Context, store.Dataset, string) error
		file   string
		driver string
	}{
		{"SpatiaLite", s.ExportSpatiaLite, "rnn.sqlite", "SQLite"},
		{"GeoPackage", s.ExportGeoPackage, "rnn.gpkg", "GPKG"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.file)
			if err := tc.export(ctx, d, path); err != nil {
				t.Fatal(err)
			}
			out := ogrinfo(t, "-so", path, "rnn_isere")
			for _, want := range []string{
				"using driver `" + tc.driver + "' successful",
				"Layer name: rnn_isere\n",
				"Geometry: Multi Polygon\n",
				"Feature Count: 15\n",
				`ID["EPSG",4326]`,
			} {
				if !strings.Contains(out, want) {
					t.Errorf("ogrinfo -so -al does not say %q:\n%s", want, out)
				}
			}
			types := ogrFields(out)
			for _, f := range d.Fields {
				want := map[store.FieldType]string{store.FieldText: "String", store.FieldDate: "Date", store.FieldReal: "Real"}[f.Type]
				if types[f.Name] != want {
					t.Errorf("field %s (%s) is %q in GDAL, want %q", f.Name, f.Type, types[f.Name], want)
				}
			}
			if len(types) != len(d.Fields) {
				t.Errorf("GDAL sees fields %v, want those of %v", types, d.Fields)
			}

			// One feature, value by value, as the store has it.
			want, g := storeValues(t, s, d, 3)
			got := ogrValues(ogrinfo(t, "-q", "-fid", "3", path, "rnn_isere"))
			for name, v := range want {
				if got[name] != v {
					t.Errorf("feature 3: %s = %q in the file, %q in the store", name, got[name], v)
				}
			}
			first := g.(orb.MultiPolygon)[0][0][0]
			if out := ogrinfo(t, "-q", "-fid", "3", path, "rnn_isere"); !strings.Contains(out, "MULTIPOLYGON ((("+
				strconv.FormatFloat(first[0], 'f', -1, 64)+" "+strconv.FormatFloat(first[1], 'f', -1, 64)) {
				t.Errorf("feature 3: geometry does not start at %v:\n%.300s", first, out)
			}

			// The spatial index is there and answers.
			sel := ogrinfo(t, "-q", "-spat", "6.2", "44.9", "6.35", "45.0", "-al", "-geom=NO", path, "rnn_isere")
			if n := strings.Count(sel, "OGRFeature("); n == 0 || n >= 15 {
				t.Errorf("bbox selection gives %d features, want some but not all", n)
			}
			if tc.driver == "GPKG" {
				idx := ogrinfo(t, path, "-sql", "SELECT HasSpatialIndex('rnn_isere', 'geom')")
				if !strings.Contains(idx, "= 1") {
					t.Errorf("GDAL finds no spatial index:\n%s", idx)
				}
			}

			// The licence travels with the file.
			db := openPlain(t, path)
			meta := map[string]string{}
			rows, err := db.Query(`SELECT key, value FROM dataset_metadata`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var k, v string
				rows.Scan(&k, &v)
				meta[k] = v
			}
			rows.Close()
			if meta["licence"] != "Licence Ouverte 2.0" || meta["attribution"] != "INPN / MNHN" || meta["version"] != "1" ||
				meta["title"] != d.Title || meta["source_url"] != "https://inpn.mnhn.fr/" {
				t.Errorf("metadata = %v", meta)
			}
			var check string
			if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
				t.Errorf("integrity_check: %q, %v", check, err)
			}
			if tc.driver == "SQLite" {
				// SpatiaLite itself finds its index consistent with the table.
				sl := sql.OpenDB(connector{dsn: "file:" + path + "?mode=ro", drv: &sqlite3.SQLiteDriver{Extensions: []string{"mod_spatialite"}}})
				defer sl.Close()
				var ok int
				if err := sl.QueryRow(`SELECT CheckSpatialIndex('rnn_isere', 'geom')`).Scan(&ok); err != nil || ok != 1 {
					t.Errorf("CheckSpatialIndex = %d, %v", ok, err)
				}
			}
			if st, err := os.Stat(path); err != nil || st.Size() > 1<<20 || st.Mode().Perm() != 0o644 {
				t.Errorf("file: %v, %v (want at most 1 MB for 15 reserves, mode 0644)", st, err)
			}
			if tc.driver == "GPKG" {
				var app, version int
				db.QueryRow(`PRAGMA application_id`).Scan(&app)
				db.QueryRow(`PRAGMA user_version`).Scan(&version)
				if app != 0x47504B47 || version != 10300 {
					t.Errorf("application_id %#x, user_version %d", app, version)
				}
				var fk int
				if err := db.QueryRow(`SELECT count(*) FROM pragma_foreign_key_check`).Scan(&fk); err != nil || fk != 0 {
					t.Errorf("foreign_key_check: %d rows, %v", fk, err)
				}
			}
			matches, _ := filepath.Glob(filepath.Join(dir, ".*"))
			if len(matches) > 0 {
				t.Errorf("temporary files left: %v", matches)
			}
		})
	}
}

// Every field type survives both formats, as GDAL reads them.
func TestExportFieldTypes(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	info := store.DatasetInfo{ID: "types", Title: "types", Producer: "test"}

	im, err := s.BeginImport(ctx, info.ID, store.ImportOptions{
		Fields: []store.Field{{Name: "name", Type: store.FieldText, Description: "what it is called"}}})
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]store.Property{
		{{Key: "name", Value: "Château; \"fort\"\nnord"}, {Key: "n", Value: int64(3)}, {Key: "x", Value: 0.5}, {Key: "ok", Value: true}, {Key: "day", Value: "2020-01-31"},
			{Key: "at", Value: "2020-01-31T10:20:30+01:00"}, {Key: "tags", Value: json.RawMessage(`{"a":[1,2]}`)}},
		{{Key: "name", Value: nil}, {Key: "n", Value: int64(-4)}, {Key: "x", Value: 1e-5}, {Key: "ok", Value: false}, {Key: "day", Value: nil}, {Key: "at", Value: "2021-06-01T08:00:00Z"}, {Key: "tags", Value: nil}},
	}
	for i, r := range rows {
		var g orb.Geometry = orb.Point{5.7 + float64(i)/10, 45.2}
		if err := im.Add(ctx, store.Row{Geometry: g, Properties: r}); err != nil {
			t.Fatal(err)
		}
	}
	if err := im.Add(ctx, store.Row{Properties: []store.Property{{Key: "name", Value: "no geometry"}}}); err != nil {
		t.Fatal(err)
	}
	d, err := im.Commit(ctx, info, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		file   string
		export func(context.Context, store.Dataset, string) error
		types  map[string]string
		values map[string]string
	}{
		{"types.sqlite", s.ExportSpatiaLite,
			map[string]string{"name": "String", "n": "Integer", "x": "Real", "ok": "Integer(Boolean)", "day": "Date", "at": "DateTime", "tags": "String(JSON)"},
			map[string]string{"n": "3", "x": "0.5", "ok": "1", "day": "2020/01/31", "at": "2020/01/31 10:20:30+01", "tags": `{"a":[1,2]}`}},
		{"types.gpkg", s.ExportGeoPackage,
			map[string]string{"name": "String", "n": "Integer64", "x": "Real", "ok": "Integer(Boolean)", "day": "Date", "at": "DateTime", "tags": "String(JSON)"},
			// GeoPackage date-times are UTC.
			map[string]string{"n": "3", "x": "0.5", "ok": "1", "day": "2020/01/31", "at": "2020/01/31 09:20:30+00", "tags": `{"a":[1,2]}`}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join(dir, tc.file)
			if err := tc.export(ctx, d, path); err != nil {
				t.Fatal(err)
			}
			out := ogrinfo(t, "-so", "-al", path, "types")
			if !strings.Contains(out, "Feature Count: 3\n") || !strings.Contains(out, "Geometry: Point\n") {
				t.Errorf("ogrinfo -so:\n%s", out)
			}
			got := ogrFields(out)
			for name, typ := range tc.types {
				if name == "tags" && tc.file == "types.sqlite" && got[name] == "String" {
					continue // GDAL 3.6 (Debian 12) reads the JSONTEXT declared type as a plain String
				}
				if got[name] != typ {
					t.Errorf("field %s is %q in GDAL, want %q", name, got[name], typ)
				}
			}
			vals := ogrValues(ogrinfo(t, "-q", "-fid", "1", path, "types"))
			for name, v := range tc.values {
				if vals[name] != v {
					t.Errorf("feature 1: %s = %q, want %q", name, vals[name], v)
				}
			}
			if !strings.Contains(ogrinfo(t, "-q", "-fid", "1", path, "types"), "Château; \"fort\"") {
				t.Errorf("feature 1: name lost")
			}
			if out := ogrinfo(t, "-q", "-fid", "3", path, "types"); !strings.Contains(out, "no geometry") || strings.Contains(out, "POINT") {
				t.Errorf("feature 3 (no geometry):\n%s", out)
			}
		})
	}
}

// An import that commits while an export reads does not leak into the file: the export holds the version it
// started with, whole.
func TestExportReadsOneVersion(t *testing.T) {
	ctx := context.Background()
	for _, format := range []exportFormat{exportSpatiaLite, exportGeoPackage} {
		s, d := exportRNN(t)
		path := filepath.Join(t.TempDir(), "rnn.db")
		reimported := false
		err := s.export(ctx, d, path, format, exportHooks{afterRead: func() error {
			info := store.DatasetInfo{ID: d.ID, Title: "v2", Producer: "INPN"}

			im, err := s.BeginImport(ctx, info.ID, store.ImportOptions{})
			if err != nil {
				return err
			}
			im.Add(ctx, store.Row{Geometry: orb.Point{5, 45}, Properties: []store.Property{{Key: "x", Value: "only one"}}})
			_, err = im.Commit(ctx, info, nil)
			reimported = err == nil
			return err
		}})
		if err != nil {
			t.Fatal(err)
		}
		if !reimported {
			t.Fatal("the concurrent import did not commit")
		}
		var n int
		var version, title string
		db := openPlain(t, path)
		db.QueryRow(`SELECT count(*) FROM rnn_isere WHERE NOM_SITE IS NOT NULL`).Scan(&n)
		db.QueryRow(`SELECT value FROM dataset_metadata WHERE key = 'version'`).Scan(&version)
		db.QueryRow(`SELECT value FROM dataset_metadata WHERE key = 'title'`).Scan(&title)
		if n != 15 || version != "1" || title != d.Title {
			t.Errorf("format %d: exported %d features of version %s (%q), want 15 of version 1", format, n, version, title)
		}
		if cur, err := currentDataset(s, d.ID); err != nil || cur.Version != 2 || cur.FeatureCount != 1 {
			t.Errorf("format %d: the store has %+v, %v after the concurrent import", format, cur, err)
		}
	}
}

func TestExportErrorsLeaveNoFile(t *testing.T) {
	s, d := exportRNN(t)
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "out.gpkg")
	if err := os.WriteFile(path, []byte("previous download"), 0o644); err != nil {
		t.Fatal(err)
	}
	check := func(what string, err error, target error) {
		t.Helper()
		if !errors.Is(err, target) {
			t.Errorf("%s: error %v, want %v", what, err, target)
		}
		if b, _ := os.ReadFile(path); string(b) != "previous download" {
			t.Errorf("%s: the file at the destination was replaced", what)
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			t.Errorf("%s: files left behind: %v", what, names)
		}
	}
	check("unknown dataset (SpatiaLite)", s.ExportSpatiaLite(ctx, store.Dataset{DatasetInfo: store.DatasetInfo{ID: "nope"}}, path), store.ErrNotFound)
	check("unknown dataset (GeoPackage)", s.ExportGeoPackage(ctx, store.Dataset{DatasetInfo: store.DatasetInfo{ID: "nope"}}, path), store.ErrNotFound)

	boom := errors.New("boom")
	check("failure half-way", s.export(ctx, d, path, exportGeoPackage, exportHooks{afterRead: func() error { return boom }}), boom)

	old := d
	importFixture(t, s, d.ID, loadFixture(t, "rnn-isere.geojson"), nil)
	check("replaced version", s.ExportSpatiaLite(ctx, old, path), store.ErrVersionChanged)

	if _, err := s.writer.Exec(`DELETE FROM `+catalogueTable+` WHERE id = ?`, d.ID); err != nil {
		t.Fatal(err)
	}
	check("removed dataset", s.ExportGeoPackage(ctx, old, path), store.ErrNotFound)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	check("cancelled", s.ExportSpatiaLite(cancelled, old, path), context.Canceled)
}

// A table without geometry (a list of monuments without coordinates) exports as a plain table.
func TestExportWithoutGeometry(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	info := store.DatasetInfo{ID: "sans-geometrie", Title: "Sans géométrie", Producer: "test"}

	im, err := s.BeginImport(ctx, info.ID, store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Église", "Moulin"} {
		if err := im.Add(ctx, store.Row{Properties: []store.Property{{Key: "nom", Value: name}}}); err != nil {
			t.Fatal(err)
		}
	}
	d, err := im.Commit(ctx, info, nil)
	if err != nil || d.GeometryType != "" {
		t.Fatalf("import: %+v, %v", d, err)
	}
	dir := t.TempDir()
	for _, file := range []string{"sans.sqlite", "sans.gpkg"} {
		path := filepath.Join(dir, file)
		export := s.ExportSpatiaLite
		if strings.HasSuffix(file, ".gpkg") {
			export = s.ExportGeoPackage
		}
		if err := export(ctx, d, path); err != nil {
			t.Fatal(err)
		}
		out := ogrinfo(t, "-so", path, "sans_geometrie")
		if !strings.Contains(out, "Feature Count: 2\n") || !strings.Contains(out, "Geometry: None\n") || !strings.Contains(out, "nom: String") {
			t.Errorf("%s:\n%s", file, out)
		}
	}
}
