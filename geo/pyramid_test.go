package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/project"
)

var tileGrid = TileGrid{Extent: 4096, Tolerance: 4, MinSize: 16}

// onGrid is g (lon/lat) in the world units of zoom z (the whole world is 2^z × Extent units a side).
func onGrid(g orb.Geometry, z int) orb.Geometry {
	scale := math.Ldexp(tileGrid.Extent, z)
	return project.Geometry(orb.Clone(g), func(p orb.Point) orb.Point {
		m := Mercator(p)
		return orb.Point{m[0] * scale, m[1] * scale}
	})
}

// The pyramid of the Isère biotope orders (84 sites, one invalid as delivered and made valid as the import
// does): at every zoom from 0 to 10 each site is there, as a polygon valid for GEOS whose vertices are on the
// zoom's grid (to a millionth of a unit, what the way back through lon/lat leaves) or, for a site under 16
// units, as the exact box of its largest part; and the copies get lighter as the zoom goes down.
func TestPyramidValidOnEveryZoom(t *testing.T) {
	fc := geojson.FeatureCollection{Features: testFeatures(t, "apb-isere.geojson")}
	var topo Topology
	vertices := make([]int, 11)
	boxes := make([]int, 11)
	for _, f := range fc.Features {
		g, _, _ := topo.MakeValid(f.Geometry)
		pyr := topo.Pyramid(g, 10, tileGrid)
		if len(pyr) != 11 {
			t.Fatalf("%v: %d zooms", f.Properties["ID_MNHN"], len(pyr))
		}
		for z, c := range pyr {
			mp, ok := c.(orb.MultiPolygon)
			if !ok || len(mp) == 0 {
				t.Errorf("%v z%d: %T with %v: the site vanished", f.Properties["ID_MNHN"], z, c, c)
				continue
			}
			vertices[z] += VertexCount(c)
			drawn := onGrid(c, z).(orb.MultiPolygon)
			box := largestBox(onGrid(polygonal(g), z).(orb.MultiPolygon))
			got := drawn.Bound()
			isBox := len(mp) == 1 && len(mp[0]) == 1 && len(mp[0][0]) == 5 &&
				math.Abs(got.Min[0]-box.Min[0]) < 1e-6 && math.Abs(got.Min[1]-box.Min[1]) < 1e-6 &&
				math.Abs(got.Max[0]-box.Max[0]) < 1e-6 && math.Abs(got.Max[1]-box.Max[1]) < 1e-6
			if box.Max[0]-box.Min[0] < 16 && box.Max[1]-box.Min[1] < 16 && !isBox {
				t.Errorf("%v z%d: a site under 16 units is %v, want the box %v of its largest part", f.Properties["ID_MNHN"], z, got, box)
			}
			if isBox {
				// (also a site whose parts all collapse on the grid, a sliver: the tile draws its square)
				boxes[z]++
				continue
			}
			for _, p := range drawn {
				for _, r := range p {
					for _, q := range r {
						if math.Abs(q[0]-math.Round(q[0])) > 1e-6 || math.Abs(q[1]-math.Round(q[1])) > 1e-6 {
							t.Fatalf("%v z%d: vertex %v off the grid", f.Properties["ID_MNHN"], z, q)
						}
					}
				}
			}
			if ok, err := topo.Valid(drawn); !ok || err != nil {
				t.Errorf("%v z%d: not valid for GEOS on the grid (%v)", f.Properties["ID_MNHN"], z, err)
			}
		}
	}
	t.Logf("vertices per zoom %v, boxes %v", vertices, boxes)
	for z := 1; z <= 10; z++ {
		if vertices[z] < vertices[z-1] {
			t.Errorf("z%d has %d vertices, fewer than z%d's %d", z, vertices[z], z-1, vertices[z-1])
		}
	}
	if boxes[0] != len(fc.Features) || boxes[10] == boxes[0] {
		t.Errorf("boxes per zoom %v: want every site a box at z0, fewer at z10", boxes)
	}
}

func largestBox(mp orb.MultiPolygon) orb.Bound {
	var (
		best orb.Bound
		a    = -1.0
	)
	for _, p := range mp {
		b := p[0].Bound()
		if s := (b.Max[0] - b.Min[0]) * (b.Max[1] - b.Min[1]); s > a {
			best, a = b, s
		}
	}
	return best
}

// Simplification can make a polygon invalid (two arms of a braided river crossed), which GEOS's
// snap-rounding refuses: the pyramid makes it valid first and keeps its area; two parts that the grid folds
// onto each other are merged. Lines are simplified and rounded; points have no pyramid.
func TestPyramidRepairsWhatSimplificationBreaks(t *testing.T) {
	var topo Topology
	// At z0 a unit is 360/4096 ≈ 0.088°; a 40-unit bow-tie (valid as given, a thin gap in the middle) and a
	// second part 0.3 units away from the first, which rounding lays onto it.
	u := 360.0 / 4096
	mp := orb.MultiPolygon{
		{{{0, 0}, {40 * u, 0}, {40 * u, 0.2 * u}, {20.1 * u, 10 * u}, {40 * u, 20 * u}, {0, 20 * u}, {19.9 * u, 10 * u}, {0, 0.2 * u}, {0, 0}}},
		{{{0, -0.3 * u}, {40 * u, -0.3 * u}, {40 * u, -20 * u}, {0, -20 * u}, {0, -0.3 * u}}},
	}
	if ok, _ := topo.Valid(mp); !ok {
		t.Fatal("the test polygon should be valid as given")
	}
	z0 := topo.Pyramid(mp, 0, tileGrid)[0]
	drawn := onGrid(z0, 0)
	if ok, err := topo.Valid(drawn); !ok || err != nil {
		t.Errorf("z0 %v: not valid (%v)", drawn, err)
	}
	if a, want := areaOf(drawn), areaOf(onGrid(mp, 0)); math.Abs(a-want) > 0.1*want {
		t.Errorf("z0 area %.1f units², the site's %.1f", a, want)
	}
	line := topo.Pyramid(orb.LineString{{0, 0}, {0.001, 0.0000001}, {45, 0}}, 2, tileGrid)
	if l, ok := line[2].(orb.MultiLineString); !ok || len(l) != 1 || len(l[0]) != 2 {
		t.Errorf("a straight line at z2: %v, want its two ends", line[2])
	}
	if topo.Pyramid(orb.Point{1, 2}, 3, tileGrid) != nil || topo.Pyramid(orb.MultiPolygon{}, 3, tileGrid) != nil {
		t.Errorf("points and empty polygons have no pyramid")
	}
}

func areaOf(g orb.Geometry) float64 {
	s := 0.0
	for _, p := range g.(orb.MultiPolygon) {
		for i, r := range p {
			a := 0.0
			for k := 0; k+1 < len(r); k++ {
				a += r[k][0]*r[k+1][1] - r[k+1][0]*r[k][1]
			}
			if i == 0 {
				s += math.Abs(a) / 2
			} else {
				s -= math.Abs(a) / 2
			}
		}
	}
	return s
}
