package hours

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// closures reads a fermeture annuelle text: "1er janvier, 1er mai, 1er et 11 novembre, 25 décembre", "Jours
// fériés", "Novembre à avril", "24 décembre au 2 janvier", "vendredi saint", "dimanche de Pâques". It returns
// opening_hours rules that close those days ("Jan 01,May 01,Nov 01,Nov 11,Dec 25 off", "PH off", "easter -2
// days off").
func closures(text string) ([]string, error) {
	p := &parser{toks: lex(text)}
	p.accept("fermé", "fermeture", "fermetures")
	p.accept("annuelle", "annuelles")
	p.accept(":")
	var dates, ranges, movable []string
	ph := false
	items := 0
	for !p.eof() {
		if p.accept(",", ";", ".", "et", "-", "/") {
			continue
		}
		p.accept("le", "les", "la", "du", "en")
		items++
		switch {
		case p.acceptSeq("jours", "fériés") || p.accept("fériés"):
			ph = true
		case p.acceptSeq("vendredi", "saint"):
			movable = append(movable, "easter -2 days")
		case p.acceptSeq("jeudi", "de", "l'", "ascension") || p.acceptSeq("l'", "ascension") || p.accept("ascension"):
			movable = append(movable, "easter +39 days")
		case p.peek(0).is("pâques", "pentecôte", "pentecôtes") || p.peek(0).kind == tDay:
			days, ok := p.feastDays()
			if !ok {
				return nil, fmt.Errorf("cannot read %q", p.rest())
			}
			movable = append(movable, days...)
		case p.accept("toussaint"):
			dates = append(dates, "Nov 01")
		case p.accept("noël"):
			dates = append(dates, "Dec 25")
		case p.acceptSeq("jour", "de", "l'", "an"):
			dates = append(dates, "Jan 01")
		case p.peek(0).kind == tNum:
			ds, rs, err := p.closedDates()
			if err != nil {
				return nil, err
			}
			dates, ranges = append(dates, ds...), append(ranges, rs...)
		case p.peek(0).kind == tMonth || (p.peek(0).is("de", "d'") && p.peek(1).kind == tMonth):
			p.accept("de", "d'")
			from := p.peek(0).n
			p.pos++
			to := from
			if p.peek(0).is("à", "au", "-", "a") && p.peek(1).kind == tMonth {
				to = p.peek(1).n
				p.pos += 2
			}
			ranges = append(ranges, dateRange{fromMonth: from, toMonth: to}.osm())
		default:
			return nil, fmt.Errorf("cannot read %q", p.rest())
		}
	}
	if items == 0 {
		return nil, errors.New("no closing days")
	}
	var rules []string
	slices.Sort(movable)
	movable = slices.Compact(movable)
	if len(ranges) > 0 {
		rules = append(rules, strings.Join(ranges, ",")+" off")
	}
	if len(dates) > 0 {
		rules = append(rules, strings.Join(dates, ",")+" off")
	}
	for _, m := range movable {
		rules = append(rules, m+" off")
	}
	if ph {
		rules = append(rules, "PH off")
	}
	return rules, nil
}

// feastDays reads the days of Easter and Pentecost: "dimanche de Pâques", "dimanche et lundi de Pentecôte",
// "lundi de Pâques et de Pentecôte", "Pâques", as opening_hours "easter" offsets.
func (p *parser) feastDays() ([]string, bool) {
	start := p.pos
	var days []int
	for p.peek(0).kind == tDay {
		days = append(days, p.peek(0).n)
		p.pos++
		if !p.accept("et", ",") {
			break
		}
	}
	if len(days) > 0 && !p.accept("de") {
		p.pos = start
		return nil, false
	}
	if len(days) == 0 {
		days = []int{6} // "Pâques" alone is Easter Sunday
	}
	var feasts []int // days after Easter Sunday of each feast's Sunday
	for {
		switch {
		case p.accept("pâques"):
			feasts = append(feasts, 0)
		case p.accept("pentecôte", "pentecôtes"):
			feasts = append(feasts, 49)
		default:
			p.pos = start
			return nil, false
		}
		save := p.pos
		if !p.accept("et", ",") {
			break
		}
		p.accept("de")
		if !p.peek(0).is("pâques", "pentecôte", "pentecôtes") {
			p.pos = save
			break
		}
	}
	var out []string
	for _, f := range feasts {
		for _, d := range days {
			// Only the feast's Sunday and the Monday after are holidays ("lundi de Pâques").
			switch d {
			case 6:
				out = append(out, easter(f))
			case 0:
				out = append(out, easter(f+1))
			default:
				p.pos = start
				return nil, false
			}
		}
	}
	return out, true
}

func easter(off int) string {
	switch {
	case off == 0:
		return "easter"
	case off == 1 || off == -1:
		return fmt.Sprintf("easter %+d day", off)
	}
	return fmt.Sprintf("easter %+d days", off)
}

// closedDates reads "25 décembre", "1er et 11 novembre", "1er au 9 janvier", "24 décembre au 2 janvier":
// single days and ranges, each as an opening_hours month-day selector.
func (p *parser) closedDates() (dates, ranges []string, err error) {
	start := p.pos
	if r, ok := p.dateToDate(); ok {
		per := period{ranges: []dateRange{r}}
		if !per.valid() {
			return nil, nil, fmt.Errorf("no such day: %q", p.restFrom(start))
		}
		p.accept("inclus", "inclusivement", "compris")
		return nil, []string{r.osm()}, nil
	}
	var days []int
	for p.peek(0).kind == tNum {
		days = append(days, p.peek(0).n)
		p.pos++
		if p.peek(0).is("et", ",") && p.peek(1).kind == tNum {
			p.pos++
		}
	}
	if p.peek(0).kind != tMonth {
		return nil, nil, fmt.Errorf("cannot read %q", p.restFrom(start))
	}
	m := p.peek(0).n
	p.pos++
	for _, d := range days {
		if d < 1 || d > daysIn[m] {
			return nil, nil, fmt.Errorf("no such day: %q", p.restFrom(start))
		}
		dates = append(dates, fmt.Sprintf("%s %02d", monthAbbr[m], d))
	}
	return dates, nil, nil
}

func (p *parser) restFrom(i int) string {
	save := p.pos
	p.pos = i
	defer func() { p.pos = save }()
	return p.rest()
}
