package umap

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/paulmach/orb/project"
	"github.com/paulmach/orb/simplify"

	"github.com/patrimap/patrimap/geo"
)

// HalfPixel is half the width of a web-map pixel at zoom z, in degrees of longitude: the Douglas-Peucker
// tolerance at which a simplified outline cannot be told from the original at that zoom.
func HalfPixel(z int) float64 { return 360 / (256 * math.Exp2(float64(z))) / 2 }

// Simplify returns a copy of g simplified with Douglas-Peucker at tolerance (degrees) and rounded to the
// decimals that tolerance makes meaningful. Points pass unchanged; a ring or polygon that would collapse is
// kept as it was, so that no feature disappears. g is not modified.
func Simplify(g orb.Geometry, tolerance float64) orb.Geometry {
	if g == nil || tolerance <= 0 {
		return g
	}
	switch g.(type) {
	case orb.Point, orb.MultiPoint:
		return g
	}
	s := simplify.DouglasPeucker(tolerance).Simplify(orb.Clone(g))
	s = project.Geometry(s, roundTo(decimalsFor(tolerance)))
	if s = dropDegenerate(s); s != nil {
		return s
	}
	// Smaller than the tolerance: its bounding box says where it is at that zoom, in five positions.
	if geo.FamilyOf(g) == geo.FamilyPolygon {
		if p := cleanPolygon(orb.Polygon(project.Polygon(g.Bound().ToPolygon(), roundTo(geo.GeoJSONDecimals)))); p != nil {
			return p
		}
	}
	return g
}

// decimalsFor is how many decimals of a degree still matter once a geometry is simplified at tolerance.
func decimalsFor(tolerance float64) int {
	d := int(math.Ceil(-math.Log10(tolerance))) + 1
	return max(4, min(geo.GeoJSONDecimals, d))
}

func roundTo(decimals int) orb.Projection {
	p := math.Pow10(decimals)
	return func(pt orb.Point) orb.Point {
		return orb.Point{math.Round(pt[0]*p) / p, math.Round(pt[1]*p) / p}
	}
}

// dropDegenerate removes the rings that rounding left with fewer than four distinct positions, and the
// polygons whose shell did; nil when nothing is left.
func dropDegenerate(g orb.Geometry) orb.Geometry {
	switch g := g.(type) {
	case orb.Polygon:
		if p := cleanPolygon(g); p != nil {
			return p
		}
		return nil
	case orb.MultiPolygon:
		var out orb.MultiPolygon
		for _, p := range g {
			if p = cleanPolygon(p); p != nil {
				out = append(out, p)
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case orb.LineString:
		if l := dedupe(g); len(l) >= 2 {
			return l
		}
		return nil
	case orb.MultiLineString:
		var out orb.MultiLineString
		for _, l := range g {
			if l = dedupe(l); len(l) >= 2 {
				out = append(out, l)
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
	return g
}

func cleanPolygon(p orb.Polygon) orb.Polygon {
	var out orb.Polygon
	for i, r := range p {
		r = orb.Ring(dedupe(orb.LineString(r)))
		if len(r) < 4 || planar.Area(r) == 0 {
			if i == 0 {
				return nil
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

func dedupe(l orb.LineString) orb.LineString {
	if len(l) == 0 {
		return l
	}
	out := l[:1]
	for _, p := range l[1:] {
		if p != out[len(out)-1] {
			out = append(out, p)
		}
	}
	return out
}

// featureJSON is a uMap feature: geometry and properties, no id (uMap gives its own).
func featureJSON(f featureData, tolerance float64) json.RawMessage {
	b := make([]byte, 0, 256)
	b = append(b, `{"type":"Feature","geometry":`...)
	b = geo.AppendGeoJSON(b, Simplify(f.geom, tolerance))
	b = append(b, `,"properties":`...)
	b = append(b, f.props...)
	return append(b, '}')
}

// ErrOverBudget is wrapped by Build's error when a snapshot cannot fit its budget.
var ErrOverBudget = errors.New("over the budget")

// fitZooms are the zooms whose half pixel fit tries as tolerance, finest first.
var fitZooms = []int{18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4}

// fit puts the features of layers into b, simplified at the finest tolerance that keeps the backup within
// rep.Budget bytes.
func fit(b *Backup, layers []*layerData, rep *Report) error {
	empty, err := json.Marshal(b)
	if err != nil {
		return err
	}
	base := int64(len(empty))
	try := func(tol float64) ([][]json.RawMessage, int64) {
		size := base
		out := make([][]json.RawMessage, len(layers))
		for i, ld := range layers {
			out[i] = make([]json.RawMessage, 0, len(ld.features))
			for _, f := range ld.features {
				raw := featureJSON(f, tol)
				size += int64(len(raw)) + 1
				out[i] = append(out[i], raw)
			}
		}
		return out, size
	}
	features, size := try(0)
	zoom := 0
	if size > rep.Budget {
		for _, z := range fitZooms {
			if features, size = try(HalfPixel(z)); size <= rep.Budget {
				zoom = z
				break
			}
		}
		if size > rep.Budget {
			return fmt.Errorf("umap: the map is %s even simplified for zoom %d, %w of %s: "+
				"raise --budget, export fewer datasets, or make a live map (--live) that fetches features per view",
				humanBytes(size), fitZooms[len(fitZooms)-1], ErrOverBudget, humanBytes(rep.Budget))
		}
		rep.Tolerance, rep.ToleranceZoom = HalfPixel(zoom), zoom
		rep.Warnings = append(rep.Warnings, fmt.Sprintf(
			"the budget of %s bites: outlines simplified to %.5f° (about %.0f m), exact up to zoom %d; "+
				"raise --budget or use --live for full detail", humanBytes(rep.Budget), HalfPixel(zoom),
			HalfPixel(zoom)*111_000, zoom))
	}
	for i := range b.Layers {
		b.Layers[i].Features = features[i]
		rep.Layers[i].Features = len(features[i])
	}
	return nil
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
