package umap

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// optionTypes are the JSON types uMap's schema (modules/schema.js, uMap 3.8) gives the options a map or a
// layer may carry: "boolean", "number", "string", "object" or "array"; nullable ones also accept null.
// Schema.isValidValue drops a value whose constructor is not the declared one ("4" for a Number).
var optionTypes = map[string]struct {
	typ      string
	nullable bool
}{
	"browsable": {"boolean", false}, "captionBar": {"boolean", false}, "captionControl": {"boolean", true},
	"captionMenus": {"boolean", false}, "categorized": {"object", false}, "choropleth": {"object", false},
	"circles": {"object", false}, "cluster": {"object", false}, "color": {"string", false},
	"condition": {"string", false}, "dashArray": {"string", false}, "datalayersControl": {"boolean", true},
	"defaultView": {"string", false}, "description": {"string", false}, "displayOnLoad": {"boolean", false},
	"displayPopupFooter": {"boolean", false}, "easing": {"boolean", false}, "editors": {"array", false},
	"embedControl": {"boolean", true}, "filters": {"array", false}, "fields": {"array", false},
	"fill": {"boolean", false}, "fillColor": {"string", false}, "fillOpacity": {"number", false},
	"filterKey": {"string", false}, "fromZoom": {"number", false}, "fullscreenControl": {"boolean", true},
	"group": {"boolean", false}, "heat": {"object", false}, "homeControl": {"boolean", false},
	"iconClass": {"string", false}, "iconOpacity": {"number", false}, "iconSize": {"number", false},
	"iconUrl": {"string", false}, "inCaption": {"boolean", false}, "interactive": {"boolean", false},
	"labelDirection": {"string", false}, "labelInteractive": {"boolean", false}, "labelKey": {"string", false},
	"layerSwitcher": {"boolean", false}, "limitBounds": {"object", false}, "locateControl": {"boolean", true},
	"longCredit": {"string", false}, "measureControl": {"boolean", true}, "mask": {"boolean", false},
	"miniMapControl": {"boolean", false}, "moreControl": {"boolean", false}, "name": {"string", false},
	"onLoadPanel": {"string", false}, "opacity": {"number", false}, "outlink": {"string", false},
	"outlinkTarget": {"string", false}, "overlay": {"object", true}, "permanentCredit": {"string", false},
	"permanentCreditBackground": {"boolean", false}, "popupContentTemplate": {"string", false},
	"popupShape": {"string", false}, "popupTemplate": {"string", false}, "printControl": {"boolean", true},
	"rank": {"number", false}, "remoteData": {"object", false}, "rules": {"object", false},
	"scaleControl": {"boolean", false}, "scrollWheelZoom": {"boolean", false}, "searchControl": {"boolean", true},
	"shortCredit": {"string", false}, "showLabel": {"boolean", true}, "slideshow": {"object", false},
	"slugKey": {"string", false}, "smoothFactor": {"number", false}, "sortKey": {"string", false},
	"stroke": {"boolean", false}, "textPath": {"string", false}, "textPathColor": {"string", false},
	"textPathOffset": {"number", false}, "textPathRepeat": {"boolean", false}, "textPathRotate": {"number", false},
	"textPathSize": {"number", false}, "tilelayer": {"object", false}, "tilelayersControl": {"boolean", true},
	"toZoom": {"number", false}, "ttl": {"number", false}, "type": {"string", false}, "weight": {"number", false},
	"zoom": {"number", false}, "zoomControl": {"boolean", true}, "zoomTo": {"number", false},
}

// remoteFormats are the formats uMap's Formatter parses remote data in.
var remoteFormats = []string{"geojson", "csv", "gpx", "kml", "osm", "georss"}

// geoContext are the keys uMap substitutes in a remote-data URL (rendering/leaflet.js getGeoContext).
var geoContext = []string{"bbox", "north", "east", "south", "west", "lat", "lng", "zoom", "left", "bottom", "right", "top"}

var templateKey = regexp.MustCompile(`\{ *([^{}/-]+)(?:\|("[^"]*"))? *\}`)

// Problem is one finding of Validate.
type Problem struct {
	// Path locates the value: "layers[2].properties.weight".
	Path string
	// Fatal problems make uMap's import fail or lose data; the others make uMap ignore a value (a number
	// written as a string, a choice it does not know), as uMap's own older backups sometimes do.
	Fatal   bool
	Message string
}

func (p Problem) String() string {
	kind := "ignored by uMap"
	if p.Fatal {
		kind = "breaks the import"
	}
	return fmt.Sprintf("%s: %s (%s)", p.Path, p.Message, kind)
}

// Validate checks a .umap file the way uMap's "Full map backup" import reads it (app.js importRaw,
// createDataLayer, DataLayer and Schema.isValidValue): top-level type "umap", an absolute uri when present,
// properties, a Point geometry, layers that are FeatureCollections with their options under properties or
// _umap_options, features of the geometry types uMap draws, and option values of the JSON type and choice
// list uMap's schema declares.
func Validate(data []byte) []Problem {
	var ps []Problem
	add := func(path string, fatal bool, format string, args ...any) {
		ps = append(ps, Problem{Path: path, Fatal: fatal, Message: fmt.Sprintf(format, args...)})
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		add("$", true, "not a JSON object: %v", err)
		return ps
	}
	var typ string
	if json.Unmarshal(top["type"], &typ) != nil || typ != "umap" {
		add("type", true, `must be "umap" (uMap detects a backup by it), got %s`, top["type"])
	}
	if raw, ok := top["uri"]; ok {
		var u string
		if json.Unmarshal(raw, &u) != nil {
			add("uri", true, "must be a string")
		} else if pu, err := url.Parse(u); err != nil || pu.Scheme == "" || pu.Host == "" {
			add("uri", true, "%q: uMap parses it with new URL(), which needs an absolute URL", u)
		}
	}
	var props map[string]any
	if err := json.Unmarshal(top["properties"], &props); err != nil || props == nil {
		add("properties", true, "must be an object (uMap lists its keys)")
	} else {
		checkOptions(add, "properties", props, true)
	}
	if raw, ok := top["geometry"]; ok {
		var g struct {
			Type        string    `json:"type"`
			Coordinates []float64 `json:"coordinates"`
		}
		if err := json.Unmarshal(raw, &g); err != nil || g.Type != "Point" || len(g.Coordinates) != 2 || !lonLat(g.Coordinates) {
			add("geometry", true, "must be a Point at the map's centre, longitude then latitude, got %s", raw)
		}
	}
	var layers []json.RawMessage
	if err := json.Unmarshal(top["layers"], &layers); err != nil || layers == nil {
		add("layers", true, "must be an array of layers")
	}
	for i, raw := range layers {
		checkLayer(add, fmt.Sprintf("layers[%d]", i), raw)
	}
	return ps
}

func checkLayer(add func(string, bool, string, ...any), path string, raw json.RawMessage) {
	var l map[string]json.RawMessage
	if err := json.Unmarshal(raw, &l); err != nil || l == nil {
		add(path, true, "must be an object")
		return
	}
	var typ string
	if json.Unmarshal(l["type"], &typ) != nil || typ != "FeatureCollection" {
		add(path+".type", true, `must be "FeatureCollection"`)
	}
	var opts, legacy map[string]any
	_, hasProps := l["properties"]
	_, hasLegacy := l["_umap_options"]
	if hasProps && (json.Unmarshal(l["properties"], &opts) != nil || opts == nil) {
		add(path+".properties", true, "must be an object")
	}
	if hasLegacy && (json.Unmarshal(l["_umap_options"], &legacy) != nil || legacy == nil) {
		add(path+"._umap_options", true, "must be an object")
	}
	switch {
	case opts != nil:
		checkOptions(add, path+".properties", opts, false)
		if legacy != nil {
			a, _ := json.Marshal(opts)
			b, _ := json.Marshal(legacy)
			if string(a) != string(b) {
				add(path+"._umap_options", false, "differs from properties: uMap ≥ 3.7 reads properties, older ones _umap_options")
			}
		}
	case legacy != nil:
		checkOptions(add, path+"._umap_options", legacy, false)
	default:
		add(path, false, "has no options (properties or _umap_options): the layer gets a default name")
	}
	if _, ok := l["features"]; !ok {
		return
	}
	var features []json.RawMessage
	if err := json.Unmarshal(l["features"], &features); err != nil {
		add(path+".features", true, "must be an array")
		return
	}
	for i, f := range features {
		checkFeature(add, fmt.Sprintf("%s.features[%d]", path, i), f)
	}
}

func checkOptions(add func(string, bool, string, ...any), path string, opts map[string]any, isMap bool) {
	for _, k := range sortedKeys(opts) {
		v := opts[k]
		p := path + "." + k
		if k == "licence" && isMap {
			if m, ok := v.(map[string]any); ok {
				if _, ok := m["name"].(string); !ok {
					add(p, false, "licence needs a name (uMap's caption shows licence.name)")
				}
				continue
			}
			if _, ok := v.(string); !ok {
				add(p, false, "must be {name, url} or a string")
			}
			continue
		}
		spec, known := optionTypes[k]
		if !known {
			continue // uMap keeps unknown keys and ignores them
		}
		if v == nil {
			if !spec.nullable {
				add(p, false, "null where uMap expects a %s", spec.typ)
			}
			continue
		}
		if got := jsonType(v); got != spec.typ {
			add(p, false, "%s %v where uMap expects a %s", got, v, spec.typ)
			continue
		}
		if s, ok := v.(string); ok {
			if choices, ok := Choices[k]; ok && !slices.Contains(choices, s) {
				add(p, false, "%q is not one of uMap's choices: %s", s, strings.Join(choices, ", "))
			}
		}
		switch k {
		case "tilelayer":
			t := v.(map[string]any)
			if len(t) > 0 {
				if u, _ := t["url_template"].(string); !strings.Contains(u, "{z}") {
					add(p+".url_template", false, "a tile layer needs a url_template with {z}, {x} and {y}")
				}
				for _, z := range []string{"minZoom", "maxZoom"} {
					if _, ok := t[z].(float64); !ok && t[z] != nil {
						add(p+"."+z, false, "must be a number")
					}
				}
			}
		case "remoteData":
			checkRemote(add, p, v.(map[string]any))
		}
	}
}

func checkRemote(add func(string, bool, string, ...any), path string, r map[string]any) {
	u, _ := r["url"].(string)
	f, _ := r["format"].(string)
	if u == "" && f == "" {
		return
	}
	if u == "" || f == "" {
		add(path, true, "a remote layer needs both url and format (uMap's isRemoteLayer)")
	}
	if f != "" && !slices.Contains(remoteFormats, f) {
		add(path+".format", true, "%q: uMap reads %s", f, strings.Join(remoteFormats, ", "))
	}
	for _, k := range []string{"dynamic", "proxy"} {
		if v, ok := r[k]; ok && jsonType(v) != "boolean" {
			add(path+"."+k, false, "must be a boolean")
		}
	}
	if v, ok := r["ttl"]; ok && jsonType(v) != "number" {
		add(path+".ttl", false, "must be a number")
	}
	for _, m := range templateKey.FindAllStringSubmatch(u, -1) {
		if !slices.Contains(geoContext, strings.TrimSpace(m[1])) {
			add(path+".url", true, "{%s} is not a key uMap substitutes (%s)", m[1], strings.Join(geoContext, ", "))
		}
	}
	if pu, err := url.Parse(templateKey.ReplaceAllString(u, "0")); err != nil || pu.Scheme == "" {
		add(path+".url", false, "%q is not an absolute URL: uMap fetches it from the map's page", u)
	}
}

// drawable are the geometry types uMap draws.
var drawable = []string{"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}

func checkFeature(add func(string, bool, string, ...any), path string, raw json.RawMessage) {
	var f struct {
		Type       string          `json:"type"`
		Geometry   json.RawMessage `json:"geometry"`
		Properties json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(raw, &f); err != nil || f.Type != "Feature" {
		add(path, true, `must be a GeoJSON Feature`)
		return
	}
	var g struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	if err := json.Unmarshal(f.Geometry, &g); err != nil || !slices.Contains(drawable, g.Type) {
		add(path+".geometry", true, "%s: uMap draws %s", truncate(string(f.Geometry)), strings.Join(drawable, ", "))
		return
	}
	if err := checkCoordinates(g.Type, g.Coordinates); err != nil {
		add(path+".geometry", true, "%s: %v", g.Type, err)
	}
	if len(f.Properties) > 0 && string(f.Properties) != "null" {
		var p map[string]any
		if err := json.Unmarshal(f.Properties, &p); err != nil {
			add(path+".properties", true, "must be an object")
			return
		}
		if o, ok := p["_umap_options"]; ok {
			if m, ok := o.(map[string]any); ok {
				checkOptions(add, path+".properties._umap_options", m, false)
			} else {
				add(path+".properties._umap_options", true, "must be an object")
			}
		}
	}
}

func checkCoordinates(typ string, raw json.RawMessage) error {
	var err error
	position := func(p []float64) error {
		if len(p) < 2 || !lonLat(p[:2]) {
			return fmt.Errorf("position %v is not longitude, latitude in WGS84", p)
		}
		return nil
	}
	line := func(l [][]float64, ring bool) error {
		if len(l) < 2 || ring && len(l) < 4 {
			return fmt.Errorf("%d positions are too few", len(l))
		}
		for _, p := range l {
			if err := position(p); err != nil {
				return err
			}
		}
		if ring && (l[0][0] != l[len(l)-1][0] || l[0][1] != l[len(l)-1][1]) {
			return fmt.Errorf("ring not closed")
		}
		return nil
	}
	polygon := func(p [][][]float64) error {
		if len(p) == 0 {
			return fmt.Errorf("polygon without rings")
		}
		for _, r := range p {
			if err := line(r, true); err != nil {
				return err
			}
		}
		return nil
	}
	switch typ {
	case "Point":
		var p []float64
		if err = json.Unmarshal(raw, &p); err == nil {
			err = position(p)
		}
	case "MultiPoint":
		var ps [][]float64
		if err = json.Unmarshal(raw, &ps); err == nil {
			for _, p := range ps {
				if err = position(p); err != nil {
					break
				}
			}
		}
	case "LineString":
		var l [][]float64
		if err = json.Unmarshal(raw, &l); err == nil {
			err = line(l, false)
		}
	case "MultiLineString":
		var ls [][][]float64
		if err = json.Unmarshal(raw, &ls); err == nil {
			for _, l := range ls {
				if err = line(l, false); err != nil {
					break
				}
			}
		}
	case "Polygon":
		var p [][][]float64
		if err = json.Unmarshal(raw, &p); err == nil {
			err = polygon(p)
		}
	case "MultiPolygon":
		var mp [][][][]float64
		if err = json.Unmarshal(raw, &mp); err == nil {
			for _, p := range mp {
				if err = polygon(p); err != nil {
					break
				}
			}
		}
	}
	return err
}

func lonLat(p []float64) bool {
	return !math.IsNaN(p[0]) && !math.IsNaN(p[1]) && math.Abs(p[0]) <= 180 && math.Abs(p[1]) <= 90
}

func jsonType(v any) string {
	switch v.(type) {
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

func truncate(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
