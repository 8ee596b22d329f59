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
	// Limit caps the number of features; 0 means no cap.
	Limit int
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
	sqlText, args, err := featureSQL(d, q)
	if err != nil {
		return err
	}
	rows, err := sn.tx.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return fmt.Errorf("dataset %s: query: %w", d.ID, err)
	}
	defer rows.Close()
	var (
		f     Feature
		blob  []byte
		vals  = make([]any, len(d.Fields))
		dest  = make([]any, len(d.Fields)+2)
		hasGe = d.GeometryType != ""
	)
	dest[0], dest[1] = &f.FID, &blob
	for i := range vals {
		dest[i+2] = &vals[i]
	}
	f.Values = vals
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("dataset %s: read row: %w", d.ID, err)
		}
		f.Geometry = nil
		if hasGe && blob != nil {
			g, err := wkb.Unmarshal(blob)
			if err != nil {
				return fmt.Errorf("dataset %s: feature %d: geometry: %w", d.ID, f.FID, err)
			}
			f.Geometry = g
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
		return fmt.Errorf("dataset %s: read rows: %w", d.ID, err)
	}
	return nil
}

// Count returns how many features of d match q, ignoring its paging (AfterFID and Limit).
func (sn *Snapshot) Count(ctx context.Context, d Dataset, q Query) (int64, error) {
	q.AfterFID, q.Limit = 0, 0
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

func featureSQL(d Dataset, q Query) (string, []any, error) {
	var b strings.Builder
	b.WriteString(`SELECT fid, `)
	if d.GeometryType != "" {
		b.WriteString(`AsBinary(geom)`)
	} else {
		b.WriteString(`NULL`)
	}
	for _, f := range d.Fields {
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
	where, args, err := featureWhere(d, q)
	if err != nil {
		return "", nil, err
	}
	b.WriteString(where)
	b.WriteString(` ORDER BY fid`)
	if q.Limit > 0 {
		b.WriteString(` LIMIT ?`)
		args = append(args, q.Limit)
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
