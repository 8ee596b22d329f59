package geo

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// Cleaning is what Clean did to one geometry, for the import report.
type Cleaning struct {
	ClosedRings     int // rings whose last point did not repeat the first
	DroppedRings    int // rings with fewer than 4 distinct-enough points
	DroppedLines    int // lines with fewer than 2 points
	DroppedPolygons int // polygons whose shell was degenerate
	DuplicatePoints int // consecutive repeated points removed
}

// Changed reports whether Clean altered the geometry.
func (c Cleaning) Changed() bool { return c != Cleaning{} }

// Add accumulates another cleaning into c.
func (c *Cleaning) Add(o Cleaning) {
	c.ClosedRings += o.ClosedRings
	c.DroppedRings += o.DroppedRings
	c.DroppedLines += o.DroppedLines
	c.DroppedPolygons += o.DroppedPolygons
	c.DuplicatePoints += o.DuplicatePoints
}

// Clean returns a copy-free cleaned version of g: consecutive duplicate points removed, rings closed, rings and
// lines too short to mean anything dropped. It returns nil when nothing of g is left (the caller keeps the record
// without geometry and reports it). Coordinates that are NaN or infinite make it fail: they cannot be repaired.
//
// Clean does not fix self-intersections: the store does that with GEOS, which does it correctly.
func Clean(g orb.Geometry) (orb.Geometry, Cleaning, error) {
	var c Cleaning
	if g == nil {
		return nil, c, nil
	}
	if err := checkFinite(g); err != nil {
		return nil, c, err
	}
	switch g := g.(type) {
	case orb.Point:
		return g, c, nil
	case orb.MultiPoint:
		if len(g) == 0 {
			return nil, c, nil
		}
		return g, c, nil
	case orb.LineString:
		l := cleanLine(g, &c)
		if l == nil {
			return nil, c, nil
		}
		return l, c, nil
	case orb.MultiLineString:
		out := g[:0:0]
		for _, l := range g {
			if l = cleanLine(l, &c); l != nil {
				out = append(out, l)
			}
		}
		if len(out) == 0 {
			return nil, c, nil
		}
		return out, c, nil
	case orb.Polygon:
		p := cleanPolygon(g, &c)
		if p == nil {
			return nil, c, nil
		}
		return p, c, nil
	case orb.MultiPolygon:
		out := g[:0:0]
		for _, p := range g {
			if p = cleanPolygon(p, &c); p != nil {
				out = append(out, p)
			}
		}
		if len(out) == 0 {
			return nil, c, nil
		}
		return out, c, nil
	case orb.Collection:
		out := g[:0:0]
		for _, m := range g {
			cm, cc, err := Clean(m)
			if err != nil {
				return nil, c, err
			}
			c.Add(cc)
			if cm != nil {
				out = append(out, cm)
			}
		}
		if len(out) == 0 {
			return nil, c, nil
		}
		return out, c, nil
	case orb.Bound:
		return g.ToPolygon(), c, nil
	case orb.Ring:
		p := cleanPolygon(orb.Polygon{g}, &c)
		if p == nil {
			return nil, c, nil
		}
		return p, c, nil
	}
	return nil, c, fmt.Errorf("unsupported geometry type %T", g)
}

func cleanLine(l orb.LineString, c *Cleaning) orb.LineString {
	l = dedupe(l, c)
	if len(l) < 2 {
		c.DroppedLines++
		return nil
	}
	return l
}

func cleanPolygon(p orb.Polygon, c *Cleaning) orb.Polygon {
	out := p[:0:0]
	for i, r := range p {
		r = orb.Ring(dedupe(orb.LineString(r), c))
		if len(r) > 0 && r[0] != r[len(r)-1] {
			r = append(r[:len(r):len(r)], r[0])
			c.ClosedRings++
		}
		if len(r) < 4 {
			c.DroppedRings++
			if i == 0 {
				// Without its shell the holes mean nothing.
				c.DroppedPolygons++
				c.DroppedRings += len(p) - 1
				return nil
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

// dedupe removes consecutive repeated points without copying when there are none.
func dedupe(l orb.LineString, c *Cleaning) orb.LineString {
	dups := 0
	for i := 1; i < len(l); i++ {
		if l[i] == l[i-1] {
			dups++
		}
	}
	if dups == 0 {
		return l
	}
	c.DuplicatePoints += dups
	out := make(orb.LineString, 0, len(l)-dups)
	for i, p := range l {
		if i == 0 || p != l[i-1] {
			out = append(out, p)
		}
	}
	return out
}

func checkFinite(g orb.Geometry) error {
	var bad orb.Point
	found := false
	visitPoints(g, func(p orb.Point) {
		if !found && (math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0)) {
			bad, found = p, true
		}
	})
	if found {
		return fmt.Errorf("coordinate (%v, %v) is not a finite number", bad[0], bad[1])
	}
	return nil
}

// visitPoints calls fn for every vertex of g.
func visitPoints(g orb.Geometry, fn func(orb.Point)) {
	switch g := g.(type) {
	case orb.Point:
		fn(g)
	case orb.MultiPoint:
		for _, p := range g {
			fn(p)
		}
	case orb.LineString:
		for _, p := range g {
			fn(p)
		}
	case orb.Ring:
		for _, p := range g {
			fn(p)
		}
	case orb.MultiLineString:
		for _, l := range g {
			visitPoints(l, fn)
		}
	case orb.Polygon:
		for _, r := range g {
			visitPoints(r, fn)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			visitPoints(p, fn)
		}
	case orb.Collection:
		for _, m := range g {
			visitPoints(m, fn)
		}
	case orb.Bound:
		fn(g.Min)
		fn(g.Max)
	}
}

// OutsideLonLat returns the first vertex of g that cannot be a WGS84 longitude/latitude, and whether there is one.
// A projected file read as WGS84 (Lambert-93 metres, say) is caught this way.
func OutsideLonLat(g orb.Geometry) (orb.Point, bool) {
	var bad orb.Point
	found := false
	visitPoints(g, func(p orb.Point) {
		if !found && (p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90) {
			bad, found = p, true
		}
	})
	return bad, found
}
