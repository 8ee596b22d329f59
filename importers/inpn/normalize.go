package inpn

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// lowerWords stay lower case inside a French name written in capitals ("LAC DE REMORAY" -> "Lac de Remoray").
var lowerWords = map[string]bool{
	"de": true, "du": true, "des": true, "la": true, "le": true, "les": true, "et": true, "en": true, "sur": true,
	"sous": true, "aux": true, "au": true, "à": true, "l": true, "d": true, "dans": true, "par": true, "pour": true,
}

// DisplayName turns a name as INPN stores it into the form shown on maps: the type prefix older files put
// before it removed ("APB Les Goureux" -> "Les Goureux"), and names in capitals written in French title case
// ("L’AVAL DU LAC" -> "L’Aval du Lac"). Names already in mixed case are kept as they are.
func DisplayName(raw string, prefixes []string) string {
	s := strings.Join(strings.Fields(raw), " ")
	for _, p := range prefixes {
		if len(s) > len(p) && strings.EqualFold(s[:len(p)], p) {
			s = strings.TrimSpace(s[len(p):])
			break
		}
	}
	if !isUpper(s) {
		return s
	}
	var b strings.Builder
	word := 0
	start := true // at the start of a word
	for i, w := 0, 0; i < len(s); i += w {
		r, width := utf8.DecodeRuneInString(s[i:])
		w = width
		if !unicode.IsLetter(r) {
			b.WriteRune(r)
			start = true
			continue
		}
		if start {
			// Look at the whole word to decide its case.
			end := i
			for end < len(s) {
				r2, w2 := utf8.DecodeRuneInString(s[end:])
				if !unicode.IsLetter(r2) {
					break
				}
				end += w2
			}
			lw := strings.ToLower(s[i:end])
			sep := ""
			if end < len(s) {
				sep = s[end : end+1]
			}
			switch {
			case word > 0 && lowerWords[lw] && !(sep == "'" || strings.HasPrefix(s[end:], "’")) || word > 0 && (lw == "l" || lw == "d") && (sep == "'" || strings.HasPrefix(s[end:], "’")):
				b.WriteString(lw)
			default:
				first, fw := utf8.DecodeRuneInString(lw)
				b.WriteRune(unicode.ToUpper(first))
				b.WriteString(lw[fw:])
			}
			word++
			w = end - i
			start = false
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// isUpper reports whether s has letters and none of them is lower case.
func isUpper(s string) bool {
	letters := 0
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters > 1
}

// CreatedDate reads a creation date as the layers store it: a DBF date already "YYYY-MM-DD", or text in
// "DD/MM/YYYY", "YYYY/MM/DD", "YYYYMMDD" or a bare year. Blanks and placeholders (1899-12-30, 0000) give "".
func CreatedDate(v any) (string, error) {
	s := ""
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		s = strings.TrimSpace(v)
	case int64:
		s = strconv.FormatInt(v, 10)
	case float64:
		s = strconv.FormatFloat(v, 'f', -1, 64)
	default:
		return "", fmt.Errorf("unexpected date value %v", v)
	}
	if s == "" || s == "0" || strings.Trim(s, "0-/ ") == "" {
		return "", nil
	}
	for _, layout := range []string{"2006-01-02", "02/01/2006", "2006/01/02", "20060102", "2/1/2006", "2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() < 1900 {
				return "", nil // 1899-12-30: the spreadsheet epoch written for "no date"
			}
			return t.Format("2006-01-02"), nil
		}
	}
	if len(s) == 4 {
		if y, err := strconv.Atoi(s); err == nil && y >= 1900 && y <= 2100 {
			return s, nil
		}
	}
	return "", fmt.Errorf("unreadable date %q", s)
}

// AreaHectares reads an official area in hectares; 0 and negative values mean unknown.
func AreaHectares(v any) (float64, bool) {
	var f float64
	switch v := v.(type) {
	case float64:
		f = v
	case int64:
		f = float64(v)
	case string:
		x, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(v), ",", "."), 64)
		if err != nil {
			return 0, false
		}
		f = x
	default:
		return 0, false
	}
	return f, f > 0
}
