package tiles

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/patrimap/patrimap/bench/randompoints"
	"github.com/patrimap/patrimap/geo"
	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/geojson"
	"github.com/patrimap/patrimap/importers/inpn"
	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/spatialite"
)

// BenchmarkUncachedTiles renders, without any cache, the z8–z10 tiles of the national biotope orders (APB,
// testdata/inpn/apb/apb.zip imported into a SpatiaLite store by the real pipeline) at the centres of the
// sites' boxes, as bench/pgtiles.sh picks them: the band where issue 16 measured patrimap slower than
// pg_tileserv. It reports the mean and p95 time per tile, and, as the reference measured in the same run,
// the time the store takes to read the same tiles' rows (what any server pays), with the ratio of the two.
//
//	go test -run '^$' -bench UncachedTiles -count 5 ./tiles/
//	go test -run '^$' -bench UncachedTiles -count 1 -cpuprofile cpu.out ./tiles/ && go tool pprof -top tiles.test cpu.out
func BenchmarkUncachedTiles(b *testing.B) {
	ctx := context.Background()
	sn, d := nationalAPB(b)
	ts := benchTiles(b, sn, d, 8, 10, 40)
	benchRender(b, ctx, sn, d, ts)
}

// benchRender renders ts once a loop, without a cache, with the server's renderer, and reports the mean and
// p95 per tile beside the time the store takes to read the same tiles' rows.
func benchRender(b *testing.B, ctx context.Context, sn store.Snapshot, d store.Dataset, ts []maptile.Tile) {
	r := geosRenderer()
	layers := []Layer{NewLayer(d)}
	cols := make([]string, len(layers[0].Fields))
	for i, f := range layers[0].Fields {
		cols[i] = f.Name
	}
	var render, read []time.Duration
	for b.Loop() {
		for _, t := range ts {
			start := time.Now()
			if _, _, err := r.Render(ctx, sn, layers, t, MVT); err != nil {
				b.Fatalf("tile %v: %v", t, err)
			}
			render = append(render, time.Since(start))
			start = time.Now()
			if err := sn.TileFeatures(ctx, d, tileBound(t, Buffer), cols, func(*store.Feature) error { return nil }); err != nil {
				b.Fatal(err)
			}
			read = append(read, time.Since(start))
		}
	}
	mean, p95 := durationStats(render)
	rmean, _ := durationStats(read)
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(mean, "ms/tile")
	b.ReportMetric(p95, "p95-ms/tile")
	b.ReportMetric(rmean, "read-ms/tile")
	b.ReportMetric(mean/rmean, "ratio-to-read")
	b.Logf("%d tiles z%d-z%d: mean %.2f ms, p95 %.2f ms; reading their rows alone: mean %.2f ms (ratio %.1f)", len(ts), ts[0].Z, ts[len(ts)-1].Z, mean, p95, rmean, mean/rmean)
}

// geosRenderer is the server's renderer: GEOS checks and repairs.
func geosRenderer() *Renderer {
	topo := &geo.Topology{}
	return &Renderer{
		Repair: func(_ context.Context, g orb.Geometry) (orb.Geometry, error) { return topo.BufferZero(g) },
		Valid:  func(_ context.Context, g orb.Geometry) (bool, error) { return topo.Valid(g) },
	}
}

// The z8–z10 tiles of the national biotope orders, where most sites are braided rivers of many parts that the
// grid folds onto each other and GEOS must repair: every polygon is valid for GEOS, every tile under the
// cap, and every site whose box lies inside a tile is in it, drawn or counted in the square of its cell (none
// vanishes, however small or repaired).
func TestNationalTilesValidAndComplete(t *testing.T) {
	ctx := context.Background()
	sn, d := nationalAPB(t)
	var topo geo.Topology
	r := geosRenderer()
	features, repaired := 0, 0
	for _, tl := range benchTiles(t, sn, d, 8, 10, 40) {
		b, stats, err := r.Render(ctx, sn, []Layer{NewLayer(d)}, tl, MVT)
		if err != nil {
			t.Fatalf("tile %v: %v", tl, err)
		}
		if len(b) > MaxBytes(tl.Z) {
			t.Errorf("tile %v: %d bytes, over the cap", tl, len(b))
		}
		ls, err := DecodeMVT(b)
		if err != nil {
			t.Fatalf("tile %v: %v", tl, err)
		}
		got := map[uint64]bool{}
		for _, l := range ls {
			for _, f := range l.Features {
				got[f.ID] = true
				if ok, err := topo.Valid(f.Geometry); err != nil || !ok {
					t.Errorf("tile %v: site %d is not valid for GEOS (%v)", tl, f.ID, err)
				}
			}
		}
		inside := tl.Bound()
		tiny, elsewhere := tinySites(t, sn, d, tl)
		cells := cellCounts(ls, tl)
		err = sn.TileFeatures(ctx, d, inside, nil, func(f *store.Feature) error {
			c, small := tiny[f.FID]
			if b := f.Geometry.Bound(); inside.Contains(b.Min) && inside.Contains(b.Max) && !got[uint64(f.FID)] && !elsewhere[f.FID] && (!small || cells[c] == 0) {
				t.Errorf("tile %v: site %d, inside the tile, vanished", tl, f.FID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		features += len(got)
		repaired += stats.Repaired
	}
	t.Logf("%d sites drawn, %d repaired by GEOS, all valid", features, repaired)
	if repaired == 0 {
		t.Errorf("no site needed a GEOS repair: the tiles no longer test the repair")
	}
}

// nationalAPB imports the national APB delivery into a new SpatiaLite store with the INPN importer, as
// `patrimap import inpn` does, and opens a snapshot of it (both closed when tb ends).
func nationalAPB(b testing.TB) (store.Snapshot, store.Dataset) {
	return inpnLayer(b, "../testdata/inpn/apb/apb.zip", "apb")
}

// inpnLayer imports the INPN layer key from path (a zip, a Shapefile or GeoJSON) as dataset key through the
// INPN normaliser, into a new SpatiaLite store, and opens a snapshot of it.
func inpnLayer(b testing.TB, path, key string) (store.Snapshot, store.Dataset) {
	b.Helper()
	ctx := context.Background()
	f, err := inpn.Inspect(ctx, path, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	layer, _ := inpn.LayerByKey(key)
	src, closeFn, err := f.Source(nil)
	if err != nil {
		b.Fatal(err)
	}
	defer closeFn()
	return importSnapshot(b, importers.Job{
		Info:   store.DatasetInfo{ID: key, Title: layer.Title, Producer: layer.Producer, Theme: store.ThemeNatural},
		Fields: append(append([]store.Field(nil), inpn.NormalisedFields...), f.Fields...),
		Source: &inpn.Normaliser{Layer: layer, Part: layer.Parts()[0], Source: src},
		Report: &importers.Report{Source: filepath.Base(path), Format: f.Format, SourceCRS: f.CRS},
	})
}

// importSnapshot runs job into a new SpatiaLite store and opens a snapshot of it (both closed when tb ends).
func importSnapshot(b testing.TB, job importers.Job) (store.Snapshot, store.Dataset) {
	b.Helper()
	ctx := context.Background()
	st, err := spatialite.Open(ctx, filepath.Join(b.TempDir(), job.Info.ID+".db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	d, err := importers.Run(ctx, st, job)
	if err != nil {
		b.Fatalf("import %s: %v", job.Report.Source, err)
	}
	sn, err := st.Snapshot(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sn.Close() })
	return sn, d
}

// randomPoints imports n random points over mainland France, each with an id, a name and a kind, as
// bench/points.py writes them (a fixed seed: the same points every run), through the GeoJSON importer into a
// new SpatiaLite store, and opens a snapshot of it.
func randomPoints(b testing.TB, n int) (store.Snapshot, store.Dataset) {
	b.Helper()
	var buf bytes.Buffer
	if err := randompoints.Write(&buf, n, 1); err != nil {
		b.Fatal(err)
	}
	return importSnapshot(b, importers.Job{
		Info:   store.DatasetInfo{ID: "points", Title: "Points", Producer: "bench"},
		Source: geojson.NewReader("points.geojson", &buf, 0),
		Report: &importers.Report{Source: "points.geojson", Format: "GeoJSON"},
	})
}

// benchTiles are up to per distinct tiles a zoom from lo to hi, at the centres of the features' boxes, taken
// at an even stride through the layer (the same tiles every run).
func benchTiles(b testing.TB, sn store.Snapshot, d store.Dataset, lo, hi maptile.Zoom, per int) []maptile.Tile {
	b.Helper()
	var centres []orb.Point
	err := sn.Features(context.Background(), d, store.Query{}, func(f *store.Feature) error {
		centres = append(centres, f.Geometry.Bound().Center())
		return nil
	})
	if err != nil || len(centres) == 0 {
		b.Fatalf("read %s: %d features, %v", d.ID, len(centres), err)
	}
	var out []maptile.Tile
	for z := lo; z <= hi; z++ {
		seen := map[maptile.Tile]bool{}
		for i := 0; i < len(centres) && len(seen) < per; i += max(1, len(centres)/(3*per)) {
			t := maptile.At(centres[i], z)
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	return out
}

// durationStats is the mean and the nearest-rank 95th percentile of ds, in milliseconds.
func durationStats(ds []time.Duration) (mean, p95 float64) {
	if len(ds) == 0 {
		return 0, 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	return ms(sum) / float64(len(s)), ms(s[(len(s)*95+99)/100-1])
}

// BenchmarkUncachedPointTiles is BenchmarkUncachedTiles for 100,000 random points over mainland France (the
// file bench/points.py writes, imported through the GeoJSON importer) at z9–z10, the zooms read from the
// R*Tree thinned by cell (z8 and below come from the clusters built at import): 40 tiles a zoom at points
// of the layer, as bench/pgtiles.sh picks them.
//
//	go test -run '^$' -bench UncachedPointTiles -benchtime 3x -count 5 ./tiles/
func BenchmarkUncachedPointTiles(b *testing.B) {
	ctx := context.Background()
	sn, d := randomPoints(b, 100000)
	ts := benchTiles(b, sn, d, 9, 10, 40)
	benchRender(b, ctx, sn, d, ts)
}

// mvtWriter writes the bytes orb's encoder writes for the same tiles: the national APB's polygons at z5–z12
// (text, numbers, dates as text, empty values) and points from their clusters (point_count) and from their rows.
func TestMVTWriterMatchesOrb(t *testing.T) {
	ctx := context.Background()
	apb, da := nationalAPB(t)
	pts, dp := randomPoints(t, 20000)
	direct, viaOrb := geosRenderer(), geosRenderer()
	viaOrb.orbMVT = true
	for _, c := range []struct {
		sn     store.Snapshot
		d      store.Dataset
		lo, hi maptile.Zoom
	}{{apb, da, 5, 12}, {pts, dp, 4, 12}} {
		features := 0
		for _, tl := range benchTiles(t, c.sn, c.d, c.lo, c.hi, 6) {
			layers := []Layer{NewLayer(c.d)}
			a, st, err := direct.Render(ctx, c.sn, layers, tl, MVT)
			if err != nil {
				t.Fatal(err)
			}
			b, _, err := viaOrb.Render(ctx, c.sn, layers, tl, MVT)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a, b) {
				t.Errorf("%s tile %v: %d bytes written directly, %d by orb's encoder", c.d.ID, tl, len(a), len(b))
			}
			features += st.Features
		}
		if features == 0 {
			t.Errorf("%s: no feature in the tiles", c.d.ID)
		}
	}
}
