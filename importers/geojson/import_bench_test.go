package geojson

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/patrimap/patrimap/bench/randompoints"
	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/spatialite"
)

// BenchmarkImportPoints imports 100,000 random points shaped like bench/points.py's (an id, a name, a kind)
// into a new SpatiaLite store, for profiling the whole import (bench/import.sh compares it with ogr2ogr):
//
//	go test -run '^$' -bench ImportPoints -benchtime 1x -cpuprofile cpu.out ./importers/geojson/ && go tool pprof -top geojson.test cpu.out
func BenchmarkImportPoints(b *testing.B) {
	const points = 100_000
	path := filepath.Join(b.TempDir(), "points.geojson")
	writePoints(b, path, points)
	ctx := context.Background()
	for i := range b.N {
		st, err := spatialite.Open(ctx, filepath.Join(b.TempDir(), fmt.Sprintf("p%d.db", i)))
		if err != nil {
			b.Fatal(err)
		}
		f, err := Open(path, 0, nil)
		if err != nil {
			b.Fatal(err)
		}
		d, err := importers.Run(ctx, st, importers.Job{Info: store.DatasetInfo{ID: "points", Title: "Points", Producer: "bench"},
			Source: f, Report: &importers.Report{Source: "points.geojson", Format: "GeoJSON"}})
		f.Close()
		st.Close()
		if err != nil {
			b.Fatal(err)
		}
		if d.FeatureCount != points {
			b.Fatalf("%d features stored, want %d", d.FeatureCount, points)
		}
	}
	b.ReportMetric(float64(points)*float64(b.N)/b.Elapsed().Seconds(), "points/s")
}

// writePoints writes n random points over mainland France as one FeatureCollection, as bench/points.py does.
func writePoints(b *testing.B, path string, n int) {
	out, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := errors.Join(randompoints.Write(out, n, 2), out.Close()); err != nil {
		b.Fatal(err)
	}
}
