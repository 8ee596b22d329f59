package dossier

import (
	"fmt"
	"strings"
)

// chartTop is how many communes a bar chart shows (the table and the CSV have them all).
const chartTop = 20

// textAlternative describes a chart in words, for screen readers and for a reader of the printed page: what it
// shows and its leading figures. The chart's data table follows it on the page.
func (d *Dossier) textAlternative(l, id string) string {
	var b strings.Builder
	fr := l != "en"
	w := func(frText, enText string, args ...any) {
		if fr {
			fmt.Fprintf(&b, frText, args...)
		} else {
			fmt.Fprintf(&b, enText, args...)
		}
	}
	list := func(items []string) string {
		if fr {
			return strings.Join(items, " ; ")
		}
		return strings.Join(items, "; ")
	}
	// lead names the first n items of a chart.
	lead := func(n int, item func(int) string) {
		items := make([]string, n)
		for i := range items {
			items[i] = item(i)
		}
		w("En tête : %s.", "Leading: %s.", list(items))
	}
	switch id {
	case ChartMonumentsByCommune:
		m := d.Monuments
		n := min(len(m.PerCommune), chartTop)
		if n == 1 {
			w("Barres empilées : nombre de monuments historiques par commune (classés, inscrits, classés et inscrits), pour la seule commune qui en a. ",
				"Stacked bars: monuments historiques per commune (classé, inscrit, both), for the only commune with any. ")
		} else {
			w("Barres empilées : nombre de monuments historiques par commune (classés, inscrits, classés et inscrits), pour les %d communes qui en ont le plus sur %s. ",
				"Stacked bars: monuments historiques per commune (classé, inscrit, both), for the %d communes with the most of %s. ",
				n, number(l, int64(len(m.PerCommune))))
		}
		lead(min(5, n), func(i int) string {
			c := m.PerCommune[i]
			if !fr {
				return fmt.Sprintf("%s, %s (%s classé, %s inscrit, %s both)", c.Name, number(l, c.Total), number(l, c.Classe), number(l, c.Inscrit), number(l, c.Both))
			}
			return fmt.Sprintf("%s, %s (%s, %s, %s)", c.Name, number(l, c.Total), counted(l, c.Classe, "classe"), counted(l, c.Inscrit, "inscrit"), counted(l, c.Both, "both"))
		})
	case ChartProtectionsByDecade:
		m := d.Monuments
		first, last := m.Decades[0].Decade, m.Decades[len(m.Decades)-1].Decade
		top := m.Decades[0]
		for _, dc := range m.Decades {
			if dc.Classe+dc.Inscrit > top.Classe+top.Inscrit {
				top = dc
			}
		}
		w("Pyramide : premières protections par décennie, de %d à %d, monuments d'abord classés à gauche, d'abord inscrits à droite. La décennie la plus chargée est %d (%s, %s).",
			"Pyramid: first protections per decade, from %d to %d, monuments first classé on the left, first inscrit on the right. The busiest decade is %d (%s classé, %s inscrit).",
			first, last, top.Decade, frOr(fr, counted(l, top.Classe, "classe"), number(l, top.Classe)), frOr(fr, counted(l, top.Inscrit, "inscrit"), number(l, top.Inscrit)))
		switch {
		case m.Undated == 1:
			w(" 1 monument sans date ou nature de première protection n'est pas compté.", " 1 monument without a date or kind of first protection is not counted.")
		case m.Undated > 1:
			w(" %s monuments sans date ou nature de première protection ne sont pas comptés.", " %s monuments without a date or kind of first protection are not counted.", number(l, m.Undated))
		}
	case ChartNaturalByStatus:
		w("Barres : surface de chaque statut du patrimoine naturel dans le territoire. ", "Bars: area of each natural-heritage status in the territory. ")
		var items []string
		for _, inv := range d.Inventories {
			if inv.Kind == KindNatural && inv.AreaHa != nil {
				sep := " : "
				if !fr {
					sep = ": "
				}
				items = append(items, fmt.Sprintf("%s%s%s\u00a0ha (%s)", inv.Title, sep, hectares(l, *inv.AreaHa), percent(l, deref(inv.Share))))
			}
		}
		w("%s. Couvert par au moins un zonage : %s\u00a0ha (%s).", "%s. Covered by at least one: %s\u00a0ha (%s).",
			list(items), hectares(l, d.Natural.UnionHa), percent(l, d.Natural.UnionShare))
	case ChartNaturalByCommune:
		n := d.Natural
		k := min(len(n.PerCommune), chartTop)
		w("Barres : part de la superficie de chaque commune couverte par au moins un zonage du patrimoine naturel, pour les %d communes les plus couvertes sur %s. ",
			"Bars: share of each commune's area covered by at least one natural-heritage designation, for the %d most covered communes of %s. ",
			k, number(l, int64(len(n.PerCommune))))
		lead(min(5, k), func(i int) string {
			c := n.PerCommune[i]
			return fmt.Sprintf("%s %s (%s\u00a0ha)", c.Name, percent(l, c.Share), hectares(l, c.CoveredHa))
		})
	}
	return b.String()
}

// frOr is fr's text in French, else en's.
func frOr(fr bool, frText, enText string) string {
	if fr {
		return frText
	}
	return enText
}
