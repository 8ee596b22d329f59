package stores

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/store"
)

// Copied is what Copy moved.
type Copied struct {
	Datasets []store.Dataset // as the destination committed them
	Memo     map[string]int  // values of the memo, by kind
}

// Copy copies every dataset of from (as of one snapshot) into to, each as a new version in to (an import: what
// readers of to see changes one dataset at a time, each whole), with its catalogue entry (title, producer,
// licence, source, report...), its fields and their types, its fids, geometries and pyramids, then every
// value of from's memo, whatever its kind. Features stream: a layer is never held in memory.
func Copy(ctx context.Context, from, to store.Store) (Copied, error) {
	out := Copied{Memo: map[string]int{}}
	sn, err := from.Snapshot(ctx)
	if err != nil {
		return out, fmt.Errorf("copy from %s: %w", from.Name(), err)
	}
	defer sn.Close()
	ds, err := sn.Datasets(ctx)
	if err != nil {
		return out, fmt.Errorf("copy from %s: %w", from.Name(), err)
	}
	for _, d := range ds {
		c, err := copyDataset(ctx, from, sn, d, to)
		if err != nil {
			return out, fmt.Errorf("copy dataset %s from %s to %s: %w", d.ID, from.Name(), to.Name(), err)
		}
		out.Datasets = append(out.Datasets, c)
	}
	lister, ok := from.(store.MemoLister)
	if !ok {
		return out, fmt.Errorf("copy from %s: this store does not list its memo's kinds", from.Name())
	}
	kinds, err := lister.MemoKinds(ctx)
	if err != nil {
		return out, fmt.Errorf("copy from %s: %w", from.Name(), err)
	}
	for _, kind := range kinds {
		values, err := from.RecallAll(ctx, kind)
		if err != nil {
			return out, fmt.Errorf("copy from %s: %w", from.Name(), err)
		}
		for key, v := range values {
			if err := to.Remember(ctx, kind, key, v); err != nil {
				return out, fmt.Errorf("copy to %s: %w", to.Name(), err)
			}
		}
		out.Memo[kind] = len(values)
	}
	return out, nil
}

// pyramid is one feature's pyramid.
type pyramid struct {
	fid   int64
	zooms []orb.Geometry
}

func copyDataset(ctx context.Context, from store.Store, sn store.Snapshot, d store.Dataset, to store.Store) (store.Dataset, error) {
	im, err := to.BeginImport(ctx, d.ID, store.ImportOptions{Fields: d.Fields})
	if err != nil {
		return store.Dataset{}, err
	}
	defer im.Rollback()
	// The pyramids stream from a second snapshot beside the features, both in fid order; a snapshot reads
	// one thing at a time. Its context is its own: cancelling the import's would abort it.
	pyrCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	pyr, pyrErr, err := pyramidStream(pyrCtx, from, d)
	if err != nil {
		return store.Dataset{}, err
	}
	next, more := <-pyr
	row := store.Row{Properties: make([]store.Property, len(d.Fields))}
	err = sn.Features(ctx, d, store.Query{}, func(f *store.Feature) error {
		row.FID, row.Geometry, row.Pyramid = f.FID, f.Geometry, nil
		for more && next.fid < f.FID {
			next, more = <-pyr
		}
		if more && next.fid == f.FID && f.Geometry != nil {
			row.Pyramid = next.zooms
		}
		for i, field := range d.Fields {
			v := f.Values[i]
			if s, ok := v.(string); ok && field.Type == store.FieldJSON {
				v = json.RawMessage(s) // a JSON value, not a text that holds one
			}
			row.Properties[i] = store.Property{Key: field.Name, Value: v}
		}
		return im.Add(ctx, row)
	})
	if err != nil {
		return store.Dataset{}, err
	}
	cancel()
	if err := <-pyrErr; err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, store.ErrNoPyramid) {
		return store.Dataset{}, fmt.Errorf("pyramid: %w", err)
	}
	return im.Commit(ctx, d.DatasetInfo, d.Report)
}

// pyramidStream sends the pyramids of d in fid order, from a snapshot of its own that must show the same
// version of d (none, and store.ErrNoPyramid, for a dataset imported before pyramids: it is copied without).
func pyramidStream(ctx context.Context, from store.Store, d store.Dataset) (<-chan pyramid, <-chan error, error) {
	sn, err := from.Snapshot(ctx)
	if err != nil {
		return nil, nil, err
	}
	again, err := sn.Dataset(ctx, d.ID)
	if err != nil || again.Version != d.Version {
		sn.Close()
		if err == nil {
			err = fmt.Errorf("version %d replaced by %d during the copy: copy again", d.Version, again.Version)
		}
		return nil, nil, err
	}
	out, errc := make(chan pyramid, 64), make(chan error, 1)
	go func() {
		defer sn.Close()
		defer close(out)
		errc <- sn.Pyramids(ctx, d, func(fid int64, zooms []orb.Geometry) error {
			select {
			case out <- pyramid{fid, zooms}:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	return out, errc, nil
}
