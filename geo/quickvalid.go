package geo

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// quickVerdict is what quickValidity can tell of a polygon without GEOS.
type quickVerdict int

const (
	quickUnsure  quickVerdict = iota // ask GEOS
	quickValid                       // GEOS would find it valid
	quickInvalid                     // GEOS would find it invalid
)

// gridMax bounds the coordinates of a polygon on the integer grid: their differences' cross products are
// then integers under 2^53, exact in float64, so every orientation test is exact, as GEOS's are on such
// coordinates. The pyramid's deepest grid spans 2^22 units.
const gridMax = 1 << 24

// ccwErrBound is Shewchuk's bound on the error of a float64 orientation determinant (orient2d's
// ccwerrboundA): beyond it the computed sign is the true one, the one GEOS's double-double arithmetic finds.
const ccwErrBound = (3 + 16*0x1p-53) * 0x1p-53

// quickValidity says whether GEOS's IsValid would accept mp, in the cases a sweep of the edges settles, and
// unsure otherwise. onGrid says the coordinates are integers under gridMax (a polygon rounded to the
// pyramid's grid: every orientation is then exact); otherwise they are any floats, and an orientation
// too close to zero to be sure of leaves the polygon to GEOS.
//
// It answers valid only when no two edges meet (but consecutive ones at their common vertex), every ring has
// at least four vertices once repeated ones are dropped, each hole lies inside its shell and outside the
// other holes, and no shell lies inside another polygon's: GEOS's rules for a valid polygon are then all met.
// It answers invalid for a ring of fewer than four distinct vertices or two edges that cross (each through
// the other's interior), which GEOS always refuses. Every other meeting of edges (a ring touching itself or
// another, a hole outside its shell, an island in a hole) is left to GEOS.
func quickValidity(mp orb.MultiPolygon, onGrid bool) quickVerdict {
	return (&quickCheck{onGrid: onGrid}).validity(mp)
}

// quick is quickValidity with buffers kept for the next check (a worker checks one site after another).
func (t *Topology) quick(mp orb.MultiPolygon, onGrid bool) quickVerdict {
	q, ok := t.checks.get()
	if !ok {
		q = &quickCheck{}
	}
	defer t.checks.put(q)
	q.onGrid = onGrid
	return q.validity(mp)
}

// quickCheck is one quickValidity check and its buffers.
type quickCheck struct {
	onGrid bool
	edges  []edge
	lo     []float64 // each edge's smallest x
	order  []int32   // the edges by lo
	rings  [][]orb.Point
	dedup  []orb.Point // rings that had repeated vertices, without them
}

func (q *quickCheck) validity(mp orb.MultiPolygon) quickVerdict {
	if len(mp) == 0 {
		return quickUnsure
	}
	q.edges, q.lo, q.order, q.rings, q.dedup = q.edges[:0], q.lo[:0], q.order[:0], q.rings[:0], q.dedup[:0]
	var ring int32
	for _, p := range mp {
		if len(p) == 0 {
			return quickUnsure
		}
		for _, r := range p {
			d, ok := q.ring(r)
			if !ok {
				return quickUnsure
			}
			if len(d) < 4 {
				return quickInvalid
			}
			q.rings = append(q.rings, d)
			n := int32(len(d) - 1)
			for i := int32(0); i < n; i++ {
				q.order = append(q.order, int32(len(q.edges)))
				q.lo = append(q.lo, math.Min(d[i][0], d[i+1][0]))
				q.edges = append(q.edges, edge{a: d[i], b: d[i+1], ring: ring, idx: i, n: n})
			}
			ring++
		}
	}
	if v := q.crossings(); v != quickValid {
		return v
	}
	return q.nesting(mp)
}

// ring returns r without consecutive repeated vertices (as GEOS reads a ring), or false when r is not closed
// or has a coordinate off the grid or beyond gridMax (on the grid), or out of floatRange (off it).
func (q *quickCheck) ring(r orb.Ring) ([]orb.Point, bool) {
	if len(r) == 0 || r[0] != r[len(r)-1] {
		return nil, false
	}
	repeats := false
	for i, p := range r {
		for _, c := range p {
			if q.onGrid && (c != math.Trunc(c) || c > gridMax || c < -gridMax) || !q.onGrid && !floatRange(c) {
				return nil, false
			}
		}
		repeats = repeats || i > 0 && p == r[i-1]
	}
	if !repeats {
		return r, true
	}
	// (Earlier rings keep the backing array they were cut from if this append moves q.dedup.)
	from := len(q.dedup)
	for i, p := range r {
		if i == 0 || p != r[i-1] {
			q.dedup = append(q.dedup, p)
		}
	}
	return q.dedup[from:len(q.dedup):len(q.dedup)], true
}

// floatRange says whether c is finite and in the range where the products of orient neither overflow nor
// underflow, which its error bound assumes (any coordinate on Earth, in degrees or metres).
func floatRange(c float64) bool {
	a := math.Abs(c)
	return c == 0 || a > 1e-100 && a < 1e100
}

// edge is one edge of a ring: from a to b, edge idx of the n of ring.
type edge struct {
	a, b         orb.Point
	ring, idx, n int32
}

// crossings sweeps the edges by x and says invalid at two edges that cross, unsure at two that otherwise
// meet (or may), valid when none do.
func (q *quickCheck) crossings() quickVerdict {
	lo := q.lo
	slices.SortFunc(q.order, func(i, j int32) int {
		switch {
		case lo[i] < lo[j]:
			return -1
		case lo[i] > lo[j]:
			return 1
		}
		return 0
	})
	for k, i := range q.order {
		s := &q.edges[i]
		hi := math.Max(s.a[0], s.b[0])
		sLo, sHi := math.Min(s.a[1], s.b[1]), math.Max(s.a[1], s.b[1])
		for _, j := range q.order[k+1:] {
			if lo[j] > hi {
				break
			}
			t := &q.edges[j]
			if math.Max(t.a[1], t.b[1]) < sLo || math.Min(t.a[1], t.b[1]) > sHi {
				continue
			}
			if v := q.meet(s, t); v != quickValid {
				return v
			}
		}
	}
	return quickValid
}

// meet tells how two edges whose boxes overlap meet: valid when they do not (or are consecutive edges of a
// ring that share only their common vertex), invalid when they cross, unsure otherwise.
func (q *quickCheck) meet(s, t *edge) quickVerdict {
	if s.ring != t.ring {
		return q.apart(s, t)
	}
	var from, shared, far orb.Point // the second edge goes from shared to far
	switch {
	case (s.idx+1)%s.n == t.idx:
		from, shared, far = s.a, s.b, t.b
	case (t.idx+1)%t.n == s.idx:
		from, shared, far = t.a, t.b, s.b
	default:
		return q.apart(s, t)
	}
	// Consecutive edges meet at their shared vertex only, unless the second turns straight back along the
	// first (a spike).
	o, sure := q.orient(from, shared, far)
	switch {
	case !sure:
		return quickUnsure
	case o != 0:
		return quickValid
	case (far[0]-shared[0])*(from[0]-shared[0])+(far[1]-shared[1])*(from[1]-shared[1]) < 0:
		return quickValid // straight on (exact on the grid, the only place a sure 0 comes from)
	}
	return quickUnsure
}

// apart says valid when two edges with overlapping boxes do not meet, invalid when each crosses the other's
// interior, unsure when they touch or overlap, or an orientation is too close to call.
func (q *quickCheck) apart(s, t *edge) quickVerdict {
	d1, ok1 := q.orient(t.a, t.b, s.a)
	d2, ok2 := q.orient(t.a, t.b, s.b)
	d3, ok3 := q.orient(s.a, s.b, t.a)
	d4, ok4 := q.orient(s.a, s.b, t.b)
	if ok1 && ok2 && d1*d2 > 0 || ok3 && ok4 && d3*d4 > 0 {
		return quickValid // both ends of one edge strictly on one side of the other's line
	}
	if ok1 && ok2 && ok3 && ok4 && d1*d2 < 0 && d3*d4 < 0 {
		return quickInvalid
	}
	return quickUnsure
}

// orient is the sign of the turn a, b, c (1 to the left, -1 to the right, 0 straight) and whether it is
// sure: always on the grid, where the determinant is exact; off it, when the determinant is beyond its
// rounding error (Shewchuk's filter).
func (q *quickCheck) orient(a, b, c orb.Point) (int, bool) {
	left := (a[0] - c[0]) * (b[1] - c[1])
	right := (a[1] - c[1]) * (b[0] - c[0])
	det := left - right
	sure := q.onGrid || math.Abs(det) > ccwErrBound*(math.Abs(left)+math.Abs(right))
	switch {
	case det > 0:
		return 1, sure
	case det < 0:
		return -1, sure
	}
	return 0, sure
}

// nesting checks, once no edges meet, that each hole lies inside its shell and outside the other holes, and
// that no shell lies inside another polygon's shell (GEOS accepts an island inside a hole: that is left to
// it).
func (q *quickCheck) nesting(mp orb.MultiPolygon) quickVerdict {
	rings := q.rings
	shells := make([]int, 0, len(mp))
	k := 0
	for _, p := range mp {
		shell := rings[k]
		shells = append(shells, k)
		for h := 1; h < len(p); h++ {
			hole := rings[k+h]
			if in, sure := q.inside(hole[0], shell); !in || !sure {
				return quickUnsure
			}
			for o := 1; o < len(p); o++ {
				if o == h {
					continue
				}
				if in, sure := q.inside(hole[0], rings[k+o]); in || !sure {
					return quickUnsure
				}
			}
		}
		k += len(p)
	}
	if len(shells) < 2 {
		return quickValid
	}
	bounds := make([]orb.Bound, len(shells))
	for i, s := range shells {
		bounds[i] = orb.MultiPoint(rings[s]).Bound()
	}
	for i, s := range shells {
		for j, o := range shells {
			if i == j || !bounds[j].Contains(rings[s][0]) {
				continue
			}
			if in, sure := q.inside(rings[s][0], rings[o]); in || !sure {
				return quickUnsure
			}
		}
	}
	return quickValid
}

// inside says whether p, which lies on no edge of the closed ring r, is inside it (crossing parity), and
// whether that is sure.
func (q *quickCheck) inside(p orb.Point, r []orb.Point) (in, sure bool) {
	for i := 1; i < len(r); i++ {
		a, b := r[i-1], r[i]
		up, down := a[1] <= p[1] && b[1] > p[1], a[1] > p[1] && b[1] <= p[1]
		if !up && !down {
			continue
		}
		o, ok := q.orient(a, b, p)
		if !ok {
			return false, false
		}
		if up && o > 0 || down && o < 0 {
			in = !in
		}
	}
	return in, true
}
