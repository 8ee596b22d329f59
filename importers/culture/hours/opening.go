package hours

import (
	"errors"
	"fmt"
	"slices"
)

// clause is one statement of an opening text: "du mardi au dimanche de 10h à 18h d'avril à octobre".
type clause struct {
	per     *period
	leading bool // the period came first: it applies to the clauses after it too, until another period
	// trailing: the period came after the hours; it applies to the clauses before it too, back to the
	// previous period. A period between the days and the hours is the clause's own.
	trailing bool
	days     *daySet
	spans    []span
	until    int  // "jusqu'à 21h": the last span of the days ends then (a late opening); 0 when not said
	evening  bool // the spans are added to the days' hours (a nocturne "de 21h à 23h"), not in their place
}

func (c clause) empty() bool { return c.per == nil && c.days == nil && c.spans == nil && c.until == 0 }

// clauses reads a text into its statements. It fails on the first words it cannot read: a text is read whole
// or not at all, so that nothing it says is silently dropped.
func clauses(text string) ([]clause, error) {
	cs, _, err := clausesAside(text)
	return cs, err
}

// clausesAside is clauses, also returning the statements about groups set aside (see groupsAside).
func clausesAside(text string) ([]clause, []string, error) {
	p := &parser{toks: lex(text)}
	var aside []string
	p.accept("ouvert", "ouverte", "ouverts", "ouverture", "horaires")
	p.accept(":")
	var out []clause
	var cur clause
	flush := func() {
		if !cur.empty() {
			out = append(out, cur)
		}
		cur = clause{}
	}
	for !p.eof() {
		if p.accept(",", ";", ".", "et", "-", "puis", "/", ":") {
			if cur.spans != nil || cur.until > 0 {
				flush()
			}
			continue
		}
		if p.accept("nocturne", "nocturnes") || p.seasonLabel() {
			continue
		}
		if per, ok := p.period(cur.spans == nil && cur.until == 0); ok {
			if cur.per != nil {
				return nil, nil, fmt.Errorf("two periods for one set of hours before %q", p.rest())
			}
			cur.per, cur.leading = per, cur.days == nil && cur.spans == nil && cur.until == 0
			cur.trailing = cur.spans != nil || cur.until > 0
			continue
		}
		if ds, ok := p.days(); ok {
			if cur.days != nil {
				if cur.spans == nil && cur.until == 0 {
					return nil, nil, fmt.Errorf("two lists of days without hours before %q", p.rest())
				}
				flush()
			}
			cur.days = &ds
			continue
		}
		if sp, ok := p.times(); ok {
			if cur.spans != nil || cur.until > 0 {
				return nil, nil, fmt.Errorf("two sets of hours for the same days at %q", p.rest())
			}
			cur.spans = sp
			continue
		}
		if p.accept("jusqu'à") {
			t, ok := p.clock(false)
			if !ok || cur.spans != nil || cur.until > 0 {
				return nil, nil, fmt.Errorf("cannot read %q", "jusqu'à "+p.rest())
			}
			cur.until = t
			if t == 0 {
				cur.until = 24 * 60
			}
			continue
		}
		if a, ok := p.groupsAside(); ok {
			aside = append(aside, a)
			continue
		}
		return nil, nil, fmt.Errorf("cannot read %q", p.rest())
	}
	flush()
	if len(out) == 0 {
		return nil, nil, errors.New("no hours")
	}
	return out, aside, nil
}

// groupsAside skips a statement about groups received by appointment ("Accueil des groupes sur rendez-vous",
// "toute l'année sur réservation pour les groupes"), up to the end of its sentence: it does not change when
// the museum is open to the public, which is what opening_hours says. It returns the words skipped.
func (p *parser) groupsAside() (string, bool) {
	end := p.pos
	groups, booking := false, false
	for end < len(p.toks) && !p.toks[end].is(".", ";") {
		t := p.toks[end]
		groups = groups || t.is("groupe", "groupes", "scolaires")
		booking = booking || t.is("réservation", "rendez-vous", "rdv", "demande")
		end++
	}
	if !groups || !booking {
		return "", false
	}
	skipped := p.restFrom(p.pos)
	p.pos = end
	return skipped, true
}

// seasonLabel skips "(été)", "(hiver)", "(haute saison)": names of the period the text gives in full.
func (p *parser) seasonLabel() bool {
	if !p.peek(0).is("(") {
		return false
	}
	i := 1
	for p.peek(i).is("été", "hiver", "haute", "basse", "saison") {
		i++
	}
	if i == 1 || !p.peek(i).is(")") {
		return false
	}
	p.pos += i + 1
	return true
}

// resolve gives each clause its period, days and hours where the text shares them between statements: a
// leading period ("d'avril à septembre, ...") covers the statements after it, a trailing one ("... de novembre à
// mars") the statements before it back to the previous period; a statement for another period that gives only
// its hours ("et de 10h à 19h en juillet-août") keeps the days of the statement before it, and one that gives
// only its days keeps the hours. What stays ambiguous is an error.
func resolve(cs []clause) error {
	var active *period
	pending := 0
	for i := range cs {
		c := &cs[i]
		switch {
		case c.per != nil && c.leading:
			active, pending = c.per, i+1
		case c.per != nil && c.trailing && active != nil && c.per.key() == active.key():
			pending = i + 1 // the period said again ("..., jusqu'à 19h le dimanche du 1er juin au 30 septembre")
		case c.per != nil && c.trailing:
			if active != nil {
				return errors.New("a period at the start and another at the end of the same hours")
			}
			for j := pending; j < i; j++ {
				if cs[j].until == 0 && cs[j].per == nil {
					cs[j].per = c.per
				}
			}
			pending = i + 1
		case c.per != nil: // the clause's own period
		case active != nil:
			c.per, pending = active, i+1
		}
	}
	// The clauses of each period, to tell a statement that only changes the season ("et de 10h à 19h en
	// juillet-août": the days of the one statement before) from one whose days are unknown.
	group := func(i int) []int {
		var out []int
		for j := range cs {
			if cs[j].until == 0 && cs[j].per.key() == cs[i].per.key() {
				out = append(out, j)
			}
		}
		return out
	}
	anyDays := slices.ContainsFunc(cs, func(c clause) bool { return c.days != nil })
	for i := range cs {
		c := &cs[i]
		if c.until > 0 {
			if c.days == nil {
				return errors.New("a late closing time without its days")
			}
			continue
		}
		var prev *clause
		if i > 0 && cs[i-1].until == 0 && cs[i-1].per.key() != c.per.key() && len(group(i-1)) == 1 {
			prev = &cs[i-1]
		}
		switch {
		case c.days != nil:
		case !anyDays || (i == 0 && prev == nil):
			// No days anywhere, or hours first and then the exceptions ("de 10h à 18h, le dimanche de
			// 14h à 18h"): every day, which later statements replace for the days they name.
			all := daySet{days: [7]bool{true, true, true, true, true, true, true}}
			c.days = &all
		case prev != nil:
			c.days = prev.days
		default:
			return errors.New("hours without their days")
		}
		switch {
		case c.spans != nil:
		case prev != nil && prev.spans != nil:
			c.spans = prev.spans
		default:
			return errors.New("days without their hours")
		}
	}
	return nil
}

// schedule is the resolved opening hours: one week per period of the year, in the order they apply.
type schedule struct {
	periods []*period // the whole year first, then each period as it first appears
	weeks   []week
	ph      [][]span // hours on public holidays, per period (nil: as the weekday)
	said    [][7]bool
	nth     []nthRule
}

type nthRule struct {
	per   *period
	day   nthDay
	spans []span
}

func (s *schedule) index(p *period) int {
	for i, q := range s.periods {
		if q.key() == p.key() {
			return i
		}
	}
	if p.allYear() {
		s.periods = append([]*period{p}, s.periods...)
		s.weeks = append([]week{{}}, s.weeks...)
		s.ph = append([][]span{nil}, s.ph...)
		s.said = append([][7]bool{{}}, s.said...)
		return 0
	}
	s.periods = append(s.periods, p)
	s.weeks = append(s.weeks, week{})
	s.ph = append(s.ph, nil)
	s.said = append(s.said, [7]bool{})
	return len(s.periods) - 1
}

// build turns resolved clauses into a schedule; clauses with a late closing time ("le jeudi jusqu'à 21h")
// change the hours the other clauses set.
func build(cs []clause) (*schedule, error) {
	s := &schedule{}
	for _, c := range cs {
		if c.until > 0 || c.evening {
			continue
		}
		i := s.index(c.per)
		for d, on := range c.days.days {
			if on {
				s.weeks[i][d] = c.spans // a later statement for the same days replaces an earlier one
				s.said[i][d] = true
			}
		}
		if c.days.ph {
			s.ph[i] = c.spans
		}
		for _, n := range c.days.nth {
			s.nth = append(s.nth, nthRule{per: c.per, day: n, spans: c.spans})
		}
	}
	if len(s.periods) == 0 {
		return nil, errors.New("no opening hours")
	}
	// A later period replaces the whole week of an earlier one only for the days it names: when it names
	// fewer days than the earlier one opens, the text does not say whether the others stay open.
	for i := range s.periods {
		for j := i + 1; j < len(s.periods); j++ {
			if !s.periods[i].overlaps(s.periods[j]) {
				continue
			}
			if !s.periods[i].allYear() && !s.periods[i].contains(s.periods[j]) {
				return nil, fmt.Errorf("periods %s and %s overlap", s.periods[i].osm(), s.periods[j].osm())
			}
			for d := 0; d < 7; d++ {
				if len(s.weeks[i][d]) > 0 && !s.said[j][d] {
					return nil, fmt.Errorf("%s is not said for %s although it is open the rest of the year", dayAbbr[d], s.periods[j].osm())
				}
			}
		}
	}
	for _, c := range cs {
		if c.until > 0 || c.evening {
			if err := s.extend(c); err != nil {
				return nil, err
			}
		}
	}
	return s, nil
}

// extend applies a late opening to the days of c: "jusqu'à 21h" makes their last opening end later; evening
// hours ("de 21h à 23h") are added after the day's.
func (s *schedule) extend(c clause) error {
	later := func(spans []span) ([]span, error) {
		if len(spans) == 0 {
			return nil, errors.New("a late opening on a day that is closed")
		}
		out := slices.Clone(spans)
		last := &out[len(out)-1]
		if c.evening {
			first := c.spans[0]
			if first.from <= last.to || last.to < last.from {
				return nil, errors.New("evening hours that do not come after the day's")
			}
			return append(out, c.spans...), nil
		}
		if c.until == last.to {
			return out, nil // the opening hours already say so
		}
		if c.until < last.to || c.until <= last.from {
			return nil, errors.New("a late closing time earlier than the usual one")
		}
		last.to = c.until
		return out, nil
	}
	for _, n := range c.days.nth {
		if len(s.periods) != 1 || !s.periods[0].allYear() || !c.per.allYear() {
			return errors.New("a late opening on one day of the month in hours that change with the season")
		}
		spans, err := later(s.weeks[0][n.day])
		if err != nil {
			return err
		}
		s.nth = append(s.nth, nthRule{per: c.per, day: n, spans: spans})
	}
	if c.days.ph {
		return errors.New("a late opening on public holidays")
	}
	if !c.per.allYear() {
		// A late opening in a season the hours already have: that season's week changes.
		for i, q := range s.periods {
			if q.key() == c.per.key() {
				for d, on := range c.days.days {
					if on {
						spans, err := later(s.weeks[i][d])
						if err != nil {
							return err
						}
						s.weeks[i][d] = spans
					}
				}
				return nil
			}
		}
		// A late opening within one season of the hours (or within hours for the whole year): a week of
		// its own, after the others, for the days it names.
		base := -1
		for i, q := range s.periods {
			if q.overlaps(c.per) {
				if base >= 0 || !q.contains(c.per) {
					return errors.New("a late opening over several seasons of the hours")
				}
				base = i
			}
		}
		if base < 0 {
			return errors.New("a late opening in a season the museum is closed")
		}
		from := s.weeks[base]
		i := s.index(c.per)
		for d, on := range c.days.days {
			if on {
				spans, err := later(from[d])
				if err != nil {
					return err
				}
				s.weeks[i][d], s.said[i][d] = spans, true
			}
		}
		return nil
	}
	for i := range s.periods {
		for d, on := range c.days.days {
			if !on {
				continue
			}
			spans, err := later(s.weeks[i][d])
			if err != nil {
				return err
			}
			s.weeks[i][d] = spans
		}
	}
	return nil
}

// rules writes the schedule as opening_hours rules, in the order they must apply (later rules replace earlier
// ones for the days they name).
func (s *schedule) rules() []string {
	var out []string
	for i, p := range s.periods {
		prefix := withPrefix(p)
		out = append(out, osmWeek(prefix, s.weeks[i])...)
		if s.ph[i] != nil {
			out = append(out, prefix+"PH "+osmSpans(s.ph[i]))
		}
		for _, n := range s.nth {
			if n.per.key() == p.key() {
				out = append(out, prefix+nthOSM(n.day)+" "+osmSpans(n.spans))
			}
		}
	}
	return out
}

func nthOSM(n nthDay) string { return fmt.Sprintf("%s[%d]", dayAbbr[n.day], n.n) }
