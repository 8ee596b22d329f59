package server

import (
	"testing"

	"github.com/paulmach/orb/maptile"

	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/storetest"
)

// pointsPerTile counts the positioned features of dataset id in each tile of zoom z, by the position the store
// gives them (their box's lower-left corner).
func pointsPerTile(t *testing.T, st storetest.Reader, id string, z maptile.Zoom) (map[maptile.Tile]int64, int64) {
	t.Helper()
	_, fs := storetest.ReadAll(t, st, id, store.Query{Select: []string{}})
	out := map[maptile.Tile]int64{}
	var total int64
	for _, f := range fs {
		if f.Geometry != nil {
			out[maptile.At(f.Geometry.Bound().Min, z)]++
			total++
		}
	}
	return out, total
}

// clusterSums fetches every tile of zoom z that holds points and sums their point_count (1 for a lone point).
func clusterSums(t *testing.T, fx *fixture, id string, tiles map[maptile.Tile]int64) (map[maptile.Tile]int64, int) {
	t.Helper()
	got := map[maptile.Tile]int64{}
	clusters := 0
	for tile := range tiles {
		res, body := fx.get(t, tilePath(id, tile, "mvt"))
		if res.StatusCode != 200 {
			t.Fatalf("tile %v: %d", tile, res.StatusCode)
		}
		for _, f := range decodeTile(t, body)[id].Features {
			var n int64
			switch v := f.Properties["point_count"].(type) {
			case int64:
				n = v
			case uint64:
				n = int64(v)
			case float64:
				n = int64(v)
			}
			if n == 0 {
				n = 1
				if len(f.Properties) == 0 {
					t.Errorf("tile %v: a lone point without its attributes: %v", tile, f.Properties)
				}
			} else {
				clusters++
			}
			got[tile] += n
		}
	}
	return got, clusters
}

// Up to store.ClusterMaxZoom a point layer's tiles are clusters: the sum of point_count over a tile is the
// number of the dataset's points in it, at every zoom, so the sums over a zoom's tiles are the dataset's size;
// a re-import replaces them. Data: the 329 Mérimée monuments of Isère, many placed at their commune's centre.
func TestPointClustersCountEveryPoint(t *testing.T) {
	fx := dossierFixture(t)
	sawClusters := false
	for z := maptile.Zoom(0); z <= store.ClusterMaxZoom; z++ {
		want, total := pointsPerTile(t, fx.st, "merimee-isere", z)
		got, clusters := clusterSums(t, fx, "merimee-isere", want)
		var sum int64
		for tile, n := range want {
			if got[tile] != n {
				t.Errorf("z%d tile %d/%d: point_count sums to %d, the dataset has %d points there", z, tile.X, tile.Y, got[tile], n)
			}
			sum += got[tile]
		}
		if sum != total {
			t.Errorf("z%d: %d points over the tiles, the dataset has %d", z, sum, total)
		}
		sawClusters = sawClusters || clusters > 0
		if z == 0 && (total < 300 || clusters == 0) {
			t.Errorf("z0: %d points in %d clusters", total, clusters)
		}
	}
	if !sawClusters {
		t.Error("no cluster at any zoom")
	}
	// The tiles past ClusterMaxZoom are not clusters: every feature has its attributes.
	past, _ := pointsPerTile(t, fx.st, "merimee-isere", store.ClusterMaxZoom+1)
	if _, clusters := clusterSums(t, fx, "merimee-isere", past); clusters != 0 {
		t.Errorf("z%d: %d clusters", store.ClusterMaxZoom+1, clusters)
	}

	// A re-import (the 6 notices of testdata/culture/merimee-isere-derived.geojson, 5 placed) replaces them.
	if err := fx.importFile(t, "merimee-isere", "../testdata/culture/merimee-isere-derived.geojson"); err != nil {
		t.Fatal(err)
	}
	world := maptile.New(0, 0, 0)
	want, total := pointsPerTile(t, fx.st, "merimee-isere", 0)
	got, _ := clusterSums(t, fx, "merimee-isere", map[maptile.Tile]int64{world: 0})
	if total != 5 || got[world] != want[world] {
		t.Errorf("after the re-import: z0 sums to %d, the dataset has %d points", got[world], want[world])
	}
}
