package tiles

import (
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/store"
)

// TileJSON is a TileJSON 3.0.0 document (https://github.com/mapbox/tilejson-spec/tree/master/3.0.0).
type TileJSON struct {
	TileJSON     string        `json:"tilejson"`
	Name         string        `json:"name,omitempty"`
	Description  string        `json:"description,omitempty"`
	Version      string        `json:"version,omitempty"`
	Attribution  string        `json:"attribution,omitempty"`
	Scheme       string        `json:"scheme"`
	Tiles        []string      `json:"tiles"`
	MinZoom      int           `json:"minzoom"`
	MaxZoom      int           `json:"maxzoom"`
	Bounds       []float64     `json:"bounds,omitempty"`
	Center       []float64     `json:"center,omitempty"`
	VectorLayers []VectorLayer `json:"vector_layers"`
	Format       string        `json:"format,omitempty"` // not in the spec; MBTiles metadata and some clients read it
}

// VectorLayer describes one MVT layer: its id and its fields with their types ("String", "Number", "Boolean",
// as TileJSON and MBTiles use).
type VectorLayer struct {
	ID          string            `json:"id"`
	Description string            `json:"description,omitempty"`
	MinZoom     int               `json:"minzoom"`
	MaxZoom     int               `json:"maxzoom"`
	Fields      map[string]string `json:"fields"`
}

// NewTileJSON describes layers served at tileURL (with {z}, {x} and {y}).
func NewTileJSON(layers []Layer, tileURL string) TileJSON {
	tj := TileJSON{TileJSON: "3.0.0", Scheme: "xyz", Tiles: []string{tileURL}, MinZoom: 0, MaxZoom: MaxZoom, Format: "pbf"}
	var (
		names, attributions, versions []string
		bound                         *orb.Bound
	)
	for _, l := range layers {
		d := l.Dataset
		names = append(names, d.Title)
		if d.Attribution != "" {
			attributions = appendUnique(attributions, d.Attribution)
		} else if d.Producer != "" {
			a := d.Producer
			if d.Licence != "" {
				a += " (" + d.Licence + ")"
			}
			attributions = appendUnique(attributions, a)
		}
		versions = append(versions, d.ID+"@"+strconv.FormatInt(d.Version, 10))
		if d.BBox != nil {
			if bound == nil {
				b := *d.BBox
				bound = &b
			} else {
				b := bound.Union(*d.BBox)
				bound = &b
			}
		}
		vl := VectorLayer{ID: d.ID, Description: d.Title, MinZoom: 0, MaxZoom: MaxZoom, Fields: map[string]string{}}
		for _, f := range l.Fields {
			vl.Fields[f.Name] = fieldType(f.Type)
		}
		if !strings.Contains(d.GeometryType, "LINESTRING") {
			// A point may stand for several points up to store.ClusterMaxZoom (when the store keeps clusters),
			// a site's square for the sites too small to draw in its cell up to store.PyramidMaxZoom
			// (squares.go), or in a tile over the size cap (cap.go).
			vl.Fields["point_count"] = "Number"
		}
		tj.VectorLayers = append(tj.VectorLayers, vl)
	}
	tj.Name = strings.Join(names, " + ")
	tj.Attribution = strings.Join(attributions, " · ")
	tj.Version = strings.Join(versions, ",")
	if bound != nil {
		b := *bound
		tj.Bounds = []float64{round6(b.Min[0]), round6(b.Min[1]), round6(b.Max[0]), round6(b.Max[1])}
		c := b.Center()
		tj.Center = []float64{round6(c[0]), round6(c[1]), float64(centerZoom(b))}
	}
	return tj
}

// centerZoom is the zoom at which b fits a 1024-px-wide view, for a map's first view.
func centerZoom(b orb.Bound) int {
	span := math.Max(width(b), height(b)*1.5)
	if span <= 0 {
		return MaxZoom
	}
	z := int(math.Floor(math.Log2(360 * 4 / span)))
	return max(0, min(z, MaxZoom))
}

func fieldType(t store.FieldType) string {
	switch t {
	case store.FieldInteger, store.FieldReal:
		return "Number"
	case store.FieldBoolean:
		return "Boolean"
	}
	return "String"
}

func appendUnique(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }
