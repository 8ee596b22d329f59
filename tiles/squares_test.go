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

// FuzzSquareCell checks store.PyramidSquareCell, which sorts a site into the cells made at import, against
// the generaliser, which draws the tile: a site of two parts (w×h tile units at a point of the tile, and a
// second part at the offset dx, dy) is too small to draw for one exactly when it is for the other, and then
// the generaliser draws it as the cell's square, in that cell. Boxes within a millionth of a unit of MinSize,
// and centres within that of a cell's edge once rounded, are left out: the two take them in Mercator units
// of the world and of the tile, whose last bits differ, and either side of such an edge counts the site once.
func FuzzSquareCell(f *testing.F) {
	f.Add(uint8(5), 0.3, 0.6, 10.0, 6.0, 3.0, 4.0, 40.0, 50.0)
	f.Add(uint8(0), 0.51, 0.36, 15.9, 15.9, 15.0, 2.0, 1.0, 1.0)
	f.Add(uint8(10), 0.9, 0.1, 16.0, 1.0, 0.5, 0.5, -30.0, 7.0)
	f.Add(uint8(7), 0.0, 0.999, 2.0, 3.0, 14.0, 14.0, 63.0, 63.0)
	f.Fuzz(func(t *testing.T, zb uint8, fx, fy, w1, h1, w2, h2, dx, dy float64) {
		z := int(zb % (store.PyramidMaxZoom + 1))
		for _, v := range []float64{fx, fy, w1, h1, w2, h2, dx, dy} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return
			}
		}
		if fx < 0 || fx >= 1 || fy < 0 || fy >= 1 || w1 <= 0 || h1 <= 0 || w2 <= 0 || h2 <= 0 || w1 > 64 || h1 > 64 || w2 > 64 || h2 > 64 || math.Abs(dx) > 200 || math.Abs(dy) > 200 {
			return
		}
		n := uint32(1) << z
		tl := maptile.New(min(uint32(fx*float64(n)), n-1), min(uint32(fy*float64(n)), n-1), maptile.Zoom(z))
		proj := newProjection(tl)
		// A point of the tile away from its edges, and the two parts around it, in WGS84.
		c := orb.Point{512 + math.Mod(fx*1e6, 3072), 512 + math.Mod(fy*1e6, 3072)}
		part := func(o orb.Point, w, h float64) orb.Polygon {
			a, b := proj.unpoint(o), proj.unpoint(orb.Point{o[0] + w, o[1] + h})
			return orb.Polygon{{{a[0], b[1]}, {b[0], b[1]}, {b[0], a[1]}, {a[0], a[1]}, {a[0], b[1]}}}
		}
		site := orb.MultiPolygon{part(c, w1, h1), part(orb.Point{c[0] + dx, c[1] + dy}, w2, h2)}
		bbox := tileBound(tl, Buffer)
		projected := proj.toTileWithin(site, bbox).(orb.MultiPolygon)
		edge, small := false, true // small: every part under MinSize both ways, the generaliser's rule (site)
		for _, p := range projected {
			b := ringBound(p[0])
			edge = edge || math.Abs(width(b)-MinSize) < 1e-6 || math.Abs(height(b)-MinSize) < 1e-6
			small = small && width(b) < MinSize && height(b) < MinSize
		}
		if edge {
			return
		}
		cx, cy, tiny := store.PyramidSquareCell(site, z)
		if tiny != small {
			t.Fatalf("z%d %v: store.PyramidSquareCell says too small %v, the generaliser's rule %v", z, site, tiny, small)
		}
		if !tiny {
			return // drawn, or made a square of its own when it collapses on the grid: a row of the tile
		}
		g := &generaliser{tol: Tolerance, bound: orb.Bound{Min: orb.Point{-Buffer, -Buffer}, Max: orb.Point{Extent + Buffer, Extent + Buffer}}}
		if out, square := g.polygons(projected); !square || !orb.Equal(out, squareAt(proj.squareCentre(site, bbox))) {
			t.Fatalf("z%d %v: too small to draw, the generaliser draws %v (square %v), the cell's square would be %v", z, site, out, square, squareAt(proj.squareCentre(site, bbox)))
		}
		centre := proj.squareCentre(site, bbox)
		side := float64(Extent) / float64(store.ClusterCells(tl.Z))
		for _, v := range centre {
			if r := math.Round(v); math.Abs(math.Abs(v-r)-0.5) < 1e-6 || math.Abs(math.Mod(r, side)) < 1e-6 && math.Abs(v-r) > 0.5-1e-6 {
				return
			}
		}
		k := int64(store.ClusterCells(tl.Z))
		want := squareCell(squareAt(centre), side)
		if cx != int64(tl.X)*k+int64(want[0]) || cy != int64(tl.Y)*k+int64(want[1]) {
			t.Fatalf("z%d %v: cell %d,%d, the generaliser's square %v is in %d,%d", z, site, cx, cy, squareAt(centre), int64(tl.X)*k+int64(want[0]), int64(tl.Y)*k+int64(want[1]))
		}
	})
}
