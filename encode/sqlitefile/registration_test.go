package sqlitefile

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/patrimap/patrimap/store"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/ from what the writers produce (review the diff)")

// checkMetadata: the catalogue entry is in the file's metadata table, key by key, and GDAL shows it as the
// GeoPackage layer's metadata.
func checkMetadata(t *testing.T, path string, d store.Dataset, ft format, sum layerSummary) {
	t.Helper()
	got := map[string]string{}
	r, err := openPlain(t, path).Query(`SELECT key, value FROM ` + quoteIdent(MetadataTableName(d)))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for r.Next() {
		var k, v string
		if err := r.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		got[k] = v
	}
	want := map[string]string{
		"id": d.ID, "title": d.Title, "description": d.Description, "theme": d.Theme, "producer": d.Producer,
		"licence": d.Licence, "attribution": d.Attribution, "source_url": d.Source.URL, "source_file": d.Source.File,
		"source_sha256": d.Source.SHA256, "retrieved_at": d.Source.RetrievedAt.UTC().Format(time.RFC3339),
		"source_crs": d.SourceCRS, "table": d.Table, "feature_count": strconv.FormatInt(d.FeatureCount, 10),
		"version": strconv.FormatInt(d.Version, 10), "imported_at": d.ImportedAt.UTC().Format(time.RFC3339),
		"exported_by": "patrimap",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("metadata table %v, want %v", got, want)
	}
	if ft.driver != "GPKG" {
		return
	}
	md := sum.metadata
	for _, k := range []string{"licence", "attribution", "producer", "title", "source_url", "version"} {
		if want[k] != "" && md[k] != want[k] {
			t.Errorf("GDAL layer metadata %s = %q, want %q (all: %v)", k, md[k], want[k], md)
		}
	}
	if d.Title != d.Table && md["IDENTIFIER"] != d.Title { // GDAL says IDENTIFIER when it is not the table's name
		t.Errorf("GDAL layer IDENTIFIER = %q, want %q", md["IDENTIFIER"], d.Title)
	}
}

// checkRegistration reads, with SQLite alone, the rows that make the table a layer: GeoPackage's
// gpkg_contents, gpkg_geometry_columns, gpkg_data_columns and gpkg_extensions, or SpatiaLite's
// geometry_columns and spatial_ref_sys; and the file's integrity and foreign keys.
func checkRegistration(t *testing.T, path string, d store.Dataset, ft format) {
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
	expect := func(q, want string) {
		t.Helper()
		if got := dump(t, db, q); got != want {
			t.Errorf("%s:\n%s\nwant:\n%s", q, got, want)
		}
	}
	if ft.driver != "GPKG" {
		expect(`SELECT srid, auth_name, auth_srid FROM spatial_ref_sys`, "4326|epsg|4326|\n")
		// SpatiaLite's codes: 1 to 7 for POINT to GEOMETRYCOLLECTION, in the order of the simple features.
		code := map[string]int{"POINT": 1, "LINESTRING": 2, "POLYGON": 3, "MULTIPOINT": 4, "MULTILINESTRING": 5,
			"MULTIPOLYGON": 6, "GEOMETRYCOLLECTION": 7}
		want := ""
		if d.GeometryType != "" {
			want = fmt.Sprintf("%s|geom|%d|2|4326|1|\n", strings.ToLower(d.Table), code[d.GeometryType])
		}
		expect(`SELECT f_table_name, f_geometry_column, geometry_type, coord_dimension, srid, spatial_index_enabled FROM geometry_columns`, want)
		return
	}
	var app, version int
	db.QueryRow(`PRAGMA application_id`).Scan(&app)
	db.QueryRow(`PRAGMA user_version`).Scan(&version)
	if app != 0x47504B47 || version != 10300 {
		t.Errorf("application_id %#x, user_version %d", app, version)
	}
	imported := d.ImportedAt.UTC().Format("2006-01-02T15:04:05.000Z")
	layer := fmt.Sprintf("%s|attributes|%s|%s|%s|<nil>|<nil>|<nil>|<nil>|<nil>|\n", d.Table, d.Title, d.Description, imported)
	if d.GeometryType != "" {
		b := d.BBox
		layer = fmt.Sprintf("%s|features|%s|%s|%s|%v|%v|%v|%v|4326|\n", d.Table, d.Title, d.Description, imported, b.Min[0], b.Min[1], b.Max[0], b.Max[1])
	}
	md := MetadataTableName(d)
	mdRow := fmt.Sprintf("%s|attributes|%s|What the dataset %s is, who produced it and under which licence it may be used|%s|<nil>|<nil>|<nil>|<nil>|<nil>|\n",
		md, md, d.ID, imported)
	contents := layer + mdRow
	if md < d.Table {
		contents = mdRow + layer
	}
	expect(`SELECT table_name, data_type, identifier, description, CAST(last_change AS TEXT), min_x, min_y, max_x, max_y, srs_id FROM gpkg_contents ORDER BY 1`,
		contents)
	// Each field with a description or JSON values is described, by column name.
	var described []string
	fields := slices.SortedFunc(slices.Values(d.Fields), func(a, b store.Field) int { return strings.Compare(a.Name, b.Name) })
	for _, f := range fields {
		switch {
		case f.Type == store.FieldJSON:
			described = append(described, fmt.Sprintf("%s|%s|%s|application/json|\n", d.Table, f.Name, nilIfEmpty(f.Description)))
		case f.Description != "":
			described = append(described, fmt.Sprintf("%s|%s|%s|<nil>|\n", d.Table, f.Name, f.Description))
		}
	}
	columns, extensions := strings.Join(described, ""), ""
	geometryColumns := ""
	if d.GeometryType != "" {
		geometryColumns = d.Table + "|geom|" + d.GeometryType + "|4326|0|0|\n"
		extensions = d.Table + "|geom|gpkg_rtree_index|http://www.geopackage.org/spec120/#extension_rtree|write-only|\n"
	}
	expect(`SELECT table_name, column_name, description, mime_type FROM gpkg_data_columns ORDER BY 1, 2`, columns)
	expect(`SELECT * FROM gpkg_geometry_columns`, geometryColumns)
	expect(`SELECT * FROM gpkg_extensions WHERE table_name = '`+d.Table+`'`, extensions)
	expect(`SELECT md_scope, md_standard_uri, mime_type, reference_scope, table_name, CAST(timestamp AS TEXT) FROM gpkg_metadata
		JOIN gpkg_metadata_reference ON md_file_id = id`, "dataset|http://gdal.org|text/xml|table|"+d.Table+"|"+imported+"|\n")
}

func nilIfEmpty(s string) string {
	if s == "" {
		return "<nil>"
	}
	return s
}

// The GeoPackage's schema, text for text (runs of white space folded), where no reader says enough of it:
// the DDL of every table, index and trigger (the R*Tree triggers of annex F.3 that keep the index current
// after an edit), the spatial reference systems the specification requires with WGS84 as GDAL writes it, and
// the extensions declared. It is compared with testdata/types.gpkg.schema.golden; `go test -run
// TestGeoPackageSchema -update` rewrites that file, whose diff is then reviewed against the specification
// (http://www.geopackage.org/spec130/).
func TestGeoPackageSchema(t *testing.T) {
	st := openStore(t)
	d := importTypes(t, st)
	path := filepath.Join(t.TempDir(), "types.gpkg")
	if err := WriteGeoPackage(t.Context(), path, d, features(st, d)); err != nil {
		t.Fatal(err)
	}
	db := openPlain(t, path)
	var b strings.Builder
	for _, q := range []string{
		`SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_autoindex%' ORDER BY type, name`,
		`SELECT * FROM gpkg_spatial_ref_sys ORDER BY srs_id`,
		`SELECT * FROM gpkg_extensions ORDER BY 1, 2, 3`,
	} {
		fmt.Fprintf(&b, "-- %s\n%s", q, dump(t, db, q))
	}
	golden := filepath.Join("testdata", "types.gpkg.schema.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run `go test -run TestGeoPackageSchema -update` to write it, then review it)", err)
	}
	if got := b.String(); got != string(want) {
		t.Errorf("the GeoPackage's schema differs from %s (if the change is meant, rewrite it with -update and review the diff):\n%s",
			golden, lineDiff(string(want), got))
	}
}

// lineDiff lists the lines of want missing from got (-) and those of got not in want (+).
func lineDiff(want, got string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var b strings.Builder
	for _, l := range strings.Split(want, "\n") {
		if !g[l] {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if !w[l] {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}
