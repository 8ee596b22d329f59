package tiles

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
)

// Mapbox Vector Tile 2.1 (https://github.com/mapbox/vector-tile-spec/tree/master/2.1) through orb's encoding/mvt.
// patrimap prepares each layer's geometries itself (clipped, generalised, on the integer grid of Extent, rings
// wound as the spec says), so only the protobuf encoding is left to orb.

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

// EncodeMVT encodes layers as a tile; layers without features are left out.
func EncodeMVT(layers []MVTLayer) ([]byte, error) {
	var ls mvt.Layers
	for _, l := range layers {
		if len(l.Features) == 0 {
			continue
		}
		fs := make([]*geojson.Feature, len(l.Features))
		for i, f := range l.Features {
			switch f.Geometry.(type) {
			case orb.Point, orb.MultiPoint, orb.LineString, orb.MultiLineString, orb.Polygon, orb.MultiPolygon:
			default:
				return nil, fmt.Errorf("layer %s, feature %d: geometry %T cannot go in a vector tile", l.Name, f.ID, f.Geometry)
			}
			gf := geojson.NewFeature(f.Geometry)
			gf.ID = f.ID
			gf.Properties = f.Properties
			fs[i] = gf
		}
		ls = append(ls, &mvt.Layer{Name: l.Name, Version: 2, Extent: l.Extent, Features: fs})
	}
	if len(ls) == 0 {
		return nil, nil
	}
	return mvt.Marshal(ls)
}

// DecodeMVT decodes a tile (not gzipped) into its layers, geometries in tile units (polygons split by ring
// winding, as the spec says), for the tests and the MBTiles export's checks.
func DecodeMVT(b []byte) ([]MVTLayer, error) {
	ls, err := mvt.Unmarshal(b)
	if err != nil {
		return nil, err
	}
	out := make([]MVTLayer, len(ls))
	for i, l := range ls {
		out[i] = MVTLayer{Name: l.Name, Extent: l.Extent, Features: make([]MVTFeature, len(l.Features))}
		for j, f := range l.Features {
			var id uint64
			switch v := f.ID.(type) {
			case uint64:
				id = v
			case float64:
				id = uint64(v)
			case int64:
				id = uint64(v)
			}
			out[i].Features[j] = MVTFeature{ID: id, Geometry: f.Geometry, Properties: map[string]any(f.Properties)}
		}
	}
	return out, nil
}

// mvtWriter writes one MVT layer's protobuf message straight from a tile's features, without the
// intermediate GeoJSON features, property maps and protobuf structs of orb's encoder (a third of a z9 points
// tile's time went to them). It writes the very bytes orb's encoder writes (fields in number order, each
// feature's tags by key name, keys and values in the order first met), which TestMVTWriterMatchesOrb checks.
type mvtWriter struct {
	name     string
	features []byte // the layer's features, each as field 2
	keys     []string
	keyIndex map[string]uint32
	values   []byte // the layer's values, each as field 4
	// The value dictionary, one map per type: keyed by any, hashing the interfaces was 12 % of a dense
	// layer's low-zoom tile. Typed as Values hold them (an int and an int64 of the same value are two
	// values, as they were).
	strIdx   map[string]uint32
	int64Idx map[int64]uint32
	intIdx   map[int]uint32
	floatIdx map[float64]uint32
	boolIdx  [2]uint32 // index+1 of false and true, 0 until met
	nValues  uint32
	// scratch, reused from feature to feature
	tags, geom, body []byte
}

func newMVTWriter(name string) *mvtWriter {
	return &mvtWriter{name: name, keyIndex: map[string]uint32{}, strIdx: map[string]uint32{}, int64Idx: map[int64]uint32{},
		intIdx: map[int]uint32{}, floatIdx: map[float64]uint32{}}
}

// errMVTValue says a property value is of a type mvtWriter does not write (orb's encoder then does).
var errMVTValue = fmt.Errorf("property value of a type the direct MVT writer leaves to orb")

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// varintLen is the length of v as a varint.
func varintLen(v uint64) int {
	n := 1
	for ; v >= 0x80; v >>= 7 {
		n++
	}
	return n
}

// appendBytesField appends field f (wire type 2) holding p.
func appendBytesField(b []byte, f byte, p []byte) []byte {
	b = append(b, f<<3|2)
	b = appendVarint(b, uint64(len(p)))
	return append(b, p...)
}

func (w *mvtWriter) key(k string) uint32 {
	if i, ok := w.keyIndex[k]; ok {
		return i
	}
	i := uint32(len(w.keys))
	w.keys = append(w.keys, k)
	w.keyIndex[k] = i
	return i
}

func (w *mvtWriter) value(v any) (uint32, error) {
	switch v := v.(type) {
	case string:
		if i, ok := w.strIdx[v]; ok {
			return i, nil
		}
		// The message written in place (field 4 holding field 1): no copy of the string per value.
		w.values = appendVarint(append(w.values, 4<<3|2), uint64(1+varintLen(uint64(len(v)))+len(v)))
		w.values = append(appendVarint(append(w.values, 1<<3|2), uint64(len(v))), v...)
		w.strIdx[v] = w.nValues
		w.nValues++
	case float64:
		if i, ok := w.floatIdx[v]; ok {
			return i, nil
		}
		w.floatIdx[v] = w.newValue(binary.LittleEndian.AppendUint64([]byte{3<<3 | 1}, math.Float64bits(v)))
	case int64:
		if i, ok := w.int64Idx[v]; ok {
			return i, nil
		}
		w.int64Idx[v] = w.newValue(appendVarint([]byte{6 << 3}, uint64(v<<1)^uint64(v>>63)))
	case int:
		if i, ok := w.intIdx[v]; ok {
			return i, nil
		}
		w.intIdx[v] = w.newValue(appendVarint([]byte{6 << 3}, uint64(int64(v)<<1)^uint64(int64(v)>>63)))
	case bool:
		b := 0
		if v {
			b = 1
		}
		if w.boolIdx[b] == 0 {
			w.boolIdx[b] = w.newValue([]byte{7 << 3, byte(b)}) + 1
		}
		return w.boolIdx[b] - 1, nil
	default:
		return 0, errMVTValue
	}
	return w.nValues - 1, nil
}

// newValue appends the value message m and returns its index.
func (w *mvtWriter) newValue(m []byte) uint32 {
	w.values = appendBytesField(w.values, 4, m)
	w.nValues++
	return w.nValues - 1
}

// geometry commands, as the spec numbers them
const (
	cmdMoveTo    = 1
	cmdLineTo    = 2
	cmdClosePath = 7
)

// geomWriter appends a geometry's commands, as packed varints, the way orb's encoder makes them.
type geomWriter struct {
	b            []byte
	prevX, prevY int32
}

func (g *geomWriter) command(id, n uint32) { g.b = appendVarint(g.b, uint64(n<<3|id)) }

func (g *geomWriter) points(ps []orb.Point) {
	for _, p := range ps {
		x, y := int32(p[0]), int32(p[1])
		dx, dy := x-g.prevX, y-g.prevY
		g.prevX, g.prevY = x, y
		g.b = appendVarint(g.b, uint64(uint32((dx<<1)^(dx>>31))))
		g.b = appendVarint(g.b, uint64(uint32((dy<<1)^(dy>>31))))
	}
}

func (g *geomWriter) line(l []orb.Point) {
	g.command(cmdMoveTo, 1)
	g.points(l[:1])
	g.command(cmdLineTo, uint32(len(l)-1))
	g.points(l[1:])
}

func (g *geomWriter) ring(r orb.Ring) {
	g.command(cmdMoveTo, 1)
	g.points(r[:1])
	rest := r[1:]
	if r.Closed() {
		rest = r[1 : len(r)-1]
	}
	g.command(cmdLineTo, uint32(len(rest)))
	g.points(rest)
	g.b = appendVarint(g.b, 1<<3|cmdClosePath)
}

// encodeGeometry returns the MVT geometry type of g and appends its commands to b.
func encodeGeometry(b []byte, g orb.Geometry) (uint64, []byte, error) {
	w := geomWriter{b: b}
	switch g := g.(type) {
	case orb.Point:
		w.command(cmdMoveTo, 1)
		w.points([]orb.Point{g})
		return 1, w.b, nil
	case orb.MultiPoint:
		w.command(cmdMoveTo, uint32(len(g)))
		w.points(g)
		return 1, w.b, nil
	case orb.LineString:
		w.line(g)
		return 2, w.b, nil
	case orb.MultiLineString:
		for _, l := range g {
			w.line(l)
		}
		return 2, w.b, nil
	case orb.Polygon:
		for _, r := range g {
			w.ring(r)
		}
		return 3, w.b, nil
	case orb.MultiPolygon:
		for _, p := range g {
			for _, r := range p {
				w.ring(r)
			}
		}
		return 3, w.b, nil
	}
	return 0, b, fmt.Errorf("geometry %T cannot go in a vector tile", g)
}

// add writes one feature: its id, the properties keys[i] = vals[i] (keys sorted by name, nil values left
// out) and its geometry in tile units.
func (w *mvtWriter) add(id uint64, g orb.Geometry, keys []string, vals []any) error {
	w.tags = w.tags[:0]
	for i, k := range keys {
		if vals[i] == nil {
			continue
		}
		vi, err := w.value(vals[i])
		if err != nil {
			return err
		}
		w.tags = appendVarint(w.tags, uint64(w.key(k)))
		w.tags = appendVarint(w.tags, uint64(vi))
	}
	typ, geom, err := encodeGeometry(w.geom[:0], g)
	if err != nil {
		return fmt.Errorf("layer %s, feature %d: %w", w.name, id, err)
	}
	w.geom = geom
	body := appendVarint(append(w.body[:0], 1<<3), id)
	if len(w.tags) > 0 {
		body = appendBytesField(body, 2, w.tags)
	}
	body = appendVarint(append(body, 3<<3), typ)
	if len(geom) > 0 {
		body = appendBytesField(body, 4, geom)
	}
	w.body = body
	w.features = appendBytesField(w.features, 2, body)
	return nil
}

// appendLayer appends the layer, as field 3 of a tile, to b.
func (w *mvtWriter) appendLayer(b []byte) []byte {
	l := appendBytesField(nil, 1, []byte(w.name))
	l = append(l, w.features...)
	for _, k := range w.keys {
		l = appendBytesField(l, 3, []byte(k))
	}
	l = append(l, w.values...)
	l = appendVarint(append(l, 5<<3), Extent)
	l = appendVarint(append(l, 15<<3), 2)
	return appendBytesField(b, 3, l)
}
