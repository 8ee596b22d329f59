package limit

import (
	"fmt"
	"io"
)

// JSON reads JSON text and fails, before a decoder buffers it, when one value goes over a limit: a string or a
// number longer than Value bytes, a run of white space longer than Space, arrays and objects nested deeper than
// Depth, or more than Span bytes since the last Mark (one feature, one element). encoding/json holds a whole
// value in memory before decoding it, and rescans white space between tokens at each read (a long run costs
// its square): this is what keeps both small. It follows strings and escapes, nothing more:
// whether the text is valid JSON is the decoder's business.
type JSON struct {
	r            io.Reader
	value, depth int64
	span         int64
	spanWhat     string
	hint         string

	offset   int64 // bytes read
	since    int64 // bytes read since Mark
	run      int64 // length of the current string or token
	space    int64 // length of the current run of white space
	level    int64
	inString bool
	escape   bool
	err      error
}

// JSONLimits say how far a JSON reader lets a file go; a zero field takes the package's default (Value,
// Depth, Feature).
type JSONLimits struct {
	Value, Depth, Span int64
	// SpanWhat names what one span is, for the error: "a feature", "an element".
	SpanWhat string
	// Hint says what to do when a limit is hit.
	Hint string
}

// NewJSON returns a reader of the JSON text of r under the limits l.
func NewJSON(r io.Reader, l JSONLimits) *JSON {
	j := &JSON{r: r, value: l.Value, depth: l.Depth, span: l.Span, spanWhat: l.SpanWhat, hint: l.Hint}
	if j.value <= 0 {
		j.value = Value
	}
	if j.depth <= 0 {
		j.depth = Depth
	}
	if j.span <= 0 {
		j.span = Feature
	}
	if j.spanWhat == "" {
		j.spanWhat = "a value"
	}
	if j.hint == "" {
		j.hint = "no real file holds that much in one place: check what the file holds"
	}
	return j
}

// Mark starts a new span: the next feature or element.
func (j *JSON) Mark() { j.since = 0 }

// Offset is how many bytes have been read.
func (j *JSON) Offset() int64 { return j.offset }

// Read reads the next bytes, failing with an *Error at the first one that goes over a limit.
func (j *JSON) Read(p []byte) (int, error) {
	if j.err != nil {
		return 0, j.err
	}
	if len(p) > maxRead {
		p = p[:maxRead]
	}
	n, err := j.r.Read(p)
	for i, c := range p[:n] {
		if j.inString {
			j.run++
			switch {
			case j.escape:
				j.escape = false
			case c == '\\':
				j.escape = true
			case c == '"':
				j.inString = false
				j.run = 0
			}
		} else {
			if c == ' ' || c == '\n' || c == '\t' || c == '\r' {
				j.run = 0
				if j.space++; j.space > Space {
					return j.fail(i, fmt.Sprintf("byte %d: a run of white space longer than %s", j.offset+int64(i)+1-j.space, Size(Space)), Size(Space))
				}
				continue
			}
			j.space = 0
			switch c {
			case '"':
				j.inString = true
				j.run = 0
			case '{', '[':
				j.level++
				j.run = 0
				if j.level > j.depth {
					return j.fail(i, fmt.Sprintf("byte %d: arrays and objects nested more than %d deep", j.offset+int64(i), j.depth), fmt.Sprintf("%d levels", j.depth))
				}
			case '}', ']':
				j.level--
				j.run = 0
			case ',', ':':
				j.run = 0
			default:
				j.run++
			}
		}
		if j.run > j.value {
			what := "a number or literal"
			if j.inString {
				what = "a string"
			}
			start := j.offset + int64(i) + 1 - j.run
			return j.fail(i, fmt.Sprintf("byte %d: %s longer than %s", start, what, Size(j.value)), Size(j.value))
		}
	}
	j.offset += int64(n)
	j.since += int64(n)
	if j.since > j.span {
		j.err = &Error{What: fmt.Sprintf("%s longer than %s", j.spanWhat, Size(j.span)), Limit: Size(j.span), Hint: j.hint}
		return n, j.err
	}
	return n, err
}

// fail stops the reader at byte i of the current read: the bytes before it are returned with the error.
func (j *JSON) fail(i int, what, lim string) (int, error) {
	j.err = &Error{What: what, Limit: lim, Hint: j.hint}
	j.offset += int64(i)
	return i, j.err
}
