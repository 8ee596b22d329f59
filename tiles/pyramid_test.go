package tiles

import (
	"context"
	"fmt"
	"testing"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/geo"
	"github.com/patrimap/patrimap/store"
)

// The store draws its pyramid on the tiles' grid.
func TestPyramidGridIsTheTiles(t *testing.T) {
	g := store.PyramidGrid()
	if g.Extent != Extent || g.Tolerance != Tolerance || g.MinSize != MinSize || store.PyramidMaxZoom >= MaxZoom {
		t.Errorf("pyramid grid %+v up to z%d; tiles: extent %d, tolerance %v, min size %d, max zoom %d", g, store.PyramidMaxZoom, Extent, Tolerance, MinSize, MaxZoom)
	}
}

// withoutPyramid is a store snapshot as one holding datasets imported before pyramids sees them.
type withoutPyramid struct{ store.Snapshot }

func (withoutPyramid) PyramidTileFeatures(context.Context, store.Dataset, int, orb.Bound, []string, func(*store.Feature) error) error {
	return fmt.Errorf("imported before: %w", store.ErrNoPyramid)
}

// Tiles z0–z10 of the national biotope orders drawn from the pyramid hold every site the full geometries give
// (none vanished: drawn, or counted in the square of its cell when too small to draw), every polygon valid
// for GEOS, in no more bytes, with far fewer GEOS repairs; a
// dataset without a pyramid (imported before) still renders, from its full geometries.
func TestPyramidTilesDrawTheSameSites(t *testing.T) {
	ctx := context.Background()
	sn, d := nationalAPB(t)
	r := geosRenderer()
	var topo geo.Topology
	layers := []Layer{NewLayer(d)}
	var pyrBytes, fullBytes, repaired, fullRepaired, sites, extra int
	for _, tl := range benchTiles(t, sn, d, 0, 10, 8) {
		pb, pst, err := r.Render(ctx, sn, layers, tl, MVT)
		if err != nil {
			t.Fatal(err)
		}
		fb, fst, err := r.Render(ctx, withoutPyramid{sn}, layers, tl, MVT)
		if err != nil {
			t.Fatal(err)
		}
		if len(pb) > MaxBytes(tl.Z) {
			t.Errorf("tile %v: %d bytes, over the cap", tl, len(pb))
		}
		ids := func(b []byte, check bool) map[uint64]bool {
			ls, err := DecodeMVT(b)
			if err != nil {
				t.Fatalf("tile %v: %v", tl, err)
			}
			out := map[uint64]bool{}
			for _, l := range ls {
				for _, f := range l.Features {
					out[f.ID] = true
					if ok, err := topo.Valid(f.Geometry); check && (err != nil || !ok) {
						t.Errorf("tile %v: site %d is not valid for GEOS (%v)", tl, f.ID, err)
					}
				}
			}
			return out
		}
		got, want := ids(pb, true), ids(fb, false)
		ls, err := DecodeMVT(pb)
		if err != nil {
			t.Fatal(err)
		}
		tiny, elsewhere := tinySites(t, sn, d, tl)
		cells := cellCounts(ls, tl)
		for id := range want {
			if c, ok := tiny[int64(id)]; !got[id] && !elsewhere[int64(id)] && (!ok || cells[c] == 0) {
				t.Errorf("tile %v: site %d, drawn from its full geometry, is neither drawn nor counted in a square from the pyramid", tl, id)
			}
		}
		for id := range got {
			if !want[id] {
				extra++
			}
		}
		sites += len(want)
		pyrBytes += len(pb)
		fullBytes += len(fb)
		repaired += pst.Repaired
		fullRepaired += fst.Repaired
	}
	t.Logf("tiles z0-z10: %d bytes from the pyramid, %d from the full geometries; GEOS repairs %d and %d; %d sites, %d more from the pyramid",
		pyrBytes, fullBytes, repaired, fullRepaired, sites, extra)
	// A site the full geometry leaves out may be drawn from the pyramid: a sliver in the tile's buffer, which
	// the full geometry cannot draw validly there and the pyramid's snap-rounding drew once.
	if extra*50 > sites {
		t.Errorf("%d sites drawn from the pyramid only, of %d: want under 2 %%", extra, sites)
	}
	// The pyramid's tiles group the sites too small to draw by cell, the full geometries' only over the cap.
	if fullBytes == 0 || float64(pyrBytes) > 1.25*float64(fullBytes) {
		t.Errorf("%d bytes from the pyramid, %d from the full geometries: want a quarter more at most", pyrBytes, fullBytes)
	}
	if repaired*4 > fullRepaired {
		t.Errorf("%d GEOS repairs from the pyramid, %d from the full geometries: want a quarter at most", repaired, fullRepaired)
	}
}
