package postgis_test

import (
	"context"
	"testing"

	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/postgis"
	"github.com/patrimap/patrimap/store/storetest"
	"github.com/patrimap/patrimap/store/teststores"
)

// A dataset as an older patrimap left it in a PostGIS schema is named for a re-import: a line or polygon layer
// without its pyramid table, a point layer without clusters, or clustered down to zoom 8 only.
func TestNeedsReimport(t *testing.T) {
	var dsn string
	storetest.RunReimport(t, func(t *testing.T) store.Store {
		dsn = teststores.PostGIS.DSN(t)
		st, err := postgis.Open(context.Background(), dsn, postgis.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}, storetest.Older{
		DropTileTables:  func(t *testing.T, d store.Dataset) { teststores.PostGIS.DropTileTables(t, dsn, d) },
		ShallowClusters: func(t *testing.T, d store.Dataset) { teststores.PostGIS.ShallowClusters(t, dsn, d) },
	})
}
