package cql2

import (
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/store"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want store.Expr
	}{
		{`id = '06059'`, store.Compare{Property: "id", Op: "=", Value: "06059"}},
		{`area_ha >= 12.5 AND created < DATE('2000-01-01')`, store.And{
			store.Compare{Property: "area_ha", Op: ">=", Value: 12.5}, store.Compare{Property: "created", Op: "<", Value: "2000-01-01"}}},
		{`"nom du site" <> 'L''Aval' or generation = 2`, store.Or{
			store.Compare{Property: "nom du site", Op: "<>", Value: "L'Aval"}, store.Compare{Property: "generation", Op: "=", Value: int64(2)}}},
		{`NOT (marin = TRUE)`, store.Not{X: store.Compare{Property: "marin", Op: "=", Value: true}}},
		{`name LIKE 'Réserve%'`, store.Like{Property: "name", Pattern: "Réserve%"}},
		{`name NOT LIKE '%Lac_'`, store.Not{X: store.Like{Property: "name", Pattern: "%Lac_"}}},
		{`kind IN ('cpn', 'aapn')`, store.In{Property: "kind", Values: []any{"cpn", "aapn"}}},
		{`code NOT IN (1, 2.5)`, store.Not{X: store.In{Property: "code", Values: []any{int64(1), 2.5}}}},
		{`created IS NULL`, store.IsNull{Property: "created"}},
		{`created IS NOT NULL`, store.Not{X: store.IsNull{Property: "created"}}},
		{`surf BETWEEN 1 AND 10`, store.And{store.Compare{Property: "surf", Op: ">=", Value: int64(1)}, store.Compare{Property: "surf", Op: "<=", Value: int64(10)}}},
		{`a = 1 AND b = 2 OR c = 3`, store.Or{store.And{store.Compare{Property: "a", Op: "=", Value: int64(1)}, store.Compare{Property: "b", Op: "=", Value: int64(2)}},
			store.Compare{Property: "c", Op: "=", Value: int64(3)}}},
		{`S_INTERSECTS(geometry, BBOX(5.6, 45.1, 5.8, 45.3))`, store.Intersects{Geometry: orb.Bound{Min: orb.Point{5.6, 45.1}, Max: orb.Point{5.8, 45.3}}.ToPolygon()}},
		{`s_intersects(POINT(5.7 45.2), geom)`, store.Intersects{Geometry: orb.Point{5.7, 45.2}}},
		{`S_INTERSECTS(geometry, POLYGON((5 45, 6 45, 6 46, 5 45)))`, store.Intersects{Geometry: orb.Polygon{{{5, 45}, {6, 45}, {6, 46}, {5, 45}}}}},
		{`S_INTERSECTS(geometry,POLYGON((5 45,6 45,6 46,5 45))) AND id='x'`, store.And{store.Intersects{Geometry: orb.Polygon{{{5, 45}, {6, 45}, {6, 46}, {5, 45}}}},
			store.Compare{Property: "id", Op: "=", Value: "x"}}},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %#v\nwant %#v", tt.in, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{``, "at character 1: expected a property name, found the end of the filter"},
		{`id = `, "expected a value"},
		{`id == 1`, "expected a value"},
		{`id = 'open`, "unterminated string"},
		{`id = 1 $`, "unexpected character '$'"},
		{`id = 1 id = 2`, `unexpected "id" after a complete expression`},
		{`(id = 1`, "expected ')'"},
		{`id ~ 1`, "unexpected character '~'"},
		{`AND = 1`, "keyword AND"},
		{`name LIKE 3`, "LIKE needs a pattern in single quotes"},
		{`kind IN 'a'`, "'(' after IN"},
		{`S_INTERSECTS(geometry)`, "',' between the two arguments"},
		{`S_INTERSECTS(geometry, BBOX(6,45,5,46))`, "west <= east"},
		{`S_INTERSECTS(geometry, POLYGON((5 45, 6)))`, "not a WKT geometry"},
		{`created = DATE(2001)`, "DATE needs a quoted ISO 8601 value"},
		{`created IS 3`, "expected NULL after IS"},
		{`x BETWEEN 1 OR 2`, "expected AND in BETWEEN"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want one saying %q", tt.in, err, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{`id = '06059' AND NOT (a IS NULL)`, `S_INTERSECTS(geometry, BBOX(1,2,3,4))`, `x IN (1,'a',TRUE)`,
		`S_INTERSECTS(geom, MULTIPOLYGON(((5 45, 6 45, 6 46, 5 45))))`, `"é" LIKE 'a\%%' OR b BETWEEN DATE('2001-01-01') AND DATE('2002-01-01')`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err == nil && e == nil {
			t.Fatalf("%q: no expression and no error", s)
		}
	})
}
