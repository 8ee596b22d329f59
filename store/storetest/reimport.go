package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/patrimap/patrimap/store"
)

// Older is how an older patrimap left a dataset, done by a store's own test on its own tables.
type Older struct {
	// DropTileTables removes what the import of d built for its low-zoom tiles: its pyramid (a line or polygon
	// layer) or its point clusters, as a store imported before them, or before their present layout, has none.
	DropTileTables func(t *testing.T, d store.Dataset)
	// ShallowClusters removes the cells of d's clusters under zoom 8, as imported when clusters stopped there.
	ShallowClusters func(t *testing.T, d store.Dataset)
}

// RunReimport checks a store's store.ReimportChecker: datasets just imported (polygons, points, a table
// without geometry, an empty one) want no re-import; a polygon or point layer as an older
// patrimap left it does, and no other dataset with it; importing it again clears it. open returns a new,
// empty store, closed when the test ends.
func RunReimport(t *testing.T, open func(t *testing.T) store.Store, older Older) {
	ctx := context.Background()
	st := open(t)
	fx := &fixture{t: t, st: st, ctx: ctx}
	rnn := rnnRows(t)
	points := make([]store.Row, len(rnn))
	for i, r := range rnn {
		points[i] = store.Row{Geometry: r.Geometry.Bound().Center(), Properties: r.Properties}
	}
	bare := make([]store.Row, len(rnn))
	for i, r := range rnn {
		bare[i] = store.Row{Properties: r.Properties}
	}
	polys, pts := fx.importRows("rnn", store.ImportOptions{}, rnn), fx.importRows("rnn-points", store.ImportOptions{}, points)
	fx.importRows("rnn-table", store.ImportOptions{}, bare)
	fx.importRows("empty", store.ImportOptions{}, nil)
	wanting := func() []string {
		t.Helper()
		sn, err := st.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer sn.Close()
		if _, ok := sn.(store.ReimportChecker); !ok {
			t.Fatalf("%T does not implement store.ReimportChecker", sn)
		}
		ds, err := sn.Datasets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		stale, err := store.Reimports(ctx, sn, ds)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, d := range stale {
			ids = append(ids, d.ID)
		}
		return ids
	}
	expect := func(when string, want ...string) {
		t.Helper()
		if got := wanting(); !slices.Equal(got, want) {
			t.Errorf("%s: %v want a re-import, want %v", when, got, want)
		}
	}
	expect("just imported")
	older.DropTileTables(t, polys)
	expect("polygons without their pyramid", "rnn")
	older.DropTileTables(t, pts)
	expect("points without their clusters too", "rnn", "rnn-points")
	fx.importRows("rnn", store.ImportOptions{}, rnn)
	pts = fx.importRows("rnn-points", store.ImportOptions{}, points)
	expect("imported again")
	older.ShallowClusters(t, pts)
	expect("points clustered to zoom 8 only", "rnn-points")
}
