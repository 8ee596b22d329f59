package dossier

import (
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/geo"
)

// Areas are measured in the ETRS89 Lambert azimuthal equal-area projection (EPSG:3035, projected by PROJ): an
// equal-area projection keeps every area whatever the distortion of shapes, so hectares measured there are
// the GRS80 ellipsoid's (the difference with PostGIS's ST_Area on the geography is that of straight edges drawn
// in one or the other space: negligible at the scale of a commune). Lambert-93, conformal, would shrink Isère by
// 0.14 %. Intersections and unions are GEOS's (geo.Topology, geo.Prepared).
const laea = 3035

// maxPartVertices is the size above which a feature is cut into pieces before it meets the communes: an
// intersection costs in the vertices of both sides, and a national park of 13,000 vertices met by each of its
// 100 communes in one piece would be read whole 100 times.
const maxPartVertices = 800

// overlay measures natural areas inside a territory cut into cells (its communes): each cell keeps the pieces
// of the features that fall in it, per layer, and an area is the union of a cell's pieces (an overlap counted
// once) summed over the cells. Cells do not overlap, so the sums are the territory's.
type overlay struct {
	g      *Builder
	cells  []cell
	layers int
}

type cell struct {
	code   string
	geom   *geo.Prepared // EPSG:3035
	bound  orb.Bound
	area   float64 // m²
	pieces [][]orb.Geometry
}

// newOverlay prepares the cells' contours, given in EPSG:3035; codes gives their order.
func newOverlay(g *Builder, codes []string, projected map[string]orb.MultiPolygon, layers int) (*overlay, error) {
	o := &overlay{g: g, layers: layers}
	for _, code := range codes {
		mp := projected[code]
		if ok, err := g.topology.Valid(mp); !ok || err != nil {
			return nil, fmt.Errorf("the contour of commune %s is not a valid polygon (%v): load a corrected contours file", code, err)
		}
		p, err := geo.Prepare(mp)
		if err != nil {
			return nil, fmt.Errorf("the contour of commune %s: %w", code, err)
		}
		o.cells = append(o.cells, cell{code: code, geom: p, bound: mp.Bound(), area: geo.Area(mp), pieces: make([][]orb.Geometry, layers)})
	}
	return o, nil
}

// errInvalid marks a feature whose polygons are not valid: it is left out of the areas, and said so.
var errInvalid = errors.New("not a valid polygon")

// add puts the pieces of a feature (WGS84) in the cells it meets, for layer. inside is whether it meets the
// territory at all (touching counts, as in SQL's ST_Intersects): a point or a line meets it without adding
// area.
func (o *overlay) add(layer int, g orb.Geometry) (inside bool, err error) {
	if g == nil {
		return false, nil
	}
	pg, err := o.g.project(g)
	if err != nil {
		return false, fmt.Errorf("%w: %v", errInvalid, err)
	}
	polys := geo.Polygons(pg)
	if polys == nil {
		return o.touches(pg)
	}
	if ok, err := o.g.topology.Valid(polys); err != nil || !ok {
		in, terr := o.touches(pg)
		if terr != nil {
			return false, terr
		}
		return in, fmt.Errorf("%w (%v)", errInvalid, err)
	}
	parts, err := o.split(polys, maxPartVertices, 12)
	if err != nil {
		return false, err
	}
	bounds := make([]orb.Bound, len(parts))
	for i, p := range parts {
		bounds[i] = p.Bound()
	}
	for i := range o.cells {
		c := &o.cells[i]
		for j, p := range parts {
			if !c.bound.Intersects(bounds[j]) {
				continue
			}
			x, err := c.geom.Intersection(p)
			if err != nil {
				return false, fmt.Errorf("intersection with commune %s: %w", c.code, err)
			}
			if x == nil {
				continue
			}
			inside = true // touching counts
			if piece := geo.Polygons(x); geo.Area(piece) > 0 {
				c.pieces[layer] = append(c.pieces[layer], piece)
			}
		}
	}
	return inside, nil
}

// touches says whether the points and lines of g (a polygon's rings) meet a cell.
func (o *overlay) touches(g orb.Geometry) (bool, error) {
	var points orb.MultiPoint
	var lines orb.MultiLineString
	eachPart(g, func(part orb.Geometry) {
		switch part := part.(type) {
		case orb.Point:
			points = append(points, part)
		case orb.LineString:
			lines = append(lines, part)
		case orb.Polygon:
			for _, r := range part {
				lines = append(lines, orb.LineString(r))
			}
		}
	})
	var parts []orb.Geometry
	if len(points) > 0 {
		parts = append(parts, points)
	}
	if len(lines) > 0 {
		parts = append(parts, lines)
	}
	for _, c := range o.cells {
		for _, x := range parts {
			if in, err := c.geom.Intersects(x); in || err != nil {
				return in, err
			}
		}
	}
	return false, nil
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

// split cuts a polygon of many vertices along a quad-tree of its extent until each piece is small: the
// pieces are exact (an intersection with each quadrant) and do not overlap, so their areas add up.
func (o *overlay) split(g orb.Geometry, maxVertices, depth int) ([]orb.Geometry, error) {
	if g == nil {
		return nil, nil
	}
	if depth == 0 || vertices(g) <= maxVertices {
		return []orb.Geometry{g}, nil
	}
	b := g.Bound()
	mid := b.Center()
	var out []orb.Geometry
	for _, q := range []orb.Bound{{Min: b.Min, Max: mid}, {Min: orb.Point{mid[0], b.Min[1]}, Max: orb.Point{b.Max[0], mid[1]}},
		{Min: orb.Point{b.Min[0], mid[1]}, Max: orb.Point{mid[0], b.Max[1]}}, {Min: mid, Max: b.Max}} {
		part, err := o.g.topology.Intersection(g, q.ToPolygon())
		if err != nil {
			return nil, fmt.Errorf("cutting a large polygon: %w", err)
		}
		var polys orb.Geometry
		if mp := geo.Polygons(part); mp != nil {
			polys = mp
		}
		pieces, err := o.split(polys, maxVertices, depth-1)
		if err != nil {
			return nil, err
		}
		out = append(out, pieces...)
	}
	return out, nil
}

// vertices counts the vertices of polygons.
func vertices(g orb.Geometry) int {
	n := 0
	for _, p := range geo.Polygons(g) {
		for _, r := range p {
			n += len(r)
		}
	}
	return n
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
				out[i], errs[i] = o.cells[i].areas(&o.g.topology, together)
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

func (c *cell) areas(topo *geo.Topology, together []bool) (cellAreas, error) {
	a := cellAreas{area: c.area, byLayer: make([]float64, len(c.pieces))}
	var layers []orb.Geometry // each layer's union
	for l, pieces := range c.pieces {
		u, err := topo.Union(pieces...)
		if err != nil {
			return a, fmt.Errorf("commune %s: union of %d natural areas: %w", c.code, len(pieces), err)
		}
		a.byLayer[l] = geo.Area(u)
		if together[l] && u != nil {
			layers = append(layers, u)
		}
	}
	u, err := topo.Union(layers...)
	if err != nil {
		return a, fmt.Errorf("commune %s: union of the natural layers: %w", c.code, err)
	}
	a.all = geo.Area(u)
	return a, nil
}
