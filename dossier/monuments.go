package dossier

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
)

// yearOf reads first_protected: an integer year; a store written before the column became one holds the date
// as text ("1862", "1985-06-12"), whose first four digits are the year.
func yearOf(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	case string:
		if len(x) >= 4 {
			if y, err := strconv.ParseInt(x[:4], 10, 64); err == nil {
				return y
			}
		}
	}
	return 0
}

// The protections of the Mérimée list, as the culture importer writes them.
const (
	classe  = "classé"
	inscrit = "inscrit"
	both    = "classé et inscrit"
)

// monumentRow counts one monument historique of the territory, and returns its first protection when its date
// and kind are known: the date is first_protected_date, or the earliest event of the year first_protected when
// only the year (or month) is known ("1862"), as the importer chose it; the kind that of the events of that
// date, classé when a monument was classé and inscrit the same day.
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
	date, kind := firstProtection(r.events, r.firstYear, r.firstDate)
	if date == "" || kind == "" {
		m.Undated++
		return Protection{}, false
	}
	return Protection{Date: date, Type: kind, Name: r.name, Commune: site.Commune, Ref: r.id, URL: r.url}, true
}

// protectionEvent is an event of a protection_events cell, as the dossier reads it.
type protectionEvent struct {
	Date *string `json:"date"`
	Type *string `json:"type"`
}

// firstProtection is the date of the first protection in a protection_events cell (date when known, else the
// earliest typed event of year) and the kind of the protections of that date; "" when either is unknown.
func firstProtection(events string, year int64, date string) (string, string) {
	var evs []protectionEvent
	if year <= 0 || json.Unmarshal([]byte(events), &evs) != nil {
		return "", ""
	}
	if date == "" {
		prefix := strconv.FormatInt(year, 10)
		for _, e := range evs {
			if e.Date != nil && e.Type != nil && strings.HasPrefix(*e.Date, prefix) && (date == "" || *e.Date < date) {
				date = *e.Date
			}
		}
	}
	if date == "" {
		return "", ""
	}
	return date, firstKind(evs, date)
}

// firstKind is the kind of the protections dated date among evs.
func firstKind(evs []protectionEvent, date string) string {
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
