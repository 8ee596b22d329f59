// Package memory is a store that keeps its datasets in memory: the fake that handler and importer tests use
// instead of a database. It implements the interfaces of package store with the same behaviour as
// store/spatialite (store/storetest checks both): snapshots that do not see later imports, imports that change
// nothing until they commit, filters evaluated with SQL's logic, one import at a time.
//
// Its rows are held in memory, so it is for tests and small data only. Fail makes it behave as a broken
// database, for tests of what a server answers then.
package memory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/geo"
	"github.com/patrimap/patrimap/store"
)

var (
	_ store.Store    = (*Store)(nil)
	_ store.Snapshot = (*snapshot)(nil)
	_ store.Import   = (*importer)(nil)
	_ store.Watcher  = (*Store)(nil)
)

// Store is an in-memory store. It is safe for concurrent use.
type Store struct {
	mu       sync.Mutex
	datasets map[string]*dataset // the committed versions, never changed once committed
	memo     map[[2]string][]byte
	fail     error
	// writing holds one token: an import takes it at BeginImport and gives it back when it ends.
	writing chan struct{}
	// generation counts commits (imports, memo writes), for Generation.
	generation uint64
}

// dataset is one committed version of a dataset.
type dataset struct {
	entry store.Dataset
	rows  []row // in fid order
}

type row struct {
	fid     int64
	geom    orb.Geometry
	pyramid []orb.Geometry // Row.Pyramid
	values  []any          // aligned with entry.Fields
}

// New returns an empty store.
func New() *Store {
	return &Store{datasets: map[string]*dataset{}, memo: map[[2]string][]byte{}, writing: make(chan struct{}, 1)}
}

// Fail makes every later read and write of the store (snapshots open, but what they read fails), Ping included,
// return an error wrapping err, as a database that broke would; nil makes it work again.
func (s *Store) Fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = err
}

func (s *Store) failure() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return fmt.Errorf("memory store: %w", s.fail)
	}
	return nil
}

// Name is "memory".
func (s *Store) Name() string { return "memory" }

// Ping says whether the store works (see Fail).
func (s *Store) Ping(context.Context) error { return s.failure() }

// Close does nothing: the datasets go with the Store.
func (s *Store) Close() error { return nil }

// Recall returns the value kept under kind and key.
func (s *Store) Recall(_ context.Context, kind, key string) ([]byte, bool, error) {
	if err := s.failure(); err != nil {
		return nil, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.memo[[2]string{kind, key}]
	return slices.Clone(v), ok, nil
}

// RecallAll returns every value kept under kind.
func (s *Store) RecallAll(_ context.Context, kind string) (map[string][]byte, error) {
	if err := s.failure(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]byte{}
	for k, v := range s.memo {
		if k[0] == kind {
			out[k[1]] = slices.Clone(v)
		}
	}
	return out, nil
}

// Remember keeps value under kind and key.
func (s *Store) Remember(_ context.Context, kind, key string, value []byte) error {
	if err := s.failure(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.memo[[2]string{kind, key}] = slices.Clone(value)
	s.generation++
	return nil
}

// Generation counts the commits made so far (store.Watcher): a store in memory has no other writer.
func (s *Store) Generation(context.Context) (uint64, error) {
	if err := s.failure(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.generation, nil
}

// Snapshot opens a read view of the datasets committed so far.
func (s *Store) Snapshot(ctx context.Context) (store.Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	view := make(map[string]*dataset, len(s.datasets))
	for id, d := range s.datasets {
		view[id] = d
	}
	return &snapshot{store: s, datasets: view}, nil
}

// BeginImport starts building a new version of dataset id, once any other import has ended.
func (s *Store) BeginImport(ctx context.Context, id string, opts store.ImportOptions) (store.Import, error) {
	if err := store.ValidateID(id); err != nil {
		return nil, err
	}
	if err := s.failure(); err != nil {
		return nil, err
	}
	select {
	case s.writing <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("import %s: waiting for another import: %w", id, ctx.Err())
	}
	return &importer{store: s, id: id, schema: store.NewSchema(opts.Fields)}, nil
}

// importer stages rows until Commit puts the new version in place.
type importer struct {
	store    *Store
	id       string
	schema   *store.Schema
	staged   []stagedRow
	lastFID  int64
	finished *store.Result
	built    *dataset
	ended    bool
}

type stagedRow struct {
	fid     int64
	geom    orb.Geometry
	pyramid []orb.Geometry
	vals    []store.StagedValue
}

func (im *importer) Add(_ context.Context, r store.Row) error {
	switch {
	case im.ended:
		return fmt.Errorf("import %s: Add after the import ended", im.id)
	case im.finished != nil:
		return errors.New("import: Add after Finish")
	case r.FID == 0:
		r.FID = im.lastFID + 1
	case r.FID <= im.lastFID:
		return fmt.Errorf("import %s: fid %d after fid %d: fids must increase", im.id, r.FID, im.lastFID)
	}
	if err := im.store.failure(); err != nil {
		return err
	}
	var pyramid []orb.Geometry
	if r.Pyramid != nil && r.Geometry != nil {
		// What the other stores check as they encode it, before the schema counts the row.
		if _, err := store.AppendPyramid(nil, r.Pyramid); err != nil {
			return fmt.Errorf("import %s: fid %d: %w", im.id, r.FID, err)
		}
		for _, g := range r.Pyramid {
			pyramid = append(pyramid, orb.Clone(g))
		}
	}
	vals, _, err := im.schema.Observe(r, nil)
	if err != nil {
		return fmt.Errorf("import %s: fid %d: %w", im.id, r.FID, err)
	}
	im.staged = append(im.staged, stagedRow{fid: r.FID, geom: orb.Clone(r.Geometry), pyramid: pyramid, vals: vals})
	im.lastFID = r.FID
	return nil
}

func (im *importer) Finish(context.Context) (*store.Result, error) {
	if im.finished != nil {
		return im.finished, nil
	}
	if im.ended {
		return nil, fmt.Errorf("import %s: finished after it ended", im.id)
	}
	if err := im.store.failure(); err != nil {
		return nil, err
	}
	res := im.schema.Result()
	im.store.mu.Lock()
	if prev := im.store.datasets[im.id]; prev != nil {
		res.Version = prev.entry.Version + 1
	} else {
		res.Version = 1
	}
	im.store.mu.Unlock()
	d := &dataset{rows: make([]row, len(im.staged))}
	var bbox *orb.Bound
	for i, sr := range im.staged {
		r := row{fid: sr.fid, geom: geo.AsLayerType(sr.geom, res.GeometryType), pyramid: sr.pyramid, values: make([]any, len(res.Fields))}
		for _, v := range sr.vals {
			r.values[v.Column] = store.Coerce(v.Value, res.Fields[v.Column].Type)
		}
		if r.geom != nil {
			b := r.geom.Bound()
			if bbox == nil {
				bbox = &b
			} else {
				*bbox = bbox.Union(b)
			}
		}
		d.rows[i] = r
	}
	res.BBox = bbox
	im.staged, im.built, im.finished = nil, d, res
	return res, nil
}

// Commit puts the new version in the store's map, where the next snapshots find it; the import ends either way.
func (im *importer) Commit(ctx context.Context, info store.DatasetInfo, report any) (store.Dataset, error) {
	defer im.end()
	res, err := im.Finish(ctx)
	if err == nil {
		im.built.entry, err = store.NewEntry(im.id, info, res, report, time.Now().UTC())
	}
	if err != nil {
		return store.Dataset{}, err
	}
	im.store.mu.Lock()
	im.store.datasets[im.id] = im.built
	im.store.generation++
	im.store.mu.Unlock()
	return im.built.entry, nil
}

func (im *importer) Rollback() error {
	im.end()
	return nil
}

// end gives the import token back, once.
func (im *importer) end() {
	if !im.ended {
		im.ended = true
		<-im.store.writing
	}
}

var _ store.MemoLister = (*Store)(nil)

// MemoKinds lists the kinds the memo holds, in byte order.
func (s *Store) MemoKinds(context.Context) ([]string, error) {
	if err := s.failure(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var kinds []string
	for k := range s.memo {
		if !slices.Contains(kinds, k[0]) {
			kinds = append(kinds, k[0])
		}
	}
	slices.Sort(kinds)
	return kinds, nil
}
