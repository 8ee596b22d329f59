package sqlitefile

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/culture"
	"github.com/patrimap/patrimap/importers/geojson"
	"github.com/patrimap/patrimap/importers/inpn"
	"github.com/patrimap/patrimap/importers/territory"
	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/spatialite"
)

const testdata = "../../testdata"

// fixture is a real file of testdata/ imported the way `patrimap import` does it.
type fixture struct {
	id     string
	load   func(t *testing.T, st *spatialite.Store, id string) store.Dataset
	nonGeo bool // some rows have no geometry
}

var fixtures = []fixture{
	// INPN natural reserves of Isère, as GeoJSON (multipolygons, dates, reals).
	{id: "rnn-isere", load: importGeoJSON("rnn-isere.geojson")},
	// INPN APB of Isère as a Lambert-93 shapefile through the INPN importer (reprojected, one repaired polygon).
	{id: "apb-isere", load: importINPN("inpn/apb/subset_isere_38/apb.shp", "apb")},
	// INPN CEN sites of Isère, shapefile (two invalid polygons repaired).
	{id: "cen-isere", load: importINPN("inpn/cen/subset_isere_38/cen2013_09.shp", "cen")},
	// Mérimée monuments of Isère from the Ministère de la Culture's CSV (points, rows without position, JSON).
	{id: "merimee-isere", load: importMerimee("culture/merimee-isere-camlebrun.csv"), nonGeo: true},
}

func openStore(t testing.TB) *spatialite.Store {
	t.Helper()
	st, err := spatialite.Open(context.Background(), filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func info(id, title string) store.DatasetInfo {
	return store.DatasetInfo{ID: id, Title: title, Description: "Test fixture " + id + " « quoted » & <marked>",
		Theme: store.ThemeNatural, Producer: "INPN – MNHN/PatriNat", Licence: "Licence Ouverte 2.0",
		Attribution: "Source : INPN – MNHN/PatriNat", Source: store.Source{URL: "https://inpn.mnhn.fr/"}}
}

func run(t *testing.T, st *spatialite.Store, job importers.Job) store.Dataset {
	t.Helper()
	d, err := importers.Run(context.Background(), st, job)
	if err != nil {
		t.Fatalf("import %s: %v", job.Info.ID, err)
	}
	return d
}

func importGeoJSON(name string) func(*testing.T, *spatialite.Store, string) store.Dataset {
	return func(t *testing.T, st *spatialite.Store, id string) store.Dataset {
		f, err := geojson.Open(filepath.Join(testdata, name), 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		return run(t, st, importers.Job{Info: info(id, "Réserves naturelles nationales (Isère)"), Source: f,
			Report: &importers.Report{Source: name, Format: "GeoJSON"}})
	}
}

func importINPN(name, key string) func(*testing.T, *spatialite.Store, string) store.Dataset {
	return func(t *testing.T, st *spatialite.Store, id string) store.Dataset {
		f, err := inpn.Inspect(context.Background(), filepath.Join(testdata, name), 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		layer, _ := inpn.LayerByKey(key)
		src, closeSource, err := f.Source(nil)
		if err != nil {
			t.Fatal(err)
		}
		defer closeSource()
		return run(t, st, importers.Job{Info: info(id, layer.Title+" (Isère)"),
			Fields: append(append([]store.Field(nil), inpn.NormalisedFields...), f.Fields...),
			Source: &inpn.Normaliser{Layer: layer, Part: layer.Parts()[0], Source: src},
			Report: &importers.Report{Source: name, Format: f.Format, SourceCRS: f.CRS}})
	}
}

func importMerimee(name string) func(*testing.T, *spatialite.Store, string) store.Dataset {
	return func(t *testing.T, st *spatialite.Store, id string) store.Dataset {
		list, _ := culture.ListByKey("merimee")
		f, err := culture.Open(filepath.Join(testdata, name), list)
		if err != nil {
			t.Fatal(err)
		}
		ref, err := territory.LoadReference()
		if err != nil {
			t.Fatal(err)
		}
		inf := info(id, list.Title+" (Isère)")
		inf.Theme, inf.Producer = store.ThemeCultural, list.Producer
		return run(t, st, importers.Job{Info: inf, Fields: f.Fields(),
			Source: &culture.Source{File: f, Reference: ref},
			Report: &importers.Report{Source: name, Format: f.Format()}})
	}
}

// importTypes makes a dataset with every field type, nulls and a row without geometry: what no single real
// file has.
func importTypes(t *testing.T, st *spatialite.Store) store.Dataset {
	ctx := context.Background()
	im, err := st.BeginImport(ctx, "types", store.ImportOptions{
		Fields: []store.Field{{Name: "name", Type: store.FieldText, Description: "what it is called"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer im.Rollback()
	rows := [][]store.Property{
		{{Key: "name", Value: "Château; \"fort\"\nnord"}, {Key: "n", Value: int64(3)}, {Key: "x", Value: 0.5}, {Key: "ok", Value: true},
			{Key: "day", Value: "2020-01-31"}, {Key: "at", Value: "2020-01-31T10:20:30+01:00"}, {Key: "tags", Value: json.RawMessage(`{"a":[1,2]}`)}},
		{{Key: "name", Value: nil}, {Key: "n", Value: int64(-4)}, {Key: "x", Value: 1e-5}, {Key: "ok", Value: false},
			{Key: "day", Value: nil}, {Key: "at", Value: "2021-06-01T08:00:00Z"}, {Key: "tags", Value: nil}},
		{{Key: "name", Value: "local time"}, {Key: "n", Value: int64(1) << 40}, {Key: "x", Value: -2.25}, {Key: "ok", Value: nil},
			{Key: "day", Value: "1999-12-31"}, {Key: "at", Value: "2022-03-04 05:06:07.5"}, {Key: "tags", Value: json.RawMessage(`[]`)}},
	}
	for i, r := range rows {
		if err := im.Add(ctx, store.Row{Geometry: orb.Point{5.7 + float64(i)/10, 45.2}, Properties: r}); err != nil {
			t.Fatal(err)
		}
	}
	if err := im.Add(ctx, store.Row{Properties: []store.Property{{Key: "name", Value: "no geometry"}}}); err != nil {
		t.Fatal(err)
	}
	d, err := im.Commit(ctx, store.DatasetInfo{ID: "types", Title: "types", Producer: "test"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// features streams d from a snapshot of st, as the server will.
func features(st *spatialite.Store, d store.Dataset) Stream {
	return func(ctx context.Context, each func(*store.Feature) error) error {
		sn, err := st.Snapshot(ctx)
		if err != nil {
			return err
		}
		defer sn.Close()
		return sn.Features(ctx, d, store.Query{}, each)
	}
}
