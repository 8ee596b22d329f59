package spatialite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// stagingBatch is rows waiting to be written into a table (an import's staging table, its pyramid and square
// cells, the scratch's cells), and the two statements that write them: one of batchRows rows at a time, one of
// a single row for what is left over. They are the driver's own statements, prepared on the connection and
// run through sql.Conn.Raw with the batch's own argument slice (inside the import's transaction when the
// connection is the import's): database/sql copies every argument of every statement into a new slice of its
// own (a fifth of what an import of a million points allocated), and go-sqlite3 runs a statement given a
// cancellable context on a goroutine of its own. The rows wait here at most batchBytes of geometries and
// values; the import checks for cancellation as each row is added (importer.add).
type stagingBatch struct {
	conn      *sql.Conn
	one, many driver.Stmt
	batchRows int                 // rows per statement of many
	columns   int                 // values per row
	args      []driver.NamedValue // of the rows pending, columns per row
	blobs     []byte              // the pending rows' geometries and pyramids, which args point into
	bytes     int                 // of the geometries and values pending
}

// batchBytes bounds the geometries and values of the rows waiting to be staged (a row larger than this is
// staged alone).
const batchBytes = 1 << 20

// prepared says whether the statements write rows of so many columns.
func (b *stagingBatch) prepared(columns int) bool { return b.one != nil && b.columns == columns }

// prepare prepares the statements that write rows into table's columns. No row may be pending.
func (b *stagingBatch) prepare(ctx context.Context, table string, columns []string) error {
	if err := b.close(); err != nil {
		return err
	}
	row := "(?" + strings.Repeat(", ?", len(columns)-1) + ")"
	one := `INSERT INTO ` + table + ` (` + strings.Join(columns, ", ") + `) VALUES ` + row
	// SQLite takes 999 parameters in a statement at least (SQLITE_MAX_VARIABLE_NUMBER before 3.32).
	batchRows := max(1, min(64, 999/len(columns)))
	err := b.conn.Raw(func(dc any) error {
		c, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return fmt.Errorf("the driver's connection %T cannot prepare", dc)
		}
		var err error
		if b.one, err = c.PrepareContext(ctx, one); err != nil {
			return err
		}
		b.many = b.one
		if batchRows > 1 {
			b.many, err = c.PrepareContext(ctx, one+strings.Repeat(", "+row, batchRows-1))
		}
		return err
	})
	if err != nil {
		return errors.Join(err, b.close())
	}
	for _, s := range []driver.Stmt{b.one, b.many} {
		if _, ok := s.(driver.StmtExecContext); !ok {
			return errors.Join(fmt.Errorf("the driver's statement %T cannot run with a context", s), b.close())
		}
	}
	b.columns, b.batchRows = len(columns), batchRows
	return nil
}

// next appends a row to the batch and returns its values, empty and numbered.
func (b *stagingBatch) next() []driver.NamedValue {
	k := len(b.args)
	b.args = slices.Grow(b.args, b.columns)[:k+b.columns]
	row := b.args[k:]
	for i := range row {
		row[i] = driver.NamedValue{Ordinal: k + i + 1}
	}
	return row
}

// add appends a row of values (of the driver's types, blobs kept with keep) and writes the batch when full.
func (b *stagingBatch) add(values ...any) error {
	row := b.next()
	for i, v := range values {
		row[i].Value = v
	}
	if b.full() {
		return b.flush()
	}
	return nil
}

// keep copies p among the pending rows' blobs (the row's buffers are reused by the next row).
func (b *stagingBatch) keep(p []byte) []byte {
	k := len(b.blobs)
	b.blobs = append(b.blobs, p...)
	b.bytes += len(p)
	return b.blobs[k:len(b.blobs):len(b.blobs)]
}

// full says whether the batch should be written now.
func (b *stagingBatch) full() bool {
	return len(b.args) == b.batchRows*b.columns || b.bytes >= batchBytes
}

// pending is the number of rows waiting.
func (b *stagingBatch) pending() int {
	if b.columns == 0 {
		return 0
	}
	return len(b.args) / b.columns
}

// flush writes the pending rows into the staging table.
func (b *stagingBatch) flush() error {
	rows := b.pending()
	if rows == 0 {
		return nil
	}
	// Not cancellable: a batch is a megabyte at most, and with a context that can end, go-sqlite3 would run
	// each statement on a goroutine of its own.
	ctx := context.Background()
	err := b.conn.Raw(func(any) error {
		if rows == b.batchRows {
			_, err := b.many.(driver.StmtExecContext).ExecContext(ctx, b.args)
			return err
		}
		for i := range rows {
			row := b.args[i*b.columns : (i+1)*b.columns]
			for j := range row {
				row[j].Ordinal = j + 1
			}
			if _, err := b.one.(driver.StmtExecContext).ExecContext(ctx, row); err != nil {
				return err
			}
		}
		return nil
	})
	clear(b.args)
	b.args, b.blobs, b.bytes = b.args[:0], b.blobs[:0], 0
	return err
}

// close closes the statements (the rows pending are dropped).
func (b *stagingBatch) close() error {
	clear(b.args)
	b.args, b.blobs, b.bytes = b.args[:0], b.blobs[:0], 0
	if b.one == nil {
		return nil
	}
	err := b.conn.Raw(func(any) error {
		err := b.one.Close()
		if b.many != b.one {
			err = errors.Join(err, b.many.Close())
		}
		return err
	})
	b.one, b.many, b.columns, b.batchRows = nil, nil, 0, 0
	return err
}
