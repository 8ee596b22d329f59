package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/patrimap/patrimap/store"
)

// Square cells (store.SquareCeller): a tile of a polygon layer gives, in fid order, the sites drawable at its
// zoom and, for each cell of its grid, the lowest fid of the sites too small to draw there with their number,
// with the zoom's geometry of the pyramid and the columns asked for: what the tiles would make of the
// pyramid's rows themselves. A store that keeps no cells says so (ErrNoSquareCells, or no SquareCeller).
func testSquareCells(t *testing.T, fx *fixture) {
	rows := rnnRows(t)
	for i := range rows {
		// Boxes of a thousandth of a degree (under a unit of the tiles up to z5) at the site's south-west
		// corner, except from zoom (i % 4) + 3 on, where the box is a degree wide; the second site is also too
		// small again at z5, after being drawable at z4.
		b := rows[i].Geometry.Bound()
		for z := 0; z <= store.PyramidMaxZoom; z++ {
			w := 0.001
			if z >= i%4+3 && !(i == 1 && z == 5) {
				w = 1
			}
			rows[i].Pyramid = append(rows[i].Pyramid, orb.Bound{Min: b.Min, Max: orb.Point{b.Min[0] + w, b.Min[1] + w}}.ToPolygon())
		}
	}
	d := fx.importRows("rnn", store.ImportOptions{}, rows)
	sn := fx.snapshot()
	sc, ok := sn.(store.SquareCeller)
	if !ok {
		t.Logf("%T keeps no square cells: the tiles group its pyramid's rows", sn)
		return
	}
	pyramids := map[int64][]orb.Geometry{}
	if err := sn.Pyramids(fx.ctx, d, func(fid int64, zooms []orb.Geometry) error { pyramids[fid] = zooms; return nil }); err != nil {
		t.Fatal(err)
	}
	for _, z := range []maptile.Zoom{2, 4, 5} {
		tl := maptile.At(orb.Point{5.9, 45.1}, z)
		// Every site of the layer is inside the tile (Isère, a tile of 11° at z5).
		var want []string
		x0, y0, x1, y1 := store.SquareCellsOf(tl)
		first, n := map[[2]int64]int64{}, map[int64]int64{}
		var fids []int64
		for fid := range pyramids {
			fids = append(fids, fid)
		}
		slices.Sort(fids)
		for _, fid := range fids {
			cx, cy, tiny := store.PyramidSquareCell(pyramids[fid][z], int(z))
			switch {
			case !tiny:
				n[fid] = 0
			case cx < x0 || cx > x1 || cy < y0 || cy > y1:
				t.Fatalf("z%d: site %d in cell %d,%d, outside the tile's", z, fid, cx, cy)
			case first[[2]int64{cx, cy}] == 0:
				first[[2]int64{cx, cy}], n[fid] = fid, 1
			default:
				n[first[[2]int64{cx, cy}]]++
			}
		}
		grouped, drawn := false, 0
		for _, fid := range fids {
			if c, ok := n[fid]; ok {
				want = append(want, fmt.Sprintf("%d×%d", fid, c))
				grouped, drawn = grouped || c > 1, drawn+btoi(c == 0)
			}
		}
		if (z == 2 && !grouped) || (z >= 4) != (drawn > 0) {
			t.Fatalf("z%d: %v: the layer no longer tests cells of several sites and drawable ones", z, want)
		}
		var got []string
		err := sc.SquareTileFeatures(fx.ctx, d, tl, tl.Bound(), []string{"ID_MNHN"}, func(f *store.Feature, count int64) error {
			got = append(got, fmt.Sprintf("%d×%d", f.FID, count))
			if !orb.Equal(f.Geometry, pyramids[f.FID][z]) {
				t.Errorf("z%d: site %d: geometry %v, its pyramid's %v", z, f.FID, f.Geometry, pyramids[f.FID][z])
			}
			if f.Values[0] == nil {
				t.Errorf("z%d: site %d: no ID_MNHN", z, f.FID)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("z%d: %v", z, err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("z%d: sites (fid×count) %v, want %v", z, got, want)
		}
	}
	// Points have none.
	pts := fx.importRows("points", store.ImportOptions{}, []store.Row{{Geometry: orb.Point{5.9, 45.1}}})
	tl := maptile.At(orb.Point{5.9, 45.1}, 3)
	if err := fx.snapshot().(store.SquareCeller).SquareTileFeatures(fx.ctx, pts, tl, tl.Bound(), nil, func(*store.Feature, int64) error { return nil }); !errors.Is(err, store.ErrNoSquareCells) {
		t.Errorf("a point layer's square cells: %v, want ErrNoSquareCells", err)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
