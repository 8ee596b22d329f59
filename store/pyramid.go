package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/paulmach/orb/maptile"

	"github.com/patrimap/patrimap/geo"
)

// ErrNoPyramid says that a store holds no pyramid of a dataset (points, or imported before pyramids).
var ErrNoPyramid = errors.New("no pyramid")

// A pyramid is stored as one value per row, so that both stores keep it in one (fid, bytes) table written in
// the import's transaction: the number of zooms (a byte), then for each zoom the length of its WKB (4 bytes,
// little-endian; 0 for none) and the WKB. A tile reads the one zoom it draws without decoding the others.

// PyramidGrid is the tile grid pyramids are drawn on (geo.Topology.Pyramid).
func PyramidGrid() geo.TileGrid {
	return geo.TileGrid{Extent: PyramidExtent, Tolerance: PyramidTolerance, MinSize: PyramidMinSize}
}

// PyramidLayer says whether a layer of this geometry type keeps a pyramid: lines and polygons (points are
// not simplified; a GEOMETRY layer's points have none).
func PyramidLayer(layerType string) bool {
	switch layerType {
	case "MULTIPOLYGON", "POLYGON", "MULTILINESTRING", "LINESTRING", "GEOMETRY":
		return true
	}
	return false
}

// IsPyramid says whether b, read where a row's pyramid or its geometry may come, is a stored pyramid: its first
// byte, its number of zooms, is neither 0 nor 1, which start every WKB and SpatiaLite geometry blob.
func IsPyramid(b []byte) bool { return len(b) > 0 && b[0] > 1 }

// AppendPyramid appends the stored form of zooms, a geometry for every zoom from 0 to PyramidMaxZoom, to b.
func AppendPyramid(b []byte, zooms []orb.Geometry) ([]byte, error) {
	if len(zooms) != PyramidMaxZoom+1 {
		return b, fmt.Errorf("pyramid of %d zooms: want zooms 0 to %d", len(zooms), PyramidMaxZoom)
	}
	b = append(b, byte(len(zooms)))
	var buf bytes.Buffer
	for z, g := range zooms {
		buf.Reset()
		if g == nil {
			return b, fmt.Errorf("pyramid: no geometry for zoom %d", z)
		}
		if err := wkb.NewEncoder(&buf).Encode(g); err != nil {
			return b, fmt.Errorf("pyramid zoom %d: %w", z, err)
		}
		b = binary.LittleEndian.AppendUint32(b, uint32(buf.Len()))
		b = append(b, buf.Bytes()...)
	}
	return b, nil
}

// PyramidZoom reads zoom z of a stored pyramid: nil when it has none for z.
func PyramidZoom(b []byte, z int) (orb.Geometry, error) {
	w, err := PyramidWKB(b, z)
	if err != nil || w == nil {
		return nil, err
	}
	g, err := wkb.Unmarshal(w)
	if err != nil {
		return nil, fmt.Errorf("pyramid zoom %d: %w", z, err)
	}
	return g, nil
}

// DecodePyramid reads every zoom of a stored pyramid.
func DecodePyramid(b []byte) ([]orb.Geometry, error) {
	if len(b) == 0 {
		return nil, errors.New("empty pyramid")
	}
	out := make([]orb.Geometry, b[0])
	for z := range out {
		g, err := PyramidZoom(b, z)
		if err != nil {
			return nil, err
		}
		out[z] = g
	}
	return out, nil
}

// PyramidWKB is the WKB of zoom z in stored pyramid b (a part of b), nil when there is none, walking the
// lengths before it.
func PyramidWKB(b []byte, z int) ([]byte, error) {
	if len(b) == 0 || z < 0 || z >= int(b[0]) {
		return nil, fmt.Errorf("pyramid of %d bytes has no zoom %d", len(b), z)
	}
	rest := b[1:]
	for i := 0; ; i++ {
		if len(rest) < 4 {
			return nil, fmt.Errorf("pyramid cut short at zoom %d", i)
		}
		n := binary.LittleEndian.Uint32(rest)
		rest = rest[4:]
		if uint64(n) > uint64(len(rest)) {
			return nil, fmt.Errorf("pyramid cut short at zoom %d", i)
		}
		if i == z {
			if n == 0 {
				return nil, nil
			}
			return rest[:n], nil
		}
		rest = rest[n:]
	}
}

// Square cells. A polygon layer's sites too small to draw at a zoom of the pyramid (every part of their
// pyramid geometry under PyramidMinSize units in both directions: the tiles draw each as a square on its
// largest part) are grouped, per zoom, by cell of the clusters' grid (ClusterCells(z) a tile side), as point
// clusters are: the site of the lowest fid stands for the cell, with the number of sites in it. Up to z6 most
// of a national layer's sites are such squares (a z0 tile of the national ZNIEFF 1: 17,176 sites, 9 drawn);
// a store that keeps the cells made at import (SquareCeller) lets a tile read the drawable sites' rows and
// the cells, never the others' rows. The tiles group the same way the rows of a store without them.

// ErrNoSquareCells says that a store keeps no square cells of a dataset (not polygons, or imported before
// them): its tiles read every row of the pyramid (PyramidTileFeatures) and group them themselves.
var ErrNoSquareCells = errors.New("no square cells")

// SquareCellLayer says whether a layer of this geometry type has square cells: polygons (a GEOMETRY layer
// may mix kinds, and lines are drawn as segments, not squares).
func SquareCellLayer(layerType string) bool {
	return layerType == "MULTIPOLYGON" || layerType == "POLYGON"
}

// SquareCeller is a Snapshot that keeps the square cells of its polygon layers.
type SquareCeller interface {
	// SquareTileFeatures calls each, in fid order, with the sites of d that tile t (z ≤ PyramidMaxZoom)
	// draws, with their pyramid geometry of zoom t.Z and the columns cols: count 0 for a site drawable at that
	// zoom whose box meets bbox (t's bound with its buffer, WGS84), count n ≥ 1 for the site of the lowest fid
	// of a cell of t (PyramidSquareCell: the cells of t and the ring of cells around it, its buffer), standing
	// for the n sites too small to draw whose squares are in that cell. It returns an error wrapping
	// ErrNoSquareCells when it keeps none for d.
	SquareTileFeatures(ctx context.Context, d Dataset, t maptile.Tile, bbox orb.Bound, cols []string, each func(f *Feature, count int64) error) error
}

// PyramidSquareCell says whether g, a polygon site's pyramid geometry of zoom z (WGS84), is too small to draw
// at z, and then gives the cell (x, y, on the world's grid of ClusterCells(z) << z cells a side) that holds
// the centre of its largest part's box, rounded to the grid, where the tiles draw its square. Boxes are taken in Web Mercator
// units of PyramidExtent a tile, as the tiles take them.
func PyramidSquareCell(g orb.Geometry, z int) (cx, cy int64, tiny bool) {
	var mp orb.MultiPolygon
	switch g := g.(type) {
	case orb.Polygon:
		mp = orb.MultiPolygon{g}
	case orb.MultiPolygon:
		mp = g
	default:
		return 0, 0, false
	}
	scale := math.Ldexp(PyramidExtent, z)
	var (
		largest orb.Bound
		largeA  = -1.0
	)
	for _, p := range mp {
		if len(p) == 0 || len(p[0]) < 4 {
			continue
		}
		b := p[0].Bound()
		// Mercator keeps each axis's order (y turned southwards): the box's corners make the projected box.
		lo, hi := geo.Mercator(orb.Point{b.Min[0], b.Max[1]}), geo.Mercator(orb.Point{b.Max[0], b.Min[1]})
		pb := orb.Bound{Min: orb.Point{lo[0] * scale, lo[1] * scale}, Max: orb.Point{hi[0] * scale, hi[1] * scale}}
		w, h := pb.Max[0]-pb.Min[0], pb.Max[1]-pb.Min[1]
		if w >= PyramidMinSize || h >= PyramidMinSize {
			return 0, 0, false
		}
		if a := w * h; a > largeA || largeA < 0 {
			largest, largeA = pb, a
		}
	}
	if largeA < 0 {
		return 0, 0, false
	}
	// The square is drawn on the integer grid: its cell is that of its rounded centre, so that the tiles,
	// which see the square only, find it in the same cell.
	side := float64(PyramidExtent) / float64(ClusterCells(maptile.Zoom(z)))
	c := largest.Center()
	return int64(math.Floor(math.Round(c[0]) / side)), int64(math.Floor(math.Round(c[1]) / side)), true
}

// SquareCellsOf is the range of cells (PyramidSquareCell) whose squares tile t draws: its own and the ring
// around them, its buffer (a cell is as wide as the tiles' buffer), first and last included.
func SquareCellsOf(t maptile.Tile) (x0, y0, x1, y1 int64) {
	k := int64(ClusterCells(t.Z))
	return int64(t.X)*k - 1, int64(t.Y)*k - 1, int64(t.X)*k + k, int64(t.Y)*k + k
}

// SquareCell is a cell read by a SquareCeller: the site of its lowest fid and the number of sites it holds.
type SquareCell struct {
	Site  Feature
	Count int64
}

// MergeSquareCells calls each, in fid order, with the cells (in fid order) and the drawable sites of zoom z
// that the returned function is given in fid order; done gives the cells left after the last one. A row too
// small to draw at z (drawable at a coarser zoom only) is left out: its cell counts it.
func MergeSquareCells(cells []SquareCell, z int, each func(f *Feature, count int64) error) (row func(*Feature) error, done func() error) {
	next := 0
	upTo := func(fid int64) error { // the cells before fid
		for ; next < len(cells) && cells[next].Site.FID < fid; next++ {
			if err := each(&cells[next].Site, cells[next].Count); err != nil {
				return err
			}
		}
		return nil
	}
	row = func(f *Feature) error {
		if _, _, tiny := PyramidSquareCell(f.Geometry, z); tiny {
			return nil
		}
		if err := upTo(f.FID); err != nil {
			return err
		}
		return each(f, 0)
	}
	return row, func() error { return upTo(math.MaxInt64) }
}
