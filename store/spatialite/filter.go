package spatialite

import (
	"fmt"
	"strings"

	"github.com/paulmach/orb/encoding/wkb"

	"github.com/patrimap/patrimap/store"
)

// exprSQL translates a checked filter (store.Plan.Where) for dataset d, appending its values to args: every
// value is a parameter, every property a checked field name through quoteIdent.
func exprSQL(d store.Dataset, e store.Expr, args *[]any) (string, error) {
	join := func(xs []store.Expr, op string) (string, error) {
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
	case store.And:
		return join(e, "AND")
	case store.Or:
		return join(e, "OR")
	case store.Not:
		s, err := exprSQL(d, e.X, args)
		// NOT of a comparison with a NULL is NULL in SQL, which a filter reads as false: that is CQL2's rule too.
		return "(NOT " + s + ")", err
	case store.Compare:
		*args = append(*args, e.Value)
		return "(" + quoteIdent(e.Property) + " " + e.Op + " ?)", nil
	case store.Like:
		// CQL2's LIKE is case-sensitive, SQLite's is not for ASCII: GLOB is, so the pattern is translated.
		*args = append(*args, likeToGlob(e.Pattern))
		return "(" + quoteIdent(e.Property) + " GLOB ?)", nil
	case store.In:
		marks := make([]string, len(e.Values))
		for i, v := range e.Values {
			*args = append(*args, v)
			marks[i] = "?"
		}
		return "(" + quoteIdent(e.Property) + " IN (" + strings.Join(marks, ", ") + "))", nil
	case store.IsNull:
		return "(" + quoteIdent(e.Property) + " IS NULL)", nil
	case store.Intersects:
		if d.GeometryType == "" {
			return "0", nil
		}
		b := e.Geometry.Bound()
		blob, err := wkb.Marshal(e.Geometry)
		if err != nil {
			return "", fmt.Errorf("%w: filter: S_INTERSECTS geometry: %v", store.ErrBadQuery, err)
		}
		*args = append(*args, b.Max[0], b.Min[0], b.Max[1], b.Min[1], blob)
		return `(fid IN (SELECT pkid FROM ` + quoteIdent("idx_"+d.Table+"_geom") + ` WHERE xmin <= ? AND xmax >= ? AND ymin <= ? AND ymax >= ?)
			AND ST_Intersects(geom, GeomFromWKB(?, 4326)) = 1)`, nil
	}
	return "", fmt.Errorf("%w: filter: unsupported expression %T", store.ErrBadQuery, e)
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
