package storetest

import (
	"errors"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/store"
)

// A bounding box selects the features whose shape meets it, not only their box; Count agrees.
func testBBox(t *testing.T, fx *fixture) {
	d := fx.importRNN("rnn")
	sn := fx.snapshot()
	// Around the Haut-Vénéon reserve.
	b := orb.Bound{Min: orb.Point{6.2, 44.9}, Max: orb.Point{6.35, 45.0}}
	fs, err := collect(fx.ctx, sn, d, store.Query{BBox: &b})
	if err != nil {
		t.Fatal(err)
	}
	if got := sprint(column(t, d, fs, "ID_MNHN")); got != "[FR3600013]" {
		t.Errorf("in the Haut-Vénéon box: %s", got)
	}
	n, err := sn.Count(fx.ctx, d, store.Query{BBox: &b})
	if err != nil || n != int64(len(fs)) {
		t.Errorf("count %d (%v), streamed %d", n, err, len(fs))
	}

	// An L-shaped site: a box inside its bounding box but outside its shape selects nothing.
	l := orb.Polygon{{{0, 0}, {2, 0}, {2, 1}, {1, 1}, {1, 2}, {0, 2}, {0, 0}}}
	ld := fx.importRows("ell", store.ImportOptions{}, []store.Row{{Geometry: l}, {Geometry: orb.Point{5, 5}}, {}})
	sn = fx.snapshot() // one that sees it
	for _, tt := range []struct {
		box  orb.Bound
		want string
	}{
		{orb.Bound{Min: orb.Point{1.5, 1.5}, Max: orb.Point{1.9, 1.9}}, "[]"},
		{orb.Bound{Min: orb.Point{0.5, 0.5}, Max: orb.Point{0.6, 0.6}}, "[1]"},
		{orb.Bound{Min: orb.Point{2, 1}, Max: orb.Point{3, 3}}, "[1]"}, // touching at a corner counts
		{orb.Bound{Min: orb.Point{-10, -10}, Max: orb.Point{10, 10}}, "[1 2]"},
	} {
		got := fx.mustFeatures(ld, store.Query{BBox: &tt.box})
		n, err := sn.Count(fx.ctx, ld, store.Query{BBox: &tt.box})
		if sprint(fids(got)) != tt.want || err != nil || n != int64(len(got)) {
			t.Errorf("box %v: fids %v, count %d (%v); want %s", tt.box, fids(got), n, err, tt.want)
		}
	}
	none := fx.importRows("no-geometry", store.ImportOptions{}, []store.Row{{Properties: []store.Property{{Key: "a", Value: "b"}}}})
	if fs := fx.mustFeatures(none, store.Query{BBox: &b}); len(fs) != 0 {
		t.Errorf("a dataset without geometry has %d features in a box", len(fs))
	}
}

// Keyset paging (AfterFID) and offset paging never skip nor repeat a feature, with or without gaps in the fids;
// FID finds one feature.
func testPaging(t *testing.T, fx *fixture) {
	for _, gaps := range []bool{false, true} {
		var rows []store.Row
		for i := 0; i < 100; i++ {
			if gaps && i < 50 {
				continue // records 1..50 were cut out by a territory: fids 51..100 are left
			}
			rows = append(rows, store.Row{FID: int64(i + 1), Geometry: orb.Point{float64(i), 1}, Properties: []store.Property{{Key: "n", Value: int64(i)}}})
		}
		d := fx.importRows("pts", store.ImportOptions{}, rows)
		seen := map[int64]bool{}
		after := int64(0)
		for page := 0; page < 30; page++ {
			fs := fx.mustFeatures(d, store.Query{AfterFID: after, Limit: 7})
			if len(fs) == 0 {
				break
			}
			for _, f := range fs {
				if seen[f.FID] || f.FID <= after {
					t.Errorf("gaps %v: fid %d seen twice or out of order", gaps, f.FID)
				}
				seen[f.FID] = true
				after = f.FID
			}
		}
		if len(seen) != len(rows) {
			t.Errorf("gaps %v: keyset paging saw %d features, want %d", gaps, len(seen), len(rows))
		}
		var byOffset []any
		for off := 0; off < len(rows)+10; off += 9 {
			byOffset = append(byOffset, column(t, d, fx.mustFeatures(d, store.Query{Offset: off, Limit: 9}), "n")...)
		}
		if len(byOffset) != len(rows) || byOffset[0] != int64(100-len(rows)) || byOffset[len(byOffset)-1] != int64(99) {
			t.Errorf("gaps %v: offset paging read %d values, first %v, last %v", gaps, len(byOffset), byOffset[0], byOffset[len(byOffset)-1])
		}
		want := "[10 11 12 13 14]"
		if gaps {
			want = "[60 61 62 63 64]"
		}
		if got := sprint(column(t, d, fx.mustFeatures(d, store.Query{Offset: 10, Limit: 5}), "n")); got != want {
			t.Errorf("gaps %v: offset 10 limit 5 gives %s, want %s", gaps, got, want)
		}
		if got := fx.mustFeatures(d, store.Query{Offset: 45}); len(got) != len(rows)-45 {
			t.Errorf("gaps %v: offset 45 without limit gives %d features, want %d", gaps, len(got), len(rows)-45)
		}
		one := fx.mustFeatures(d, store.Query{FID: 77})
		if len(one) != 1 || one[0].FID != 77 || one[0].Values[0] != int64(76) {
			t.Errorf("gaps %v: fid 77 gives %v", gaps, one)
		}
		if got := fx.mustFeatures(d, store.Query{FID: 1000}); len(got) != 0 {
			t.Errorf("fid 1000 gives %v", got)
		}
	}
}

// Filters select what SQL (and CQL2) say they select: a comparison with a missing value is never true, NOT of
// it neither; text compares byte by byte and LIKE is case-sensitive.
func testFilters(t *testing.T, fx *fixture) {
	type p = store.Property
	rows := []store.Row{
		{Geometry: orb.Point{1, 1}, Properties: []p{{Key: "name", Value: "Lac Luitel"}, {Key: "n", Value: int64(3)}, {Key: "area", Value: 17.158}, {Key: "created", Value: "1961-03-15"}, {Key: "marine", Value: false}}},
		{Geometry: orb.Point{2, 2}, Properties: []p{{Key: "name", Value: "lac du Lauvitel"}, {Key: "n", Value: int64(10)}, {Key: "area", Value: 690.0}, {Key: "created", Value: "1995-06-20"}, {Key: "marine", Value: false}}},
		{Geometry: orb.Point{3, 3}, Properties: []p{{Key: "name", Value: "Étang 50%_off"}, {Key: "n", Value: nil}, {Key: "area", Value: 53.5}, {Key: "created", Value: nil}, {Key: "marine", Value: true}}},
		{Properties: []p{{Key: "name", Value: nil}, {Key: "n", Value: int64(-1)}, {Key: "area", Value: nil}, {Key: "created", Value: "2013-12-04"}, {Key: "marine", Value: nil}}},
		{Geometry: orb.Polygon{{{0, 0}, {0.5, 0}, {0.5, 0.5}, {0, 0}}}, Properties: []p{{Key: "name", Value: "Lac"}, {Key: "n", Value: int64(3)}}},
	}
	d := fx.importRows("filters", store.ImportOptions{}, rows)
	square := orb.Polygon{{{0.9, 0.9}, {2.1, 0.9}, {2.1, 2.1}, {0.9, 2.1}, {0.9, 0.9}}}
	cmp := func(p, op string, v any) store.Expr { return store.Compare{Property: p, Op: op, Value: v} }
	in := func(p string, vs ...any) store.Expr { return store.In{Property: p, Values: vs} }
	tests := []struct {
		name   string
		filter store.Expr
		equals []store.Equal
		want   string
	}{
		{"integer =", cmp("n", "=", int64(3)), nil, "[1 5]"},
		{"integer <> leaves NULL out", cmp("n", "<>", int64(3)), nil, "[2 4]"},
		{"integer > with a real", cmp("n", ">", 2.5), nil, "[1 2 5]"},
		{"real <=", cmp("area", "<=", int64(54)), nil, "[1 3]"},
		{"text <", cmp("name", "<", "Lac z"), nil, "[1 5]"},
		{"text >= is byte order", cmp("name", ">=", "a"), nil, "[2 3]"},
		{"date >=", cmp("created", ">=", "1990-01-01"), nil, "[2 4]"},
		{"boolean", cmp("marine", "=", true), nil, "[3]"},
		{"NOT of a NULL comparison", store.Not{X: cmp("n", "=", int64(3))}, nil, "[2 4]"},
		{"NOT NOT", store.Not{X: store.Not{X: cmp("n", "=", int64(3))}}, nil, "[1 5]"},
		{"IS NULL", store.IsNull{Property: "n"}, nil, "[3]"},
		{"NOT IS NULL", store.Not{X: store.IsNull{Property: "area"}}, nil, "[1 2 3]"},
		{"LIKE is case-sensitive", store.Like{Property: "name", Pattern: "Lac%"}, nil, "[1 5]"},
		{"LIKE _", store.Like{Property: "name", Pattern: "lac d_ Lauvitel"}, nil, "[2]"},
		{"LIKE escapes", store.Like{Property: "name", Pattern: `%50\%\_off`}, nil, "[3]"},
		{"LIKE a character beyond ASCII", store.Like{Property: "name", Pattern: "_tang%"}, nil, "[3]"},
		{"LIKE on a date", store.Like{Property: "created", Pattern: "19%"}, nil, "[1 2]"},
		{"IN", in("n", int64(10), int64(-1), int64(99)), nil, "[2 4]"},
		{"IN text", in("name", "Lac", "lac"), nil, "[5]"},
		{"OR with an unknown", store.Or{cmp("n", ">", int64(5)), cmp("area", ">", 50.0)}, nil, "[2 3]"},
		{"AND", store.And{cmp("n", ">=", int64(3)), cmp("area", "<", 100.0)}, nil, "[1]"},
		{"intersects", store.Intersects{Geometry: square}, nil, "[1 2]"},
		{"intersects a corner of a triangle", store.Intersects{Geometry: orb.Polygon{{{0.4, 0.1}, {0.6, 0.1}, {0.6, 0.3}, {0.4, 0.1}}}}, nil, "[5]"},
		{"not intersecting the triangle's box corner", store.Intersects{Geometry: orb.Point{0.1, 0.4}}, nil, "[]"},
		{"equals converted to the field's type", nil, []store.Equal{{Field: "n", Value: "3"}, {Field: "name", Value: "Lac"}}, "[5]"},
		{"equals on a real", nil, []store.Equal{{Field: "area", Value: "690"}}, "[2]"},
		{"equals on a boolean", nil, []store.Equal{{Field: "marine", Value: "false"}}, "[1 2]"},
		{"equals and a filter", cmp("n", "=", int64(3)), []store.Equal{{Field: "name", Value: "Lac Luitel"}}, "[1]"},
	}
	sn := fx.snapshot()
	for _, tt := range tests {
		q := store.Query{Filter: tt.filter, Equals: tt.equals}
		fs, err := collect(fx.ctx, sn, d, q)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		n, err := sn.Count(fx.ctx, d, q)
		if got := sprint(fids(fs)); got != tt.want || err != nil || n != int64(len(fs)) {
			t.Errorf("%s: fids %s, count %d (%v); want %s", tt.name, got, n, err, tt.want)
		}
	}
}

// A query that names what the dataset does not have, or a value of the wrong type, is the user's error
// (ErrBadQuery), saying what there is.
func testBadQueries(t *testing.T, fx *fixture) {
	d := fx.importRNN("rnn")
	tests := []struct {
		name string
		q    store.Query
		want string
	}{
		{"unknown equality field", store.Query{Equals: []store.Equal{{Field: "NOPE", Value: "x"}}}, `has no property "NOPE" (properties: ID_LOCAL, PRN_ASSO`},
		{"number expected", store.Query{Equals: []store.Equal{{Field: "SURF_OFF", Value: "big"}}}, `property "SURF_OFF" is a number, "big" is not`},
		{"unknown filter field", store.Query{Filter: store.IsNull{Property: "colour"}}, `has no property "colour" (queryables: ID_LOCAL`},
		{"text for a real", store.Query{Filter: store.Compare{Property: "SURF_OFF", Op: "=", Value: "big"}}, `property "SURF_OFF" is real, big is not`},
		{"unknown operator", store.Query{Filter: store.Compare{Property: "SURF_OFF", Op: "~", Value: 1.0}}, `unknown operator "~"`},
		{"LIKE on a number", store.Query{Filter: store.Like{Property: "SURF_OFF", Pattern: "1%"}}, "LIKE needs a text property"},
		{"empty IN", store.Query{Filter: store.In{Property: "ID_MNHN"}}, "IN needs at least one value"},
		{"empty AND", store.Query{Filter: store.And{}}, "empty AND"},
		{"unknown sort key", store.Query{Sort: []store.SortKey{{Property: "nope"}}}, `sortby: dataset rnn has no property "nope"`},
		{"unknown selected field", store.Query{Select: []string{"NOM_SITE", "nope"}}, `has no property "nope"`},
	}
	sn := fx.snapshot()
	for _, tt := range tests {
		err := sn.Features(fx.ctx, d, tt.q, func(*store.Feature) error { return nil })
		if !errors.Is(err, store.ErrBadQuery) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want ErrBadQuery saying %q", tt.name, err, tt.want)
		}
		if _, err := sn.Count(fx.ctx, d, tt.q); tt.q.Select == nil && !errors.Is(err, store.ErrBadQuery) {
			t.Errorf("%s: Count says %v", tt.name, err)
		}
	}
}

// Sorting orders by the keys then by fid; a missing value comes first, last when descending; offset pages of
// a sorted query never skip nor repeat.
func testSort(t *testing.T, fx *fixture) {
	var rows []store.Row
	kinds := []any{"b", nil, "a", "b", "c", nil, "a", "b"}
	for i, k := range kinds {
		rows = append(rows, store.Row{Properties: []store.Property{{Key: "kind", Value: k}, {Key: "size", Value: float64(i % 3)}}})
	}
	d := fx.importRows("sorted", store.ImportOptions{}, rows)
	tests := []struct {
		keys []store.SortKey
		want string
	}{
		{[]store.SortKey{{Property: "kind"}}, "[2 6 3 7 1 4 8 5]"},
		{[]store.SortKey{{Property: "kind", Desc: true}}, "[5 1 4 8 3 7 2 6]"},
		{[]store.SortKey{{Property: "kind"}, {Property: "size", Desc: true}}, "[6 2 3 7 8 1 4 5]"},
		{[]store.SortKey{{Property: "size"}, {Property: "kind"}}, "[7 1 4 2 8 5 6 3]"},
	}
	for _, tt := range tests {
		got := sprint(fids(fx.mustFeatures(d, store.Query{Sort: tt.keys})))
		if got != tt.want {
			t.Errorf("sort %v: %s, want %s", tt.keys, got, tt.want)
		}
		var paged []int64
		for off := 0; off < len(rows); off += 3 {
			paged = append(paged, fids(fx.mustFeatures(d, store.Query{Sort: tt.keys, Offset: off, Limit: 3}))...)
		}
		if sprint(paged) != tt.want {
			t.Errorf("sort %v by pages of 3: %v, want %s", tt.keys, paged, tt.want)
		}
	}
}

// Select reads some properties: Values in the dataset's order, whatever the order asked.
func testSelect(t *testing.T, fx *fixture) {
	d := fx.importRNN("rnn")
	fs := fx.mustFeatures(d, store.Query{Select: []string{"ID_MNHN", "NOM_SITE", "DATE_CREA"}, Limit: 1})
	if len(fs) != 1 || sprint(fs[0].Values) != "[Haut-Vénéon 1974-05-15 FR3600013]" || fs[0].Geometry == nil {
		t.Errorf("selected %v", fs)
	}
	fs = fx.mustFeatures(d, store.Query{Select: []string{}, Limit: 2})
	if len(fs) != 2 || len(fs[0].Values) != 0 {
		t.Errorf("nothing selected: %v", fs)
	}
}
