package spatialite

import (
	"context"
	"database/sql"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/patrimap/patrimap/store"
)

// importPoints imports the vertices of the RNN fixture's polygons (real coordinates of Isère) as a point layer.
func importPoints(t *testing.T, s *Store, id string) (store.Dataset, int) {
	t.Helper()
	var rows []store.Row
	eachVertex(t, func(f *geojson.Feature, p orb.Point) {
		rows = append(rows, store.Row{Geometry: p, Properties: []store.Property{{Key: "site", Value: f.Properties["NOM_SITE"]}}})
	})
	return importRows(t, s, id, rows), len(rows)
}

// eachVertex calls each with the vertices of the outer rings of the RNN fixture's polygons.
func eachVertex(t *testing.T, each func(*geojson.Feature, orb.Point)) {
	t.Helper()
	for _, f := range loadFixture(t, "rnn-isere.geojson").Features {
		var pts []orb.Point
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			pts = g[0]
		case orb.MultiPolygon:
			for _, p := range g {
				pts = append(pts, p[0]...)
			}
		}
		for _, p := range pts {
			each(f, p)
		}
	}
}

// The spatial index is loaded whole rather than row by row: SQLite and SpatiaLite find it sound, it holds exactly the boxes
// SQLite's R-tree would hold had SpatiaLite inserted the rows, bbox searches find what a scan finds, and
// SpatiaLite's triggers are back (a row inserted later is indexed, a geometry of the wrong type refused).
func TestSpatialIndexLoadedWhole(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	points, n := importPoints(t, s, "vertices")
	if n < 3000 {
		t.Fatalf("%d points: too few for an R-tree of three levels", n)
	}
	polygons := importFixture(t, s, "rnn", loadFixture(t, "rnn-isere.geojson"), nil)
	for _, d := range []store.Dataset{points, polygons} {
		index := "idx_" + d.Table + "_geom"
		var check string
		if err := s.db.QueryRowContext(ctx, `SELECT rtreecheck(?)`, index).Scan(&check); err != nil || check != "ok" {
			t.Fatalf("%s: rtreecheck: %q, %v", d.ID, check, err)
		}
		// SpatiaLite's own check: every row's box is in the index, and nothing else.
		var valid int
		if err := s.db.QueryRowContext(ctx, `SELECT CheckSpatialIndex(?, 'geom')`, d.Table).Scan(&valid); err != nil || valid != 1 {
			t.Fatalf("%s: CheckSpatialIndex: %d, %v", d.ID, valid, err)
		}
		var root []byte
		if err := s.db.QueryRowContext(ctx, `SELECT data FROM `+quoteIdent(index+"_node")+` WHERE nodeno = 1`).Scan(&root); err != nil {
			t.Fatal(err)
		}
		depth := int(root[0])<<8 | int(root[1])
		t.Logf("%s: %d features, R-tree depth %d", d.ID, d.FeatureCount, depth)
		if d.ID == "vertices" && depth < 2 {
			t.Errorf("%s: depth %d: expected a root above two levels of nodes", d.ID, depth)
		}
		conn, err := s.writer.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, stmt := range []string{
			`DROP TABLE IF EXISTS temp.reference`,
			`CREATE VIRTUAL TABLE temp.reference USING rtree(pkid, xmin, xmax, ymin, ymax)`,
			// SpatiaLite's own build of the index (buildSpatialIndex), into SQLite's R-tree.
			`INSERT INTO temp.reference SELECT fid, MbrMinX(geom), MbrMaxX(geom), MbrMinY(geom), MbrMaxY(geom) FROM ` + quoteIdent(d.Table) + ` WHERE MbrMinX(geom) IS NOT NULL`,
		} {
			if _, err := conn.ExecContext(ctx, stmt); err != nil {
				t.Fatal(err)
			}
		}
		var entries, missing, extra int64
		if err := conn.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM `+quoteIdent(index)+`),
			(SELECT count(*) FROM (SELECT * FROM temp.reference EXCEPT SELECT * FROM `+quoteIdent(index)+`)),
			(SELECT count(*) FROM (SELECT * FROM `+quoteIdent(index)+` EXCEPT SELECT * FROM temp.reference))`).Scan(&entries, &missing, &extra); err != nil {
			t.Fatal(err)
		}
		if entries != d.FeatureCount || missing != 0 || extra != 0 {
			t.Errorf("%s: %d entries for %d features; %d boxes missing, %d unexpected", d.ID, entries, d.FeatureCount, missing, extra)
		}
		for _, b := range [][4]float64{{5.7, 5.8, 45.1, 45.2}, {6.2, 6.35, 44.9, 45.0}, {5.0, 7.0, 44.5, 46.0}, {5.75, 5.76, 45.0, 45.5}} {
			var viaIndex, viaScan int
			if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM `+quoteIdent(index)+` WHERE xmax >= ? AND xmin <= ? AND ymax >= ? AND ymin <= ?`,
				b[0], b[1], b[2], b[3]).Scan(&viaIndex); err != nil {
				t.Fatal(err)
			}
			if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM temp.reference WHERE xmax >= ? AND xmin <= ? AND ymax >= ? AND ymin <= ?`,
				b[0], b[1], b[2], b[3]).Scan(&viaScan); err != nil {
				t.Fatal(err)
			}
			if viaIndex != viaScan {
				t.Errorf("%s: box %v: the index finds %d features, SQLite's own R-tree %d", d.ID, b, viaIndex, viaScan)
			}
		}
		triggers := schemaNames(t, s.db, `SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? ORDER BY name`, d.Table)
		var want []string
		for _, p := range []string{"ggi", "ggu", "gid", "gii", "giu", "tmd", "tmi", "tmu"} {
			want = append(want, p+"_"+d.Table+"_geom")
		}
		if !slices.Equal(triggers, want) {
			t.Errorf("%s: triggers %v, want SpatiaLite's %v", d.ID, triggers, want)
		}
		conn.ExecContext(ctx, `DROP TABLE temp.reference`)
		conn.Close()
	}
	// SpatiaLite's triggers at work on the point layer.
	if _, err := s.writer.ExecContext(ctx, `INSERT INTO vertices (fid, geom) VALUES (1000000, MakePoint(2.35, 48.85, 4326))`); err != nil {
		t.Fatal(err)
	}
	var fid int64
	if err := s.db.QueryRowContext(ctx, `SELECT pkid FROM idx_vertices_geom WHERE xmin <= 2.36 AND xmax >= 2.34 AND ymin <= 48.86 AND ymax >= 48.84`).Scan(&fid); err != nil || fid != 1000000 {
		t.Errorf("a point inserted after the import: index gives fid %d, %v", fid, err)
	}
	if _, err := s.writer.ExecContext(ctx, `INSERT INTO vertices (fid, geom) VALUES (1000001, MakeLine(MakePoint(2, 48, 4326), MakePoint(3, 49, 4326)))`); err == nil {
		t.Error("a line went into the point layer: SpatiaLite's type check is missing")
	}
}

// schemaNames reads the names a query of sqlite_master gives.
func schemaNames(t *testing.T, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	return names
}
