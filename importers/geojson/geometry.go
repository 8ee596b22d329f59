package geojson

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"

	"github.com/paulmach/orb"
	orbjson "github.com/paulmach/orb/geojson"
)

// parseGeometry decodes a GeoJSON geometry object. It is the hot path of an import: coordinates are read in
// one pass straight into orb types, where orb's decoder (through encoding/json) scans them twice with
// reflection. GeometryCollections, rare, go through orb. raw has already been checked as JSON by the decoder.
func parseGeometry(raw []byte) (orb.Geometry, error) {
	var typ string
	var coords []byte
	var collection orb.Geometry
	err := eachMember(raw, func(key, value []byte) error {
		// Member names compare as encoding/json does, ignoring case (some writers say "Type").
		switch {
		case bytes.EqualFold(key, []byte(`"type"`)):
			var err error
			if typ, err = jsonString(value); err != nil {
				return fmt.Errorf("type: %v", err)
			}
		case bytes.EqualFold(key, []byte(`"coordinates"`)):
			coords = value
		case bytes.EqualFold(key, []byte(`"geometries"`)):
			g, err := orbjson.UnmarshalGeometry(raw)
			if err != nil {
				return err
			}
			collection = g.Geometry()
		}
		return nil
	})
	if err != nil || collection != nil {
		return collection, err
	}
	if typ == "" {
		return nil, errors.New(`no "type"`)
	}
	if coords == nil {
		if typ == "GeometryCollection" {
			return orb.Collection{}, nil
		}
		return nil, errors.New("no coordinates")
	}
	if bytes.Equal(bytes.TrimSpace(coords), []byte("null")) {
		// "coordinates": null reads as orb reads it, an empty geometry of its type (a Point with none is
		// then refused below: patrimap does not invent a place).
		coords = []byte("[]")
	}
	p := coordParser{b: coords}
	var g orb.Geometry
	switch typ {
	case "Point":
		g, err = p.point()
	case "MultiPoint":
		var ps []orb.Point
		ps, err = p.points()
		g = orb.MultiPoint(ps)
	case "LineString":
		var ps []orb.Point
		ps, err = p.points()
		g = orb.LineString(ps)
	case "MultiLineString":
		var ls [][]orb.Point
		ls, err = p.lines()
		mls := make(orb.MultiLineString, len(ls))
		for k, l := range ls {
			mls[k] = l
		}
		g = mls
	case "Polygon":
		var ls [][]orb.Point
		ls, err = p.lines()
		g = toPolygon(ls)
	case "MultiPolygon":
		var mp orb.MultiPolygon
		err = p.array(func() error {
			ls, err := p.lines()
			mp = append(mp, toPolygon(ls))
			return err
		})
		g = mp
	default:
		return nil, fmt.Errorf("unknown type %q", typ)
	}
	if err != nil {
		return nil, fmt.Errorf("%s coordinates: %v", typ, err)
	}
	if i := skipSpace(p.b, p.i); i != len(p.b) {
		return nil, fmt.Errorf("%s coordinates: unexpected data at byte %d", typ, i)
	}
	return g, nil
}

func toPolygon(ls [][]orb.Point) orb.Polygon {
	poly := make(orb.Polygon, len(ls))
	for k, l := range ls {
		poly[k] = l
	}
	return poly
}

// coordParser reads nested arrays of numbers.
type coordParser struct {
	b []byte
	i int
}

func (p *coordParser) expect(c byte) error {
	p.i = skipSpace(p.b, p.i)
	if p.i >= len(p.b) || p.b[p.i] != c {
		return fmt.Errorf("expected %q at byte %d", c, p.i)
	}
	p.i++
	return nil
}

// array reads "[ item, item, ... ]", calling item for each element.
func (p *coordParser) array(item func() error) error {
	if err := p.expect('['); err != nil {
		return err
	}
	p.i = skipSpace(p.b, p.i)
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return nil
	}
	for {
		if err := item(); err != nil {
			return err
		}
		p.i = skipSpace(p.b, p.i)
		if p.i >= len(p.b) {
			return errors.New("unterminated array")
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return nil
		default:
			return fmt.Errorf("expected ',' or ']' at byte %d", p.i)
		}
	}
}

// point reads a position: two or more numbers, of which x and y are kept (a third, the altitude, is dropped).
func (p *coordParser) point() (orb.Point, error) {
	var pt orb.Point
	n := 0
	err := p.array(func() error {
		v, err := p.number()
		if n < 2 {
			pt[n] = v
		}
		n++
		return err
	})
	if err == nil && n < 2 {
		err = fmt.Errorf("a position needs two numbers, got %d (byte %d)", n, p.i)
	}
	return pt, err
}

func (p *coordParser) points() ([]orb.Point, error) {
	var ps []orb.Point
	err := p.array(func() error {
		pt, err := p.point()
		ps = append(ps, pt)
		return err
	})
	return ps, err
}

func (p *coordParser) lines() ([][]orb.Point, error) {
	var ls [][]orb.Point
	err := p.array(func() error {
		ps, err := p.points()
		ls = append(ls, ps)
		return err
	})
	return ls, err
}

func (p *coordParser) number() (float64, error) {
	p.i = skipSpace(p.b, p.i)
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		if (c < '0' || c > '9') && c != '-' && c != '+' && c != '.' && c != 'e' && c != 'E' {
			break
		}
		p.i++
	}
	if start == p.i {
		return 0, fmt.Errorf("expected a number at byte %d", start)
	}
	v, err := strconv.ParseFloat(string(p.b[start:p.i]), 64)
	if err != nil {
		return 0, fmt.Errorf("bad number %q at byte %d", p.b[start:p.i], start)
	}
	return v, nil
}
