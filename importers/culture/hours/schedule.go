package hours

import (
	"fmt"
	"slices"
	"strings"
)

// span is an opening time range in minutes since midnight; to < from runs past midnight ("21h à 0h30").
type span struct{ from, to int }

// week is the spans of each weekday, Monday first.
type week [7][]span

// nthDay is "le premier dimanche du mois": day 0..6, n 1..5.
type nthDay struct{ day, n int }

// daySet is the days a clause speaks of.
type daySet struct {
	days [7]bool
	ph   bool // jours fériés
	nth  []nthDay
}

// dateRange is a part of the year from (month, day) to (month, day); day 0 means the whole month (the
// first day for from, the last for to).
type dateRange struct{ fromMonth, fromDay, toMonth, toDay int }

// period is a part of the year; nil ranges means the whole year.
type period struct{ ranges []dateRange }

func (p *period) allYear() bool { return p == nil || len(p.ranges) == 0 }

// key identifies a period, so that clauses of the same period share one week.
func (p *period) key() string {
	if p.allYear() {
		return ""
	}
	return p.osm()
}

var monthAbbr = [...]string{"", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// osm writes the period as an opening_hours month-day selector: "Apr-Sep", "Apr 01-Sep 30", "Jul,Sep".
func (p *period) osm() string {
	var parts []string
	for _, r := range p.ranges {
		parts = append(parts, r.osm())
	}
	return strings.Join(parts, ",")
}

func (r dateRange) osm() string {
	from := monthAbbr[r.fromMonth]
	if r.fromDay > 0 {
		from += fmt.Sprintf(" %02d", r.fromDay)
	}
	if r.fromMonth == r.toMonth && r.fromDay == 0 && r.toDay == 0 {
		return from
	}
	if r.fromMonth == r.toMonth && r.fromDay > 0 && r.toDay > 0 && r.toDay >= r.fromDay {
		if r.toDay == r.fromDay {
			return from
		}
		return from + fmt.Sprintf("-%02d", r.toDay) // "Jan 01-09"
	}
	to := monthAbbr[r.toMonth]
	if r.toDay > 0 {
		to += fmt.Sprintf(" %02d", r.toDay)
	}
	if (r.fromDay == 0) != (r.toDay == 0) { // "Jun 15-Sep": write the whole date on both sides
		if r.fromDay == 0 {
			from += " 01"
		}
		if r.toDay == 0 {
			to += fmt.Sprintf(" %02d", daysIn[r.toMonth])
		}
	}
	return from + "-" + to
}

// daysIn are the days of each month in a leap year: a period is a set of calendar days, Feb 29 included.
var daysIn = [...]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// dayOfYear numbers a calendar day 0..365.
func dayOfYear(month, day int) int {
	n := 0
	for m := 1; m < month; m++ {
		n += daysIn[m]
	}
	return n + day - 1
}

// days returns the calendar days of the period.
func (p *period) days() [366]bool {
	var out [366]bool
	if p.allYear() {
		for i := range out {
			out[i] = true
		}
		return out
	}
	for _, r := range p.ranges {
		fd, td := r.fromDay, r.toDay
		if fd == 0 {
			fd = 1
		}
		if td == 0 {
			td = daysIn[r.toMonth]
		}
		from, to := dayOfYear(r.fromMonth, fd), dayOfYear(r.toMonth, td)
		for i := from; ; i = (i + 1) % 366 { // a range may wrap over the new year ("d'octobre à mai")
			out[i] = true
			if i == to {
				break
			}
		}
	}
	return out
}

func (p *period) overlaps(q *period) bool {
	a, b := p.days(), q.days()
	for i := range a {
		if a[i] && b[i] {
			return true
		}
	}
	return false
}

// contains says whether every day of q is a day of p.
func (p *period) contains(q *period) bool {
	a, b := p.days(), q.days()
	for i := range a {
		if b[i] && !a[i] {
			return false
		}
	}
	return true
}

func (p *period) valid() bool {
	for _, r := range p.ranges {
		for _, md := range [][2]int{{r.fromMonth, r.fromDay}, {r.toMonth, r.toDay}} {
			if md[0] < 1 || md[0] > 12 || md[1] < 0 || md[1] > daysIn[md[0]] {
				return false
			}
		}
	}
	return true
}

var dayAbbr = [...]string{"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"}

// osmDays writes a set of weekdays: "Mo,We-Su", "Sa,Su", "Tu-Su".
func osmDays(set [7]bool) string {
	var parts []string
	for i := 0; i < 7; {
		if !set[i] {
			i++
			continue
		}
		j := i
		for j+1 < 7 && set[j+1] {
			j++
		}
		switch {
		case j == i:
			parts = append(parts, dayAbbr[i])
		case j == i+1:
			parts = append(parts, dayAbbr[i], dayAbbr[j])
		default:
			parts = append(parts, dayAbbr[i]+"-"+dayAbbr[j])
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

func osmTime(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

func osmSpans(spans []span) string {
	parts := make([]string, len(spans))
	for i, s := range spans {
		parts[i] = osmTime(s.from) + "-" + osmTime(s.to)
	}
	return strings.Join(parts, ",")
}

// osmWeek writes the rules of one week: days with the same spans share a rule, in weekday order.
func osmWeek(prefix string, w week) []string {
	var rules []string
	done := [7]bool{}
	for i := 0; i < 7; i++ {
		if done[i] || len(w[i]) == 0 {
			continue
		}
		var set [7]bool
		for j := i; j < 7; j++ {
			if !done[j] && slices.Equal(w[i], w[j]) {
				set[j], done[j] = true, true
			}
		}
		rules = append(rules, prefix+osmDays(set)+" "+osmSpans(w[i]))
	}
	return rules
}

func withPrefix(p *period) string {
	if p.allYear() {
		return ""
	}
	return p.osm() + " "
}
