package store

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/geo"
)

// Property is one attribute of a feature as an importer read it. Value is nil, string, int64 (or int),
// float64, bool, json.RawMessage for an object or array, or time.Time. Keys keep the source's order, which
// becomes the column order.
type Property struct {
	Key   string
	Value any
}

// Row is one feature as an import hands it to a store: its geometry in WGS84 longitude/latitude, already valid
// and cut to the territory (the import pipeline did that), the copies low-zoom tiles draw, and its
// properties.
type Row struct {
	// FID is the feature's id: increasing within an import (the pipeline gives the record's number, so that a
	// report's "fid 12" is the stored feature 12); 0 takes the one after the previous row's.
	FID int64
	// Geometry is nil for a row without one.
	Geometry orb.Geometry
	// Pyramid holds, for a line or polygon geometry, its copy drawn on the tile grid of each zoom from 0 to
	// PyramidMaxZoom (index = zoom; see geo.Pyramid), stored as given; nil for none (points).
	Pyramid []orb.Geometry
	// Properties keep the source's order, which becomes the column order.
	Properties []Property
}

// ImportOptions tunes an import.
type ImportOptions struct {
	// Fields declares types the source knows (a DBF's C columns stay text even when they look like dates) and
	// descriptions. Columns not declared here get the narrowest type that holds every value seen.
	Fields []Field
}

// Result is what Finish measured.
type Result struct {
	Rows         int64
	GeometryType string // the layer's type (geo.LayerType): POINT, MULTIPOLYGON, GEOMETRY...; "" without geometry
	Fields       []Field
	BBox         *orb.Bound
	NullGeometry int64 // rows stored without geometry
	// Renamed maps source keys to the column name they were given when theirs was taken.
	Renamed map[string]string
	Version int64 // one more than the version it replaces, 1 for a new dataset
}

// Schema works out a dataset's columns and layer type from the rows an import adds, the same way in every
// store: one column per property key, in the order keys are first seen, named after the key (or renamed when
// the name is taken), typed by the narrowest type that holds every value seen unless the source declared one.
type Schema struct {
	declared map[string]Field
	cols     []*column
	byKey    map[string]int
	taken    map[string]bool // lower-case names in use
	layer    geo.LayerType
	rows     int64
	noGeom   int64
	kindsBuf []valueKind // of the row being observed
}

// column is one attribute column being staged, and the kinds of value seen in it.
type column struct {
	name  string // final column name
	key   string // source key
	kinds valueKinds
}

type valueKinds struct {
	integer, real, text, boolean, json, date, datetime int64
}

// valueKind is the kind of one value, counted in valueKinds.
type valueKind uint8

const (
	kindNull valueKind = iota
	kindInteger
	kindReal
	kindText
	kindBoolean
	kindJSON
	kindDate
	kindDateTime
)

func (k *valueKinds) count(kind valueKind) {
	switch kind {
	case kindInteger:
		k.integer++
	case kindReal:
		k.real++
	case kindText:
		k.text++
	case kindBoolean:
		k.boolean++
	case kindJSON:
		k.json++
	case kindDate:
		k.date++
	case kindDateTime:
		k.datetime++
	}
}

// NewSchema starts a schema with the fields a source declares (see ImportOptions.Fields).
func NewSchema(declared []Field) *Schema {
	s := &Schema{declared: map[string]Field{}, byKey: map[string]int{}, taken: map[string]bool{"fid": true, "geom": true}}
	for _, f := range declared {
		s.declared[f.Name] = f
	}
	return s
}

// Observe records a row's geometry, and the columns and value kinds of its properties. It returns the column
// index of each property and its value as it is to be staged (nil, string, int64, float64, bool: JSON and
// times as text), in dst (reused when large enough); added is how many new columns the row brought, at the
// end of the column list.
//
// A row refused (a value of a type no store takes) leaves the schema as it was: every value is read before
// anything is counted or any column added.
func (s *Schema) Observe(r Row, dst []StagedValue) (vals []StagedValue, added int, err error) {
	vals, kinds := dst[:0], s.kindsBuf[:0]
	for _, p := range r.Properties {
		v, kind, err := stage(p.Value)
		if err != nil {
			return nil, 0, fmt.Errorf("property %q: %w", p.Key, err)
		}
		vals, kinds = append(vals, StagedValue{Value: v}), append(kinds, kind)
	}
	s.kindsBuf = kinds
	for k, p := range r.Properties {
		i, ok := s.byKey[p.Key]
		if !ok {
			i = s.addColumn(p.Key)
			added++
		}
		s.cols[i].kinds.count(kinds[k])
		vals[k].Column = i
	}
	if r.Geometry != nil {
		s.layer.Observe(r.Geometry)
	} else {
		s.noGeom++
	}
	s.rows++
	return vals, added, nil
}

// StagedValue is a property's value for column Column, as it is staged before the column's type is known.
type StagedValue struct {
	Column int
	Value  any
}

// Columns is the number of columns so far.
func (s *Schema) Columns() int { return len(s.cols) }

// Result is what the schema measured: rows, layer type, the columns and their types, the renamed keys. BBox
// and Version are the store's to fill.
func (s *Schema) Result() *Result {
	res := &Result{Rows: s.rows, GeometryType: s.layer.Name(), NullGeometry: s.noGeom, Renamed: map[string]string{}}
	for _, c := range s.cols {
		decl := s.declared[c.key]
		res.Fields = append(res.Fields, Field{Name: c.name, Type: c.fieldType(decl.Type), Description: decl.Description})
		if c.name != c.key {
			res.Renamed[c.key] = c.name
		}
	}
	return res
}

func (s *Schema) addColumn(key string) int {
	name := key
	if strings.TrimSpace(name) == "" {
		name = "field"
	}
	base := name
	for n := 2; s.taken[strings.ToLower(name)]; n++ {
		// Column names are case-insensitive in SQLite (and folded by PostgreSQL): "NOM" and "nom" cannot both
		// exist; fid and geom are the store's.
		name = base + "_" + strconv.Itoa(n)
	}
	s.taken[strings.ToLower(name)] = true
	s.cols = append(s.cols, &column{name: name, key: key})
	s.byKey[key] = len(s.cols) - 1
	return len(s.cols) - 1
}

// stage is v as it is staged in an untyped column, and its kind.
func stage(v any) (any, valueKind, error) {
	switch v := v.(type) {
	case nil:
		return nil, kindNull, nil
	case string:
		switch {
		case isDate(v):
			return v, kindDate, nil
		case isDateTime(v):
			return v, kindDateTime, nil
		}
		return v, kindText, nil
	case int:
		return int64(v), kindInteger, nil
	case int64:
		return v, kindInteger, nil
	case float64:
		return v, kindReal, nil
	case bool:
		return v, kindBoolean, nil
	case json.RawMessage:
		return string(v), kindJSON, nil
	case time.Time:
		return v.Format(time.RFC3339Nano), kindDateTime, nil
	}
	return nil, kindNull, fmt.Errorf("unsupported value type %T", v)
}

// fieldType decides a column's type from what was seen in it, or from what the source declared.
func (c *column) fieldType(declared FieldType) FieldType {
	k := c.kinds
	if declared != "" {
		switch declared {
		case FieldText:
			return FieldText
		case FieldInteger, FieldBoolean:
			if k.text+k.real+k.json+k.date+k.datetime == 0 {
				return declared
			}
		case FieldReal:
			if k.text+k.json+k.date+k.datetime+k.boolean == 0 {
				return declared
			}
		case FieldDate:
			if k.text+k.integer+k.real+k.json+k.datetime+k.boolean == 0 {
				return declared
			}
		}
	}
	switch n := k.integer + k.real + k.text + k.boolean + k.json + k.date + k.datetime; n {
	case 0:
		return FieldText
	case k.integer:
		return FieldInteger
	case k.integer + k.real:
		return FieldReal
	case k.boolean:
		return FieldBoolean
	case k.json:
		return FieldJSON
	case k.date:
		return FieldDate
	case k.datetime:
		return FieldDateTime
	}
	return FieldText
}

// isDate reports whether s is an ISO 8601 calendar date, YYYY-MM-DD.
func isDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// isDateTime reports whether s is an RFC 3339 date-time (with a T or a space between date and time).
func isDateTime(s string) bool {
	if len(s) < 16 || !isDate(s[:10]) || (s[10] != 'T' && s[10] != ' ') {
		return false
	}
	t := "T" + s[11:]
	for _, layout := range []string{"T15:04:05Z07:00", "T15:04:05.999999999Z07:00", "T15:04:05", "T15:04:05.999999999", "T15:04"} {
		if _, err := time.Parse(layout, t); err == nil {
			return true
		}
	}
	return false
}

// Coerce returns a staged value (see Schema.Observe) as a column of type t holds it, which is what a
// Feature's value is: SQLite's column affinity, the rule every store follows. A number in a text column
// becomes its text (an integer 12 is "12", a real as SQLite prints it, a boolean "1" or "0"); an integer in a
// real column a float64; an integer in a boolean column a bool (not zero); a boolean in an integer column 1
// or 0.
func Coerce(v any, t FieldType) any {
	switch t {
	case FieldText, FieldJSON, FieldDate, FieldDateTime:
		switch x := v.(type) {
		case int64:
			return strconv.FormatInt(x, 10)
		case float64:
			return realText(x)
		case bool:
			if x {
				return "1"
			}
			return "0"
		}
	case FieldReal:
		if x, ok := v.(int64); ok {
			return float64(x)
		}
	case FieldBoolean:
		if x, ok := v.(int64); ok {
			return x != 0
		}
	case FieldInteger:
		if x, ok := v.(bool); ok {
			if x {
				return int64(1)
			}
			return int64(0)
		}
	}
	return v
}

// realText is a float64 as text, close to what SQLite printed when it was patrimap's only store: 15
// significant digits when they give the number back, 17 otherwise; positional notation from 1e-4 up to 1e17
// (excluded), with ".0" when there is no fraction (12.0, 2.5, 1.0e+20).
func realText(x float64) string {
	digits := 15
	if v, err := strconv.ParseFloat(strconv.FormatFloat(x, 'e', 14, 64), 64); err != nil || v != x {
		digits = 17
	}
	e := strconv.FormatFloat(x, 'e', digits-1, 64) // d.dddde±XX
	mant, exp, _ := strings.Cut(e, "e")
	if strings.Contains(mant, ".") {
		mant = strings.TrimRight(strings.TrimRight(mant, "0"), ".")
	}
	n, _ := strconv.Atoi(exp)
	if n < -4 || n >= 17 {
		if !strings.Contains(mant, ".") {
			mant += ".0"
		}
		return mant + "e" + exp[:1] + fmt.Sprintf("%02d", abs(n))
	}
	s := strconv.FormatFloat(x, 'f', max(0, digits-1-n), 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// RealsAsText says whether column i (in the order of Result's Fields) is text but holds reals: their text is
// realText's, which a database's own conversion need not match, so the store converts them with Coerce.
func (s *Schema) RealsAsText(i int) bool {
	c := s.cols[i]
	return c.kinds.real > 0 && c.fieldType(s.declared[c.key].Type) == FieldText
}
