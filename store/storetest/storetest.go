// Package storetest checks that a store behaves as patrimap's stores must, whatever keeps the data: the same
// counts, values, types, geometries, pages, filters, sorts and tile reads on the same imports; snapshots that
// do not see an import under way; imports that change nothing until they commit; "not found" told from
// "broken". store/spatialite and store/memory run it; a new store joins by running it in its own tests:
//
//	func TestConformance(t *testing.T) { storetest.Run(t, func(t *testing.T) store.Store { return openMine(t) }) }
//
// It asserts behaviour a user sees, never how a store does it.
package storetest

import (
	"context"
	_ "embed" // the fixture
	"errors"
	"fmt"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/patrimap/patrimap/store"
)

// Run runs the conformance suite. open returns a new, empty store each time it is called; Run closes it.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, fx *fixture)
	}{
		{"Catalogue", testCatalogue},
		{"ValuesAndTypes", testValuesAndTypes},
		{"ValuesAsColumnsHoldThem", testCoercion},
		{"ColumnNames", testColumnNames},
		{"GeometryTypes", testGeometryTypes},
		{"BBox", testBBox},
		{"Paging", testPaging},
		{"Filters", testFilters},
		{"BadQueries", testBadQueries},
		{"Sort", testSort},
		{"Select", testSelect},
		{"TileReads", testTileReads},
		{"ThinTileReads", testThinTileReads},
		{"SquareCells", testSquareCells},
		{"SnapshotIsolation", testSnapshotIsolation},
		{"RollbackKeepsPreviousVersion", testRollback},
		{"OneImportAtATime", testOneImportAtATime},
		{"FIDs", testFIDs},
		{"RefusedRowLeavesNothing", testRefusedRow},
		{"NotFoundAndErrors", testErrors},
		{"Memo", testMemo},
		{"Watcher", testWatcher},
		{"VersionReader", testVersionReader},
		{"TextSearch", testTextSearch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := open(t)
			t.Cleanup(func() {
				if err := st.Close(); err != nil {
					t.Errorf("close: %v", err)
				}
			})
			tt.run(t, &fixture{t: t, st: st, ctx: context.Background()})
		})
	}
}

// fixture is one store under test.
type fixture struct {
	t   *testing.T
	st  store.Store
	ctx context.Context
}

// info is a catalogue entry for id.
func info(id string) store.DatasetInfo {
	return store.DatasetInfo{ID: id, Title: "Title of " + id, Producer: "storetest", Theme: store.ThemeNatural}
}

// importRows imports rows as dataset id and returns its catalogue entry.
func (fx *fixture) importRows(id string, opts store.ImportOptions, rows []store.Row) store.Dataset {
	fx.t.Helper()
	im, err := fx.st.BeginImport(fx.ctx, id, opts)
	if err != nil {
		fx.t.Fatal(err)
	}
	defer im.Rollback()
	for _, r := range rows {
		if err := im.Add(fx.ctx, r); err != nil {
			fx.t.Fatal(err)
		}
	}
	d, err := im.Commit(fx.ctx, info(id), map[string]any{"read": len(rows)})
	if err != nil {
		fx.t.Fatal(err)
	}
	return d
}

// snapshot opens a read view closed at the end of the test.
func (fx *fixture) snapshot() store.Snapshot {
	fx.t.Helper()
	sn := open(fx.t, fx.st)
	fx.t.Cleanup(func() { sn.Close() })
	return sn
}

// features reads the features of d matching q through a new snapshot.
func (fx *fixture) features(d store.Dataset, q store.Query) ([]store.Feature, error) {
	sn, err := fx.st.Snapshot(fx.ctx)
	if err != nil {
		return nil, err
	}
	defer sn.Close()
	return collect(fx.ctx, sn, d, q)
}

// mustFeatures is features, failing the test on an error.
func (fx *fixture) mustFeatures(d store.Dataset, q store.Query) []store.Feature {
	fx.t.Helper()
	fs, err := fx.features(d, q)
	if err != nil {
		fx.t.Fatal(err)
	}
	return fs
}

func collect(ctx context.Context, sn store.Snapshot, d store.Dataset, q store.Query) ([]store.Feature, error) {
	var out []store.Feature
	err := sn.Features(ctx, d, q, func(f *store.Feature) error {
		out = append(out, store.Feature{FID: f.FID, Geometry: orb.Clone(f.Geometry), Values: append([]any(nil), f.Values...)})
		return nil
	})
	return out, err
}

// Reader is a store as the read helpers need it (a store.Store, a server.Catalog).
type Reader interface {
	Snapshot(context.Context) (store.Snapshot, error)
}

// ReadAll reads, through a snapshot of its own, the catalogue entry of dataset id and its features matching q,
// copied: the helper tests of importers and servers use to look at what a store holds.
func ReadAll(tb testing.TB, st Reader, id string, q store.Query) (store.Dataset, []store.Feature) {
	tb.Helper()
	ctx := context.Background()
	sn := open(tb, st)
	defer sn.Close()
	d, err := sn.Dataset(ctx, id)
	if err != nil {
		tb.Fatal(err)
	}
	fs, err := collect(ctx, sn, d, q)
	if err != nil {
		tb.Fatal(err)
	}
	return d, fs
}

// Datasets reads the catalogue of st through a snapshot of its own.
func Datasets(tb testing.TB, st Reader) []store.Dataset {
	tb.Helper()
	sn := open(tb, st)
	defer sn.Close()
	ds, err := sn.Datasets(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return ds
}

func open(tb testing.TB, st Reader) store.Snapshot {
	tb.Helper()
	sn, err := st.Snapshot(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return sn
}

//go:embed testdata/rnn-isere.geojson
var rnnGeoJSON []byte

// rnnKeys are the fixture's properties in the order ogr2ogr wrote them (orb gives a map).
var rnnKeys = []string{"ID_LOCAL", "PRN_ASSO", "CODE_R_ENP", "NOM_SITE", "DATE_CREA", "MODIF_ADM", "URL_FICHE", "SURF_OFF", "ID_MNHN"}

// rnnRows are the 15 national nature reserves of the fixture as rows, properties in rnnKeys order.
func rnnRows(t *testing.T) []store.Row {
	t.Helper()
	fc, err := geojson.UnmarshalFeatureCollection(rnnGeoJSON)
	if err != nil {
		t.Fatal(err)
	}
	rows := make([]store.Row, len(fc.Features))
	for i, f := range fc.Features {
		props := make([]store.Property, 0, len(rnnKeys))
		for _, k := range rnnKeys {
			props = append(props, store.Property{Key: k, Value: f.Properties[k]})
		}
		rows[i] = store.Row{Geometry: f.Geometry, Properties: props}
	}
	return rows
}

// importRNN imports the fixture as dataset id.
func (fx *fixture) importRNN(id string) store.Dataset {
	fx.t.Helper()
	return fx.importRows(id, store.ImportOptions{}, rnnRows(fx.t))
}

// column returns the values of field name in fs.
func column(t *testing.T, d store.Dataset, fs []store.Feature, name string) []any {
	t.Helper()
	idx := -1
	for i, f := range d.Fields {
		if f.Name == name {
			idx = i
		}
	}
	if idx < 0 {
		t.Fatalf("dataset %s has no field %s", d.ID, name)
	}
	out := make([]any, len(fs))
	for i, f := range fs {
		out[i] = f.Values[idx]
	}
	return out
}

func fids(fs []store.Feature) []int64 {
	out := make([]int64, len(fs))
	for i, f := range fs {
		out[i] = f.FID
	}
	return out
}

// isBroken is true for an error that is neither "not found" nor the user's query.
func isBroken(err error) bool {
	return err != nil && !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrBadQuery)
}

func sprint(v any) string { return fmt.Sprintf("%v", v) }
