package limit

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// CSV is a csv.Reader whose records are bounded by Value bytes each: encoding/csv holds a whole record, and a
// quote that is never closed (with LazyQuotes, which real exports need) makes the rest of the file one record.
// Its error names the line where that record starts. Set the csv.Reader's options (Comma, LazyQuotes...) as
// usual.
type CSV struct {
	*csv.Reader
	span *Span
	next int // the line after the last record read
}

// NewCSV reads CSV text from r, one bounded record at a time.
func NewCSV(r io.Reader) *CSV {
	span := &Span{R: r, N: Value, What: "a record",
		Hint: "a quote opened there is probably never closed: close it, or remove it"}
	return &CSV{Reader: csv.NewReader(span), span: span, next: 1}
}

// Read reads the next record; a record over the limit is an *Error (errors.Is ErrExceeded) prefixed with
// "line N: ", N the line where the record starts.
func (c *CSV) Read() ([]string, error) {
	rec, err := c.Reader.Read()
	if errors.Is(err, ErrExceeded) {
		return nil, fmt.Errorf("line %d: %w", c.next, err)
	}
	if err == nil && len(rec) > 0 {
		c.span.Mark()
		last := len(rec) - 1
		line, _ := c.FieldPos(last)
		c.next = line + strings.Count(rec[last], "\n") + 1
	}
	return rec, err
}
