package sqlitefile

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/geojson"
	"github.com/patrimap/patrimap/store"
)

const benchPoints = 100_000

// writePoints writes n points over metropolitan France as GeoJSON, with a text, an integer, a real and a date
// property, the same on every run.
func writePoints(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	r := rand.New(rand.NewPCG(20240612, 15))
	fmt.Fprint(w, `{"type":"FeatureCollection","features":[`)
	for i := range n {
		if i > 0 {
			w.WriteString(",\n")
		}
		fmt.Fprintf(w, `{"type":"Feature","properties":{"name":"site %d","n":%d,"x":%.6f,"day":"2020-%02d-%02d"},"geometry":{"type":"Point","coordinates":[%.7f,%.7f]}}`,
			i, r.IntN(100000), r.Float64()*1000, 1+r.IntN(12), 1+r.IntN(28), -4.8+r.Float64()*13, 42.3+r.Float64()*8.8)
	}
	fmt.Fprint(w, "]}\n")
	return errors.Join(w.Flush(), f.Close())
}

// BenchmarkWrite100kPoints writes 100,000 points from a store snapshot into a GeoPackage and a SpatiaLite
// file, and runs ogr2ogr on the same points (from GeoJSON) into the same format in the same loop. It reports
// ogr2ogr's time per file and the ratio patrimap/ogr2ogr (below 1: patrimap is faster). Both read their
// input and write the file with its spatial index; ogr2ogr's time includes its process start (~50 ms).
func BenchmarkWrite100kPoints(b *testing.B) {
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		b.Fatal("ogr2ogr not found: install gdal-bin (make test-deps does)")
	}
	dir := b.TempDir()
	src := filepath.Join(dir, "points.geojson")
	if err := writePoints(src, benchPoints); err != nil {
		b.Fatal(err)
	}
	st := openStore(b)
	f, err := geojson.Open(src, 0, nil)
	if err != nil {
		b.Fatal(err)
	}
	d, err := importers.Run(context.Background(), st, importers.Job{Info: store.DatasetInfo{ID: "points", Title: "points", Producer: "bench"},
		Source: f, Report: &importers.Report{Source: "points.geojson", Format: "GeoJSON"}})
	f.Close()
	if err != nil || d.FeatureCount != benchPoints {
		b.Fatalf("import: %d features, %v", d.FeatureCount, err)
	}
	for _, tc := range []struct {
		name  string
		write func(context.Context, string, store.Dataset, Stream) error
		ogr   []string
	}{
		{"GeoPackage", WriteGeoPackage, []string{"-f", "GPKG", "-nln", "points"}},
		{"SpatiaLite", WriteSpatiaLite, []string{"-f", "SQLite", "-dsco", "SPATIALITE=YES", "-nln", "points"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var ours, ref time.Duration
			for i := 0; i < b.N; i++ {
				path := filepath.Join(dir, fmt.Sprintf("ours-%d", i))
				start := time.Now()
				if err := tc.write(context.Background(), path, d, features(st, d)); err != nil {
					b.Fatal(err)
				}
				ours += time.Since(start)

				b.StopTimer()
				gdalPath := filepath.Join(dir, fmt.Sprintf("ogr2ogr-%d", i))
				start = time.Now()
				if out, err := exec.Command("ogr2ogr", append(tc.ogr, gdalPath, src)...).CombinedOutput(); err != nil {
					b.Fatalf("ogr2ogr: %v\n%s", err, out)
				}
				ref += time.Since(start)
				os.Remove(path)
				os.Remove(gdalPath)
				b.StartTimer()
			}
			b.ReportMetric(float64(ref.Milliseconds())/float64(b.N), "ogr2ogr-ms/op")
			b.ReportMetric(float64(ours)/float64(ref), "x-ogr2ogr")
			b.Logf("%s, %d points: patrimap %v, ogr2ogr %v per file (ratio %.2f)", tc.name, benchPoints,
				(ours / time.Duration(b.N)).Round(time.Millisecond), (ref / time.Duration(b.N)).Round(time.Millisecond), float64(ours)/float64(ref))
		})
	}
}
