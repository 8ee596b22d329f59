package storetest

import (
	"testing"
	"time"

	"github.com/patrimap/patrimap/store"
)

// optional returns st as the optional capability T, or skips the test with a message when the store does not
// offer it (it is optional: the callers fall back to the plain interfaces).
func optional[T any](t *testing.T, st store.Store, name string) T {
	t.Helper()
	c, ok := st.(T)
	if !ok {
		t.Skipf("the store does not implement the optional %s", name)
	}
	return c
}

// A Watcher's generation moves with every commit (an import, a memo write) and with nothing else: not with
// reads, not with an import rolled back, not with time.
func testWatcher(t *testing.T, fx *fixture) {
	w := optional[store.Watcher](t, fx.st, "store.Watcher")
	gen := func() uint64 {
		t.Helper()
		g, err := w.Generation(fx.ctx)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	g0 := gen()
	d := fx.importRows("rnn", store.ImportOptions{}, rnnRows(t))
	g1 := gen()
	if g1 == g0 {
		t.Errorf("generation %d unchanged by an import", g1)
	}
	fx.mustFeatures(d, store.Query{Limit: 3})
	im, err := fx.st.BeginImport(fx.ctx, "rnn", store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	im.Add(fx.ctx, rnnRows(t)[0])
	im.Rollback()
	time.Sleep(store.WatchInterval + 50*time.Millisecond) // past the interval: a store that polls has looked again
	if g := gen(); g != g1 {
		t.Errorf("generation moved from %d to %d without a commit (a read, a rollback, time)", g1, g)
	}
	if err := fx.st.Remember(fx.ctx, "storetest", "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if g := gen(); g == g1 {
		t.Errorf("generation %d unchanged by a memo write", g)
	}
}
