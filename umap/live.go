package umap

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// A dynamic live layer asks /umap/data/{dataset}.geojson?bbox={bbox}&zoom={zoom} for each view, and patrimap
// answers 413 when a view holds more than the feature cap. The layer's fromZoom hides it below the zoom from
// which no view can: it is computed from the densest part of the data (a cluster of monuments in a city), not
// from the average density over the dataset's extent, which hides a dense cluster's 413s behind empty
// countryside.

const (
	// ViewWidth and ViewHeight are the largest uMap view, in CSS pixels, for which fromZoom guarantees no 413:
	// a 2560×1600 screen filled by the map.
	ViewWidth, ViewHeight = 2560, 1600
	// MaxZoom is the deepest zoom fromZoom looks at.
	MaxZoom = 20
	// hugeSpan is the span, in tiles, above which a feature is counted in every view of its zoom.
	hugeSpan = 64
)

// extent is a feature's bounding box in world units (Web Mercator, 0..1 from the west and from the north):
// minX, minY, maxX, maxY. float32 keeps a tenth of a tile at zoom 20 and halves the memory of a large layer.
type extent [4]float32

func extentOf(b orb.Bound) extent {
	x := func(lon float64) float32 { return float32(math.Max(0, math.Min(1, (lon+180)/360))) }
	y := func(lat float64) float32 {
		lat = math.Max(-85.05112878, math.Min(85.05112878, lat)) * math.Pi / 180
		return float32(math.Max(0, math.Min(1, (1-math.Log(math.Tan(lat)+1/math.Cos(lat))/math.Pi)/2)))
	}
	return extent{x(b.Min[0]), y(b.Max[1]), x(b.Max[0]), y(b.Min[1])}
}

// viewTiles is how many tiles a view of px pixels spans at most, whatever its position: ⌈px/256⌉ + 1.
func viewTiles(px int) int32 { return int32((px+255)/256 + 1) }

// fromZoomUnderCap returns the lowest zoom from which no view of ViewWidth×ViewHeight pixels intersects more
// than featureCap of the extents, at that zoom and every deeper one up to MaxZoom; false when even MaxZoom
// has such a view (many features at one place).
//
// The count of a view is bounded from above by tiles: a view spans at most W×H tiles, and a feature that
// intersects the view intersects one of them. Features are sorted by the size of their tile range (k×k
// tiles at most, k a power of two): one whose range fits in k×k tiles and meets a W×H window of tiles has its
// top-left tile within the (W+k-1)×(H+k-1) window that starts k-1 tiles before, so the densest such window of
// top-left tiles bounds them. Features wider than hugeSpan tiles count in every view.
func fromZoomUnderCap(extents []extent, featureCap int) (int, bool) {
	if len(extents) <= featureCap {
		return 0, true
	}
	for z := MaxZoom; z >= 0; z-- {
		if viewBound(extents, z) > int64(featureCap) {
			if z == MaxZoom {
				return MaxZoom, false
			}
			return z + 1, true
		}
	}
	return 0, true
}

// viewBound is an upper bound of the number of extents a ViewWidth×ViewHeight view intersects at zoom z.
func viewBound(extents []extent, z int) int64 {
	n := float64(int64(1) << z)
	tile := func(v float32) int32 { return int32(math.Min(n-1, math.Floor(float64(v)*n))) }
	bySpan := map[int32]map[[2]int32]int64{}
	var huge int64
	for _, e := range extents {
		x0, y0, x1, y1 := tile(e[0]), tile(e[1]), tile(e[2]), tile(e[3])
		span := max(x1-x0, y1-y0) + 1
		if span > hugeSpan {
			huge++
			continue
		}
		k := int32(1)
		for k < span {
			k *= 2
		}
		if bySpan[k] == nil {
			bySpan[k] = map[[2]int32]int64{}
		}
		bySpan[k][[2]int32{x0, y0}]++
	}
	total := huge
	w, h := viewTiles(ViewWidth), viewTiles(ViewHeight)
	for k, cells := range bySpan {
		total += maxWindow(cells, w+k-1, h+k-1)
	}
	return total
}

// maxWindow is the largest sum of the counts of cells within a w×h window of the integer grid. A best window
// can be moved right and down until its left column and top row hold a cell, so only windows starting at a
// cell's column, and within that column strip at a cell's row, are tried.
func maxWindow(cells map[[2]int32]int64, w, h int32) int64 {
	type cell struct {
		x, y int32
		n    int64
	}
	cs := make([]cell, 0, len(cells))
	for k, n := range cells {
		cs = append(cs, cell{k[0], k[1], n})
	}
	slices.SortFunc(cs, func(a, b cell) int {
		if a.x != b.x {
			return int(a.x) - int(b.x)
		}
		return int(a.y) - int(b.y)
	})
	var best int64
	strip := make([]cell, 0, 64)
	end := 0
	for i := 0; i < len(cs); i++ {
		if i > 0 && cs[i].x == cs[i-1].x {
			continue
		}
		for end < len(cs) && cs[end].x <= cs[i].x+w-1 {
			end++
		}
		strip = append(strip[:0], cs[i:end]...)
		slices.SortFunc(strip, func(a, b cell) int { return int(a.y) - int(b.y) })
		var sum int64
		top := 0
		for _, c := range strip {
			sum += c.n
			for strip[top].y < c.y-h+1 {
				sum -= strip[top].n
				top++
			}
			best = max(best, sum)
		}
	}
	return best
}
