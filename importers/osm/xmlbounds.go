package osm

import (
	"fmt"
	"io"

	"github.com/patrimap/patrimap/importers/limit"
)

// xmlBounds reads XML text and fails when one tag or one run of text between tags is longer than limit.Value,
// or when elements nest deeper than limit.Depth. encoding/xml holds a whole token in memory (gigabytes of white
// space between two elements became one token of gigabytes) and a name per open element; OSM XML needs a few
// hundred bytes a tag and three levels. It follows quotes inside tags; comments and declarations (<!...>,
// <?...?>) count as tags that open nothing.
type xmlBounds struct {
	r       io.Reader
	offset  int64
	run     int64 // length of the current tag or text
	depth   int
	inTag   bool
	first   bool // the next byte is the first of a tag's name
	closing bool // </...>
	special bool // <!...> or <?...?>
	quote   byte // the quote of the attribute value being read, 0 outside
	prev    byte
	err     error
}

func (x *xmlBounds) Read(p []byte) (int, error) {
	if x.err != nil {
		return 0, x.err
	}
	n, err := x.r.Read(p)
	for i, c := range p[:n] {
		x.run++
		switch {
		case !x.inTag:
			if c == '<' {
				x.inTag, x.first, x.closing, x.special, x.quote, x.run = true, true, false, false, 0, 1
			}
		case x.quote != 0:
			if c == x.quote {
				x.quote = 0
			}
		case x.first:
			x.first = false
			x.closing = c == '/'
			x.special = c == '!' || c == '?'
		case c == '>':
			x.inTag = false
			switch {
			case x.special:
			case x.closing:
				x.depth--
			case x.prev != '/':
				if x.depth++; x.depth > limit.Depth {
					return x.fail(i, fmt.Sprintf("byte %d: elements nested more than %d deep", x.offset+int64(i), limit.Depth), fmt.Sprintf("%d levels", limit.Depth))
				}
			}
			x.run = 0
		case (c == '"' || c == '\'') && !x.special:
			x.quote = c
		}
		x.prev = c
		if x.run > limit.Value {
			what := "a run of text between two tags"
			if x.inTag {
				what = "a tag"
			}
			return x.fail(i, fmt.Sprintf("byte %d: %s longer than %s", x.offset+int64(i)+1-x.run, what, limit.Size(limit.Value)), limit.Size(limit.Value))
		}
	}
	x.offset += int64(n)
	return n, err
}

func (x *xmlBounds) fail(i int, what, lim string) (int, error) {
	x.err = &limit.Error{What: what, Limit: lim, Hint: "OSM XML holds a few hundred bytes a tag and three levels: this is not OSM data as any tool writes it"}
	x.offset += int64(i)
	return i, x.err
}
