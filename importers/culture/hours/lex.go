package hours

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// kind is what a token is.
type kind int

const (
	tWord  kind = iota // a word the grammar knows by its text: "du", "au", "tous", "fériés"...
	tDay               // a weekday: n is 0 (Monday) to 6 (Sunday)
	tMonth             // a month: n is 1 to 12
	tNum               // a bare number: a day of the month ("1er", "15") or an hour written without "h"
	tTime              // a time of day: n is minutes since midnight ("10h30", "10 h", "10:30")
	tPunct             // ",", ".", ";", "-", "/", "(", ")"
)

// token is one unit of a French hours text.
type token struct {
	kind kind
	n    int
	text string // the normalised word or punctuation
}

func (t token) is(words ...string) bool {
	for _, w := range words {
		if t.text == w {
			return true
		}
	}
	return false
}

var weekdays = map[string]int{"lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6}

var months = map[string]int{"janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
	"juillet": 7, "août": 8, "aout": 8, "aôut": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12,
	"decembre": 12}

// lex splits a text into tokens. Spelling variants seen in the ministry's list are folded here so that the
// grammar sees one form: "week-end" / "weekend" / "w.e.", "tlj", "1er" / "1erjuillet", "10 h 30" / "10h30" /
// "10:30", elided "d'" and "l'", typographic apostrophes, soft hyphens and non-breaking spaces.
func lex(s string) []token {
	s = norm.NFC.String(strings.ToLower(s))
	s = strings.NewReplacer("’", "'", "‘", "'", "´", "'", "\u00ad", "", "\u00a0", " ", "\u202f", " ", "\t", " ",
		"\n", " ", "\r", " ", "–", "-", "—", "-", "w.e.", "weekend", "w-e", "weekend", "&", " et ", "+", " et ").Replace(s)
	var toks []token
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == ' ':
			i += size
		case r >= '0' && r <= '9':
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			n, _ := strconv.Atoi(s[i:j])
			tok, next := number(s, i, j, n)
			toks = append(toks, tok)
			i = next
		case unicode.IsLetter(r):
			j := i
			for j < len(s) {
				r2, size2 := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsLetter(r2) && r2 != '-' {
					break
				}
				j += size2
			}
			word := strings.Trim(s[i:j], "-")
			i = j
			if i < len(s) && s[i] == '\'' { // elision: d', l', jusqu', qu'
				toks = append(toks, token{kind: tWord, text: word + "'"})
				i++
				continue
			}
			toks = append(toks, words(word)...)
		default:
			toks = append(toks, token{kind: tPunct, text: string(r)})
			i += size
		}
	}
	return joinJusqua(toks)
}

// number reads the number s[i:j] (value n) and what follows it: "1er", "1ère", "3ème", "1erjuillet" (a day
// of the month), "10h", "10 h", "10h30", "10 h 30", "10:30" (a time).
func number(s string, i, j, n int) (token, int) {
	rest := s[j:]
	for _, suffix := range []string{"ère", "ème", "er", "e"} {
		if strings.HasPrefix(rest, suffix) && (suffix != "e" || !startsLetter(rest[1:])) {
			return token{kind: tNum, n: n, text: s[i : j+len(suffix)]}, j + len(suffix)
		}
	}
	if strings.HasPrefix(rest, ":") && isDigitAt(rest, 1) && isDigitAt(rest, 2) {
		m, _ := strconv.Atoi(rest[1:3])
		return timeToken(n, m, s[i:j+3]), j + 3
	}
	k := j
	for k < len(s) && s[k] == ' ' {
		k++
	}
	if k >= len(s) || s[k] != 'h' || startsLetter(s[k+1:]) {
		return token{kind: tNum, n: n, text: s[i:j]}, j
	}
	k++ // past the "h"
	end := k
	m := k
	for m < len(s) && s[m] == ' ' {
		m++
	}
	minutes := 0
	// Two digits after the "h" are minutes ("10h30", "10 h 30"), unless they start another time ("10h 14h").
	if isDigitAt(s, m) && isDigitAt(s, m+1) && !isDigitAt(s, m+2) {
		after := strings.TrimLeft(s[m+2:], " ")
		if !strings.HasPrefix(after, "h") && !startsLetter(s[m+2:]) {
			minutes, _ = strconv.Atoi(s[m : m+2])
			end = m + 2
		}
	}
	return timeToken(n, minutes, s[i:end]), end
}

func timeToken(h, m int, text string) token {
	if h > 24 || m > 59 || (h == 24 && m > 0) {
		return token{kind: tWord, text: text} // not a time: the grammar rejects it
	}
	return token{kind: tTime, n: h*60 + m, text: text}
}

func startsLetter(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLetter(r)
}

func isDigitAt(s string, i int) bool { return i < len(s) && s[i] >= '0' && s[i] <= '9' }

// words turns one word into tokens: weekdays and months (singular or plural, "juillet-août" as three
// tokens), and the spelling variants folded into one form.
func words(w string) []token {
	switch w {
	case "tlj":
		return []token{{kind: tWord, text: "tous"}, {kind: tWord, text: "les"}, {kind: tWord, text: "jours"}}
	case "week-end", "week-ends", "weekends", "we":
		return []token{{kind: tWord, text: "weekend"}}
	case "férié", "fériés", "feries", "ferie", "fériès":
		return []token{{kind: tWord, text: "fériés"}}
	case "premiers", "première", "premieres", "premières":
		return []token{{kind: tWord, text: "premier"}}
	}
	if d, ok := weekday(w); ok {
		return []token{{kind: tDay, n: d, text: w}}
	}
	if m, ok := months[w]; ok {
		return []token{{kind: tMonth, n: m, text: w}}
	}
	if a, b, ok := strings.Cut(w, "-"); ok {
		// "juillet-août", "samedi-dimanche", "mi-mai" (the last is left to the grammar, which rejects "mi")
		ta, tb := words(a), words(b)
		if len(ta) == 1 && len(tb) == 1 && ta[0].kind == tb[0].kind && (ta[0].kind == tMonth || ta[0].kind == tDay) {
			return []token{ta[0], {kind: tPunct, text: "-"}, tb[0]}
		}
	}
	return []token{{kind: tWord, text: w}}
}

// weekday reads "lundi" or "lundis".
func weekday(w string) (int, bool) {
	if d, ok := weekdays[w]; ok {
		return d, true
	}
	d, ok := weekdays[strings.TrimSuffix(w, "s")]
	return d, ok
}

// joinJusqua makes one word of "jusqu'" + "à" / "au".
func joinJusqua(toks []token) []token {
	out := toks[:0]
	for i := 0; i < len(toks); i++ {
		if toks[i].is("jusqu'") && i+1 < len(toks) && toks[i+1].is("à", "a") {
			out = append(out, token{kind: tWord, text: "jusqu'à"})
			i++
			continue
		}
		out = append(out, toks[i])
	}
	return out
}
