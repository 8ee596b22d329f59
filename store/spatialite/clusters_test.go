package spatialite

import (
	"context"
	"errors"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/patrimap/patrimap/store"
)

// A cluster tile counts every point of the tile once, lone points with their values; a tile without points is
// empty; and a layer imported when clusters stopped at a coarser zoom (no cells at the deeper ones) says
// ErrNoClusters there, so that its points are read from their rows rather than drawn as an empty map.
func TestClusterTilesAtTheDeepestZoom(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	d, n := importPoints(t, s, "vertices") // the vertices of Isère's reserves
	top := maptile.Zoom(store.ClusterMaxZoom)
	read := func(tl maptile.Tile) (points, cells int64, err error) {
		sn, err := s.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer sn.Close()
		err = sn.(store.PointClusterer).ClusterTileFeatures(ctx, d, tl, []string{"site"}, func(f *store.Feature, k int64) error {
			points += k
			cells++
			if k == 1 && (f.Values[0] == nil || f.Geometry == nil) || k > 1 && f.Values[0] != nil {
				t.Errorf("tile %v: cell of %d, fid %d: %v %v", tl, k, f.FID, f.Values, f.Geometry)
			}
			return nil
		})
		return points, cells, err
	}
	// Every tile of the deepest zoom over the layer's box.
	b := d.BBox
	lo, hi := maptile.At(orb.Point{b.Min[0], b.Max[1]}, top), maptile.At(orb.Point{b.Max[0], b.Min[1]}, top)
	var total int64
	for x := lo.X; x <= hi.X; x++ {
		for y := lo.Y; y <= hi.Y; y++ {
			p, _, err := read(maptile.New(x, y, top))
			if err != nil {
				t.Fatal(err)
			}
			total += p
		}
	}
	if total != int64(n) {
		t.Errorf("z%d: %d points counted over the tiles, the layer has %d", top, total, n)
	}
	if p, c, err := read(maptile.At(orb.Point{-30, -40}, top)); err != nil || p != 0 || c != 0 {
		t.Errorf("a tile at sea: %d points in %d cells, %v", p, c, err)
	}
	// As imported when clusters stopped at z8.
	if _, err := s.db.ExecContext(ctx, `DELETE FROM `+quoteIdent(clusterTable(d.Table))+` WHERE z > 8`); err != nil {
		t.Fatal(err)
	}
	if _, _, err := read(lo); !errors.Is(err, store.ErrNoClusters) {
		t.Errorf("z%d without cells: %v, want ErrNoClusters", top, err)
	}
	if p, _, err := read(maptile.At(orb.Point{b.Min[0], b.Min[1]}, 8)); err != nil || p == 0 {
		t.Errorf("z8 still clustered: %d points, %v", p, err)
	}
}
