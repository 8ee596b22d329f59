package importers

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/patrimap/patrimap/geo"
	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/spatialite"
	"github.com/patrimap/patrimap/store/storetest"
)

// points is a Source of n points that calls hook before each record.
type points struct {
	n    int
	srid int
	hook func(i int)
}

func (p *points) SRID() int { return p.srid }

func (p *points) Records(ctx context.Context, rep *Report, emit func(Record) error) error {
	for i := 1; i <= p.n; i++ {
		if p.hook != nil {
			p.hook(i)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		err := emit(Record{Ref: "point " + strconv.Itoa(i), Geometry: orb.Point{5 + float64(i)/1000, 45},
			Properties: []store.Property{{Key: "i", Value: int64(i)}}})
		if err != nil {
			return err
		}
	}
	return nil
}

func newStore(t *testing.T) *spatialite.Store {
	t.Helper()
	st, err := spatialite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func job(src Source) Job {
	return Job{Info: store.DatasetInfo{ID: "pts", Title: "points", Producer: "test"}, Source: src, Report: &Report{Source: "mem", Format: "test"}}
}

func TestInterruptedImportKeepsPreviousVersion(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	if _, err := Run(ctx, st, job(&points{n: 10})); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	// Ctrl-C half-way through a re-import.
	_, err := Run(cctx, st, job(&points{n: 100, hook: func(i int) {
		if i == 50 {
			cancel()
		}
	}}))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	d, _ := storetest.ReadAll(t, st, "pts", store.Query{})
	if d.Version != 1 || d.FeatureCount != 10 {
		t.Errorf("after interruption: version %d, %d features", d.Version, d.FeatureCount)
	}
}

func TestReportKeptInCatalogue(t *testing.T) {
	st := newStore(t)
	d, err := Run(context.Background(), st, job(&points{n: 3}))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"read":3`, `"written":3`, `"dataset":"pts"`, `"version":1`} {
		if !strings.Contains(string(d.Report), want) {
			t.Errorf("stored report lacks %s: %s", want, d.Report)
		}
	}
}

func TestNonFiniteCoordinatesDropGeometryNotRecord(t *testing.T) {
	st := newStore(t)
	src := &recordsSource{recs: []Record{
		{Ref: "feature 1", Geometry: orb.Point{math.NaN(), 45}, Properties: []store.Property{{Key: "n", Value: "a"}}},
		{Ref: "feature 2", Geometry: orb.Point{5, 45}, Properties: []store.Property{{Key: "n", Value: "b"}}},
	}}
	j := job(src)
	d, err := Run(context.Background(), st, j)
	if err != nil {
		t.Fatal(err)
	}
	if d.FeatureCount != 2 || j.Report.NoGeom != 1 {
		t.Errorf("count %d, without geometry %d", d.FeatureCount, j.Report.NoGeom)
	}
}

type recordsSource struct{ recs []Record }

func (r *recordsSource) SRID() int { return 4326 }
func (r *recordsSource) Records(_ context.Context, _ *Report, emit func(Record) error) error {
	for _, rec := range r.recs {
		if err := emit(rec); err != nil {
			return err
		}
	}
	return nil
}

// sliceSource emits records in a given CRS.
type sliceSource struct {
	srid int
	recs []Record
}

func (s *sliceSource) SRID() int { return s.srid }
func (s *sliceSource) Records(_ context.Context, _ *Report, emit func(Record) error) error {
	for _, rec := range s.recs {
		if err := emit(rec); err != nil {
			return err
		}
	}
	return nil
}

func named(ref string, g orb.Geometry) Record {
	return Record{Ref: ref, Geometry: g, Properties: []store.Property{{Key: "ref", Value: ref}}}
}

// readBack reads the geometry of every stored feature of d by fid.
func readBack(t *testing.T, st *spatialite.Store, d store.Dataset) map[int64]orb.Geometry {
	t.Helper()
	_, fs := storetest.ReadAll(t, st, d.ID, store.Query{})
	out := map[int64]orb.Geometry{}
	for _, f := range fs {
		out[f.FID] = f.Geometry
	}
	return out
}

func fixCount(rep *Report, what string) (int64, []string) {
	for _, c := range rep.Fixes {
		if c.What == what {
			return c.N, c.Examples
		}
	}
	return 0, nil
}

// Invalid polygons are repaired by the pipeline and reported by fid, the stored feature's id.
func TestRepairsReportedByFid(t *testing.T) {
	st := newStore(t)
	square := orb.Polygon{{{6, 45}, {6.1, 45}, {6.1, 45.1}, {6, 45.1}, {6, 45}}}
	bowtie := orb.Polygon{{{5, 45}, {5.1, 45.1}, {5.1, 45}, {5, 45.1}, {5, 45}}}
	touching := orb.Polygon{{{0, 45}, {.1, 45}, {.1, 45.1}, {0, 45.1}, {0, 45}, {.02, 45.04}, {.04, 45.04}, {.04, 45.02}, {0, 45}}}
	sliver := orb.Polygon{{{0, 0}, {1, 1}, {2, 2}, {0, 0}}}
	j := job(&sliceSource{srid: 4326, recs: []Record{
		named("feature 1", square), named("feature 2", bowtie), named("feature 3", sliver), named("feature 4", touching),
	}})
	d, err := Run(context.Background(), st, j)
	if err != nil {
		t.Fatal(err)
	}
	rep := j.Report
	if n, ex := fixCount(rep, "invalid geometry made valid (GEOS/RTTOPO)"); n != 2 || strings.Join(ex, ",") != "fid 2,fid 4" {
		t.Errorf("repaired: %d %v", n, ex)
	}
	if n, ex := fixCount(rep, "invalid geometry with no area left once made valid: stored without geometry"); n != 1 || ex[0] != "fid 3" {
		t.Errorf("collapsed: %d %v", n, ex)
	}
	if rep.Repaired != 2 || rep.NoGeom != 1 || rep.Written != 4 || d.GeometryType != "MULTIPOLYGON" {
		t.Errorf("report: repaired %d, without geometry %d, written %d; type %s", rep.Repaired, rep.NoGeom, rep.Written, d.GeometryType)
	}
	got := readBack(t, st, d)
	var topo geo.Topology
	for fid, g := range got {
		if fid == 3 {
			if g != nil {
				t.Errorf("fid 3 kept %v", g)
			}
			continue
		}
		if ok, err := topo.Valid(g); !ok || err != nil {
			t.Errorf("fid %d stored invalid: %v", fid, g)
		}
	}
	if mp, ok := got[2].(orb.MultiPolygon); !ok || len(mp) != 2 || math.Abs(planar.Area(mp)-0.005) > 1e-9 {
		t.Errorf("bow-tie stored as %v", got[2])
	}
}

// A territory keeps what intersects it; the rows cut out keep their numbers, so fids have gaps.
func TestTerritoryCut(t *testing.T) {
	st := newStore(t)
	var recs []Record
	for i := 0; i < 100; i++ {
		recs = append(recs, named("point "+strconv.Itoa(i+1), orb.Point{float64(i), 1}))
	}
	recs = append(recs, named("nowhere", nil))
	j := job(&sliceSource{srid: 4326, recs: recs})
	j.Within = orb.Bound{Min: orb.Point{49.5, 0}, Max: orb.Point{120, 50}}.ToPolygon()
	d, err := Run(context.Background(), st, j)
	if err != nil {
		t.Fatal(err)
	}
	if d.FeatureCount != 50 || j.Report.SkippedTotal() != 51 || j.Report.Read != 101 {
		t.Errorf("kept %d, skipped %d, read %d; want 50, 51, 101", d.FeatureCount, j.Report.SkippedTotal(), j.Report.Read)
	}
	got := readBack(t, st, d)
	for fid := int64(51); fid <= 100; fid++ {
		if p, ok := got[fid].(orb.Point); !ok || p[0] != float64(fid-1) {
			t.Errorf("fid %d: %v", fid, got[fid])
		}
	}
}

// Geometries in Lambert-93 are stored in WGS84; the catalogue and the report name the source CRS.
func TestReprojectsToWGS84(t *testing.T) {
	st := newStore(t)
	j := job(&sliceSource{srid: 2154, recs: []Record{named("feature 1", orb.Point{700000, 6600000})}})
	d, err := Run(context.Background(), st, j)
	if err != nil {
		t.Fatal(err)
	}
	p := readBack(t, st, d)[1].(orb.Point)
	if math.Abs(p[0]-3) > 1e-9 || math.Abs(p[1]-46.5) > 1e-9 || d.SourceCRS != "EPSG:2154" || j.Report.SourceCRS != "EPSG:2154" {
		t.Errorf("stored %v, source CRS %q / %q", p, d.SourceCRS, j.Report.SourceCRS)
	}
	j = job(&sliceSource{srid: 999999, recs: []Record{named("feature 1", orb.Point{1, 2})}})
	if _, err := Run(context.Background(), st, j); !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), "EPSG:999999") {
		t.Errorf("unknown CRS: %v", err)
	}
}

// Records are processed on every core and stored in source order, with their pyramid.
func TestSourceOrderAndPyramid(t *testing.T) {
	st := newStore(t)
	var recs []Record
	for i := 0; i < 500; i++ {
		n := 4 + (i*7919)%400 // rings of very different sizes finish out of order
		var ring orb.Ring
		for k := 0; k < n; k++ {
			a := 2 * math.Pi * float64(k) / float64(n)
			ring = append(ring, orb.Point{float64(i%20) + 0.1*math.Cos(a), 45 + 0.1*math.Sin(a)})
		}
		ring = append(ring, ring[0])
		recs = append(recs, named("feature "+strconv.Itoa(i+1), orb.Polygon{ring}))
	}
	d, err := Run(context.Background(), st, job(&sliceSource{srid: 4326, recs: recs}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sn, _ := st.Snapshot(ctx)
	defer sn.Close()
	n := 0
	err = sn.Features(ctx, d, store.Query{}, func(f *store.Feature) error {
		n++
		if f.Values[0] != "feature "+strconv.FormatInt(f.FID, 10) {
			t.Errorf("fid %d holds %v", f.FID, f.Values[0])
		}
		return nil
	})
	if err != nil || n != 500 {
		t.Fatalf("%d features, %v", n, err)
	}
	full, z10, z0 := 0, 0, 0
	sn.TileFeatures(ctx, d, *d.BBox, nil, func(f *store.Feature) error { full += len(f.Geometry.(orb.MultiPolygon)[0][0]); return nil })
	sn.PyramidTileFeatures(ctx, d, 10, *d.BBox, nil, func(f *store.Feature) error { z10 += countPoints(f.Geometry); return nil })
	sn.PyramidTileFeatures(ctx, d, 0, *d.BBox, nil, func(f *store.Feature) error { z0 += countPoints(f.Geometry); return nil })
	if z10 == 0 || z10*2 > full {
		t.Errorf("the pyramid's z10 has %d vertices for %d", z10, full)
	}
	// At z0 a circle 0.2° across is 2 units wide: the box the tile centres its square on.
	if z0 != 500*5 {
		t.Errorf("the pyramid's z0 has %d vertices, want 500 boxes", z0)
	}
}

func countPoints(g orb.Geometry) int {
	switch g := g.(type) {
	case orb.Polygon:
		return len(g[0])
	case orb.MultiPolygon:
		return len(g[0][0])
	}
	return 0
}
