package dossier

import (
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	sf "github.com/peterstace/simplefeatures/geom"
)

// This file is the one place where geometries leave patrimap's model (orb) for simplefeatures, which brings what
// orb lacks: polygon intersection and union (a DCEL overlay, pure Go). Nothing of simplefeatures leaves this
// file: geometries come in as orb, areas go out as float64 square metres.

// maxPartVertices is the size above which a feature is cut into pieces before it meets the communes: an overlay
// costs in the vertices of both sides, and a national park of 13,000 vertices met by each of its 100 communes in
// one piece costs seconds.
const maxPartVertices = 800

// overlay measures natural areas inside a territory cut into cells (its communes): each cell keeps the pieces
// of the features that fall in it, per layer, and an area is the union of a cell's pieces (an overlap counted
// once) summed over the cells. Cells do not overlap, so the sums are the territory's.
type overlay struct {
	proj   laea
	cells  []cell
	layers int
}

type cell struct {
	code   string
	geom   sf.Geometry // EPSG:3035
	env    sf.Envelope
	area   float64 // m²
	pieces [][]sf.Geometry
}

// newOverlay projects the cells' contours; codes gives their order.
func newOverlay(codes []string, contours map[string]orb.MultiPolygon, layers int) (*overlay, error) {
	o := &overlay{proj: newLAEA(), layers: layers}
	for _, code := range codes {
		g := o.geometry(contours[code])
		if err := g.Validate(); err != nil {
			return nil, fmt.Errorf("the contour of commune %s is not a valid polygon (%v): load a corrected contours file", code, err)
		}
		o.cells = append(o.cells, cell{code: code, geom: g, env: g.Envelope(), area: g.Area(), pieces: make([][]sf.Geometry, layers)})
	}
	return o, nil
}

// eachPart calls fn with each point, line string and polygon of g, collections and multi-geometries opened.
func eachPart(g orb.Geometry, fn func(orb.Geometry)) {
	switch g := g.(type) {
	case orb.MultiPoint:
		for _, p := range g {
			fn(p)
		}
	case orb.MultiLineString:
		for _, l := range g {
			fn(l)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			fn(p)
		}
	case orb.Collection:
		for _, x := range g {
			eachPart(x, fn)
		}
	case nil:
	default:
		fn(g)
	}
}

// sequence projects a line of points.
func (o *overlay) sequence(pts []orb.Point) sf.Sequence {
	coords := make([]float64, 0, 2*len(pts))
	for _, pt := range pts {
		p := o.proj.forward(pt)
		coords = append(coords, p[0], p[1])
	}
	return sf.NewSequence(coords, sf.DimXY)
}

// geometry converts and projects the polygons of g (points and lines have no area: an empty geometry).
func (o *overlay) geometry(g orb.Geometry) sf.Geometry {
	var polys []sf.Polygon
	eachPart(g, func(part orb.Geometry) {
		if p, ok := part.(orb.Polygon); ok {
			rings := make([]sf.LineString, 0, len(p))
			for _, r := range p {
				rings = append(rings, sf.NewLineString(o.sequence(r)))
			}
			polys = append(polys, sf.NewPolygon(rings))
		}
	})
	return sf.NewMultiPolygon(polys).AsGeometry()
}

// errInvalid marks a feature whose polygons are not valid: it is left out of the areas, and said so.
var errInvalid = errors.New("not a valid polygon")

// add puts the pieces of a feature in the cells it meets, for layer. inside is whether it meets the territory
// at all (touching counts, as in SQL's ST_Intersects): a point or a line meets it without adding area.
func (o *overlay) add(layer int, g orb.Geometry) (inside bool, err error) {
	if g == nil {
		return false, nil
	}
	if !hasArea(g) {
		return o.touches(g), nil
	}
	fg := o.geometry(g)
	if err := fg.Validate(); err != nil {
		return o.touches(g), fmt.Errorf("%w: %v", errInvalid, err)
	}
	parts, err := split(fg, maxPartVertices, 12)
	if err != nil {
		return false, err
	}
	for i := range o.cells {
		c := &o.cells[i]
		for _, p := range parts {
			if !c.env.Intersects(p.Envelope()) {
				continue
			}
			piece, err := sf.Intersection(c.geom, p)
			if err != nil {
				return false, fmt.Errorf("intersection with commune %s: %w", c.code, err)
			}
			piece = polygonal(piece)
			if !piece.IsEmpty() && piece.Area() > 0 {
				c.pieces[layer] = append(c.pieces[layer], piece)
				inside = true
			} else if !inside && sf.Intersects(c.geom, p) {
				inside = true
			}
		}
	}
	return inside, nil
}

// touches says whether the points and lines of g (a polygon's rings) meet a cell.
func (o *overlay) touches(g orb.Geometry) bool {
	var points []sf.Point
	var lines []sf.LineString
	eachPart(g, func(part orb.Geometry) {
		switch part := part.(type) {
		case orb.Point:
			p := o.proj.forward(part)
			points = append(points, sf.XY{X: p[0], Y: p[1]}.AsPoint())
		case orb.LineString:
			lines = append(lines, sf.NewLineString(o.sequence(part)))
		case orb.Polygon:
			for _, r := range part {
				lines = append(lines, sf.NewLineString(o.sequence(r)))
			}
		}
	})
	geoms := []sf.Geometry{sf.NewMultiPoint(points).AsGeometry(), sf.NewMultiLineString(lines).AsGeometry()}
	for _, c := range o.cells {
		for _, x := range geoms {
			if !x.IsEmpty() && c.env.Intersects(x.Envelope()) && sf.Intersects(c.geom, x) {
				return true
			}
		}
	}
	return false
}

func hasArea(g orb.Geometry) bool {
	found := false
	eachPart(g, func(part orb.Geometry) { _, ok := part.(orb.Polygon); found = found || ok })
	return found
}

// split cuts a polygon of many vertices along a quad-tree of its extent until each piece is small: the
// pieces are exact (an intersection with each quadrant) and do not overlap, so their areas add up.
func split(g sf.Geometry, maxVertices, depth int) ([]sf.Geometry, error) {
	if g.IsEmpty() {
		return nil, nil
	}
	if depth == 0 || g.DumpCoordinates().Length() <= maxVertices {
		return []sf.Geometry{g}, nil
	}
	lo, hi, ok := g.Envelope().MinMaxXYs()
	if !ok {
		return nil, nil
	}
	mid := sf.XY{X: (lo.X + hi.X) / 2, Y: (lo.Y + hi.Y) / 2}
	var out []sf.Geometry
	for _, q := range [][2]sf.XY{{lo, mid}, {{X: mid.X, Y: lo.Y}, {X: hi.X, Y: mid.Y}}, {{X: lo.X, Y: mid.Y}, {X: mid.X, Y: hi.Y}}, {mid, hi}} {
		part, err := sf.Intersection(g, sf.NewEnvelope(q[0], q[1]).AsGeometry())
		if err != nil {
			return nil, fmt.Errorf("cutting a large polygon: %w", err)
		}
		pieces, err := split(polygonal(part), maxVertices, depth-1)
		if err != nil {
			return nil, err
		}
		out = append(out, pieces...)
	}
	return out, nil
}

// polygonal keeps the polygons of an overlay's result (which may hold the lines and points where two
// polygons only touch).
func polygonal(g sf.Geometry) sf.Geometry {
	switch g.Type() {
	case sf.TypePolygon, sf.TypeMultiPolygon:
		return g
	case sf.TypeGeometryCollection:
		var polys []sf.Polygon
		gc := g.MustAsGeometryCollection()
		for i := 0; i < gc.NumGeometries(); i++ {
			x := polygonal(gc.GeometryN(i))
			switch x.Type() {
			case sf.TypePolygon:
				polys = append(polys, x.MustAsPolygon())
			case sf.TypeMultiPolygon:
				mp := x.MustAsMultiPolygon()
				for j := 0; j < mp.NumPolygons(); j++ {
					polys = append(polys, mp.PolygonN(j))
				}
			}
		}
		return sf.NewMultiPolygon(polys).AsGeometry()
	}
	return sf.Geometry{}
}

// cellAreas are the areas of one cell, m².
type cellAreas struct {
	area    float64   // the cell's own
	byLayer []float64 // union of the pieces of each layer
	all     float64   // union of the pieces of the layers asked for
}

// areas unions each cell's pieces, per layer and over the layers for which together is true, the cells spread
// over a few cores.
func (o *overlay) areas(together []bool) ([]cellAreas, error) {
	out := make([]cellAreas, len(o.cells))
	errs := make([]error, len(o.cells))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), 4); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i], errs[i] = o.cells[i].areas(together)
			}
		}()
	}
	for i := range o.cells {
		next <- i
	}
	close(next)
	wg.Wait()
	return out, errors.Join(errs...)
}

func (c *cell) areas(together []bool) (cellAreas, error) {
	a := cellAreas{area: c.area, byLayer: make([]float64, len(c.pieces))}
	var all []sf.Geometry
	for l, pieces := range c.pieces {
		u, err := union(pieces)
		if err != nil {
			return a, fmt.Errorf("commune %s: %w", c.code, err)
		}
		a.byLayer[l] = u.Area()
		if together[l] {
			all = append(all, pieces...)
		}
	}
	u, err := union(all)
	if err != nil {
		return a, fmt.Errorf("commune %s: %w", c.code, err)
	}
	a.all = u.Area()
	return a, nil
}

// union unions polygons; when the overlay meets a numerical degeneracy, it tries again with the coordinates
// snapped to the centimetre.
func union(gs []sf.Geometry) (sf.Geometry, error) {
	switch len(gs) {
	case 0:
		return sf.Geometry{}, nil
	case 1:
		return gs[0], nil
	}
	u, err := sf.UnionMany(gs)
	if err == nil {
		return u, nil
	}
	snapped := make([]sf.Geometry, len(gs))
	for i, g := range gs {
		snapped[i] = g.SnapToGrid(2)
	}
	u, err2 := sf.UnionMany(snapped)
	if err2 != nil {
		return sf.Geometry{}, fmt.Errorf("union of %d natural areas: %w", len(gs), err)
	}
	return u, nil
}

// outline is the union of the communes' contours (WGS84): the territory's outer boundary, for its maps.
func outline(codes []string, contours map[string]orb.MultiPolygon) (orb.Geometry, error) {
	gs := make([]sf.Geometry, 0, len(codes))
	for _, code := range codes {
		b, err := wkb.Marshal(contours[code])
		if err != nil {
			return nil, err
		}
		g, err := sf.UnmarshalWKB(b, sf.NoValidate{})
		if err != nil {
			return nil, err
		}
		gs = append(gs, g)
	}
	u, err := sf.UnionMany(gs)
	if err != nil {
		return nil, fmt.Errorf("outline of the territory: %w", err)
	}
	return wkb.Unmarshal(u.AsBinary())
}
