package tableschema

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Error kinds, as validata names them (type-error, constraint-error by constraint...).
const (
	KindType          = "type"
	KindRequired      = "required"
	KindUnique        = "unique"
	KindPattern       = "pattern"
	KindEnum          = "enum"
	KindMinimum       = "minimum"
	KindMaximum       = "maximum"
	KindMinLength     = "minLength"
	KindMaxLength     = "maxLength"
	KindMissingColumn = "missing-column"
)

// checker checks one field's values (as text) against its type, format and constraints.
type checker struct {
	f         Field
	pattern   *regexp.Regexp
	enum      map[string]bool // canonical texts of the allowed values
	min, max  *float64        // numbers, and dates/times as Unix seconds
	trueSet   map[string]bool
	falseSet  map[string]bool
	layouts   []string // date/time/datetime layouts to try
	bare      bool
	decimal   string
	group     string
	minLength int
	maxLength int
}

var (
	uuidRe     = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	durationRe = regexp.MustCompile(`^P(?:\d+(?:\.\d+)?Y)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?W)?(?:\d+(?:\.\d+)?D)?(?:T(?:\d+(?:\.\d+)?H)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?S)?)?$`)
	yearRe     = regexp.MustCompile(`^-?\d{4}$`)
	yearMonth  = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])$`)
)

func newChecker(f Field) (*checker, error) {
	c := &checker{f: f, minLength: -1, maxLength: -1, bare: f.BareNumber == nil || *f.BareNumber, decimal: ".", group: f.GroupChar}
	if f.DecimalChar != "" {
		c.decimal = f.DecimalChar
	}
	t := f.Type
	if t == "" {
		t = "string"
	}
	known := false
	for _, k := range Types {
		known = known || k == t
	}
	if !known {
		return nil, fmt.Errorf("type %q: the Table Schema types are %s", f.Type, strings.Join(Types, ", "))
	}
	c.f.Type = t
	switch t {
	case "string":
		switch f.Format {
		case "", "default", "email", "uri", "binary", "uuid":
		default:
			return nil, fmt.Errorf("string format %q: use default, email, uri, binary or uuid", f.Format)
		}
	case "date", "time", "datetime":
		layouts, err := timeLayouts(t, f.Format)
		if err != nil {
			return nil, err
		}
		c.layouts = layouts
	case "boolean":
		c.trueSet, c.falseSet = set(f.TrueValues, "true", "True", "TRUE", "1"), set(f.FalseValues, "false", "False", "FALSE", "0")
	}
	k := f.Constraints
	if k.Pattern != "" {
		re, err := anchored(k.Pattern)
		if err != nil {
			return nil, err
		}
		c.pattern = re
	}
	if len(k.Enum) > 0 {
		c.enum = map[string]bool{}
		for _, v := range k.Enum {
			text := jsonText(v)
			canon, ok := c.canonical(text)
			if !ok {
				return nil, fmt.Errorf("enum value %s is not a %s", text, t)
			}
			c.enum[canon] = true
		}
	}
	for _, b := range []struct {
		v   any
		dst **float64
		n   string
	}{{k.Minimum, &c.min, "minimum"}, {k.Maximum, &c.max, "maximum"}} {
		if b.v == nil {
			continue
		}
		x, ok := c.ordinal(jsonText(b.v))
		if !ok {
			return nil, fmt.Errorf("%s %v is not a %s", b.n, b.v, t)
		}
		*b.dst = &x
	}
	if k.MinLength != nil {
		c.minLength = *k.MinLength
	}
	if k.MaxLength != nil {
		c.maxLength = *k.MaxLength
	}
	return c, nil
}

func set(given []string, defaults ...string) map[string]bool {
	if given == nil {
		given = defaults
	}
	m := map[string]bool{}
	for _, v := range given {
		m[v] = true
	}
	return m
}

// jsonText is how a schema's JSON value (from enum, minimum...) reads as cell text: strings as they are,
// numbers without exponent.
func jsonText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// check returns the kind of the first error of text (a value that is not missing), or "".
func (c *checker) check(text string) string {
	if _, ok := c.canonical(text); !ok {
		return KindType
	}
	if c.pattern != nil && !c.pattern.MatchString(text) {
		return KindPattern
	}
	if c.enum != nil {
		canon, _ := c.canonical(text)
		if !c.enum[canon] {
			return KindEnum
		}
	}
	if c.min != nil || c.max != nil {
		if x, ok := c.ordinal(text); ok {
			if c.min != nil && x < *c.min {
				return KindMinimum
			}
			if c.max != nil && x > *c.max {
				return KindMaximum
			}
		}
	}
	if c.minLength >= 0 || c.maxLength >= 0 {
		n := c.length(text)
		if c.minLength >= 0 && n < c.minLength {
			return KindMinLength
		}
		if c.maxLength >= 0 && n > c.maxLength {
			return KindMaxLength
		}
	}
	return ""
}

// canonical casts text to the field's type and returns a text that equal values share ("1.50" and "1.5"),
// and false when text is not of the type.
func (c *checker) canonical(text string) (string, bool) {
	switch c.f.Type {
	case "string":
		return text, c.stringFormat(text)
	case "number":
		x, ok := c.number(text)
		return strconv.FormatFloat(x, 'g', -1, 64), ok
	case "integer":
		n, ok := c.integer(text)
		return strconv.FormatInt(n, 10), ok
	case "boolean":
		switch {
		case c.trueSet[text]:
			return "true", true
		case c.falseSet[text]:
			return "false", true
		}
		return "", false
	case "object", "geojson":
		var m map[string]json.RawMessage
		if json.Unmarshal([]byte(text), &m) != nil {
			return "", false
		}
		if c.f.Type == "geojson" {
			if _, ok := m["type"]; !ok {
				return "", false
			}
		}
		return text, true
	case "array":
		var a []json.RawMessage
		return text, json.Unmarshal([]byte(text), &a) == nil
	case "date", "time", "datetime":
		t, ok := c.time(text)
		return t.UTC().Format(time.RFC3339Nano), ok
	case "year":
		return text, yearRe.MatchString(text)
	case "yearmonth":
		return text, yearMonth.MatchString(text)
	case "duration":
		return text, text != "P" && text != "PT" && durationRe.MatchString(text)
	case "geopoint":
		return text, c.geopoint(text)
	}
	return text, true // any
}

func (c *checker) stringFormat(text string) bool {
	switch c.f.Format {
	case "email":
		a, err := mail.ParseAddress(text)
		return err == nil && a.Address == text
	case "uri":
		u, err := url.Parse(text)
		return err == nil && u.Scheme != "" && !strings.ContainsAny(text, " \t\n")
	case "uuid":
		return uuidRe.MatchString(text)
	case "binary":
		_, err := base64.StdEncoding.DecodeString(text)
		return err == nil
	}
	return true
}

// numberText applies the field's groupChar, decimalChar and bareNumber to text.
func (c *checker) numberText(text string) string {
	if c.group != "" {
		text = strings.ReplaceAll(text, c.group, "")
	}
	if c.decimal != "." {
		text = strings.ReplaceAll(text, c.decimal, ".")
	}
	if !c.bare {
		text = strings.TrimFunc(text, func(r rune) bool { return !(r >= '0' && r <= '9') && r != '-' && r != '+' && r != '.' })
	}
	return text
}

func (c *checker) number(text string) (float64, bool) {
	t := c.numberText(text)
	switch t {
	case "NaN", "INF", "-INF":
		return math.NaN(), true
	}
	if t == "" || strings.ContainsAny(t, "xXpP_") || strings.HasPrefix(strings.ToLower(t), "inf") || strings.Contains(strings.ToLower(t), "infinity") || strings.Contains(strings.ToLower(t), "nan") {
		return 0, false
	}
	x, err := strconv.ParseFloat(t, 64)
	return x, err == nil
}

func (c *checker) integer(text string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimPrefix(c.numberText(text), "+"), 10, 64)
	return n, err == nil
}

func (c *checker) time(text string) (time.Time, bool) {
	for _, l := range c.layouts {
		if t, err := time.Parse(l, text); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func (c *checker) geopoint(text string) bool {
	var lon, lat float64
	switch c.f.Format {
	case "array":
		var a []float64
		if json.Unmarshal([]byte(text), &a) != nil || len(a) != 2 {
			return false
		}
		lon, lat = a[0], a[1]
	case "object":
		var o struct{ Lon, Lat *float64 }
		if json.Unmarshal([]byte(text), &o) != nil || o.Lon == nil || o.Lat == nil {
			return false
		}
		lon, lat = *o.Lon, *o.Lat
	default:
		a, b, ok := strings.Cut(text, ",")
		if !ok {
			return false
		}
		var err1, err2 error
		lon, err1 = strconv.ParseFloat(strings.TrimSpace(a), 64)
		lat, err2 = strconv.ParseFloat(strings.TrimSpace(b), 64)
		if err1 != nil || err2 != nil {
			return false
		}
	}
	return lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90
}

// ordinal is a value's position for minimum and maximum: the number, or the date's Unix time.
func (c *checker) ordinal(text string) (float64, bool) {
	switch c.f.Type {
	case "number":
		return c.number(text)
	case "integer", "year":
		n, err := strconv.ParseInt(c.numberText(text), 10, 64)
		return float64(n), err == nil
	case "date", "time", "datetime":
		t, ok := c.time(text)
		return float64(t.Unix()) + float64(t.Nanosecond())/1e9, ok
	case "yearmonth":
		t, err := time.Parse("2006-01", text)
		return float64(t.Unix()), err == nil
	}
	return 0, false
}

func (c *checker) length(text string) int {
	switch c.f.Type {
	case "array":
		var a []json.RawMessage
		json.Unmarshal([]byte(text), &a)
		return len(a)
	case "object":
		var m map[string]json.RawMessage
		json.Unmarshal([]byte(text), &m)
		return len(m)
	}
	return utf8.RuneCountInString(text)
}

// timeLayouts turns a Table Schema date/time format (default, any, or a Python strftime pattern such as
// %d/%m/%Y) into Go layouts.
func timeLayouts(typ, format string) ([]string, error) {
	switch format {
	case "", "default":
		switch typ {
		case "date":
			return []string{"2006-01-02"}, nil
		case "time":
			return []string{"15:04:05"}, nil
		}
		return []string{"2006-01-02T15:04:05Z", time.RFC3339Nano}, nil
	case "any":
		switch typ {
		case "date":
			return []string{"2006-01-02", "02/01/2006", "2006/01/02", "02-01-2006", "2 January 2006", "20060102"}, nil
		case "time":
			return []string{"15:04:05", "15:04", "15h04", "3:04 PM"}, nil
		}
		return []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04", "02/01/2006 15:04:05", "02/01/2006 15:04"}, nil
	}
	var b strings.Builder
	directives := map[byte]string{'Y': "2006", 'y': "06", 'm': "01", 'd': "02", 'H': "15", 'I': "03", 'M': "04", 'S': "05",
		'p': "PM", 'b': "Jan", 'B': "January", 'a': "Mon", 'A': "Monday", 'z': "-0700", 'Z': "MST", 'f': "000000", '%': "%"}
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			b.WriteByte(format[i])
			continue
		}
		if i+1 >= len(format) {
			return nil, fmt.Errorf("format %q ends with %%", format)
		}
		i++
		d, ok := directives[format[i]]
		if !ok {
			return nil, fmt.Errorf("format %q: directive %%%c is not supported (%%Y %%y %%m %%d %%H %%I %%M %%S %%p %%b %%B %%a %%A %%z %%Z %%f are)", format, format[i])
		}
		b.WriteString(d)
	}
	return []string{b.String()}, nil
}
