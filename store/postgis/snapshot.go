package postgis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/patrimap/patrimap/store"
)

// snapshot is a read view: a REPEATABLE READ READ ONLY transaction on one connection.
//
// Each read of a dataset's table runs in a savepoint that is rolled back as soon as the read ends, which
// releases the read's lock on the table (PostgreSQL keeps a lock until the end of the transaction otherwise):
// an import can then swap in a new version while this snapshot stays open, and the snapshot keeps reading
// the version it saw. That version's table may have been renamed by the swap (to NAME_internal.retired__<oid>);
// the catalogue row gives its oid, every read checks that the table it named is that one, and follows the
// table when it is not.
type snapshot struct {
	s    *Store
	conn *pgxpool.Conn
	tx   pgx.Tx
	// relids are the tables of the datasets this snapshot read the catalogue entries of; names where each was
	// found.
	relids map[string]uint32
	names  map[uint32]string
}

// Snapshot opens a read view, on the replica when there is one.
func (s *Store) Snapshot(ctx context.Context) (store.Snapshot, error) {
	conn, err := s.read.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		conn.Release()
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	return &snapshot{s: s, conn: conn, tx: tx, relids: map[string]uint32{}, names: map[uint32]string{}}, nil
}

// Close ends the read view.
func (sn *snapshot) Close() error {
	if sn.tx == nil {
		return nil
	}
	// A cancelled request's context must not keep the connection from going back to the pool clean.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := sn.tx.Rollback(ctx)
	sn.tx = nil
	sn.conn.Release()
	if errors.Is(err, pgx.ErrTxClosed) {
		return nil
	}
	return err
}

// relid returns the table of dataset id as of the snapshot.
func (sn *snapshot) relid(ctx context.Context, id string) (uint32, error) {
	if r, ok := sn.relids[id]; ok {
		return r, nil
	}
	e, err := sn.entry(ctx, id)
	return e.relid, err
}

// read runs the query that build makes for the table of dataset d (named as it is given) inside a savepoint,
// and passes the rows to scan. The table is locked by name and checked to be the snapshot's version first:
// when an import swapped it meanwhile, the name leads to the new version, and read follows the snapshot's
// table to where the swap moved it.
//
// The statements go in one round trip, unprepared: a statement prepared inside the transaction would take its
// lock on the table outside the savepoint, until the snapshot ends.
func (sn *snapshot) read(ctx context.Context, d store.Dataset, build func(table string) (string, []any), scan func(pgx.Rows) error) error {
	relid, err := sn.relid(ctx, d.ID)
	if err != nil {
		return err
	}
	name, ok := sn.names[relid]
	if !ok {
		name = qualified(sn.s.schema, d.Table)
	}
	for attempt := 0; attempt < 3; attempt++ {
		query, args := build(name)
		params := make([][]byte, len(args))
		for i, a := range args {
			params[i] = textParam(a)
		}
		b := &pgconn.Batch{}
		b.ExecParams(`SAVEPOINT patrimap_read`, nil, nil, nil, nil)
		b.ExecParams(`LOCK TABLE `+name+` IN ACCESS SHARE MODE`, nil, nil, nil, nil)
		b.ExecParams(`SELECT `+qualified(sn.s.internal, "expect_table")+`($1, $2)`, [][]byte{[]byte(name), textParam(relid)}, nil, nil, nil)
		b.ExecParams(query, params, nil, nil, []int16{1})
		b.ExecParams(`ROLLBACK TO SAVEPOINT patrimap_read`, nil, nil, nil, nil)
		b.ExecParams(`RELEASE SAVEPOINT patrimap_read`, nil, nil, nil, nil)
		err := sn.batch(ctx, b, scan)
		var stop callbackError
		switch code := pgCode(err); {
		case errors.As(err, &stop):
			return stop.err
		case err == nil:
			sn.names[relid] = name
			return nil
		case code != "42P01" && code != tableMoved:
			return fmt.Errorf("dataset %s: %w", d.ID, err)
		}
		// Where the snapshot's version went (a catalog lookup, which sees the latest names).
		var where string
		if err := sn.tx.QueryRow(ctx, `SELECT $1::oid::regclass::text`, relid).Scan(&where); err != nil {
			return fmt.Errorf("dataset %s: %w", d.ID, err)
		}
		if where == strconv.FormatUint(uint64(relid), 10) {
			// Dropped: the snapshot is older than the drop of its retired version (see dropRetired).
			return fmt.Errorf("dataset %s: version %d is no longer in the database (table oid %d dropped)", d.ID, d.Version, relid)
		}
		name = where
	}
	return fmt.Errorf("dataset %s: its table kept moving while it was read", d.ID)
}

// tableMoved is the SQLSTATE of expect_table when a name leads to another table than the one expected.
const tableMoved = "PM001"

// batch sends b (savepoint, lock, check, query, rollback, release) and streams the query's rows to scan. After
// an error of the database it rolls back to the savepoint, so that the snapshot goes on.
func (sn *snapshot) batch(ctx context.Context, b *pgconn.Batch, scan func(pgx.Rows) error) error {
	mrr := sn.conn.Conn().PgConn().ExecBatch(ctx, b)
	err := readBatch(mrr, sn.conn.Conn().TypeMap(), scan)
	cerr := mrr.Close()
	if cerr != nil && ctx.Err() == nil && !sn.conn.Conn().IsClosed() {
		// An error in the pipeline skips the statements after it: undo what ran.
		undo := context.WithoutCancel(ctx)
		if _, rerr := sn.tx.Exec(undo, `ROLLBACK TO SAVEPOINT patrimap_read`); rerr == nil {
			sn.tx.Exec(undo, `RELEASE SAVEPOINT patrimap_read`)
		}
	}
	if err == nil {
		err = cerr
	}
	return err
}

func readBatch(mrr *pgconn.MultiResultReader, types *pgtype.Map, scan func(pgx.Rows) error) error {
	next := func() (*pgconn.ResultReader, error) {
		if !mrr.NextResult() {
			if err := mrr.Close(); err != nil {
				return nil, err
			}
			return nil, errors.New("a statement of the read gave no result")
		}
		return mrr.ResultReader(), nil
	}
	skip := func() error {
		rr, err := next()
		if err != nil {
			return err
		}
		_, err = rr.Close()
		return err
	}
	for i := 0; i < 3; i++ {
		if err := skip(); err != nil {
			return err
		}
	}
	rr, err := next()
	if err != nil {
		return err
	}
	rows := pgx.RowsFromResultReader(types, rr)
	if err := scan(rows); err != nil {
		rows.Close()
		return err
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for i := 0; i < 2; i++ {
		if err := skip(); err != nil {
			return err
		}
	}
	return nil
}

// Features streams the features of d matching q to each, in fid order unless q sorts them.
func (sn *snapshot) Features(ctx context.Context, d store.Dataset, q store.Query, each func(*store.Feature) error) error {
	return sn.features(ctx, d, q, nil, each)
}

// features is Features, restricted to the features whose words match text when it is not nil.
func (sn *snapshot) features(ctx context.Context, d store.Dataset, q store.Query, text *textMatch, each func(*store.Feature) error) error {
	p, err := store.NewPlan(d, q)
	if err != nil {
		return err
	}
	if text == nil && p.Offset > 0 && p.AfterFID == 0 && p.FID == 0 && len(p.Sort) == 0 && p.BBox == nil && p.Where == nil {
		// Deep pages of a whole layer: when fids run 1..N without gaps, the n-th feature is fid n and the page
		// starts by the primary key, not by stepping over Offset rows.
		var maxFID *int64
		err := sn.read(ctx, d, func(t string) (string, []any) {
			return `SELECT max(fid) FROM ` + t, nil
		}, func(rows pgx.Rows) error {
			for rows.Next() {
				if err := rows.Scan(&maxFID); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if maxFID != nil && *maxFID == d.FeatureCount {
			p.AfterFID, p.Offset = int64(p.Offset), 0
		}
	}
	where, args, err := text.where(p)
	if err != nil {
		return err
	}
	cols := columnList(p.Fields, "")
	return sn.read(ctx, d, func(t string) (string, []any) {
		var b strings.Builder
		b.WriteString(`SELECT fid, `)
		if d.GeometryType == "" {
			b.WriteString(`NULL::bytea`)
		} else {
			b.WriteString(`ST_AsBinary(geom)`)
		}
		b.WriteString(cols + ` FROM ` + t + where + ` ORDER BY `)
		for _, k := range p.Sort {
			f, _ := d.Field(k.Property)
			b.WriteString(valueExpr("", f))
			if k.Desc {
				b.WriteString(` DESC NULLS LAST, `)
			} else {
				b.WriteString(` NULLS FIRST, `)
			}
		}
		b.WriteString(`fid`)
		a := args
		if p.Limit > 0 {
			a = append(a[:len(a):len(a)], int64(p.Limit))
			b.WriteString(` LIMIT $` + strconv.Itoa(len(a)))
		}
		if p.Offset > 0 {
			a = append(a[:len(a):len(a)], int64(p.Offset))
			b.WriteString(` OFFSET $` + strconv.Itoa(len(a)))
		}
		return b.String(), a
	}, func(rows pgx.Rows) error {
		return scanFeatures(d.ID, rows, p.Fields, true, each)
	})
}

// Count returns how many features of d match q, ignoring its paging (AfterFID, Offset and Limit).
func (sn *snapshot) Count(ctx context.Context, d store.Dataset, q store.Query) (int64, error) {
	return sn.count(ctx, d, q, nil)
}

// count is Count, restricted to the features whose words match text when it is not nil.
func (sn *snapshot) count(ctx context.Context, d store.Dataset, q store.Query, text *textMatch) (int64, error) {
	p, err := store.NewPlan(d, q.Unpaged())
	if err != nil {
		return 0, err
	}
	where, args, err := text.where(p)
	if err != nil {
		return 0, err
	}
	var n int64
	err = sn.read(ctx, d, func(t string) (string, []any) {
		return `SELECT count(*) FROM ` + t + where, args
	}, scanRow(&n))
	if err != nil {
		return 0, fmt.Errorf("count: %w", err)
	}
	return n, nil
}

// columnList is ", col1, col2" reading each field as the Feature value it is.
func columnList(fields []store.Field, prefix string) string {
	var b strings.Builder
	for _, f := range fields {
		b.WriteString(", ")
		switch f.Type {
		case store.FieldJSON:
			b.WriteString(prefix + quoteIdent(f.Name) + `::text`)
		default:
			b.WriteString(prefix + quoteIdent(f.Name))
		}
	}
	return b.String()
}

// valueExpr is a field's column as filters and sorts compare it: dates and JSON as their text (byte order, as
// in every store), the rest as they are (text columns are COLLATE "C").
func valueExpr(prefix string, f store.Field) string {
	c := prefix + quoteIdent(f.Name)
	switch f.Type {
	case store.FieldDate:
		// A date column is of type date, or text when a value had a year PostgreSQL lacks (0000).
		return `(` + c + `::text COLLATE "C")`
	case store.FieldJSON:
		return `(` + c + `::text COLLATE "C")`
	}
	return c
}

// scanFeatures reads rows of (fid, WKB geometry, values of fields) into one reused Feature and calls each. Rows
// without geometry are passed with a nil Geometry when keepNoGeom, skipped otherwise.
func scanFeatures(id string, rows pgx.Rows, fields []store.Field, keepNoGeom bool, each func(*store.Feature) error) error {
	return scanDecoded(id, rows, fields, keepNoGeom, wkb.Unmarshal, each)
}

// scanDecoded is scanFeatures with the geometry column read by decode.
func scanDecoded(id string, rows pgx.Rows, fields []store.Field, keepNoGeom bool, decode func([]byte) (orb.Geometry, error), each func(*store.Feature) error) error {
	var (
		f    store.Feature
		blob []byte
		vals = make([]any, len(fields))
		dest = make([]any, len(fields)+2)
		text = make([]pgtype.Text, len(fields))
		i8   = make([]pgtype.Int8, len(fields))
		f8   = make([]pgtype.Float8, len(fields))
		bl   = make([]pgtype.Bool, len(fields))
		// A date column is text when a value had year 0000 (see importer.dateAsText): read what comes.
		dateAny = make([]any, len(fields))
	)
	dest[0], dest[1] = &f.FID, &blob
	for i, fd := range fields {
		switch fd.Type {
		case store.FieldInteger:
			dest[i+2] = &i8[i]
		case store.FieldReal:
			dest[i+2] = &f8[i]
		case store.FieldBoolean:
			dest[i+2] = &bl[i]
		case store.FieldDate:
			dest[i+2] = &dateAny[i]
		default:
			dest[i+2] = &text[i]
		}
	}
	f.Values = vals
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("dataset %s: read row: %w", id, err)
		}
		f.Geometry = nil
		if blob != nil {
			g, err := decode(blob)
			if err != nil {
				return fmt.Errorf("dataset %s: feature %d: geometry: %w", id, f.FID, err)
			}
			f.Geometry = g
		} else if !keepNoGeom {
			continue
		}
		for i, fd := range fields {
			vals[i] = nil
			switch fd.Type {
			case store.FieldInteger:
				if i8[i].Valid {
					vals[i] = i8[i].Int64
				}
			case store.FieldReal:
				if f8[i].Valid {
					vals[i] = f8[i].Float64
				}
			case store.FieldBoolean:
				if bl[i].Valid {
					vals[i] = bl[i].Bool
				}
			case store.FieldDate:
				switch v := dateAny[i].(type) {
				case time.Time:
					vals[i] = v.Format(time.DateOnly)
				case string:
					vals[i] = v
				}
			default:
				if text[i].Valid {
					vals[i] = text[i].String
				}
			}
		}
		if err := each(&f); err != nil {
			return callbackError{err}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("dataset %s: read rows: %w", id, err)
	}
	return nil
}

// callbackError is an error of a read's callback, which the read returns as it is.
type callbackError struct{ err error }

func (e callbackError) Error() string { return e.err.Error() }
func (e callbackError) Unwrap() error { return e.err }
