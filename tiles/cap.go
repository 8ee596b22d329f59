package tiles

import (
	"context"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/patrimap/patrimap/store"
)

// The size cap. A tile over MaxTileBytes is too big either for its shapes (a few large sites with many
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

// fit generalises and encodes a tile at tol, then lightens it until it is under MaxTileBytes: a tile mostly
// of drawn shapes first with coarser tolerances (as long as each pass takes off a tenth), one mostly of
// squares first by grouping them and cutting their attributes, the other way after.
func (r *Renderer) fit(ctx context.Context, layers []Layer, feats [][]*store.Feature, counts [][]int64, drawn []bool, projected [][]orb.Geometry, proj projection, f Format, tol float64, z uint32) ([]byte, Stats, error) {
	outs, gst := r.generalise(ctx, layers, counts, drawn, projected, tol, z)
	passes := 1
	if gst.Features == 0 {
		gst.Passes = passes
		return nil, gst, nil
	}
	level := asDrawn
	encodeAt := func(outs [][]orb.Geometry, gst Stats) ([]byte, Stats, error) {
		st := gst
		if level == asDrawn {
			b, err := r.write(layers, feats, counts, outs, proj, f, nil)
			return b, st, err
		}
		wc, wouts, left := groupSquares(feats, counts, outs, maptile.Zoom(z))
		st.Grouped = left
		st.Features -= left
		var drop func(i, j, k int) bool
		if keep := bareFields(level); keep != nil {
			kept := make([][]bool, len(layers))
			for i, l := range layers {
				kept[i] = make([]bool, len(l.Fields))
				for k, fl := range l.Fields {
					kept[i][k] = slices.Contains(keep, fl.Name)
				}
				for _, g := range wouts[i] {
					if g != nil && (level >= allNamed || isSquare(g)) {
						st.Bare++
					}
				}
			}
			drop = func(i, j, k int) bool { return !kept[i][k] && (level >= allNamed || isSquare(wouts[i][j])) }
		}
		b, err := r.write(layers, feats, wc, wouts, proj, f, drop)
		return b, st, err
	}
	b, st, err := encodeAt(outs, gst)
	coarsened := false
	coarsen := func() {
		coarsened = true
		for attempt := 0; err == nil && len(b) > MaxTileBytes && attempt < 8; attempt++ {
			// Coarser generalisation (points are thinned on a coarser grid too), as long as each pass pays:
			// each is a whole generalisation and encoding.
			tol = math.Max(tol*2, Tolerance)
			couts, cgst := r.generalise(ctx, layers, counts, drawn, projected, tol, z)
			passes++
			cb, cst, cerr := encodeAt(couts, cgst)
			if cerr != nil {
				b, st, err = nil, cst, cerr
				return
			}
			enough := shrankEnough(len(b), len(cb))
			if len(cb) < len(b) {
				outs, gst, b, st = couts, cgst, cb, cst
			}
			if !enough {
				return
			}
		}
	}
	if err == nil && len(b) > MaxTileBytes && gst.Squares*2 < gst.Features {
		coarsen()
	}
	for err == nil && len(b) > MaxTileBytes && level < mostLightened {
		level++
		b, st, err = encodeAt(outs, gst)
	}
	if err == nil && len(b) > MaxTileBytes && !coarsened {
		coarsen()
	}
	st.Passes = passes
	return b, st, err
}

// shrankEnough says whether a coarser pass that took a tile from before to after bytes is worth another:
// it must take off at least a tenth (halving the tolerance of a tile made of drawn shapes takes off a
// quarter to a half; one made of squares and attributes loses a few bytes).
func shrankEnough(before, after int) bool { return after <= before-before/10 }

// isSquare says whether g is the MinSize square of a site too small to draw (generaliser.polygons).
func isSquare(g orb.Geometry) bool {
	p, ok := g.(orb.Polygon)
	if !ok || len(p) != 1 || len(p[0]) != 5 {
		return false
	}
	b := ringBound(p[0])
	if width(b) != MinSize || height(b) != MinSize {
		return false
	}
	sq := square(b.Center())
	for k, q := range p[0] {
		if q != sq[0][k] {
			return false
		}
	}
	return true
}

// groupSquares groups each polygon layer's squares by cell of the clusters' grid at zoom z: the square of the
// lowest fid of a cell stands for all of them (its count their number), the others are left out (nil). It
// returns the counts and outputs to write, and how many squares were left out; layers without squares, and
// point layers with their clusters' counts, are returned as they are.
func groupSquares(feats [][]*store.Feature, counts [][]int64, outs [][]orb.Geometry, z maptile.Zoom) ([][]int64, [][]orb.Geometry, int) {
	side := float64(Extent) / float64(store.ClusterCells(z))
	wc := make([][]int64, len(outs))
	wouts := make([][]orb.Geometry, len(outs))
	left := 0
	for i := range outs {
		wc[i], wouts[i] = counts[i], outs[i]
		if counts[i] != nil {
			continue // point clusters: already one per cell
		}
		leader := map[[2]int32]int{} // cell -> index of its lowest fid's square
		for j, g := range outs[i] {
			if !isSquare(g) {
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
			}
		}
		for j, g := range outs[i] {
			if !isSquare(g) {
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
