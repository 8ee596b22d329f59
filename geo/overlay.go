package geo

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/twpayne/go-geos"
)

// The overlay of polygons (intersection, union) with GEOS's OverlayNG, in whatever plane the coordinates are
// in: to measure areas, project first (EPSG:3035 keeps them).

// Intersection returns the part of a inside b: polygons where both have area, and the lines or points where
// they only touch (Polygons drops those); nil when they do not meet.
func (t *Topology) Intersection(a, b orb.Geometry) (orb.Geometry, error) {
	if a == nil || b == nil || !a.Bound().Intersects(b.Bound()) {
		return nil, nil
	}
	var out orb.Geometry
	err := t.contexts.do(func(c *geos.Context) error {
		gb, err := toGEOS(c, b)
		if err != nil {
			return err
		}
		defer gb.Destroy()
		out, err = apply(c, a, func(ga *geos.Geom) *geos.Geom { return ga.Intersection(gb) })
		return err
	})
	return out, err
}

// apply converts g into a GEOS geometry of c, applies op and converts its result back.
func apply(c *geos.Context, g orb.Geometry, op func(*geos.Geom) *geos.Geom) (orb.Geometry, error) {
	gg, err := toGEOS(c, g)
	if err != nil {
		return nil, err
	}
	defer gg.Destroy()
	x := op(gg)
	defer x.Destroy()
	return fromGEOS(x)
}

// Union returns gs merged into one geometry in which every place is once (GEOS's unary union of their
// collection); nil when there is nothing. A single geometry is returned as given.
func (t *Topology) Union(gs ...orb.Geometry) (orb.Geometry, error) {
	var in orb.Collection
	for _, g := range gs {
		if g != nil {
			in = append(in, g)
		}
	}
	switch len(in) {
	case 0:
		return nil, nil
	case 1:
		return in[0], nil
	}
	var out orb.Geometry
	err := t.contexts.do(func(c *geos.Context) (err error) {
		out, err = apply(c, in, (*geos.Geom).UnaryUnion)
		return err
	})
	return out, err
}

// UnionCoverage returns the union of polygons that tile an area without overlapping, such as the communes of
// a territory, with GEOS's coverage union: several times faster than Union, as it only drops the edges the
// polygons share. It is checked (valid, with the area of the parts) and done again by Union when the polygons
// are no clean coverage (overlaps, edges that do not match vertex for vertex).
func (t *Topology) UnionCoverage(gs ...orb.Geometry) (orb.Geometry, error) {
	var in orb.Collection
	var sum float64
	for _, g := range gs {
		if g != nil {
			in = append(in, g)
			sum += Area(g)
		}
	}
	if len(in) < 2 {
		return t.Union(in...)
	}
	var out orb.Geometry
	err := t.contexts.do(func(c *geos.Context) error {
		g, err := toGEOS(c, in)
		if err != nil {
			return err
		}
		defer g.Destroy()
		var u *geos.Geom
		if guard(func() error { u = g.CoverageUnion(); return nil }) != nil || u == nil {
			return nil
		}
		defer u.Destroy()
		if !u.IsValid() || math.Abs(u.Area()-sum) > 1e-9*sum {
			return nil
		}
		out, err = fromGEOS(u)
		return err
	})
	if err != nil || out != nil {
		return out, err
	}
	return t.Union(in...)
}

// Intersection returns the part of g inside the prepared geometry, as Topology.Intersection does; g itself
// (not a copy) when the prepared geometry covers it, which spares the overlay; nil when they do not meet.
func (p *Prepared) Intersection(g orb.Geometry) (orb.Geometry, error) {
	if g == nil || !p.bound.Intersects(g.Bound()) {
		return nil, nil
	}
	var out orb.Geometry
	err := p.with(func(cp *preparedCopy) error {
		gg, err := toGEOS(cp.c, g)
		if err != nil {
			return err
		}
		defer gg.Destroy()
		switch {
		case !cp.p.Intersects(gg):
			return nil
		case cp.p.Covers(gg):
			out = g
			return nil
		}
		x := cp.g.Intersection(gg)
		defer x.Destroy()
		out, err = fromGEOS(x)
		return err
	})
	return out, err
}

// Polygons returns the polygons of g as one MultiPolygon, nil when it has none: what is left of an
// intersection once the lines and points where polygons only touch are dropped.
func Polygons(g orb.Geometry) orb.MultiPolygon { return polygonal(g) }

// Area returns the area of the polygons of g in the plane of its coordinates (square metres in a projected
// CRS such as EPSG:3035): holes subtracted, whatever the orientation of the rings; points and lines have none.
func Area(g orb.Geometry) float64 {
	var a float64
	for _, p := range polygonal(g) {
		a += planar.Area(p)
	}
	return a
}
