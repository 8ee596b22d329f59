package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

func openTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// loadFixture reads a testdata GeoJSON file with orb (not with patrimap's importer, which has its own tests).
func loadFixture(t *testing.T, name string) *geojson.FeatureCollection {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		t.Fatal(err)
	}
	return fc
}

// props keeps the fixture's property order as ogr2ogr wrote it (orb gives a map).
func props(f *geojson.Feature, keys []string) []Property {
	out := make([]Property, 0, len(keys))
	for _, k := range keys {
		v := f.Properties[k]
		if x, ok := v.(float64); ok && x == float64(int64(x)) && k != "SURF_OFF" {
			v = int64(x)
		}
		out = append(out, Property{Key: k, Value: v})
	}
	return out
}

var rnnKeys = []string{"ID_LOCAL", "PRN_ASSO", "CODE_R_ENP", "NOM_SITE", "DATE_CREA", "MODIF_ADM", "URL_FICHE", "SURF_OFF", "ID_MNHN"}

func importFixture(t *testing.T, s *Store, id string, fc *geojson.FeatureCollection) Dataset {
	t.Helper()
	ctx := context.Background()
	info := DatasetInfo{ID: id, Title: id, Producer: "INPN", Theme: ThemeNatural}

	im, err := s.BeginImport(ctx, info.ID, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fc.Features {
		if err := im.Add(ctx, Row{Geometry: f.Geometry, Properties: props(f, rnnKeys)}); err != nil {
			t.Fatal(err)
		}
	}
	d, err := im.Commit(ctx, info, map[string]string{"ok": "yes"})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestImportKeepsTypesAndValues(t *testing.T) {
	s := openTest(t)
	fc := loadFixture(t, "rnn-isere.geojson")
	d := importFixture(t, s, "rnn-isere", fc)
	if d.FeatureCount != 15 || d.Version != 1 || d.GeometryType != "MULTIPOLYGON" {
		t.Fatalf("dataset = %d features, version %d, %s", d.FeatureCount, d.Version, d.GeometryType)
	}
	want := map[string]FieldType{"ID_LOCAL": FieldText, "PRN_ASSO": FieldText, "DATE_CREA": FieldDate, "SURF_OFF": FieldReal, "ID_MNHN": FieldText}
	for name, typ := range want {
		f, ok := d.Field(name)
		if !ok || f.Type != typ {
			t.Errorf("field %s = %+v, want type %s", name, f, typ)
		}
	}
	ctx := context.Background()
	snap, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	got, err := snap.Dataset(ctx, "rnn-isere")
	if err != nil {
		t.Fatal(err)
	}
	if got.BBox == nil || got.BBox.Min[0] < 4.7 || got.BBox.Max[1] > 46.4 {
		t.Errorf("bbox = %v", got.BBox)
	}
	var names []string
	err = snap.Features(ctx, got, Query{Equals: []Equal{{Field: "ID_MNHN", Value: "FR3600013"}}}, func(f *Feature) error {
		names = append(names, f.Values[3].(string))
		if f.Values[4] != "1974-05-15" {
			t.Errorf("DATE_CREA = %#v, want the text 1974-05-15", f.Values[4])
		}
		if f.Geometry == nil || f.Geometry.GeoJSONType() != "MultiPolygon" {
			t.Errorf("geometry = %v", f.Geometry)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 1 || names[0] != "Haut-Vénéon" {
		t.Errorf("names = %q", names)
	}
}

func TestLeadingZerosStayText(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	info := DatasetInfo{ID: "codes", Title: "codes", Producer: "test"}

	im, err := s.BeginImport(ctx, info.ID, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"06059", "2A004", "38185"} {
		if err := im.Add(ctx, Row{Geometry: orb.Point{5, 45}, Properties: []Property{{"insee", code}, {"n", int64(1)}, {"mixed", code}}}); err != nil {
			t.Fatal(err)
		}
	}
	// A number in a text column must not turn the column numeric.
	if err := im.Add(ctx, Row{Properties: []Property{{"insee", "6059"}, {"n", 2.5}, {"mixed", int64(12)}}}); err != nil {
		t.Fatal(err)
	}
	d, err := im.Commit(ctx, info, nil)
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]FieldType{}
	for _, f := range d.Fields {
		types[f.Name] = f.Type
	}
	if types["insee"] != FieldText || types["n"] != FieldReal || types["mixed"] != FieldText {
		t.Fatalf("types = %v", types)
	}
	snap, _ := s.Snapshot(ctx)
	defer snap.Close()
	var got []any
	snap.Features(ctx, d, Query{}, func(f *Feature) error { got = append(got, f.Values[0], f.Values[2]); return nil })
	want := []any{"06059", "06059", "2A004", "2A004", "38185", "38185", "6059", "12"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("value %d = %#v, want %#v", i, got[i], want[i])
		}
	}
}

func TestColumnNameCollisions(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	info := DatasetInfo{ID: "names", Title: "n", Producer: "t"}

	im, _ := s.BeginImport(ctx, info.ID, ImportOptions{})
	err := im.Add(ctx, Row{Geometry: orb.Point{1, 1}, Properties: []Property{{"NOM", "a"}, {"nom", "b"}, {"fid", "c"}, {"GEOM", "d"}, {`we"ird`, "e"}, {"", "f"}}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := im.Finish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range res.Fields {
		names = append(names, f.Name)
	}
	if strings.Join(names, "|") != `NOM|nom_2|fid_2|GEOM_2|we"ird|field` {
		t.Errorf("columns = %q", names)
	}
	if _, err := im.Commit(ctx, info, nil); err != nil {
		t.Fatal(err)
	}
}

// A failed import leaves the previous version, and readers keep seeing it while an import is under way.
func TestReimportIsAtomic(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	fc := loadFixture(t, "rnn-isere.geojson")
	importFixture(t, s, "rnn", fc)

	info := DatasetInfo{ID: "rnn", Title: "rnn v2", Producer: "INPN"}

	im, err := s.BeginImport(ctx, info.ID, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	im.Add(ctx, Row{Geometry: orb.Point{5, 45}, Properties: []Property{{"x", "only one"}}})
	if _, err := im.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	// The new table exists inside the import's transaction; a reader must still see version 1, whole.
	d, err := s.Dataset(ctx, "rnn")
	if err != nil || d.Version != 1 || d.FeatureCount != 15 {
		t.Fatalf("during import: %+v, %v", d, err)
	}
	snap, _ := s.Snapshot(ctx)
	n := 0
	if err := snap.Features(ctx, d, Query{}, func(*Feature) error { n++; return nil }); err != nil || n != 15 {
		t.Fatalf("during import: read %d features, %v", n, err)
	}
	snap.Close()
	if err := im.Rollback(); err != nil {
		t.Fatal(err)
	}
	d, err = s.Dataset(ctx, "rnn")
	if err != nil || d.Version != 1 || d.Title != "rnn" {
		t.Fatalf("after rollback: %+v, %v", d, err)
	}
	// A successful re-import bumps the version.
	d2 := importFixture(t, s, "rnn", fc)
	if d2.Version != 2 || d2.FeatureCount != 15 {
		t.Errorf("re-import: version %d, %d features", d2.Version, d2.FeatureCount)
	}
}

func TestBBoxQueryUsesSpatialIndex(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	d := importFixture(t, s, "rnn", loadFixture(t, "rnn-isere.geojson"))
	b := orb.Bound{Min: orb.Point{6.2, 44.9}, Max: orb.Point{6.35, 45.0}}
	q, args, err := featureSQL(d, Query{BBox: &b})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		rows.Scan(&id, &parent, &notused, &detail)
		plan = append(plan, detail)
	}
	rows.Close()
	joined := strings.Join(plan, "\n")
	t.Log(joined)
	if !strings.Contains(joined, "VIRTUAL TABLE INDEX") || !strings.Contains(joined, "idx_rnn_geom") {
		t.Errorf("the bbox query does not go through the R*Tree:\n%s", joined)
	}
	if strings.Contains(joined, "SCAN rnn") {
		t.Errorf("the bbox query scans the table:\n%s", joined)
	}
	snap, _ := s.Snapshot(ctx)
	defer snap.Close()
	var ids []string
	snap.Features(ctx, d, Query{BBox: &b}, func(f *Feature) error { ids = append(ids, f.Values[8].(string)); return nil })
	if len(ids) == 0 || ids[0] != "FR3600013" {
		t.Errorf("features in the Haut-Vénéon box: %v", ids)
	}
	n, err := snap.Count(ctx, d, Query{BBox: &b})
	if err != nil || n != int64(len(ids)) {
		t.Errorf("count = %d, %v; streamed %d", n, err, len(ids))
	}
}

func TestKeysetPaging(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	d := importFixture(t, s, "rnn", loadFixture(t, "rnn-isere.geojson"))
	snap, _ := s.Snapshot(ctx)
	defer snap.Close()
	seen := map[int64]bool{}
	after := int64(0)
	for page := 0; page < 10; page++ {
		n := 0
		snap.Features(ctx, d, Query{AfterFID: after, Limit: 4}, func(f *Feature) error {
			if seen[f.FID] {
				t.Errorf("fid %d seen twice", f.FID)
			}
			seen[f.FID] = true
			after = f.FID
			n++
			return nil
		})
		if n == 0 {
			break
		}
	}
	if len(seen) != 15 {
		t.Errorf("paging saw %d features, want 15", len(seen))
	}
	var one []int64
	snap.Features(ctx, d, Query{FID: 7}, func(f *Feature) error { one = append(one, f.FID); return nil })
	if len(one) != 1 || one[0] != 7 {
		t.Errorf("by id: %v", one)
	}
}

func TestBadQueries(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	d := importFixture(t, s, "rnn", loadFixture(t, "rnn-isere.geojson"))
	snap, _ := s.Snapshot(ctx)
	defer snap.Close()
	err := snap.Features(ctx, d, Query{Equals: []Equal{{Field: "NOPE", Value: "x"}}}, func(*Feature) error { return nil })
	if !errors.Is(err, ErrBadQuery) || !strings.Contains(err.Error(), "NOM_SITE") {
		t.Errorf("unknown field: %v", err)
	}
	err = snap.Features(ctx, d, Query{Equals: []Equal{{Field: "SURF_OFF", Value: "big"}}}, func(*Feature) error { return nil })
	if !errors.Is(err, ErrBadQuery) {
		t.Errorf("bad number: %v", err)
	}
	if _, err := s.Dataset(ctx, "missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing dataset: %v", err)
	}
}

func TestMissingExtensionNamesThePackage(t *testing.T) {
	_, err := open(context.Background(), filepath.Join(t.TempDir(), "x.db"), "mod_spatialite_not_there")
	if !errors.Is(err, ErrNoSpatiaLite) || !strings.Contains(err.Error(), "apt-get install libsqlite3-mod-spatialite") {
		t.Errorf("error = %v", err)
	}
}

func TestValidateID(t *testing.T) {
	for _, ok := range []string{"rnn", "znieff1-grenoble-alpes-metropole", "a1"} {
		if ValidateID(ok) != nil {
			t.Errorf("%q rejected", ok)
		}
	}
	for _, bad := range []string{"", "RNN", "a_b", "-a", "a--b", "a b", "a;drop", strings.Repeat("a", 64)} {
		if ValidateID(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// Paging by offset gives the n-th features of the order whether the fids run without gaps (read by the index)
// or not (a territory cut some rows out: read by stepping over rows).
func TestOffsetPagingWithAndWithoutGaps(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	for _, gaps := range []bool{false, true} {
		info := DatasetInfo{ID: "pts", Title: "p", Producer: "t"}
		im, err := s.BeginImport(ctx, info.ID, ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 100; i++ {
			if gaps && i < 50 {
				continue // records 1..50 were cut out: fids 51..100 are left
			}
			if err := im.Add(ctx, Row{FID: int64(i + 1), Geometry: orb.Point{float64(i), 1}, Properties: []Property{{Key: "n", Value: int64(i)}}}); err != nil {
				t.Fatal(err)
			}
		}
		d, err := im.Commit(ctx, info, nil)
		if err != nil {
			t.Fatal(err)
		}
		sn, _ := s.Snapshot(ctx)
		var got []int64
		err = sn.Features(ctx, d, Query{Offset: 10, Limit: 5}, func(f *Feature) error {
			got = append(got, f.Values[0].(int64))
			return nil
		})
		sn.Close()
		want := "[10 11 12 13 14]"
		if gaps {
			want = "[60 61 62 63 64]"
		}
		if err != nil || fmt.Sprint(got) != want {
			t.Errorf("gaps %v: offset 10 limit 5 gives %v (%v), want %s", gaps, got, err, want)
		}
	}
}

// TileFeatures returns the columns in the order asked for, whatever their order in the dataset.
func TestTileFeaturesColumnOrder(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	d := importFixture(t, s, "rnn", loadFixture(t, "rnn-isere.geojson"))
	sn, _ := s.Snapshot(ctx)
	defer sn.Close()
	var got []any
	err := sn.TileFeatures(ctx, d, *d.BBox, []string{"NOM_SITE", "ID_MNHN", "DATE_CREA"}, func(f *Feature) error {
		if got == nil {
			got = append([]any(nil), f.Values...)
		}
		return nil
	})
	if err != nil || fmt.Sprint(got) != "[Haut-Vénéon FR3600013 1974-05-15]" {
		t.Errorf("values %v (%v), want [Haut-Vénéon FR3600013 1974-05-15]", got, err)
	}
	if err := sn.TileFeatures(ctx, d, *d.BBox, []string{"nope"}, func(*Feature) error { return nil }); !errors.Is(err, ErrBadQuery) {
		t.Errorf("unknown column: %v", err)
	}
}

// ThinTileFeatures reads one point per grid cell (the lowest fid), through the index alone.
func TestThinTileFeatures(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	info := DatasetInfo{ID: "grid", Title: "g", Producer: "t"}

	im, _ := s.BeginImport(ctx, info.ID, ImportOptions{})
	for i := 0; i < 40; i++ {
		for j := 0; j < 40; j++ {
			im.Add(ctx, Row{Geometry: orb.Point{5 + float64(i)*0.01 + 0.001, 45 + float64(j)*0.01 + 0.001}, Properties: []Property{{Key: "n", Value: int64(i*40 + j)}}})
		}
	}
	if _, err := im.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	d, _ := im.Commit(ctx, info, nil)
	sn, _ := s.Snapshot(ctx)
	defer sn.Close()
	n := 0
	var firsts []any
	err := sn.ThinTileFeatures(ctx, d, orb.Bound{Min: orb.Point{5, 45}, Max: orb.Point{5.4, 45.4}}, 0.1, 0.1, []string{"n"}, func(f *Feature) error {
		n++
		if n <= 2 {
			firsts = append(firsts, f.Values[0])
		}
		return nil
	})
	// 40 × 40 points on a 0.01° grid, cells of 0.1°: 4 × 4 cells of 100 points each.
	if err != nil || n != 16 || fmt.Sprint(firsts) != "[0 10]" {
		t.Errorf("%d points (%v), first %v; want 16, the first of each cell", n, err, firsts)
	}
}

// Polygon datasets keep the simplified copies the import gives, made and replaced with each import; the rows
// without one are read whole at low zoom.
func TestLowZoomCopy(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	fc := loadFixture(t, "rnn-isere.geojson")
	importLowZoom := func() Dataset {
		info := DatasetInfo{ID: "rnn", Title: "rnn", Producer: "INPN"}
		im, err := s.BeginImport(ctx, info.ID, ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for i, f := range fc.Features {
			r := Row{Geometry: f.Geometry, Properties: props(f, rnnKeys)}
			if i%2 == 0 {
				r.LowZoom = orb.Bound{Min: orb.Point{5, 45}, Max: orb.Point{5.1, 45.1}}.ToPolygon()
			}
			if err := im.Add(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		d, err := im.Commit(ctx, info, nil)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	d := importLowZoom()
	var n int
	s.db.QueryRow(`SELECT count(*) FROM patrimap_lowzoom_rnn`).Scan(&n)
	if n != 8 {
		t.Errorf("copy: %d rows, want the 8 given", n)
	}
	sn, _ := s.Snapshot(ctx)
	boxes, full := 0, 0
	err := sn.LowZoomTileFeatures(ctx, d, *d.BBox, []string{"ID_MNHN"}, func(f *Feature) error {
		if f.Geometry == nil || f.Values[0] == nil {
			t.Errorf("feature %d: %v %v", f.FID, f.Geometry, f.Values)
		}
		if f.FID%2 == 1 {
			if _, ok := f.Geometry.(orb.Polygon); ok && len(f.Geometry.(orb.Polygon)[0]) == 5 {
				boxes++
			}
		} else if _, ok := f.Geometry.(orb.MultiPolygon); ok {
			full++
		}
		return nil
	})
	sn.Close()
	if err != nil || boxes != 8 || full != 7 {
		t.Errorf("low-zoom features: %d simplified, %d whole (%v); want 8 and 7", boxes, full, err)
	}
	importLowZoom()
	s.db.QueryRow(`SELECT count(*) FROM patrimap_lowzoom_rnn`).Scan(&n)
	if n != 8 {
		t.Errorf("after a re-import the copy has %d rows", n)
	}
}
