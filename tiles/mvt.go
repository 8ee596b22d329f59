package tiles

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// A small Mapbox Vector Tile 2.1 codec (https://github.com/mapbox/vector-tile-spec/tree/master/2.1), written
// against the spec's protobuf schema with no protobuf library: orb's encoding/mvt needs gogo/protobuf, which
// patrimap does not otherwise depend on. Geometries are in tile units, already on the integer grid.

// MVTFeature is one feature of an MVT layer, its geometry in tile units.
type MVTFeature struct {
	ID         uint64
	Geometry   orb.Geometry
	Properties map[string]any // string, int64, float64, bool
}

// MVTLayer is one layer of a vector tile.
type MVTLayer struct {
	Name     string
	Extent   uint32
	Features []MVTFeature
}

const (
	wireVarint = 0
	wire64     = 1
	wireBytes  = 2
	wire32     = 5
)

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendTag(b []byte, field, wire int) []byte { return appendVarint(b, uint64(field<<3|wire)) }

func appendBytesField(b []byte, field int, v []byte) []byte {
	b = appendTag(b, field, wireBytes)
	b = appendVarint(b, uint64(len(v)))
	return append(b, v...)
}

func zigzag(v int64) uint64 { return uint64((v << 1) ^ (v >> 63)) }

// EncodeMVT encodes layers as a tile; layers without features are left out.
func EncodeMVT(layers []MVTLayer) ([]byte, error) {
	var out, lb, fb, gb []byte
	for _, l := range layers {
		if len(l.Features) == 0 {
			continue
		}
		lb = lb[:0]
		lb = appendTag(lb, 15, wireVarint)
		lb = appendVarint(lb, 2)
		lb = appendBytesField(lb, 1, []byte(l.Name))
		keys := map[string]uint32{}
		var keyList []string
		values := map[any]uint32{}
		var valueList []any
		for _, f := range l.Features {
			fb = fb[:0]
			fb = appendTag(fb, 1, wireVarint)
			fb = appendVarint(fb, f.ID)
			// tags, in a stable order
			names := make([]string, 0, len(f.Properties))
			for k := range f.Properties {
				names = append(names, k)
			}
			sort.Strings(names)
			var tags []uint32
			for _, k := range names {
				v := f.Properties[k]
				switch t := v.(type) {
				case int:
					v = int64(t)
				case float32:
					v = float64(t)
				case string, int64, float64, bool:
				default:
					v = fmt.Sprint(t)
				}
				ki, ok := keys[k]
				if !ok {
					ki = uint32(len(keyList))
					keys[k] = ki
					keyList = append(keyList, k)
				}
				vi, ok := values[v]
				if !ok {
					vi = uint32(len(valueList))
					values[v] = vi
					valueList = append(valueList, v)
				}
				tags = append(tags, ki, vi)
			}
			if len(tags) > 0 {
				var pb []byte
				for _, t := range tags {
					pb = appendVarint(pb, uint64(t))
				}
				fb = appendBytesField(fb, 2, pb)
			}
			gt, cmds, err := encodeGeometry(f.Geometry)
			if err != nil {
				return nil, fmt.Errorf("layer %s: feature %d: %w", l.Name, f.ID, err)
			}
			fb = appendTag(fb, 3, wireVarint)
			fb = appendVarint(fb, uint64(gt))
			gb = gb[:0]
			for _, c := range cmds {
				gb = appendVarint(gb, uint64(c))
			}
			fb = appendBytesField(fb, 4, gb)
			lb = appendBytesField(lb, 2, fb)
		}
		for _, k := range keyList {
			lb = appendBytesField(lb, 3, []byte(k))
		}
		for _, v := range valueList {
			var vb []byte
			switch t := v.(type) {
			case string:
				vb = appendBytesField(vb, 1, []byte(t))
			case float64:
				vb = appendTag(vb, 3, wire64)
				bits := math.Float64bits(t)
				for i := 0; i < 8; i++ {
					vb = append(vb, byte(bits>>(8*i)))
				}
			case int64:
				vb = appendTag(vb, 6, wireVarint)
				vb = appendVarint(vb, zigzag(t))
			case bool:
				vb = appendTag(vb, 7, wireVarint)
				if t {
					vb = appendVarint(vb, 1)
				} else {
					vb = appendVarint(vb, 0)
				}
			}
			lb = appendBytesField(lb, 4, vb)
		}
		extent := l.Extent
		if extent == 0 {
			extent = Extent
		}
		lb = appendTag(lb, 5, wireVarint)
		lb = appendVarint(lb, uint64(extent))
		out = appendBytesField(out, 3, lb)
	}
	return out, nil
}

const (
	geomPoint   = 1
	geomLine    = 2
	geomPolygon = 3
	cmdMoveTo   = 1
	cmdLineTo   = 2
	cmdClose    = 7
)

type geomWriter struct {
	x, y int64
	cmds []uint32
}

func (w *geomWriter) cmd(id, count int) { w.cmds = append(w.cmds, uint32(id&7|count<<3)) }

func (w *geomWriter) pt(p orb.Point) {
	x, y := int64(math.Round(p[0])), int64(math.Round(p[1]))
	w.cmds = append(w.cmds, uint32(zigzag(x-w.x)), uint32(zigzag(y-w.y)))
	w.x, w.y = x, y
}

func (w *geomWriter) path(ps []orb.Point, closed bool) {
	if closed && len(ps) > 1 && ps[0] == ps[len(ps)-1] {
		ps = ps[:len(ps)-1]
	}
	w.cmd(cmdMoveTo, 1)
	w.pt(ps[0])
	w.cmd(cmdLineTo, len(ps)-1)
	for _, p := range ps[1:] {
		w.pt(p)
	}
	if closed {
		w.cmd(cmdClose, 1)
	}
}

func encodeGeometry(g orb.Geometry) (int, []uint32, error) {
	w := &geomWriter{}
	switch g := g.(type) {
	case orb.Point:
		w.cmd(cmdMoveTo, 1)
		w.pt(g)
		return geomPoint, w.cmds, nil
	case orb.MultiPoint:
		w.cmd(cmdMoveTo, len(g))
		for _, p := range g {
			w.pt(p)
		}
		return geomPoint, w.cmds, nil
	case orb.LineString:
		w.path(g, false)
		return geomLine, w.cmds, nil
	case orb.MultiLineString:
		for _, l := range g {
			w.path(l, false)
		}
		return geomLine, w.cmds, nil
	case orb.Polygon:
		for _, r := range g {
			w.path(r, true)
		}
		return geomPolygon, w.cmds, nil
	case orb.MultiPolygon:
		for _, p := range g {
			for _, r := range p {
				w.path(r, true)
			}
		}
		return geomPolygon, w.cmds, nil
	}
	return 0, nil, fmt.Errorf("geometry %T cannot go in a vector tile", g)
}

// Decoding, for tests and the MBTiles export's checks.

type pbReader struct {
	b   []byte
	err error
}

var errTruncated = errors.New("mvt: truncated message")

func (r *pbReader) varint() uint64 {
	var v uint64
	for s := 0; s < 64; s += 7 {
		if len(r.b) == 0 {
			r.err = errTruncated
			return 0
		}
		c := r.b[0]
		r.b = r.b[1:]
		v |= uint64(c&0x7f) << s
		if c < 0x80 {
			return v
		}
	}
	r.err = errors.New("mvt: bad varint")
	return 0
}

func (r *pbReader) bytes() []byte {
	n := r.varint()
	if r.err != nil || uint64(len(r.b)) < n {
		r.err = errTruncated
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *pbReader) skip(wire int) {
	switch wire {
	case wireVarint:
		r.varint()
	case wire64:
		if len(r.b) < 8 {
			r.err = errTruncated
			return
		}
		r.b = r.b[8:]
	case wireBytes:
		r.bytes()
	case wire32:
		if len(r.b) < 4 {
			r.err = errTruncated
			return
		}
		r.b = r.b[4:]
	default:
		r.err = fmt.Errorf("mvt: wire type %d", wire)
	}
}

func (r *pbReader) fixed64() uint64 {
	if len(r.b) < 8 {
		r.err = errTruncated
		return 0
	}
	var v uint64
	for i := 0; i < 8; i++ {
		v |= uint64(r.b[i]) << (8 * i)
	}
	r.b = r.b[8:]
	return v
}

func unzigzag(v uint64) int64 { return int64(v>>1) ^ -int64(v&1) }

// DecodeMVT decodes a tile (not gzipped) into its layers, geometries in tile units (polygons split into polygons by
// ring winding, as the spec says).
func DecodeMVT(b []byte) ([]MVTLayer, error) {
	var layers []MVTLayer
	r := &pbReader{b: b}
	for len(r.b) > 0 && r.err == nil {
		tag := r.varint()
		if tag>>3 != 3 || tag&7 != wireBytes {
			r.skip(int(tag & 7))
			continue
		}
		l, err := decodeLayer(r.bytes())
		if err != nil {
			return nil, err
		}
		layers = append(layers, l)
	}
	return layers, r.err
}

func decodeLayer(b []byte) (MVTLayer, error) {
	l := MVTLayer{Extent: 4096}
	var keys []string
	var values []any
	var feats [][]byte
	r := &pbReader{b: b}
	for len(r.b) > 0 && r.err == nil {
		tag := r.varint()
		switch field, wire := tag>>3, int(tag&7); {
		case field == 1 && wire == wireBytes:
			l.Name = string(r.bytes())
		case field == 2 && wire == wireBytes:
			feats = append(feats, r.bytes())
		case field == 3 && wire == wireBytes:
			keys = append(keys, string(r.bytes()))
		case field == 4 && wire == wireBytes:
			values = append(values, decodeValue(r.bytes()))
		case field == 5 && wire == wireVarint:
			l.Extent = uint32(r.varint())
		default:
			r.skip(wire)
		}
	}
	if r.err != nil {
		return l, r.err
	}
	for _, fb := range feats {
		f := MVTFeature{Properties: map[string]any{}}
		var gt uint64
		var geom []uint32
		r := &pbReader{b: fb}
		for len(r.b) > 0 && r.err == nil {
			tag := r.varint()
			switch field, wire := tag>>3, int(tag&7); {
			case field == 1 && wire == wireVarint:
				f.ID = r.varint()
			case field == 2 && wire == wireBytes:
				tr := &pbReader{b: r.bytes()}
				for len(tr.b) > 0 && tr.err == nil {
					k, v := tr.varint(), tr.varint()
					if int(k) < len(keys) && int(v) < len(values) {
						f.Properties[keys[k]] = values[v]
					}
				}
			case field == 3 && wire == wireVarint:
				gt = r.varint()
			case field == 4 && wire == wireBytes:
				gr := &pbReader{b: r.bytes()}
				for len(gr.b) > 0 && gr.err == nil {
					geom = append(geom, uint32(gr.varint()))
				}
			default:
				r.skip(wire)
			}
		}
		if r.err != nil {
			return l, r.err
		}
		g, err := decodeGeometry(int(gt), geom)
		if err != nil {
			return l, fmt.Errorf("layer %s: feature %d: %w", l.Name, f.ID, err)
		}
		f.Geometry = g
		l.Features = append(l.Features, f)
	}
	return l, nil
}

func decodeValue(b []byte) any {
	r := &pbReader{b: b}
	var v any
	for len(r.b) > 0 && r.err == nil {
		tag := r.varint()
		switch field, wire := tag>>3, int(tag&7); {
		case field == 1 && wire == wireBytes:
			v = string(r.bytes())
		case field == 2 && wire == wire32:
			bits := uint32(r.b[0]) | uint32(r.b[1])<<8 | uint32(r.b[2])<<16 | uint32(r.b[3])<<24
			r.b = r.b[4:]
			v = float64(math.Float32frombits(bits))
		case field == 3 && wire == wire64:
			v = math.Float64frombits(r.fixed64())
		case field == 4 && wire == wireVarint:
			v = int64(r.varint())
		case field == 5 && wire == wireVarint:
			v = int64(r.varint())
		case field == 6 && wire == wireVarint:
			v = unzigzag(r.varint())
		case field == 7 && wire == wireVarint:
			v = r.varint() != 0
		default:
			r.skip(wire)
		}
	}
	return v
}

func decodeGeometry(gt int, cmds []uint32) (orb.Geometry, error) {
	var x, y int64
	var paths [][]orb.Point
	var cur []orb.Point
	for i := 0; i < len(cmds); {
		id, count := int(cmds[i]&7), int(cmds[i]>>3)
		i++
		switch id {
		case cmdMoveTo, cmdLineTo:
			if i+2*count > len(cmds) {
				return nil, errTruncated
			}
			for k := 0; k < count; k++ {
				x += unzigzag(uint64(cmds[i]))
				y += unzigzag(uint64(cmds[i+1]))
				i += 2
				if id == cmdMoveTo {
					if cur != nil {
						paths = append(paths, cur)
					}
					cur = nil
				}
				cur = append(cur, orb.Point{float64(x), float64(y)})
			}
		case cmdClose:
			if len(cur) > 0 {
				cur = append(cur, cur[0])
			}
		default:
			return nil, fmt.Errorf("mvt: command %d", id)
		}
	}
	if cur != nil {
		paths = append(paths, cur)
	}
	switch gt {
	case geomPoint:
		var mp orb.MultiPoint
		for _, p := range paths {
			mp = append(mp, p...)
		}
		if len(mp) == 1 {
			return mp[0], nil
		}
		return mp, nil
	case geomLine:
		if len(paths) == 1 {
			return orb.LineString(paths[0]), nil
		}
		mls := make(orb.MultiLineString, len(paths))
		for i, p := range paths {
			mls[i] = p
		}
		return mls, nil
	case geomPolygon:
		var mp orb.MultiPolygon
		for _, p := range paths {
			r := orb.Ring(p)
			if ringArea(r) > 0 || len(mp) == 0 {
				mp = append(mp, orb.Polygon{r})
			} else {
				mp[len(mp)-1] = append(mp[len(mp)-1], r)
			}
		}
		if len(mp) == 1 {
			return mp[0], nil
		}
		return mp, nil
	}
	return nil, fmt.Errorf("mvt: geometry type %d", gt)
}
