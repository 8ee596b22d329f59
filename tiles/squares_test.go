package tiles

import (
	"context"
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/patrimap/patrimap/store"
)

// tinySites is, for the sites of d that tile tl's pyramid zoom holds, the cell (on the world's grid of
// store.ClusterCells) of the square of each one too small to draw there (store.PyramidSquareCell): from the
// pyramid's rows, not from the cells. The sites whose square is in no cell of tl (store.SquareCellsOf: a
// square on the buffer's outer edge) are left out: the tile of their cell counts them.
func tinySites(t testing.TB, sn store.Snapshot, d store.Dataset, tl maptile.Tile) (out map[int64][2]int64, elsewhere map[int64]bool) {
	t.Helper()
	ps, ok := sn.(pyramidSource)
	if !ok {
		t.Fatalf("%T keeps no pyramid", sn)
	}
	out, counted := map[int64][2]int64{}, map[int64]bool{}
	proj, bbox := newProjection(tl), tileBound(tl, Buffer)
	k := int64(store.ClusterCells(tl.Z))
	err := ps.PyramidTileFeatures(context.Background(), d, int(tl.Z), bbox, nil, func(f *store.Feature) error {
		if _, _, tiny := store.PyramidSquareCell(f.Geometry, int(tl.Z)); tiny {
			c := proj.squareCentre(f.Geometry, bbox)
			side := float64(Extent) / float64(k)
			cell := [2]int64{int64(tl.X)*k + int64(math.Floor(math.Round(c[0])/side)), int64(tl.Y)*k + int64(math.Floor(math.Round(c[1])/side))}
			if x0, y0, x1, y1 := store.SquareCellsOf(tl); cell[0] < x0 || cell[0] > x1 || cell[1] < y0 || cell[1] > y1 {
				delete(out, f.FID)
				counted[f.FID] = true
				return nil
			}
			out[f.FID] = cell
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, counted
}

// cellCounts is, for each cell of the world's grid of tile tl's zoom that holds a square of the decoded tile
// ls, the number of sites its squares stand for (point_count, or one); a square on the edge of two cells
// (within the half unit of the grid's rounding) counts in both.
func cellCounts(ls []MVTLayer, tl maptile.Tile) map[[2]int64]int64 {
	k := int64(store.ClusterCells(tl.Z))
	side := float64(Extent) / float64(k)
	out := map[[2]int64]int64{}
	for _, l := range ls {
		for _, f := range l.Features {
			if !isSquare(f.Geometry) {
				continue
			}
			// The square's centre is on the integer grid, half a unit at most from the site's: it counts in
			// every cell within that half unit.
			c := ringBound(f.Geometry.(orb.Polygon)[0]).Center()
			cells := map[[2]int64]bool{}
			for _, dx := range []float64{-0.5, 0.5} {
				for _, dy := range []float64{-0.5, 0.5} {
					cells[[2]int64{int64(tl.X)*k + int64(math.Floor((c[0]+dx)/side)), int64(tl.Y)*k + int64(math.Floor((c[1]+dy)/side))}] = true
				}
			}
			for cell := range cells {
				out[cell] += pointCount(f.Properties)
			}
		}
	}
	return out
}

// A square of the pyramid's cells stands where the generaliser draws a site's square.
func TestSquareCentreIsTheGeneralisersSquare(t *testing.T) {
	tl := maptile.At(orb.Point{5.005, 45.505}, 6)
	proj := newProjection(tl)
	bbox := tileBound(tl, Buffer)
	// Two parts a few metres across near 5°E 45.5°N; the second, larger one carries the square.
	site := orb.MultiPolygon{
		{{{5.0, 45.5}, {5.0003, 45.5}, {5.0003, 45.5002}, {5.0, 45.5002}, {5.0, 45.5}}},
		{{{5.01, 45.51}, {5.0106, 45.51}, {5.0106, 45.5104}, {5.01, 45.5104}, {5.01, 45.51}}},
	}
	g := &generaliser{tol: Tolerance, bound: orb.Bound{Min: orb.Point{-Buffer, -Buffer}, Max: orb.Point{Extent + Buffer, Extent + Buffer}}}
	want, square := g.shape(proj.toTileWithin(site, bbox))
	if !square {
		t.Fatalf("the site is drawn (%v): the test wants one too small to draw", want)
	}
	got, square := g.shape(squareSite{proj.squareCentre(site, bbox)})
	if !square || !orb.Equal(got, want) {
		t.Errorf("cell square %v, the generaliser's %v", got, want)
	}
	if _, _, tiny := store.PyramidSquareCell(site, int(tl.Z)); !tiny {
		t.Error("store.PyramidSquareCell finds the site drawable")
	}
}
