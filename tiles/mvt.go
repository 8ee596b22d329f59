package tiles

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
)

// Mapbox Vector Tile 2.1 (https://github.com/mapbox/vector-tile-spec/tree/master/2.1) through orb's encoding/mvt.
// patrimap prepares each layer's geometries itself (clipped, generalised, on the integer grid of Extent, rings
// wound as the spec says), so only the protobuf encoding is left to orb.

// MVTFeature is one feature of an MVT layer, its geometry in tile units.
type MVTFeature struct {
	ID         uint64
	Geometry   orb.Geometry
	Properties map[string]any // string, int64, float64, bool
}

// MVTLayer is one layer of a vector tile.
type MVTLayer struct {
	Name     string
	Extent   uint32
	Features []MVTFeature
}

// EncodeMVT encodes layers as a tile; layers without features are left out.
func EncodeMVT(layers []MVTLayer) ([]byte, error) {
	var ls mvt.Layers
	for _, l := range layers {
		if len(l.Features) == 0 {
			continue
		}
		fs := make([]*geojson.Feature, len(l.Features))
		for i, f := range l.Features {
			switch f.Geometry.(type) {
			case orb.Point, orb.MultiPoint, orb.LineString, orb.MultiLineString, orb.Polygon, orb.MultiPolygon:
			default:
				return nil, fmt.Errorf("layer %s, feature %d: geometry %T cannot go in a vector tile", l.Name, f.ID, f.Geometry)
			}
			gf := geojson.NewFeature(f.Geometry)
			gf.ID = f.ID
			gf.Properties = f.Properties
			fs[i] = gf
		}
		ls = append(ls, &mvt.Layer{Name: l.Name, Version: 2, Extent: l.Extent, Features: fs})
	}
	if len(ls) == 0 {
		return nil, nil
	}
	return mvt.Marshal(ls)
}

// DecodeMVT decodes a tile (not gzipped) into its layers, geometries in tile units (polygons split by ring
// winding, as the spec says), for the tests and the MBTiles export's checks.
func DecodeMVT(b []byte) ([]MVTLayer, error) {
	ls, err := mvt.Unmarshal(b)
	if err != nil {
		return nil, err
	}
	out := make([]MVTLayer, len(ls))
	for i, l := range ls {
		out[i] = MVTLayer{Name: l.Name, Extent: l.Extent, Features: make([]MVTFeature, len(l.Features))}
		for j, f := range l.Features {
			var id uint64
			switch v := f.ID.(type) {
			case uint64:
				id = v
			case float64:
				id = uint64(v)
			case int64:
				id = uint64(v)
			}
			out[i].Features[j] = MVTFeature{ID: id, Geometry: f.Geometry, Properties: map[string]any(f.Properties)}
		}
	}
	return out, nil
}
