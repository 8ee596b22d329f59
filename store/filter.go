package store

import (
	"fmt"

	"github.com/paulmach/orb"
)

// Expr is a filter on a dataset's features (what CQL2 text says, once parsed). Stores evaluate it with every
// property name checked against the dataset's fields (NewPlan) and every value a parameter: nothing a user
// typed is ever concatenated into SQL.
//
// Its logic is SQL's, which CQL2 follows: a comparison with a missing value (NULL) is unknown, NOT of unknown
// is unknown, and a feature is selected only when the whole expression is true. Text compares byte by byte
// (UTF-8), LIKE is case-sensitive.
type Expr interface{ isExpr() }

// And holds when every operand holds.
type And []Expr

// Or holds when one operand holds.
type Or []Expr

// Not holds when its operand does not.
type Not struct{ X Expr }

// Compare compares a property with a value: Op is one of = <> < > <= >=.
type Compare struct {
	Property string
	Op       string
	Value    any // string, float64, int64, bool
}

// Like matches a text property with a pattern: % any run of characters, _ one character, \ escapes the next.
type Like struct {
	Property string
	Pattern  string
}

// In holds when the property equals one of the values.
type In struct {
	Property string
	Values   []any
}

// IsNull holds when the property has no value.
type IsNull struct{ Property string }

// Intersects holds when the feature's geometry intersects Geometry (WGS84 longitude/latitude).
type Intersects struct{ Geometry orb.Geometry }

func (And) isExpr()        {}
func (Or) isExpr()         {}
func (Not) isExpr()        {}
func (Compare) isExpr()    {}
func (Like) isExpr()       {}
func (In) isExpr()         {}
func (IsNull) isExpr()     {}
func (Intersects) isExpr() {}

var compareOps = map[string]bool{"=": true, "<>": true, "<": true, ">": true, "<=": true, ">=": true}

// checkExpr returns e with its properties checked against d's fields and its values converted to what the
// fields hold.
func checkExpr(d Dataset, e Expr) (Expr, error) {
	field := func(name string) (Field, error) {
		f, ok := d.Field(name)
		if !ok {
			return f, fmt.Errorf("%w: filter: dataset %s has no property %q (queryables: %s)", ErrBadQuery, d.ID, name, fieldNames(d))
		}
		return f, nil
	}
	all := func(xs []Expr, op string) ([]Expr, error) {
		if len(xs) == 0 {
			return nil, fmt.Errorf("%w: filter: empty %s", ErrBadQuery, op)
		}
		out := make([]Expr, len(xs))
		for i, x := range xs {
			c, err := checkExpr(d, x)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	}
	switch e := e.(type) {
	case And:
		xs, err := all(e, "AND")
		return And(xs), err
	case Or:
		xs, err := all(e, "OR")
		return Or(xs), err
	case Not:
		x, err := checkExpr(d, e.X)
		return Not{X: x}, err
	case Compare:
		f, err := field(e.Property)
		if err != nil {
			return nil, err
		}
		if !compareOps[e.Op] {
			return nil, fmt.Errorf("%w: filter: unknown operator %q", ErrBadQuery, e.Op)
		}
		v, err := filterValue(f, e.Value)
		return Compare{Property: f.Name, Op: e.Op, Value: v}, err
	case Like:
		f, err := field(e.Property)
		if err != nil {
			return nil, err
		}
		if f.Type != FieldText && f.Type != FieldDate && f.Type != FieldDateTime && f.Type != FieldJSON {
			return nil, fmt.Errorf("%w: filter: LIKE needs a text property; %q is %s", ErrBadQuery, f.Name, f.Type)
		}
		return e, nil
	case In:
		f, err := field(e.Property)
		if err != nil {
			return nil, err
		}
		if len(e.Values) == 0 {
			return nil, fmt.Errorf("%w: filter: IN needs at least one value", ErrBadQuery)
		}
		vs := make([]any, len(e.Values))
		for i, raw := range e.Values {
			if vs[i], err = filterValue(f, raw); err != nil {
				return nil, err
			}
		}
		return In{Property: f.Name, Values: vs}, nil
	case IsNull:
		_, err := field(e.Property)
		return e, err
	case Intersects:
		if e.Geometry == nil {
			return nil, fmt.Errorf("%w: filter: S_INTERSECTS needs a geometry", ErrBadQuery)
		}
		return e, nil
	case nil:
		return nil, fmt.Errorf("%w: filter: empty expression", ErrBadQuery)
	}
	return nil, fmt.Errorf("%w: filter: unsupported expression %T", ErrBadQuery, e)
}

// filterValue checks that a literal suits the field's type and converts it to what the column holds.
func filterValue(f Field, v any) (any, error) {
	mismatch := func() error {
		return fmt.Errorf("%w: filter: property %q is %s, %v is not", ErrBadQuery, f.Name, f.Type, v)
	}
	switch f.Type {
	case FieldInteger, FieldReal:
		switch x := v.(type) {
		case int64:
			return x, nil
		case float64:
			return x, nil
		}
		return nil, mismatch()
	case FieldBoolean:
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return nil, mismatch()
	}
	if s, ok := v.(string); ok {
		return s, nil
	}
	return nil, mismatch()
}
