package server

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/patrimap/patrimap/store"
)

// catalogueCache keeps the catalogue in memory while the store says nothing changed (store.Watcher), so that
// a warm request (a cached tile, TileJSON, the dataset list) is answered without a database query. A store
// that cannot tell reads the catalogue for every request, as before.
type catalogueCache struct {
	src   Catalog
	watch store.Watcher // nil: no caching
	view  atomic.Pointer[catalogueView]
	mu    sync.Mutex // one reload at a time
	// onReload is called with each new view (the tile cache retires older versions' tiles).
	onReload func(*catalogueView)
}

// catalogueView is the catalogue as of one generation of the store. It is never changed once made.
type catalogueView struct {
	generation uint64
	datasets   []store.Dataset // ordered by theme then id, as store.Snapshot.Datasets gives them
	byID       map[string]int  // index in datasets
}

func newCatalogueCache(src Catalog) *catalogueCache {
	cc := &catalogueCache{src: src}
	cc.watch, _ = src.(store.Watcher)
	return cc
}

// current returns the catalogue as it is now: from memory when the store's generation has not moved since it
// was read.
func (cc *catalogueCache) current(ctx context.Context) (*catalogueView, error) {
	if cc.watch == nil {
		return cc.load(ctx, 0)
	}
	gen, err := cc.watch.Generation(ctx)
	if err != nil {
		return nil, err
	}
	if v := cc.view.Load(); v != nil && v.generation == gen {
		return v, nil
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if v := cc.view.Load(); v != nil && v.generation == gen {
		return v, nil
	}
	// The generation was read before the catalogue: a commit in between moves it again, and the next request
	// reloads.
	v, err := cc.load(ctx, gen)
	if err != nil {
		return nil, err
	}
	cc.view.Store(v)
	if cc.onReload != nil {
		cc.onReload(v)
	}
	return v, nil
}

// forget drops the view kept, so that the next request reads the catalogue again: a reader found another
// version in the store than the view said (another process committed within the store's watch interval).
func (cc *catalogueCache) forget(stale *catalogueView) {
	cc.view.CompareAndSwap(stale, nil)
}

func (cc *catalogueCache) load(ctx context.Context, gen uint64) (*catalogueView, error) {
	ds, err := store.Catalogue(ctx, cc.src)
	if err != nil {
		return nil, err
	}
	v := &catalogueView{generation: gen, datasets: ds, byID: make(map[string]int, len(ds))}
	for i, d := range ds {
		v.byID[d.ID] = i
	}
	return v, nil
}

// list returns a copy of the catalogue that the caller may reorder.
func (v *catalogueView) list() []store.Dataset { return append([]store.Dataset(nil), v.datasets...) }

// lookup returns the catalogue entry of id, or an error wrapping store.ErrNotFound.
func (v *catalogueView) lookup(id string) (store.Dataset, error) {
	i, ok := v.byID[id]
	if !ok {
		return store.Dataset{}, store.NotFound(id)
	}
	return v.datasets[i], nil
}

// errStaleView says that a snapshot holds another version of a dataset than the catalogue view: the request is
// answered again from a fresh view.
var errStaleView = errors.New("the catalogue changed while the request was answered")
