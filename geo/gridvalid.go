package geo

import (
	"cmp"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// gridVerdict is what gridValidity can tell of a polygon on the integer grid without GEOS.
type gridVerdict int

const (
	gridUnsure  gridVerdict = iota // ask GEOS
	gridValid                      // GEOS would find it valid
	gridInvalid                    // GEOS would find it invalid
)

// gridMax bounds the coordinates gridValidity takes: their differences' cross products are then integers under
// 2^53, exact in float64, so each orientation test below is exact, as GEOS's are on such coordinates. The
// pyramid's deepest grid spans 2^22 units.
const gridMax = 1 << 24

// gridValidity says whether GEOS's IsValid would accept mp, whose coordinates are integers (a geometry
// rounded to the pyramid's grid), in the cases a plain sweep settles exactly, and gridUnsure otherwise. It
// answers gridValid only when no two edges meet (but consecutive ones at their common vertex), every ring
// has at least four vertices once repeated ones are dropped, each hole lies inside its shell and outside the
// other holes, and no shell lies inside another polygon's: GEOS's rules for a valid polygon are then all
// met. It answers gridInvalid for a ring of fewer than four distinct vertices or two edges that cross (each
// through the other's interior), which GEOS always refuses. Every other meeting of edges (a ring touching
// itself or another, a hole outside its shell, an island in a hole) is left to GEOS.
func gridValidity(mp orb.MultiPolygon) gridVerdict {
	if len(mp) == 0 {
		return gridUnsure
	}
	var (
		segs  []gridSegment
		rings [][]orb.Point // deduplicated, closed
		ring  int32
	)
	for _, p := range mp {
		if len(p) == 0 {
			return gridUnsure
		}
		for _, r := range p {
			d, ok := gridRing(r)
			if !ok {
				return gridUnsure
			}
			if len(d) < 4 {
				return gridInvalid
			}
			rings = append(rings, d)
			n := int32(len(d) - 1)
			for i := int32(0); i < n; i++ {
				segs = append(segs, newGridSegment(d[i], d[i+1], ring, i, n))
			}
			ring++
		}
	}
	if v := gridCrossings(segs); v != gridValid {
		return v
	}
	return gridNesting(mp, rings)
}

// gridProven says whether g is a polygon or multipolygon that gridValidity proves valid.
func gridProven(g orb.Geometry) bool {
	switch g := g.(type) {
	case orb.Polygon:
		return gridValidity(orb.MultiPolygon{g}) == gridValid
	case orb.MultiPolygon:
		return gridValidity(g) == gridValid
	}
	return false
}

// gridRing returns r without consecutive repeated vertices (as GEOS reads a ring), or false when r is not
// closed or has a coordinate off the integer grid or out of gridMax.
func gridRing(r orb.Ring) ([]orb.Point, bool) {
	if len(r) == 0 || r[0] != r[len(r)-1] {
		return nil, false
	}
	out := make([]orb.Point, 0, len(r))
	for i, p := range r {
		for _, c := range p {
			if c != math.Trunc(c) || c > gridMax || c < -gridMax {
				return nil, false
			}
		}
		if i == 0 || p != r[i-1] {
			out = append(out, p)
		}
	}
	return out, true
}

// gridSegment is one edge of a ring: from a to b, edge idx of the n of ring.
type gridSegment struct {
	a, b         orb.Point
	min, max     orb.Point
	ring, idx, n int32
}

func newGridSegment(a, b orb.Point, ring, idx, n int32) gridSegment {
	return gridSegment{
		a: a, b: b,
		min:  orb.Point{math.Min(a[0], b[0]), math.Min(a[1], b[1])},
		max:  orb.Point{math.Max(a[0], b[0]), math.Max(a[1], b[1])},
		ring: ring, idx: idx, n: n,
	}
}

// gridCrossings sweeps the edges by x and says gridInvalid at two edges that cross, gridUnsure at two that
// otherwise meet, gridValid when none do.
func gridCrossings(segs []gridSegment) gridVerdict {
	slices.SortFunc(segs, func(s, t gridSegment) int { return cmp.Compare(s.min[0], t.min[0]) })
	for i := range segs {
		s := &segs[i]
		for j := i + 1; j < len(segs) && segs[j].min[0] <= s.max[0]; j++ {
			t := &segs[j]
			if t.min[1] > s.max[1] || t.max[1] < s.min[1] {
				continue
			}
			if v := gridMeet(s, t); v != gridValid {
				return v
			}
		}
	}
	return gridValid
}

// gridMeet tells how two edges whose boxes overlap meet: gridValid when they do not (or are consecutive edges
// of a ring that share only their common vertex), gridInvalid when they cross, gridUnsure otherwise.
func gridMeet(s, t *gridSegment) gridVerdict {
	if s.ring == t.ring {
		var far orb.Point // the end of the second edge that is not the shared vertex
		var from, shared orb.Point
		switch {
		case (s.idx+1)%s.n == t.idx:
			from, shared, far = s.a, s.b, t.b
		case (t.idx+1)%t.n == s.idx:
			from, shared, far = t.a, t.b, s.b
		default:
			return gridApart(s, t)
		}
		if s.n == 2 {
			return gridUnsure // a ring of two edges (it has fewer than 4 vertices: not reached)
		}
		// Consecutive edges meet at their shared vertex only, unless the second turns straight back along
		// the first (a spike).
		if orient(from, shared, far) == 0 && (far[0]-shared[0])*(from[0]-shared[0])+(far[1]-shared[1])*(from[1]-shared[1]) > 0 {
			return gridUnsure
		}
		return gridValid
	}
	return gridApart(s, t)
}

// gridApart says gridValid when two edges with overlapping boxes do not meet, gridInvalid when each crosses
// the other's interior, gridUnsure when they touch or overlap.
func gridApart(s, t *gridSegment) gridVerdict {
	d1, d2 := orient(t.a, t.b, s.a), orient(t.a, t.b, s.b)
	d3, d4 := orient(s.a, s.b, t.a), orient(s.a, s.b, t.b)
	if d1*d2 > 0 || d3*d4 > 0 {
		return gridValid // both ends of one edge strictly on one side of the other's line
	}
	if d1*d2 < 0 && d3*d4 < 0 {
		return gridInvalid
	}
	return gridUnsure
}

// orient is the sign of the turn a, b, c: 1 to the left, -1 to the right, 0 straight (exact on the grid).
func orient(a, b, c orb.Point) float64 {
	d := (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
	switch {
	case d > 0:
		return 1
	case d < 0:
		return -1
	}
	return 0
}

// gridNesting checks, once no edges meet, that each hole lies inside its shell and outside the other holes,
// and that no shell lies inside another polygon's shell (GEOS accepts an island inside a hole: that is left
// to it). rings are mp's rings, deduplicated, in order.
func gridNesting(mp orb.MultiPolygon, rings [][]orb.Point) gridVerdict {
	shells := make([]int, 0, len(mp))
	k := 0
	for _, p := range mp {
		shell := rings[k]
		shells = append(shells, k)
		for h := 1; h < len(p); h++ {
			hole := rings[k+h]
			if !gridInside(hole[0], shell) {
				return gridUnsure
			}
			for o := 1; o < len(p); o++ {
				if o != h && gridInside(hole[0], rings[k+o]) {
					return gridUnsure
				}
			}
		}
		k += len(p)
	}
	if len(shells) < 2 {
		return gridValid
	}
	bounds := make([]orb.Bound, len(shells))
	for i, s := range shells {
		bounds[i] = orb.MultiPoint(rings[s]).Bound()
	}
	for i, s := range shells {
		for j, o := range shells {
			if i != j && bounds[j].Contains(rings[s][0]) && gridInside(rings[s][0], rings[o]) {
				return gridUnsure
			}
		}
	}
	return gridValid
}

// gridInside says whether p, which lies on no edge of the closed ring r, is inside it (crossing parity,
// exact on the grid).
func gridInside(p orb.Point, r []orb.Point) bool {
	in := false
	for i := 1; i < len(r); i++ {
		a, b := r[i-1], r[i]
		if a[1] <= p[1] && b[1] > p[1] && orient(a, b, p) > 0 {
			in = !in
		} else if a[1] > p[1] && b[1] <= p[1] && orient(a, b, p) < 0 {
			in = !in
		}
	}
	return in
}
