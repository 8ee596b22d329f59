package umap

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/encode"
	"github.com/patrimap/patrimap/geo"
	"github.com/patrimap/patrimap/store"
)

// Reader is what a backup reads of the store: the features of a dataset, within one consistent snapshot
// (*store.Snapshot).
type Reader interface {
	Features(ctx context.Context, d store.Dataset, q store.Query, each func(*store.Feature) error) error
}

// KeyFields are the normalised columns a uMap layer carries, in popup order: what the INPN and culture
// importers write. A dataset with none of them (a plain GeoJSON import) carries all its columns.
var KeyFields = []string{"id", "name", "kind", "protection", "first_protected", "first_protected_date", "commune", "insee", "created", "area_ha", "url"}

// FieldsFor returns the columns of d a uMap layer carries.
func FieldsFor(d store.Dataset) []string {
	var out []string
	for _, k := range KeyFields {
		if _, ok := d.Field(k); ok {
			out = append(out, k)
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, f := range d.Fields {
		out = append(out, f.Name)
	}
	return out
}

// layerData is one dataset read for a layer: what the popup, the thematic types and a live layer's fetching
// are decided from.
type layerData struct {
	d      store.Dataset
	fields []store.Field // the columns the layer carries, in dataset order
	extra  bool          // fields go beyond FieldsFor(d): a live layer names them in its URL
	// filled counts, by column, the placed features that have a value.
	filled map[string]int
	kind   string // the most frequent kind
	points bool
	// placed features have a geometry: what the layer holds. uMap cannot place the others (noGeometry).
	placed     int
	noGeometry int
	features   []featureData // snapshot only
	// liveBytes is the size of the remote-data answer of the whole layer (live, up to the cap).
	liveBytes int64
	// extents are the placed features' bounds in world units (live, over the cap), for the layer's fromZoom.
	extents []extent
}

type featureData struct {
	geom  orb.Geometry
	props []byte // a JSON object
}

// readLayer reads d's features with the columns the layer carries (FieldsFor(d) and the extra ones a style
// draws): the features themselves for a snapshot, what decides a live layer's fetching otherwise.
func readLayer(ctx context.Context, sn Reader, d store.Dataset, extra []string, mode Mode, featureCap int) (*layerData, error) {
	ld := &layerData{d: d, points: strings.Contains(strings.ToUpper(d.GeometryType), "POINT"), filled: map[string]int{}}
	names := FieldsFor(d)
	for _, e := range extra {
		if _, ok := d.Field(e); ok && !slices.Contains(names, e) {
			names = append(names, e)
			ld.extra = true
		}
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	// Feature.Values come in the dataset's column order, whatever the order of Select.
	kindAt := -1
	for _, f := range d.Fields {
		if want[f.Name] {
			if f.Name == "kind" {
				kindAt = len(ld.fields)
			}
			ld.fields = append(ld.fields, f)
		}
	}
	kinds := map[string]int{}
	var buf []byte
	err := sn.Features(ctx, d, store.Query{Select: names}, func(f *store.Feature) error {
		if f.Geometry == nil {
			ld.noGeometry++
			return nil
		}
		ld.placed++
		for i, v := range f.Values {
			if hasValue(v) {
				ld.filled[ld.fields[i].Name]++
			}
		}
		if kindAt >= 0 {
			if s, ok := f.Values[kindAt].(string); ok && s != "" {
				kinds[s]++
			}
		}
		switch {
		case mode == Snapshot:
			ld.features = append(ld.features, featureData{geom: f.Geometry, props: AppendProperties(nil, ld.fields, f.Values)})
		case ld.placed <= featureCap:
			buf = AppendRemoteFeature(buf[:0], f.FID, f.Geometry, 0, ld.fields, f.Values)
			ld.liveBytes += int64(len(buf)) + 2
		}
		if mode == Live && d.FeatureCount > int64(featureCap) {
			ld.extents = append(ld.extents, extentOf(f.Geometry.Bound()))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("umap: dataset %s: %w", d.ID, err)
	}
	best := 0
	for k, n := range kinds {
		if n > best || n == best && k < ld.kind {
			ld.kind, best = k, n
		}
	}
	return ld, nil
}

func hasValue(v any) bool {
	s, ok := v.(string)
	return v != nil && (!ok || s != "")
}

// AppendProperties appends a feature's properties as a JSON object, leaving out null values: uMap's popup
// templates print a null as "null" but an absent key as nothing.
func AppendProperties(b []byte, fields []store.Field, values []any) []byte {
	b = append(b, '{')
	n := 0
	for i, v := range values {
		if !hasValue(v) {
			continue
		}
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = encode.AppendJSONString(b, fields[i].Name)
		b = append(b, ':')
		b = appendValue(b, fields[i].Type, v)
	}
	return append(b, '}')
}

// AppendRemoteFeature appends one feature of a live layer's answer (/umap/data/{dataset}.geojson): its fid,
// its geometry simplified at tolerance, and its properties.
func AppendRemoteFeature(b []byte, fid int64, g orb.Geometry, tolerance float64, fields []store.Field, values []any) []byte {
	b = append(b, `{"type":"Feature","id":`...)
	b = strconv.AppendInt(b, fid, 10)
	b = append(b, `,"geometry":`...)
	b = geo.AppendGeoJSON(b, Simplify(g, tolerance))
	b = append(b, `,"properties":`...)
	b = AppendProperties(b, fields, values)
	return append(b, '}')
}

func appendValue(b []byte, t store.FieldType, v any) []byte {
	switch v := v.(type) {
	case string:
		if t == store.FieldJSON && json.Valid([]byte(v)) {
			return append(b, v...)
		}
		return encode.AppendJSONString(b, v)
	case int64:
		if t == store.FieldBoolean {
			return append(b, fmt.Sprint(v != 0)...)
		}
		return fmt.Appendf(b, "%d", v)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return append(b, "null"...)
		}
		out, _ := json.Marshal(v)
		return append(b, out...)
	case bool:
		return fmt.Append(b, v)
	}
	return encode.AppendJSONString(b, fmt.Sprint(v))
}

// ColumnFill says how many features a layer holds and, by column, how many of them have a value.
type ColumnFill struct {
	Features int
	Filled   map[string]int
}

// popupLines are the lines of patrimap's popups, in order: a line shows when its column has a value in some
// feature of the layer; when only some features have one, the others read the fallback (uMap's
// {key|"fallback"}), so that no feature shows a label without a value.
var popupLines = []struct{ key, line, partial string }{
	{"protection", "Protection : {protection}", `Protection : {protection|"non renseignée"}`},
	// The full date when the source gives it, else the year (first_protected is known whenever a date is).
	{"first_protected", "Première protection : {first_protected_date|first_protected}", `Première protection : {first_protected_date|first_protected|"non renseignée"}`},
	{"commune", "Commune : {commune}", `Commune : {commune|"non renseignée"}`},
	{"created", "Créé le : {created}", `Créé le : {created|"date non renseignée"}`},
	{"area_ha", "Surface : {area_ha} ha", `Surface (ha) : {area_ha|"non renseignée"}`},
	{"id", "Identifiant : {id}", `Identifiant : {id|"non renseigné"}`},
}

// PopupTemplate is uMap's popup content for a layer of d: the name as title, the kind, key attributes, and the
// link to the INPN or POP sheet; only the columns that have a value in some feature (fill), and "" when none of
// name, kind and url has one (uMap's Table popup then shows every column).
func PopupTemplate(d store.Dataset, fill ColumnFill) string {
	has := func(k string) bool { return fill.Filled[k] > 0 }
	all := func(k string) bool { return fill.Filled[k] >= fill.Features }
	if !has("name") && !has("kind") && !has("url") {
		return ""
	}
	var lines []string
	if has("name") {
		lines = append(lines, "# {name}") // uMap fills a missing name with the feature's display name
	}
	if has("kind") {
		if all("kind") {
			lines = append(lines, "*{kind}*")
		} else {
			lines = append(lines, `*{kind|"nature non renseignée"}*`)
		}
	}
	for _, l := range popupLines {
		switch {
		case !has(l.key):
		case all(l.key):
			lines = append(lines, l.line)
		default:
			lines = append(lines, l.partial)
		}
	}
	if has("url") {
		label := "Fiche"
		switch d.Theme {
		case store.ThemeNatural:
			label = "Fiche INPN"
		case store.ThemeCultural:
			label = "Notice POP"
		case store.ThemeOSM:
			label = "Voir sur OpenStreetMap"
		}
		if all("url") {
			lines = append(lines, "[[{url}|"+label+"]]")
		} else {
			// uMap links a bare address by itself; the others read the fallback.
			lines = append(lines, label+` : {url|"non renseignée"}`)
		}
	}
	return strings.Join(lines, "\n")
}

// StaticBytes is the largest live layer uMap fetches whole, once: above it, or above the feature cap, the
// layer is dynamic (fetched per view, with {bbox} and {zoom}).
const StaticBytes = 1 << 20

func layerOptions(ld *layerData, m Map, opt Options, mapZoom int) (LayerOptions, LayerReport, []string, error) {
	d := ld.d
	st := StyleFor(d, ld.kind).over(m.styleFor(d, ld.kind))
	lr := LayerReport{Dataset: d.ID, Kind: ld.kind, Features: ld.placed}
	if err := checkThematic(st, ld); err != nil {
		return LayerOptions{}, lr, nil, fmt.Errorf("umap: map %s: layer %s: %w", m.Slug, d.ID, err)
	}
	var warnings []string
	o := LayerOptions{
		Name: d.Title, Description: layerDescription(ld), DisplayOnLoad: true, Browsable: true, InCaption: true,
		Type: st.Type, Color: st.Color, FillColor: st.FillColor, Fill: true, FillOpacity: deref(st.FillOpacity, 0.3),
		Opacity: deref(st.Opacity, 0.9), Weight: derefInt(st.Weight, 2), IconClass: st.IconClass,
		PopupShape: st.PopupShape, PopupTemplate: st.PopupTemplate, PopupContentTemplate: st.PopupContentTemplate,
		LabelKey: st.LabelKey, FromZoom: st.FromZoom,
	}
	switch st.Type {
	case "Choropleth":
		o.Choropleth = st.Choropleth
	case "Categorized":
		o.Categorized = st.Categorized
	case "Circles":
		o.Circles = st.Circles
	}
	if o.Name == "" {
		o.Name = d.ID
	}
	if o.PopupContentTemplate == "" {
		o.PopupContentTemplate = PopupTemplate(d, ColumnFill{Features: ld.placed, Filled: ld.filled})
		if o.PopupContentTemplate == "" {
			o.PopupTemplate = "Table" // no known columns: uMap's table shows them all
		}
	}
	if ld.points && ld.placed > ClusterThreshold && st.Type == "Default" {
		o.Type, o.Cluster = "Cluster", &Cluster{Radius: 60}
	}
	if opt.Mode == Live {
		// Small layers are fetched once: a dynamic layer is fetched again on every move, and uMap's data browser
		// then races with the features it removes.
		dynamic := ld.placed > opt.FeatureCap || ld.liveBytes > StaticBytes
		params := []string{}
		if ld.extra {
			names := make([]string, len(ld.fields))
			for i, f := range ld.fields {
				names[i] = url.QueryEscape(f.Name)
			}
			params = append(params, "fields="+strings.Join(names, ","))
		}
		if dynamic {
			params = append(params, "bbox={bbox}", "zoom={zoom}") // uMap substitutes them: not escaped
		}
		u := opt.BaseURL + "/umap/data/" + d.ID + ".geojson"
		if len(params) > 0 {
			u += "?" + strings.Join(params, "&")
		}
		if ld.placed > opt.FeatureCap {
			z, ok := fromZoomUnderCap(ld.extents, opt.FeatureCap)
			if !ok {
				warnings = append(warnings, fmt.Sprintf("%s: more than %d features lie within one view even at zoom %d: uMap gets \"too many features\" (413) there",
					d.ID, opt.FeatureCap, MaxZoom))
			}
			if o.FromZoom != 0 && o.FromZoom < z {
				warnings = append(warnings, fmt.Sprintf("%s: fromZoom %d of the map file raised to %d: below it a %d×%d px view can hold more than the %d features patrimap sends at once",
					d.ID, o.FromZoom, z, ViewWidth, ViewHeight, opt.FeatureCap))
			}
			o.FromZoom = max(o.FromZoom, z)
		}
		if dynamic && (st.Type == "Choropleth" && st.Choropleth.Mode != "manual" || st.Type == "Categorized" && st.Categorized.Mode != "manual") {
			warnings = append(warnings, fmt.Sprintf("%s: fetched per view, so uMap computes its %s classes from the features of each view; give manual breaks or categories for a legend that stays put",
				d.ID, st.Type))
		}
		f := false
		o.RemoteData = RemoteData{URL: u, Format: "geojson", Dynamic: &dynamic, Proxy: &f, Licence: d.Licence}
		lr.Dynamic = dynamic
	}
	if o.FromZoom > 0 && o.FromZoom <= mapZoom && (opt.Mode != Live || ld.placed <= opt.FeatureCap) {
		o.FromZoom = 0 // showing from a zoom the map opens at or below is no restriction: say nothing
	}
	lr.FromZoom = o.FromZoom
	return o, lr, warnings, nil
}

func deref(p *float64, def float64) float64 {
	if p == nil {
		return def
	}
	return *p
}

func derefInt(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}

// layerDescription is the layer's description in uMap, in French as the rest of the map: what it shows, who
// produced it under which licence, where it came from, and what the layer holds. The importers' own note on
// the source (in English: "Imported from apb.shp (ESRI Shapefile).") is left out: its facts are restated here
// from the catalogue; a description of the user's own is kept.
func layerDescription(ld *layerData) string {
	d := ld.d
	var parts []string
	if d.Description != "" && (d.Source.File == "" || !strings.Contains(d.Description, d.Source.File)) {
		parts = append(parts, d.Description)
	}
	if ld.kind != "" {
		parts = append(parts, "Nature : "+ld.kind)
	}
	src := "Producteur : " + d.Producer
	if d.Licence != "" {
		src += " – licence : " + d.Licence
	}
	parts = append(parts, src)
	switch {
	case d.Source.URL != "":
		parts = append(parts, "Source : "+d.Source.URL)
	case d.Source.File != "":
		parts = append(parts, "Source : fichier "+d.Source.File)
	}
	parts = append(parts, "Sur la carte : "+heldCount(ld))
	parts = append(parts, fmt.Sprintf("Importé par patrimap le %s (version %d).", d.ImportedAt.Format("2006-01-02"), d.Version))
	return strings.Join(parts, "\n")
}

// heldCount says how many features the layer holds, and how many rows it leaves out for want of a position.
func heldCount(ld *layerData) string {
	s := objects(int64(ld.placed))
	switch {
	case ld.noGeometry == 1:
		s += " ; 1 ligne sans position, absente de la carte"
	case ld.noGeometry > 1:
		s += fmt.Sprintf(" ; %d lignes sans position, absentes de la carte", ld.noGeometry)
	}
	return s
}
