package shapefile

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/paulmach/orb"
)

// Shape types of ESRI's specification (July 1998). Z and M variants carry the same x/y layout followed by
// ranges and arrays that patrimap drops.
const (
	shapeNull        = 0
	shapePoint       = 1
	shapePolyLine    = 3
	shapePolygon     = 5
	shapeMultiPoint  = 8
	shapePointZ      = 11
	shapePolyLineZ   = 13
	shapePolygonZ    = 15
	shapeMultiPointZ = 18
	shapePointM      = 21
	shapePolyLineM   = 23
	shapePolygonM    = 25
	shapeMultiPointM = 28
	shapeMultiPatch  = 31
)

// maxRecordBytes bounds one record's content: the largest real record seen (a Natura 2000 site of ~146,000
// vertices) takes 2.3 MB; a corrupt length must not make the reader allocate gigabytes.
const maxRecordBytes = 256 << 20

// shpReader streams the records of a .shp file. It holds one record's content at a time.
type shpReader struct {
	r         *bufio.Reader
	shapeType int
	buf       []byte
	offset    int64 // byte offset of the next record header, for error messages
}

func newSHP(r io.Reader) (*shpReader, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	var head [100]byte
	if _, err := io.ReadFull(br, head[:]); err != nil {
		return nil, errors.New("not a shapefile: header shorter than 100 bytes")
	}
	if code := binary.BigEndian.Uint32(head[0:4]); code != 9994 {
		return nil, fmt.Errorf("not a shapefile: file code %d, expected 9994", code)
	}
	if v := binary.LittleEndian.Uint32(head[28:32]); v != 1000 {
		return nil, fmt.Errorf("not a shapefile: version %d, expected 1000", v)
	}
	return &shpReader{r: br, shapeType: int(int32(binary.LittleEndian.Uint32(head[32:36]))), offset: 100}, nil
}

// next returns the content of the next record (shape type first), or io.EOF after the last one.
func (s *shpReader) next() ([]byte, error) {
	var head [8]byte
	n, err := io.ReadFull(s.r, head[:])
	if err == io.EOF {
		return nil, io.EOF
	}
	if err != nil {
		return nil, fmt.Errorf("record header truncated at byte %d (%d of 8 bytes): the .shp is incomplete, download it again", s.offset, n)
	}
	length := int64(binary.BigEndian.Uint32(head[4:8])) * 2
	if length < 4 || length > maxRecordBytes {
		return nil, fmt.Errorf("record at byte %d declares %d bytes of content: the .shp is corrupt", s.offset, length)
	}
	if int64(cap(s.buf)) < length {
		s.buf = make([]byte, length)
	}
	s.buf = s.buf[:length]
	if n, err := io.ReadFull(s.r, s.buf); err != nil {
		return nil, fmt.Errorf("record at byte %d truncated (%d of %d bytes): the .shp is incomplete, download it again", s.offset, n, length)
	}
	s.offset += 8 + length
	return s.buf, nil
}

// errShape explains why a record's geometry cannot be read; the record is kept without geometry.
type errShape string

func (e errShape) Error() string { return string(e) }

// parseShape decodes one record's content into orb geometry (x/y only). A nil geometry with a nil error is
// a null shape. Fixes made on the way (closing a ring, dropping a degenerate one) are appended to issues.
func parseShape(c []byte, issues *[]string) (orb.Geometry, error) {
	if len(c) < 4 {
		return nil, errShape("record shorter than its shape type")
	}
	le := binary.LittleEndian
	switch t := int(int32(le.Uint32(c))); t {
	case shapeNull:
		return nil, nil
	case shapePoint, shapePointZ, shapePointM:
		if len(c) < 20 {
			return nil, errShape("point record shorter than 20 bytes")
		}
		p := orb.Point{f64(c[4:]), f64(c[12:])}
		if !finite(p) {
			return nil, errShape("point with no coordinates (NaN)")
		}
		return p, nil
	case shapeMultiPoint, shapeMultiPointZ, shapeMultiPointM:
		if len(c) < 40 {
			return nil, errShape("multipoint record shorter than its header")
		}
		n := int64(le.Uint32(c[36:]))
		if 40+16*n > int64(len(c)) {
			return nil, errShape(fmt.Sprintf("multipoint declares %d points, more than the record holds", n))
		}
		mp := make(orb.MultiPoint, 0, n)
		for i := int64(0); i < n; i++ {
			p := orb.Point{f64(c[40+16*i:]), f64(c[48+16*i:])}
			if finite(p) {
				mp = append(mp, p)
			}
		}
		if len(mp) == 0 {
			return nil, nil
		}
		return mp, nil
	case shapePolyLine, shapePolyLineZ, shapePolyLineM, shapePolygon, shapePolygonZ, shapePolygonM:
		parts, err := readParts(c)
		if err != nil {
			return nil, err
		}
		if t == shapePolyLine || t == shapePolyLineZ || t == shapePolyLineM {
			return assembleLines(parts, issues), nil
		}
		return assemblePolygons(parts, issues), nil
	case shapeMultiPatch:
		return nil, errShape("MultiPatch (3D surface) shapes are not supported")
	default:
		return nil, errShape(fmt.Sprintf("unknown shape type %d", t))
	}
}

// readParts splits a polyline or polygon record into its parts' points.
func readParts(c []byte) ([][]orb.Point, error) {
	if len(c) < 44 {
		return nil, errShape("record shorter than its header")
	}
	le := binary.LittleEndian
	numParts, numPoints := int64(le.Uint32(c[36:])), int64(le.Uint32(c[40:]))
	pointsAt := 44 + 4*numParts
	if numParts == 0 || pointsAt+16*numPoints > int64(len(c)) {
		return nil, errShape(fmt.Sprintf("record declares %d parts and %d points, more than its %d bytes hold", numParts, numPoints, len(c)))
	}
	parts := make([][]orb.Point, 0, numParts)
	for i := int64(0); i < numParts; i++ {
		start := int64(le.Uint32(c[44+4*i:]))
		end := numPoints
		if i+1 < numParts {
			end = int64(le.Uint32(c[48+4*i:]))
		}
		if start > end || end > numPoints {
			return nil, errShape(fmt.Sprintf("part %d starts at point %d and ends at %d of %d", i+1, start, end, numPoints))
		}
		pts := make([]orb.Point, 0, end-start)
		for j := start; j < end; j++ {
			o := pointsAt + 16*j
			p := orb.Point{f64(c[o:]), f64(c[o+8:])}
			if !finite(p) {
				return nil, errShape(fmt.Sprintf("part %d has a point with no coordinates (NaN)", i+1))
			}
			pts = append(pts, p)
		}
		parts = append(parts, pts)
	}
	return parts, nil
}

func assembleLines(parts [][]orb.Point, issues *[]string) orb.Geometry {
	var ml orb.MultiLineString
	for _, p := range parts {
		if len(p) < 2 {
			*issues = append(*issues, "line part with fewer than 2 points dropped")
			continue
		}
		ml = append(ml, orb.LineString(p))
	}
	switch len(ml) {
	case 0:
		return nil
	case 1:
		return ml[0]
	}
	return ml
}

// assemblePolygons turns the rings of a polygon record into a Polygon or a MultiPolygon. The specification
// says outer rings run clockwise and holes counter-clockwise; each hole goes to the smallest outer ring that
// contains it. Like GDAL, a hole inside no outer ring becomes an outer ring of its own, and a record whose
// rings all run counter-clockwise (a writer that ignored the rule) is read by nesting instead.
func assemblePolygons(parts [][]orb.Point, issues *[]string) orb.Geometry {
	var shells, holes []ring
	for _, p := range parts {
		r := orb.Ring(p)
		if len(r) > 0 && r[0] != r[len(r)-1] {
			r = append(r, r[0])
			*issues = append(*issues, "unclosed ring closed")
		}
		area := signedArea(r)
		if len(r) < 4 || area == 0 {
			*issues = append(*issues, "degenerate ring (fewer than 3 distinct points or no area) dropped")
			continue
		}
		rg := ring{r: r, bound: r.Bound(), area: math.Abs(area)}
		if area < 0 {
			shells = append(shells, rg)
		} else {
			holes = append(holes, rg)
		}
	}
	if len(shells) == 0 {
		if len(holes) == 0 {
			return nil
		}
		shells, holes = byNesting(holes)
		*issues = append(*issues, "rings in the wrong orientation, outer rings found by nesting")
	}
	polys := make([]orb.Polygon, len(shells))
	for i, s := range shells {
		polys[i] = orb.Polygon{s.r}
	}
	for _, h := range holes {
		best := -1
		if len(shells) == 1 {
			best = 0 // the common case; a hole outside its only shell is left for the repair step to see
		} else {
			for i, s := range shells {
				if (best < 0 || s.area < shells[best].area) && s.contains(h) {
					best = i
				}
			}
		}
		if best < 0 {
			polys = append(polys, orb.Polygon{h.r})
			*issues = append(*issues, "hole inside no outer ring read as an outer ring")
			continue
		}
		polys[best] = append(polys[best], h.r)
	}
	if len(polys) == 1 {
		return polys[0]
	}
	return orb.MultiPolygon(polys)
}

type ring struct {
	r     orb.Ring
	bound orb.Bound
	area  float64
}

// contains tells whether inner lies inside r, from its bounding box and a vote of a few of its vertices (one
// vertex may sit on r's boundary, where ring-in-ring tests are ambiguous).
func (r ring) contains(inner ring) bool {
	if !r.bound.Contains(inner.bound.Min) || !r.bound.Contains(inner.bound.Max) {
		return false
	}
	in, votes := 0, 0
	step := len(inner.r)/5 + 1
	for i := 0; i < len(inner.r)-1 && votes < 5; i += step {
		votes++
		if pointInRing(r.r, inner.r[i]) {
			in++
		}
	}
	return in*2 > votes
}

// byNesting reads rings whose orientation cannot be trusted: a ring inside an odd number of others is a hole.
func byNesting(rs []ring) (shells, holes []ring) {
	for i, r := range rs {
		depth := 0
		for j, o := range rs {
			if i != j && o.area > r.area && o.contains(r) {
				depth++
			}
		}
		if depth%2 == 0 {
			shells = append(shells, r)
		} else {
			holes = append(holes, r)
		}
	}
	return shells, holes
}

// signedArea is the shoelace sum: positive counter-clockwise, negative clockwise (y pointing up). The
// coordinates are shifted to the first vertex so that Lambert-93's large numbers keep their precision.
func signedArea(r orb.Ring) float64 {
	if len(r) < 3 {
		return 0
	}
	x0, y0 := r[0][0], r[0][1]
	var sum float64
	for i := 0; i+1 < len(r); i++ {
		sum += (r[i][0]-x0)*(r[i+1][1]-y0) - (r[i+1][0]-x0)*(r[i][1]-y0)
	}
	return sum / 2
}

// pointInRing is the even-odd crossing test.
func pointInRing(r orb.Ring, p orb.Point) bool {
	in := false
	for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
		a, b := r[i], r[j]
		if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}

func f64(b []byte) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b)) }

func finite(p orb.Point) bool {
	return !math.IsNaN(p[0]) && !math.IsNaN(p[1]) && !math.IsInf(p[0], 0) && !math.IsInf(p[1], 0)
}
