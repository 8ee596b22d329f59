package spatialite

import (
	"context"
	"testing"

	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/storetest"
)

// A dataset as an older patrimap left it in a SpatiaLite file is named for a re-import: a line or polygon layer
// with the single pyramid table of a column a zoom (this morning's layout) instead of a table a zoom, a point
// layer without clusters, or clustered down to zoom 8 only.
func TestNeedsReimport(t *testing.T) {
	ctx := context.Background()
	var s *Store
	exec := func(t *testing.T, q string) {
		t.Helper()
		if _, err := s.writer.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	storetest.RunReimport(t, func(t *testing.T) store.Store { s = openTest(t); return s }, storetest.Older{
		DropTileTables: func(t *testing.T, d store.Dataset) {
			tx, err := s.writer.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if err := dropPyramid(ctx, tx, d.Table); err != nil {
				t.Fatal(err)
			}
			if err := dropClusters(ctx, tx, d.Table); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			if store.PyramidLayer(d.GeometryType) {
				exec(t, `CREATE TABLE `+quoteIdent(singlePyramidTable(d.Table))+` AS SELECT fid, AsBinary(geom) AS z0 FROM `+quoteIdent(d.Table))
			}
		},
		ShallowClusters: func(t *testing.T, d store.Dataset) {
			exec(t, `DELETE FROM `+quoteIdent(clusterTable(d.Table))+` WHERE z > 8`)
		},
	})
}
