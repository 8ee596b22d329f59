package memory

import (
	"cmp"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/patrimap/patrimap/geo"
	"github.com/patrimap/patrimap/store"
)

// truth is SQL's three-valued logic: a comparison with a missing value is unknown, and a row is selected only
// when its filter is yes.
type truth int8

const (
	no truth = iota
	yes
	unknown
)

func truthOf(b bool) truth {
	if b {
		return yes
	}
	return no
}

// compile turns a checked filter (store.Plan.Where) into a function of a row; nil selects every row.
func compile(e store.Expr, cols map[string]int) (func(*row) truth, error) {
	value := func(r *row, name string) any { return r.values[cols[name]] }
	switch e := e.(type) {
	case nil:
		return func(*row) truth { return yes }, nil
	case store.And, store.Or:
		var xs []store.Expr
		and := false
		if a, ok := e.(store.And); ok {
			xs, and = a, true
		} else {
			xs = e.(store.Or)
		}
		fs := make([]func(*row) truth, len(xs))
		for i, x := range xs {
			f, err := compile(x, cols)
			if err != nil {
				return nil, err
			}
			fs[i] = f
		}
		// AND is no as soon as one operand is no, OR yes as soon as one is yes; otherwise unknown wins.
		decisive, other := no, yes
		if !and {
			decisive, other = yes, no
		}
		return func(r *row) truth {
			out := other
			for _, f := range fs {
				switch f(r) {
				case decisive:
					return decisive
				case unknown:
					out = unknown
				}
			}
			return out
		}, nil
	case store.Not:
		f, err := compile(e.X, cols)
		if err != nil {
			return nil, err
		}
		return func(r *row) truth {
			switch f(r) {
			case yes:
				return no
			case no:
				return yes
			}
			return unknown
		}, nil
	case store.Compare:
		return func(r *row) truth {
			v := value(r, e.Property)
			if v == nil {
				return unknown
			}
			c := compareValues(v, e.Value)
			switch e.Op {
			case "=":
				return truthOf(c == 0)
			case "<>":
				return truthOf(c != 0)
			case "<":
				return truthOf(c < 0)
			case ">":
				return truthOf(c > 0)
			case "<=":
				return truthOf(c <= 0)
			}
			return truthOf(c >= 0)
		}, nil
	case store.Like:
		return func(r *row) truth {
			s, ok := value(r, e.Property).(string)
			if !ok {
				return unknown
			}
			return truthOf(like(s, e.Pattern))
		}, nil
	case store.In:
		return func(r *row) truth {
			v := value(r, e.Property)
			if v == nil {
				return unknown
			}
			for _, x := range e.Values {
				if compareValues(v, x) == 0 {
					return yes
				}
			}
			return no
		}, nil
	case store.IsNull:
		return func(r *row) truth { return truthOf(value(r, e.Property) == nil) }, nil
	case store.Intersects:
		p, err := geo.Prepare(e.Geometry)
		if err != nil {
			return nil, fmt.Errorf("%w: filter: S_INTERSECTS geometry: %v", store.ErrBadQuery, err)
		}
		return func(r *row) truth {
			ok, err := p.Intersects(r.geom)
			return truthOf(err == nil && ok)
		}, nil
	}
	return nil, fmt.Errorf("%w: filter: unsupported expression %T", store.ErrBadQuery, e)
}

// compareValues orders two values as SQL orders a column's: missing first, then numbers (booleans as 0 and 1,
// integers and reals together), then text byte by byte.
func compareValues(a, b any) int {
	ra, rb := rank(a), rank(b)
	if ra != rb {
		return cmp.Compare(ra, rb)
	}
	switch ra {
	case 1:
		x, xi, xInt := number(a)
		y, yi, yInt := number(b)
		if xInt && yInt {
			return cmp.Compare(xi, yi)
		}
		return cmp.Compare(x, y)
	case 2:
		return strings.Compare(a.(string), b.(string))
	}
	return 0
}

func rank(v any) int {
	switch v.(type) {
	case nil:
		return 0
	case string:
		return 2
	}
	return 1
}

// number reads a numeric value, exactly when it is an integer.
func number(v any) (f float64, i int64, isInt bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), x, true
	case float64:
		return x, 0, false
	case bool:
		if x {
			return 1, 1, true
		}
		return 0, 0, true
	}
	return 0, 0, false
}

// like matches s with a LIKE pattern: % any run of characters, _ one character, \ escapes the next; case
// counts.
func like(s, pattern string) bool {
	if pattern == "" {
		return s == ""
	}
	c, size := utf8.DecodeRuneInString(pattern)
	rest := pattern[size:]
	switch c {
	case '%':
		for i := 0; ; {
			if like(s[i:], rest) {
				return true
			}
			if i == len(s) {
				return false
			}
			_, n := utf8.DecodeRuneInString(s[i:])
			i += n
		}
	case '_':
		if s == "" {
			return false
		}
		_, n := utf8.DecodeRuneInString(s)
		return like(s[n:], rest)
	case '\\':
		if rest == "" {
			return s == "" // a lone trailing backslash escapes nothing, as the SQL translation drops it
		}
		c, size = utf8.DecodeRuneInString(rest)
		rest = rest[size:]
	}
	if s == "" {
		return false
	}
	d, n := utf8.DecodeRuneInString(s)
	return c == d && like(s[n:], rest)
}
