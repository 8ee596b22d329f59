package limit

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"fmt"
	"io"
)

// Decompress returns what r holds, inflated when it is gzip or bzip2 (told by its first bytes, whatever the
// file is named), and the compression's name: "gzip", "bzip2", or "" for a plain stream. The inflated stream
// fails once it has given more than floor bytes and more than ratio times the compressed bytes read: a
// decompression bomb (a few MB of gzip holding gigabytes of white space) is refused long before memory or
// time run out. ratio and floor 0 mean Expansion and ExpansionFloor.
func Decompress(r io.Reader, ratio, floor int64) (io.Reader, string, error) {
	if ratio <= 0 {
		ratio = Expansion
	}
	if floor <= 0 {
		floor = ExpansionFloor
	}
	br := bufio.NewReaderSize(r, 64<<10)
	magic, _ := br.Peek(3)
	in := &counter{r: br}
	switch {
	case bytes.HasPrefix(magic, []byte("BZh")):
		return &inflated{r: bufio.NewReaderSize(bzip2.NewReader(in), 64<<10), in: in, name: "bzip2", ratio: ratio, floor: floor}, "bzip2", nil
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(in)
		if err != nil {
			return nil, "gzip", fmt.Errorf("not a readable gzip file (%v)", err)
		}
		return &inflated{r: zr, in: in, name: "gzip", ratio: ratio, floor: floor}, "gzip", nil
	}
	return br, "", nil
}

// counter counts the compressed bytes a decompressor reads.
type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// inflated is a decompressed stream that checks its expansion as it goes.
type inflated struct {
	r            io.Reader
	in           *counter
	name         string
	ratio, floor int64
	out          int64
	err          error
}

func (f *inflated) Read(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	n, err := f.r.Read(p)
	f.out += int64(n)
	if f.out > f.floor && f.out > f.ratio*f.in.n {
		f.err = &Error{
			What: fmt.Sprintf("the %s stream inflates more than %s times (%s out of the first %s)",
				f.name, Count(f.ratio), Size(f.out), Size(f.in.n)),
			Limit: Count(f.ratio) + " times once past " + Size(f.floor),
			Hint:  "that is a decompression bomb, not map data (OSM XML inflates 10 to 15 times): decompress it yourself to see what it holds",
		}
		return n, f.err
	}
	return n, err
}
