package geo

import (
	"errors"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/project"
	"github.com/paulmach/orb/simplify"
	"github.com/twpayne/go-geos"
)

// TileGrid is the grid vector tiles are drawn on: web Mercator, Extent units a tile side at every zoom,
// Douglas-Peucker at Tolerance units, and parts smaller than MinSize units in both directions not drawn (a
// site with nothing else becomes a square on its largest part).
type TileGrid struct {
	Extent, Tolerance, MinSize float64
}

// Pyramid returns a line or polygon geometry (lon/lat) as drawn on the tile grid of each zoom from 0 to
// maxZoom, index = zoom, in lon/lat again: what a tile of that zoom would make of it, done once at import
// instead of in every tile. Per zoom, each polygon part of at least MinSize is simplified at Tolerance and
// the whole snapped to the grid by GEOS (snap-rounding, valid on the grid: parts that the grid folds onto
// each other are merged there once, rather than repaired in every tile); smaller parts are left out. A site
// with nothing left is the box of its largest part, exactly: the tile draws its square where it would have
// from the full geometry. Lines are simplified and snapped. Points and empty geometries have no pyramid
// (nil); a collection keeps its polygons, as tiles do.
func (t *Topology) Pyramid(g orb.Geometry, maxZoom int, grid TileGrid) []orb.Geometry {
	var (
		polys orb.MultiPolygon
		lines orb.MultiLineString
	)
	switch g := g.(type) {
	case orb.Polygon:
		polys = orb.MultiPolygon{g}
	case orb.MultiPolygon:
		polys = g
	case orb.LineString:
		lines = orb.MultiLineString{g}
	case orb.MultiLineString:
		lines = g
	case orb.Collection:
		polys = polygonal(g)
		if polys == nil {
			polys = orb.MultiPolygon{}
		}
	default:
		return nil
	}
	if len(polys) == 0 && len(lines) == 0 {
		if _, ok := g.(orb.Collection); !ok {
			return nil
		}
	}
	// Web Mercator in [0, 1] once; each zoom scales it.
	if polys != nil {
		polys = project.MultiPolygon(orb.Clone(polys).(orb.MultiPolygon), Mercator)
	} else {
		lines = project.MultiLineString(orb.Clone(lines).(orb.MultiLineString), Mercator)
	}
	out := make([]orb.Geometry, maxZoom+1)
	for z := range out {
		scale := math.Ldexp(grid.Extent, z)
		var drawn orb.Geometry
		if polys != nil {
			drawn = t.polygonsOnGrid(polys, scale, grid)
		} else {
			drawn = linesOnGrid(lines, scale, grid)
		}
		// drawn is new: projected back in place.
		out[z] = project.Geometry(drawn, func(p orb.Point) orb.Point { return Unmercator(orb.Point{p[0] / scale, p[1] / scale}) })
	}
	return out
}

// polygonsOnGrid draws mp (Mercator in [0, 1]) on the grid of scale units (the world's side at one zoom).
func (t *Topology) polygonsOnGrid(mp orb.MultiPolygon, scale float64, grid TileGrid) orb.MultiPolygon {
	var (
		keep    orb.MultiPolygon
		largest orb.Bound
		largeA  = -1.0
	)
	dp := simplify.DouglasPeucker(grid.Tolerance)
	for _, p := range mp {
		if len(p) == 0 || len(p[0]) < 4 {
			continue
		}
		b := p[0].Bound()
		b = orb.Bound{Min: orb.Point{b.Min[0] * scale, b.Min[1] * scale}, Max: orb.Point{b.Max[0] * scale, b.Max[1] * scale}}
		// The tiles' rule for the largest part (the first of equal boxes).
		if a := (b.Max[0] - b.Min[0]) * (b.Max[1] - b.Min[1]); a > largeA || largeA < 0 {
			largest, largeA = b, a
		}
		if b.Max[0]-b.Min[0] < grid.MinSize && b.Max[1]-b.Min[1] < grid.MinSize {
			continue
		}
		var q orb.Polygon
		for i, r := range p {
			s := dp.Ring(scaleRing(r, scale))
			if len(s) < 4 {
				if i == 0 {
					break
				}
				continue
			}
			q = append(q, s)
		}
		if len(q) > 0 {
			keep = append(keep, q)
		}
	}
	if len(keep) > 0 {
		if snapped := t.snapToGrid(keep); len(snapped) > 0 {
			return snapped
		}
	}
	if largeA < 0 {
		return orb.MultiPolygon{}
	}
	// Nothing drawable: the largest part's box, unsnapped, on which the tile centres the site's square.
	return orb.MultiPolygon{largest.ToPolygon()}
}

// snapToGrid rounds mp to the integer grid, valid. Most sites stay valid when their vertices are rounded:
// they are kept so, proven valid on the grid (quickValidity) or else by GEOS. The others go through GEOS's
// snap-rounding, which keeps a valid polygon valid (crossings become vertices, parts folded onto each other
// merge); simplification may have made mp invalid (a ring across its neighbour), which snap-rounding refuses:
// it is made valid first (GEOS's "structure" method, which keeps the area of every ring). A polygon GEOS
// cannot take is returned rounded only: the tile's checks and repairs see to it.
func (t *Topology) snapToGrid(mp orb.MultiPolygon) orb.MultiPolygon {
	rounded := project.MultiPolygon(orb.Clone(mp).(orb.MultiPolygon), func(p orb.Point) orb.Point { return orb.Point{math.Round(p[0]), math.Round(p[1])} })
	var out orb.MultiPolygon
	err := t.contexts.do(func(c *geos.Context) error {
		if t.checkValid(c, rounded, true, nil) {
			out = rounded
			return nil
		}
		gg, err := toGEOS(c, mp)
		if err != nil {
			return err
		}
		defer gg.Destroy()
		if !t.checkValid(c, mp, false, gg) {
			v := gg.MakeValidWithParams(geos.MakeValidStructure, geos.MakeValidDiscardCollapsed)
			defer v.Destroy()
			gg = v
		}
		s := gg.SetPrecision(1, geos.PrecisionRuleValidOutput)
		defer s.Destroy()
		g, err := fromGEOS(s)
		if err != nil {
			return err
		}
		// The snapped polygons are on the grid: most are proven valid without GEOS.
		if !t.checkValid(c, polygons(g), true, s) {
			return errors.New("snapped to the grid, not valid")
		}
		out = polygonal(g)
		return nil
	})
	if err != nil {
		return rounded
	}
	return out
}

// linesOnGrid draws mls (Mercator in [0, 1]) on the grid of scale units: simplified and rounded, lines left
// with one point dropped; when none is left, the diagonal of their box, on whose centre the tile draws its
// short segment.
func linesOnGrid(mls orb.MultiLineString, scale float64, grid TileGrid) orb.MultiLineString {
	dp := simplify.DouglasPeucker(grid.Tolerance)
	var (
		out orb.MultiLineString
		all orb.Bound
	)
	for i, l := range mls {
		s := dp.LineString(orb.LineString(scaleRing(orb.Ring(l), scale)))
		if i == 0 {
			all = s.Bound()
		} else {
			all = all.Union(s.Bound())
		}
		var r orb.LineString
		for _, p := range s {
			p = orb.Point{math.Round(p[0]), math.Round(p[1])}
			if n := len(r); n == 0 || r[n-1] != p {
				r = append(r, p)
			}
		}
		if len(r) >= 2 {
			out = append(out, r)
		}
	}
	if len(out) == 0 && len(mls) > 0 {
		out = orb.MultiLineString{{all.Min, all.Max}}
	}
	return out
}

func scaleRing(r orb.Ring, scale float64) orb.Ring {
	out := make(orb.Ring, len(r))
	for i, p := range r {
		out[i] = orb.Point{p[0] * scale, p[1] * scale}
	}
	return out
}

// maxMercatorLat is where web Mercator stops (the square world).
const maxMercatorLat = 85.0511287798066

// Mercator maps lon/lat to web Mercator in the unit square, x eastwards from the antimeridian, y southwards
// from the north edge, as tiles number them: the one projection of the pyramid and of the tiles, so that a
// pyramid drawn on a zoom's grid lands on the tiles' grid exactly.
func Mercator(ll orb.Point) orb.Point {
	lat := math.Max(-maxMercatorLat, math.Min(maxMercatorLat, ll[1]))
	sin := math.Sin(lat * math.Pi / 180)
	return orb.Point{(ll[0] + 180) / 360, 0.5 - math.Log((1+sin)/(1-sin))/(4*math.Pi)}
}

// Unmercator is the inverse of Mercator.
func Unmercator(p orb.Point) orb.Point {
	return orb.Point{p[0]*360 - 180, math.Atan(math.Sinh(math.Pi*(1-2*p[1]))) * 180 / math.Pi}
}
