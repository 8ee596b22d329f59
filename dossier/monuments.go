package dossier

import (
	"encoding/json"
	"sort"
	"strconv"
)

// The protections of the Mérimée list, as the culture importer writes them.
const (
	classe  = "classé"
	inscrit = "inscrit"
	both    = "classé et inscrit"
)

// monumentRow counts one monument historique of the territory, and returns its first protection when its date
// and kind are known: the date is first_protected (the importer's earliest date), the kind that of the events
// of that date, classé when a monument was classé and inscrit the same day.
func (b *build) monumentRow(r *row, commune string, site Site) (Protection, bool) {
	m := b.d.Monuments
	m.Total++
	var c *CommuneMonuments
	if commune != "" {
		c = b.monument[commune]
		if c == nil {
			c = &CommuneMonuments{Code: commune, Name: b.communeName(commune)}
			b.monument[commune] = c
		}
		c.Total++
	}
	switch r.protection {
	case classe:
		m.Classe++
		if c != nil {
			c.Classe++
		}
	case inscrit:
		m.Inscrit++
		if c != nil {
			c.Inscrit++
		}
	case both:
		m.Both++
		if c != nil {
			c.Both++
		}
	default:
		m.Unknown++
		if c != nil {
			c.Unknown++
		}
	}
	kind := firstKind(r.events, r.firstProtected)
	if r.firstProtected == "" || kind == "" || len(r.firstProtected) < 4 {
		m.Undated++
		return Protection{}, false
	}
	return Protection{Date: r.firstProtected, Type: kind, Name: r.name, Commune: site.Commune, Ref: r.id, URL: r.url}, true
}

// firstKind is the kind of the protections dated date in a protection_events cell.
func firstKind(events, date string) string {
	var evs []struct {
		Date *string `json:"date"`
		Type *string `json:"type"`
	}
	if date == "" || json.Unmarshal([]byte(events), &evs) != nil {
		return ""
	}
	kind := ""
	for _, e := range evs {
		if e.Date == nil || e.Type == nil || *e.Date != date {
			continue
		}
		switch *e.Type {
		case classe:
			return classe
		case inscrit:
			kind = inscrit
		}
	}
	return kind
}

// finishMonuments orders the communes and the protections.
func (b *build) finishMonuments(ps []Protection) {
	m := b.d.Monuments
	for _, code := range sortedCodes(b.monument) {
		m.PerCommune = append(m.PerCommune, *b.monument[code])
	}
	sort.SliceStable(m.PerCommune, func(i, j int) bool { return m.PerCommune[i].Total > m.PerCommune[j].Total })
	decades := map[int]*DecadeCount{}
	for _, p := range ps {
		y, err := strconv.Atoi(p.Date[:4])
		if err != nil {
			m.Undated++
			continue
		}
		d := decades[y/10*10]
		if d == nil {
			d = &DecadeCount{Decade: y / 10 * 10}
			decades[d.Decade] = d
		}
		if p.Type == classe {
			d.Classe++
		} else {
			d.Inscrit++
		}
	}
	if len(decades) > 0 {
		// Every decade from the first to the last, empty ones included: the chart's axis is time.
		lo, hi := 1<<31-1, 0
		for k := range decades {
			lo, hi = min(lo, k), max(hi, k)
		}
		for y := lo; y <= hi; y += 10 {
			if d := decades[y]; d != nil {
				m.Decades = append(m.Decades, *d)
			} else {
				m.Decades = append(m.Decades, DecadeCount{Decade: y})
			}
		}
	}
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Date != ps[j].Date {
			return ps[i].Date < ps[j].Date
		}
		return ps[i].Ref < ps[j].Ref
	})
	n := min(len(ps), 5)
	m.Oldest = append([]Protection(nil), ps[:n]...)
	for i := len(ps) - 1; i >= len(ps)-n; i-- {
		m.Recent = append(m.Recent, ps[i])
	}
}
