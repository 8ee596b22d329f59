package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// Snapshot is a consistent read view of the store: an import that commits while it is open is not seen, so a
// dataset's catalogue entry and its rows always match. Close it when done.
type Snapshot struct {
	tx *sql.Tx
}

// Snapshot opens a read view.
func (s *Store) Snapshot(ctx context.Context) (*Snapshot, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	return &Snapshot{tx: tx}, nil
}

// Close ends the read view.
func (sn *Snapshot) Close() error {
	err := sn.tx.Rollback()
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

// Dataset returns the catalogue entry of id as of the snapshot.
func (sn *Snapshot) Dataset(ctx context.Context, id string) (Dataset, error) {
	d, err := scanDataset(sn.tx.QueryRowContext(ctx, `SELECT `+datasetColumns+` FROM patrimap_datasets WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("%q: %w", id, ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("dataset %q: %w", id, err)
	}
	return d, nil
}

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
	// Offset never skips nor repeats a feature within one version of a dataset.
	Sort []SortKey
	// Offset skips this many features of the order.
	Offset int
	// Limit caps the number of features; 0 means no cap.
	Limit int
	// Select reads only these properties (all when nil); Feature.Values is then aligned with them.
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

// Feature is one row of a dataset. Values are aligned with the dataset's Fields: nil, string, int64, float64 or
// bool (dates, date-times and JSON as strings).
type Feature struct {
	FID      int64
	Geometry orb.Geometry
	Values   []any
}

// ErrBadQuery wraps errors in a Query that the user must correct (unknown field, value of the wrong type).
var ErrBadQuery = errors.New("bad query")

// Features streams the features of d matching q to each, in fid order. The Feature passed to each is reused
// between calls: copy what must outlive the call.
func (sn *Snapshot) Features(ctx context.Context, d Dataset, q Query, each func(*Feature) error) error {
	if q.Offset > 0 && q.AfterFID == 0 && q.FID == 0 && len(q.Sort) == 0 && q.BBox == nil && len(q.Equals) == 0 && q.Filter == nil {
		// Deep pages of a whole layer: when fids run 1..N without gaps (an import writes them so, unless a
		// territory cut some out), the n-th feature is fid n and the page starts by the index, not by
		// stepping over Offset rows.
		var maxFID sql.NullInt64
		err := sn.tx.QueryRowContext(ctx, `SELECT max(fid) FROM `+quoteIdent(d.Table)).Scan(&maxFID)
		if err == nil && maxFID.Valid && maxFID.Int64 == d.FeatureCount {
			q.AfterFID, q.Offset = int64(q.Offset), 0
		}
	}
	sqlText, args, err := featureSQL(d, q)
	if err != nil {
		return err
	}
	fields, err := selectFields(d, q.Select)
	if err != nil {
		return err
	}
	d.Fields = fields
	rows, err := sn.tx.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return fmt.Errorf("dataset %s: query: %w", d.ID, err)
	}
	defer rows.Close()
	return scanFeatures(d.ID, rows, len(d.Fields), d.GeometryType != "", true, each)
}

// scanFeatures reads rows of (fid, WKB geometry, n values) into one reused Feature and calls each. Rows without
// geometry are passed with a nil Geometry when keepNoGeom, skipped otherwise (a tile has no use for them).
func scanFeatures(id string, rows *sql.Rows, n int, hasGeom, keepNoGeom bool, each func(*Feature) error) error {
	var (
		f    Feature
		blob []byte
		vals = make([]any, n)
		dest = make([]any, n+2)
	)
	dest[0], dest[1] = &f.FID, &blob
	for i := range vals {
		dest[i+2] = &vals[i]
	}
	f.Values = vals
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("dataset %s: read row: %w", id, err)
		}
		f.Geometry = nil
		if hasGeom && blob != nil {
			g, err := wkb.Unmarshal(blob)
			if err != nil {
				return fmt.Errorf("dataset %s: feature %d: geometry: %w", id, f.FID, err)
			}
			f.Geometry = g
		} else if !keepNoGeom {
			continue
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				vals[i] = string(b)
			}
		}
		if err := each(&f); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("dataset %s: read rows: %w", id, err)
	}
	return nil
}

// Count returns how many features of d match q, ignoring its paging (AfterFID, Offset and Limit).
func (sn *Snapshot) Count(ctx context.Context, d Dataset, q Query) (int64, error) {
	q.AfterFID, q.Limit, q.Offset = 0, 0, 0
	where, args, err := featureWhere(d, q)
	if err != nil {
		return 0, err
	}
	var n int64
	err = sn.tx.QueryRowContext(ctx, `SELECT count(*) FROM `+quoteIdent(d.Table)+where, args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("dataset %s: count: %w", d.ID, err)
	}
	return n, nil
}

// selectFields returns the fields named in sel, in the dataset's order, or all of them when sel is nil.
func selectFields(d Dataset, sel []string) ([]Field, error) {
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

func featureSQL(d Dataset, q Query) (string, []any, error) {
	var b strings.Builder
	var args []any
	b.WriteString(`SELECT fid, `)
	if d.GeometryType == "" {
		b.WriteString(`NULL`)
	} else {
		b.WriteString(`AsBinary(geom)`)
	}
	fields, err := selectFields(d, q.Select)
	if err != nil {
		return "", nil, err
	}
	for _, f := range fields {
		b.WriteString(", ")
		switch f.Type {
		case FieldDate, FieldDateTime:
			// The driver turns DATE/DATETIME columns into time.Time; read them as the text they are.
			b.WriteString("CAST(" + quoteIdent(f.Name) + " AS TEXT)")
		default:
			b.WriteString(quoteIdent(f.Name))
		}
	}
	b.WriteString(` FROM ` + quoteIdent(d.Table))
	where, whereArgs, err := featureWhere(d, q)
	if err != nil {
		return "", nil, err
	}
	b.WriteString(where)
	args = append(args, whereArgs...)
	b.WriteString(` ORDER BY `)
	for _, k := range q.Sort {
		f, ok := d.Field(k.Property)
		if !ok {
			return "", nil, fmt.Errorf("%w: sortby: dataset %s has no property %q (properties: %s)", ErrBadQuery, d.ID, k.Property, fieldNames(d))
		}
		b.WriteString(quoteIdent(f.Name))
		if k.Desc {
			b.WriteString(` DESC`)
		}
		b.WriteString(`, `)
	}
	b.WriteString(`fid`)
	if q.Limit > 0 || q.Offset > 0 {
		b.WriteString(` LIMIT ? OFFSET ?`)
		limit := q.Limit
		if limit <= 0 {
			limit = -1 // SQLite: no limit
		}
		args = append(args, limit, q.Offset)
	}
	return b.String(), args, nil
}

func featureWhere(d Dataset, q Query) (string, []any, error) {
	var conds []string
	var args []any
	if q.FID > 0 {
		conds = append(conds, `fid = ?`)
		args = append(args, q.FID)
	}
	if q.AfterFID > 0 {
		conds = append(conds, `fid > ?`)
		args = append(args, q.AfterFID)
	}
	if q.BBox != nil {
		if d.GeometryType == "" {
			return " WHERE 0", nil, nil
		}
		b := *q.BBox
		// The R*Tree gives the candidates by bounding box; ST_Intersects keeps those that really touch the box.
		conds = append(conds,
			`fid IN (SELECT pkid FROM `+quoteIdent("idx_"+d.Table+"_geom")+` WHERE xmin <= ? AND xmax >= ? AND ymin <= ? AND ymax >= ?)`,
			`ST_Intersects(geom, BuildMbr(?, ?, ?, ?, 4326)) = 1`)
		args = append(args, b.Max[0], b.Min[0], b.Max[1], b.Min[1], b.Min[0], b.Min[1], b.Max[0], b.Max[1])
	}
	for _, e := range q.Equals {
		f, ok := d.Field(e.Field)
		if !ok {
			return "", nil, fmt.Errorf("%w: dataset %s has no property %q (properties: %s)", ErrBadQuery, d.ID, e.Field, fieldNames(d))
		}
		v, err := convertValue(f, e.Value)
		if err != nil {
			return "", nil, err
		}
		conds = append(conds, quoteIdent(f.Name)+` = ?`)
		args = append(args, v)
	}
	if q.Filter != nil {
		c, err := exprSQL(d, q.Filter, &args)
		if err != nil {
			return "", nil, err
		}
		conds = append(conds, c)
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

func fieldNames(d Dataset) string {
	names := make([]string, len(d.Fields))
	for i, f := range d.Fields {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
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
