package postgis_test

import (
	"context"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/postgis"
	"github.com/patrimap/patrimap/store/teststores"
)

// importPoints commits a version of dataset id with n points through st.
func importPoints(t *testing.T, st store.Store, id string, n int) {
	t.Helper()
	ctx := context.Background()
	im, err := st.BeginImport(ctx, id, store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer im.Rollback()
	for i := range n {
		r := store.Row{Geometry: orb.Point{5 + float64(i)/100, 45}, Properties: []store.Property{{Key: "name", Value: "site"}}}
		if err := im.Add(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := im.Commit(ctx, store.DatasetInfo{ID: id, Title: id, Producer: "test"}, nil); err != nil {
		t.Fatal(err)
	}
}

// Two processes on one database, as two Store values: a commit through one moves the generation the other
// reads within store.WatchInterval, and the committing one's at once; reads, rollbacks and time move nothing.
func TestGenerationAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	dsn := teststores.PostGISDSN(t)
	open := func() *postgis.Store {
		st, err := postgis.Open(ctx, dsn, postgis.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	a, b := open(), open()
	gen := func(st *postgis.Store) uint64 {
		t.Helper()
		g, err := st.Generation(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	a0, b0 := gen(a), gen(b)
	if a0 != b0 {
		t.Fatalf("one database, two generations: %d and %d", a0, b0)
	}
	importPoints(t, a, "sites", 3)
	a1 := gen(a)
	if a1 == a0 {
		t.Errorf("generation %d unchanged by an import through this store", a1)
	}
	deadline := time.Now().Add(store.WatchInterval + 200*time.Millisecond)
	for gen(b) == b0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if g := gen(b); g != a1 {
		t.Errorf("the other process reads generation %d %v after the import, want %d", g, store.WatchInterval+200*time.Millisecond, a1)
	}
	im, err := b.BeginImport(ctx, "sites", store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	im.Add(ctx, store.Row{Geometry: orb.Point{5, 45}})
	im.Rollback()
	sn, err := b.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sn.Datasets(ctx)
	sn.Close()
	time.Sleep(store.WatchInterval + 50*time.Millisecond)
	if ga, gb := gen(a), gen(b); ga != a1 || gb != a1 {
		t.Errorf("generations %d and %d after a rollback, a read and time, want %d", ga, gb, a1)
	}
	if err := b.Remember(ctx, "test", "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if g := gen(b); g == a1 {
		t.Errorf("generation %d unchanged by a memo write through this store", g)
	}
}
