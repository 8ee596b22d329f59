package cql2

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/geojson"
	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/spatialite"
)

// inList is `name IN ('v0', 'v1', ...)` with n values.
func inList(n int) string {
	vs := make([]string, n)
	for i := range vs {
		vs[i] = fmt.Sprintf("'v%d'", i)
	}
	return "name IN (" + strings.Join(vs, ", ") + ")"
}

// chain is n comparisons joined by op.
func chain(n int, op string) string {
	cs := make([]string, n)
	for i := range cs {
		cs[i] = fmt.Sprintf("code = %d", i)
	}
	return strings.Join(cs, " "+op+" ")
}

func nots(n int, inner string) string { return strings.Repeat("NOT ", n) + inner }

func parens(n int, inner string) string {
	return strings.Repeat("(", n) + inner + strings.Repeat(")", n)
}

// Issue 17's filters, and the like: each refused with a message that says the limit.
func TestLimits(t *testing.T) {
	// A chain whose first operand is a chain: SQLite's tree nests them end to end.
	deep := "((" + chain(300, "OR") + ") OR " + chain(300, "OR") + ") AND code = 1"
	tests := []struct {
		name, filter, want string
	}{
		{"32,765 values in IN", inList(32765), "at character 6: the filter has 32,765 values in IN; at most 10,000"},
		{"values over the whole filter", inList(6000) + " OR " + inList(6000), "the filter has 12,000 values; at most 10,000"},
		{"1,000 ORs", chain(1000, "OR"), "at character 1: the filter joins 1,000 conditions with OR; at most 400: for a list of values, write name IN ('a', 'b', ...)"},
		{"1,000 ANDs", chain(1000, "AND"), "the filter joins 1,000 conditions with AND; at most 400"},
		{"999 NOTs", nots(999, "code = 1"), "at character 401: the filter nests NOT and parentheses more than 100 deep; at most 100"},
		{"parentheses", parens(500, "code = 1"), "at character 101: the filter nests NOT and parentheses more than 100 deep"},
		{"chains nested", deep, "the filter nests conditions 602 levels deep once translated to SQL (a chain of n ANDs or ORs counts n); at most 600"},
		{"size", "name = '" + strings.Repeat("a", MaxBytes) + "'", "the filter is 1,048,585 bytes long; at most 1,048,576"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.filter)
			var ce *Error
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.As(err, &ce) {
				t.Errorf("error %v\nwant one saying %q", err, tt.want)
			}
		})
	}
}

// 50,000 NOTs burned 6 s of CPU before failing in SQLite: the parser stops at the 101st.
func TestFiftyThousandNOTsStopEarly(t *testing.T) {
	_, err := Parse(nots(50000, "code = 1"))
	var ce *Error
	if !errors.As(err, &ce) || ce.Pos != 400 {
		t.Fatalf("error %v: want it at the 101st NOT, character 401", err)
	}
}

// Issue 17's geometries and literals, accepted before (200, 0 matches), are parse errors.
func TestInvalidGeometriesAndLiterals(t *testing.T) {
	tests := []struct{ filter, want string }{
		{`S_INTERSECTS(geometry, POLYGON((5 45, 6 45)))`, "at character 24: POLYGON: ring 1 has 2 points: a ring needs at least 4, the last one repeating the first"},
		{`S_INTERSECTS(geometry, POLYGON((5 45, 6 45, 6 46, 5 46)))`, "POLYGON: ring 1 is not closed: it starts at (5 45) and ends at (5 46); repeat the first point at the end"},
		{`S_INTERSECTS(geometry, POINT(NaN NaN))`, "POINT: (NaN NaN) is not a position: coordinates must be numbers"},
		{`S_INTERSECTS(geometry, POINT(Inf 45))`, "POINT: (+Inf 45) is not a position"},
		{`S_INTERSECTS(geometry, POINT(1e308 45))`, "POINT: (1e+308 45) is out of range: longitude -180..180, latitude -90..90 (CRS84)"},
		{`S_INTERSECTS(geometry, LINESTRING(5 45, 5 95))`, "LINESTRING: (5 95) is out of range"},
		{`S_INTERSECTS(geometry, LINESTRING(5 45))`, "LINESTRING: a line of 1 points: a line needs at least 2"},
		{`S_INTERSECTS(geometry, MULTIPOLYGON(((5 45, 6 45, 6 46, 5 45)), ((1 1, 2 2))))`, "MULTIPOLYGON: ring 1 has 2 points"},
		{`S_INTERSECTS(geometry, BBOX(1e308, 45, 1e308, 46))`, "BBOX: (1e+308 45) is out of range"},
		{`created = DATE('2001-13-45')`, "at character 16: DATE('2001-13-45') is not a date: write DATE('YYYY-MM-DD')"},
		{`created = DATE('2001-02-29')`, "DATE('2001-02-29') is not a date"},
		{`created > TIMESTAMP('2001-01-01T25:00:00Z')`, "TIMESTAMP('2001-01-01T25:00:00Z') is not a timestamp"},
		{`x = 1e999`, `"1e999" is not a number`},
	}
	for _, tt := range tests {
		if _, err := Parse(tt.filter); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v\nwant one saying %q", tt.filter, err, tt.want)
		}
	}
	for _, ok := range []string{`created = DATE('2000-02-29')`, `created > TIMESTAMP('2015-03-12T10:00:00Z')`, `created > TIMESTAMP('2015-03-12T10:00:00.5+01:00')`,
		`S_INTERSECTS(geometry, BBOX(-180, -90, 180, 90))`, `S_INTERSECTS(geometry, POINT(-180 90))`} {
		if _, err := Parse(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}

// The largest filters the limits let through run in SQLite (the store's SQL, on a real SpatiaLite store): the
// limits are where they must be, under SQLite's own.
func TestLargestFiltersRunInSQLite(t *testing.T) {
	ctx := context.Background()
	st, err := spatialite.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	src := geojson.NewReader("two.geojson", strings.NewReader(`{"type":"FeatureCollection","features":[
{"type":"Feature","geometry":{"type":"Point","coordinates":[5.7,45.2]},"properties":{"name":"v7","code":7}},
{"type":"Feature","geometry":{"type":"Point","coordinates":[5.8,45.3]},"properties":{"name":"w","code":10000}}]}`), 0)
	d, err := importers.Run(ctx, st, importers.Job{Info: store.DatasetInfo{ID: "two", Title: "two", Producer: "test"}, Source: src, Report: &importers.Report{}})
	if err != nil {
		t.Fatal(err)
	}
	box := `S_INTERSECTS(geometry, POLYGON((5 45, 6 45, 6 46, 5 45)))`
	tests := []struct {
		name, filter string
		want         int64
	}{
		{"10,000 values in IN", inList(MaxValues), 1},
		{"400 ORs", chain(MaxTerms, "OR"), 1},
		{"400 ANDs", chain(MaxTerms, "AND"), 0},
		{"100 NOTs", nots(MaxNesting, "code = 7"), 1},
		{"100 NOTs and parentheses around 400 ORs", parens(MaxNesting-2, "NOT ("+chain(MaxTerms, "OR")+")"), 1},
		// An OR of 299 whose first operand is an OR of 298, ANDed with S_INTERSECTS: 597 levels.
		{"nested chains just under the depth", "((" + chain(298, "OR") + ") OR " + chain(298, "OR") + ") AND " + box, 1},
		{"400 intersections", strings.TrimSuffix(strings.Repeat(box+" OR ", MaxTerms), " OR "), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Parse(tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			sn, err := st.Snapshot(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer sn.Close()
			n, err := sn.Count(ctx, d, store.Query{Filter: e})
			if err != nil || n != tt.want {
				t.Errorf("%d features, %v; want %d (SQL depth %d)", n, err, tt.want, sqlDepth(e))
			}
		})
	}
}

// FuzzParseLimits: whatever the filter, a parsed one stays within the limits.
func FuzzParseLimits(f *testing.F) {
	for _, s := range []string{nots(3, "a = 1"), chain(5, "OR"), inList(5), parens(4, chain(3, "AND")), `S_INTERSECTS(geom, POINT(1 2)) OR a IN (1,2)`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			return
		}
		if d := sqlDepth(e); d > MaxDepth {
			t.Fatalf("%q: depth %d accepted", s, d)
		}
	})
}
