package encode

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/patrimap/patrimap/geo"
	"github.com/patrimap/patrimap/store"
)

// Geometry columns a CSV file can carry.
const (
	CSVGeometryWKT    = "wkt"    // one column, the geometry as OGC Well-Known Text (GDAL, QGIS, PostGIS read it)
	CSVGeometryLonLat = "lonlat" // two columns, a representative point (spreadsheets, uMap, scripts)
	CSVGeometryNone   = "none"   // attributes only
)

// CSVContentType is the media type of what CSVWriter writes (RFC 4180 and RFC 7111, with its header row).
const CSVContentType = "text/csv; charset=utf-8; header=present"

// CSVOptions tunes a CSV file for its reader.
type CSVOptions struct {
	// Separator between values: ',' (the default when zero) or ';', what French spreadsheets expect. Numbers
	// keep a decimal point whatever the separator: a decimal comma would make the file depend on the reader's
	// locale, and GDAL, QGIS and scripts would read 61,5 as text; a French spreadsheet given a ';' file still
	// splits the columns right and shows the values as written.
	Separator rune
	// BOM starts the file with a UTF-8 byte order mark, so that Excel reads it as UTF-8 rather than as
	// Windows-1252 (Vénéon, not VÃ©nÃ©on). GDAL and encoding/csv-style readers that do not expect it may
	// see it as part of the first column's name.
	BOM bool
	// Geometry is CSVGeometryWKT (the default when empty), CSVGeometryLonLat or CSVGeometryNone.
	Geometry string
}

// Validate reports an option a client got wrong, so that a handler can refuse it before it starts a response.
func (o CSVOptions) Validate() error {
	switch o.Geometry {
	case "", CSVGeometryWKT, CSVGeometryLonLat, CSVGeometryNone:
	default:
		return fmt.Errorf("csv: geometry %q: want %s, %s or %s", o.Geometry, CSVGeometryWKT, CSVGeometryLonLat, CSVGeometryNone)
	}
	switch r := o.Separator; {
	case r == 0, r == ',', r == ';', r == '\t', r == '|':
	default:
		return fmt.Errorf("csv: separator %q: want ',', ';', tab or '|'", r)
	}
	return nil
}

// CSVWriter streams features as CSV (RFC 4180: CRLF line ends, values quoted when they hold the separator, a
// quote or a line break): a header row `fid`, the dataset's fields, then the geometry columns; one row per
// feature. Values are written as text a person reads: dates as stored (ISO 8601), booleans true/false, reals
// without exponent (0.0001, not 1e-04) unless they are astronomically large or small, JSON as its text, nulls
// as empty cells. Coordinates have at most geo.GeoJSONDecimals decimals, like the GeoJSON output.
type CSVWriter struct {
	bw     *bufio.Writer
	cw     *csv.Writer
	fields []store.Field
	opts   CSVOptions
	header []string
	row    []string
	buf    []byte
	n      int
}

// NewCSVWriter returns a writer of features with the given fields onto w. Options are checked by Begin (and
// by CSVOptions.Validate).
func NewCSVWriter(w io.Writer, fields []store.Field, opts CSVOptions) *CSVWriter {
	if opts.Separator == 0 {
		opts.Separator = ','
	}
	if opts.Geometry == "" {
		opts.Geometry = CSVGeometryWKT
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := csv.NewWriter(bw)
	cw.Comma = opts.Separator
	cw.UseCRLF = true
	c := &CSVWriter{bw: bw, cw: cw, fields: fields, opts: opts}
	c.header = csvHeader(fields, opts.Geometry)
	c.row = make([]string, len(c.header))
	return c
}

// csvHeader names the columns. The geometry columns are wkt, or lon and lat; a field already called so (a
// source with its own lon/lat columns) keeps its name and the geometry column takes a geom_ prefix, so that no
// two columns share a name.
func csvHeader(fields []store.Field, mode string) []string {
	h := make([]string, 0, len(fields)+3)
	taken := map[string]bool{"fid": true}
	h = append(h, "fid")
	for _, f := range fields {
		h = append(h, f.Name)
		taken[strings.ToLower(f.Name)] = true
	}
	free := func(name string) string {
		c := name
		for n := 1; taken[strings.ToLower(c)]; n++ {
			c = "geom_" + name
			if n > 1 {
				c += "_" + strconv.Itoa(n)
			}
		}
		taken[strings.ToLower(c)] = true
		return c
	}
	switch mode {
	case CSVGeometryWKT:
		h = append(h, free("wkt"))
	case CSVGeometryLonLat:
		h = append(h, free("lon"), free("lat"))
	}
	return h
}

// Header is the header row Begin writes: what the columns are called.
func (c *CSVWriter) Header() []string { return c.header }

// Begin writes the byte order mark if asked for, and the header row. The name is not written (a CSV file has
// none): it is taken for symmetry with the other writers.
func (c *CSVWriter) Begin(name string) error {
	if err := c.opts.Validate(); err != nil {
		return err
	}
	if c.opts.BOM {
		if _, err := c.bw.WriteString("\uFEFF"); err != nil {
			return err
		}
	}
	return c.cw.Write(c.header)
}

// Write adds one feature's row.
func (c *CSVWriter) Write(f *store.Feature) error {
	row := c.row
	row[0] = strconv.FormatInt(f.FID, 10)
	for i, field := range c.fields {
		var v any
		if i < len(f.Values) {
			v = f.Values[i]
		}
		c.buf = appendText(c.buf[:0], field.Type, v)
		row[i+1] = string(c.buf)
	}
	g := len(c.fields) + 1
	switch c.opts.Geometry {
	case CSVGeometryWKT:
		row[g] = ""
		if f.Geometry != nil {
			c.buf = AppendWKT(c.buf[:0], f.Geometry)
			row[g] = string(c.buf)
		}
	case CSVGeometryLonLat:
		row[g], row[g+1] = "", ""
		if p, ok := RepresentativePoint(f.Geometry); ok {
			row[g] = string(geo.AppendCoordinate(c.buf[:0], p[0]))
			row[g+1] = string(geo.AppendCoordinate(c.buf[:0], p[1]))
		}
	}
	c.n++
	return c.cw.Write(row)
}

// Count is the number of features written.
func (c *CSVWriter) Count() int { return c.n }

// Flush sends what is buffered, so that a slow stream shows progress to its client.
func (c *CSVWriter) Flush() error {
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
		return err
	}
	return c.bw.Flush()
}

// End flushes the last rows.
func (c *CSVWriter) End() error { return c.Flush() }

// appendText writes a stored value as the text a person (or a spreadsheet) reads: nil as nothing, booleans
// true/false, numbers in plain decimal notation, dates, date-times and JSON as stored. Invalid UTF-8 becomes
// U+FFFD, so that the output is always valid UTF-8.
func appendText(b []byte, t store.FieldType, v any) []byte {
	switch v := v.(type) {
	case nil:
		return b
	case string:
		return appendValidUTF8(b, v)
	case []byte:
		return appendValidUTF8(b, string(v))
	case int64:
		if t == store.FieldBoolean {
			return strconv.AppendBool(b, v != 0)
		}
		return strconv.AppendInt(b, v, 10)
	case float64:
		return appendDecimal(b, v)
	case bool:
		return strconv.AppendBool(b, v)
	}
	return fmt.Append(b, v)
}

// appendDecimal writes v in its shortest exact form without exponent (61.5, 0.00012, 1200000), except beyond
// 1e21 or below 1e-7 where the plain form would be unreadable; NaN and infinities as nothing.
func appendDecimal(b []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return b
	}
	if a := math.Abs(v); a != 0 && (a < 1e-7 || a >= 1e21) {
		return strconv.AppendFloat(b, v, 'g', -1, 64)
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}

func appendValidUTF8(b []byte, s string) []byte {
	if utf8.ValidString(s) {
		return append(b, s...)
	}
	return append(b, strings.ToValidUTF8(s, "\uFFFD")...)
}

// AppendWKT appends g as OGC Well-Known Text with coordinates rounded to geo.GeoJSONDecimals in plain decimal
// notation (6.2792835 44.940056). It writes what orb/encoding/wkt writes, except for the numbers: that package
// formats them with %g (5e-05 for a longitude near the Greenwich meridian, which crosses western France) and
// rounding first would mean modifying or copying the feature's geometry (orb.Round works in place). Its
// unmarshaller reads this output back (see the tests). A nil geometry appends nothing.
func AppendWKT(b []byte, g orb.Geometry) []byte {
	switch g := g.(type) {
	case nil:
		return b
	case orb.Point:
		b = append(b, "POINT("...)
		b = appendWKTPoint(b, g)
		return append(b, ')')
	case orb.MultiPoint:
		if len(g) == 0 {
			return append(b, "MULTIPOINT EMPTY"...)
		}
		b = append(b, "MULTIPOINT("...)
		for i, p := range g {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '(')
			b = appendWKTPoint(b, p)
			b = append(b, ')')
		}
		return append(b, ')')
	case orb.LineString:
		if len(g) == 0 {
			return append(b, "LINESTRING EMPTY"...)
		}
		return appendWKTPoints(append(b, "LINESTRING"...), g)
	case orb.MultiLineString:
		if len(g) == 0 {
			return append(b, "MULTILINESTRING EMPTY"...)
		}
		b = append(b, "MULTILINESTRING("...)
		for i, l := range g {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendWKTPoints(b, l)
		}
		return append(b, ')')
	case orb.Ring:
		return AppendWKT(b, orb.Polygon{g})
	case orb.Bound:
		return AppendWKT(b, g.ToPolygon())
	case orb.Polygon:
		if len(g) == 0 {
			return append(b, "POLYGON EMPTY"...)
		}
		return appendWKTRings(append(b, "POLYGON"...), g)
	case orb.MultiPolygon:
		if len(g) == 0 {
			return append(b, "MULTIPOLYGON EMPTY"...)
		}
		b = append(b, "MULTIPOLYGON("...)
		for i, p := range g {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendWKTRings(b, p)
		}
		return append(b, ')')
	case orb.Collection:
		if len(g) == 0 {
			return append(b, "GEOMETRYCOLLECTION EMPTY"...)
		}
		b = append(b, "GEOMETRYCOLLECTION("...)
		for i, m := range g {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendWKT(b, m)
		}
		return append(b, ')')
	}
	return b
}

func appendWKTRings(b []byte, p orb.Polygon) []byte {
	b = append(b, '(')
	for i, r := range p {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendWKTPoints(b, r)
	}
	return append(b, ')')
}

func appendWKTPoints(b []byte, ps []orb.Point) []byte {
	b = append(b, '(')
	for i, p := range ps {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendWKTPoint(b, p)
	}
	return append(b, ')')
}

func appendWKTPoint(b []byte, p orb.Point) []byte {
	b = geo.AppendCoordinate(b, p[0])
	b = append(b, ' ')
	return geo.AppendCoordinate(b, p[1])
}

// RepresentativePoint returns one point that stands for g in a lon/lat column, and false for a nil or empty
// geometry. A point is itself; a multipoint, its member nearest to its centroid; a line, the point half-way
// along it (the longest line of a multilinestring); a polygon, a point inside it: its centroid when that lies
// inside (most protected areas are compact), otherwise the middle of the widest stretch of the horizontal line
// through the middle of its bounding box that lies inside it (that line always crosses a polygon, since a
// polygon is connected; holes are left out of the stretches). A multipolygon gives its centroid when that lies
// inside one of its parts, otherwise the point of its largest part. A collection gives the point of its
// highest-dimension member (polygons over lines over points), the first such one.
//
// The centroid is planar, in degrees: at patrimap's scale (a region) that is what a person pointing at the
// map would choose, and it is only tested, never trusted, to be inside.
func RepresentativePoint(g orb.Geometry) (orb.Point, bool) {
	switch g := g.(type) {
	case orb.Point:
		return g, true
	case orb.MultiPoint:
		if len(g) == 0 {
			return orb.Point{}, false
		}
		c, _ := planar.CentroidArea(g)
		best, bestD := g[0], math.Inf(1)
		for _, p := range g {
			if d := planar.DistanceSquared(p, c); d < bestD {
				best, bestD = p, d
			}
		}
		return best, true
	case orb.LineString:
		return lineMidpoint(g)
	case orb.MultiLineString:
		var longest orb.LineString
		best := -1.0
		for _, l := range g {
			if n := planar.Length(l); n > best && len(l) > 0 {
				longest, best = l, n
			}
		}
		return lineMidpoint(longest)
	case orb.Ring:
		return polygonPoint(orb.Polygon{g})
	case orb.Bound:
		return g.Center(), true
	case orb.Polygon:
		return polygonPoint(g)
	case orb.MultiPolygon:
		if len(g) == 0 {
			return orb.Point{}, false
		}
		if c, a := planar.CentroidArea(g); a > 0 && planar.MultiPolygonContains(g, c) {
			return c, true
		}
		largest, best := -1, -1.0
		for i, p := range g {
			if a := planar.Area(p); a > best && len(p) > 0 && len(p[0]) > 0 {
				largest, best = i, a
			}
		}
		if largest < 0 {
			return orb.Point{}, false
		}
		return polygonPoint(g[largest])
	case orb.Collection:
		dim, pick := -1, orb.Geometry(nil)
		for _, m := range g {
			if m == nil {
				continue
			}
			if d := m.Dimensions(); d > dim {
				if _, ok := RepresentativePoint(m); ok {
					dim, pick = d, m
				}
			}
		}
		if pick == nil {
			return orb.Point{}, false
		}
		return RepresentativePoint(pick)
	}
	return orb.Point{}, false
}

// lineMidpoint is the point half-way along l.
func lineMidpoint(l orb.LineString) (orb.Point, bool) {
	switch len(l) {
	case 0:
		return orb.Point{}, false
	case 1:
		return l[0], true
	}
	half := planar.Length(l) / 2
	for i := 1; i < len(l); i++ {
		seg := planar.Distance(l[i-1], l[i])
		if seg >= half && seg > 0 {
			t := half / seg
			return orb.Point{l[i-1][0] + t*(l[i][0]-l[i-1][0]), l[i-1][1] + t*(l[i][1]-l[i-1][1])}, true
		}
		half -= seg
	}
	return l[len(l)-1], true
}

// polygonPoint is a point inside p: its centroid when inside, else the middle of the widest inside stretch of
// the horizontal line through the middle of its bounding box.
func polygonPoint(p orb.Polygon) (orb.Point, bool) {
	if len(p) == 0 || len(p[0]) == 0 {
		return orb.Point{}, false
	}
	if c, a := planar.CentroidArea(p); a > 0 && planar.PolygonContains(p, c) {
		return c, true
	}
	b := p[0].Bound()
	y := (b.Min[1] + b.Max[1]) / 2
	var xs []float64
	for _, r := range p {
		for i := 1; i < len(r); i++ {
			a, c := r[i-1], r[i]
			// Half-open rule: a vertex lying on the line is counted once, by the edge that leaves it upwards.
			if (a[1] > y) != (c[1] > y) {
				xs = append(xs, a[0]+(y-a[1])*(c[0]-a[0])/(c[1]-a[1]))
			}
		}
	}
	sort.Float64s(xs)
	best, bestW := orb.Point{}, -1.0
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > bestW {
			best, bestW = orb.Point{(xs[i] + xs[i+1]) / 2, y}, w
		}
	}
	if bestW < 0 {
		// A polygon with no height: any of its points stands for it.
		return p[0][0], true
	}
	return best, true
}
