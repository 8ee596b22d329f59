package umap

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/patrimap/patrimap/store"
)

// The thematic layer types of uMap 3.8 (modules/data/types.js) colour or size each feature by one column. Each
// reads its settings from an option named after it: "choropleth", "categorized" or "circles". Without a
// "property" uMap falls back to the layer's first field (patrimap's "id": the legend reads "NaN - NaN"), so a
// map file that asks for one of these types must name the column, and Build checks the column can be drawn.

// Choropleth colours features by classes of a numeric column.
type Choropleth struct {
	// Property is the numeric column.
	Property string `json:"property"`
	// Brewer is a ColorBrewer palette (uMap's default: Blues).
	Brewer string `json:"brewer,omitempty"`
	// Classes is the number of classes, 3..9 (uMap's default: 5).
	Classes int `json:"classes,omitempty"`
	// Mode is how uMap computes the breaks: kmeans (its default), equidistant, jenks, quantiles or manual.
	Mode string `json:"mode,omitempty"`
	// Breaks are the manual breaks, comma-separated, the minimum and maximum included ("0,10,100,5000").
	Breaks string `json:"breaks,omitempty"`
}

// Categorized colours features by the values of a column.
type Categorized struct {
	// Property is the column.
	Property string `json:"property"`
	// Brewer is a ColorBrewer palette (uMap's default: Accent).
	Brewer string `json:"brewer,omitempty"`
	// Mode is alpha (the values in alphabetical order, uMap's default) or manual (Categories).
	Mode string `json:"mode,omitempty"`
	// Categories are the manual categories, comma-separated, in legend order.
	Categories string `json:"categories,omitempty"`
}

// Circles draws proportional circles from a numeric column.
type Circles struct {
	// Property is the numeric column.
	Property string        `json:"property"`
	Radius   *CircleRadius `json:"radius,omitempty"`
}

// CircleRadius bounds the circles, in pixels (uMap's defaults: 2 and 50).
type CircleRadius struct {
	Min int `json:"min,omitempty"`
	Max int `json:"max,omitempty"`
}

// Brewers are the palettes of the ColorBrewer build uMap 3.8 vendors (vendors/colorbrewer/colorbrewer.js). uMap
// silently uses its default palette for any other name.
var Brewers = []string{
	"BuGn", "BuPu", "GnBu", "OrRd", "PuBu", "PuBuGn", "PuRd", "RdPu", "YlGn", "YlGnBu", "YlOrBr", "YlOrRd",
	"Blues", "Greens", "Greys", "Oranges", "Purples", "Reds",
	"BrBG", "PiYG", "PRGn", "PuOr", "RdBu", "RdGy", "RdYlBu", "RdYlGn", "Spectral",
	"Accent", "Dark2", "Paired", "Pastel1", "Pastel2", "Set1", "Set2", "Set3",
}

var (
	choroplethModes  = []string{"kmeans", "equidistant", "jenks", "quantiles", "manual"}
	categorizedModes = []string{"alpha", "manual"}
)

// thematicKeys are the option each thematic type reads.
var thematicKeys = map[string]string{"Choropleth": "choropleth", "Categorized": "categorized", "Circles": "circles"}

// validateThematic checks the settings of a style on their own (the columns are checked by checkThematic, once
// the dataset is known).
func (s Style) validateThematic() error {
	given := map[string]bool{"Choropleth": s.Choropleth != nil, "Categorized": s.Categorized != nil, "Circles": s.Circles != nil}
	for typ, ok := range given {
		if ok && s.Type != "" && s.Type != typ {
			return fmt.Errorf("%q settings are for type %s, but the style's type is %s", thematicKeys[typ], typ, s.Type)
		}
	}
	brewer := func(b string) error {
		if b != "" && !slices.Contains(Brewers, b) {
			return fmt.Errorf("brewer %q: uMap's palettes are %s", b, strings.Join(Brewers, ", "))
		}
		return nil
	}
	if c := s.Choropleth; c != nil {
		if err := brewer(c.Brewer); err != nil {
			return fmt.Errorf("choropleth: %w", err)
		}
		if c.Mode != "" && !slices.Contains(choroplethModes, c.Mode) {
			return fmt.Errorf("choropleth: mode %q: uMap knows %s", c.Mode, strings.Join(choroplethModes, ", "))
		}
		if c.Classes != 0 && (c.Classes < 3 || c.Classes > 9) {
			return fmt.Errorf("choropleth: classes %d: uMap's range is 3..9", c.Classes)
		}
		if c.Mode == "manual" {
			if _, err := parseBreaks(c.Breaks); err != nil {
				return fmt.Errorf("choropleth: %w", err)
			}
		} else if c.Breaks != "" {
			return fmt.Errorf(`choropleth: breaks %q are only read with "mode": "manual"`, c.Breaks)
		}
	}
	if c := s.Categorized; c != nil {
		if err := brewer(c.Brewer); err != nil {
			return fmt.Errorf("categorized: %w", err)
		}
		if c.Mode != "" && !slices.Contains(categorizedModes, c.Mode) {
			return fmt.Errorf("categorized: mode %q: uMap knows %s", c.Mode, strings.Join(categorizedModes, ", "))
		}
		if c.Mode == "manual" && strings.Trim(c.Categories, ", ") == "" {
			return fmt.Errorf(`categorized: "mode": "manual" needs "categories", comma-separated`)
		}
	}
	if c := s.Circles; c != nil && c.Radius != nil {
		if c.Radius.Min != 0 && (c.Radius.Min < 1 || c.Radius.Min > 50) || c.Radius.Max != 0 && (c.Radius.Max < 2 || c.Radius.Max > 200) {
			return fmt.Errorf("circles: radius %d..%d px: give min within 1..50 and max within 2..200", c.Radius.Min, c.Radius.Max)
		}
		if c.Radius.Min != 0 && c.Radius.Max != 0 && c.Radius.Min >= c.Radius.Max {
			return fmt.Errorf("circles: radius min %d must be below max %d", c.Radius.Min, c.Radius.Max)
		}
	}
	return nil
}

// parseBreaks reads manual choropleth breaks: at least two numbers, ascending.
func parseBreaks(s string) ([]float64, error) {
	var out []float64
	for _, p := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil, fmt.Errorf("breaks %q: %q is not a number (give numbers separated by commas, minimum and maximum included)", s, p)
		}
		if len(out) > 0 && v <= out[len(out)-1] {
			return nil, fmt.Errorf("breaks %q: must ascend", s)
		}
		out = append(out, v)
	}
	if len(out) < 2 {
		return nil, fmt.Errorf("breaks %q: give at least the minimum and the maximum", s)
	}
	return out, nil
}

// thematicColumn is the column a thematic style draws ("" for other types).
func (s Style) thematicColumn() string {
	switch {
	case s.Type == "Choropleth" && s.Choropleth != nil:
		return s.Choropleth.Property
	case s.Type == "Categorized" && s.Categorized != nil:
		return s.Categorized.Property
	case s.Type == "Circles" && s.Circles != nil:
		return s.Circles.Property
	}
	return ""
}

// checkThematic says why uMap could not draw layer ld with style st: a thematic type without its column, a
// column the dataset lacks, text where numbers are needed, or a column without values. The error names the
// columns that would do.
func checkThematic(st Style, ld *layerData) error {
	key, ok := thematicKeys[st.Type]
	if !ok {
		return nil
	}
	d := ld.d
	numeric := st.Type != "Categorized"
	var candidates []string
	for _, f := range d.Fields {
		if (!numeric && f.Type != store.FieldJSON) || f.Type == store.FieldInteger || f.Type == store.FieldReal {
			candidates = append(candidates, f.Name)
		}
	}
	what := "a column"
	if numeric {
		what = "a numeric column"
	}
	choose := "; " + d.ID + " has no such column: choose another type"
	if len(candidates) > 0 {
		choose = " (" + d.ID + ": " + strings.Join(candidates, ", ") + ")"
	}
	col := st.thematicColumn()
	if col == "" {
		return fmt.Errorf(`type %s needs "%s": {"property": COLUMN}, %s uMap draws%s; without it uMap reads the first column and its legend shows "NaN - NaN"`,
			st.Type, key, what, choose)
	}
	f, ok := d.Field(col)
	if !ok {
		return fmt.Errorf("%s.property %q: %s has no such column%s", key, col, d.ID, choose)
	}
	if numeric && f.Type != store.FieldInteger && f.Type != store.FieldReal {
		return fmt.Errorf("%s.property %q is %s, and uMap's %s needs numbers%s", key, col, f.Type, st.Type, choose)
	}
	if !numeric && f.Type == store.FieldJSON {
		return fmt.Errorf("%s.property %q holds JSON, which uMap cannot sort into categories%s", key, col, choose)
	}
	filled := ld.filled[col]
	if filled == 0 {
		return fmt.Errorf("%s.property %q has no value in %s's %d features: uMap would draw nothing%s", key, col, d.ID, ld.placed, choose)
	}
	// uMap's automatic breaks read a missing value as NaN, and then every break is NaN.
	if st.Type == "Choropleth" && st.Choropleth.Mode != "manual" && filled < ld.placed {
		return fmt.Errorf(`%s.property %q has no value in %d of %s's %d features: uMap computes its breaks with them as NaN and the legend reads "NaN - NaN"; choose a column filled everywhere, or "mode": "manual" with "breaks"`,
			key, col, ld.placed-filled, d.ID, ld.placed)
	}
	return nil
}
