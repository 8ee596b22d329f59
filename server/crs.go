package server

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/geo"
	"github.com/patrimap/patrimap/store"
)

// crsInfo is an output or bbox CRS of OGC API – Features Part 2.
type crsInfo struct {
	URI  string
	SRID int
	// LatLon is true for EPSG:4326, whose official axis order is latitude first (CRS84 is the same datum with
	// longitude first, GeoJSON's order).
	LatLon bool
}

const crs84URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

// supportedCRS are the CRS every collection can be served in: WGS84 both ways, Lambert-93 (what French GIS
// users work in) and Web Mercator.
var supportedCRS = []crsInfo{
	{URI: crs84URI, SRID: 4326},
	{URI: "http://www.opengis.net/def/crs/EPSG/0/4326", SRID: 4326, LatLon: true},
	{URI: "http://www.opengis.net/def/crs/EPSG/0/2154", SRID: 2154},
	{URI: "http://www.opengis.net/def/crs/EPSG/0/3857", SRID: 3857},
}

func crsURIs() []string {
	out := make([]string, len(supportedCRS))
	for i, c := range supportedCRS {
		out[i] = c.URI
	}
	return out
}

// parseCRS reads a CRS as a URI, a safe CURIE ([EPSG:2154]) or EPSG:2154; "" is CRS84.
func parseCRS(param, raw string) (crsInfo, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return supportedCRS[0], nil
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	for _, c := range supportedCRS {
		if s == c.URI || strings.TrimPrefix(c.URI, "https://") == strings.TrimPrefix(s, "https://") {
			return c, nil
		}
	}
	switch up := strings.ToUpper(s); {
	case up == "CRS84" || up == "OGC:CRS84":
		return supportedCRS[0], nil
	case strings.HasPrefix(up, "EPSG:"):
		code, err := strconv.Atoi(up[5:])
		if err == nil {
			for _, c := range supportedCRS[1:] {
				if c.SRID == code {
					return c, nil
				}
			}
		}
	}
	return crsInfo{}, fmt.Errorf("%s=%s is not supported: use one of %s", param, raw, strings.Join(crsURIs(), ", "))
}

// toCRS puts f's geometry (stored in WGS84 longitude/latitude) in the output CRS c.
func (s *Server) toCRS(f *store.Feature, c crsInfo) error {
	if c.LatLon {
		f.Geometry = swapAxes(f.Geometry)
		return nil
	}
	g, err := s.reproject.Reproject(f.Geometry, geo.WGS84, c.SRID)
	if err != nil {
		return fmt.Errorf("feature %d to EPSG:%d: %w", f.FID, c.SRID, err)
	}
	f.Geometry = g
	return nil
}

// swapAxes exchanges x and y in place: GeoJSON's longitude, latitude become EPSG:4326's latitude, longitude.
func swapAxes(g orb.Geometry) orb.Geometry {
	switch g := g.(type) {
	case orb.Point:
		return orb.Point{g[1], g[0]}
	case orb.MultiPoint:
		for i := range g {
			g[i] = orb.Point{g[i][1], g[i][0]}
		}
	case orb.LineString:
		swapAxes(orb.MultiPoint(g))
	case orb.Ring:
		swapAxes(orb.MultiPoint(g))
	case orb.MultiLineString:
		for _, l := range g {
			swapAxes(orb.MultiPoint(l))
		}
	case orb.Polygon:
		for _, r := range g {
			swapAxes(orb.MultiPoint(r))
		}
	case orb.MultiPolygon:
		for _, p := range g {
			swapAxes(p)
		}
	case orb.Collection:
		for i := range g {
			g[i] = swapAxes(g[i])
		}
	}
	return g
}
