package storetest

import (
	"errors"
	"testing"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/store"
)

// Tile reads give the features whose box meets the tile's, with the columns asked for in that order, without
// the features that have no geometry; the pyramid read gives the zoom asked for of the pyramids the import
// made, the full geometry of rows without one, and the pyramids themselves.
func testTileReads(t *testing.T, fx *fixture) {
	rows := rnnRows(t)
	simplified := map[int64]orb.Geometry{}
	for i := range rows {
		if i%2 == 0 {
			// Stand-ins for the zooms' shapes, easy to tell from the full one and from each other: the box,
			// widened by a thousandth of a degree a zoom.
			b := rows[i].Geometry.Bound()
			for z := 0; z <= store.PyramidMaxZoom; z++ {
				w := orb.Bound{Min: b.Min, Max: orb.Point{b.Max[0] + float64(z)/1000, b.Max[1]}}
				rows[i].Pyramid = append(rows[i].Pyramid, w.ToPolygon())
			}
			simplified[int64(i+1)] = rows[i].Pyramid[4]
		}
	}
	rows = append(rows, store.Row{Properties: []store.Property{{Key: "ID_MNHN", Value: "no geometry"}}})
	d := fx.importRows("rnn", store.ImportOptions{}, rows)
	sn := fx.snapshot()

	var got []string
	err := sn.TileFeatures(fx.ctx, d, *d.BBox, []string{"NOM_SITE", "ID_MNHN", "DATE_CREA"}, func(f *store.Feature) error {
		if f.Geometry == nil {
			t.Errorf("fid %d without geometry in a tile", f.FID)
		}
		got = append(got, sprint(f.Values))
		return nil
	})
	if err != nil || len(got) != 15 || got[0] != "[Haut-Vénéon FR3600013 1974-05-15]" {
		t.Errorf("tile read: %d features, first %v (%v)", len(got), got, err)
	}
	// Around the Haut-Vénéon reserve: its box and no other's.
	var in []int64
	b := orb.Bound{Min: orb.Point{6.2, 44.9}, Max: orb.Point{6.35, 45.0}}
	sn.TileFeatures(fx.ctx, d, b, nil, func(f *store.Feature) error { in = append(in, f.FID); return nil })
	if sprint(in) != "[1]" {
		t.Errorf("tile around the Haut-Vénéon: fids %v", in)
	}
	err = sn.TileFeatures(fx.ctx, d, *d.BBox, []string{"nope"}, func(*store.Feature) error { return nil })
	if !errors.Is(err, store.ErrBadQuery) {
		t.Errorf("unknown column: %v", err)
	}

	low, full := 0, 0
	err = sn.PyramidTileFeatures(fx.ctx, d, 4, *d.BBox, []string{"ID_MNHN"}, func(f *store.Feature) error {
		if s, ok := simplified[f.FID]; ok {
			if p, isPoly := f.Geometry.(orb.Polygon); isPoly && orb.Equal(p, s) {
				low++
			}
		} else if _, ok := f.Geometry.(orb.MultiPolygon); ok {
			full++
		}
		if f.Values[0] == nil {
			t.Errorf("fid %d: no ID_MNHN", f.FID)
		}
		return nil
	})
	if err != nil || low != 8 || full != 7 {
		t.Errorf("pyramid read at z4: %d of its zoom, %d whole (%v); want 8 and 7", low, full, err)
	}
	var fids []int64
	err = sn.Pyramids(fx.ctx, d, func(fid int64, zooms []orb.Geometry) error {
		fids = append(fids, fid)
		if len(zooms) != store.PyramidMaxZoom+1 || !orb.Equal(zooms[4], simplified[fid]) {
			t.Errorf("fid %d: pyramid of %d zooms, z4 %v", fid, len(zooms), zooms[min(4, len(zooms)-1)])
		}
		return nil
	})
	if err != nil || sprint(fids) != "[1 3 5 7 9 11 13 15]" {
		t.Errorf("pyramids of fids %v (%v), want the 8 given in fid order", fids, err)
	}
	stop := errors.New("enough")
	n := 0
	err = sn.TileFeatures(fx.ctx, d, *d.BBox, nil, func(*store.Feature) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("an error of the callback: %v after %d features, want it back after 1", err, n)
	}
}

// The thinned read keeps one point, the lowest fid, per grid cell.
func testThinTileReads(t *testing.T, fx *fixture) {
	var rows []store.Row
	for i := 0; i < 40; i++ {
		for j := 0; j < 40; j++ {
			rows = append(rows, store.Row{Geometry: orb.Point{5 + float64(i)*0.01 + 0.001, 45 + float64(j)*0.01 + 0.001},
				Properties: []store.Property{{Key: "n", Value: int64(i*40 + j)}}})
		}
	}
	d := fx.importRows("grid", store.ImportOptions{}, rows)
	sn := fx.snapshot()
	var firsts []any
	n := 0
	err := sn.ThinTileFeatures(fx.ctx, d, orb.Bound{Min: orb.Point{5, 45}, Max: orb.Point{5.4, 45.4}}, 0.1, 0.1, []string{"n"}, func(f *store.Feature) error {
		n++
		firsts = append(firsts, f.Values[0])
		return nil
	})
	// 40 × 40 points on a 0.01° grid, cells of 0.1°: 4 × 4 cells of 100 points each.
	if err != nil || n != 16 || sprint(firsts[:3]) != "[0 10 20]" {
		t.Errorf("%d points (%v), first %v; want 16, the first of each cell", n, err, firsts)
	}
	n = 0
	sn.ThinTileFeatures(fx.ctx, d, orb.Bound{Min: orb.Point{5.2, 45.2}, Max: orb.Point{5.3, 45.3}}, 0.05, 0.05, nil, func(*store.Feature) error { n++; return nil })
	if n != 4 {
		t.Errorf("a quarter of the grid in cells of 0.05°: %d points, want 4", n)
	}
}
