package tiles

import (
	"context"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/patrimap/patrimap/store"
)

// The size cap. A tile over its cap (MaxBytes) is too big either for its shapes (a few large sites with many
// vertices) or for its number of features: up to z6 a national layer's tile holds thousands of sites too
// small to draw, each a MinSize square of 13 bytes of geometry beside a hundred bytes of attributes. A
// coarser tolerance shrinks the first kind, not the second. For the second, as tippecanoe's
// --cluster-densest-as-needed does for points and patrimap's point clusters do at low zoom, the squares of
// each cell of the clusters' grid (store.ClusterCells a side, four pixels) become one: the square of the
// lowest fid, with its attributes and point_count, the number of sites it stands for (the name MapLibre,
// supercluster, tippecanoe and the web map use: its popup then says "n sites"). No site vanishes (every cell
// that held a square still does) and every site is counted (the point_counts, one for a square alone, and
// the drawn sites add up to the sites of the tile). If that is not enough, the squares keep only their id
// and name, then only their id, then every feature does (a z6 tile of the national ZNIEFF 1 holds 6,000
// sites, a third of them drawn, and their attributes are 60 % of its bytes): the site's page has the rest,
// one click away.

// lightening is how far a tile over the cap is lightened: squares grouped by cell, then bare.
type lightening int

const (
	asDrawn       lightening = iota
	grouped                  // squares grouped by cell
	bareNamed                // and written with their id and name only
	bareID                   // and with their id only
	allNamed                 // and every feature with its id and name only
	allID                    // and every feature with its id only
	mostLightened = allID
)

// bareFields are the fields a bare square keeps at lightening l (nil: all of them).
func bareFields(l lightening) []string {
	switch l {
	case bareNamed, allNamed:
		return []string{"id", "name"}
	case bareID, allID:
		return []string{"id"}
	}
	return nil
}

// The cap is MaxTileBytes, and MaxLowZoomTileBytes up to LowZoomCapMaxZoom: a tile of z8 or less covers a
// département or more, is fetched by every visitor of the map's first views, and must stay quick to send and
// to draw (issue 16: no tile over 200 KB up to z8).
const (
	MaxLowZoomTileBytes = 200 << 10
	LowZoomCapMaxZoom   = 8
)

// MaxBytes is the size cap of a tile at zoom z.
func MaxBytes(z maptile.Zoom) int {
	if z <= LowZoomCapMaxZoom {
		return MaxLowZoomTileBytes
	}
	return MaxTileBytes
}

// minFeatureBytes is less than any polygon or line feature takes in an MVT layer (a square alone: its id,
// type and geometry, 13 bytes, and their framing): a tile of more features than its cap over this cannot
// fit without grouping, and is not encoded as drawn first.
const minFeatureBytes = 16

// generalisation is a tile's features generalised at one tolerance (Renderer.generalise), with its squares
// grouped by cell the first time a lightening asks for it, not at each one.
type generalisation struct {
	outs    [][]orb.Geometry
	squares [][]bool
	st      Stats
	// grouped: the counts and outputs with the squares grouped, and how many squares were left out.
	grouped bool
	gCounts [][]int64
	gOuts   [][]orb.Geometry
	gLeft   int
	// attrBytes: attributeBytes, once counted
	attrBytes []int
}

// fit generalises and encodes a tile at tol, then lightens it until it is under its cap (MaxBytes): a tile
// deeper than LowZoomCapMaxZoom mostly of drawn shapes first with coarser tolerances (as long as each pass
// takes off a tenth), the others first by grouping their squares and cutting attributes, the other way after;
// then the smallest drawn sites become squares too.
func (r *Renderer) fit(ctx context.Context, layers []Layer, feats [][]*store.Feature, counts [][]int64, drawn []bool, projected [][]orb.Geometry, proj projection, f Format, tol float64, z uint32) ([]byte, Stats, error) {
	limit := MaxBytes(maptile.Zoom(z))
	generaliseAt := func(tol float64) *generalisation {
		outs, squares, st := r.generalise(ctx, layers, counts, drawn, projected, tol, z)
		return &generalisation{outs: outs, squares: squares, st: st}
	}
	gen := generaliseAt(tol)
	passes := 1
	if gen.st.Features == 0 {
		gen.st.Passes = passes
		return nil, gen.st, nil
	}
	level := asDrawn
	if gen.st.Features*minFeatureBytes > limit && gen.st.Squares > 0 {
		level = grouped // as drawn it cannot fit: its squares are grouped at once
	}
	encodeAt := func(gen *generalisation) ([]byte, Stats, error) {
		st := gen.st
		if level == asDrawn {
			b, err := r.write(layers, feats, counts, gen.outs, proj, f, nil)
			return b, st, err
		}
		gen.group(feats, counts, z)
		wc, wouts := gen.gCounts, gen.gOuts
		st.Grouped += gen.gLeft
		st.Features -= gen.gLeft
		var drop func(i, j, k int) bool
		if keep := bareFields(level); keep != nil {
			kept := make([][]bool, len(layers))
			for i, l := range layers {
				kept[i] = make([]bool, len(l.Fields))
				for k, fl := range l.Fields {
					kept[i][k] = slices.Contains(keep, fl.Name)
				}
				for j, g := range wouts[i] {
					if g != nil && (level >= allNamed || gen.squares[i][j]) {
						st.Bare++
					}
				}
			}
			drop = func(i, j, k int) bool { return !kept[i][k] && (level >= allNamed || gen.squares[i][j]) }
		}
		b, err := r.write(layers, feats, wc, wouts, proj, f, drop)
		return b, st, err
	}
	if f == MVT && gen.st.Features*minFeatureBytes*8 > limit {
		// A tile whose attributes alone are well over its cap (a z5 tile of a dense layer: 6,500 sites, each
		// with its name and links, 850 KB) is not encoded at the levels that keep them: each is an encoding of
		// thousands of features. attributeBytes counts rather more than less; the margin is the loop's below.
		gen.group(feats, counts, z)
		attr := gen.attributeBytes(layers, feats)
		for level < mostLightened && attr[level] > limit+limit/8 {
			level++
		}
	}
	b, st, err := encodeAt(gen)
	coarsened := false
	coarsen := func() {
		coarsened = true
		for attempt := 0; err == nil && len(b) > limit && attempt < 8; attempt++ {
			// Coarser generalisation (points are thinned on a coarser grid too), as long as each pass pays:
			// each is a whole generalisation and encoding.
			tol = math.Max(tol*2, Tolerance)
			cgen := generaliseAt(tol)
			passes++
			cb, cst, cerr := encodeAt(cgen)
			if cerr != nil {
				b, st, err = nil, cst, cerr
				return
			}
			enough := shrankEnough(len(b), len(cb))
			if len(cb) < len(b) {
				gen, b, st = cgen, cb, cst
			}
			if !enough {
				return
			}
		}
	}
	// Up to LowZoomCapMaxZoom the tiles over their cap are the attributes of thousands of small sites (60 % of
	// a z6 tile's bytes) far more than their shapes: cutting them, then making the smallest drawn sites
	// squares, are encodings, where a coarser pass is a whole generalisation that takes off less. Deeper, a
	// tile over 500 KB is one of a few detailed shapes.
	lowZoom := z <= LowZoomCapMaxZoom
	if err == nil && len(b) > limit && gen.st.Squares*2 < gen.st.Features && !lowZoom {
		coarsen()
	}
	for err == nil && len(b) > limit && level < mostLightened {
		next := level + 1
		if level >= grouped {
			// A level that would leave the tile well over its cap, by the attribute bytes it cuts, is not
			// encoded: a z6 tile over its cap went through five encodings, each of thousands of features.
			attr := gen.attributeBytes(layers, feats)
			for next < mostLightened && len(b)-attr[level]+attr[next] > limit+limit/8 {
				next++
			}
		}
		level = next
		b, st, err = encodeAt(gen)
	}
	// Still over (thousands of drawn sites, each with its id only): the smallest drawn sites become squares
	// too, grouped with the others of their cell, sites under 2, then 4, 8... MinSize across, as tippecanoe's
	// --coalesce-smallest-as-needed does: a site of a few pixels still shows, or is counted in its cell's square.
	squareSmallest := func() {
		for small := 2 * MinSize; err == nil && len(b) > limit && small <= Extent/4; small *= 2 {
			gen = gen.squaredUnder(small)
			b, st, err = encodeAt(gen)
		}
	}
	if lowZoom {
		squareSmallest()
	}
	if err == nil && len(b) > limit && !coarsened {
		coarsen()
	}
	squareSmallest()
	st.Passes = passes
	return b, st, err
}

// group groups g's squares by cell (groupSquares), once.
func (g *generalisation) group(feats [][]*store.Feature, counts [][]int64, z uint32) {
	if !g.grouped {
		g.gCounts, g.gOuts, g.gLeft = groupSquares(feats, counts, g.outs, g.squares, maptile.Zoom(z))
		g.grouped = true
	}
}

// attributeBytes is about what the attributes of g's grouped features take in an MVT tile at each lightening
// level, rather more than less: three bytes of tags a value written, and each distinct value once (a layer's
// dictionary), its length and three more. It is counted once, in one pass, for every level.
func (g *generalisation) attributeBytes(layers []Layer, feats [][]*store.Feature) []int {
	if g.attrBytes != nil {
		return g.attrBytes
	}
	outs := g.gOuts
	if !g.grouped {
		outs = g.outs
	}
	// bytes[l] - bytes[l+1] is what only levels up to l write: each value adds to the levels up to the last
	// one that keeps it.
	upTo := make([]int, mostLightened+2)
	for i, layer := range layers {
		// the last level keeping field k of a square, and of a drawn feature
		lastSquare, lastDrawn := make([]lightening, len(layer.Fields)), make([]lightening, len(layer.Fields))
		for k, f := range layer.Fields {
			lastSquare[k], lastDrawn[k] = grouped, bareID
			switch f.Name {
			case "id":
				lastSquare[k], lastDrawn[k] = mostLightened, mostLightened
			case "name":
				lastSquare[k], lastDrawn[k] = bareNamed, allNamed
			}
		}
		last := make([]map[string]lightening, len(layer.Fields)) // a text value's last level, by field
		for j, o := range outs[i] {
			if o == nil {
				continue
			}
			for k, v := range feats[i][j].Values[:len(layer.Fields)] {
				if v == nil {
					continue
				}
				l := lastDrawn[k]
				if g.squares[i][j] {
					l = lastSquare[k]
				}
				upTo[l] += 3
				text, ok := v.(string)
				if !ok {
					upTo[l] += 12
					continue
				}
				if last[k] == nil {
					last[k] = map[string]lightening{}
				}
				if seen, ok := last[k][text]; !ok || seen < l {
					last[k][text] = l
				}
			}
		}
		for _, m := range last {
			for text, l := range m {
				upTo[l] += len(text) + 3
			}
		}
	}
	g.attrBytes = make([]int, mostLightened+1)
	for l := mostLightened; l >= asDrawn; l-- {
		g.attrBytes[l] = upTo[l] + upTo[l+1]
		upTo[l] = g.attrBytes[l]
	}
	return g.attrBytes
}

// squaredUnder is g with every drawn polygon under small tile units in both directions made a square on the
// centre of its box, as sites too small to draw are.
func (g *generalisation) squaredUnder(small int) *generalisation {
	out := &generalisation{outs: make([][]orb.Geometry, len(g.outs)), squares: make([][]bool, len(g.squares)), st: g.st}
	for i := range g.outs {
		out.outs[i] = slices.Clone(g.outs[i])
		out.squares[i] = slices.Clone(g.squares[i])
		for j, o := range g.outs[i] {
			if o == nil || g.squares[i][j] {
				continue
			}
			var b orb.Bound
			switch o := o.(type) {
			case orb.Polygon:
				b = ringBound(o[0])
			case orb.MultiPolygon:
				b = polygonsBound(o)
			default:
				continue
			}
			if width(b) < float64(small) && height(b) < float64(small) {
				out.outs[i][j], out.squares[i][j] = squareAt(b.Center()), true
				out.st.Squares++
			}
		}
	}
	return out
}

// shrankEnough says whether a coarser pass that took a tile from before to after bytes is worth another:
// it must take off at least a tenth (halving the tolerance of a tile made of drawn shapes takes off a
// quarter to a half; one made of squares and attributes loses a few bytes).
func shrankEnough(before, after int) bool { return after <= before-before/10 }

// groupSquares groups each polygon layer's squares (squares[i][j]: outs[i][j] is one) by cell of the
// clusters' grid at zoom z: the square of the lowest fid of a cell stands for all of them (its count the sites
// they stand for: one each, or counts[i][j] for a cell's square of the pyramid, see squares.go), the others
// are left out (nil). It returns the counts and outputs to write, and how many squares were left out; layers
// without squares (point layers, with their clusters' counts) are returned as they are.
func groupSquares(feats [][]*store.Feature, counts [][]int64, outs [][]orb.Geometry, squares [][]bool, z maptile.Zoom) ([][]int64, [][]orb.Geometry, int) {
	side := float64(Extent) / float64(store.ClusterCells(z))
	wc := make([][]int64, len(outs))
	wouts := make([][]orb.Geometry, len(outs))
	left := 0
	for i := range outs {
		wc[i], wouts[i] = counts[i], outs[i]
		leader := map[[2]int32]int{} // cell -> index of its lowest fid's square
		for j, g := range outs[i] {
			if !squares[i][j] {
				continue
			}
			cell := squareCell(g, side)
			if l, ok := leader[cell]; !ok || feats[i][j].FID < feats[i][l].FID {
				leader[cell] = j
			}
		}
		if len(leader) == 0 {
			continue
		}
		n := make([]int64, len(outs[i]))
		wo := make([]orb.Geometry, len(outs[i]))
		for j, g := range outs[i] {
			if g != nil {
				n[j], wo[j] = 1, g
				if counts[i] != nil {
					n[j] = counts[i][j] // a cell's square (squares.go)
				}
			}
		}
		for j, g := range outs[i] {
			if !squares[i][j] {
				continue
			}
			l := leader[squareCell(g, side)]
			if l != j {
				n[l] += n[j]
				n[j], wo[j] = 0, nil
				left++
			}
		}
		wc[i], wouts[i] = n, wo
	}
	return wc, wouts, left
}

// squareCell is the cell of side side (tile units) that holds the centre of square g.
func squareCell(g orb.Geometry, side float64) [2]int32 {
	c := ringBound(g.(orb.Polygon)[0]).Center()
	return [2]int32{int32(math.Floor(c[0] / side)), int32(math.Floor(c[1] / side))}
}
