package dossier

import (
	"slices"
	"sort"

	"github.com/patrimap/patrimap/store"
)

// natural fills the areas of the layers counted by intersection: each layer's area in the territory (its own
// overlaps once), the area covered by at least one natural layer (every overlap once), and per commune.
func (b *build) natural(ds []store.Dataset, invs []Inventory, areas []cellAreas, isNatural []bool) {
	var territoryHa float64
	if b.d.Territory.AreaHa != nil {
		territoryHa = *b.d.Territory.AreaHa
	}
	if !slices.Contains(isNatural, true) {
		return
	}
	n := &Natural{AreasKnown: true}
	for l := range ds {
		if !isNatural[l] {
			continue
		}
		var ha float64
		for _, a := range areas {
			ha += a.byLayer[l] / 1e4
		}
		invs[l].AreaHa = ptr(round2(ha))
		if territoryHa > 0 {
			invs[l].Share = ptr(ha / territoryHa)
		}
		n.SumHa += ha
		n.Invalid += invs[l].InvalidArea
	}
	for i, a := range areas {
		code := b.codes[i]
		ha := a.all / 1e4
		n.UnionHa += ha
		if ha > 0 {
			n.PerCommune = append(n.PerCommune, CommuneArea{Code: code, Name: b.communeName(code), AreaHa: round2(b.areaHa[code]),
				CoveredHa: round2(ha), Share: ha / b.areaHa[code]})
		}
	}
	sort.SliceStable(n.PerCommune, func(i, j int) bool { return n.PerCommune[i].Share > n.PerCommune[j].Share })
	if territoryHa > 0 {
		n.UnionShare = n.UnionHa / territoryHa
	}
	n.UnionHa, n.SumHa = round2(n.UnionHa), round2(n.SumHa)
	b.d.Natural = n
}
