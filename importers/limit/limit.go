// Package limit bounds what an importer reads, so that memory stays bounded whatever a file holds: readers that
// fail instead of truncating (a whole input, one record at a time, a compressed stream's expansion) and a JSON
// reader that bounds single values and nesting. Its errors say what went over which limit and what to do; the
// family adds its name, the file and the record: `osm: x.osm.gz: byte 412: ... (limit 64 MiB; ...)`.
//
// It reads and counts bytes, nothing else: parsing stays with the families.
package limit

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// The limits every family applies unless it says otherwise. They sit far above what real files hold (the
// largest record seen: a Natura 2000 site of 146,000 vertices, 2.3 MB; the longest text: a few kB of history in
// a Mérimée notice; OSM XML and PBF inflate 10 to 15 times) and far below what would exhaust a machine.
const (
	// Value bounds one value: a JSON string, number or run of white space, a CSV record, an XML tag or text.
	Value = 16 << 20
	// Feature bounds one record with its geometry: a GeoJSON feature, an Overpass element.
	Feature = 256 << 20
	// Space bounds a run of JSON white space (pretty-printing indents by a few hundred bytes at most).
	Space = 1 << 20
	// Depth bounds the nesting of JSON arrays and objects and of XML elements.
	Depth = 64
	// Expansion bounds how many times a compressed stream may inflate, checked once it has given
	// ExpansionFloor bytes (a small file of repeated text may inflate more).
	Expansion      = 100
	ExpansionFloor = 64 << 20
)

// ErrExceeded is what every error of this package is (errors.Is).
var ErrExceeded = errors.New("input over a limit")

// Error is input that went over a limit.
type Error struct {
	What  string // what went over: "a JSON string of more than 16 MiB"
	Limit string // the limit, with its unit: "16 MiB", "64 levels"
	Hint  string // what the user can do
}

func (e *Error) Error() string { return fmt.Sprintf("%s (limit %s; %s)", e.What, e.Limit, e.Hint) }

// Is makes errors.Is(err, ErrExceeded) true.
func (e *Error) Is(target error) bool { return target == ErrExceeded }

// Size writes a byte count for people: "16 MiB", "1.5 GiB", "4,096 bytes".
func Size(n int64) string {
	const k = 1 << 10
	switch {
	case n >= k*k*k:
		return trimFloat(float64(n)/(k*k*k)) + " GiB"
	case n >= k*k:
		return trimFloat(float64(n)/(k*k)) + " MiB"
	case n >= 64*k:
		return trimFloat(float64(n)/k) + " KiB"
	}
	return Count(n) + " bytes"
}

// trimFloat writes f with at most one decimal, none when it is whole: 16, 1.5.
func trimFloat(f float64) string {
	s := strconv.FormatFloat(f, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0")
}

// Count writes n with thousands separators: "32,765".
func Count(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}

// Reader reads R and fails once more than N bytes have been read: an io.LimitedReader that says so instead of
// ending early, for what is held in memory whole.
type Reader struct {
	R    io.Reader
	N    int64
	What string // what is being read, for the error: "an Overpass response"
	Hint string
	read int64
	over bool
}

// Read reads at most what is left under the limit, then fails with an *Error.
func (r *Reader) Read(p []byte) (int, error) {
	if r.read >= r.N {
		// One byte more tells a stream of exactly N bytes from a longer one.
		var one [1]byte
		n, err := r.R.Read(one[:])
		if n == 0 {
			return 0, err
		}
		r.over = true
		return 0, &Error{What: r.What + " larger than " + Size(r.N), Limit: Size(r.N), Hint: r.Hint}
	}
	if int64(len(p)) > r.N-r.read {
		p = p[:r.N-r.read]
	}
	n, err := r.R.Read(p)
	r.read += int64(n)
	return n, err
}

// Exceeded tells whether the input went over the limit (the error may have been wrapped on its way up).
func (r *Reader) Exceeded() bool { return r.over }

// Span reads R and fails once more than N bytes have been read since the last Mark: it bounds one record at a
// time (a CSV record) with no cost per byte. Reads are cut to 64 KiB, so that a reader buffering ahead of its
// record counts at most that much of the next one.
type Span struct {
	R      io.Reader
	N      int64
	What   string // what one span is, for the error: "a record"
	Hint   string
	since  int64
	offset int64
}

// maxRead bounds one read, so that what a decoder reads ahead of its current record stays small.
const maxRead = 64 << 10

// Read reads the next bytes, failing with an *Error once the current span is over N.
func (s *Span) Read(p []byte) (int, error) {
	if s.since > s.N {
		return 0, &Error{What: s.What + " longer than " + Size(s.N), Limit: Size(s.N), Hint: s.Hint}
	}
	if len(p) > maxRead {
		p = p[:maxRead]
	}
	n, err := s.R.Read(p)
	s.since += int64(n)
	s.offset += int64(n)
	return n, err
}

// Mark starts a new span: the next record.
func (s *Span) Mark() { s.since = 0 }

// Offset is how many bytes have been read.
func (s *Span) Offset() int64 { return s.offset }
