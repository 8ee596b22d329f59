// Package umap builds uMap full map backups (.umap files) from patrimap's datasets: the file uMap's
// "Import data" → "Full map backup" reads (umap/static/umap/js/modules/app.js importRaw), with one uMap layer
// per dataset, styled by kind, either holding the features (a snapshot, simplified to fit a byte budget) or
// pointing at patrimap's remote-data endpoint (live).
//
// It reads the store through a snapshot and writes JSON; it does no HTTP and parses no source file.
package umap

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/encode"
	"github.com/patrimap/patrimap/store"
)

// Mode says whether layers carry their features or fetch them from patrimap.
type Mode int

const (
	// Snapshot layers hold their features: the map is frozen and works without patrimap.
	Snapshot Mode = iota
	// Live layers are uMap remote-data layers on patrimap's /umap/data endpoint: always the current data.
	Live
)

const (
	// DefaultBudget is the size a snapshot is simplified to fit: 5 MiB, which uMap's import (in the browser,
	// then one POST per layer) handles on ordinary hardware; users report maps of ~15,000 features or tens of
	// megabytes as unusable.
	DefaultBudget = 5 << 20
	// DynamicThreshold is the feature count above which a live layer is fetched per view (remoteData.dynamic,
	// with {bbox} and {zoom}) rather than once.
	DynamicThreshold = 300
	// ClusterThreshold is the feature count above which a point layer is clustered.
	ClusterThreshold = 100
	// DefaultFeatureCap is how many features the remote-data endpoint answers at most in one response.
	DefaultFeatureCap = 5000
)

// Options tune a backup.
type Options struct {
	Mode Mode
	// BaseURL is patrimap's public address (https://patrimap.example.org), required in Live mode; it also
	// becomes the backup's uri.
	BaseURL string
	// URI is the backup's own address, when it has one (uMap resolves relative icon URLs against it).
	URI string
	// Budget is the largest snapshot, in bytes (0: DefaultBudget).
	Budget int64
	// FeatureCap is the remote endpoint's cap (0: DefaultFeatureCap); live layers hide below the zoom at which
	// a view would hold more.
	FeatureCap int
	// Now dates the description (zero: time.Now).
	Now time.Time
}

// Backup is a uMap full map backup: `{"type":"umap","uri":…,"properties":{…},"geometry":{…},"layers":[…]}`.
type Backup struct {
	Type       string        `json:"type"`
	URI        string        `json:"uri,omitempty"`
	Properties MapProperties `json:"properties"`
	Geometry   Point         `json:"geometry"`
	Layers     []Layer       `json:"layers"`
}

// Point is a GeoJSON point: the map's centre.
type Point struct {
	Type        string     `json:"type"`
	Coordinates [2]float64 `json:"coordinates"`
}

// Licence is the map's licence as uMap shows it in the caption.
type Licence struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// TileLayer is a uMap background.
type TileLayer struct {
	Name        string `json:"name"`
	URLTemplate string `json:"url_template"`
	Attribution string `json:"attribution"`
	MinZoom     int    `json:"minZoom"`
	MaxZoom     int    `json:"maxZoom"`
}

// MapProperties are the map options patrimap sets; uMap keeps its defaults for the others.
type MapProperties struct {
	Name              string    `json:"name"`
	Description       string    `json:"description"`
	ShortCredit       string    `json:"shortCredit,omitempty"`
	Licence           Licence   `json:"licence"`
	TileLayer         TileLayer `json:"tilelayer"`
	Zoom              int       `json:"zoom"`
	DefaultView       string    `json:"defaultView"`
	OnLoadPanel       string    `json:"onLoadPanel"`
	CaptionBar        bool      `json:"captionBar"`
	DatalayersControl bool      `json:"datalayersControl"`
	ScaleControl      bool      `json:"scaleControl"`
	DisplayPopupFoot  bool      `json:"displayPopupFooter"`
	LimitBounds       struct{}  `json:"limitBounds"`
	Slideshow         struct{}  `json:"slideshow"`
}

// Layer is one uMap layer: a GeoJSON FeatureCollection whose options are written twice, under "properties"
// (uMap ≥ 3.7) and "_umap_options" (older uMaps, and tools that read them).
type Layer struct {
	Type        string            `json:"type"`
	Features    []json.RawMessage `json:"features"`
	Properties  LayerOptions      `json:"properties"`
	UmapOptions LayerOptions      `json:"_umap_options"`
}

// RemoteData is where a live layer fetches its features. Empty ({}) in a snapshot, as uMap writes it.
type RemoteData struct {
	URL     string `json:"url,omitempty"`
	Format  string `json:"format,omitempty"`
	Dynamic *bool  `json:"dynamic,omitempty"`
	Proxy   *bool  `json:"proxy,omitempty"`
	Licence string `json:"licence,omitempty"`
}

// Cluster tunes a Cluster layer.
type Cluster struct {
	Radius int `json:"radius,omitempty"`
}

// LayerOptions are a uMap layer's options, with uMap's names and JSON types.
type LayerOptions struct {
	Name                 string     `json:"name"`
	Description          string     `json:"description,omitempty"`
	DisplayOnLoad        bool       `json:"displayOnLoad"`
	Browsable            bool       `json:"browsable"`
	InCaption            bool       `json:"inCaption"`
	Type                 string     `json:"type"`
	Cluster              *Cluster   `json:"cluster,omitempty"`
	Color                string     `json:"color"`
	FillColor            string     `json:"fillColor,omitempty"`
	Fill                 bool       `json:"fill"`
	FillOpacity          float64    `json:"fillOpacity"`
	Opacity              float64    `json:"opacity"`
	Weight               int        `json:"weight"`
	IconClass            string     `json:"iconClass"`
	PopupShape           string     `json:"popupShape"`
	PopupTemplate        string     `json:"popupTemplate"`
	PopupContentTemplate string     `json:"popupContentTemplate"`
	LabelKey             string     `json:"labelKey,omitempty"`
	ShowLabel            *bool      `json:"showLabel"` // null: on hover
	FromZoom             int        `json:"fromZoom,omitempty"`
	RemoteData           RemoteData `json:"remoteData"`
}

// LayerReport says what became of one dataset.
type LayerReport struct {
	Dataset  string
	Features int
	Kind     string
	Dynamic  bool
	FromZoom int
}

// Report says what a backup holds and what was given up to build it.
type Report struct {
	Bytes  int64
	Budget int64
	// Tolerance is the Douglas-Peucker tolerance applied, in degrees (0: none), and ToleranceZoom the zoom
	// at which it is half a pixel: the map looks unsimplified up to that zoom.
	Tolerance     float64
	ToleranceZoom int
	Layers        []LayerReport
	Warnings      []string
}

// KeyFields are the normalised columns a uMap layer carries, in popup order: what the INPN and culture
// importers write. A dataset with none of them (a plain GeoJSON import) carries all its columns.
var KeyFields = []string{"id", "name", "kind", "protection", "first_protected", "commune", "insee", "created", "area_ha", "url"}

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

// Build makes the backup of map m over datasets (already resolved, see Map.Resolve), reading features from sn.
// In Snapshot mode the geometries are simplified just enough to fit opt.Budget; Build fails, naming the
// size, when even the coarsest simplification does not fit.
func Build(ctx context.Context, sn store.Snapshot, m Map, datasets []store.Dataset, opt Options) (*Backup, Report, error) {
	if opt.Budget <= 0 {
		opt.Budget = DefaultBudget
	}
	if opt.FeatureCap <= 0 {
		opt.FeatureCap = DefaultFeatureCap
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	rep := Report{Budget: opt.Budget}
	if len(datasets) == 0 {
		return nil, rep, fmt.Errorf("umap: map %q: no dataset to export", m.Name)
	}
	if opt.Mode == Live {
		if !strings.HasPrefix(opt.BaseURL, "http://") && !strings.HasPrefix(opt.BaseURL, "https://") {
			return nil, rep, fmt.Errorf("umap: a live map needs patrimap's public address (--base-url https://…), got %q", opt.BaseURL)
		}
		opt.BaseURL = strings.TrimRight(opt.BaseURL, "/")
	}
	b := &Backup{Type: "umap", URI: opt.URI}
	var bound *orb.Bound
	layers := make([]*layerData, 0, len(datasets))
	for _, d := range datasets {
		ld, err := readLayer(ctx, sn, d, opt.Mode == Snapshot)
		if err != nil {
			return nil, rep, err
		}
		layers = append(layers, ld)
		if ld.noGeometry > 0 {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("%s: %d features without geometry left out (uMap cannot place them)", d.ID, ld.noGeometry))
		}
		if d.BBox != nil {
			if bound == nil {
				bb := *d.BBox
				bound = &bb
			} else {
				bb := bound.Union(*d.BBox)
				bound = &bb
			}
		}
	}
	b.Properties = mapProperties(m, datasets, opt.Now)
	center, zoom := view(bound)
	if m.Center != nil {
		center = *m.Center
	}
	if m.Zoom > 0 {
		zoom = m.Zoom
	}
	b.Geometry = Point{Type: "Point", Coordinates: center}
	b.Properties.Zoom = zoom

	for _, ld := range layers {
		opts, lr := layerOptions(ld, m, opt, zoom)
		b.Layers = append(b.Layers, Layer{Type: "FeatureCollection", Features: []json.RawMessage{}, Properties: opts, UmapOptions: opts})
		rep.Layers = append(rep.Layers, lr)
	}
	if opt.Mode == Snapshot {
		if err := fit(b, layers, &rep); err != nil {
			return nil, rep, err
		}
	}
	out, err := b.Marshal()
	if err != nil {
		return nil, rep, err
	}
	rep.Bytes = int64(len(out))
	return b, rep, nil
}

// Marshal writes the backup as uMap reads it (no HTML escaping: popup templates keep their "<" and "&").
func (b *Backup) Marshal() ([]byte, error) {
	var sb strings.Builder
	enc := json.NewEncoder(&sb)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(b); err != nil {
		return nil, err
	}
	return []byte(sb.String()), nil
}

// layerData is one dataset read for a layer.
type layerData struct {
	d          store.Dataset
	fields     []store.Field
	kind       string // the most frequent kind
	points     bool
	features   []featureData // snapshot only
	noGeometry int           // features left out of a snapshot: uMap cannot place them
}

type featureData struct {
	geom  orb.Geometry
	props []byte // a JSON object
}

func readLayer(ctx context.Context, sn store.Snapshot, d store.Dataset, withFeatures bool) (*layerData, error) {
	ld := &layerData{d: d, points: strings.Contains(strings.ToUpper(d.GeometryType), "POINT")}
	names := FieldsFor(d)
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	// Feature.Values come in the dataset's column order, whatever the order of Select.
	for _, f := range d.Fields {
		if want[f.Name] {
			ld.fields = append(ld.fields, f)
		}
	}
	kinds := map[string]int{}
	_, hasKind := d.Field("kind")
	q := store.Query{Select: names}
	if !withFeatures {
		if !hasKind {
			return ld, nil
		}
		q = store.Query{Select: []string{"kind"}, Limit: 2000}
	}
	kindAt := -1
	if hasKind {
		kindAt = 0
		for i, f := range ld.fields {
			if withFeatures && f.Name == "kind" {
				kindAt = i
			}
		}
	}
	err := sn.Features(ctx, d, q, func(f *store.Feature) error {
		if kindAt >= 0 {
			if s, ok := f.Values[kindAt].(string); ok {
				kinds[s]++
			}
		}
		if withFeatures && f.Geometry == nil {
			ld.noGeometry++
		}
		if withFeatures && f.Geometry != nil {
			ld.features = append(ld.features, featureData{geom: f.Geometry, props: AppendProperties(nil, ld.fields, f.Values)})
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

// AppendProperties appends a feature's properties as a JSON object, leaving out null values: uMap's popup
// templates print a null as "null" but an absent key as nothing.
func AppendProperties(b []byte, fields []store.Field, values []any) []byte {
	b = append(b, '{')
	n := 0
	for i, v := range values {
		if v == nil {
			continue
		}
		if s, ok := v.(string); ok && s == "" {
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

// PopupTemplate is uMap's popup content for a layer with the given columns: the name as title, the kind, key
// attributes, and the link to the INPN or POP sheet. Empty keys print nothing.
func PopupTemplate(d store.Dataset, fields []string) string {
	has := map[string]bool{}
	for _, f := range fields {
		has[f] = true
	}
	if !has["name"] && !has["kind"] && !has["url"] {
		return "" // uMap's Table popup shows every column
	}
	var lines []string
	if has["name"] {
		lines = append(lines, "# {name}")
	}
	if has["kind"] {
		lines = append(lines, "*{kind}*")
	}
	for _, l := range []struct{ key, line string }{
		{"protection", "Protection : {protection}"},
		{"first_protected", "Première protection : {first_protected}"},
		{"commune", "Commune : {commune}"},
		{"created", "Créé le : {created}"},
		{"area_ha", "Surface : {area_ha} ha"},
		{"id", "Identifiant : {id}"},
	} {
		if has[l.key] {
			lines = append(lines, l.line)
		}
	}
	if has["url"] {
		label := "Fiche"
		switch d.Theme {
		case store.ThemeNatural:
			label = "Fiche INPN"
		case store.ThemeCultural:
			label = "Notice POP"
		case store.ThemeOSM:
			label = "Voir sur OpenStreetMap"
		}
		lines = append(lines, "[["+"{url}|"+label+"]]")
	}
	return strings.Join(lines, "\n")
}

func layerOptions(ld *layerData, m Map, opt Options, mapZoom int) (LayerOptions, LayerReport) {
	d := ld.d
	st := StyleFor(d, ld.kind).over(m.styleFor(d, ld.kind))
	lr := LayerReport{Dataset: d.ID, Kind: ld.kind, Features: int(d.FeatureCount)}
	o := LayerOptions{
		Name: d.Title, Description: layerDescription(d), DisplayOnLoad: true, Browsable: true, InCaption: true,
		Type: st.Type, Color: st.Color, FillColor: st.FillColor, Fill: true, FillOpacity: deref(st.FillOpacity, 0.3),
		Opacity: deref(st.Opacity, 0.9), Weight: derefInt(st.Weight, 2), IconClass: st.IconClass,
		PopupShape: st.PopupShape, PopupTemplate: st.PopupTemplate, PopupContentTemplate: st.PopupContentTemplate,
		LabelKey: st.LabelKey, FromZoom: st.FromZoom,
	}
	if o.Name == "" {
		o.Name = d.ID
	}
	if o.PopupContentTemplate == "" {
		o.PopupContentTemplate = PopupTemplate(d, FieldsFor(d))
		if o.PopupContentTemplate == "" {
			o.PopupTemplate = "Table" // no known columns: uMap's table shows them all
		}
	}
	if ld.points && d.FeatureCount > ClusterThreshold && st.Type == "Default" {
		o.Type, o.Cluster = "Cluster", &Cluster{Radius: 60}
	}
	if opt.Mode == Live {
		url := opt.BaseURL + "/umap/data/" + d.ID + ".geojson"
		dynamic := d.FeatureCount > DynamicThreshold
		if dynamic {
			url += "?bbox={bbox}&zoom={zoom}"
			if o.FromZoom == 0 {
				o.FromZoom = minZoomUnderCap(d, opt.FeatureCap)
			}
		}
		f := false
		o.RemoteData = RemoteData{URL: url, Format: "geojson", Dynamic: &dynamic, Proxy: &f, Licence: d.Licence}
		lr.Dynamic, lr.FromZoom = dynamic, o.FromZoom
	}
	if o.FromZoom > 0 && o.FromZoom <= mapZoom {
		// Showing from a zoom the map opens at or below is no restriction: say nothing.
		if opt.Mode != Live || !lr.Dynamic {
			o.FromZoom = 0
		}
	}
	lr.FromZoom = o.FromZoom
	return o, lr
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

// minZoomUnderCap is the lowest zoom at which a 1280×800 px view of d's extent holds fewer than half the cap
// of features on average, 0 when any view does.
func minZoomUnderCap(d store.Dataset, featureCap int) int {
	if d.BBox == nil || d.FeatureCount <= int64(featureCap)/2 {
		return 0
	}
	w, h := d.BBox.Max[0]-d.BBox.Min[0], d.BBox.Max[1]-d.BBox.Min[1]
	area := math.Max(w, 1e-6) * math.Max(h, 1e-6)
	density := float64(d.FeatureCount) / area
	for z := 0; z <= 18; z++ {
		deg := 360 / (256 * math.Exp2(float64(z)))
		// Latitude degrees shrink with the Mercator scale; at French latitudes ×cos(46°) ≈ 0.7.
		view := math.Min(1280*deg, w) * math.Min(800*deg*0.7, h)
		if density*view < float64(featureCap)/2 {
			return z
		}
	}
	return 18
}

func layerDescription(d store.Dataset) string {
	var parts []string
	if d.Description != "" {
		parts = append(parts, d.Description)
	}
	src := "Producteur : " + d.Producer
	if d.Licence != "" {
		src += " – licence : " + d.Licence
	}
	parts = append(parts, src)
	if d.Source.URL != "" {
		parts = append(parts, "Source : "+d.Source.URL)
	}
	parts = append(parts, fmt.Sprintf("Importé par patrimap le %s (version %d).", d.ImportedAt.Format("2006-01-02"), d.Version))
	return strings.Join(parts, "\n")
}

// licenceURLs are the pages of the licences French heritage producers publish under.
var licenceURLs = map[string]string{
	"Licence Ouverte 2.0":   "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
	"Licence Ouverte":       "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
	"Etalab-2.0":            "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
	"ODbL":                  "https://opendatacommons.org/licenses/odbl/",
	"ODbL 1.0":              "https://opendatacommons.org/licenses/odbl/",
	"CC-BY 4.0":             "https://creativecommons.org/licenses/by/4.0/",
	"CC BY 4.0":             "https://creativecommons.org/licenses/by/4.0/",
	"CC0":                   "https://creativecommons.org/publicdomain/zero/1.0/",
	"Open Database Licence": "https://opendatacommons.org/licenses/odbl/",
}

func mapProperties(m Map, ds []store.Dataset, now time.Time) MapProperties {
	p := MapProperties{
		Name: m.Name, DefaultView: "center", OnLoadPanel: "caption", CaptionBar: true, DatalayersControl: true,
		ScaleControl: true, TileLayer: TileLayer{
			Name: "OpenStreetMap", URLTemplate: "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
			Attribution: "map data © [[https://osm.org/copyright|OpenStreetMap contributors]] under ODbL", MinZoom: 0, MaxZoom: 19,
		},
	}
	if p.Name == "" {
		p.Name = defaultName(ds)
	}
	var producers, licences []string
	seenP, seenL := map[string]bool{}, map[string]bool{}
	var lines []string
	if m.Description != "" {
		lines = append(lines, m.Description, "")
	}
	lines = append(lines, fmt.Sprintf("Carte produite par patrimap le %s, une couche par jeu de données :", now.Format("2006-01-02")))
	for _, d := range ds {
		line := fmt.Sprintf("* **%s** (%s) – %s", d.Title, objects(d.FeatureCount), d.Producer)
		if d.Licence != "" {
			line += " – " + d.Licence
		}
		if d.Source.URL != "" {
			line += " – [[" + d.Source.URL + "|source]]"
		} else if d.Source.File != "" {
			line += " – fichier " + d.Source.File
		}
		lines = append(lines, line)
		if !seenP[d.Producer] && d.Producer != "" {
			seenP[d.Producer] = true
			producers = append(producers, d.Producer)
		}
		if !seenL[d.Licence] && d.Licence != "" {
			seenL[d.Licence] = true
			licences = append(licences, d.Licence)
		}
	}
	if len(producers) > 0 {
		lines = append(lines, "", "Producteurs : "+strings.Join(producers, " ; ")+".")
	}
	if len(licences) > 0 {
		lines = append(lines, "Licences : "+strings.Join(licences, " ; ")+".")
	}
	p.Description = strings.Join(lines, "\n")
	credit := "Données : " + strings.Join(producers, ", ")
	if len(licences) > 0 {
		credit += " (" + strings.Join(licences, ", ") + ")"
	}
	p.ShortCredit = credit + ", via patrimap"
	switch len(licences) {
	case 0:
		p.Licence = Licence{Name: "Licence non précisée", URL: ""}
	case 1:
		p.Licence = Licence{Name: licences[0], URL: licenceURLs[licences[0]]}
	default:
		p.Licence = Licence{Name: strings.Join(licences, " + "), URL: ""}
	}
	return p
}

func objects(n int64) string {
	if n <= 1 {
		return fmt.Sprintf("%d objet", n)
	}
	return fmt.Sprintf("%d objets", n)
}

func defaultName(ds []store.Dataset) string {
	if len(ds) == 1 {
		return ds[0].Title
	}
	themes := map[string]bool{}
	for _, d := range ds {
		themes[d.Theme] = true
	}
	switch {
	case len(themes) == 1 && themes[store.ThemeNatural]:
		return "Patrimoine naturel"
	case len(themes) == 1 && themes[store.ThemeCultural]:
		return "Patrimoine culturel"
	}
	return "Patrimoine naturel et culturel"
}

// view is the centre and zoom showing bound whole in a 1000×600 px map.
func view(bound *orb.Bound) ([2]float64, int) {
	if bound == nil {
		return [2]float64{2.35, 46.6}, 6 // metropolitan France
	}
	c := bound.Center()
	center := [2]float64{round(c[0], 6), round(c[1], 6)}
	mercY := func(lat float64) float64 {
		lat = math.Max(-85, math.Min(85, lat))
		return math.Log(math.Tan(math.Pi/4+lat*math.Pi/360)) / (2 * math.Pi) // in world widths
	}
	w := (bound.Max[0] - bound.Min[0]) / 360
	h := mercY(bound.Max[1]) - mercY(bound.Min[1])
	for z := 18; z > 1; z-- {
		world := 256 * math.Exp2(float64(z))
		if w*world <= 1000 && h*world <= 600 {
			return center, z
		}
	}
	return center, 2
}

func round(v float64, decimals int) float64 {
	p := math.Pow10(decimals)
	return math.Round(v*p) / p
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
