package spatialite

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/patrimap/patrimap/store"
)

// The clusters counted on the scratch beside the import are the ones the import counts in its own transaction
// when the scratch cannot start (here: its directory does not exist), value for value; the scratch file is
// gone once the import is committed or abandoned, and a polygon layer starts none.
func TestClustersCountedBesideTheImport(t *testing.T) {
	ctx := context.Background()
	var rows []store.Row
	eachVertex(t, func(_ *geojson.Feature, p orb.Point) { rows = append(rows, store.Row{Geometry: p}) })
	// Twice each vertex and a row without a geometry: cells of several points, and a row outside every cell.
	rows = append(rows, rows...)
	rows = append(rows, store.Row{Properties: []store.Property{{Key: "note", Value: "no place"}}})

	beside, scratch := openTest(t), t.TempDir()
	beside.scratchDir = scratch
	inside := openTest(t)
	inside.scratchDir = filepath.Join(t.TempDir(), "missing")
	im, err := beside.BeginImport(ctx, "points", store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := im.Add(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := im.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	if !im.(*importer).attached { // else the scratch failed, and the import counted them itself
		t.Fatal("the clusters were not copied from the scratch")
	}
	d, err := im.Commit(ctx, store.DatasetInfo{ID: "points", Title: "points", Producer: "test"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	importRows(t, inside, "points", rows)
	assertNoScratch(t, scratch)

	read := func(s *Store) [][7]any {
		q, err := s.db.QueryContext(ctx, `SELECT z, cx, cy, n, fid, lon, lat FROM `+quoteIdent(clusterTable(d.Table))+` ORDER BY z, cx, cy`)
		if err != nil {
			t.Fatal(err)
		}
		defer q.Close()
		var out [][7]any
		for q.Next() {
			var r [7]any
			if err := q.Scan(&r[0], &r[1], &r[2], &r[3], &r[4], &r[5], &r[6]); err != nil {
				t.Fatal(err)
			}
			out = append(out, r)
		}
		if err := q.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	a, b := read(beside), read(inside)
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("%d cells counted beside the import, %d inside", len(a), len(b))
	}
	var top int64
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("cell %d: %v beside the import, %v inside", i, a[i], b[i])
		}
		if a[i][0] == int64(0) {
			top += a[i][3].(int64)
		}
	}
	if top != int64(len(rows)-1) {
		t.Errorf("z0 counts %d points, %d have a place", top, len(rows)-1)
	}

	// An import abandoned after its points, and a polygon layer: no scratch left.
	im, err = beside.BeginImport(ctx, "abandoned", store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows[:100] {
		if err := im.Add(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if ents, _ := os.ReadDir(scratch); len(ents) != 1 {
		t.Errorf("%d files in the scratch directory during a point import, want 1", len(ents))
	}
	if err := im.Rollback(); err != nil {
		t.Fatal(err)
	}
	assertNoScratch(t, scratch)
	importFixture(t, beside, "rnn-isere", loadFixture(t, "rnn-isere.geojson"), nil)
	assertNoScratch(t, scratch)
}

func assertNoScratch(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		t.Errorf("scratch left behind: %s", e.Name())
	}
}
