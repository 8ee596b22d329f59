package spatialite

import (
	"context"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/store"
)

// BenchmarkTileVersionCheck: the check a server makes before each tile it renders (that its catalogue in
// memory is the snapshot's), by the version alone against the whole catalogue entry it read before, on a
// point layer's entry; it prints the ratio.
//
//	go test -run '^$' -bench TileVersionCheck -count 3 ./store/spatialite/
func BenchmarkTileVersionCheck(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, b.TempDir()+"/bench.db")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	im, err := s.BeginImport(ctx, "points", store.ImportOptions{})
	if err != nil {
		b.Fatal(err)
	}
	for i := range 100 {
		r := store.Row{Geometry: orb.Point{5 + float64(i)/100, 45}, Properties: []store.Property{{Key: "id", Value: int64(i)}, {Key: "name", Value: "point"}, {Key: "kind", Value: "test"}}}
		if err := im.Add(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
	// The report of bench/import.sh's million points, as the catalogue keeps it (200 bytes).
	report := map[string]any{"source": "points.geojson", "format": "GeoJSON", "read": 1000000, "written": 1000000, "version": 1,
		"started_at": "2026-12-02T19:58:17Z", "duration": "11.2s", "dataset": "points"}
	if _, err := im.Commit(ctx, store.DatasetInfo{ID: "points", Title: "Points", Producer: "bench"}, report); err != nil {
		b.Fatal(err)
	}
	sn, err := s.Snapshot(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer sn.Close()
	per := func(check func() error) time.Duration {
		start := time.Now()
		for range 2000 {
			if err := check(); err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(start) / 2000
	}
	var entry, version time.Duration
	for b.Loop() {
		entry += per(func() error { _, err := sn.Dataset(ctx, "points"); return err })
		version += per(func() error { _, err := sn.(*snapshot).DatasetVersion(ctx, "points"); return err })
	}
	b.ReportMetric(float64(version.Nanoseconds())/float64(b.N), "ns/version")
	b.ReportMetric(float64(entry.Nanoseconds())/float64(b.N), "ns/entry")
	b.ReportMetric(float64(version)/float64(entry), "ratio")
}
