package sqlitefile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// GeoPackage binary geometry (GeoPackage 1.3, §2.1.3): "GP", version 0, a flags byte, the srs_id, an optional
// envelope, then the geometry as ISO WKB.
const (
	gpbFlagLittleEndian = 1 << 0
	gpbEnvelopeXY       = 1 << 1 // envelope contents indicator 1: [minx, maxx, miny, maxy]
	gpbFlagEmpty        = 1 << 4
	gpbHeaderLen        = 8
	gpbEnvelopeXYLen    = 32
)

// gpbEncoder turns geometries into GeoPackage binary, reusing one buffer.
type gpbEncoder struct {
	buf bytes.Buffer
	wkb *wkb.Encoder
}

func newGPBEncoder() *gpbEncoder {
	e := &gpbEncoder{}
	e.wkb = wkb.NewEncoder(&e.buf).SetByteOrder(binary.LittleEndian)
	return e
}

// encode returns g in srsID as GeoPackage binary. Points carry no envelope (it would repeat the point; GDAL
// writes them so too); other geometries carry their XY envelope, which the R-tree and readers use without
// parsing the WKB. The result is valid until the next call.
func (e *gpbEncoder) encode(g orb.Geometry, srsID int32) ([]byte, error) {
	e.buf.Reset()
	flags := byte(gpbFlagLittleEndian)
	_, isPoint := g.(orb.Point)
	empty := isEmpty(g)
	switch {
	case empty:
		flags |= gpbFlagEmpty
	case !isPoint:
		flags |= gpbEnvelopeXY
	}
	var head [gpbHeaderLen + gpbEnvelopeXYLen]byte
	head[0], head[1], head[2], head[3] = 'G', 'P', 0, flags
	binary.LittleEndian.PutUint32(head[4:], uint32(srsID))
	n := gpbHeaderLen
	if flags&gpbEnvelopeXY != 0 {
		b := g.Bound()
		for i, v := range [4]float64{b.Min[0], b.Max[0], b.Min[1], b.Max[1]} {
			binary.LittleEndian.PutUint64(head[gpbHeaderLen+8*i:], math.Float64bits(v))
		}
		n += gpbEnvelopeXYLen
	}
	e.buf.Write(head[:n])
	if err := e.wkb.Encode(g); err != nil {
		return nil, err
	}
	return e.buf.Bytes(), nil
}

// isEmpty reports whether g has no point at all (an empty collection).
func isEmpty(g orb.Geometry) bool {
	switch g := g.(type) {
	case orb.Point:
		return false
	case orb.MultiPoint:
		return len(g) == 0
	case orb.LineString:
		return len(g) == 0
	case orb.MultiLineString:
		for _, l := range g {
			if len(l) > 0 {
				return false
			}
		}
	case orb.Ring:
		return len(g) == 0
	case orb.Polygon:
		for _, r := range g {
			if len(r) > 0 {
				return false
			}
		}
	case orb.MultiPolygon:
		for _, p := range g {
			if !isEmpty(p) {
				return false
			}
		}
	case orb.Collection:
		for _, c := range g {
			if !isEmpty(c) {
				return false
			}
		}
	case orb.Bound:
		return false
	}
	return true
}

var errNotGPB = errors.New("not a GeoPackage binary geometry")

// gpbEnvelope reads the XY envelope of a GeoPackage binary geometry: from its header when it has one, from
// its WKB otherwise. ok is false for an empty geometry (an empty point is NaN).
func gpbEnvelope(b []byte) (env orb.Bound, ok bool, err error) {
	if len(b) < gpbHeaderLen || b[0] != 'G' || b[1] != 'P' {
		return env, false, errNotGPB
	}
	flags := b[3]
	if flags&gpbFlagEmpty != 0 {
		return env, false, nil
	}
	var order binary.ByteOrder = binary.BigEndian
	if flags&gpbFlagLittleEndian != 0 {
		order = binary.LittleEndian
	}
	envLen := map[byte]int{0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[(flags>>1)&7]
	if envLen == 0 && (flags>>1)&7 != 0 {
		return env, false, fmt.Errorf("%w: envelope indicator %d", errNotGPB, (flags>>1)&7)
	}
	if len(b) < gpbHeaderLen+envLen {
		return env, false, fmt.Errorf("%w: %d bytes", errNotGPB, len(b))
	}
	if envLen > 0 {
		f := func(i int) float64 { return math.Float64frombits(order.Uint64(b[gpbHeaderLen+8*i:])) }
		return bounded(orb.Bound{Min: orb.Point{f(0), f(2)}, Max: orb.Point{f(1), f(3)}})
	}
	w := b[gpbHeaderLen:]
	if len(w) == 21 && w[0] <= 1 { // a 2D point, the common case, read without decoding
		var o binary.ByteOrder = binary.BigEndian
		if w[0] == 1 {
			o = binary.LittleEndian
		}
		if o.Uint32(w[1:]) == 1 {
			p := orb.Point{math.Float64frombits(o.Uint64(w[5:])), math.Float64frombits(o.Uint64(w[13:]))}
			return bounded(p.Bound())
		}
	}
	g, err := wkb.Unmarshal(w)
	if err != nil {
		return env, false, err
	}
	if isEmpty(g) {
		return env, false, nil
	}
	return bounded(g.Bound())
}

// bounded returns b, unless a coordinate is NaN: GeoPackage writes an empty point as NaN, NaN.
func bounded(b orb.Bound) (orb.Bound, bool, error) {
	for _, v := range [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
		if math.IsNaN(v) {
			return orb.Bound{}, false, nil
		}
	}
	return b, true, nil
}
