package geo

import "github.com/paulmach/orb"

// Family groups geometry types that can share one storage column once promoted to their multi type.
type Family int

// Families, in the order used for reporting.
const (
	FamilyNone Family = iota
	FamilyPoint
	FamilyLine
	FamilyPolygon
	FamilyCollection
)

// FamilyOf tells which family g belongs to.
func FamilyOf(g orb.Geometry) Family {
	switch g.(type) {
	case orb.Point, orb.MultiPoint:
		return FamilyPoint
	case orb.LineString, orb.MultiLineString:
		return FamilyLine
	case orb.Polygon, orb.MultiPolygon, orb.Ring, orb.Bound:
		return FamilyPolygon
	case orb.Collection:
		return FamilyCollection
	}
	return FamilyNone
}

// LayerType decides the one geometry type a layer is stored with, from what was seen in it: the SpatiaLite
// names POINT, MULTIPOINT, MULTILINESTRING, MULTIPOLYGON, or GEOMETRY when families are mixed; "" when the
// layer has no geometry at all.
//
// Lines and polygons are always stored as multi types (as ogr2ogr's PROMOTE_TO_MULTI does) because repairing an
// invalid polygon can split it; points stay POINT unless a MultiPoint was seen, since that is what users expect
// of a point layer.
type LayerType struct {
	points, multiPoints, lines, polygons, collections int
}

// Observe records one geometry of the layer.
func (t *LayerType) Observe(g orb.Geometry) {
	switch g.(type) {
	case orb.Point:
		t.points++
	case orb.MultiPoint:
		t.multiPoints++
	case orb.LineString, orb.MultiLineString:
		t.lines++
	case orb.Polygon, orb.MultiPolygon, orb.Ring, orb.Bound:
		t.polygons++
	case orb.Collection:
		t.collections++
	}
}

// Name returns the SpatiaLite geometry type for the layer.
func (t LayerType) Name() string {
	families := 0
	for _, n := range []int{t.points + t.multiPoints, t.lines, t.polygons, t.collections} {
		if n > 0 {
			families++
		}
	}
	switch {
	case families == 0:
		return ""
	case families > 1 || t.collections > 0:
		return "GEOMETRY"
	case t.multiPoints > 0:
		return "MULTIPOINT"
	case t.points > 0:
		return "POINT"
	case t.lines > 0:
		return "MULTILINESTRING"
	default:
		return "MULTIPOLYGON"
	}
}

// AsLayerType returns g as a layer of type layerType (see LayerType.Name) stores it: promoted to the layer's
// multi type (a Polygon in a MULTIPOLYGON layer is a MultiPolygon of one part); anything else as it is.
func AsLayerType(g orb.Geometry, layerType string) orb.Geometry {
	switch g := g.(type) {
	case orb.Point:
		if layerType == "MULTIPOINT" {
			return orb.MultiPoint{g}
		}
	case orb.LineString:
		if layerType == "MULTILINESTRING" {
			return orb.MultiLineString{g}
		}
	case orb.Polygon:
		if layerType == "MULTIPOLYGON" {
			return orb.MultiPolygon{g}
		}
	case orb.Ring:
		return AsLayerType(orb.Polygon{g}, layerType)
	case orb.Bound:
		return AsLayerType(g.ToPolygon(), layerType)
	}
	return g
}
