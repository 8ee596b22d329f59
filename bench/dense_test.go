package bench

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/patrimap/patrimap/geo"
	"github.com/patrimap/patrimap/store/spatialite"
	"github.com/patrimap/patrimap/tiles"
)

// BenchmarkDenseTiles renders, in process and without a cache, the tiles of the dense polygon layer that
// bench/dense.sh imported (dataset znieff1 of the store PATRIMAP_BENCH_DENSE_DB, tiles "z x y" a line in
// PATRIMAP_BENCH_DENSE_TILES) with the server's renderer (GEOS checks and repairs), so that a CPU profile
// says where an uncached tile's time goes. It reports the mean and p95 per tile, and the features, repairs
// and retries per tile. bench/dense.sh runs it with PROFILE=LO-HI.
func BenchmarkDenseTiles(b *testing.B) {
	db, list := os.Getenv("PATRIMAP_BENCH_DENSE_DB"), os.Getenv("PATRIMAP_BENCH_DENSE_TILES")
	if db == "" || list == "" {
		b.Skip("set PATRIMAP_BENCH_DENSE_DB and PATRIMAP_BENCH_DENSE_TILES (PROFILE=4-7 bench/dense.sh does)")
	}
	ts, err := readTileList(list)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	st, err := spatialite.Open(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	sn, err := st.Snapshot(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer sn.Close()
	d, err := sn.Dataset(ctx, "znieff1")
	if err != nil {
		b.Fatalf("%s: %v", db, err)
	}
	var topo geo.Topology
	r := &tiles.Renderer{ // as server/tiles.go makes it
		Repair: func(_ context.Context, g orb.Geometry) (orb.Geometry, error) { return topo.BufferZero(g) },
		Valid:  func(_ context.Context, g orb.Geometry) (bool, error) { return topo.Valid(g) },
	}
	layers := []tiles.Layer{tiles.NewLayer(d)}
	var took []time.Duration
	var sum tiles.Stats
	for b.Loop() {
		for _, t := range ts {
			start := time.Now()
			_, s, err := r.Render(ctx, sn, layers, t, tiles.MVT)
			if err != nil {
				b.Fatalf("tile %v: %v", t, err)
			}
			took = append(took, time.Since(start))
			sum.Features, sum.Repaired, sum.Retried = sum.Features+s.Features, sum.Repaired+s.Repaired, sum.Retried+s.Retried
		}
	}
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	var total time.Duration
	for _, d := range took {
		total += d
	}
	n := float64(len(took))
	mean := float64(total.Microseconds()) / 1000 / n
	p95 := float64(took[min(len(took)-1, int(0.95*n))].Microseconds()) / 1000
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(mean, "ms/tile")
	b.ReportMetric(p95, "p95-ms/tile")
	b.ReportMetric(float64(sum.Features)/n, "features/tile")
	b.ReportMetric(float64(sum.Repaired)/n, "repaired/tile")
	b.ReportMetric(float64(sum.Retried)/n, "retried/tile")
}

// readTileList reads "z x y" lines (bench/tilebench tiles' output).
func readTileList(path string) ([]maptile.Tile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []maptile.Tile
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		var z, x, y uint32
		if _, err := fmt.Sscan(sc.Text(), &z, &x, &y); err != nil {
			return nil, fmt.Errorf("%s: line %d: want \"z x y\": %w", path, n, err)
		}
		out = append(out, maptile.New(x, y, maptile.Zoom(z)))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no tile", path)
	}
	return out, sc.Err()
}
