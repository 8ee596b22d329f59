package geo

import (
	"math"
	"strconv"

	"github.com/paulmach/orb"
)

// GeoJSONDecimals is the number of decimals written for longitudes and latitudes: 1e-7 degree is about 1 cm,
// finer than any source patrimap reads, and it keeps files a third smaller than full float64 precision.
const GeoJSONDecimals = 7

// AppendGeoJSON appends g as an RFC 7946 GeoJSON geometry object to b: coordinates rounded to
// GeoJSONDecimals, polygon shells counter-clockwise and holes clockwise (the right-hand rule). A nil geometry
// is written as null. g is never modified.
func AppendGeoJSON(b []byte, g orb.Geometry) []byte {
	switch g := g.(type) {
	case nil:
		return append(b, "null"...)
	case orb.Point:
		b = append(b, `{"type":"Point","coordinates":`...)
		b = appendPoint(b, g)
	case orb.MultiPoint:
		b = append(b, `{"type":"MultiPoint","coordinates":`...)
		b = appendPoints(b, g, false)
	case orb.LineString:
		b = append(b, `{"type":"LineString","coordinates":`...)
		b = appendPoints(b, g, false)
	case orb.MultiLineString:
		b = append(b, `{"type":"MultiLineString","coordinates":[`...)
		for i, l := range g {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendPoints(b, l, false)
		}
		b = append(b, ']')
	case orb.Ring:
		b = append(b, `{"type":"Polygon","coordinates":`...)
		b = appendPolygon(b, orb.Polygon{g})
	case orb.Bound:
		b = append(b, `{"type":"Polygon","coordinates":`...)
		b = appendPolygon(b, g.ToPolygon())
	case orb.Polygon:
		b = append(b, `{"type":"Polygon","coordinates":`...)
		b = appendPolygon(b, g)
	case orb.MultiPolygon:
		b = append(b, `{"type":"MultiPolygon","coordinates":[`...)
		for i, p := range g {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendPolygon(b, p)
		}
		b = append(b, ']')
	case orb.Collection:
		b = append(b, `{"type":"GeometryCollection","geometries":[`...)
		for i, m := range g {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendGeoJSON(b, m)
		}
		b = append(b, "]}"...)
		return b
	default:
		return append(b, "null"...)
	}
	return append(b, '}')
}

func appendPolygon(b []byte, p orb.Polygon) []byte {
	b = append(b, '[')
	for i, r := range p {
		if i > 0 {
			b = append(b, ',')
		}
		// RFC 7946 §3.1.6: exterior rings counter-clockwise, holes clockwise.
		want := orb.CCW
		if i > 0 {
			want = orb.CW
		}
		reverse := r.Orientation() != want && r.Orientation() != 0
		b = appendPoints(b, r, reverse)
	}
	return append(b, ']')
}

func appendPoints(b []byte, ps []orb.Point, reverse bool) []byte {
	b = append(b, '[')
	n := len(ps)
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		p := ps[i]
		if reverse {
			p = ps[n-1-i]
		}
		b = appendPoint(b, p)
	}
	return append(b, ']')
}

func appendPoint(b []byte, p orb.Point) []byte {
	b = append(b, '[')
	b = AppendCoordinate(b, p[0])
	b = append(b, ',')
	b = AppendCoordinate(b, p[1])
	return append(b, ']')
}

// AppendCoordinate appends v rounded to GeoJSONDecimals, in its shortest form (6.27837, not 6.2783700).
func AppendCoordinate(b []byte, v float64) []byte {
	r := math.Round(v*1e7) / 1e7
	if r == 0 {
		r = 0 // no "-0"
	}
	return strconv.AppendFloat(b, r, 'f', -1, 64)
}
