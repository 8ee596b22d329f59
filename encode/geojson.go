// Package encode writes store features in the formats patrimap serves and exports (GeoJSON, CSV, KML), streaming
// one feature at a time into an io.Writer. It does no I/O of its own beyond the writer it is given.
package encode

import (
	"bufio"
	"io"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/patrimap/patrimap/geo"
	"github.com/patrimap/patrimap/store"
)

// GeoJSONWriter streams an RFC 7946 FeatureCollection: open it with Begin, add features with Write, end it
// with End. Coordinates are rounded to geo.GeoJSONDecimals and rings wound by the right-hand rule.
type GeoJSONWriter struct {
	w      *bufio.Writer
	fields []store.Field
	keys   [][]byte // `"name":` for each field, quoted once
	buf    []byte
	n      int
	// jsonText writes JSON columns as their JSON text in a string (see JSONAsText).
	jsonText bool
}

// NewGeoJSONWriter returns a writer of features with the given fields onto w.
func NewGeoJSONWriter(w io.Writer, fields []store.Field) *GeoJSONWriter {
	g := &GeoJSONWriter{w: bufio.NewWriterSize(w, 64<<10), fields: fields}
	for _, f := range fields {
		k := AppendJSONString(nil, f.Name)
		g.keys = append(g.keys, append(k, ':'))
	}
	return g
}

// JSONAsText makes the writer give the value of a JSON column (an array or an object) as its JSON text in a
// string, ["38185"] as "[\"38185\"]": for clients that cannot take nested values (QGIS's OGC API provider
// blanks arrays of objects), the text loses nothing. It returns g.
func (g *GeoJSONWriter) JSONAsText() *GeoJSONWriter {
	g.jsonText = true
	return g
}

// Begin writes the collection's opening, with its name.
func (g *GeoJSONWriter) Begin(name string) error {
	b := append(g.buf[:0], `{"type":"FeatureCollection","name":`...)
	b = AppendJSONString(b, name)
	b = append(b, ",\"features\":[\n"...)
	g.buf = b
	_, err := g.w.Write(b)
	return err
}

// BeginCollection writes the collection's opening with extra members, given as JSON text ending with a comma
// (`"numberMatched":12,"links":[...],`), for OGC API responses.
func (g *GeoJSONWriter) BeginCollection(members []byte) error {
	b := append(g.buf[:0], `{"type":"FeatureCollection",`...)
	b = append(b, members...)
	b = append(b, "\"features\":[\n"...)
	g.buf = b
	_, err := g.w.Write(b)
	return err
}

// EndCollection closes the collection with extra members (JSON text starting with a comma), then flushes.
func (g *GeoJSONWriter) EndCollection(members []byte) error {
	if _, err := g.w.WriteString("\n]"); err != nil {
		return err
	}
	if _, err := g.w.Write(members); err != nil {
		return err
	}
	if _, err := g.w.WriteString("}\n"); err != nil {
		return err
	}
	return g.w.Flush()
}

// WriteFeature writes f alone, as a GeoJSON Feature document with extra members (JSON text starting with a
// comma), then flushes.
func (g *GeoJSONWriter) WriteFeature(f *store.Feature, members []byte) error {
	b := g.appendFeature(g.buf[:0], f)
	b = append(b[:len(b)-1], members...)
	b = append(b, "}\n"...)
	g.buf = b
	if _, err := g.w.Write(b); err != nil {
		return err
	}
	return g.w.Flush()
}

// Write adds one feature.
func (g *GeoJSONWriter) Write(f *store.Feature) error {
	b := g.buf[:0]
	if g.n > 0 {
		b = append(b, ",\n"...)
	}
	g.n++
	b = g.appendFeature(b, f)
	g.buf = b
	_, err := g.w.Write(b)
	return err
}

func (g *GeoJSONWriter) appendFeature(b []byte, f *store.Feature) []byte {
	b = append(b, `{"type":"Feature","id":`...)
	b = strconv.AppendInt(b, f.FID, 10)
	b = append(b, `,"geometry":`...)
	b = geo.AppendGeoJSON(b, f.Geometry)
	b = append(b, `,"properties":{`...)
	for i, v := range f.Values {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, g.keys[i]...)
		t := g.fields[i].Type
		if t == store.FieldJSON && g.jsonText {
			t = store.FieldText
		}
		b = appendValue(b, t, v)
	}
	return append(b, "}}"...)
}

// Count is the number of features written.
func (g *GeoJSONWriter) Count() int { return g.n }

// End closes the collection and flushes.
func (g *GeoJSONWriter) End() error {
	if _, err := g.w.WriteString("\n]}\n"); err != nil {
		return err
	}
	return g.w.Flush()
}

// Flush sends what is buffered, so that a slow stream shows progress to its client.
func (g *GeoJSONWriter) Flush() error { return g.w.Flush() }

// appendValue writes a stored value as JSON according to its field's type. A real is always written with a
// decimal point or an exponent (12.0, not 12), so that a reader guessing types from a few features (GDAL's
// GeoJSON driver, QGIS over OGC API) does not take a column of reals for integers and lose the fractions of
// the features after.
func appendValue(b []byte, t store.FieldType, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		if t == store.FieldJSON && len(v) > 0 && (v[0] == '{' || v[0] == '[') {
			return append(b, v...)
		}
		return AppendJSONString(b, v)
	case int64:
		switch t {
		case store.FieldBoolean:
			return strconv.AppendBool(b, v != 0)
		case store.FieldReal:
			return appendReal(b, float64(v))
		}
		return strconv.AppendInt(b, v, 10)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return append(b, "null"...)
		}
		if t == store.FieldReal {
			return appendReal(b, v)
		}
		return strconv.AppendFloat(b, v, 'g', -1, 64)
	case bool:
		return strconv.AppendBool(b, v)
	case []byte:
		return AppendJSONString(b, string(v))
	}
	return append(b, "null"...)
}

// appendReal writes v as a JSON number that reads as a real: 12.0, 0.5, 1e+21.
func appendReal(b []byte, v float64) []byte {
	start := len(b)
	b = strconv.AppendFloat(b, v, 'g', -1, 64)
	for _, c := range b[start:] {
		if c == '.' || c == 'e' {
			return b
		}
	}
	return append(b, ".0"...)
}

const hex = "0123456789abcdef"

// AppendJSONString appends s as a JSON string: quotes, backslashes and control characters escaped, invalid
// UTF-8 replaced by U+FFFD, and U+2028/U+2029 escaped so that the output is also valid JavaScript.
func AppendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
