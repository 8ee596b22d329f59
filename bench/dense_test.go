package bench

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/patrimap/patrimap/geo"
	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/inpn"
	"github.com/patrimap/patrimap/store"
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
	slices.Sort(took)
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

// BenchmarkDenseImport imports the dense layer's Shapefile (PATRIMAP_BENCH_DENSE_SHP, bench/dense.sh's
// znieff1.shp under KEEP) as `patrimap import inpn --layer znieff1` does, into a new SpatiaLite store, so that
// a CPU profile says where the import's time goes (bench/dense.sh compares its time with ogr2ogr's).
//
//	PATRIMAP_BENCH_DENSE_SHP=/tmp/dense/znieff1-0/znieff1.shp go test -run '^$' -bench DenseImport -benchtime 1x -cpuprofile cpu.out ./bench/
func BenchmarkDenseImport(b *testing.B) {
	shp := os.Getenv("PATRIMAP_BENCH_DENSE_SHP")
	if shp == "" {
		b.Skip("set PATRIMAP_BENCH_DENSE_SHP to the Shapefile bench/dense.sh writes (KEEP=DIR keeps it)")
	}
	ctx := context.Background()
	layer, _ := inpn.LayerByKey("znieff1")
	for b.Loop() {
		f, err := inpn.Inspect(ctx, shp, 0)
		if err != nil {
			b.Fatal(err)
		}
		src, closeSrc, err := f.Source(nil)
		if err != nil {
			b.Fatal(err)
		}
		st, err := spatialite.Open(ctx, filepath.Join(b.TempDir(), "dense.db"))
		if err != nil {
			b.Fatal(err)
		}
		_, err = importers.Run(ctx, st, importers.Job{
			Info:   store.DatasetInfo{ID: "znieff1", Title: layer.Title, Producer: layer.Producer, Theme: store.ThemeNatural},
			Fields: append(append([]store.Field(nil), inpn.NormalisedFields...), f.Fields...),
			Source: &inpn.Normaliser{Layer: layer, Part: layer.Parts()[0], Source: src},
			Report: &importers.Report{Source: filepath.Base(shp), Format: f.Format, SourceCRS: f.CRS},
		})
		closeSrc()
		f.Close()
		st.Close()
		if err != nil {
			b.Fatalf("import %s: %v", shp, err)
		}
	}
}
