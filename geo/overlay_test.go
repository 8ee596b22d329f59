package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

func square(x, y, side float64) orb.Polygon {
	return orb.Polygon{{{x, y}, {x + side, y}, {x + side, y + side}, {x, y + side}, {x, y}}}
}

func TestArea(t *testing.T) {
	holed := orb.Polygon{square(0, 0, 10)[0], {{2, 2}, {2, 4}, {4, 4}, {4, 2}, {2, 2}}} // a hole of 4
	clockwise := orb.Polygon{{{0, 0}, {0, 3}, {3, 3}, {3, 0}, {0, 0}}}
	for _, tt := range []struct {
		name string
		g    orb.Geometry
		want float64
	}{
		{"holed square", holed, 96},
		{"clockwise shell", clockwise, 9},
		{"multipolygon", orb.MultiPolygon{holed, square(20, 0, 1)}, 97},
		{"collection with a line", orb.Collection{square(0, 0, 2), orb.LineString{{0, 0}, {5, 5}}, orb.Point{1, 1}}, 4},
		{"line", orb.LineString{{0, 0}, {1, 1}}, 0},
		{"nil", nil, 0},
		// Coordinates of EPSG:3035 in France (millions of metres): no loss of the small area.
		{"far from the origin", square(3982801.7, 2463969.2, 1.5), 2.25},
	} {
		if got := Area(tt.g); math.Abs(got-tt.want) > 1e-6 {
			t.Errorf("%s: area %g, want %g", tt.name, got, tt.want)
		}
	}
}

func TestIntersection(t *testing.T) {
	var topo Topology
	a := square(0, 0, 4)
	for _, tt := range []struct {
		name     string
		b        orb.Geometry
		area     float64
		polygons int  // polygons of the result
		meets    bool // a result at all (touching included)
	}{
		{"overlap", square(2, 2, 4), 4, 1, true},
		{"inside", square(1, 1, 1), 1, 1, true},
		{"touching along an edge", square(4, 0, 4), 0, 0, true},
		{"touching at a corner", square(4, 4, 1), 0, 0, true},
		{"apart", square(10, 10, 1), 0, 0, false},
		{"two parts", orb.MultiPolygon{square(-1, -1, 2), square(3, 3, 2)}, 2, 2, true},
		{"a line across", orb.LineString{{-1, 2}, {5, 2}}, 0, 0, true},
		{"nil", nil, 0, 0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := topo.Intersection(a, tt.b)
			if err != nil {
				t.Fatal(err)
			}
			if (got != nil) != tt.meets || math.Abs(Area(got)-tt.area) > 1e-9 || len(Polygons(got)) != tt.polygons {
				t.Errorf("%v: area %g in %d polygons; want %g in %d, meets %v", got, Area(got), len(Polygons(got)), tt.area, tt.polygons, tt.meets)
			}
		})
	}
}

func TestUnion(t *testing.T) {
	var topo Topology
	for _, tt := range []struct {
		name  string
		in    []orb.Geometry
		area  float64
		parts int
	}{
		{"overlapping squares: the overlap once", []orb.Geometry{square(0, 0, 4), square(2, 2, 4)}, 28, 1},
		{"side by side: one polygon", []orb.Geometry{square(0, 0, 1), square(1, 0, 1)}, 2, 1},
		{"apart", []orb.Geometry{square(0, 0, 1), orb.MultiPolygon{square(5, 5, 1), square(8, 8, 1)}}, 3, 3},
		{"one inside the other", []orb.Geometry{square(0, 0, 10), square(2, 2, 1)}, 100, 1},
		{"none", nil, 0, 0},
		{"only nils", []orb.Geometry{nil, nil}, 0, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := topo.Union(tt.in...)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(Area(got)-tt.area) > 1e-9 || len(Polygons(got)) != tt.parts {
				t.Errorf("%v: area %g in %d parts, want %g in %d", got, Area(got), len(Polygons(got)), tt.area, tt.parts)
			}
		})
	}
	one := square(0, 0, 1)
	if got, _ := topo.Union(one); got == nil || got.(orb.Polygon)[0][2] != one[0][2] {
		t.Errorf("a single geometry comes back as given: %v", got)
	}
}

// A coverage union is the union when the polygons are a clean coverage, and when they are not (it falls back).
func TestUnionCoverage(t *testing.T) {
	var topo Topology
	// A 3×1 strip cut into three communes, and the same with the middle one's shared edge given an extra vertex
	// the neighbour lacks.
	strip := []orb.Geometry{square(0, 0, 1), square(1, 0, 1), orb.MultiPolygon{square(2, 0, 1)}}
	extraVertex := []orb.Geometry{square(0, 0, 1), orb.Polygon{{{1, 0}, {2, 0}, {2, 1}, {1, 1}, {1, 0.5}, {1, 0}}}, square(2, 0, 1)}
	for _, tt := range []struct {
		name  string
		in    []orb.Geometry
		area  float64
		parts int
	}{
		{"clean coverage", strip, 3, 1},
		{"a shared edge with an extra vertex", extraVertex, 3, 1},
		{"overlapping: not a coverage", []orb.Geometry{square(0, 0, 4), square(2, 2, 4)}, 28, 1},
		{"with a gap", []orb.Geometry{square(0, 0, 1), square(2, 0, 1)}, 2, 2},
		{"one", []orb.Geometry{square(0, 0, 1)}, 1, 1},
		{"none", nil, 0, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := topo.UnionCoverage(tt.in...)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(Area(got)-tt.area) > 1e-9 || len(Polygons(got)) != tt.parts {
				t.Errorf("%v: area %g in %d parts, want %g in %d", got, Area(got), len(Polygons(got)), tt.area, tt.parts)
			}
			if ok, err := topo.Valid(got); got != nil && (!ok || err != nil) {
				t.Errorf("not valid: %v", got)
			}
			// Its outer ring has the strip's four corners and no vertex inside (the shared edges are gone).
			if tt.name == "clean coverage" && len(Polygons(got)[0][0]) > 9 {
				t.Errorf("shared edges left: %v", got)
			}
		})
	}
}

func TestPreparedIntersection(t *testing.T) {
	// The L of TestPreparedIntersects: its bounding box holds the corner it does not cover.
	p, err := Prepare(orb.Polygon{{{0, 0}, {2, 0}, {2, 1}, {1, 1}, {1, 2}, {0, 2}, {0, 0}}})
	if err != nil {
		t.Fatal(err)
	}
	covered := square(0.2, 0.2, 0.5)
	got, err := p.Intersection(covered)
	if err != nil || got == nil || &got.(orb.Polygon)[0][0] != &covered[0][0] {
		t.Errorf("a polygon inside comes back as given, not overlaid: %v %v", got, err)
	}
	for _, tt := range []struct {
		name  string
		g     orb.Geometry
		area  float64
		meets bool
	}{
		{"across the inner corner", square(0.5, 0.5, 1), 0.75, true},
		{"in the box, outside the L", square(1.2, 1.2, 0.5), 0, false},
		{"touching the inner edge", square(1, 1, 0.5), 0, true},
	} {
		got, err := p.Intersection(tt.g)
		if err != nil || (got != nil) != tt.meets || math.Abs(Area(got)-tt.area) > 1e-9 {
			t.Errorf("%s: %v (%v), area %g; want %g, meets %v", tt.name, got, err, Area(got), tt.area, tt.meets)
		}
	}
}

// Areas on the ellipsoid are measured in EPSG:3035, an equal-area projection: PROJ's coordinates and the area
// there equal SpatiaLite's (ST_Transform, ST_Area).
func TestAreaInLAEA(t *testing.T) {
	var r Reprojector
	for _, tc := range []struct{ lonlat, want orb.Point }{
		{orb.Point{5.7, 45.2}, orb.Point{3982801.723212, 2463969.167367}},
		{orb.Point{-1.5, 48.6}, orb.Point{3476435.408746, 2897909.20802}},
		{orb.Point{55.5, -21.1}, orb.Point{9987229.516132, -3049055.853278}}, // La Réunion
	} {
		got, err := r.Reproject(tc.lonlat, WGS84, 3035)
		if err != nil {
			t.Fatal(err)
		}
		if p := got.(orb.Point); math.Abs(p[0]-tc.want[0]) > 0.001 || math.Abs(p[1]-tc.want[1]) > 0.001 {
			t.Errorf("%v → %v; want %v", tc.lonlat, got, tc.want)
		}
	}
	// SELECT ST_Area(ST_Transform(GeomFromText('POLYGON((5 45,6 45,6 46,5 46,5 45))', 4326), 3035)).
	g, err := r.Reproject(square(5, 45, 1), WGS84, 3035)
	if err != nil {
		t.Fatal(err)
	}
	if a := Area(g); math.Abs(a-8686123977.32365) > 1 {
		t.Errorf("area %.3f m², want 8686123977.324", a)
	}
}
