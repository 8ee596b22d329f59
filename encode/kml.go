package encode

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/geo"
	"github.com/patrimap/patrimap/store"
)

// KMLContentType is the media type of KML documents (registered by the OGC).
const KMLContentType = "application/vnd.google-earth.kml+xml"

// KMLOptions tunes a KML document.
type KMLOptions struct {
	// NameField is the field whose value names each Placemark (what Google Earth lists and labels); empty for
	// none. It must be one of the dataset's fields.
	NameField string
}

// KMLWriter streams an OGC KML 2.2 document: one Document with the dataset's name, one Placemark per feature
// with its id (fid) as the Placemark id, its name from KMLOptions.NameField, every non-null value as
// ExtendedData/Data (text, as in CSV), and its geometry: Point, LineString, Polygon (outer ring
// counter-clockwise, holes clockwise, as KML asks), MultiGeometry for multi-geometries and collections.
// Coordinates are lon,lat with at most geo.GeoJSONDecimals decimals. A feature without geometry is a Placemark
// without geometry.
type KMLWriter struct {
	w        *bufio.Writer
	fields   []store.Field
	opts     KMLOptions
	nameIdx  int
	dataOpen [][]byte // `<Data name="…"><value>` for each field, escaped once
	buf      []byte
	text     []byte
	n        int
}

// NewKMLWriter returns a writer of features with the given fields onto w. Options are checked by Begin (and
// by KMLOptions.Validate).
func NewKMLWriter(w io.Writer, fields []store.Field, opts KMLOptions) *KMLWriter {
	k := &KMLWriter{w: bufio.NewWriterSize(w, 64<<10), fields: fields, opts: opts, nameIdx: -1}
	for i, f := range fields {
		if opts.NameField != "" && f.Name == opts.NameField {
			k.nameIdx = i
		}
		b := append([]byte(nil), `<Data name="`...)
		b = AppendXMLText(b, f.Name)
		k.dataOpen = append(k.dataOpen, append(b, `"><value>`...))
	}
	return k
}

// Validate reports an option that does not fit the fields, so that a handler can refuse it before it starts
// a response.
func (o KMLOptions) Validate(fields []store.Field) error {
	if o.NameField == "" {
		return nil
	}
	for _, f := range fields {
		if f.Name == o.NameField {
			return nil
		}
	}
	return fmt.Errorf("kml: name field %q is not a field of the dataset", o.NameField)
}

// Begin writes the document's opening, with its name.
func (k *KMLWriter) Begin(name string) error {
	if err := k.opts.Validate(k.fields); err != nil {
		return err
	}
	b := append(k.buf[:0], `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+
		`<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>`...)
	b = AppendXMLText(b, name)
	b = append(b, "</name>\n"...)
	k.buf = b
	_, err := k.w.Write(b)
	return err
}

// Write adds one feature as a Placemark.
func (k *KMLWriter) Write(f *store.Feature) error {
	b := append(k.buf[:0], `<Placemark id="f`...)
	b = strconv.AppendInt(b, f.FID, 10)
	b = append(b, `">`...)
	if k.nameIdx >= 0 && k.nameIdx < len(f.Values) && f.Values[k.nameIdx] != nil {
		k.text = appendText(k.text[:0], k.fields[k.nameIdx].Type, f.Values[k.nameIdx])
		b = append(b, "<name>"...)
		b = appendXMLBytes(b, k.text)
		b = append(b, "</name>"...)
	}
	hasData := false
	for i, v := range f.Values {
		if v == nil || i >= len(k.fields) {
			continue
		}
		if !hasData {
			b = append(b, "<ExtendedData>"...)
			hasData = true
		}
		k.text = appendText(k.text[:0], k.fields[i].Type, v)
		b = append(b, k.dataOpen[i]...)
		b = appendXMLBytes(b, k.text)
		b = append(b, "</value></Data>"...)
	}
	if hasData {
		b = append(b, "</ExtendedData>"...)
	}
	b = AppendKMLGeometry(b, f.Geometry)
	b = append(b, "</Placemark>\n"...)
	k.buf = b
	k.n++
	_, err := k.w.Write(b)
	return err
}

// Count is the number of features written.
func (k *KMLWriter) Count() int { return k.n }

// Flush sends what is buffered, so that a slow stream shows progress to its client.
func (k *KMLWriter) Flush() error { return k.w.Flush() }

// End closes the document and flushes.
func (k *KMLWriter) End() error {
	if _, err := k.w.WriteString("</Document></kml>\n"); err != nil {
		return err
	}
	return k.w.Flush()
}

// AppendKMLGeometry appends g as a KML 2.2 geometry element; nil and empty geometries append nothing.
func AppendKMLGeometry(b []byte, g orb.Geometry) []byte {
	switch g := g.(type) {
	case orb.Point:
		b = append(b, "<Point><coordinates>"...)
		b = appendKMLCoord(b, g)
		return append(b, "</coordinates></Point>"...)
	case orb.LineString:
		if len(g) == 0 {
			return b
		}
		b = append(b, "<LineString><coordinates>"...)
		b = appendKMLCoords(b, g, false)
		return append(b, "</coordinates></LineString>"...)
	case orb.Ring:
		return AppendKMLGeometry(b, orb.Polygon{g})
	case orb.Bound:
		return AppendKMLGeometry(b, g.ToPolygon())
	case orb.Polygon:
		if len(g) == 0 || len(g[0]) == 0 {
			return b
		}
		b = append(b, "<Polygon>"...)
		for i, r := range g {
			// OGC KML 2.2 §10.8.3.4: the outer boundary counter-clockwise; holes the other way round.
			want := orb.CCW
			if i == 0 {
				b = append(b, "<outerBoundaryIs>"...)
			} else {
				want = orb.CW
				b = append(b, "<innerBoundaryIs>"...)
			}
			b = append(b, "<LinearRing><coordinates>"...)
			b = appendKMLCoords(b, r, r.Orientation() != want && r.Orientation() != 0)
			b = append(b, "</coordinates></LinearRing>"...)
			if i == 0 {
				b = append(b, "</outerBoundaryIs>"...)
			} else {
				b = append(b, "</innerBoundaryIs>"...)
			}
		}
		return append(b, "</Polygon>"...)
	case orb.MultiPoint:
		return appendMultiGeometry(b, len(g), func(b []byte, i int) []byte { return AppendKMLGeometry(b, g[i]) })
	case orb.MultiLineString:
		return appendMultiGeometry(b, len(g), func(b []byte, i int) []byte { return AppendKMLGeometry(b, g[i]) })
	case orb.MultiPolygon:
		return appendMultiGeometry(b, len(g), func(b []byte, i int) []byte { return AppendKMLGeometry(b, g[i]) })
	case orb.Collection:
		return appendMultiGeometry(b, len(g), func(b []byte, i int) []byte { return AppendKMLGeometry(b, g[i]) })
	}
	return b
}

func appendMultiGeometry(b []byte, n int, member func([]byte, int) []byte) []byte {
	if n == 0 {
		return b
	}
	b = append(b, "<MultiGeometry>"...)
	for i := 0; i < n; i++ {
		b = member(b, i)
	}
	return append(b, "</MultiGeometry>"...)
}

func appendKMLCoords(b []byte, ps []orb.Point, reverse bool) []byte {
	n := len(ps)
	for i := range n {
		if i > 0 {
			b = append(b, ' ')
		}
		p := ps[i]
		if reverse {
			p = ps[n-1-i]
		}
		b = appendKMLCoord(b, p)
	}
	return b
}

func appendKMLCoord(b []byte, p orb.Point) []byte {
	b = geo.AppendCoordinate(b, p[0])
	b = append(b, ',')
	return geo.AppendCoordinate(b, p[1])
}

// AppendXMLText appends s escaped for XML text and attribute values: &, <, >, " and ' as entities, invalid
// UTF-8 as U+FFFD, and the characters XML 1.0 forbids (control characters other than tab, CR and LF) dropped.
// CR and LF are written as character references so that attribute values keep them too.
func AppendXMLText(b []byte, s string) []byte { return appendXML(b, s) }

func appendXMLBytes(b, s []byte) []byte { return appendXML(b, s) }

func appendXML[T string | []byte](b []byte, s T) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '&':
				b = append(b, "&amp;"...)
			case c == '<':
				b = append(b, "&lt;"...)
			case c == '>':
				b = append(b, "&gt;"...)
			case c == '"':
				b = append(b, "&quot;"...)
			case c == '\'':
				b = append(b, "&apos;"...)
			case c == '\n':
				b = append(b, "&#xA;"...)
			case c == '\r':
				b = append(b, "&#xD;"...)
			case c == '\t':
				b = append(b, "&#x9;"...)
			case c < 0x20:
				// not allowed in XML 1.0: dropped
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, "\uFFFD"...)
		case r == 0xFFFE || r == 0xFFFF:
			// not XML characters: dropped
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return b
}
