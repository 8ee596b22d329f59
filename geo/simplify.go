package geo

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/simplify"
)

// Simplified returns a copy of a line or polygon geometry simplified by Douglas-Peucker at tolerance (in g's
// units), for drawing at low zoom. It returns nil, meaning that g itself serves, for points, when
// simplification removes no vertex, and when it would leave nothing drawable (a ring or a line under its
// minimum of points). g is not changed.
func Simplified(g orb.Geometry, tolerance float64) orb.Geometry {
	switch g.(type) {
	case nil, orb.Point, orb.MultiPoint:
		return nil
	}
	before := VertexCount(g)
	s := simplify.DouglasPeucker(tolerance).Simplify(orb.Clone(g))
	if s == nil || undrawable(s) || VertexCount(s) == before {
		return nil
	}
	return s
}

// VertexCount is the number of vertices of g (0 for nil).
func VertexCount(g orb.Geometry) int {
	n := 0
	visitPoints(g, func(orb.Point) { n++ })
	return n
}

// undrawable is true when simplification left nothing to draw: no ring of 4 points, no line of 2.
func undrawable(g orb.Geometry) bool {
	switch g := g.(type) {
	case orb.Polygon:
		return len(g) == 0 || len(g[0]) < 4
	case orb.MultiPolygon:
		for _, p := range g {
			if !undrawable(p) {
				return false
			}
		}
		return true
	case orb.LineString:
		return len(g) < 2
	case orb.MultiLineString:
		for _, l := range g {
			if len(l) >= 2 {
				return false
			}
		}
		return true
	}
	return false
}
