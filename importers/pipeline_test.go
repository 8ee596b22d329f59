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

	"github.com/patrimap/patrimap/store"
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

func newStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
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
	d, err := st.Dataset(ctx, "pts")
	if err != nil || d.Version != 1 || d.FeatureCount != 10 {
		t.Errorf("after interruption: version %d, %d features, %v", d.Version, d.FeatureCount, err)
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
