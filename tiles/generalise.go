package tiles

import (
	"cmp"
	"math"
	"slices"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/simplify"
)

// Generalisation happens in tile units (0..Extent, y down), after projection, so that every rule reads in
// pixels whatever the zoom: a 4096-unit tile is drawn 512 px wide by MapLibre (8 units a pixel) and 256 px wide
// by Leaflet-style clients (16 units a pixel).
//
// The rules, per feature:
//
//   - Polygons are clipped to the buffered tile, simplified with Douglas-Peucker at the zoom's tolerance (none
//     at the maximum zoom, whose tiles are over-zoomed), snapped to the integer grid, cleaned (repeated points
//     removed, rings of fewer than 4 points or of no area dropped) and wound as the MVT spec says (exterior
//     rings clockwise on screen). The result is checked (no ring crosses or touches itself or another ring, every
//     hole starts inside its shell); when the check fails the polygon is redone with a quarter of the tolerance,
//     then without simplification, then repaired by GEOS (ST_Buffer(g, 0)), so simplification never ships a
//     broken polygon.
//   - A site never vanishes: the parts of a (multi)polygon smaller than MinSize in both directions are dropped,
//     and when nothing of the site is left (all of it tiny, or collapsed by simplification), the site becomes a
//     MinSize square centred on its largest part. A square rather than a point keeps every layer polygonal:
//     a MapLibre "fill" style, QGIS's layer per geometry type and the TileJSON geometry stay the same at every
//     zoom, and the site shows as a one-pixel dot (two on MapLibre's 512-px tiles).
//   - Lines are clipped, simplified and snapped; a line shorter than MinSize becomes a MinSize segment.
//   - Points are kept as they are at the maximum zoom. Below it, points that fall in the same cell of the
//     thinning grid keep only the first one in fid order: they would be drawn on top of each other anyway. The
//     cell is twice the tolerance (half a pixel of a 256-px tile) from z12, one pixel from z9, two pixels at
//     z7–z8 (a tile covers a département, a marker is several pixels wide) and four up to z6: a z5 tile of
//     40,000 points then holds at most 66 × 66 of them.

// MinSize is the side, in tile units, of the square a site too small to draw becomes (one pixel of a 256-px tile).
const MinSize = 16

// generaliser holds the rules for one tile at one tolerance.
type generaliser struct {
	tol   float64   // Douglas-Peucker tolerance in tile units; 0 keeps every vertex
	bound orb.Bound // the buffered tile, in tile units
	// repair is the last resort for a polygon still invalid without simplification; nil skips it.
	repair func(orb.MultiPolygon) orb.MultiPolygon
	// valid, when set, confirms with GEOS the polygons that were clipped, simplified or repaired: they can
	// be left in configurations (a hole touching its shell twice) that the quick check does not see.
	valid func(orb.MultiPolygon) bool
	// stats
	squares, repaired, retried int
	scratch                    orb.Ring // snapRing's copy of a ring to simplify
}

// polygons generalises a projected (multi)polygon; nil means nothing of it is in this tile, square that the
// site is too small to draw and became a MinSize square.
func (g *generaliser) polygons(mp orb.MultiPolygon) (out orb.Geometry, square bool) {
	s := cutSite{pieces: make([]orb.MultiPolygon, 0, len(mp)), bounds: make([]orb.Bound, 0, len(mp))}
	for _, p := range mp {
		if len(p) == 0 || len(p[0]) < 4 {
			continue
		}
		s.pieces, s.bounds = append(s.pieces, orb.MultiPolygon{p}), append(s.bounds, ringBound(p[0]))
	}
	return g.site(s)
}

// site generalises a site's parts, each drawn from its pieces (clipped or not) and judged by its whole box;
// square as polygons says.
func (g *generaliser) site(s cutSite) (out orb.Geometry, square bool) {
	var (
		keep    orb.MultiPolygon
		largest orb.Bound
		largeA  = -1.0
	)
	for i, b := range s.bounds {
		if a := width(b) * height(b); a > largeA || largeA < 0 {
			largest, largeA = b, a
		}
		if width(b) < MinSize && height(b) < MinSize {
			continue // tiny part: dropped, the site keeps its square if nothing else is left
		}
		if !b.Intersects(g.bound) {
			continue
		}
		keep = append(keep, s.pieces[i]...)
	}
	if largeA < 0 {
		return nil, false
	}
	if len(keep) > 0 {
		if fit := g.fitPolygons(keep); len(fit) > 0 {
			if len(fit) == 1 {
				return fit[0], false
			}
			return fit, false
		}
	}
	// Nothing drawable is left: the site becomes a square on its largest part, in the tile that holds it.
	c := largest.Center()
	if !g.bound.Contains(c) {
		return nil, false
	}
	g.squares++
	return squareAt(c), true
}

// needsGEOS says whether validPolygons's verdict on mp must be confirmed by GEOS. The quick check is complete
// for polygons with at most one hole that shares at most one vertex with its shell, in a multipolygon whose
// parts' boxes do not meet: it then sees every crossing, every fold and the hole's side. Nested holes, two-point
// touches (an interior cut in two) and parts that may overlap are GEOS's to judge.
func needsGEOS(mp orb.MultiPolygon) bool {
	bounds := make([]orb.Bound, len(mp))
	for i, p := range mp {
		if len(p) > 2 {
			return true
		}
		if len(p) == 2 {
			shell := make(map[orb.Point]bool, len(p[0]))
			for _, q := range p[0] {
				shell[q] = true
			}
			shared := 0
			for _, q := range p[1][:len(p[1])-1] {
				if shell[q] {
					shared++
				}
			}
			if shared > 1 {
				return true
			}
		}
		bounds[i] = ringBound(p[0])
		for j := 0; j < i; j++ {
			if bounds[i].Intersects(bounds[j]) {
				return true
			}
		}
	}
	return false
}

// separableParts keeps, largest first, each part of mp that is valid alone and leaves the parts kept before
// valid with it: a valid multipolygon of what can be drawn (parts folded onto others by the grid are left out).
func (g *generaliser) separableParts(mp orb.MultiPolygon, ok func(orb.MultiPolygon, bool) bool) orb.MultiPolygon {
	parts := append(orb.MultiPolygon(nil), mp...)
	sort.Slice(parts, func(i, j int) bool { return math.Abs(ringArea(parts[i][0])) > math.Abs(ringArea(parts[j][0])) })
	var kept orb.MultiPolygon
	for _, p := range parts {
		if !ok(orb.MultiPolygon{p}, true) {
			continue
		}
		if with := append(append(orb.MultiPolygon(nil), kept...), p); ok(with, true) {
			kept = with
		}
	}
	return kept
}

// fitPolygons clips, simplifies and snaps, retrying with less simplification until the result is valid.
func (g *generaliser) fitPolygons(mp orb.MultiPolygon) orb.MultiPolygon {
	clipped := make(orb.MultiPolygon, 0, len(mp))
	for _, p := range mp {
		if b := ringBound(p[0]); !g.bound.Contains(b.Min) || !g.bound.Contains(b.Max) {
			if cut, ok := clipPolygon(g.bound, p); ok { // see clip.go
				clipped = append(clipped, cut...)
				continue
			}
			p = clip.Polygon(g.bound, p.Clone())
		}
		if len(p) > 0 {
			clipped = append(clipped, p)
		}
	}
	if len(clipped) == 0 {
		return nil
	}
	ok := func(out orb.MultiPolygon, deep bool) bool {
		if !validPolygons(out) {
			return false
		}
		return !deep || g.valid == nil || len(out) == 0 || !needsGEOS(out) || g.valid(out)
	}
	tols := []float64{g.tol, g.tol / 4, 0}
	if g.tol == 0 {
		tols = tols[2:] // the maximum zoom: the three tries would be the same
	}
	var simplified orb.MultiPolygon // the result at the tile's tolerance, kept for the repair
	for i, tol := range tols {
		out := g.snapPolygons(clipped, tol)
		// GEOS confirms: clipping, simplifying and snapping can leave configurations the quick check misses.
		if ok(out, true) {
			return out
		}
		if i == 0 {
			simplified = out
		}
		if tol == 0 {
			if b := polygonsBound(clipped); width(b) < 4*MinSize && height(b) < 4*MinSize {
				// A site of a few pixels that cannot be drawn validly on the grid: its pixel square (the
				// caller's fallback) shows it as well, without a GEOS repair.
				g.retried++
				return nil
			}
			if g.repair == nil {
				return out
			}
			g.repaired++
			// Invalid even without simplification: the fault is in the site on this grid (parts of a braided
			// river snapped onto each other), not in the simplification, so GEOS repairs the simplified form
			// (on a multipart site at z8-z10, a tenth of the vertices of the full one, and as much less
			// work for GEOS and for the checks after it). The full form is repaired only when that fails.
			if len(simplified) > 0 && len(tols) > 1 {
				if fixed, valid := g.repairRounds(simplified, ok); valid {
					return fixed
				}
			}
			fixed, valid := g.repairRounds(out, ok)
			if valid {
				return fixed
			}
			// Still invalid on the grid (narrow parts that snapping folds onto each other): keep the parts that
			// are valid on their own and apart from each other, largest first, rather than ship an invalid
			// polygon.
			return g.separableParts(fixed, ok)
		}
		g.retried++
	}
	return nil
}

// repairRounds has GEOS make mp valid; its new vertices (where edges met) are snapped to the grid again, which
// may break it again: a few rounds settle it. It returns the last result and whether it is valid.
func (g *generaliser) repairRounds(mp orb.MultiPolygon, ok func(orb.MultiPolygon, bool) bool) (orb.MultiPolygon, bool) {
	for range 3 {
		mp = g.snapPolygons(g.repair(mp), 0)
		if ok(mp, true) {
			return mp, true
		}
	}
	return mp, false
}

// snapPolygons simplifies each ring with Douglas-Peucker at tol, rounds to the integer grid, drops repeated
// points and rings that collapsed, and winds the rings as MVT wants.
func (g *generaliser) snapPolygons(mp orb.MultiPolygon, tol float64) orb.MultiPolygon {
	out := make(orb.MultiPolygon, 0, len(mp))
	for _, p := range mp {
		var q orb.Polygon
		for i, r := range p {
			r = g.snapRing(r, tol)
			if r == nil {
				if i == 0 {
					break // the shell collapsed: so does the polygon
				}
				continue
			}
			a := ringArea(r)
			if (i == 0) != (a > 0) {
				r.Reverse()
			}
			q = append(q, r)
		}
		if len(q) > 0 {
			out = append(out, q)
		}
	}
	return out
}

func (g *generaliser) snapRing(r orb.Ring, tol float64) orb.Ring {
	if tol > 0 && len(r) > 4 {
		// Douglas-Peucker works in place: on a copy in the generaliser's scratch ring, reused from ring to ring
		// (the clipped rings are simplified again at each tolerance tried).
		g.scratch = append(g.scratch[:0], r...)
		r = simplify.DouglasPeucker(tol).Ring(g.scratch)
	}
	out := make(orb.Ring, 0, len(r))
	for _, pt := range r {
		pt = orb.Point{math.Round(pt[0]), math.Round(pt[1])}
		if n := len(out); n > 0 && out[n-1] == pt {
			continue
		}
		out = append(out, pt)
	}
	if len(out) > 0 && out[0] != out[len(out)-1] {
		out = append(out, out[0])
	}
	// Spikes (a, b, a) after snapping are zero-width: remove them until none is left.
	for changed := true; changed && len(out) >= 4; {
		changed = false
		for i := 1; i+1 < len(out); i++ {
			if out[i-1] == out[i+1] {
				out = append(out[:i], out[i+2:]...)
				changed = true
				break
			}
		}
	}
	if len(out) < 4 || ringArea(out) == 0 {
		return nil
	}
	return out
}

// ringArea is the signed area by the surveyor's formula: positive for a ring clockwise on screen (y down),
// which is what the MVT spec calls an exterior ring.
func ringArea(r orb.Ring) float64 {
	var s float64
	for i := 0; i+1 < len(r); i++ {
		s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return s / 2
}

func squareAt(c orb.Point) orb.Polygon {
	x, y := math.Round(c[0]), math.Round(c[1])
	h := float64(MinSize / 2)
	return orb.Polygon{{{x - h, y - h}, {x + h, y - h}, {x + h, y + h}, {x - h, y + h}, {x - h, y - h}}}
}

// segment is one edge of a ring, for the validity check.
type segment struct {
	a, b       orb.Point
	ring, idx  int32 // which ring (numbered across the multipolygon) and which edge of it
	ringLen    int32 // edges in the ring
	minX, maxX float64
}

// validPolygons says whether mp, on the integer grid, is valid enough for every client: rings of at least 4
// points with an area, no two edges crossing or touching except consecutive edges of a ring at their shared
// vertex, and every hole starting inside its shell. It is stricter than OGC (a hole touching its shell at one
// point is refused), which only costs a retry with less simplification.
func validPolygons(mp orb.MultiPolygon) bool {
	edges := 0
	for _, p := range mp {
		for _, r := range p {
			edges += len(r)
		}
	}
	segs := make([]segment, 0, edges)
	ring := 0
	for _, p := range mp {
		for i, r := range p {
			if len(r) < 4 || r[0] != r[len(r)-1] || ringArea(r) == 0 {
				return false
			}
			if i > 0 && !inRing(p[0], r[0]) {
				return false
			}
			n := len(r) - 1
			for j := 0; j < n; j++ {
				a, b := r[j], r[j+1]
				segs = append(segs, segment{a: a, b: b, ring: int32(ring), idx: int32(j), ringLen: int32(n), minX: math.Min(a[0], b[0]), maxX: math.Max(a[0], b[0])})
			}
			ring++
		}
	}
	segs = sortByMinX(segs)
	for i := range segs {
		s := &segs[i]
		for j := i + 1; j < len(segs) && segs[j].minX <= s.maxX; j++ {
			t := &segs[j]
			if s.ring == t.ring {
				d := s.idx - t.idx
				if d == 1 || d == -1 || d == s.ringLen-1 || d == 1-s.ringLen {
					// consecutive edges share one vertex; they must not fold back on each other
					if collinearOverlap(s, t) {
						return false
					}
					continue
				}
			}
			if s.ring != t.ring {
				// OGC lets rings touch at a vertex, not cross nor share an edge.
				if crossOrOverlap(s.a, s.b, t.a, t.b) {
					return false
				}
				continue
			}
			if segmentsIntersect(s.a, s.b, t.a, t.b) {
				return false
			}
		}
	}
	return true
}

// sortByMinX orders segs by their left end, for the sweep of validPolygons (which pairs it tests does not
// depend on the order of segments starting at the same x). On the integer grid of a tile the left ends are a
// few thousand values: a counting sort, a third of the time of a comparison sort of these 64-byte segments,
// which was a fifth of a z8 tile of braided rivers. Other coordinates get the comparison sort.
func sortByMinX(segs []segment) []segment {
	if len(segs) < 64 {
		slices.SortFunc(segs, func(a, b segment) int { return cmp.Compare(a.minX, b.minX) })
		return segs
	}
	lo, hi := segs[0].minX, segs[0].minX
	for i := range segs {
		x := segs[i].minX
		if x != math.Trunc(x) {
			lo, hi = 1, 0 // off the grid
			break
		}
		lo, hi = min(lo, x), max(hi, x)
	}
	if hi < lo || hi-lo > 1<<16 {
		slices.SortFunc(segs, func(a, b segment) int { return cmp.Compare(a.minX, b.minX) })
		return segs
	}
	start := make([]int32, int(hi-lo)+2)
	for i := range segs {
		start[int(segs[i].minX-lo)+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	out := make([]segment, len(segs))
	for i := range segs {
		k := int(segs[i].minX - lo)
		out[start[k]] = segs[i]
		start[k]++
	}
	return out
}

func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

func onSegment(a, b, p orb.Point) bool {
	return math.Min(a[0], b[0]) <= p[0] && p[0] <= math.Max(a[0], b[0]) && math.Min(a[1], b[1]) <= p[1] && p[1] <= math.Max(a[1], b[1])
}

// crossOrOverlap says whether segments ab and cd cross or share more than a point, or whether one's interior
// passes through a vertex of the other (a ring touching another mid-edge is a vertex touch in OGC only when
// the touching point is a vertex of both: mid-edge touches are refused too, conservatively).
func crossOrOverlap(a, b, c, d orb.Point) bool {
	if !segmentsIntersect(a, b, c, d) {
		return false
	}
	shared := 0
	for _, p := range []orb.Point{a, b} {
		if p == c || p == d {
			shared++
		}
	}
	if shared == 1 {
		// they meet at a common vertex: fine unless collinear and overlapping
		o1, o2 := orient(a, b, c), orient(a, b, d)
		return o1 == 0 && o2 == 0 && overlapLength(a, b, c, d)
	}
	return true
}

// overlapLength says whether collinear segments ab and cd share more than one point.
func overlapLength(a, b, c, d orb.Point) bool {
	ax, bx, cx, dx := a[0], b[0], c[0], d[0]
	if ax == bx { // vertical: compare y
		ax, bx, cx, dx = a[1], b[1], c[1], d[1]
	}
	lo, hi := math.Max(math.Min(ax, bx), math.Min(cx, dx)), math.Min(math.Max(ax, bx), math.Max(cx, dx))
	return hi > lo
}

// segmentsIntersect says whether closed segments ab and cd share at least one point.
func segmentsIntersect(a, b, c, d orb.Point) bool {
	if math.Max(a[1], b[1]) < math.Min(c[1], d[1]) || math.Max(c[1], d[1]) < math.Min(a[1], b[1]) {
		return false
	}
	o1, o2, o3, o4 := orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
	if ((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0)) {
		return true
	}
	return (o1 == 0 && onSegment(a, b, c)) || (o2 == 0 && onSegment(a, b, d)) ||
		(o3 == 0 && onSegment(c, d, a)) || (o4 == 0 && onSegment(c, d, b))
}

// collinearOverlap says whether two consecutive edges fold back along each other (a zero-width spike).
func collinearOverlap(s, t *segment) bool {
	var shared, p, q orb.Point
	switch {
	case s.b == t.a:
		shared, p, q = s.b, s.a, t.b
	case t.b == s.a:
		shared, p, q = s.a, s.b, t.a
	default:
		return false
	}
	if orient(shared, p, q) != 0 {
		return false
	}
	// collinear: they overlap when p and q lie on the same side of the shared vertex
	return (p[0]-shared[0])*(q[0]-shared[0])+(p[1]-shared[1])*(q[1]-shared[1]) > 0
}

// inRing says whether p is inside r or on its boundary (ray casting).
func inRing(r orb.Ring, p orb.Point) bool {
	in := false
	for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
		a, b := r[i], r[j]
		if orient(a, b, p) == 0 && onSegment(a, b, p) {
			return true
		}
		if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}

// lines generalises a projected (multi)line string.
func (g *generaliser) lines(mls orb.MultiLineString) orb.Geometry {
	var out orb.MultiLineString
	var all orb.Bound
	for i, l := range mls {
		if i == 0 {
			all = l.Bound()
		} else {
			all = all.Union(l.Bound())
		}
		for _, part := range clip.LineString(g.bound, l.Clone()) {
			if g.tol > 0 {
				part = simplify.DouglasPeucker(g.tol).LineString(part)
			}
			s := make(orb.LineString, 0, len(part))
			for _, pt := range part {
				pt = orb.Point{math.Round(pt[0]), math.Round(pt[1])}
				if n := len(s); n > 0 && s[n-1] == pt {
					continue
				}
				s = append(s, pt)
			}
			if len(s) >= 2 {
				out = append(out, s)
			}
		}
	}
	switch {
	case len(out) == 1:
		return out[0]
	case len(out) > 1:
		return out
	}
	c := all.Center()
	if len(mls) == 0 || !g.bound.Contains(c) || width(all) >= MinSize || height(all) >= MinSize {
		return nil
	}
	g.squares++
	x, y := math.Round(c[0]), math.Round(c[1])
	return orb.LineString{{x - MinSize/2, y}, {x + MinSize/2, y}}
}

// points keeps the points inside the buffered tile, thinned on a grid of cell units when cell > 0: seen holds
// the occupied cells of the tile's layer.
func (g *generaliser) points(mp orb.MultiPoint, cell float64, seen map[[2]int32]bool) orb.Geometry {
	var out orb.MultiPoint
	for _, p := range mp {
		if !g.bound.Contains(p) {
			continue
		}
		p = orb.Point{math.Round(p[0]), math.Round(p[1])}
		if cell > 0 {
			k := [2]int32{int32(math.Floor(p[0] / cell)), int32(math.Floor(p[1] / cell))}
			if seen[k] {
				continue
			}
			seen[k] = true
		}
		out = append(out, p)
	}
	switch len(out) {
	case 0:
		return nil
	case 1:
		return out[0]
	}
	return out
}

// polygonsBound is mp.Bound() (the union of the shells' boxes) with ringBound.
func polygonsBound(mp orb.MultiPolygon) orb.Bound {
	b := ringBound(mp[0][0])
	for _, p := range mp[1:] {
		b = b.Union(ringBound(p[0]))
	}
	return b
}

// ringBound is r.Bound() (a polygon's box is its shell's) in one plain pass: orb's checks each point for an
// empty box, which cost 7 % of a z8–z10 tile's time.
func ringBound(r []orb.Point) orb.Bound {
	if len(r) == 0 {
		return orb.MultiPoint(nil).Bound()
	}
	b := orb.Bound{Min: r[0], Max: r[0]}
	for _, p := range r[1:] {
		b.Min[0], b.Max[0] = min(b.Min[0], p[0]), max(b.Max[0], p[0])
		b.Min[1], b.Max[1] = min(b.Min[1], p[1]), max(b.Max[1], p[1])
	}
	return b
}

func width(b orb.Bound) float64  { return b.Max[0] - b.Min[0] }
func height(b orb.Bound) float64 { return b.Max[1] - b.Min[1] }

// pointCell is the side, in tile units, of the grid that thins points at zoom z with tolerance tol.
func pointCell(z uint32, tol float64) float64 {
	cell := 2 * tol
	switch {
	case tol == 0:
		return 0
	case z <= 6:
		return math.Max(cell, 4*MinSize)
	case z <= 8:
		return math.Max(cell, 2*MinSize)
	case z <= 11:
		return math.Max(cell, MinSize)
	}
	return cell
}
