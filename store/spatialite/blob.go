package spatialite

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// SpatiaLite's own geometry BLOB (https://www.gaia-gis.it/gaia-sins/BLOB-Geometry.html), read straight into
// orb for the tile reads: SpatiaLite's AsBinary builds its linked structures and then the WKB, which cost
// three quarters of reading a z8 tile of the national biotope orders (braided rivers of thousands of vertices).
//
//	0x00, endian (0x01 little, 0x00 big), SRID int32, MBR (4 doubles), 0x7C, class int32, body, 0xFE
//
// Bodies: POINT x y; LINESTRING n, points; POLYGON rings, each n and points; MULTI* and GEOMETRYCOLLECTION n,
// each 0x69, class int32 and body. Classes 1-7, +1000 with Z, +2000 with M, +3000 with both (dropped: tiles
// are 2D, as AsBinary is). Compressed geometries (classes from 1000000) and TinyPoints, which patrimap does not
// write, are left to AsBinary (errBlobNotPlain).

var errBlobNotPlain = errors.New("not a plain SpatiaLite geometry blob")

type blobReader struct {
	b      []byte
	pos    int
	order  binary.ByteOrder
	coords int // doubles per vertex: 2, 3 or 4
}

func (r *blobReader) uint32() (uint32, error) {
	if len(r.b)-r.pos < 4 {
		return 0, errBlobNotPlain
	}
	v := r.order.Uint32(r.b[r.pos:])
	r.pos += 4
	return v, nil
}

// count reads a number of items of at least min bytes each, refusing one the rest of the blob cannot hold (so
// that a broken blob never makes a large allocation).
func (r *blobReader) count(min int) (int, error) {
	n, err := r.uint32()
	if err != nil {
		return 0, err
	}
	if int64(n)*int64(min) > int64(len(r.b)-r.pos) {
		return 0, errBlobNotPlain
	}
	return int(n), nil
}

func (r *blobReader) points() ([]orb.Point, error) {
	size := 8 * r.coords
	n, err := r.count(size)
	if err != nil {
		return nil, err
	}
	ps := make([]orb.Point, n)
	for i := range ps {
		ps[i] = r.point()
	}
	return ps, nil
}

// point reads one vertex; the caller checked that the blob holds it.
func (r *blobReader) point() orb.Point {
	p := orb.Point{
		math.Float64frombits(r.order.Uint64(r.b[r.pos:])),
		math.Float64frombits(r.order.Uint64(r.b[r.pos+8:])),
	}
	r.pos += 8 * r.coords
	return p
}

func (r *blobReader) polygon() (orb.Polygon, error) {
	n, err := r.count(4)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		// A polygon without rings, which patrimap never writes: SpatiaLite's own reading (AsBinary) decides,
		// as it drops such a member of a multipolygon (found by FuzzDecodeBlob).
		return nil, errBlobNotPlain
	}
	p := make(orb.Polygon, n)
	for i := range p {
		ring, err := r.points()
		if err != nil {
			return nil, err
		}
		p[i] = ring
	}
	return p, nil
}

// geometry reads the body of a geometry of class c; entity says whether it is a member of a collection
// (which holds no collection).
func (r *blobReader) geometry(c uint32, entity bool) (orb.Geometry, error) {
	if c >= 1000000 {
		return nil, errBlobNotPlain // compressed
	}
	switch c / 1000 {
	case 0:
		r.coords = 2
	case 1, 2: // XYZ, XYM
		r.coords = 3
	case 3:
		r.coords = 4
	default:
		return nil, errBlobNotPlain
	}
	base := c % 1000
	if entity && base > 3 {
		return nil, errBlobNotPlain
	}
	switch base {
	case 1:
		if len(r.b)-r.pos < 8*r.coords {
			return nil, errBlobNotPlain
		}
		return r.point(), nil
	case 2:
		ps, err := r.points()
		return orb.LineString(ps), err
	case 3:
		return r.polygon()
	case 4, 5, 6, 7:
		n, err := r.count(5)
		if err != nil {
			return nil, err
		}
		var (
			mpt orb.MultiPoint
			mls orb.MultiLineString
			mp  orb.MultiPolygon
			col orb.Collection
		)
		for range n {
			if r.pos >= len(r.b) || r.b[r.pos] != 0x69 {
				return nil, errBlobNotPlain
			}
			r.pos++
			ec, err := r.uint32()
			if err != nil {
				return nil, err
			}
			// A member has the collection's dimensions; a multi's members are of its kind.
			if ec/1000 != c/1000 || (base != 7 && ec%1000 != base-3) {
				return nil, errBlobNotPlain
			}
			g, err := r.geometry(ec, true)
			if err != nil {
				return nil, err
			}
			switch base {
			case 4:
				mpt = append(mpt, g.(orb.Point))
			case 5:
				mls = append(mls, g.(orb.LineString))
			case 6:
				mp = append(mp, g.(orb.Polygon))
			default:
				col = append(col, g)
			}
		}
		switch base {
		case 4:
			return mpt, nil
		case 5:
			return mls, nil
		case 6:
			return mp, nil
		}
		return col, nil
	}
	return nil, errBlobNotPlain
}

// decodeBlob reads a SpatiaLite geometry BLOB as the geometry AsBinary would give; errBlobNotPlain for a
// compressed geometry, a TinyPoint or anything else it does not read (AsBinary then does).
func decodeBlob(b []byte) (orb.Geometry, error) {
	if len(b) < 44 || b[0] != 0x00 || b[38] != 0x7C || b[len(b)-1] != 0xFE {
		return nil, errBlobNotPlain
	}
	r := &blobReader{b: b[:len(b)-1], pos: 39}
	switch b[1] {
	case 0x01:
		r.order = binary.LittleEndian
	case 0x00:
		r.order = binary.BigEndian
	default:
		return nil, errBlobNotPlain
	}
	c, err := r.uint32()
	if err != nil {
		return nil, err
	}
	g, err := r.geometry(c, false)
	if err != nil {
		return nil, err
	}
	if r.pos != len(r.b) {
		return nil, fmt.Errorf("%w: %d bytes after the geometry", errBlobNotPlain, len(r.b)-r.pos)
	}
	return g, nil
}
