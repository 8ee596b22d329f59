package geo

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/twpayne/go-geos"
)

// Topology answers the questions about geometries that need a topology engine, and repairs them, with GEOS:
// validity, repair of self-intersecting polygons, intersection with a territory. It is safe for concurrent use:
// each call borrows a GEOS context of its own. The zero value is ready.
type Topology struct {
	contexts contexts
	checks   freeList[*quickCheck]
}

// Repair says what MakeValid did to a geometry.
type Repair int

// What MakeValid can do.
const (
	Untouched    Repair = iota // valid as given (or a point or a line: never checked)
	Repaired                   // made valid
	Collapsed                  // nothing with an area was left: the geometry is dropped
	StillInvalid               // GEOS could not make it valid: kept as given
)

// Valid says whether GEOS finds g valid, in whatever plane g is in (tile pixels, degrees).
func (t *Topology) Valid(g orb.Geometry) (bool, error) {
	var ok bool
	err := t.contexts.do(func(c *geos.Context) error {
		gg, err := toGEOS(c, g)
		if err != nil {
			return err
		}
		defer gg.Destroy()
		ok = gg.IsValid()
		return nil
	})
	return ok, err
}

// checkValid says whether GEOS finds mp valid: quickValidity's verdict when it has one (onGrid as there), else
// GEOS's IsValid of g, mp as a GEOS geometry of c. When g is nil, mp is read into GEOS for the question only
// (a polygon GEOS cannot read is not valid).
func (t *Topology) checkValid(c *geos.Context, mp orb.MultiPolygon, onGrid bool, g *geos.Geom) bool {
	if v := t.quick(mp, onGrid); v != quickUnsure {
		return v == quickValid
	}
	if g == nil {
		r, err := toGEOS(c, mp)
		if err != nil {
			return false
		}
		defer r.Destroy()
		g = r
	}
	return g.IsValid()
}

// BufferZero returns GEOS's buffer(0) of a polygon or multipolygon: the quick repair of a ring that touches
// itself, the tile encoder's last resort. Coordinates are whatever plane g is in. It returns nil when nothing
// of the polygon is left.
func (t *Topology) BufferZero(g orb.Geometry) (orb.Geometry, error) {
	var out orb.Geometry
	err := t.contexts.do(func(c *geos.Context) error {
		gg, err := toGEOS(c, g)
		if err != nil {
			return err
		}
		defer gg.Destroy()
		b := gg.Buffer(0, 8)
		defer b.Destroy()
		out, err = fromGEOS(b)
		return err
	})
	return out, err
}

// MakeValid makes a polygonal geometry (or a collection) valid the way patrimap stores it, and says what it
// did; points and lines are returned untouched. A polygon keeps its dimension: GEOS's buffer(0) is tried first,
// ten times faster, and kept only when it is valid and covers exactly the original area (the usual ring
// touching itself at a point); anything else (a bow-tie, a hole outside its shell) goes to GEOS's MakeValid,
// which keeps every part, and only its polygonal part is kept, as a MultiPolygon. A polygon with no area left
// is Collapsed (nil); one GEOS cannot repair is StillInvalid and returned as given.
func (t *Topology) MakeValid(g orb.Geometry) (orb.Geometry, Repair, error) {
	family := FamilyOf(g)
	if family != FamilyPolygon && family != FamilyCollection {
		return g, Untouched, nil
	}
	if t.quick(polygons(g), false) == quickValid {
		return g, Untouched, nil // proven valid without GEOS: most polygons are
	}
	out, rep := g, Untouched
	err := t.contexts.do(func(c *geos.Context) error {
		gg, err := toGEOS(c, g)
		if err != nil {
			return err
		}
		defer gg.Destroy()
		if gg.IsValid() {
			return nil
		}
		if family == FamilyPolygon {
			area := gg.Area()
			b := gg.Buffer(0, 8)
			defer b.Destroy()
			if b.IsValid() && !b.IsEmpty() && math.Abs(b.Area()-area) <= 1e-9*area {
				fixed, err := fromGEOS(b)
				out, rep = polygonal(fixed), Repaired
				return err
			}
		}
		v := gg.MakeValid()
		defer v.Destroy()
		fixed, err := fromGEOS(v)
		if err != nil {
			return err
		}
		if family == FamilyPolygon {
			if mp := polygonal(fixed); mp != nil {
				fixed = mp
			} else {
				fixed = nil
			}
		}
		if fixed == nil {
			out, rep = nil, Collapsed
			return nil
		}
		if family == FamilyPolygon && len(fixed.(orb.MultiPolygon)) != v.NumGeometries() {
			// Parts were dropped (lines, points): check what is kept.
			kept, err := toGEOS(c, fixed)
			if err != nil {
				return err
			}
			defer kept.Destroy()
			if !kept.IsValid() {
				rep = StillInvalid
				return nil
			}
		} else if !v.IsValid() {
			rep = StillInvalid
			return nil
		}
		out, rep = fixed, Repaired
		return nil
	})
	if err != nil {
		return g, StillInvalid, err
	}
	return out, rep, nil
}

// polygons returns a Polygon or MultiPolygon as a MultiPolygon, nil for anything else: unlike polygonal, not
// the polygons of a collection, whose other members quickValidity cannot judge (nil leaves it to GEOS).
func polygons(g orb.Geometry) orb.MultiPolygon {
	switch g := g.(type) {
	case orb.Polygon:
		return orb.MultiPolygon{g}
	case orb.MultiPolygon:
		return g
	}
	return nil
}

// polygonal returns the polygons of g as one MultiPolygon (what SpatiaLite's CollectionExtract(g, 3) and
// CastToMultiPolygon gave), nil when it has none.
func polygonal(g orb.Geometry) orb.MultiPolygon {
	var out orb.MultiPolygon
	switch g := g.(type) {
	case orb.Polygon:
		out = append(out, g)
	case orb.MultiPolygon:
		out = append(out, g...)
	case orb.Collection:
		for _, m := range g {
			out = append(out, polygonal(m)...)
		}
	}
	return out
}

// Prepared is a geometry made ready for many intersection tests (a territory's boundary against every row of
// an import). It is safe for concurrent use: each goroutine gets a prepared copy of its own.
type Prepared struct {
	geom   orb.Geometry
	bound  orb.Bound
	copies freeList[*preparedCopy]
}

type preparedCopy struct {
	c *geos.Context
	g *geos.Geom
	p *geos.PrepGeom
}

// Prepare makes g ready for Intersects.
func Prepare(g orb.Geometry) (*Prepared, error) {
	p := &Prepared{geom: g, bound: g.Bound()}
	cp, err := p.prepare()
	if err != nil {
		return nil, err
	}
	p.copies.put(cp)
	return p, nil
}

func (p *Prepared) prepare() (*preparedCopy, error) {
	cp := &preparedCopy{c: geos.NewContext()}
	err := guard(func() error {
		g, err := toGEOS(cp.c, p.geom)
		if err != nil {
			return err
		}
		cp.g, cp.p = g, g.Prepare()
		return nil
	})
	return cp, err
}

// Intersects says whether g intersects the prepared geometry (touching counts). Boxes that do not meet spare
// GEOS the question.
func (p *Prepared) Intersects(g orb.Geometry) (bool, error) {
	if g == nil || !p.bound.Intersects(g.Bound()) {
		return false, nil
	}
	var ok bool
	err := p.with(func(cp *preparedCopy) error {
		gg, err := toGEOS(cp.c, g)
		if err != nil {
			return err
		}
		defer gg.Destroy()
		ok = cp.p.Intersects(gg)
		return nil
	})
	return ok, err
}

// with runs fn with a prepared copy of the geometry that no other goroutine uses meanwhile.
func (p *Prepared) with(fn func(*preparedCopy) error) error {
	cp, kept := p.copies.get()
	if !kept {
		var err error
		if cp, err = p.prepare(); err != nil {
			return err
		}
	}
	defer p.copies.put(cp)
	return guard(func() error { return fn(cp) })
}
