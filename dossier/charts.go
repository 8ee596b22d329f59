package dossier

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
)

// The charts of a dossier, by id.
const (
	ChartMonumentsByCommune  = "monuments-by-commune"
	ChartProtectionsByDecade = "protections-by-decade"
	ChartNaturalByStatus     = "natural-by-status"
	ChartNaturalByCommune    = "natural-by-commune"
)

// charts writes the data of each chart the dossier has figures for.
func (b *build) charts() {
	d := b.d
	if m := d.Monuments; m != nil && m.Total > 0 {
		c := Chart{ID: ChartMonumentsByCommune, Columns: []string{"insee", "commune", "classe", "inscrit", "classe_et_inscrit", "protection_inconnue", "total"}}
		for _, p := range m.PerCommune {
			c.Rows = append(c.Rows, []any{p.Code, p.Name, p.Classe, p.Inscrit, p.Both, p.Unknown, p.Total})
		}
		d.Charts = append(d.Charts, c)
		if len(m.Decades) > 0 {
			c := Chart{ID: ChartProtectionsByDecade, Columns: []string{"decennie", "classe", "inscrit"}}
			for _, dc := range m.Decades {
				c.Rows = append(c.Rows, []any{dc.Decade, dc.Classe, dc.Inscrit})
			}
			d.Charts = append(d.Charts, c)
		}
	}
	if n := d.Natural; n != nil && n.AreasKnown {
		c := Chart{ID: ChartNaturalByStatus, Columns: []string{"dataset", "titre", "sites", "surface_ha", "part_du_territoire"}}
		for _, inv := range d.Inventories {
			if inv.Kind == KindNatural && inv.AreaHa != nil {
				c.Rows = append(c.Rows, []any{inv.Dataset, inv.Title, inv.Count, *inv.AreaHa, deref(inv.Share)})
			}
		}
		d.Charts = append(d.Charts, c)
		if len(n.PerCommune) > 0 {
			c := Chart{ID: ChartNaturalByCommune, Columns: []string{"insee", "commune", "surface_commune_ha", "surface_couverte_ha", "part"}}
			for _, p := range n.PerCommune {
				c.Rows = append(c.Rows, []any{p.Code, p.Name, p.AreaHa, p.CoveredHa, p.Share})
			}
			d.Charts = append(d.Charts, c)
		}
	}
}

func deref(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

// Chart returns the chart with this id, and whether the dossier has it.
func (d *Dossier) Chart(id string) (Chart, bool) {
	for _, c := range d.Charts {
		if c.ID == id {
			return c, true
		}
	}
	return Chart{}, false
}

// CSV writes a chart's data: a header line of its columns, then one line per row (numbers with a dot, shares as
// fractions), as spreadsheets read it with "," as separator.
func (c Chart) CSV() []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(c.Columns)
	rec := make([]string, len(c.Columns))
	for _, r := range c.Rows {
		for i, v := range r {
			switch v := v.(type) {
			case float64:
				rec[i] = strconv.FormatFloat(v, 'f', -1, 64)
			default:
				rec[i] = fmt.Sprint(v)
			}
		}
		_ = w.Write(rec)
	}
	w.Flush()
	return buf.Bytes()
}
