package tiles

import (
	"context"
	"errors"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/patrimap/patrimap/store"
)

// Sites too small to draw, on the pyramid's zooms. A polygon layer read from its pyramid (up to
// store.PyramidMaxZoom) has its sites too small to draw at the tile's zoom grouped by cell of the clusters'
// grid, four pixels (store.PyramidSquareCell): each cell is one square, the lowest fid's, with its attributes
// and point_count, the number of sites it stands for, as point clusters are. A store that keeps these cells
// made at import (store.SquareCeller) gives them with the drawable sites, so that a tile reads neither the
// rows of the other sites nor their geometries: a z0 tile of a national layer of 17,000 sites reads a few
// dozen rows. From a store without them, the tile groups the pyramid's rows itself, the same way: the same
// tile either way.

// squareSite is a cell's square: the centre, in tile units, of its first site's largest part.
type squareSite struct{ orb.Point }

// readSquareCells reads layer l of tile t from src's square cells when it keeps them, and otherwise from its
// pyramid, grouped here: ok is false when src has no pyramid of l (the caller reads the full geometries).
// counts[j] is the number of sites feature j stands for, and cell[j] says that it is a cell's square.
func readSquareCells(ctx context.Context, src FeatureSource, l Layer, t maptile.Tile, bbox orb.Bound, cols []string) (feats []*store.Feature, counts []int64, cell []bool, ok bool, err error) {
	keep := func(sf *store.Feature, n int64) {
		feats = append(feats, &store.Feature{FID: sf.FID, Geometry: sf.Geometry, Values: append([]any(nil), sf.Values...)})
		counts, cell = append(counts, max(n, 1)), append(cell, n > 0)
	}
	if sc, is := src.(store.SquareCeller); is {
		err := sc.SquareTileFeatures(ctx, l.Dataset, t, bbox, cols, func(sf *store.Feature, n int64) error {
			keep(sf, n)
			return nil
		})
		if !errors.Is(err, store.ErrNoSquareCells) {
			return feats, counts, cell, err == nil, err
		}
		feats, counts, cell = nil, nil, nil
	}
	ps, is := src.(pyramidSource)
	if !is {
		return nil, nil, nil, false, nil
	}
	// The cells of the tile and of its buffer, in fid order of their first site.
	x0, y0, x1, y1 := store.SquareCellsOf(t)
	first := map[[2]int64]int{} // cell -> index of its first site in feats
	err = ps.PyramidTileFeatures(ctx, l.Dataset, int(t.Z), bbox, cols, func(sf *store.Feature) error {
		cx, cy, tiny := store.PyramidSquareCell(sf.Geometry, int(t.Z))
		if !tiny {
			keep(sf, 0)
			return nil
		}
		if cx < x0 || cx > x1 || cy < y0 || cy > y1 {
			return nil // in a cell of another tile
		}
		if j, seen := first[[2]int64{cx, cy}]; seen {
			counts[j]++
			return nil
		}
		first[[2]int64{cx, cy}] = len(feats)
		keep(sf, 1)
		return nil
	})
	if errors.Is(err, store.ErrNoPyramid) {
		return nil, nil, nil, false, nil
	}
	return feats, counts, cell, err == nil, err
}

// squareCentre is the centre, in tile units, of the box of the largest part of g, a site's pyramid
// geometry too small to draw (the generaliser's rule for a site's square).
func (p projection) squareCentre(g orb.Geometry, bbox orb.Bound) orb.Point {
	var (
		largest orb.Bound
		largeA  = -1.0
	)
	if mp, ok := p.toTileWithin(g, bbox).(orb.MultiPolygon); ok {
		for _, q := range mp {
			if len(q) == 0 || len(q[0]) < 4 {
				continue
			}
			b := ringBound(q[0])
			if a := width(b) * height(b); a > largeA || largeA < 0 {
				largest, largeA = b, a
			}
		}
	} else if q, ok := g.(orb.Polygon); ok && len(q) > 0 {
		largest = ringBound(p.toTile(q[0]).(orb.Ring))
	}
	return largest.Center()
}
