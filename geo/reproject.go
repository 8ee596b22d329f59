package geo

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"

	"github.com/paulmach/orb"
	proj "github.com/twpayne/go-proj/v11"
)

// WGS84 is the EPSG code of the CRS every stored geometry is in: longitude, latitude in degrees.
const WGS84 = 4326

// ErrUnknownCRS wraps the error of a CRS (or a pair of CRS) that PROJ cannot transform between.
var ErrUnknownCRS = errors.New("unknown coordinate reference system")

// Reprojector reprojects geometries between coordinate reference systems named by their EPSG code, with PROJ,
// always in the GIS axis order: longitude then latitude, easting then northing, whatever order the CRS's
// definition gives (EPSG:4326 officially puts latitude first; GeoJSON, shapefiles and the store do not).
//
// It is safe for concurrent use. A PROJ transformation serves one goroutine at a time, so each call borrows one
// from those kept per pair of codes, and gives it back. The zero value is ready.
type Reprojector struct {
	mu   sync.Mutex
	idle map[[2]int]*freeList[*transformation]
}

// Check says whether PROJ can transform from EPSG:from to EPSG:to; the error wraps ErrUnknownCRS.
func (r *Reprojector) Check(from, to int) error {
	if from == to {
		return nil
	}
	tr, err := r.borrow(from, to)
	if err != nil {
		return err
	}
	r.give(tr)
	return nil
}

// Reproject returns g, given in EPSG:from, in EPSG:to. The coordinates of g are transformed in place (a Point,
// being a value, only in the result). An error wraps ErrUnknownCRS when PROJ knows no such transformation;
// otherwise it names a coordinate PROJ could not transform (outside the CRS's area), and g is then partly
// transformed: drop it.
func (r *Reprojector) Reproject(g orb.Geometry, from, to int) (orb.Geometry, error) {
	if from == to || g == nil {
		return g, nil
	}
	tr, err := r.borrow(from, to)
	if err != nil {
		return nil, err
	}
	defer r.give(tr)
	if b, ok := g.(orb.Bound); ok {
		g = b.ToPolygon()
	}
	if p, ok := g.(orb.Point); ok {
		ps := []orb.Point{p}
		if err := tr.points(ps); err != nil {
			return nil, err
		}
		return ps[0], nil
	}
	var failed error
	visitSequences(g, func(ps []orb.Point) {
		if failed == nil {
			failed = tr.points(ps)
		}
	})
	if failed != nil {
		return nil, failed
	}
	return g, nil
}

// transformation is one PROJ transformation with a PROJ context of its own, so that two transformations used
// by two goroutines never wait for each other.
type transformation struct {
	from, to int
	pj       *proj.PJ
}

func (r *Reprojector) pool(from, to int) *freeList[*transformation] {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.idle == nil {
		r.idle = map[[2]int]*freeList[*transformation]{}
	}
	key := [2]int{from, to}
	p := r.idle[key]
	if p == nil {
		p = &freeList[*transformation]{}
		r.idle[key] = p
	}
	return p
}

func (r *Reprojector) borrow(from, to int) (*transformation, error) {
	if tr, ok := r.pool(from, to).get(); ok {
		return tr, nil
	}
	c := proj.NewContext()
	pj, err := c.NewCRSToCRS(epsg(from), epsg(to), nil)
	if err != nil {
		return nil, fmt.Errorf("%w: PROJ knows no transformation from %s to %s (%v)", ErrUnknownCRS, epsg(from), epsg(to), err)
	}
	// The GIS order for both ends (proj_normalize_for_visualization).
	pj, err = pj.NormalizeForVisualization()
	if err != nil {
		return nil, fmt.Errorf("%w: %s to %s in longitude/latitude order: %v", ErrUnknownCRS, epsg(from), epsg(to), err)
	}
	return &transformation{from: from, to: to, pj: pj}, nil
}

func (r *Reprojector) give(tr *transformation) { r.pool(tr.from, tr.to).put(tr) }

// points transforms ps in place. orb.Point is [2]float64, so a slice of points is PROJ's x, y, x, y... array
// with a stride of two doubles: PROJ reads and writes it directly, without a copy.
func (tr *transformation) points(ps []orb.Point) error {
	if len(ps) == 0 {
		return nil
	}
	const stride = 16 // bytes between two x (or two y)
	err := tr.pj.TransGeneric(proj.DirectionFwd, &ps[0][0], stride, len(ps), &ps[0][1], stride, len(ps), nil, 0, 0, nil, 0, 0)
	for _, p := range ps {
		// PROJ marks a coordinate it cannot transform with HUGE_VAL, and may not say so otherwise.
		if err != nil || math.IsInf(p[0], 0) || math.IsInf(p[1], 0) || math.IsNaN(p[0]) || math.IsNaN(p[1]) {
			return fmt.Errorf("a coordinate cannot be transformed from %s to %s (outside the area of the CRS?)", epsg(tr.from), epsg(tr.to))
		}
	}
	return nil
}

func epsg(code int) string { return "EPSG:" + strconv.Itoa(code) }

// visitSequences calls fn with every run of vertices of g (a line, a ring, the points of a MultiPoint), whose
// elements fn may change. A lone Point, being a value, is not visited.
func visitSequences(g orb.Geometry, fn func([]orb.Point)) {
	switch g := g.(type) {
	case orb.MultiPoint:
		fn(g)
	case orb.LineString:
		fn(g)
	case orb.Ring:
		fn(g)
	case orb.MultiLineString:
		for _, l := range g {
			fn(l)
		}
	case orb.Polygon:
		for _, r := range g {
			fn(r)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			for _, r := range p {
				fn(r)
			}
		}
	case orb.Collection:
		for i, m := range g {
			if p, ok := m.(orb.Point); ok {
				ps := []orb.Point{p}
				fn(ps)
				g[i] = ps[0]
				continue
			}
			visitSequences(m, fn)
		}
	}
}
