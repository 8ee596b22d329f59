package territory

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// maxBoundaryFile bounds what FromFile reads: a département at full resolution is a few tens of MB.
const maxBoundaryFile = 256 << 20

// FromFile reads a --within boundary: a GeoJSON FeatureCollection, Feature or bare geometry whose Polygons
// and MultiPolygons (WGS84 longitude, latitude) are gathered into one MultiPolygon; other geometries are
// ignored. Name is the file name without its extension, Slug made from it.
func FromFile(path string) (*Territory, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("--within %s: %w", path, err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("--within %s: is a directory; give a GeoJSON file", path)
	}
	if fi.Size() > maxBoundaryFile {
		return nil, fmt.Errorf("--within %s: %d MB is too big for a boundary; simplify it first (e.g. ogr2ogr -simplify 0.0001)", path, fi.Size()>>20)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--within %s: %w", path, err)
	}
	if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) { // boundary.geojson.gz
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err == nil {
			data, err = io.ReadAll(io.LimitReader(zr, maxBoundaryFile))
		}
		if err != nil {
			return nil, fmt.Errorf("--within %s: gunzip: %w", path, err)
		}
	}
	mp, err := parseBoundary(bytes.TrimPrefix(data, []byte("\ufeff"))) // some GIS tools write a BOM
	if err != nil {
		return nil, fmt.Errorf("--within %s: %w", path, err)
	}
	name := filepath.Base(path)
	for _, ext := range []string{".gz", ".geojson", ".json"} {
		if len(name) > len(ext) && strings.EqualFold(name[len(name)-len(ext):], ext) {
			name = name[:len(name)-len(ext)]
		}
	}
	return &Territory{Name: name, Slug: Slug(name), Boundary: mp, BBox: mp.Bound()}, nil
}

// parseBoundary gathers the polygons of a GeoJSON document into a MultiPolygon, checking they are WGS84.
func parseBoundary(data []byte) (orb.MultiPolygon, error) {
	var head struct {
		Type string          `json:"type"`
		CRS  json.RawMessage `json:"crs"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("not a GeoJSON file: %v", err)
	}
	if err := checkCRS(head.CRS); err != nil {
		return nil, err
	}
	var geoms []orb.Geometry
	switch head.Type {
	case "FeatureCollection":
		fc, err := geojson.UnmarshalFeatureCollection(data)
		if err != nil {
			return nil, fmt.Errorf("not a GeoJSON FeatureCollection: %v", err)
		}
		for _, f := range fc.Features {
			geoms = append(geoms, f.Geometry)
		}
	case "Feature":
		f, err := geojson.UnmarshalFeature(data)
		if err != nil {
			return nil, fmt.Errorf("not a GeoJSON Feature: %v", err)
		}
		geoms = append(geoms, f.Geometry)
	case "Polygon", "MultiPolygon", "GeometryCollection", "Point", "MultiPoint", "LineString", "MultiLineString":
		g, err := geojson.UnmarshalGeometry(data)
		if err != nil {
			return nil, fmt.Errorf("not a GeoJSON geometry: %v", err)
		}
		geoms = append(geoms, g.Geometry())
	case "":
		return nil, errors.New(`not a GeoJSON file: no "type" member; want a FeatureCollection, a Feature or a (Multi)Polygon`)
	default:
		return nil, fmt.Errorf("GeoJSON type %q: want a FeatureCollection, a Feature or a (Multi)Polygon", head.Type)
	}
	var mp orb.MultiPolygon
	for _, g := range geoms {
		mp = appendPolygons(mp, g)
	}
	if len(mp) == 0 {
		return nil, errors.New("no Polygon or MultiPolygon found: the boundary must be an area (a territory's outline), not points or lines")
	}
	if err := checkPolygons(mp); err != nil {
		return nil, err
	}
	return mp, nil
}

// checkCRS rejects the pre-RFC 7946 "crs" member when it names something else than WGS84.
func checkCRS(raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var crs struct {
		Properties struct {
			Name string `json:"name"`
		} `json:"properties"`
	}
	if json.Unmarshal(raw, &crs) != nil {
		return nil
	}
	n := strings.ToUpper(crs.Properties.Name)
	if n == "" || strings.HasSuffix(n, "CRS84") || strings.HasSuffix(n, ":4326") || strings.HasSuffix(n, "::4326") {
		return nil
	}
	return fmt.Errorf("coordinates in %s: want WGS84 longitude/latitude (EPSG:4326); reproject it, e.g. ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson", crs.Properties.Name)
}

// appendPolygons adds the polygons of g (a Polygon, a MultiPolygon or a collection of them) to mp.
func appendPolygons(mp orb.MultiPolygon, g orb.Geometry) orb.MultiPolygon {
	switch g := g.(type) {
	case orb.Polygon:
		if len(g) > 0 {
			mp = append(mp, g)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			if len(p) > 0 {
				mp = append(mp, p)
			}
		}
	case orb.Collection:
		for _, x := range g {
			mp = appendPolygons(mp, x)
		}
	case orb.Bound:
		mp = append(mp, g.ToPolygon())
	}
	return mp
}

// checkPolygons checks that the rings are rings and the coordinates longitudes and latitudes.
func checkPolygons(mp orb.MultiPolygon) error {
	for i, p := range mp {
		for j, r := range p {
			if len(r) < 4 {
				return fmt.Errorf("polygon %d ring %d has %d points: a ring needs at least 4 (the last one repeating the first)", i+1, j+1, len(r))
			}
			for _, pt := range r {
				if math.IsNaN(pt[0]) || math.IsNaN(pt[1]) || math.Abs(pt[0]) > 180 || math.Abs(pt[1]) > 90 {
					return fmt.Errorf("coordinate [%g, %g] is not a WGS84 longitude, latitude: the file looks projected "+
						"(Lambert-93, EPSG:2154?); reproject it, e.g. ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson", pt[0], pt[1])
				}
			}
		}
	}
	return nil
}

// FromBBox reads a --bbox value, "west,south,east,north" in WGS84 degrees. The territory has no boundary and
// no slug.
func FromBBox(s string) (*Territory, error) {
	const form = `want "west,south,east,north" in WGS84 degrees, e.g. --bbox 5.60,45.10,5.85,45.25`
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return nil, fmt.Errorf("--bbox %q: %d numbers: %s", s, len(parts), form)
	}
	var v [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("--bbox %q: %q is not a number: %s", s, strings.TrimSpace(p), form)
		}
		v[i] = f
	}
	w, so, e, n := v[0], v[1], v[2], v[3]
	switch {
	case math.Abs(w) > 180 || math.Abs(e) > 180 || math.Abs(so) > 90 || math.Abs(n) > 90:
		return nil, fmt.Errorf("--bbox %q: longitudes must be within ±180 and latitudes within ±90 (projected coordinates?): %s", s, form)
	case w >= e:
		return nil, fmt.Errorf("--bbox %q: west %g must be less than east %g: %s", s, w, e, form)
	case so >= n:
		return nil, fmt.Errorf("--bbox %q: south %g must be less than north %g: %s", s, so, n, form)
	}
	return &Territory{BBox: orb.Bound{Min: orb.Point{w, so}, Max: orb.Point{e, n}}}, nil
}
