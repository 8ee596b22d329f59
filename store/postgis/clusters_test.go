package postgis_test

import (
	"context"
	"errors"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/teststores"
)

// Every point of a point layer is counted in exactly one cluster of each zoom up to store.ClusterMaxZoom; a
// cluster of one point is that feature with its values, one of several has none.
func TestPointClusters(t *testing.T) {
	ctx := context.Background()
	st := teststores.PostGIS.Open(t)
	importPoints(t, st, "sites", 60) // 60 points 0.01° apart along the parallel 45°N, from 5°E
	sn, err := st.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()
	d, err := sn.Dataset(ctx, "sites")
	if err != nil {
		t.Fatal(err)
	}
	pc, ok := sn.(store.PointClusterer)
	if !ok {
		t.Fatal("the PostGIS snapshot is not a store.PointClusterer")
	}
	for z := maptile.Zoom(0); z <= store.ClusterMaxZoom; z++ {
		var total, clusters, singles int64
		for _, tile := range tilesOf(orb.Bound{Min: orb.Point{5, 45}, Max: orb.Point{5.6, 45}}, z) {
			err := pc.ClusterTileFeatures(ctx, d, tile, []string{"name"}, func(f *store.Feature, n int64) error {
				total += n
				clusters++
				if n == 1 && (f.Values[0] != "site" || f.Geometry == nil) || n > 1 && f.Values[0] != nil {
					t.Errorf("z%d: cluster of %d, fid %d: %v %v", z, n, f.FID, f.Values, f.Geometry)
				}
				if n == 1 {
					singles++
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if total != 60 {
			t.Errorf("z%d: %d points counted in %d clusters, the layer has 60", z, total, clusters)
		}
		if z == store.ClusterMaxZoom && singles == 0 || z == 0 && clusters != 1 {
			t.Errorf("z%d: %d clusters, %d of one point", z, clusters, singles)
		}
	}
	if err := pc.ClusterTileFeatures(ctx, d, maptile.New(0, 0, store.ClusterMaxZoom+1), nil, func(*store.Feature, int64) error { return nil }); !errors.Is(err, store.ErrNoClusters) {
		t.Errorf("past ClusterMaxZoom: %v", err)
	}
}

// tilesOf lists the tiles of zoom z that cover b.
func tilesOf(b orb.Bound, z maptile.Zoom) []maptile.Tile {
	lo, hi := maptile.At(orb.Point{b.Min[0], b.Max[1]}, z), maptile.At(orb.Point{b.Max[0], b.Min[1]}, z)
	var out []maptile.Tile
	for x := lo.X; x <= hi.X; x++ {
		for y := lo.Y; y <= hi.Y; y++ {
			out = append(out, maptile.New(x, y, z))
		}
	}
	return out
}
