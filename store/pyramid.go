package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

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
