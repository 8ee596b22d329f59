package umap

import (
	"fmt"
	"slices"
	"strings"

	"github.com/patrimap/patrimap/store"
)

// Choices are the values uMap's schema (umap/static/umap/js/modules/schema.js, uMap 3.8) accepts for the
// options patrimap writes that have a fixed list, and the layer types of modules/data/types.js. uMap silently
// ignores any other value (Schema.isValidValue), so a style that names another is refused here.
var Choices = map[string][]string{
	"type":          {"Default", "Cluster", "Heat", "Choropleth", "Categorized", "Circles"},
	"iconClass":     {"Default", "Circle", "LargeCircle", "Drop", "Ball", "Raw"},
	"popupShape":    {"Default", "Large", "Panel"},
	"popupTemplate": {"Default", "Table", "GeoRSSImage", "GeoRSSLink", "OSM", "Wikipedia", "Route"},
	"onLoadPanel":   {"none", "caption", "databrowser", "datalayers", "datafilters"},
	"defaultView":   {"center", "data", "latest", "locate"},
	"outlinkTarget": {"blank", "self", "parent"},
}

// Colors are the named colours of uMap's colour picker (modules/utils.js COLORS). uMap accepts any CSS
// colour; patrimap's defaults use these names so that the picker shows them selected when a user edits a layer.
var Colors = []string{
	"Black", "Navy", "DarkBlue", "MediumBlue", "Blue", "DarkGreen", "Green", "Teal", "DarkCyan", "DeepSkyBlue",
	"DarkTurquoise", "MediumSpringGreen", "Lime", "SpringGreen", "Aqua", "Cyan", "MidnightBlue", "DodgerBlue",
	"LightSeaGreen", "ForestGreen", "SeaGreen", "DarkSlateGray", "DarkSlateGrey", "LimeGreen", "MediumSeaGreen",
	"Turquoise", "RoyalBlue", "SteelBlue", "DarkSlateBlue", "MediumTurquoise", "Indigo", "DarkOliveGreen",
	"CadetBlue", "CornflowerBlue", "MediumAquaMarine", "DimGray", "DimGrey", "SlateBlue", "OliveDrab", "SlateGray",
	"SlateGrey", "LightSlateGray", "LightSlateGrey", "MediumSlateBlue", "LawnGreen", "Chartreuse", "Aquamarine",
	"Maroon", "Purple", "Olive", "Gray", "Grey", "SkyBlue", "LightSkyBlue", "BlueViolet", "DarkRed", "DarkMagenta",
	"SaddleBrown", "DarkSeaGreen", "LightGreen", "MediumPurple", "DarkViolet", "PaleGreen", "DarkOrchid",
	"YellowGreen", "Sienna", "Brown", "DarkGray", "DarkGrey", "LightBlue", "GreenYellow", "PaleTurquoise",
	"LightSteelBlue", "PowderBlue", "FireBrick", "DarkGoldenRod", "MediumOrchid", "RosyBrown", "DarkKhaki", "Silver",
	"MediumVioletRed", "IndianRed", "Peru", "Chocolate", "Tan", "LightGray", "LightGrey", "Thistle", "Orchid",
	"GoldenRod", "PaleVioletRed", "Crimson", "Gainsboro", "Plum", "BurlyWood", "LightCyan", "Lavender", "DarkSalmon",
	"Violet", "PaleGoldenRod", "LightCoral", "Khaki", "AliceBlue", "HoneyDew", "Azure", "SandyBrown", "Wheat",
	"Beige", "WhiteSmoke", "MintCream", "GhostWhite", "Salmon", "AntiqueWhite", "Linen", "LightGoldenRodYellow",
	"OldLace", "Red", "Fuchsia", "Magenta", "DeepPink", "OrangeRed", "Tomato", "HotPink", "Coral", "DarkOrange",
	"LightSalmon", "Orange", "LightPink", "Pink", "Gold", "PeachPuff", "NavajoWhite", "Moccasin", "Bisque",
	"MistyRose", "BlanchedAlmond", "PapayaWhip", "LavenderBlush", "SeaShell", "Cornsilk", "LemonChiffon",
	"FloralWhite", "Snow", "Yellow", "LightYellow", "Ivory", "White",
}

// Style is how one layer looks in uMap. Zero fields are left to the kind's default (see StyleFor); a map file
// overrides any of them.
type Style struct {
	Color         string   `json:"color,omitempty"`
	FillColor     string   `json:"fillColor,omitempty"`
	FillOpacity   *float64 `json:"fillOpacity,omitempty"`
	Opacity       *float64 `json:"opacity,omitempty"`
	Weight        *int     `json:"weight,omitempty"`
	IconClass     string   `json:"iconClass,omitempty"`
	Type          string   `json:"type,omitempty"`
	PopupShape    string   `json:"popupShape,omitempty"`
	PopupTemplate string   `json:"popupTemplate,omitempty"`
	// PopupContentTemplate replaces the popup patrimap writes from the dataset's columns (uMap's syntax:
	// "# {name}\n{kind}\n[[{url}|Fiche]]").
	PopupContentTemplate string `json:"popupContentTemplate,omitempty"`
	LabelKey             string `json:"labelKey,omitempty"`
	// FromZoom hides the layer below this zoom (uMap's fromZoom); 0 keeps patrimap's choice.
	FromZoom int `json:"fromZoom,omitempty"`
	// Choropleth, Categorized and Circles are the settings of the thematic types of the same name.
	Choropleth  *Choropleth  `json:"choropleth,omitempty"`
	Categorized *Categorized `json:"categorized,omitempty"`
	Circles     *Circles     `json:"circles,omitempty"`
}

// Validate says which value uMap would not accept.
func (s Style) Validate() error {
	for field, v := range map[string]string{"type": s.Type, "iconClass": s.IconClass, "popupShape": s.PopupShape, "popupTemplate": s.PopupTemplate} {
		if v != "" && !slices.Contains(Choices[field], v) {
			return fmt.Errorf("%s %q: uMap knows %s", field, v, strings.Join(Choices[field], ", "))
		}
	}
	for field, v := range map[string]string{"color": s.Color, "fillColor": s.FillColor} {
		if v != "" && !validColor(v) {
			return fmt.Errorf("%s %q: give a colour name of uMap's picker (e.g. ForestGreen) or #rrggbb", field, v)
		}
	}
	for field, p := range map[string]*float64{"fillOpacity": s.FillOpacity, "opacity": s.Opacity} {
		if p != nil && (*p < 0 || *p > 1) {
			return fmt.Errorf("%s %v: must be within 0..1", field, *p)
		}
	}
	if s.Weight != nil && (*s.Weight < 1 || *s.Weight > 20) {
		return fmt.Errorf("weight %d: uMap's range is 1..20", *s.Weight)
	}
	if s.FromZoom < 0 || s.FromZoom > 24 {
		return fmt.Errorf("fromZoom %d: must be within 0..24", s.FromZoom)
	}
	return s.validateThematic()
}

func validColor(c string) bool {
	if slices.Contains(Colors, c) {
		return true
	}
	if len(c) != 7 && len(c) != 4 || c[0] != '#' {
		return false
	}
	for _, r := range c[1:] {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

// over returns s with the fields set in o replacing its own.
func (s Style) over(o Style) Style {
	pick := func(a, b string) string {
		if b != "" {
			return b
		}
		return a
	}
	s.Color, s.FillColor, s.IconClass = pick(s.Color, o.Color), pick(s.FillColor, o.FillColor), pick(s.IconClass, o.IconClass)
	s.Type, s.PopupShape, s.PopupTemplate = pick(s.Type, o.Type), pick(s.PopupShape, o.PopupShape), pick(s.PopupTemplate, o.PopupTemplate)
	s.PopupContentTemplate, s.LabelKey = pick(s.PopupContentTemplate, o.PopupContentTemplate), pick(s.LabelKey, o.LabelKey)
	s.FillOpacity, s.Opacity, s.Weight = pickSet(s.FillOpacity, o.FillOpacity), pickSet(s.Opacity, o.Opacity), pickSet(s.Weight, o.Weight)
	if o.FromZoom != 0 {
		s.FromZoom = o.FromZoom
	}
	s.Choropleth, s.Categorized, s.Circles = pickSet(s.Choropleth, o.Choropleth), pickSet(s.Categorized, o.Categorized), pickSet(s.Circles, o.Circles)
	return s
}

// pickSet returns b when it is set, a otherwise.
func pickSet[T any](a, b *T) *T {
	if b != nil {
		return b
	}
	return a
}

func f64(v float64) *float64 { return &v }
func intp(v int) *int        { return &v }

// kindStyles are the default looks by the normalised "kind" column the INPN and culture importers write.
// Nested and wide designations (parks' aires d'adhésion, ZNIEFF II, PNR) are pale so that what lies inside
// them shows through; strict protections are stronger.
var kindStyles = map[string]Style{
	"Réserve naturelle nationale":                     {Color: "ForestGreen", FillOpacity: f64(0.4)},
	"Réserve naturelle régionale":                     {Color: "MediumSeaGreen", FillOpacity: f64(0.4)},
	"Réserve naturelle de Corse":                      {Color: "ForestGreen", FillOpacity: f64(0.4)},
	"Arrêté de protection de biotope":                 {Color: "OliveDrab", FillOpacity: f64(0.4)},
	"Réserve biologique":                              {Color: "Teal", FillOpacity: f64(0.4)},
	"Parc national – cœur":                            {Color: "DarkGreen", FillOpacity: f64(0.25)},
	"Parc national – aire d'adhésion":                 {Color: "YellowGreen", FillOpacity: f64(0.1)},
	"Parc national":                                   {Color: "DarkGreen", FillOpacity: f64(0.2)},
	"Parc naturel régional":                           {Color: "LimeGreen", FillOpacity: f64(0.1)},
	"Site d'un Conservatoire d'espaces naturels":      {Color: "SteelBlue", FillOpacity: f64(0.35)},
	"Terrain du Conservatoire du littoral":            {Color: "CadetBlue", FillOpacity: f64(0.35)},
	"Espace naturel sensible":                         {Color: "SeaGreen", FillOpacity: f64(0.3)},
	"ZNIEFF de type I":                                {Color: "Gold", FillOpacity: f64(0.25)},
	"ZNIEFF de type II":                               {Color: "Khaki", FillOpacity: f64(0.1)},
	"Natura 2000 ZSC/SIC":                             {Color: "MediumPurple", FillOpacity: f64(0.2)},
	"Natura 2000 ZPS":                                 {Color: "SkyBlue", FillOpacity: f64(0.2)},
	"Site Ramsar":                                     {Color: "DodgerBlue", FillOpacity: f64(0.2)},
	"Réserve de biosphère":                            {Color: "Olive", FillOpacity: f64(0.1)},
	"Réserve nationale de chasse et de faune sauvage": {Color: "Sienna", FillOpacity: f64(0.3)},
	"Site du patrimoine géologique":                   {Color: "SaddleBrown", FillOpacity: f64(0.3), IconClass: "Circle"},
	"monument historique":                             {Color: "DarkRed", IconClass: "Drop"},
	"musée de France":                                 {Color: "Navy", IconClass: "Drop"},
	"jardin remarquable":                              {Color: "Green", IconClass: "Drop"},
	"architecture contemporaine remarquable":          {Color: "DarkOrchid", IconClass: "Drop"},
	"maison des Illustres":                            {Color: "Chocolate", IconClass: "Drop"},
}

// themeStyles are the looks of datasets whose kind patrimap does not know.
var themeStyles = map[string]Style{
	store.ThemeNatural:  {Color: "ForestGreen", FillOpacity: f64(0.3)},
	store.ThemeCultural: {Color: "Crimson", FillOpacity: f64(0.3), IconClass: "Drop"},
	store.ThemeOSM:      {Color: "DimGray", FillOpacity: f64(0.3), IconClass: "Circle"},
	store.ThemeOther:    {Color: "SlateBlue", FillOpacity: f64(0.3)},
}

// StyleFor is the default style of a dataset whose features are all of kind (the most frequent kind when they
// are not): by kind, then by theme.
func StyleFor(d store.Dataset, kind string) Style {
	base := Style{Color: "SlateBlue", FillOpacity: f64(0.3), Weight: intp(2), Opacity: f64(0.9), IconClass: "Default",
		Type: "Default", PopupShape: "Default", PopupTemplate: "Default", LabelKey: "name"}
	if _, ok := d.Field("name"); !ok {
		base.LabelKey = ""
	}
	if s, ok := themeStyles[d.Theme]; ok {
		base = base.over(s)
	}
	if s, ok := kindStyles[kind]; ok {
		base = base.over(s)
	}
	return base
}
