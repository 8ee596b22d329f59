package storetest

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/store"
)

// The catalogue lists what was imported, ordered by theme then id, with what each import measured.
func testCatalogue(t *testing.T, fx *fixture) {
	before := time.Now().Add(-time.Second)
	rnn := fx.importRNN("rnn-isere")
	im, err := fx.st.BeginImport(fx.ctx, "mh-isere", store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	im.Add(fx.ctx, store.Row{Geometry: orb.Point{5.72, 45.19}, Properties: []store.Property{{Key: "nom", Value: "Bastille"}}})
	mh := info("mh-isere")
	mh.Theme, mh.Licence, mh.SourceCRS = store.ThemeCultural, "Licence Ouverte 2.0", "EPSG:2154"
	mh.Source = store.Source{URL: "https://data.culture.gouv.fr/", SHA256: "abc"}
	if _, err := im.Commit(fx.ctx, mh, map[string]int{"read": 1}); err != nil {
		t.Fatal(err)
	}

	sn := fx.snapshot()
	ds, err := sn.Datasets(fx.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range ds {
		ids = append(ids, d.ID)
	}
	if strings.Join(ids, ",") != "mh-isere,rnn-isere" { // cultural before natural
		t.Errorf("catalogue order %v, want by theme then id", ids)
	}
	d, err := sn.Dataset(fx.ctx, "rnn-isere")
	if err != nil {
		t.Fatal(err)
	}
	if d.FeatureCount != 15 || d.Version != 1 || d.GeometryType != "MULTIPOLYGON" || d.Table != "rnn_isere" ||
		d.Title != "Title of rnn-isere" || d.Producer != "storetest" || d.Theme != store.ThemeNatural {
		t.Errorf("entry: %d features, version %d, %s, table %s, %q, %q, %q", d.FeatureCount, d.Version, d.GeometryType, d.Table, d.Title, d.Producer, d.Theme)
	}
	if d.BBox == nil || math.Abs(d.BBox.Min[0]-rnn.BBox.Min[0]) > 0 || d.BBox.Min[0] < 4.7 || d.BBox.Max[0] > 7.2 || d.BBox.Min[1] < 44.5 || d.BBox.Max[1] > 46.4 {
		t.Errorf("bbox %v (commit said %v)", d.BBox, rnn.BBox)
	}
	if d.ImportedAt.Before(before) || d.ImportedAt.After(time.Now().Add(time.Second)) || d.Source.RetrievedAt.IsZero() {
		t.Errorf("imported at %v, retrieved at %v", d.ImportedAt, d.Source.RetrievedAt)
	}
	var rep map[string]int
	if err := json.Unmarshal(d.Report, &rep); err != nil || rep["read"] != 15 {
		t.Errorf("report %s (%v)", d.Report, err)
	}
	if len(d.Fields) != len(rnnKeys) || d.Fields[3].Name != "NOM_SITE" {
		t.Errorf("fields %v", d.Fields)
	}
	m, err := sn.Dataset(fx.ctx, "mh-isere")
	if err != nil {
		t.Fatal(err)
	}
	if m.Theme != store.ThemeCultural || m.Licence != "Licence Ouverte 2.0" || m.SourceCRS != "EPSG:2154" || m.Source.URL != "https://data.culture.gouv.fr/" ||
		m.Source.SHA256 != "abc" || m.GeometryType != "POINT" || m.BBox == nil || m.BBox.Min != (orb.Point{5.72, 45.19}) {
		t.Errorf("entry %+v", m)
	}
	if _, err := sn.Dataset(fx.ctx, "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing dataset: %v, want ErrNotFound", err)
	}
}

// Values come back as they went in, typed by what was seen in each column.
func testValuesAndTypes(t *testing.T, fx *fixture) {
	d := fx.importRNN("rnn")
	want := map[string]store.FieldType{"ID_LOCAL": store.FieldText, "PRN_ASSO": store.FieldText, "DATE_CREA": store.FieldDate,
		"MODIF_ADM": store.FieldDate, "SURF_OFF": store.FieldReal, "ID_MNHN": store.FieldText}
	for name, typ := range want {
		if f, ok := d.Field(name); !ok || f.Type != typ {
			t.Errorf("field %s = %+v, want type %s", name, f, typ)
		}
	}
	fs := fx.mustFeatures(d, store.Query{})
	if len(fs) != 15 {
		t.Fatalf("%d features, want 15", len(fs))
	}
	first := fs[0]
	if first.FID != 1 || first.Values[3] != "Haut-Vénéon" || first.Values[4] != "1974-05-15" || first.Values[7] != 61.0 ||
		first.Values[1] != nil || first.Values[8] != "FR3600013" {
		t.Errorf("first feature: fid %d, %#v", first.FID, first.Values)
	}
	mp, ok := first.Geometry.(orb.MultiPolygon)
	src := rnnRows(t)[0].Geometry.(orb.Polygon)
	if !ok || len(mp) != 1 || len(mp[0][0]) != len(src[0]) || mp[0][0][7] != src[0][7] {
		t.Errorf("geometry %T, want the fixture's polygon as a MultiPolygon, coordinates exact", first.Geometry)
	}
	if got := column(t, d, fs, "MODIF_ADM"); got[0] != "2011-06-21" || got[2] != nil {
		t.Errorf("MODIF_ADM %v", got[:3])
	}

	// Leading zeros stay text; a number in a text column does not turn it numeric.
	rows := []store.Row{}
	for _, code := range []string{"06059", "2A004", "38185"} {
		rows = append(rows, store.Row{Geometry: orb.Point{5, 45}, Properties: []store.Property{{Key: "insee", Value: code}, {Key: "n", Value: int64(1)}, {Key: "mixed", Value: code}}})
	}
	rows = append(rows, store.Row{Properties: []store.Property{{Key: "insee", Value: "6059"}, {Key: "n", Value: 2.5}, {Key: "mixed", Value: int64(12)}}})
	codes := fx.importRows("codes", store.ImportOptions{}, rows)
	types := map[string]store.FieldType{}
	for _, f := range codes.Fields {
		types[f.Name] = f.Type
	}
	if types["insee"] != store.FieldText || types["n"] != store.FieldReal || types["mixed"] != store.FieldText {
		t.Errorf("types %v", types)
	}
	fs = fx.mustFeatures(codes, store.Query{})
	if got := sprint(column(t, codes, fs, "mixed")); got != "[06059 2A004 38185 12]" {
		t.Errorf("mixed column %s", got)
	}
	if got := column(t, codes, fs, "n"); got[0] != 1.0 || got[3] != 2.5 {
		t.Errorf("n column %#v, want float64 1 and 2.5", got)
	}
	if fs[3].Geometry != nil {
		t.Errorf("row without geometry read as %v", fs[3].Geometry)
	}

	// A type the source declares wins when the values allow it.
	decl := fx.importRows("declared", store.ImportOptions{Fields: []store.Field{
		{Name: "code", Type: store.FieldText, Description: "INSEE code"}, {Name: "flag", Type: store.FieldBoolean}, {Name: "when", Type: store.FieldDate}}},
		[]store.Row{{Properties: []store.Property{{Key: "code", Value: int64(38185)}, {Key: "flag", Value: int64(1)}, {Key: "when", Value: "oops"}}},
			{Properties: []store.Property{{Key: "code", Value: int64(1)}, {Key: "flag", Value: int64(0)}, {Key: "when", Value: "2020-01-01"}}}})
	if got := sprint(decl.Fields); got != "[{code text INSEE code} {flag boolean } {when text }]" {
		t.Errorf("declared fields %s", got)
	}
	fs = fx.mustFeatures(decl, store.Query{})
	if got := sprint(fs[0].Values) + sprint(fs[1].Values); got != "[38185 true oops][1 false 2020-01-01]" {
		t.Errorf("declared values %s", got)
	}
}

// A column holds one type: values of other kinds are converted as store.Coerce says, the same in every store.
func testCoercion(t *testing.T, fx *fixture) {
	when := time.Date(2024, 3, 5, 10, 30, 0, 0, time.UTC)
	rows := []store.Row{
		{Properties: []store.Property{{Key: "text", Value: "a"}, {Key: "real", Value: 1.5}, {Key: "json", Value: json.RawMessage(`{"a":[1,2]}`)}, {Key: "at", Value: when}, {Key: "int", Value: 7}, {Key: "yes", Value: true}}},
		{Properties: []store.Property{{Key: "text", Value: 2.5}, {Key: "real", Value: int64(3)}, {Key: "json", Value: nil}, {Key: "at", Value: "2024-03-06T08:00:00Z"}, {Key: "int", Value: int64(-4)}, {Key: "yes", Value: false}}},
		{Properties: []store.Property{{Key: "text", Value: 12.0}, {Key: "real", Value: 0.1}}},
		{Properties: []store.Property{{Key: "text", Value: true}, {Key: "real", Value: 1e20}}},
		{Properties: []store.Property{{Key: "text", Value: int64(-3)}, {Key: "real", Value: -0.000125}}},
		{Properties: []store.Property{{Key: "text", Value: 1.0 / 3}}},
		{Properties: []store.Property{{Key: "text", Value: 1e16}}},
		{Properties: []store.Property{{Key: "text", Value: 1.5e-5}}},
	}
	d := fx.importRows("coerced", store.ImportOptions{}, rows)
	if got := sprint(d.Fields); got != "[{text text } {real real } {json json } {at datetime } {int integer } {yes boolean }]" {
		t.Errorf("fields %s", got)
	}
	fs := fx.mustFeatures(d, store.Query{})
	for i, want := range [][]any{
		{"a", 1.5, `{"a":[1,2]}`, "2024-03-05T10:30:00Z", int64(7), true},
		{"2.5", 3.0, nil, "2024-03-06T08:00:00Z", int64(-4), false},
		{"12.0", 0.1, nil, nil, nil, nil},
		{"1", 1e20, nil, nil, nil, nil},
		{"-3", -0.000125, nil, nil, nil, nil},
		{"0.33333333333333331", nil, nil, nil, nil, nil},
		{"10000000000000000.0", nil, nil, nil, nil, nil},
		{"1.5e-05", nil, nil, nil, nil, nil},
	} {
		for j, w := range want {
			if got := fs[i].Values[j]; got != w {
				t.Errorf("row %d %s = %#v, want %#v", i+1, d.Fields[j].Name, got, w)
			}
			if w != nil && store.Coerce(rows[i].Properties[j].Value, d.Fields[j].Type) != w && j != 2 && j != 3 && j != 4 {
				t.Errorf("store.Coerce(%#v, %s) differs from the store's %#v", rows[i].Properties[j].Value, d.Fields[j].Type, w)
			}
		}
	}
}

// Column names are the property keys, renamed when taken: names ignore case, fid and geom are the store's.
func testColumnNames(t *testing.T, fx *fixture) {
	im, err := fx.st.BeginImport(fx.ctx, "names", store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer im.Rollback()
	err = im.Add(fx.ctx, store.Row{Geometry: orb.Point{1, 1}, Properties: []store.Property{{Key: "NOM", Value: "a"}, {Key: "nom", Value: "b"},
		{Key: "fid", Value: "c"}, {Key: "GEOM", Value: "d"}, {Key: `we"ird`, Value: "e"}, {Key: "", Value: "f"}, {Key: "Nom", Value: "g"}}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := im.Finish(fx.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range res.Fields {
		names = append(names, f.Name)
	}
	if strings.Join(names, "|") != `NOM|nom_2|fid_2|GEOM_2|we"ird|field|Nom_3` {
		t.Errorf("columns %q", names)
	}
	if res.Renamed["nom"] != "nom_2" || res.Renamed["fid"] != "fid_2" || len(res.Renamed) != 5 {
		t.Errorf("renamed %v", res.Renamed)
	}
	d, err := im.Commit(fx.ctx, info("names"), nil)
	if err != nil {
		t.Fatal(err)
	}
	fs := fx.mustFeatures(d, store.Query{Filter: store.Compare{Property: `we"ird`, Op: "=", Value: "e"}})
	if len(fs) != 1 || sprint(fs[0].Values) != "[a b c d e f g]" {
		t.Errorf("read back %v", fs)
	}
}

// A layer's geometry type is what its rows hold, lines and polygons as their multi type.
func testGeometryTypes(t *testing.T, fx *fixture) {
	square := orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}
	line := orb.LineString{{0, 0}, {1, 1}}
	tests := []struct {
		id    string
		geoms []orb.Geometry
		want  string
		first string // the Go type of the first geometry read back
	}{
		{"points", []orb.Geometry{orb.Point{1, 2}, nil, orb.Point{3, 4}}, "POINT", "orb.Point"},
		{"multipoints", []orb.Geometry{orb.Point{1, 2}, orb.MultiPoint{{3, 4}, {5, 6}}}, "MULTIPOINT", "orb.MultiPoint"},
		{"lines", []orb.Geometry{line, orb.MultiLineString{line}}, "MULTILINESTRING", "orb.MultiLineString"},
		{"polygons", []orb.Geometry{square, orb.MultiPolygon{square}}, "MULTIPOLYGON", "orb.MultiPolygon"},
		{"mixed", []orb.Geometry{square, orb.Point{1, 2}}, "GEOMETRY", "orb.Polygon"},
		{"collection", []orb.Geometry{orb.Collection{orb.Point{1, 2}, line}}, "GEOMETRY", "orb.Collection"},
		{"none", []orb.Geometry{nil, nil}, "", ""},
	}
	for _, tt := range tests {
		var rows []store.Row
		for i, g := range tt.geoms {
			rows = append(rows, store.Row{Geometry: g, Properties: []store.Property{{Key: "i", Value: int64(i)}}})
		}
		d := fx.importRows(tt.id, store.ImportOptions{}, rows)
		fs := fx.mustFeatures(d, store.Query{})
		first := ""
		if fs[0].Geometry != nil {
			first = sprintType(fs[0].Geometry)
		}
		if d.GeometryType != tt.want || first != tt.first || len(fs) != len(tt.geoms) {
			t.Errorf("%s: type %q, first read back as %q, %d features; want %q, %q, %d", tt.id, d.GeometryType, first, len(fs), tt.want, tt.first, len(tt.geoms))
		}
		if tt.want == "" && (d.BBox != nil || fs[1].Geometry != nil) {
			t.Errorf("%s: bbox %v, geometry %v", tt.id, d.BBox, fs[1].Geometry)
		}
	}
}

func sprintType(g orb.Geometry) string {
	switch g.(type) {
	case orb.Point:
		return "orb.Point"
	case orb.MultiPoint:
		return "orb.MultiPoint"
	case orb.LineString:
		return "orb.LineString"
	case orb.MultiLineString:
		return "orb.MultiLineString"
	case orb.Polygon:
		return "orb.Polygon"
	case orb.MultiPolygon:
		return "orb.MultiPolygon"
	case orb.Collection:
		return "orb.Collection"
	}
	return "?"
}

// The memo keeps small values by kind and key.
func testMemo(t *testing.T, fx *fixture) {
	if _, ok, err := fx.st.Recall(fx.ctx, "territory", "epci:1"); ok || err != nil {
		t.Errorf("empty memo: %v %v", ok, err)
	}
	for _, v := range []string{`{"name":"a"}`, `{"name":"b"}`} {
		if err := fx.st.Remember(fx.ctx, "territory", "epci:1", []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	fx.st.Remember(fx.ctx, "other", "epci:1", []byte("x"))
	v, ok, err := fx.st.Recall(fx.ctx, "territory", "epci:1")
	if !ok || err != nil || string(v) != `{"name":"b"}` {
		t.Errorf("recalled %q %v %v, want the last value", v, ok, err)
	}
	if v, _, _ := fx.st.Recall(fx.ctx, "other", "epci:1"); string(v) != "x" {
		t.Errorf("kinds share keys: %q", v)
	}
	fx.st.Remember(fx.ctx, "territory", "dep:38", []byte("c"))
	all, err := fx.st.RecallAll(fx.ctx, "territory")
	if err != nil || len(all) != 2 || string(all["epci:1"]) != `{"name":"b"}` || string(all["dep:38"]) != "c" {
		t.Errorf("every territory: %q %v, want epci:1 and dep:38 only", all, err)
	}
	if none, err := fx.st.RecallAll(fx.ctx, "nothing"); len(none) != 0 || err != nil {
		t.Errorf("a kind never kept: %q %v", none, err)
	}
	// What a person wrote outlives a re-import of the dataset it describes.
	fx.st.Remember(fx.ctx, "sheet", "rnn", []byte(`{"written":{"title":"Réserves"}}`))
	fx.importRNN("rnn")
	if v, ok, _ := fx.st.Recall(fx.ctx, "sheet", "rnn"); !ok || string(v) != `{"written":{"title":"Réserves"}}` {
		t.Errorf("sheet after a re-import: %q %v", v, ok)
	}
}
