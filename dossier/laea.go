package dossier

import (
	"math"

	"github.com/paulmach/orb"
)

// Areas are measured in the ETRS89 Lambert azimuthal equal-area projection (EPSG:3035): an equal-area
// projection keeps every area exact whatever the distortion of shapes, so hectares measured there are the areas
// on the GRS80 ellipsoid (the difference with PostGIS's ST_Area on the geography is that of straight edges drawn
// in one or the other space: negligible at the scale of a commune). Lambert-93, conformal, would shrink Isère by
// 0.14 %. The formulas are Snyder's (Map Projections: A Working Manual, 1987, p. 187) for the ellipsoid.

const (
	grs80A  = 6378137.0
	grs80F  = 1 / 298.257222101
	laeaLat = 52 * math.Pi / 180 // EPSG:3035's centre: 52°N 10°E
	laeaLon = 10 * math.Pi / 180
	laeaE0  = 4321000.0 // false easting
	laeaN0  = 3210000.0 // false northing
)

// laea is the EPSG:3035 projection's constants.
type laea struct {
	e2, e, qp, rq, sinB1, cosB1, d float64
}

func newLAEA() laea {
	var p laea
	p.e2 = 2*grs80F - grs80F*grs80F
	p.e = math.Sqrt(p.e2)
	p.qp = p.q(math.Pi / 2)
	p.rq = grs80A * math.Sqrt(p.qp/2)
	b1 := math.Asin(p.q(laeaLat) / p.qp)
	p.sinB1, p.cosB1 = math.Sincos(b1)
	sinP1 := math.Sin(laeaLat)
	m1 := math.Cos(laeaLat) / math.Sqrt(1-p.e2*sinP1*sinP1)
	p.d = grs80A * m1 / (p.rq * p.cosB1)
	return p
}

// q is Snyder's q (3-12), which gives the authalic latitude.
func (p laea) q(phi float64) float64 {
	s := math.Sin(phi)
	return (1 - p.e2) * (s/(1-p.e2*s*s) - 1/(2*p.e)*math.Log((1-p.e*s)/(1+p.e*s)))
}

// forward projects a WGS84 longitude, latitude (degrees) to EPSG:3035 easting, northing (metres).
func (p laea) forward(pt orb.Point) orb.Point {
	phi, lam := pt[1]*math.Pi/180, pt[0]*math.Pi/180-laeaLon
	sinB, cosB := math.Sincos(math.Asin(p.q(phi) / p.qp))
	sinL, cosL := math.Sincos(lam)
	b := p.rq * math.Sqrt(2/(1+p.sinB1*sinB+p.cosB1*cosB*cosL))
	return orb.Point{laeaE0 + b*p.d*cosB*sinL, laeaN0 + b/p.d*(p.cosB1*sinB-p.sinB1*cosB*cosL)}
}
