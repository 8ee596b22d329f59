package osm

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/osm/osmpbf"

	"github.com/patrimap/patrimap/importers"
)

// benchPBFSize is the least size of the PBF the benchmark reads: the issue asks for 50 MB.
const benchPBFSize = 50 << 20

// benchPBF returns a PBF of at least benchPBFSize made of copies of the Andorra extract, written once in
// $PATRIMAP_BENCH_CACHE (or the user cache directory) and reused, and the number of elements it holds.
func benchPBF(b *testing.B) (string, int64) {
	b.Helper()
	dir := os.Getenv("PATRIMAP_BENCH_CACHE")
	if dir == "" {
		if c, err := os.UserCacheDir(); err == nil {
			dir = filepath.Join(c, "patrimap-bench")
		} else {
			dir = b.TempDir()
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	one := andorraPBF(b, dir, 1)
	st, err := os.Stat(one)
	if err != nil {
		b.Fatal(err)
	}
	copies := int(benchPBFSize/st.Size()) + 1
	path := andorraPBF(b, dir, copies)
	return path, countPBF(b, path)
}

var pbfCounts sync.Map

func countPBF(b *testing.B, path string) int64 {
	if n, ok := pbfCounts.Load(path); ok {
		return n.(int64)
	}
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := osmpbf.New(context.Background(), f, runtime.GOMAXPROCS(0))
	defer sc.Close()
	var n int64
	for sc.Scan() {
		n++
	}
	if err := sc.Err(); err != nil {
		b.Fatal(err)
	}
	pbfCounts.Store(path, n)
	return n
}

// peakHeap samples the live heap every few milliseconds until stop is called, and returns the largest value.
func peakHeap() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak {
				peak = v
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-finished
		return peak
	}
}

// BenchmarkReadPBF imports a theme from a PBF of 50 MB or more (records read, as the pipeline would receive
// them): elements of the file per second, and the peak live heap.
func BenchmarkReadPBF(b *testing.B) {
	path, elements := benchPBF(b)
	st, _ := os.Stat(path)
	for _, theme := range []string{"playground", "protected_area"} {
		b.Run(theme, func(b *testing.B) {
			th := mustTheme(b, theme)
			runtime.GC()
			stop := peakHeap()
			var features int
			b.ResetTimer()
			for range b.N {
				f, err := Open(path, Options{Theme: th})
				if err != nil {
					b.Fatal(err)
				}
				features = 0
				err = f.Records(context.Background(), &importers.Report{}, func(importers.Record) error {
					features++
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			peak := stop()
			secs := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(float64(elements)/secs, "elements/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(st.Size())/(1<<20), "file-MB")
			b.ReportMetric(float64(features), "features")
		})
	}
}

// BenchmarkOgr2ogrPBF runs GDAL's OSM driver on the same file and theme (playground), for reference: ogr2ogr
// writes the points and multipolygons layers with the theme's WHERE to GeoJSON in /dev/null.
func BenchmarkOgr2ogrPBF(b *testing.B) {
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		b.Fatal("ogr2ogr not found: install gdal-bin (make test-deps does)")
	}
	path, elements := benchPBF(b)
	dir := b.TempDir()
	b.ResetTimer()
	for range b.N {
		for _, layer := range []string{"points", "multipolygons"} {
			out := filepath.Join(dir, layer+".geojson")
			cmd := exec.Command("ogr2ogr", "-f", "GeoJSON", out, path, layer, "-where", `other_tags LIKE '%"leisure"=>"playground"%' OR leisure = 'playground'`)
			if layer == "points" {
				cmd = exec.Command("ogr2ogr", "-f", "GeoJSON", out, path, layer, "-where", `other_tags LIKE '%"leisure"=>"playground"%'`)
			}
			if msg, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("ogr2ogr: %v\n%s", err, msg)
			}
			os.Remove(out)
		}
	}
	b.StopTimer()
	secs := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(elements)/secs, "elements/s")
}
