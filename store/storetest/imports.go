package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/store"
)

// Dump renders dataset id's catalogue entry and every row as of sn, as text, to compare versions exactly.
func Dump(t testing.TB, sn store.Snapshot, id string) string {
	t.Helper()
	ctx := context.Background()
	d, err := sn.Dataset(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s v%d %d %v %v\n", d.Title, d.Version, d.FeatureCount, d.BBox, d.Fields)
	err = sn.Features(ctx, d, store.Query{}, func(f *store.Feature) error {
		fmt.Fprintf(&b, "%d %v %v\n", f.FID, f.Geometry, f.Values)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// A snapshot opened before an import commits keeps seeing the previous version, catalogue and rows, even after
// the commit; a snapshot opened after sees the new one, whose version is one more.
func testSnapshotIsolation(t *testing.T, fx *fixture) {
	fx.importRNN("rnn")
	before := fx.snapshot()
	v1 := Dump(t, before, "rnn")

	im, err := fx.st.BeginImport(fx.ctx, "rnn", store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer im.Rollback()
	for i := 0; i < 3; i++ {
		if err := im.Add(fx.ctx, store.Row{Geometry: orb.Point{5, 45}, Properties: []store.Property{{Key: "x", Value: "new"}}}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := im.Finish(fx.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 3 || res.Version != 2 || res.GeometryType != "POINT" {
		t.Errorf("finish: %d rows, version %d, %s", res.Rows, res.Version, res.GeometryType)
	}
	during := fx.snapshot()
	if got := Dump(t, during, "rnn"); got != v1 {
		t.Errorf("a snapshot opened during the import sees:\n%.300s", got)
	}
	if got := Dump(t, before, "rnn"); got != v1 {
		t.Errorf("a snapshot opened before the import sees:\n%.300s", got)
	}
	i2 := info("rnn")
	i2.Title = "version 2"
	d2, err := im.Commit(fx.ctx, i2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d2.Version != 2 || d2.FeatureCount != 3 || d2.Title != "version 2" {
		t.Errorf("commit: %+v", d2)
	}
	if got := Dump(t, before, "rnn"); got != v1 {
		t.Errorf("after the commit, the older snapshot sees:\n%.300s", got)
	}
	after := fx.snapshot()
	got := Dump(t, after, "rnn")
	if !strings.HasPrefix(got, "version 2 v2 3 ") || strings.Count(got, "\n") != 4 {
		t.Errorf("a new snapshot sees:\n%s", got)
	}
	d3 := fx.importRNN("rnn")
	if d3.Version != 3 || d3.FeatureCount != 15 {
		t.Errorf("third import: version %d, %d features", d3.Version, d3.FeatureCount)
	}
}

// Rolling back, or failing to commit, leaves the previous version exactly as it was.
func testRollback(t *testing.T, fx *fixture) {
	fx.importRNN("rnn")
	v1 := Dump(t, fx.snapshot(), "rnn")

	im, err := fx.st.BeginImport(fx.ctx, "rnn", store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	im.Add(fx.ctx, store.Row{Geometry: orb.Point{5, 45}, Properties: []store.Property{{Key: "x", Value: "only one"}}})
	if _, err := im.Finish(fx.ctx); err != nil {
		t.Fatal(err)
	}
	if err := im.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := im.Rollback(); err != nil {
		t.Errorf("second rollback: %v", err)
	}
	if got := Dump(t, fx.snapshot(), "rnn"); got != v1 {
		t.Errorf("after a rollback:\n%.300s", got)
	}

	// A commit under another id fails and changes nothing.
	im, err = fx.st.BeginImport(fx.ctx, "rnn", store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	im.Add(fx.ctx, store.Row{Geometry: orb.Point{5, 45}})
	if _, err := im.Commit(fx.ctx, info("other"), nil); err == nil {
		t.Error("a commit under another id succeeded")
	}
	im.Rollback()
	if got := Dump(t, fx.snapshot(), "rnn"); got != v1 {
		t.Errorf("after a failed commit:\n%.300s", got)
	}
	sn := fx.snapshot()
	if _, err := sn.Dataset(fx.ctx, "other"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the failed commit left dataset other: %v", err)
	}

	// A new dataset rolled back never appears.
	im, err = fx.st.BeginImport(fx.ctx, "never", store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	im.Add(fx.ctx, store.Row{Geometry: orb.Point{5, 45}})
	im.Rollback()
	ds, err := fx.snapshot().Datasets(fx.ctx)
	if err != nil || len(ds) != 1 {
		t.Errorf("after rolling back a new dataset: %d datasets (%v)", len(ds), err)
	}
	if _, err := fx.st.BeginImport(fx.ctx, "Not A Slug", store.ImportOptions{}); err == nil {
		t.Error("an import under an id that is no slug began")
	}
}

// Imports of a store run one at a time: a second one waits (here until its deadline) or fails, and never
// mixes with the first.
func testOneImportAtATime(t *testing.T, fx *fixture) {
	im, err := fx.st.BeginImport(fx.ctx, "first", store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	im.Add(fx.ctx, store.Row{Geometry: orb.Point{1, 1}})
	ctx, cancel := context.WithTimeout(fx.ctx, 300*time.Millisecond)
	defer cancel()
	if second, err := fx.st.BeginImport(ctx, "first", store.ImportOptions{}); err == nil {
		second.Rollback()
		t.Error("a second import began while the first ran")
	}
	if _, err := im.Commit(fx.ctx, info("first"), nil); err != nil {
		t.Fatal(err)
	}
	// Once the first is done, the next begins.
	d := fx.importRows("first", store.ImportOptions{}, []store.Row{{Geometry: orb.Point{2, 2}}, {Geometry: orb.Point{3, 3}}})
	if d.Version != 2 || d.FeatureCount != 2 {
		t.Errorf("next import: version %d, %d features", d.Version, d.FeatureCount)
	}
}

// Fids are the ones given, increasing; 0 takes the next; a fid that does not increase is refused.
func testFIDs(t *testing.T, fx *fixture) {
	d := fx.importRows("fids", store.ImportOptions{}, []store.Row{{}, {FID: 5}, {}, {FID: 10}})
	if got := sprint(fids(fx.mustFeatures(d, store.Query{}))); got != "[1 5 6 10]" {
		t.Errorf("fids %s, want [1 5 6 10]", got)
	}
	im, err := fx.st.BeginImport(fx.ctx, "fids", store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer im.Rollback()
	im.Add(fx.ctx, store.Row{FID: 3})
	if err := im.Add(fx.ctx, store.Row{FID: 3}); err == nil {
		t.Error("fid 3 twice accepted")
	}
}

// A row Add refuses (a value of a type no store takes, a pyramid of the wrong zooms) leaves nothing behind: the
// import goes on, and what it commits is the rows accepted, with no column of the refused row's own and its
// geometry in no count or box.
func testRefusedRow(t *testing.T, fx *fixture) {
	im, err := fx.st.BeginImport(fx.ctx, "refused", store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer im.Rollback()
	add := func(r store.Row) error { return im.Add(fx.ctx, r) }
	if err := add(store.Row{Geometry: orb.Point{5.7, 45.2}, Properties: []store.Property{{Key: "name", Value: "Bastille"}}}); err != nil {
		t.Fatal(err)
	}
	if err := add(store.Row{Geometry: orb.Point{-60, 10}, Properties: []store.Property{{Key: "odd", Value: "text"}, {Key: "when", Value: struct{}{}}}}); err == nil {
		t.Error("a value of type struct{} accepted")
	}
	line := orb.LineString{{5, 45}, {6, 46}}
	if err := add(store.Row{Geometry: line, Pyramid: []orb.Geometry{line}, Properties: []store.Property{{Key: "odd", Value: "text"}}}); err == nil {
		t.Error("a pyramid of one zoom accepted")
	}
	if err := add(store.Row{Geometry: orb.Point{5.9, 45.1}, Properties: []store.Property{{Key: "name", Value: "Chartreuse"}, {Key: "kind", Value: "massif"}}}); err != nil {
		t.Fatal(err)
	}
	d, err := im.Commit(fx.ctx, info("refused"), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range d.Fields {
		names = append(names, f.Name)
	}
	if d.FeatureCount != 2 || d.GeometryType != "POINT" || sprint(names) != "[name kind]" {
		t.Errorf("%d features, %s, columns %v; want 2, POINT, [name kind]", d.FeatureCount, d.GeometryType, names)
	}
	if b := d.BBox; b == nil || b.Min[0] < 5 || b.Max[1] > 46 {
		t.Errorf("bbox %v stretched by a refused row", b)
	}
	// Not even their fids: the next row is numbered after the last accepted.
	if got := sprint(fids(fx.mustFeatures(d, store.Query{}))); got != "[1 2]" {
		t.Errorf("fids %s, want [1 2]", got)
	}
}

// Not found is ErrNotFound, a bad query ErrBadQuery, a failing callback its own error: never one for another.
func testErrors(t *testing.T, fx *fixture) {
	d := fx.importRNN("rnn")
	sn := fx.snapshot()
	_, err := sn.Dataset(fx.ctx, "missing")
	if !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), `"missing"`) {
		t.Errorf("missing dataset: %v", err)
	}
	if _, err := sn.Dataset(fx.ctx, "rnn"); err != nil {
		t.Errorf("present dataset: %v", err)
	}
	err = sn.Features(fx.ctx, d, store.Query{Equals: []store.Equal{{Field: "NOPE", Value: "x"}}}, func(*store.Feature) error { return nil })
	if !errors.Is(err, store.ErrBadQuery) || errors.Is(err, store.ErrNotFound) {
		t.Errorf("bad query: %v", err)
	}
	stop := errors.New("client went away")
	err = sn.Features(fx.ctx, d, store.Query{}, func(*store.Feature) error { return stop })
	if !errors.Is(err, stop) || !isBroken(err) {
		t.Errorf("callback error: %v", err)
	}
	ctx, cancel := context.WithCancel(fx.ctx)
	cancel()
	if _, err := fx.st.Snapshot(ctx); err == nil || errors.Is(err, store.ErrNotFound) {
		t.Errorf("snapshot with a cancelled context: %v, want an error that is not ErrNotFound", err)
	}
	if err := fx.st.Ping(fx.ctx); err != nil {
		t.Errorf("ping: %v", err)
	}
	if fx.st.Name() == "" {
		t.Error("a store has a name for the logs")
	}
}
