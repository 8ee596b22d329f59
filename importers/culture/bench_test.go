package culture

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/territory"
	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/spatialite"
)

// BenchmarkImportMerimee50k imports a national-size Mérimée file: the 329 real Isère rows replicated to 50,000
// (references made unique), into a SpatiaLite store. It reports rows per second and the peak Go heap.
func BenchmarkImportMerimee50k(b *testing.B) {
	const rows = 50000
	dir := b.TempDir()
	path := filepath.Join(dir, "merimee-50k.csv")
	writeMerimee(b, path, rows)
	ref, err := territory.LoadReference()
	if err != nil {
		b.Fatal(err)
	}
	list, _ := ListByKey("merimee")
	ctx := context.Background()
	st, err := spatialite.Open(ctx, filepath.Join(dir, "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	runtime.GC() // the generated file's buffers are garbage now: the peak measured is the import's

	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	b.ResetTimer()
	var written int64
	for i := 0; i < b.N; i++ {
		f, err := Open(path, list)
		if err != nil {
			b.Fatal(err)
		}
		rep := &importers.Report{Source: "merimee-50k.csv", Format: f.Format()}
		info := store.DatasetInfo{ID: "merimee-bench", Title: "bench", Theme: store.ThemeCultural, Producer: list.Producer}
		_, err = importers.Run(ctx, st, importers.Job{Info: info, Fields: f.Fields(), Report: rep,
			Source: &Source{File: f, Reference: ref}})
		if err != nil {
			b.Fatal(err)
		}
		written = rep.Written
	}
	b.StopTimer()
	close(stop)
	if written != rows {
		b.Fatalf("%d rows written, want %d", written, rows)
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
}

// writeMerimee writes the 329 real Isère rows replicated to n rows, each copy with its own reference, so that
// duplicates are not what is measured.
func writeMerimee(b *testing.B, path string, n int) {
	src, err := os.ReadFile(data + "merimee-isere-camlebrun.csv")
	if err != nil {
		b.Fatal(err)
	}
	header, body, _ := bytes.Cut(src, []byte("\n"))
	lines := bytes.Split(bytes.TrimRight(body, "\n"), []byte("\n"))
	var buf bytes.Buffer
	buf.Write(header)
	buf.WriteByte('\n')
	for i := 0; i < n; i++ {
		l := lines[i%len(lines)]
		if i >= len(lines) {
			l = bytes.Replace(l, []byte(";PA"), []byte(";P"+strconv.Itoa(i)+"A"), 1)
		}
		buf.Write(l)
		buf.WriteByte('\n')
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
}
