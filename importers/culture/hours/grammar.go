package hours

import "strings"

// parser walks the tokens of one text. Each rule method either consumes what it reads and returns ok, or
// leaves the position where it was and returns false: the grammar has no ambiguity that needs more.
type parser struct {
	toks []token
	pos  int
}

func (p *parser) eof() bool { return p.pos >= len(p.toks) }

func (p *parser) peek(k int) token {
	if p.pos+k < len(p.toks) {
		return p.toks[p.pos+k]
	}
	return token{kind: tPunct, text: ""}
}

// accept consumes the next token if it is one of words.
func (p *parser) accept(words ...string) bool {
	if !p.eof() && p.toks[p.pos].is(words...) {
		p.pos++
		return true
	}
	return false
}

// acceptSeq consumes words in sequence, or nothing.
func (p *parser) acceptSeq(words ...string) bool {
	for i, w := range words {
		if !p.peek(i).is(w) {
			return false
		}
	}
	p.pos += len(words)
	return true
}

// rest is the text from the current position, for error messages.
func (p *parser) rest() string {
	var b strings.Builder
	for i := p.pos; i < len(p.toks) && i < p.pos+8; i++ {
		if i > p.pos {
			b.WriteByte(' ')
		}
		b.WriteString(p.toks[i].text)
	}
	if p.pos+8 < len(p.toks) {
		b.WriteString(" …")
	}
	return b.String()
}

// ---- days ------------------------------------------------------------------------------------------------

// days reads a list of days: "du mardi au dimanche", "le lundi et du mercredi au vendredi", "lundi, mercredi,
// vendredi au dimanche", "samedi, dimanche et jours fériés", "tous les jours sauf le mardi", "le week-end",
// "en semaine", "le premier dimanche du mois".
func (p *parser) days() (daySet, bool) {
	start := p.pos
	var set daySet
	if !p.dayItem(&set) {
		p.pos = start
		return daySet{}, false
	}
	for {
		save := p.pos
		if p.accept(",", "et") || p.acceptSeq("ainsi", "que") {
			p.accept("et")
		} else if p.peek(0).kind != tDay { // "samedi dimanche": two days side by side
			break
		}
		if !p.dayItem(&set) {
			p.pos = save
			break
		}
	}
	if p.acceptSeq("sauf") {
		var except daySet
		p.accept("le", "les")
		if !p.dayItem(&except) {
			p.pos = start
			return daySet{}, false
		}
		for p.peek(0).is(",", "et") {
			save := p.pos
			p.pos++
			p.accept("le", "les")
			if !p.dayItem(&except) {
				p.pos = save
				break
			}
		}
		if len(except.nth) > 0 {
			p.pos = start
			return daySet{}, false
		}
		for i := range except.days {
			if except.days[i] {
				set.days[i] = false
			}
		}
		if except.ph {
			set.ph = false
		}
	}
	return set, true
}

// dayItem reads one element of a day list into set.
func (p *parser) dayItem(set *daySet) bool {
	start := p.pos
	p.accept("le", "les", "la")
	switch {
	case p.acceptSeq("tous", "les", "jours") || p.acceptSeq("toute", "la", "semaine") || p.acceptSeq("7", "jours", "sur", "7"):
		for i := range set.days {
			set.days[i] = true
		}
		return true
	case p.acceptSeq("en", "semaine") || p.acceptSeq("jours", "de", "semaine"):
		for i := 0; i < 5; i++ {
			set.days[i] = true
		}
		return true
	case p.accept("weekend"):
		set.days[5], set.days[6] = true, true
		return true
	case p.acceptSeq("jours", "fériés"):
		set.ph = true
		return true
	}
	if n, ok := p.ordinal(); ok && p.peek(0).kind == tDay {
		d := p.peek(0).n
		p.pos++
		// "le premier dimanche du mois", "de chaque mois", or just "le premier jeudi"
		_ = p.acceptSeq("du", "mois") || p.acceptSeq("de", "chaque", "mois") || p.acceptSeq("de", "mois")
		set.nth = append(set.nth, nthDay{day: d, n: n})
		return true
	}
	p.accept("du", "tous")
	p.accept("les")
	if p.peek(0).kind != tDay {
		p.pos = start
		return false
	}
	from := p.peek(0).n
	p.pos++
	if (p.peek(0).is("au", "à", "-")) && p.peek(1).kind == tDay {
		to := p.peek(1).n
		p.pos += 2
		for i := from; ; i = (i + 1) % 7 { // "du mercredi au lundi" wraps over the week-end
			set.days[i] = true
			if i == to {
				break
			}
		}
		return true
	}
	set.days[from] = true
	return true
}

// ordinal reads "premier", "1er", "2e", "deuxième", "second", "dernier" (as -1, which opening_hours writes [-1]).
func (p *parser) ordinal() (int, bool) {
	t := p.peek(0)
	switch {
	case t.is("premier"):
		p.pos++
		return 1, true
	case t.is("deuxième", "second", "seconde"):
		p.pos++
		return 2, true
	case t.is("troisième"):
		p.pos++
		return 3, true
	case t.is("dernier"):
		p.pos++
		return -1, true
	case t.kind == tNum && t.n >= 1 && t.n <= 5 && t.text != "" && strings.ContainsAny(t.text, "eè"):
		p.pos++
		return t.n, true
	}
	return 0, false
}

// ---- times -----------------------------------------------------------------------------------------------

// times reads "de 10h à 12h et de 14h à 18h", "10h-18h", "de 10 à 18 h".
func (p *parser) times() ([]span, bool) {
	start := p.pos
	s, ok := p.timeSpan()
	if !ok {
		p.pos = start
		return nil, false
	}
	spans := []span{s}
	for {
		save := p.pos
		if !p.accept("et", ",", "puis") {
			break
		}
		s, ok := p.timeSpan()
		if !ok {
			p.pos = save
			break
		}
		spans = append(spans, s)
	}
	return spans, true
}

func (p *parser) timeSpan() (span, bool) {
	start := p.pos
	between := p.accept("entre")
	if !between {
		p.accept("de", "d'")
	}
	from, ok := p.clock(true)
	if !ok || !(p.accept("à", "a", "-", "au") || (between && p.accept("et"))) {
		p.pos = start
		return span{}, false
	}
	to, ok := p.clock(false)
	if !ok {
		p.pos = start
		return span{}, false
	}
	s := span{from, to}
	if to <= from && to > 6*60 { // "de 14h à 12h": not a range; past midnight only in the small hours
		p.pos = start
		return span{}, false
	}
	if to == 0 {
		s.to = 24 * 60
	}
	return s, true
}

// clock reads a time, or a bare hour ("de 10 à 18 h", "de 14h à 17 et"); a bare number is an hour only
// where a time must be, and never when a month follows (then it is a date).
func (p *parser) clock(first bool) (int, bool) {
	t := p.peek(0)
	switch {
	case t.kind == tTime:
		p.pos++
		return t.n, true
	case t.kind == tNum && t.n <= 24 && allDigits(t.text) && p.peek(1).kind != tMonth:
		if first && !(p.peek(1).is("à", "a", "-") && (p.peek(2).kind == tTime || p.peek(2).kind == tNum)) {
			return 0, false
		}
		p.pos++
		return t.n * 60, true
	}
	return 0, false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// ---- periods of the year -----------------------------------------------------------------------------------

// period reads "du 1er avril au 30 septembre", "d'avril à septembre", "en juillet-août", "en juillet et août",
// "de juin à septembre", "toute l'année", "juillet/août". With several, a list of periods is read as one ("du
// 1er mars au 30 juin et du 1er septembre au 30 novembre"): only where a period comes before its hours, since
// after them "et" starts the next statement.
func (p *parser) period(several bool) (*period, bool) {
	start := p.pos
	if p.acceptSeq("toute", "l'", "année") || p.acceptSeq("à", "l'", "année") || p.acceptSeq("toute", "année") {
		return &period{}, true
	}
	var per period
	switch {
	case p.peek(0).is("du", "de", "d'") && p.peek(1).kind == tNum:
		p.pos++
		r, ok := p.dateToDate()
		if !ok {
			p.pos = start
			return nil, false
		}
		per.ranges = append(per.ranges, r)
	case p.peek(0).is("de", "d'", "du") && p.peek(1).kind == tMonth:
		from := p.peek(1).n
		p.pos += 2
		if !p.accept("à", "au", "a", "-") || p.peek(0).kind != tMonth {
			p.pos = start
			return nil, false
		}
		per.ranges = append(per.ranges, dateRange{fromMonth: from, toMonth: p.peek(0).n})
		p.pos++
	case p.peek(0).is("en") && p.peek(1).kind == tMonth, p.peek(0).kind == tMonth:
		p.accept("en")
		rs, ok := p.monthList()
		if !ok {
			p.pos = start
			return nil, false
		}
		per.ranges = rs
	default:
		return nil, false
	}
	// "du 1er mars au 30 juin et du 1er septembre au 30 novembre", "de mars à juin et octobre à novembre"
	for several {
		save := p.pos
		if !p.accept("et", ",") {
			break
		}
		if p.peek(0).kind == tMonth && p.peek(1).is("à", "au", "a", "-") && p.peek(2).kind == tMonth {
			per.ranges = append(per.ranges, dateRange{fromMonth: p.peek(0).n, toMonth: p.peek(2).n})
			p.pos += 3
			continue
		}
		more, ok := p.period(false)
		if !ok || more.allYear() {
			p.pos = save
			break
		}
		per.ranges = append(per.ranges, more.ranges...)
	}
	if !per.valid() {
		p.pos = start
		return nil, false
	}
	return &per, true
}

// dateToDate reads "1er avril au 30 septembre", "1er au 15 juin", "15 juin au 15 septembre" (after "du").
func (p *parser) dateToDate() (dateRange, bool) {
	start := p.pos
	if p.peek(0).kind != tNum {
		return dateRange{}, false
	}
	fd := p.peek(0).n
	p.pos++
	fm := 0
	if p.peek(0).kind == tMonth {
		fm = p.peek(0).n
		p.pos++
	}
	if !p.accept("au", "à", "-") || p.peek(0).kind != tNum || p.peek(1).kind != tMonth {
		p.pos = start
		return dateRange{}, false
	}
	td, tm := p.peek(0).n, p.peek(1).n
	p.pos += 2
	if fm == 0 {
		fm = tm
	}
	return dateRange{fromMonth: fm, fromDay: fd, toMonth: tm, toDay: td}, true
}

// monthList reads "juillet", "juillet-août", "juillet et août", "juillet/août", "juillet, août et septembre":
// consecutive months make one range.
func (p *parser) monthList() ([]dateRange, bool) {
	if p.peek(0).kind != tMonth {
		return nil, false
	}
	ms := []int{p.peek(0).n}
	p.pos++
	for {
		save := p.pos
		p.accept("-", "et", "/", ",")
		if p.peek(0).kind != tMonth {
			p.pos = save
			break
		}
		ms = append(ms, p.peek(0).n)
		p.pos++
	}
	var rs []dateRange
	for _, m := range ms {
		if n := len(rs); n > 0 && rs[n-1].toMonth%12+1 == m {
			rs[n-1].toMonth = m
			continue
		}
		rs = append(rs, dateRange{fromMonth: m, toMonth: m})
	}
	return rs, true
}
