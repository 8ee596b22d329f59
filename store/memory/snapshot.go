package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/geo"
	"github.com/patrimap/patrimap/store"
)

// snapshot is the map of committed versions as it was when it was opened: later commits replace the store's
// map entries, never the versions it holds.
type snapshot struct {
	store    *Store
	datasets map[string]*dataset
}

func (sn *snapshot) Close() error { return nil }

func (sn *snapshot) Datasets(context.Context) ([]store.Dataset, error) {
	if err := sn.store.failure(); err != nil {
		return nil, err
	}
	out := make([]store.Dataset, 0, len(sn.datasets))
	for _, d := range sn.datasets {
		out = append(out, d.entry)
	}
	slices.SortFunc(out, func(a, b store.Dataset) int {
		return cmp.Or(cmp.Compare(a.Theme, b.Theme), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

func (sn *snapshot) Dataset(_ context.Context, id string) (store.Dataset, error) {
	if err := sn.store.failure(); err != nil {
		return store.Dataset{}, err
	}
	d, ok := sn.datasets[id]
	if !ok {
		return store.Dataset{}, store.NotFound(id)
	}
	return d.entry, nil
}

var _ store.VersionReader = (*snapshot)(nil)

// DatasetVersion reads the version of dataset id (store.VersionReader).
func (sn *snapshot) DatasetVersion(ctx context.Context, id string) (int64, error) {
	d, err := sn.Dataset(ctx, id)
	return d.Version, err
}

// rows returns the rows of d's version in the snapshot.
func (sn *snapshot) rows(d store.Dataset) (*dataset, error) {
	if err := sn.store.failure(); err != nil {
		return nil, err
	}
	data, ok := sn.datasets[d.ID]
	if !ok {
		return nil, store.NotFound(d.ID)
	}
	return data, nil
}

func (sn *snapshot) Features(ctx context.Context, d store.Dataset, q store.Query, each func(*store.Feature) error) error {
	p, err := store.NewPlan(d, q)
	if err != nil {
		return err
	}
	data, err := sn.rows(d)
	if err != nil {
		return err
	}
	rows, err := selectRows(data, p)
	if err != nil {
		return err
	}
	if len(p.Sort) > 0 {
		cols := data.columns()
		slices.SortStableFunc(rows, func(a, b *row) int {
			for _, k := range p.Sort {
				c := compareValues(a.values[cols[k.Property]], b.values[cols[k.Property]])
				if k.Desc {
					c = -c
				}
				if c != 0 {
					return c
				}
			}
			return cmp.Compare(a.fid, b.fid)
		})
	}
	rows = rows[min(p.Offset, len(rows)):]
	if p.Limit > 0 {
		rows = rows[:min(p.Limit, len(rows))]
	}
	return emit(ctx, data, rows, p.Fields, func(r *row) orb.Geometry { return r.geom }, each)
}

func (sn *snapshot) Count(_ context.Context, d store.Dataset, q store.Query) (int64, error) {
	p, err := store.NewPlan(d, q.Unpaged())
	if err != nil {
		return 0, err
	}
	data, err := sn.rows(d)
	if err != nil {
		return 0, err
	}
	rows, err := selectRows(data, p)
	return int64(len(rows)), err
}

// selectRows returns the rows of data that p selects, in fid order, before sorting and paging.
func selectRows(data *dataset, p store.Plan) ([]*row, error) {
	match, err := compile(p.Where, data.columns())
	if err != nil {
		return nil, err
	}
	var inBox *geo.Prepared
	if p.BBox != nil {
		if inBox, err = geo.Prepare(p.BBox.ToPolygon()); err != nil {
			return nil, err
		}
	}
	var out []*row
	for i := range data.rows {
		r := &data.rows[i]
		switch {
		case p.FID > 0 && r.fid != p.FID, r.fid <= p.AfterFID:
			continue
		case inBox != nil:
			if ok, err := inBox.Intersects(r.geom); err != nil || !ok {
				continue
			}
		}
		if match(r) != yes {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// columns maps field names to their index in the rows' values.
func (d *dataset) columns() map[string]int {
	cols := make(map[string]int, len(d.entry.Fields))
	for i, f := range d.entry.Fields {
		cols[f.Name] = i
	}
	return cols
}

// emit passes rows to each as features with the values of fields, in a Feature reused between calls; each row's
// geometry is a copy, which the caller may change.
func emit(ctx context.Context, data *dataset, rows []*row, fields []store.Field, geometry func(*row) orb.Geometry, each func(*store.Feature) error) error {
	cols := data.columns()
	f := store.Feature{Values: make([]any, len(fields))}
	for _, r := range rows {
		if err := ctx.Err(); err != nil {
			return err
		}
		f.FID, f.Geometry = r.fid, orb.Clone(geometry(r))
		for i, fl := range fields {
			f.Values[i] = r.values[cols[fl.Name]]
		}
		if err := each(&f); err != nil {
			return err
		}
	}
	return nil
}

func (sn *snapshot) TileFeatures(ctx context.Context, d store.Dataset, bbox orb.Bound, cols []string, each func(*store.Feature) error) error {
	return sn.tileFeatures(ctx, d, bbox, cols, func(r *row) orb.Geometry { return r.geom }, nil, each)
}

// PyramidTileFeatures gives zoom z of the rows' pyramids, as the other stores do for every line or polygon
// layer.
func (sn *snapshot) PyramidTileFeatures(ctx context.Context, d store.Dataset, z int, bbox orb.Bound, cols []string, each func(*store.Feature) error) error {
	if z < 0 || z > store.PyramidMaxZoom {
		return fmt.Errorf("dataset %s: no pyramid zoom %d (0 to %d)", d.ID, z, store.PyramidMaxZoom)
	}
	if !store.PyramidLayer(d.GeometryType) {
		return fmt.Errorf("dataset %s: %w", d.ID, store.ErrNoPyramid)
	}
	return sn.tileFeatures(ctx, d, bbox, cols, func(r *row) orb.Geometry {
		if r.pyramid != nil {
			return r.pyramid[z]
		}
		return r.geom
	}, nil, each)
}

// Pyramids streams the rows' pyramids in fid order.
func (sn *snapshot) Pyramids(_ context.Context, d store.Dataset, each func(fid int64, zooms []orb.Geometry) error) error {
	if !store.PyramidLayer(d.GeometryType) {
		return fmt.Errorf("dataset %s: %w", d.ID, store.ErrNoPyramid)
	}
	data, err := sn.rows(d)
	if err != nil {
		return err
	}
	for _, r := range data.rows {
		if r.pyramid == nil {
			continue
		}
		if err := each(r.fid, slices.Clone(r.pyramid)); err != nil {
			return err
		}
	}
	return nil
}

// ThinTileFeatures keeps the lowest fid of each cell, a cell being where the lower-left corner of a feature's
// box falls, counted from bbox's lower-left corner and truncated toward zero (as an SQL CAST to INTEGER does).
func (sn *snapshot) ThinTileFeatures(ctx context.Context, d store.Dataset, bbox orb.Bound, cellX, cellY float64, cols []string, each func(*store.Feature) error) error {
	seen := map[[2]int64]bool{}
	first := func(r *row) bool {
		b := r.geom.Bound()
		cell := [2]int64{int64((b.Min[0] - bbox.Min[0]) / cellX), int64((b.Min[1] - bbox.Min[1]) / cellY)}
		if seen[cell] {
			return false
		}
		seen[cell] = true
		return true
	}
	return sn.tileFeatures(ctx, d, bbox, cols, func(r *row) orb.Geometry { return r.geom }, first, each)
}

// tileFeatures emits the rows with a geometry whose box meets bbox (and that keep says to keep), with the
// columns cols in that order.
func (sn *snapshot) tileFeatures(ctx context.Context, d store.Dataset, bbox orb.Bound, cols []string, geometry func(*row) orb.Geometry, keep func(*row) bool, each func(*store.Feature) error) error {
	fields, err := store.TileFields(d, cols)
	if err != nil {
		return err
	}
	data, err := sn.rows(d)
	if err != nil {
		return err
	}
	var rows []*row
	for i := range data.rows {
		r := &data.rows[i]
		if r.geom == nil || !bbox.Intersects(r.geom.Bound()) || (keep != nil && !keep(r)) {
			continue
		}
		rows = append(rows, r)
	}
	return emit(ctx, data, rows, fields, geometry, each)
}
