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
	// tileOf returns whether the tile came from the cache, and the CEN names (NOM) of its features: the RNN
	// have NOM_SITE instead.
	tileOf := func(spec string) (cache string, n int, cen []string) {
		t.Helper()
		res, body := fx.get(t, tilePath(spec, z6, "mvt"))
		if res.StatusCode != 200 {
			t.Fatalf("tile %s: %d", spec, res.StatusCode)
		}
		fs := decodeTile(t, body)[spec].Features
		for _, f := range fs {
			if name, ok := f.Properties["NOM"].(string); ok {
				cen = append(cen, name)
			}
		}
		slices.Sort(cen)
		return res.Header.Get("X-Tile-Cache"), len(fs), cen
	}
	if _, n, cen := tileOf("a"); n == 0 || cen != nil {
		t.Fatalf("tile of a before: %d features, CEN names %v", n, cen)
	}
	tileOf("b")
	if c, _, _ := tileOf("b"); c != "hit" {
		t.Fatalf("second request of b's tile: %s", c)
	}

	// a becomes the 20 CEN sites (testdata/cen-isere.geojson: "Marais de la Lèze" first).
	if err := writer.importFile(t, "a", "../testdata/cen-isere.geojson"); err != nil {
		t.Fatal(err)
	}
	committed := time.Now()
	var (
		cache string
		n     int
		cen   []string
	)
	for cache, n, cen = tileOf("a"); cen == nil && time.Since(committed) < 2*store.WatchInterval; time.Sleep(10 * time.Millisecond) {
		cache, n, cen = tileOf("a")
	}
	if cache != "miss" || len(cen) == 0 || len(cen) != n {
		t.Fatalf("tile of a %v after another process's re-import: %s, %d features, CEN names %v", time.Since(committed), cache, n, cen)
	}
	p := fx.page(t, "/collections/a/items?limit=100")
	names := map[any]bool{}
	for _, f := range p.Features {
		names[f.Properties["NOM"]] = true
	}
	if p.NumberMatched != 20 || len(p.Features) != 20 || p.Features[0].Properties["NOM"] != "Marais de la Lèze" {
		t.Errorf("items of a after the re-import: %d features, first %v", p.NumberMatched, p.Features[0].Properties)
	}
	for _, name := range cen {
		if !names[name] {
			t.Errorf("tile of a holds %q, not one of the CEN sites", name)
		}
	}
	if c, _, _ := tileOf("b"); c != "hit" {
		t.Errorf("b's tile after a's re-import: %s, want hit", c)
	}
}
