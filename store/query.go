package store

import (
	"fmt"
	"math"
	"strconv"

	"github.com/paulmach/orb"
)

// Query selects features of a dataset. The zero Query selects them all, in fid order.
type Query struct {
	// BBox keeps the features whose geometry intersects it (WGS84). The spatial index is always used.
	BBox *orb.Bound
	// Equals keeps the features whose property equals a value (all conditions must hold).
	Equals []Equal
	// FID keeps only the feature with this fid (a feature's id in every output).
	FID int64
	// AfterFID starts after this fid: keyset paging that never skips nor repeats a feature.
	AfterFID int64
	// Filter keeps the features for which the expression holds (CQL2, parsed).
	Filter Expr
	// Sort orders the features by these properties, then by fid, so that the order is total and paging by
	// Offset never skips nor repeats a feature within one version of a dataset. A missing value (NULL) comes
	// before any other; a descending key puts it last.
	Sort []SortKey
	// Offset skips this many features of the order.
	Offset int
	// Limit caps the number of features; 0 means no cap.
	Limit int
	// Select reads only these properties (all when nil); Feature.Values is then aligned with them, in the
	// dataset's order.
	Select []string
}

// SortKey is one property of a sort order.
type SortKey struct {
	Property string
	Desc     bool
}

// Equal is a property equality condition; Value is the text a user typed, converted to the field's type.
type Equal struct {
	Field string
	Value string
}

// Unpaged is q without its paging (AfterFID, Offset, Limit): what Count counts.
func (q Query) Unpaged() Query {
	q.AfterFID, q.Offset, q.Limit = 0, 0, 0
	return q
}

// Plan is a Query checked against its dataset: every property it names exists, every value has its field's
// type, and the Equals are folded into the filter. Stores translate a Plan, never a raw Query, so that a bad
// query fails the same way, with the same message, whatever the store.
type Plan struct {
	Dataset Dataset
	// Fields are the columns Features returns, in the dataset's order: the Select, or all.
	Fields []Field
	BBox   *orb.Bound
	FID    int64
	// AfterFID is 0 or a fid to start after.
	AfterFID int64
	// Where holds for the selected features: the Equals and the Filter, every property a field of the dataset
	// and every Compare and In value converted to what the field holds (int64 or float64 for numbers, bool,
	// string); nil selects every feature.
	Where  Expr
	Sort   []SortKey
	Offset int
	Limit  int
}

// NewPlan checks q against d. Errors wrap ErrBadQuery.
func NewPlan(d Dataset, q Query) (Plan, error) {
	p := Plan{Dataset: d, BBox: q.BBox, FID: q.FID, AfterFID: q.AfterFID, Sort: q.Sort, Offset: max(q.Offset, 0), Limit: max(q.Limit, 0)}
	var err error
	if p.Fields, err = SelectFields(d, q.Select); err != nil {
		return Plan{}, err
	}
	var where And
	for _, e := range q.Equals {
		f, ok := d.Field(e.Field)
		if !ok {
			return Plan{}, fmt.Errorf("%w: dataset %s has no property %q (properties: %s)", ErrBadQuery, d.ID, e.Field, fieldNames(d))
		}
		v, err := convertValue(f, e.Value)
		if err != nil {
			return Plan{}, err
		}
		where = append(where, Compare{Property: f.Name, Op: "=", Value: v})
	}
	if q.Filter != nil {
		e, err := checkExpr(d, q.Filter)
		if err != nil {
			return Plan{}, err
		}
		where = append(where, e)
	}
	switch len(where) {
	case 0:
	case 1:
		p.Where = where[0]
	default:
		p.Where = where
	}
	for _, k := range q.Sort {
		if _, ok := d.Field(k.Property); !ok {
			return Plan{}, fmt.Errorf("%w: sortby: dataset %s has no property %q (properties: %s)", ErrBadQuery, d.ID, k.Property, fieldNames(d))
		}
	}
	return p, nil
}

// SelectFields returns the fields named in sel, in the dataset's order, or all of them when sel is nil.
func SelectFields(d Dataset, sel []string) ([]Field, error) {
	if sel == nil {
		return d.Fields, nil
	}
	want := map[string]bool{}
	for _, name := range sel {
		if _, ok := d.Field(name); !ok {
			return nil, fmt.Errorf("%w: dataset %s has no property %q (properties: %s)", ErrBadQuery, d.ID, name, fieldNames(d))
		}
		want[name] = true
	}
	out := make([]Field, 0, len(sel))
	for _, f := range d.Fields {
		if want[f.Name] {
			out = append(out, f)
		}
	}
	return out, nil
}

// TileFields returns the fields named in cols in the caller's order (a tile read's), checked against d.
func TileFields(d Dataset, cols []string) ([]Field, error) {
	fields := make([]Field, len(cols))
	for i, name := range cols {
		f, ok := d.Field(name)
		if !ok {
			return nil, fmt.Errorf("%w: dataset %s has no property %q (properties: %s)", ErrBadQuery, d.ID, name, fieldNames(d))
		}
		fields[i] = f
	}
	return fields, nil
}

// convertValue turns text typed by a user into a value comparable with field f.
func convertValue(f Field, s string) (any, error) {
	switch f.Type {
	case FieldInteger:
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: property %q is an integer, %q is not", ErrBadQuery, f.Name, s)
		}
		return v, nil
	case FieldReal:
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%w: property %q is a number, %q is not", ErrBadQuery, f.Name, s)
		}
		return v, nil
	case FieldBoolean:
		v, err := strconv.ParseBool(s)
		if err != nil {
			return nil, fmt.Errorf("%w: property %q is true or false, %q is neither", ErrBadQuery, f.Name, s)
		}
		return v, nil
	}
	return s, nil
}

// Feature is one row of a dataset. Values are nil, string, int64, float64 or bool (dates, date-times and JSON
// as strings), as Coerce gives them for their field.
type Feature struct {
	FID      int64
	Geometry orb.Geometry
	Values   []any
}
