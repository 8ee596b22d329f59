package postgis

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/paulmach/orb/encoding/wkb"

	"github.com/patrimap/patrimap/store"
)

// maxParams is how many parameters PostgreSQL's protocol carries in one statement.
const maxParams = 65535

// params collects a statement's values. Each one is a parameter, numbered from first; beyond what the protocol
// carries (a filter of 70,000 conditions), they all travel in one JSON array instead, each read back with
// the cast its type needs. Nothing a user typed ever becomes SQL text.
type params struct {
	first  int // number of the first parameter ($2 after the table oid)
	args   []any
	packed []any // the values in the JSON array, when the statement carries one
}

// add appends v and returns the SQL that reads it, typed.
func (p *params) add(v any) string {
	cast := sqlTypeOf(v)
	if p.packed != nil {
		i := len(p.packed)
		p.packed = append(p.packed, packedValue(v))
		ref := `(` + p.ref() + `->` + strconv.Itoa(i) + `)`
		switch cast {
		case "bytea":
			return `decode(` + ref + ` #>> '{}', 'hex')`
		case "text[]", "bigint[]", "float8[]", "boolean[]":
			return `ARRAY(SELECT json_array_elements_text(` + ref + `))::` + cast
		}
		return `((` + ref + ` #>> '{}')::` + cast + `)`
	}
	p.args = append(p.args, v)
	return `$` + strconv.Itoa(p.first+len(p.args)-1) + `::` + cast
}

// ref is the parameter that holds the packed values.
func (p *params) ref() string { return `$` + strconv.Itoa(p.first) + `::json` }

// values are the statement's arguments after the table oid.
func (p *params) values() []any {
	if p.packed != nil {
		b, _ := json.Marshal(p.packed)
		return []any{string(b)}
	}
	return p.args
}

func sqlTypeOf(v any) string {
	switch v.(type) {
	case int64:
		return "bigint"
	case float64:
		return "float8"
	case bool:
		return "boolean"
	case []byte:
		return "bytea"
	case []string:
		return "text[]"
	case []int64:
		return "bigint[]"
	case []float64:
		return "float8[]"
	case []bool:
		return "boolean[]"
	}
	return "text"
}

// packedValue is v as the JSON array carries it: numbers as exact text, bytes as hex.
func packedValue(v any) any {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case []byte:
		return hex.EncodeToString(x)
	case []int64:
		out := make([]string, len(x))
		for i, n := range x {
			out[i] = strconv.FormatInt(n, 10)
		}
		return out
	case []float64:
		out := make([]string, len(x))
		for i, n := range x {
			out[i] = strconv.FormatFloat(n, 'g', -1, 64)
		}
		return out
	}
	return v
}

// whereSQL translates p's conditions into " WHERE ..." (or "") with their parameters numbered from first, packed when
// there are more than the protocol carries.
func whereSQL(p store.Plan, first int) (string, []any, error) {
	pm := &params{first: first}
	sql, err := featureWhere(p, pm)
	if err != nil {
		return "", nil, err
	}
	// Two more for LIMIT and OFFSET.
	if first+len(pm.args)+2 > maxParams {
		pm = &params{first: first, packed: []any{}}
		if sql, err = featureWhere(p, pm); err != nil {
			return "", nil, err
		}
	}
	return sql, pm.values(), nil
}

// featureWhere is the " WHERE ..." of p's conditions, "" when there are none.
func featureWhere(p store.Plan, pm *params) (string, error) {
	var conds []string
	if p.FID > 0 {
		conds = append(conds, `fid = `+pm.add(p.FID))
	}
	if p.AfterFID > 0 {
		conds = append(conds, `fid > `+pm.add(p.AfterFID))
	}
	if p.BBox != nil {
		if p.Dataset.GeometryType == "" {
			return " WHERE false", nil
		}
		b := *p.BBox
		env := `ST_MakeEnvelope(` + pm.add(b.Min[0]) + `, ` + pm.add(b.Min[1]) + `, ` + pm.add(b.Max[0]) + `, ` + pm.add(b.Max[1]) + `, 4326)`
		// ST_Intersects takes the candidates from the GiST index and keeps those that really touch the box.
		conds = append(conds, `ST_Intersects(geom, `+env+`)`)
	}
	if p.Where != nil {
		c, err := exprSQL(p.Dataset, p.Where, pm)
		if err != nil {
			return "", err
		}
		conds = append(conds, c)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), nil
}

// exprSQL translates a checked filter (store.Plan.Where) for dataset d: every value a parameter, every property
// a checked field name through quoteIdent. Its logic is SQL's, as the filter's is: NULL compares to nothing.
func exprSQL(d store.Dataset, e store.Expr, pm *params) (string, error) {
	join := func(xs []store.Expr, op string) (string, error) {
		parts := make([]string, len(xs))
		for i, x := range xs {
			s, err := exprSQL(d, x, pm)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		return "(" + strings.Join(parts, " "+op+" ") + ")", nil
	}
	field := func(name string) string {
		f, _ := d.Field(name)
		return valueExpr("", f)
	}
	switch e := e.(type) {
	case store.And:
		return join(e, "AND")
	case store.Or:
		return join(e, "OR")
	case store.Not:
		s, err := exprSQL(d, e.X, pm)
		return "(NOT " + s + ")", err
	case store.Compare:
		return "(" + field(e.Property) + " " + e.Op + " " + pm.add(e.Value) + ")", nil
	case store.Like:
		// LIKE is case-sensitive in PostgreSQL, and its escape character is \ as CQL2's.
		return "(" + field(e.Property) + " LIKE " + pm.add(e.Pattern) + ")", nil
	case store.In:
		// One array parameter, whatever the number of values.
		return "(" + field(e.Property) + " = ANY(" + pm.add(inArray(e.Values)) + "))", nil
	case store.IsNull:
		return "(" + quoteIdent(e.Property) + " IS NULL)", nil
	case store.Intersects:
		if d.GeometryType == "" {
			return "false", nil
		}
		blob, err := wkb.Marshal(e.Geometry)
		if err != nil {
			return "", fmt.Errorf("%w: filter: S_INTERSECTS geometry: %v", store.ErrBadQuery, err)
		}
		return "ST_Intersects(geom, ST_GeomFromWKB(" + pm.add(blob) + ", 4326))", nil
	}
	return "", fmt.Errorf("%w: filter: unsupported expression %T", store.ErrBadQuery, e)
}

// inArray makes one typed array of an IN's values (checked against the field: all text, all booleans, or
// numbers, as reals when one is).
func inArray(vs []any) any {
	switch vs[0].(type) {
	case string:
		out := make([]string, len(vs))
		for i, v := range vs {
			out[i], _ = v.(string)
		}
		return out
	case bool:
		out := make([]bool, len(vs))
		for i, v := range vs {
			out[i], _ = v.(bool)
		}
		return out
	}
	ints := make([]int64, 0, len(vs))
	for _, v := range vs {
		n, ok := v.(int64)
		if !ok {
			break
		}
		ints = append(ints, n)
	}
	if len(ints) == len(vs) {
		return ints
	}
	out := make([]float64, len(vs))
	for i, v := range vs {
		switch x := v.(type) {
		case int64:
			out[i] = float64(x)
		case float64:
			out[i] = x
		}
	}
	return out
}

// textParam is a parameter in PostgreSQL's text format; every statement casts its parameters to their type.
func textParam(v any) []byte {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return []byte(x)
	case int64:
		return strconv.AppendInt(nil, x, 10)
	case int:
		return strconv.AppendInt(nil, int64(x), 10)
	case uint32:
		return strconv.AppendUint(nil, uint64(x), 10)
	case float64:
		return strconv.AppendFloat(nil, x, 'g', -1, 64)
	case bool:
		if x {
			return []byte("t")
		}
		return []byte("f")
	case []byte:
		return append([]byte(`\x`), hex.EncodeToString(x)...)
	case []string:
		parts := make([]string, len(x))
		for i, s := range x {
			parts[i] = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
		}
		return []byte("{" + strings.Join(parts, ",") + "}")
	case []int64, []float64, []bool:
		var parts []string
		switch y := x.(type) {
		case []int64:
			for _, n := range y {
				parts = append(parts, strconv.FormatInt(n, 10))
			}
		case []float64:
			for _, n := range y {
				parts = append(parts, strconv.FormatFloat(n, 'g', -1, 64))
			}
		case []bool:
			for _, b := range y {
				parts = append(parts, strconv.FormatBool(b))
			}
		}
		return []byte("{" + strings.Join(parts, ",") + "}")
	}
	panic(fmt.Sprintf("postgis: no text form for a parameter of type %T", v))
}
