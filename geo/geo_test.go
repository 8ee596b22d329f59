package geo

import (
	"encoding/json"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

func TestAppendGeoJSONWindingAndPrecision(t *testing.T) {
	// A clockwise shell with a counter-clockwise hole: RFC 7946 wants the opposite.
	shell := orb.Ring{{0, 0}, {0, 10}, {10, 10}, {10, 0}, {0, 0}}
	hole := orb.Ring{{2, 2}, {4, 2}, {4, 4}, {2, 4}, {2, 2}}
	p := orb.Polygon{shell, hole}
	out := AppendGeoJSON(nil, p)
	g, err := geojson.UnmarshalGeometry(out)
	if err != nil {
		t.Fatalf("output is not GeoJSON: %v\n%s", err, out)
	}
	got := g.Geometry().(orb.Polygon)
	if o := got[0].Orientation(); o != orb.CCW {
		t.Errorf("shell orientation = %v, want CCW", o)
	}
	if o := got[1].Orientation(); o != orb.CW {
		t.Errorf("hole orientation = %v, want CW", o)
	}
	if p[0][1] != (orb.Point{0, 10}) {
		t.Errorf("input was modified: %v", p[0])
	}

	out = AppendGeoJSON(nil, orb.Point{6.27837001234, -0.00000001})
	if string(out) != `{"type":"Point","coordinates":[6.27837,0]}` {
		t.Errorf("point = %s", out)
	}
	if !json.Valid(AppendGeoJSON(nil, orb.Collection{orb.Point{1, 2}, orb.LineString{{1, 2}, {3, 4}}})) {
		t.Error("collection is not valid JSON")
	}
	if string(AppendGeoJSON(nil, nil)) != "null" {
		t.Error("nil geometry must be null")
	}
}

func TestClean(t *testing.T) {
	tests := []struct {
		name string
		in   orb.Geometry
		want orb.Geometry
		c    Cleaning
	}{
		{"unclosed ring", orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 1}}},
			orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}, Cleaning{ClosedRings: 1}},
		{"duplicate points", orb.LineString{{0, 0}, {0, 0}, {1, 1}},
			orb.LineString{{0, 0}, {1, 1}}, Cleaning{DuplicatePoints: 1}},
		{"degenerate hole dropped", orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}, {{0, 0}, {0, 0}, {0, 0}}},
			orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}, Cleaning{DuplicatePoints: 2, DroppedRings: 1}},
		{"degenerate shell drops polygon", orb.MultiPolygon{{{{0, 0}, {1, 1}, {0, 0}}}, {{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}},
			orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}}, Cleaning{DroppedRings: 1, DroppedPolygons: 1}},
		{"nothing left", orb.LineString{{1, 1}}, nil, Cleaning{DroppedLines: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, c, err := Clean(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if (got == nil) != (tc.want == nil) || (got != nil && !orb.Equal(got, tc.want)) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			if c != tc.c {
				t.Errorf("cleaning = %+v, want %+v", c, tc.c)
			}
		})
	}
}

func TestLayerType(t *testing.T) {
	tests := []struct {
		geoms []orb.Geometry
		want  string
	}{
		{nil, ""},
		{[]orb.Geometry{orb.Point{}, orb.Point{}}, "POINT"},
		{[]orb.Geometry{orb.Point{}, orb.MultiPoint{}}, "MULTIPOINT"},
		{[]orb.Geometry{orb.Polygon{}}, "MULTIPOLYGON"},
		{[]orb.Geometry{orb.LineString{}}, "MULTILINESTRING"},
		{[]orb.Geometry{orb.Point{}, orb.Polygon{}}, "GEOMETRY"},
	}
	for _, tc := range tests {
		var lt LayerType
		for _, g := range tc.geoms {
			lt.Observe(g)
		}
		if got := lt.Name(); got != tc.want {
			t.Errorf("%v: got %q, want %q", tc.geoms, got, tc.want)
		}
	}
}

func TestOutsideLonLat(t *testing.T) {
	if _, bad := OutsideLonLat(orb.Point{5.7, 45.2}); bad {
		t.Error("Grenoble is lon/lat")
	}
	if p, bad := OutsideLonLat(orb.LineString{{5, 45}, {913000, 6458000}}); !bad || p[0] != 913000 {
		t.Error("Lambert-93 metres must be caught")
	}
}
