package postgis

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/patrimap/patrimap/store"
)

// copyStream is a COPY ... FROM STDIN (FORMAT binary) under way: rows written to it go to PostgreSQL through a
// pipe while the import goes on reading and cleaning the next ones.
type copyStream struct {
	pw   *io.PipeWriter
	w    *bufio.Writer
	done chan error
}

// binaryHeader starts a binary COPY: signature, flags, header extension length.
var binaryHeader = []byte("PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00")

// startCopy begins copying rows into the staging table's columns as they are now.
func (im *importer) startCopy(ctx context.Context) (*copyStream, error) {
	var cols strings.Builder
	cols.WriteString("fid, wkb, lz")
	for i := 0; i < im.schema.Columns(); i++ {
		cols.WriteString(", c" + strconv.Itoa(i))
	}
	pr, pw := io.Pipe()
	c := &copyStream{pw: pw, w: bufio.NewWriterSize(pw, 256<<10), done: make(chan error, 1)}
	pgConn := im.conn.Conn().PgConn()
	sql := `COPY pg_temp.patrimap_staging (` + cols.String() + `) FROM STDIN (FORMAT binary)`
	go func() {
		_, err := pgConn.CopyFrom(ctx, pr, sql)
		// A failed COPY unblocks the writer with its error.
		pr.CloseWithError(err)
		c.done <- err
	}()
	if _, err := c.w.Write(binaryHeader); err != nil {
		return nil, c.abort(err)
	}
	return c, nil
}

func (c *copyStream) write(row []byte) error {
	if _, err := c.w.Write(row); err != nil {
		return c.abort(err)
	}
	return nil
}

// end sends the trailer and waits for PostgreSQL to have every row.
func (c *copyStream) end() error {
	if _, err := c.w.Write([]byte{0xff, 0xff}); err != nil {
		return c.abort(err)
	}
	if err := c.w.Flush(); err != nil {
		return c.abort(err)
	}
	c.pw.Close()
	if err := <-c.done; err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	return nil
}

// abort makes PostgreSQL fail the COPY (and the import's transaction) and returns the COPY's error, or cause.
func (c *copyStream) abort(cause error) error {
	c.pw.CloseWithError(cause)
	if err := <-c.done; err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	return cause
}

// endCopy ends the COPY under way, if any.
func (im *importer) endCopy() error {
	if im.copy == nil {
		return nil
	}
	c := im.copy
	im.copy = nil
	return c.end()
}

// encodeRow appends one staging row in COPY's binary format: fid, WKB, low-zoom WKB, then ncols text values,
// each store.Coerce's text of the value (NULL where the row has none). text is scratch space; a date of year
// 0000 marks its column in yearZero.
func encodeRow(b []byte, text []*string, fid int64, geom, lz []byte, vals []store.StagedValue, yearZero map[int]bool) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(3+len(text)))
	b = binary.BigEndian.AppendUint32(b, 8)
	b = binary.BigEndian.AppendUint64(b, uint64(fid))
	b = appendBytes(b, geom)
	b = appendBytes(b, lz)
	clear(text)
	for _, v := range vals {
		if v.Value == nil {
			continue
		}
		s, _ := store.Coerce(v.Value, store.FieldText).(string)
		if len(s) == 10 && strings.HasPrefix(s, "0000-") {
			yearZero[v.Column] = true
		}
		text[v.Column] = &s
	}
	for _, s := range text {
		if s == nil {
			b = binary.BigEndian.AppendUint32(b, 0xffffffff)
			continue
		}
		b = binary.BigEndian.AppendUint32(b, uint32(len(*s)))
		b = append(b, *s...)
	}
	return b
}

func appendBytes(b, v []byte) []byte {
	if v == nil {
		return binary.BigEndian.AppendUint32(b, 0xffffffff)
	}
	b = binary.BigEndian.AppendUint32(b, uint32(len(v)))
	return append(b, v...)
}
