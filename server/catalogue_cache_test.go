package server

import (
	"context"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/spatialite"
)

// countingStore counts the snapshots the server opens: a warm request opens none.
type countingStore struct {
	*spatialite.Store
	snapshots atomic.Int64
}

func (c *countingStore) Snapshot(ctx context.Context) (store.Snapshot, error) {
	c.snapshots.Add(1)
	return c.Store.Snapshot(ctx)
}

// sharedFile opens two Stores on one file: the server's, and another standing for `patrimap import` run in
// another process while the server runs.
func sharedFile(t *testing.T) (served *countingStore, writer *fixture, fx *fixture) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	st, err := spatialite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	other, err := spatialite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	served = &countingStore{Store: st}
	return served, &fixture{st: other}, serve(t, served)
}

// Warm tiles, TileJSON and the dataset list are answered from memory, without opening a snapshot.
func TestWarmRequestsOpenNoSnapshot(t *testing.T) {
	served, writer, fx := sharedFile(t)
	if err := writer.importFile(t, "rnn", rnn); err != nil {
		t.Fatal(err)
	}
	paths := []string{tilePath("rnn", isereTile, "mvt"), "/tiles/rnn.json", "/datasets"}
	for _, p := range paths {
		if res, body := fx.get(t, p); res.StatusCode != 200 {
			t.Fatalf("%s: %d %s", p, res.StatusCode, body)
		}
	}
	before := served.snapshots.Load()
	for range 3 {
		for _, p := range paths {
			if res, _ := fx.get(t, p); res.StatusCode != 200 {
				t.Fatalf("%s: %d", p, res.StatusCode)
			}
		}
	}
	if n := served.snapshots.Load() - before; n != 0 {
		t.Errorf("%d snapshots opened by 9 warm requests, want 0", n)
	}
}

// A re-import by another process on the same file shows within store.WatchInterval, in the items and in the
// tiles; another dataset's cached tile stays cached.
func TestReimportByAnotherProcessSeen(t *testing.T) {
	_, writer, fx := sharedFile(t)
	for id, path := range map[string]string{"a": rnn, "b": "../testdata/apb-isere.geojson"} {
		if err := writer.importFile(t, id, path); err != nil {
			t.Fatal(err)
		}
	}
	z6 := maptile.At(orb.Point{5.9, 45.1}, 6)
	tileOf := func(spec string) (string, []string) {
		t.Helper()
		res, body := fx.get(t, tilePath(spec, z6, "mvt"))
		if res.StatusCode != 200 {
			t.Fatalf("tile %s: %d", spec, res.StatusCode)
		}
		var ids []string
		for _, f := range decodeTile(t, body)[spec].Features {
			id, _ := f.Properties["ID_MNHN"].(string)
			ids = append(ids, id)
		}
		slices.Sort(ids)
		return res.Header.Get("X-Tile-Cache"), ids
	}
	_, rnnIDs := tileOf("a")
	tileOf("b")
	if c, _ := tileOf("b"); c != "hit" {
		t.Fatalf("second request of b's tile: %s", c)
	}
	if p := fx.page(t, "/collections/a/items?limit=100"); p.NumberMatched != 15 {
		t.Fatalf("a before: %d features, want the 15 RNN", p.NumberMatched)
	}

	// a becomes the 20 CEN sites (testdata/cen-isere.geojson: CENISE019 "Marais de la Lèze" first).
	if err := writer.importFile(t, "a", "../testdata/cen-isere.geojson"); err != nil {
		t.Fatal(err)
	}
	committed := time.Now()
	var p itemsPage
	for p = fx.page(t, "/collections/a/items?limit=100"); p.NumberMatched != 20 && time.Since(committed) < 2*store.WatchInterval; time.Sleep(10 * time.Millisecond) {
		p = fx.page(t, "/collections/a/items?limit=100")
	}
	if p.NumberMatched != 20 || len(p.Features) != 20 || p.Features[0].Properties["NOM"] != "Marais de la Lèze" {
		t.Fatalf("a %v after another process's re-import: %d features, first %v", time.Since(committed), p.NumberMatched, p.Features[0].Properties)
	}
	c, cenIDs := tileOf("a")
	if c != "miss" || len(cenIDs) == 0 || slices.Equal(cenIDs, rnnIDs) {
		t.Errorf("tile of a after the re-import: %s, features %v (the RNN's were %v)", c, cenIDs, rnnIDs)
	}
	cen := map[any]bool{}
	for _, f := range p.Features {
		cen[f.Properties["ID_MNHN"]] = true
	}
	for _, id := range cenIDs {
		if !cen[id] {
			t.Errorf("tile of a holds %q, not a CEN site", id)
		}
	}
	if c, _ := tileOf("b"); c != "hit" {
		t.Errorf("b's tile after a's re-import: %s, want hit", c)
	}
}
