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
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/paulmach/orb"

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
	// ClusterThreshold is the feature count above which a point layer is clustered.
	ClusterThreshold = 100
	// DefaultFeatureCap is how many features the remote-data endpoint answers at most in one response; a live
	// layer of more is fetched per view, and hidden below the zoom at which a view could hold more.
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
	// The settings of the thematic types, written with the type that reads them.
	Choropleth  *Choropleth  `json:"choropleth,omitempty"`
	Categorized *Categorized `json:"categorized,omitempty"`
	Circles     *Circles     `json:"circles,omitempty"`
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

// Build makes the backup of map m over datasets (already resolved, see Map.Resolve), reading features from sn.
// In Snapshot mode the geometries are simplified just enough to fit opt.Budget; Build fails, naming the
// size, when even the coarsest simplification does not fit, and naming the layer and the column when the map
// asks for a thematic type uMap could not draw.
func Build(ctx context.Context, sn Reader, m Map, datasets []store.Dataset, opt Options) (*Backup, Report, error) {
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
		var extra []string
		if col := StyleFor(d, "").over(m.styleFor(d, "")).thematicColumn(); col != "" {
			extra = append(extra, col)
		}
		for k, st := range m.Styles { // a kind's style may name a column too; the kind is known once read
			if col := st.thematicColumn(); col != "" && !slices.ContainsFunc(datasets, func(o store.Dataset) bool { return o.ID == k && k != d.ID }) {
				extra = append(extra, col)
			}
		}
		ld, err := readLayer(ctx, sn, d, extra, opt.Mode, opt.FeatureCap)
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
	b.Properties = mapProperties(m, layers, opt.Now)
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
		opts, lr, warnings, err := layerOptions(ld, m, opt, zoom)
		if err != nil {
			return nil, rep, err
		}
		rep.Warnings = append(rep.Warnings, warnings...)
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

// mapProperties are the map's options: its name, its caption (the description, which counts what each layer
// holds), credits, licence, background and default view. uMap's Save of a new map records the view on screen
// as the map's centre and zoom (app.js saveAll, _defaultExtent), whatever the file said; so unless the map file
// fixes a centre or a zoom, the default view is "data": the saved map opens on its layers' extent.
func mapProperties(m Map, layers []*layerData, now time.Time) MapProperties {
	ds := make([]store.Dataset, len(layers))
	for i, ld := range layers {
		ds[i] = ld.d
	}
	p := MapProperties{
		Name: m.Name, DefaultView: "data", OnLoadPanel: "caption", CaptionBar: true, DatalayersControl: true,
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
	if m.Center != nil || m.Zoom > 0 {
		p.DefaultView = "center"
	}
	for _, ld := range layers {
		d := ld.d
		line := fmt.Sprintf("* **%s** (%s) – %s", d.Title, heldCount(ld), d.Producer)
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
