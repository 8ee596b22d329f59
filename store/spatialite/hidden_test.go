package spatialite

import (
	"context"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/store"
)

// tablesQGISLists is what QGIS 3.22 offers when it opens the file (its OGR provider), by its rules: every
// table and view GDAL lists with LIST_ALL_TABLES=YES, less the names it takes for system tables. The layer
// names come from GDAL's ogrinfo; cmd/patrimap's PyQGIS test asks QGIS itself.
func tablesQGISLists(t *testing.T, path string) []string {
	t.Helper()
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		t.Fatal("ogrinfo not found: install gdal-bin (make test-deps does)")
	}
	out, err := exec.Command("ogrinfo", "-ro", "-q", "-oo", "LIST_ALL_TABLES=YES", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	var listed []string
	for _, line := range strings.Split(string(out), "\n") {
		_, rest, ok := strings.Cut(line, ": ")
		if !ok {
			continue
		}
		name, _, _ := strings.Cut(rest, " (")
		if !hiddenFromQGIS(name) {
			listed = append(listed, name)
		}
	}
	slices.Sort(listed)
	return listed
}

// importRows imports rows as dataset id.
func importRows(t *testing.T, s *Store, id string, rows []store.Row) store.Dataset {
	t.Helper()
	ctx := context.Background()
	im, err := s.BeginImport(ctx, id, store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := im.Add(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	d, err := im.Commit(ctx, store.DatasetInfo{ID: id, Title: id, Producer: "test"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// A store of a polygon layer (with its pyramid), a point layer and a layer without geometry, and a memo:
// QGIS lists the three datasets and nothing else; SpatiaLite still answers as before.
func TestQGISListsOnlyTheDatasets(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	importFixture(t, s, "rnn-isere", loadFixture(t, "rnn-isere.geojson"), boxPyramid)
	importRows(t, s, "points", []store.Row{{Geometry: orb.Point{5.7, 45.2}, Properties: []store.Property{{Key: "name", Value: "a"}}}})
	importRows(t, s, "hours", []store.Row{{Properties: []store.Property{{Key: "opening", Value: "10:00"}}}})
	if err := s.Remember(ctx, "territory", "dep:38", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	var pyramidRows int
	if err := s.db.QueryRow(`SELECT count(*) FROM ` + pyramidTable("rnn_isere", 0)).Scan(&pyramidRows); err != nil || pyramidRows == 0 {
		t.Fatalf("the pyramid: %d rows, %v", pyramidRows, err)
	}
	if got, want := tablesQGISLists(t, s.Path()), []string{"hours", "points", "rnn_isere"}; !slices.Equal(got, want) {
		t.Errorf("QGIS would list %v, want the datasets %v", got, want)
	}
	var meta int
	if err := s.db.QueryRow(`SELECT CheckSpatialMetadata()`).Scan(&meta); err != nil || meta != 3 {
		t.Errorf("CheckSpatialMetadata() = %d, %v: want 3 (SpatiaLite 4 layout)", meta, err)
	}
	// SpatiaLite's KNN, which the file no longer lists, is a virtual table a session makes for itself.
	conn, err := s.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `CREATE VIRTUAL TABLE temp.KNN USING VirtualKNN()`); err != nil {
		t.Fatal(err)
	}
	var fid int64
	err = conn.QueryRowContext(ctx, `SELECT fid FROM temp.KNN WHERE f_table_name = 'points' AND
		ref_geometry = MakePoint(5.71, 45.21, 4326) AND max_items = 1`).Scan(&fid)
	if err != nil || fid != 1 {
		t.Errorf("KNN: fid %d, %v", fid, err)
	}
}

// A file written before internal tables were named for QGIS gets the new names when opened, with what they
// held; SpatiaLite's KNN and data_licenses go.
func TestOlderFileHidesItsInternalTables(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	importFixture(t, s, "rnn", loadFixture(t, "rnn-isere.geojson"), nil)
	if err := s.Remember(context.Background(), "sheet", "rnn", []byte(`{"title":"x"}`)); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`ALTER TABLE ` + catalogueTable + ` RENAME TO patrimap_datasets`,
		`ALTER TABLE ` + memoTable + ` RENAME TO patrimap_memo`,
		// the single low-zoom copy of the imports before pyramids, under its first name
		`CREATE TABLE patrimap_lowzoom_rnn AS SELECT fid, AsBinary(geom) AS wkb FROM rnn`,
		`CREATE VIRTUAL TABLE KNN USING VirtualKNN()`,
		`CREATE TABLE data_licenses (id INTEGER PRIMARY KEY, name TEXT)`,
	} {
		if _, err := s.writer.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if got := tablesQGISLists(t, path); len(got) != 6 {
		t.Fatalf("the older file should list its internal tables, KNN and data_licenses: %v", got)
	}
	s.Close()

	s, err = Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := tablesQGISLists(t, path); !slices.Equal(got, []string{"rnn"}) {
		t.Errorf("reopened, QGIS would list %v", got)
	}
	d, err := currentDataset(s, "rnn")
	if err != nil || d.FeatureCount != 15 {
		t.Errorf("the catalogue after renaming: %+v, %v", d, err)
	}
	if v, ok, err := s.Recall(context.Background(), "sheet", "rnn"); err != nil || !ok || string(v) != `{"title":"x"}` {
		t.Errorf("the memo after renaming: %q %v %v", v, ok, err)
	}
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM ` + lowZoomTable("rnn")).Scan(&n); err != nil || n != 15 {
		t.Errorf("the low-zoom copy after renaming: %d rows, %v", n, err)
	}
}

// Ids whose table QGIS would not list, or that would take an internal or a SpatiaLite table's name, are refused
// before anything is written.
func TestDatasetIDsQGISWouldHide(t *testing.T) {
	s := openTest(t)
	for _, id := range []string{"patrimap", "patrimap-datasets", "idx-rnn-geom", "zones-idx-a-geometry", "geometry-columns", "knn", "spatial-ref-sys"} {
		im, err := s.BeginImport(context.Background(), id, store.ImportOptions{})
		if err == nil {
			im.Rollback()
			t.Errorf("%s: accepted", id)
			continue
		}
		if !strings.Contains(err.Error(), id) || !strings.Contains(err.Error(), "choose another id") && !strings.Contains(err.Error(), "choose an id") {
			t.Errorf("%s: %v", id, err)
		}
	}
	for _, id := range []string{"rnn-isere", "idx", "geom", "index-geom"} {
		if err := checkDatasetTable(id, store.TableName(id)); err != nil {
			t.Errorf("%s refused: %v", id, err)
		}
	}
}
