package culture

import (
	"strings"
	"unicode"

	"github.com/patrimap/patrimap/importers/charset"
)

// TextFix says what CleanText changed.
type TextFix struct {
	Mojibake   bool // C1 control characters (U+0080..U+009F) read back through Windows-1252: U+0092 → ’
	Whitespace bool // spaces trimmed or collapsed, non-breaking spaces, CRLF
}

// CleanText repairs one cell: the Windows-1252 characters that a Latin-1 decoder turned into C1 controls
// (U+0092 for ’, U+009C for œ) get their real character back, and whitespace is normalised: runs of spaces
// (non-breaking ones included) become one space, ends are trimmed. keepLines keeps line breaks (long texts,
// at most one blank line in a row); otherwise they become spaces (names, communes).
func CleanText(s string, keepLines bool) (string, TextFix) {
	var fix TextFix
	if plain(s) {
		return s, fix
	}
	m := s
	if strings.ContainsFunc(s, func(r rune) bool { return r >= 0x80 && r <= 0x9F }) {
		m = strings.Map(func(r rune) rune {
			if r >= 0x80 && r <= 0x9F {
				if c, ok := charset.CP1252(byte(r)); ok {
					return c
				}
			}
			return r
		}, s)
		fix.Mojibake = true
	}
	var out string
	if keepLines && strings.ContainsAny(m, "\n\r") {
		lines := strings.Split(strings.ReplaceAll(m, "\r\n", "\n"), "\n")
		kept := lines[:0]
		blank := true // drop leading blank lines
		for _, l := range lines {
			l = strings.Join(strings.FieldsFunc(l, isSpace), " ")
			if l == "" {
				if blank {
					continue
				}
				blank = true
			} else {
				blank = false
			}
			kept = append(kept, l)
		}
		for len(kept) > 0 && kept[len(kept)-1] == "" {
			kept = kept[:len(kept)-1]
		}
		out = strings.Join(kept, "\n")
	} else {
		out = strings.Join(strings.FieldsFunc(m, isSpace), " ")
	}
	fix.Whitespace = out != m
	return out, fix
}

func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200B' || r == '\uFEFF'
}

// plain reports whether s needs no repair: no control character, no byte that may start a C1 control or an
// unusual space, no leading, trailing or doubled space.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20, c == 0xC2, c == 0xE2, c == 0xEF:
			return false
		case c == ' ' && (i == 0 || i == len(s)-1 || s[i+1] == ' '):
			return false
		}
	}
	return true
}

// headerKey turns a column header into the form aliases are written in: lower case, accents removed, every run
// of other characters an underscore. "Coordonnées au format WGS84" → "coordonnees_au_format_wgs84",
// "POP_COORDONNEES.lat" → "pop_coordonnees_lat", "REF" → "ref".
func headerKey(h string) string {
	var b strings.Builder
	sep := false
	for _, r := range strings.ToLower(strings.TrimSpace(h)) {
		if f, ok := foldAccent(r); ok {
			r = f
		}
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if sep && b.Len() > 0 {
				b.WriteByte('_')
			}
			sep = false
			b.WriteRune(r)
		} else if r == 'œ' {
			if sep && b.Len() > 0 {
				b.WriteByte('_')
			}
			sep = false
			b.WriteString("oe")
		} else {
			sep = true
		}
	}
	return b.String()
}

// foldAccent removes the accent of the lower-case letters French uses.
func foldAccent(r rune) (rune, bool) {
	switch r {
	case 'à', 'â', 'ä', 'á', 'ã', 'å':
		return 'a', true
	case 'ç':
		return 'c', true
	case 'é', 'è', 'ê', 'ë':
		return 'e', true
	case 'î', 'ï', 'í', 'ì':
		return 'i', true
	case 'ô', 'ö', 'ó', 'ò', 'õ':
		return 'o', true
	case 'ù', 'û', 'ü', 'ú':
		return 'u', true
	case 'ÿ':
		return 'y', true
	case 'ñ':
		return 'n', true
	}
	return r, false
}

// nameKey is the form commune and département names are compared in: "Tronche (La)" and "La Tronche",
// "Saint-Martin-d'Hères" and "ST MARTIN D HERES" meet.
func nameKey(s string) string {
	s = strings.TrimSpace(s)
	// "Tronche (La)" → "La Tronche": the article moved to the end by indexes.
	if strings.HasSuffix(s, ")") {
		if i := strings.LastIndex(s, " ("); i > 0 {
			art := s[i+2 : len(s)-1]
			switch strings.ToLower(art) {
			case "la", "le", "les", "l'", "l’":
				sep := " "
				if strings.HasSuffix(art, "'") || strings.HasSuffix(art, "’") {
					sep = ""
				}
				s = art + sep + s[:i]
			}
		}
	}
	k := strings.ReplaceAll(headerKey(s), "_", " ")
	words := strings.Fields(k)
	for i, w := range words {
		switch w {
		case "st":
			words[i] = "saint"
		case "ste":
			words[i] = "sainte"
		}
	}
	return strings.Join(words, " ")
}
