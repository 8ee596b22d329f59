package spatialite

import (
	"math"
	"math/bits"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/store"
)

// The rows of an import are ordered along a Hilbert curve over the Web Mercator grid of the lower-left corner
// of their box, for the spatial index: neighbours on the curve are neighbours on the map, so runs of it make
// compact R-tree nodes (a Hilbert-packed R-tree), with one sort where Sort-Tile-Recursive takes two. The
// place on the curve and the cell of the clusters' deepest grid are computed in Go when a row is added, from
// the box patrimap keeps of it, rather than by SQL functions over the stored rows.

// orderBits is the resolution of the curve's grid: 2^orderBits cells along each side of the world. The
// clusters' deepest grid (store.ClusterMaxZoom) is a coarser one: its cell is the top bits of this grid's.
const orderBits = 31

// mercatorGrid is the position of p (longitude, latitude) on the curve's grid: x from the antimeridian
// eastwards, y from the north edge southwards (Web Mercator's, as tiles number them), latitude held within
// Mercator's range.
//
// Its y is log(tan(π/4 + φ/2)), the formula the PostGIS store computes the cluster cells with in SQL (its
// clusters.go), not geo.Mercator's log((1 + sin φ) / (1 − sin φ)) / 2: the two differ in the last bits, and on
// a million latitudes lying on the edges of the deepest zoom's rows (a grid's points) one in five fell in the
// neighbouring row with one and not the other (none of a million random ones), so that the stores would count
// such points in different cells. Switching both stores at once is the way to one formula.
func mercatorGrid(p orb.Point) (x, y int64) {
	const side = 1 << orderBits
	lat := max(min(p[1], 85.0511287798066), -85.0511287798066)
	u := (p[0] + 180) / 360
	v := 0.5 - math.Log(math.Tan(math.Pi/4+lat*math.Pi/180/2))/(2*math.Pi)
	// Scaling by a power of two is exact, so the top bits of these are the cells of any coarser grid.
	return clampCell(math.Floor(u*side), side), clampCell(math.Floor(v*side), side)
}

func clampCell(f float64, side int64) int64 {
	if !(f >= 0) { // NaN too
		return 0
	}
	return min(int64(f), side-1)
}

// hilbertKey is the distance along the Hilbert curve of the cell (x, y) of the curve's grid.
func hilbertKey(x, y int64) int64 {
	const side = 1 << orderBits
	var d int64
	for s := int64(1) << (orderBits - 1); s > 0; s /= 2 {
		var rx, ry int64
		if x&s != 0 {
			rx = 1
		}
		if y&s != 0 {
			ry = 1
		}
		d += s * s * ((3 * rx) ^ ry)
		// Turn the quadrant so that the curve inside it runs the standard way (only the bits below s count
		// from here on).
		if ry == 0 {
			if rx == 1 {
				x, y = side-1-x, side-1-y
			}
			x, y = y, x
		}
	}
	return d
}

// clusterCellBits is the number of bits of a cell's x or y on the clusters' deepest grid
// (store.ClusterMaxZoom), a coarser grid than the curve's: its cells are the top bits of the curve's.
func clusterCellBits() int { return bits.Len64(uint64(worldCells(store.ClusterMaxZoom))) - 1 }

// clusterCell is the cell (x, y) of the curve's grid on the clusters' deepest grid, as one number: its x then
// its y, each on clusterCellBits bits.
func clusterCell(x, y int64) int64 {
	n := clusterCellBits()
	shift := orderBits - n
	return (x>>shift)<<n | y>>shift
}
