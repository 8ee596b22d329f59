package tiles

import (
	"cmp"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// clipPolygon clips polygon p (tile units) to the rectangle b and keeps it valid: where p leaves b and comes
// back, the pieces inside are closed along b's edges into separate rings, and holes inside b go to the ring
// that holds them. orb's clip.Polygon (Sutherland–Hodgman) instead joins the pieces of a ring along the edge
// by zero-width corridors, which GEOS finds invalid: on the dense national layer, every tile that cut a
// winding site in two went through three failed checks and a GEOS repair (a third of a z11–z14 tile's time).
//
// ok is false when p is degenerate where it meets b (two pieces meeting at one point of the edge, an exit
// not followed by an entry: p invalid, or vertices exactly on the edge) and the caller is to clip as before.
// The result may share rings with p; it does not change them.
func clipPolygon(b orb.Bound, p orb.Polygon) (out orb.MultiPolygon, ok bool) {
	if len(p) == 0 || len(p[0]) < 4 {
		return nil, false
	}
	c := rectClip{b: b, w: b.Max[0] - b.Min[0], h: b.Max[1] - b.Min[1]}
	if c.w <= 0 || c.h <= 0 {
		return nil, false
	}
	var (
		inside    []orb.Ring // holes wholly inside b
		enclosing int        // rings that go round b without meeting it: +1 for the shell, -1 for a hole
		shellIn   bool
	)
	centre := b.Center()
	for i, r := range p {
		if len(r) < 4 {
			return nil, false
		}
		// Every ring is walked as a shell the MVT way (ringArea > 0) when i == 0, as a hole otherwise, so
		// that p's inside is on the same side of every piece and pieces close in one direction along b.
		rev := (ringArea(r) > 0) != (i == 0)
		class := c.ring(r, rev)
		if class == ringOnEdge && i == 0 {
			class = ringInside
		}
		switch class {
		case ringInside:
			if i == 0 {
				shellIn = true
			} else {
				inside = append(inside, r)
			}
		case ringOutside:
			if b := ringBound(r); b.Contains(centre) && inRing(r, centre) {
				if i == 0 {
					enclosing++
				} else {
					enclosing--
				}
			}
		case ringBroken, ringOnEdge:
			// A hole inside b that touches its edge may cut b's corner off: left to orb's clip.
			return nil, false
		}
	}
	if shellIn {
		return orb.MultiPolygon{slices.Clone(p)}, true // nothing to cut (holes are inside the shell)
	}
	var shells []orb.Ring
	if len(c.pieces) == 0 {
		if enclosing <= 0 {
			return nil, true // p misses b (or b lies in a hole)
		}
		shells = []orb.Ring{{b.Min, {b.Max[0], b.Min[1]}, b.Max, {b.Min[0], b.Max[1]}, b.Min}}
	} else if shells = c.close(); shells == nil {
		return nil, false
	}
	out = make(orb.MultiPolygon, len(shells))
	for i, s := range shells {
		out[i] = orb.Polygon{s}
	}
	if len(shells) == 1 {
		out[0] = append(out[0], inside...) // a hole inside b is inside p's shell, so inside p ∩ b
		return out, true
	}
	boxes := make([]orb.Bound, len(shells))
	for i, s := range shells {
		boxes[i] = ringBound(s)
	}
	for _, h := range inside {
		// The one shell that holds the hole's first vertex; none or two (the vertex on the edge of one):
		// left to orb's clip.
		j := -1
		for i, s := range shells {
			if boxes[i].Contains(h[0]) && inRing(s, h[0]) {
				if j >= 0 {
					return nil, false
				}
				j = i
			}
		}
		if j < 0 {
			return nil, false
		}
		out[j] = append(out[j], h)
	}
	return out, true
}

type ringClass int

const (
	ringInside ringClass = iota
	ringOutside
	ringCut
	ringOnEdge // inside b, with vertices on its edge
	ringBroken
)

// piece is a stretch of a ring inside the rectangle, from where it enters (its first point, on the edge) to
// where it leaves (its last point, on the edge).
type piece struct {
	pts        []orb.Point
	start, end float64 // positions of the first and last points along the edge (rectClip.along)
}

// rectClip cuts the rings of one polygon against b.
type rectClip struct {
	b      orb.Bound
	w, h   float64
	pieces []piece
}

// ring cuts r (walked backwards when rev) into pieces.
func (c *rectClip) ring(r orb.Ring, rev bool) ringClass {
	n := len(r) - 1 // r[n] == r[0]
	minX, minY, maxX, maxY := c.b.Min[0], c.b.Min[1], c.b.Max[0], c.b.Max[1]
	// Start at a vertex strictly outside b, so that no piece wraps round the ring's end; a ring with none
	// lies in b (b is convex). Walked backwards, vertex i is r[n-i].
	first := -1
	for i, q := range r[:n] {
		if q[0] < minX || q[0] > maxX || q[1] < minY || q[1] > maxY {
			first = i
			break
		}
	}
	if first < 0 {
		for _, q := range r[:n] {
			if q[0] == minX || q[0] == maxX || q[1] == minY || q[1] == maxY {
				return ringOnEdge
			}
		}
		return ringInside
	}
	if rev {
		first = (n - first) % n
	}
	at := func(i int) orb.Point {
		if rev {
			return r[n-i]
		}
		return r[i]
	}
	before := len(c.pieces)
	var cur []orb.Point
	i := first
	e := at(i)
	for range n {
		if i++; i == n {
			i = 0
		}
		a := e
		e = at(i)
		if cur == nil && ((a[0] < minX && e[0] < minX) || (a[0] > maxX && e[0] > maxX) ||
			(a[1] < minY && e[1] < minY) || (a[1] > maxY && e[1] > maxY)) {
			continue // wholly on the far side of one edge: most segments of a large site
		}
		if a == e {
			continue
		}
		p0, p1, ok := c.segment(a, e)
		if !ok {
			if cur != nil {
				if !c.add(cur) {
					return ringBroken
				}
				cur = nil
			}
			continue
		}
		if cur == nil {
			cur = []orb.Point{p0}
		}
		cur = append(cur, p1)
		if p1 != e { // left b
			if !c.add(cur) {
				return ringBroken
			}
			cur = nil
		}
	}
	if cur != nil { // the last vertex is the first, outside: the last segment left b
		return ringBroken
	}
	if len(c.pieces) == before {
		return ringOutside
	}
	return ringCut
}

// add keeps a piece whose ends, and only they, are on the edge; false otherwise (the caller clips as before).
func (c *rectClip) add(pts []orb.Point) bool {
	if len(pts) < 2 {
		return true
	}
	s, ok1 := c.along(pts[0])
	e, ok2 := c.along(pts[len(pts)-1])
	if !ok1 || !ok2 {
		return false
	}
	for _, q := range pts[1 : len(pts)-1] {
		if _, on := c.along(q); on {
			return false // touches the edge between its ends: where it does, the walk along the edge would too
		}
	}
	if len(pts) == 2 {
		if _, on := c.along(orb.Point{(pts[0][0] + pts[1][0]) / 2, (pts[0][1] + pts[1][1]) / 2}); on {
			return false // a segment along the edge
		}
	}
	c.pieces = append(c.pieces, piece{pts: pts, start: s, end: e})
	return true
}

// segment is the part of segment a-e inside b (closed), by Liang–Barsky, with the ends that cross an edge set
// exactly on it; ok is false when nothing of it, or a single point, is inside.
func (c *rectClip) segment(a, e orb.Point) (p0, p1 orb.Point, ok bool) {
	in := func(q orb.Point) bool {
		return q[0] >= c.b.Min[0] && q[0] <= c.b.Max[0] && q[1] >= c.b.Min[1] && q[1] <= c.b.Max[1]
	}
	inA, inE := in(a), in(e)
	if inA && inE {
		return a, e, true
	}
	if (a[0] < c.b.Min[0] && e[0] < c.b.Min[0]) || (a[0] > c.b.Max[0] && e[0] > c.b.Max[0]) ||
		(a[1] < c.b.Min[1] && e[1] < c.b.Min[1]) || (a[1] > c.b.Max[1] && e[1] > c.b.Max[1]) {
		return p0, p1, false // wholly on the far side of one edge: most segments of a large site
	}
	dx, dy := e[0]-a[0], e[1]-a[1]
	t0, t1 := 0.0, 1.0
	side0, side1 := -1, -1 // which edge limits t0 and t1: 0 left, 1 right, 2 top, 3 bottom
	for k, pq := range [4][2]float64{{-dx, a[0] - c.b.Min[0]}, {dx, c.b.Max[0] - a[0]}, {-dy, a[1] - c.b.Min[1]}, {dy, c.b.Max[1] - a[1]}} {
		p, q := pq[0], pq[1]
		if p == 0 {
			if q < 0 {
				return p0, p1, false
			}
			continue
		}
		t := q / p
		if p < 0 {
			if t > t0 {
				t0, side0 = t, k
			}
		} else if t < t1 {
			t1, side1 = t, k
		}
	}
	if inA {
		t0, side0 = 0, -1
	}
	if inE {
		t1, side1 = 1, -1
	}
	if t1 <= t0 {
		return p0, p1, false
	}
	p0, p1 = c.onEdge(a, dx, dy, t0, side0), c.onEdge(a, dx, dy, t1, side1)
	if p0 == p1 {
		return p0, p1, false
	}
	return p0, p1, true
}

// onEdge is a + t(dx, dy), set exactly on edge side of b (none when side < 0, a itself when t == 0).
func (c *rectClip) onEdge(a orb.Point, dx, dy, t float64, side int) orb.Point {
	if side < 0 {
		if t == 0 {
			return a
		}
		return orb.Point{a[0] + t*dx, a[1] + t*dy}
	}
	q := orb.Point{a[0] + t*dx, a[1] + t*dy}
	switch side {
	case 0:
		q[0] = c.b.Min[0]
	case 1:
		q[0] = c.b.Max[0]
	case 2:
		q[1] = c.b.Min[1]
	default:
		q[1] = c.b.Max[1]
	}
	// Rounding must not push the other coordinate off b.
	q[0] = math.Min(math.Max(q[0], c.b.Min[0]), c.b.Max[0])
	q[1] = math.Min(math.Max(q[1], c.b.Min[1]), c.b.Max[1])
	return q
}

// along is the position of q on b's edge, going round b as an MVT shell goes (clockwise on screen, y down)
// from the top-left corner: the top edge, then the right, the bottom and the left; ok is false when q is not
// on the edge.
func (c *rectClip) along(q orb.Point) (float64, bool) {
	switch {
	case q[1] == c.b.Min[1]:
		return q[0] - c.b.Min[0], true
	case q[0] == c.b.Max[0]:
		return c.w + q[1] - c.b.Min[1], true
	case q[1] == c.b.Max[1]:
		return c.w + c.h + c.b.Max[0] - q[0], true
	case q[0] == c.b.Min[0]:
		return 2*c.w + c.h + c.b.Max[1] - q[1], true
	}
	return 0, false
}

// close joins the pieces into rings: from where a piece leaves b, along the edge (clockwise on screen, as
// the pieces' shells go) to the next place a piece enters, and so on until the first piece is reached again.
// nil when the pieces do not alternate along the edge (p invalid, or two of them meeting at one point).
func (c *rectClip) close() []orb.Ring {
	type end struct {
		at    float64
		piece int
		entry bool
	}
	ends := make([]end, 0, 2*len(c.pieces))
	for i, p := range c.pieces {
		ends = append(ends, end{p.start, i, true}, end{p.end, i, false})
	}
	slices.SortFunc(ends, func(x, y end) int { return cmp.Compare(x.at, y.at) })
	for i := 1; i < len(ends); i++ {
		if ends[i].at == ends[i-1].at {
			return nil
		}
	}
	// next[i] is the piece entering after piece i leaves.
	next := make([]int, len(c.pieces))
	for k, e := range ends {
		if e.entry {
			continue
		}
		n := ends[(k+1)%len(ends)]
		if !n.entry {
			return nil
		}
		next[e.piece] = n.piece
	}
	perimeter := 2 * (c.w + c.h)
	corners := [4]orb.Point{{c.b.Max[0], c.b.Min[1]}, c.b.Max, {c.b.Min[0], c.b.Max[1]}, c.b.Min}
	cornerAt := [4]float64{c.w, c.w + c.h, 2*c.w + c.h, 0}
	used := make([]bool, len(c.pieces))
	var rings []orb.Ring
	for first := range c.pieces {
		if used[first] {
			continue
		}
		var r orb.Ring
		for i := first; ; {
			if used[i] {
				return nil // a cycle that misses first: cannot happen when the ends alternate
			}
			used[i] = true
			r = append(r, c.pieces[i].pts...)
			j := next[i]
			// The corners passed going from piece i's exit to piece j's entry, in order.
			from, dist := c.pieces[i].end, math.Mod(c.pieces[j].start-c.pieces[i].end+perimeter, perimeter)
			for {
				k, dk := -1, dist
				for m, at := range cornerAt {
					if d := math.Mod(at-from+perimeter, perimeter); d > 0 && d < dk {
						k, dk = m, d
					}
				}
				if k < 0 {
					break
				}
				r = append(r, corners[k])
				from, dist = cornerAt[k], dist-dk
			}
			if j == first {
				break
			}
			i = j
		}
		r = append(r, r[0])
		rings = append(rings, r)
	}
	return rings
}

// cutSite is a polygon site projected to a tile, its parts that cross the tile's edge clipped before (see
// projection.cutToTile): pieces[i] is what of part i lies in the tile (none when it misses it), bounds[i]
// the projected box of the whole part, by which the generaliser judges it (too small to draw, the largest).
// It is an orb.Geometry (a multipolygon, by its empty embedded one) for the generaliser's input only.
type cutSite struct {
	orb.MultiPolygon
	pieces []orb.MultiPolygon
	bounds []orb.Bound
}

// Bound is the union of the parts' boxes.
func (s cutSite) Bound() orb.Bound {
	if len(s.bounds) == 0 {
		return orb.Bound{}
	}
	b := s.bounds[0]
	for _, o := range s.bounds[1:] {
		b = b.Union(o)
	}
	return b
}
