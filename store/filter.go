package store

import (
	"fmt"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// Expr is a filter on a dataset's features (what CQL2 text says, once parsed). The store turns it into SQL
// with every value a parameter and every property name checked against the dataset's fields: nothing a
// user typed is ever concatenated into SQL.
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

// Like matches a text property with a pattern: % any run of characters, _ one character.
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

// exprSQL translates e for dataset d, appending the parameters to args.
func exprSQL(d Dataset, e Expr, args *[]any) (string, error) {
	column := func(name string) (Field, string, error) {
		f, ok := d.Field(name)
		if !ok {
			return f, "", fmt.Errorf("%w: filter: dataset %s has no property %q (queryables: %s)", ErrBadQuery, d.ID, name, fieldNames(d))
		}
		return f, quoteIdent(f.Name), nil
	}
	join := func(xs []Expr, op string) (string, error) {
		if len(xs) == 0 {
			return "", fmt.Errorf("%w: filter: empty %s", ErrBadQuery, op)
		}
		parts := make([]string, len(xs))
		for i, x := range xs {
			s, err := exprSQL(d, x, args)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		return "(" + strings.Join(parts, " "+op+" ") + ")", nil
	}
	switch e := e.(type) {
	case And:
		return join(e, "AND")
	case Or:
		return join(e, "OR")
	case Not:
		s, err := exprSQL(d, e.X, args)
		if err != nil {
			return "", err
		}
		// NOT of a comparison with a NULL is NULL in SQL, which a filter reads as false: that is CQL2's rule too.
		return "(NOT " + s + ")", nil
	case Compare:
		f, col, err := column(e.Property)
		if err != nil {
			return "", err
		}
		if !compareOps[e.Op] {
			return "", fmt.Errorf("%w: filter: unknown operator %q", ErrBadQuery, e.Op)
		}
		v, err := filterValue(f, e.Value)
		if err != nil {
			return "", err
		}
		*args = append(*args, v)
		return "(" + col + " " + e.Op + " ?)", nil
	case Like:
		f, col, err := column(e.Property)
		if err != nil {
			return "", err
		}
		if f.Type != FieldText && f.Type != FieldDate && f.Type != FieldDateTime && f.Type != FieldJSON {
			return "", fmt.Errorf("%w: filter: LIKE needs a text property; %q is %s", ErrBadQuery, f.Name, f.Type)
		}
		// CQL2's LIKE is case-sensitive, SQLite's is not for ASCII: GLOB is, so the pattern is translated.
		*args = append(*args, likeToGlob(e.Pattern))
		return "(" + col + " GLOB ?)", nil
	case In:
		f, col, err := column(e.Property)
		if err != nil {
			return "", err
		}
		if len(e.Values) == 0 {
			return "", fmt.Errorf("%w: filter: IN needs at least one value", ErrBadQuery)
		}
		marks := make([]string, len(e.Values))
		for i, raw := range e.Values {
			v, err := filterValue(f, raw)
			if err != nil {
				return "", err
			}
			*args = append(*args, v)
			marks[i] = "?"
		}
		return "(" + col + " IN (" + strings.Join(marks, ", ") + "))", nil
	case IsNull:
		_, col, err := column(e.Property)
		if err != nil {
			return "", err
		}
		return "(" + col + " IS NULL)", nil
	case Intersects:
		if d.GeometryType == "" {
			return "0", nil
		}
		b := e.Geometry.Bound()
		blob, err := wkb.Marshal(e.Geometry)
		if err != nil {
			return "", fmt.Errorf("%w: filter: S_INTERSECTS geometry: %v", ErrBadQuery, err)
		}
		*args = append(*args, b.Max[0], b.Min[0], b.Max[1], b.Min[1], blob)
		return `(fid IN (SELECT pkid FROM ` + quoteIdent("idx_"+d.Table+"_geom") + ` WHERE xmin <= ? AND xmax >= ? AND ymin <= ? AND ymax >= ?)
			AND ST_Intersects(geom, GeomFromWKB(?, 4326)) = 1)`, nil
	case nil:
		return "", fmt.Errorf("%w: filter: empty expression", ErrBadQuery)
	}
	return "", fmt.Errorf("%w: filter: unsupported expression %T", ErrBadQuery, e)
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
	switch x := v.(type) {
	case string:
		return x, nil
	case bool:
		return nil, mismatch()
	}
	return nil, mismatch()
}

// likeToGlob turns a LIKE pattern (% _ and \ to escape) into a GLOB pattern.
func likeToGlob(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '%':
			b.WriteByte('*')
		case '_':
			b.WriteByte('?')
		case '\\':
			if i+1 < len(p) {
				i++
				writeGlobLiteral(&b, p[i])
			}
		default:
			writeGlobLiteral(&b, c)
		}
	}
	return b.String()
}

func writeGlobLiteral(b *strings.Builder, c byte) {
	switch c {
	case '*', '?', '[':
		b.WriteByte('[')
		b.WriteByte(c)
		b.WriteByte(']')
	default:
		b.WriteByte(c)
	}
}
