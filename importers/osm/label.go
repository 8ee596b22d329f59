package osm

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// LabelPoint returns one point that stands for g: the point itself, the middle of a line (on the line), and for
// a polygon a point inside it (its centroid when the centroid is inside, else the middle of the widest span
// of a horizontal line through it). For a multipolygon, the largest polygon is used.
func LabelPoint(g orb.Geometry) orb.Geometry {
	switch g := g.(type) {
	case nil:
		return nil
	case orb.Point:
		return g
	case orb.MultiPoint:
		if len(g) == 0 {
			return nil
		}
		return g[0]
	case orb.LineString:
		return lineMiddle(g)
	case orb.MultiLineString:
		var best orb.LineString
		bestLen := -1.0
		for _, ls := range g {
			if l := planar.Length(ls); l > bestLen {
				best, bestLen = ls, l
			}
		}
		return lineMiddle(best)
	case orb.Ring:
		return polygonLabel(orb.Polygon{g})
	case orb.Polygon:
		return polygonLabel(g)
	case orb.MultiPolygon:
		var best orb.Polygon
		bestArea := -1.0
		for _, p := range g {
			if a := math.Abs(planar.Area(p)); a > bestArea {
				best, bestArea = p, a
			}
		}
		return polygonLabel(best)
	case orb.Collection:
		for _, c := range g {
			if p := LabelPoint(c); p != nil {
				return p
			}
		}
		return nil
	case orb.Bound:
		return g.Center()
	}
	return nil
}

func lineMiddle(ls orb.LineString) orb.Geometry {
	if len(ls) == 0 {
		return nil
	}
	half := planar.Length(ls) / 2
	for i := 1; i < len(ls); i++ {
		d := planar.Distance(ls[i-1], ls[i])
		if d >= half && d > 0 {
			t := half / d
			return orb.Point{ls[i-1][0] + t*(ls[i][0]-ls[i-1][0]), ls[i-1][1] + t*(ls[i][1]-ls[i-1][1])}
		}
		half -= d
	}
	return ls[0]
}

func polygonLabel(p orb.Polygon) orb.Geometry {
	if len(p) == 0 || len(p[0]) == 0 {
		return nil
	}
	c, area := planar.CentroidArea(p)
	if area != 0 && planar.PolygonContains(p, c) {
		return c
	}
	// Scan lines at a few heights; keep the widest inside span.
	b := p.Bound()
	bestW, best := -1.0, orb.Point{}
	for _, f := range []float64{0.5, 0.25, 0.75, 0.125, 0.375, 0.625, 0.875} {
		y := b.Min[1] + f*(b.Max[1]-b.Min[1])
		var xs []float64
		for _, r := range p {
			for i := 1; i < len(r); i++ {
				a, z := r[i-1], r[i]
				if (a[1] > y) != (z[1] > y) {
					xs = append(xs, a[0]+(y-a[1])*(z[0]-a[0])/(z[1]-a[1]))
				}
			}
		}
		sort.Float64s(xs)
		for i := 0; i+1 < len(xs); i += 2 {
			if w := xs[i+1] - xs[i]; w > bestW {
				bestW, best = w, orb.Point{(xs[i] + xs[i+1]) / 2, y}
			}
		}
		if bestW > 0 {
			break
		}
	}
	if bestW < 0 {
		return p[0][0]
	}
	return best
}
