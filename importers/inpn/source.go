package inpn

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/planar"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/store"
)

// Normalised columns, put first in every INPN dataset; the source's own columns follow, all kept.
var NormalisedFields = []store.Field{
	{Name: "id", Type: store.FieldText, Description: "identifier of the site (ID_MNHN, SITECODE, identifiant...)"},
	{Name: "name", Type: store.FieldText, Description: "name of the site as shown on maps (the source's own is kept)"},
	{Name: "kind", Type: store.FieldText, Description: "kind of space"},
	{Name: "url", Type: store.FieldText, Description: "the site's sheet on the INPN website"},
	{Name: "created", Type: store.FieldDate, Description: "creation date (ISO 8601), when known"},
	{Name: "area_ha", Type: store.FieldReal, Description: "official area in hectares; computed from the geometry when the source gives none"},
	{Name: "producer", Type: store.FieldText, Description: "who produces the layer"},
}

// Part selects the records of a file that go into one dataset: national parks' files hold two kinds of record.
type Part struct {
	Suffix string // dataset id suffix: "coeur"
	Title  string // title suffix
	Kind   string
	Codes  []string // CODE_R_ENP values of the part
}

// Parts of a layer: two for national parks (cœur and aire d'adhésion, by CODE_R_ENP), one otherwise.
func (l Layer) Parts() []Part {
	if l.Key == "pn" {
		return []Part{
			{Suffix: "coeur", Title: "cœurs", Kind: "Parc national – cœur", Codes: []string{"CPN"}},
			{Suffix: "aire-adhesion", Title: "aires d'adhésion", Kind: "Parc national – aire d'adhésion", Codes: []string{"AAPN", "APN"}},
		}
	}
	return []Part{{Kind: l.Kind}}
}

// Normaliser wraps a source of one layer: it keeps the records of one part and puts the normalised columns
// before the source's own.
type Normaliser struct {
	Layer  Layer
	Part   Part
	Source importers.Source
}

// SRID is the inner source's.
func (n *Normaliser) SRID() int { return n.Source.SRID() }

// Records streams the normalised records.
func (n *Normaliser) Records(ctx context.Context, rep *importers.Report, emit func(importers.Record) error) error {
	return n.Source.Records(ctx, rep, func(r importers.Record) error {
		if len(n.Part.Codes) > 0 {
			code, _ := first(r.Properties, []string{"CODE_R_ENP", "code_r_enp"})
			if !contains(n.Part.Codes, strings.ToUpper(code)) {
				rep.Read++ // read from the file, though the pipeline never sees it
				rep.Skip(fmt.Sprintf("not in this part (CODE_R_ENP %q, this dataset takes %s)", code, strings.Join(n.Part.Codes, ", ")), "")
				return nil
			}
		}
		r.Properties = append(n.normalised(r, rep), r.Properties...)
		return emit(r)
	})
}

func (n *Normaliser) normalised(r importers.Record, rep *importers.Report) []store.Property {
	l := n.Layer
	id, _ := first(r.Properties, l.IDFields)
	rawName, _ := first(r.Properties, l.NameFields)
	name := DisplayName(rawName, l.NamePrefixes)
	if name != strings.Join(strings.Fields(rawName), " ") {
		rep.Fix("name written for display (capitals or type prefix)", r.Ref)
	}
	if id == "" {
		rep.Fix("no identifier in the record", r.Ref)
	}
	var url any
	if l.URL != "" && id != "" {
		url = strings.ReplaceAll(l.URL, "{id}", id)
	}
	var created any
	if _, v := firstValue(r.Properties, l.CreatedFields); v != nil {
		d, err := CreatedDate(v)
		switch {
		case err != nil:
			rep.Fix("creation date unreadable (kept in the source column)", r.Ref)
		case d == "":
			rep.Fix("blank or placeholder creation date", r.Ref)
		default:
			created = d
		}
	}
	var area any
	if _, v := firstValue(r.Properties, l.AreaFields); v != nil {
		if a, ok := AreaHectares(v); ok {
			area = a
		}
	}
	if area == nil && r.Geometry != nil {
		area = computedHectares(r.Geometry, n.Source.SRID())
		rep.Fix("area computed from the geometry (no official area)", r.Ref)
	}
	var nameV, idV any
	if name != "" {
		nameV = name
	}
	if id != "" {
		idV = id
	}
	return []store.Property{
		{Key: "id", Value: idV}, {Key: "name", Value: nameV}, {Key: "kind", Value: n.Part.Kind}, {Key: "url", Value: url},
		{Key: "created", Value: created}, {Key: "area_ha", Value: area}, {Key: "producer", Value: l.Producer},
	}
}

// computedHectares is the area of g: planar in a projected CRS (Lambert-93, UTM: metres), geodesic on the sphere
// in WGS84. Rounded to the are, which is what the sources give.
func computedHectares(g orb.Geometry, srid int) float64 {
	var m2 float64
	if srid == 4326 || srid == 0 {
		m2 = orbgeo.Area(g)
	} else {
		m2 = planar.Area(g)
	}
	if m2 < 0 {
		m2 = -m2
	}
	return float64(int64(m2/100+0.5)) / 100
}

// first returns the first non-empty value among the fields, as text, and which field held it.
func first(props []store.Property, fields []string) (string, string) {
	f, v := firstValue(props, fields)
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v), f
	case int64:
		return strconv.FormatInt(v, 10), f
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), f
	}
	return "", ""
}

func firstValue(props []store.Property, fields []string) (string, any) {
	for _, name := range fields {
		for _, p := range props {
			if p.Key != name || p.Value == nil {
				continue
			}
			if s, ok := p.Value.(string); ok && strings.TrimSpace(s) == "" {
				continue
			}
			return name, p.Value
		}
	}
	return "", nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
