package spatialite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/patrimap/patrimap/store"
)

// snapshot is a read view: a read transaction, which in WAL mode sees the database as it was when it started.
type snapshot struct {
	tx *sql.Tx
}

// Snapshot opens a read view.
func (s *Store) Snapshot(ctx context.Context) (store.Snapshot, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	return &snapshot{tx: tx}, nil
}

// Close ends the read view.
func (sn *snapshot) Close() error {
	err := sn.tx.Rollback()
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

// Features streams the features of d matching q to each, in fid order unless q sorts them.
func (sn *snapshot) Features(ctx context.Context, d store.Dataset, q store.Query, each func(*store.Feature) error) error {
	p, err := store.NewPlan(d, q)
	if err != nil {
		return err
	}
	if p.Offset > 0 && p.AfterFID == 0 && p.FID == 0 && len(p.Sort) == 0 && p.BBox == nil && p.Where == nil {
		// Deep pages of a whole layer: when fids run 1..N without gaps (an import writes them so, unless a
		// territory cut some out), the n-th feature is fid n and the page starts by the index, not by
		// stepping over Offset rows.
		var maxFID sql.NullInt64
		err := sn.tx.QueryRowContext(ctx, `SELECT max(fid) FROM `+quoteIdent(d.Table)).Scan(&maxFID)
		if err == nil && maxFID.Valid && maxFID.Int64 == d.FeatureCount {
			p.AfterFID, p.Offset = int64(p.Offset), 0
		}
	}
	return sn.features(ctx, p, each)
}

// condition is a further SQL condition on a dataset's rows, with its arguments.
type condition struct {
	sql  string
	args []any
}

// features streams the features of plan p that also meet the conditions.
func (sn *snapshot) features(ctx context.Context, p store.Plan, each func(*store.Feature) error, conds ...condition) error {
	sqlText, args, err := featureSQL(p, conds...)
	if err != nil {
		return err
	}
	rows, err := sn.tx.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return fmt.Errorf("dataset %s: query: %w", p.Dataset.ID, err)
	}
	defer rows.Close()
	var decode func([]byte) (orb.Geometry, error)
	if p.Dataset.GeometryType != "" {
		decode = wkb.Unmarshal
	}
	return scanFeatures(p.Dataset.ID, rows, len(p.Fields), decode, true, each)
}

// scanFeatures reads rows of (fid, geometry, n values) into one reused Feature, the geometry read by decode
// (nil: none), and calls each. Rows without
// geometry are passed with a nil Geometry when keepNoGeom, skipped otherwise (a tile has no use for them).
func scanFeatures(id string, rows *sql.Rows, n int, decode func([]byte) (orb.Geometry, error), keepNoGeom bool, each func(*store.Feature) error) error {
	var (
		f    store.Feature
		blob sql.RawBytes // the driver's copy, decoded before the next row: no second copy per geometry
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
		if decode != nil && blob != nil {
			g, err := decode(blob)
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
func (sn *snapshot) Count(ctx context.Context, d store.Dataset, q store.Query) (int64, error) {
	return sn.count(ctx, d, q)
}

func (sn *snapshot) count(ctx context.Context, d store.Dataset, q store.Query, conds ...condition) (int64, error) {
	p, err := store.NewPlan(d, q.Unpaged())
	if err != nil {
		return 0, err
	}
	where, args, err := featureWhere(p, conds...)
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

// columnExpr reads a field's column as the Feature value it is.
func columnExpr(prefix string, f store.Field) string {
	switch f.Type {
	case store.FieldDate, store.FieldDateTime:
		// The driver turns DATE/DATETIME columns into time.Time; read them as the text they are.
		return "CAST(" + prefix + quoteIdent(f.Name) + " AS TEXT)"
	}
	return prefix + quoteIdent(f.Name)
}

func featureSQL(p store.Plan, conds ...condition) (string, []any, error) {
	var b strings.Builder
	b.WriteString(`SELECT fid, `)
	if p.Dataset.GeometryType == "" {
		b.WriteString(`NULL`)
	} else {
		b.WriteString(`AsBinary(geom)`)
	}
	for _, f := range p.Fields {
		b.WriteString(", " + columnExpr("", f))
	}
	b.WriteString(` FROM ` + quoteIdent(p.Dataset.Table))
	where, args, err := featureWhere(p, conds...)
	if err != nil {
		return "", nil, err
	}
	b.WriteString(where)
	b.WriteString(` ORDER BY `)
	for _, k := range p.Sort {
		b.WriteString(quoteIdent(k.Property))
		if k.Desc {
			b.WriteString(` DESC`)
		}
		b.WriteString(`, `)
	}
	b.WriteString(`fid`)
	if p.Limit > 0 || p.Offset > 0 {
		b.WriteString(` LIMIT ? OFFSET ?`)
		limit := p.Limit
		if limit <= 0 {
			limit = -1 // SQLite: no limit
		}
		args = append(args, limit, p.Offset)
	}
	return b.String(), args, nil
}

func featureWhere(p store.Plan, extra ...condition) (string, []any, error) {
	var conds []string
	var args []any
	if p.FID > 0 {
		conds = append(conds, `fid = ?`)
		args = append(args, p.FID)
	}
	if p.AfterFID > 0 {
		conds = append(conds, `fid > ?`)
		args = append(args, p.AfterFID)
	}
	if p.BBox != nil {
		if p.Dataset.GeometryType == "" {
			return " WHERE 0", nil, nil
		}
		b := *p.BBox
		// The R*Tree gives the candidates by bounding box; ST_Intersects keeps those that really touch the box.
		conds = append(conds,
			`fid IN (SELECT pkid FROM `+quoteIdent("idx_"+p.Dataset.Table+"_geom")+` WHERE xmin <= ? AND xmax >= ? AND ymin <= ? AND ymax >= ?)`,
			`ST_Intersects(geom, BuildMbr(?, ?, ?, ?, 4326)) = 1`)
		args = append(args, b.Max[0], b.Min[0], b.Max[1], b.Min[1], b.Min[0], b.Min[1], b.Max[0], b.Max[1])
	}
	if p.Where != nil {
		c, err := exprSQL(p.Dataset, p.Where, &args)
		if err != nil {
			return "", nil, err
		}
		conds = append(conds, c)
	}
	for _, c := range extra {
		conds = append(conds, c.sql)
		args = append(args, c.args...)
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}
