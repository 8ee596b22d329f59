package spatialite

import (
	"context"
	"math/bits"
	"testing"

	"github.com/paulmach/orb/maptile"

	"github.com/patrimap/patrimap/store"
)

// The curve that orders the spatial index is a Hilbert curve: on a grid of 16 × 16 of its cells (its top four
// levels), it passes through every cell once, each step to a neighbour.
func TestHilbertKeyWalksNeighbours(t *testing.T) {
	const side = 16
	shift := orderBits - 4
	cells := make([][2]int64, side*side)
	seen := make([]bool, side*side)
	for x := int64(0); x < side; x++ {
		for y := int64(0); y < side; y++ {
			d := hilbertKey(x<<shift, y<<shift) >> (2 * shift)
			if d < 0 || d >= side*side || seen[d] {
				t.Fatalf("cell (%d, %d): key %d taken or out of range", x, y, d)
			}
			seen[d], cells[d] = true, [2]int64{x, y}
		}
	}
	for d := 1; d < len(cells); d++ {
		dx, dy := cells[d][0]-cells[d-1][0], cells[d][1]-cells[d-1][1]
		if dx*dx+dy*dy != 1 {
			t.Errorf("step %d: from %v to %v", d, cells[d-1], cells[d])
		}
	}
}

// The clusters of the deepest zoom, grouped by the cell computed in Go when each row was added, are the ones
// SpatiaLite's own functions give (the formula of Web Mercator tiles over the stored geometries), and each
// coarser zoom counts every point.
func TestClusterCellsAsSpatiaLiteComputesThem(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	d, n := importPoints(t, s, "vertices")
	top := maptile.Zoom(store.ClusterMaxZoom)
	if got := 1 << clusterCellBits(); int64(got) != worldCells(top) || bits.OnesCount64(uint64(worldCells(top))) != 1 {
		t.Fatalf("clusterCellBits gives %d cells, zoom %d has %d", got, top, worldCells(top))
	}
	var missing, extra, total int64
	ct := quoteIdent(clusterTable(d.Table))
	reference := `SELECT cx, cy, count(*) AS n, min(fid) AS fid FROM (
		SELECT fid, min(max(CAST(Floor((lon + 180) / 360 * ?1) AS INTEGER), 0), ?1 - 1) AS cx,
			min(max(CAST(Floor((0.5 - Log(Tan(Pi() / 4 + Radians(max(min(lat, 85.0511287798066), -85.0511287798066)) / 2)) / (2 * Pi())) * ?1) AS INTEGER), 0), ?1 - 1) AS cy
		FROM (SELECT fid, MbrMinX(geom) AS lon, MbrMinY(geom) AS lat FROM ` + quoteIdent(d.Table) + `)) GROUP BY cx, cy`
	if err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM (`+reference+` EXCEPT SELECT cx, cy, n, fid FROM `+ct+` WHERE z = ?2)),
		(SELECT count(*) FROM (SELECT cx, cy, n, fid FROM `+ct+` WHERE z = ?2 EXCEPT `+reference+`)),
		(SELECT count(*) FROM (`+reference+`))`, worldCells(top), int(top)).Scan(&missing, &extra, &total); err != nil {
		t.Fatal(err)
	}
	if missing != 0 || extra != 0 || total < 100 {
		t.Errorf("zoom %d: %d cells of SpatiaLite's missing, %d unexpected, of %d", top, missing, extra, total)
	}
	for z := 0; z <= int(top); z++ {
		var points int64
		if err := s.db.QueryRowContext(ctx, `SELECT sum(n) FROM `+ct+` WHERE z = ?`, z).Scan(&points); err != nil || points != int64(n) {
			t.Errorf("zoom %d: %d points counted, the layer has %d (%v)", z, points, n, err)
		}
	}
}
