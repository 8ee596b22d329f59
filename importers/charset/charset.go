// Package charset turns the text of source files into UTF-8 with one rule for every importer: a value that is
// valid UTF-8 is read as UTF-8; any other is read in a single-byte code page, Windows-1252 unless the file
// declares another. Real files mix them (a .cpg saying UTF-8 over a few CP1252 bytes, a JSON export with one
// Latin-1 name), so the rule applies to each value, never to a whole file: one bad byte must not turn every
// accent of the file into mojibake, nor reach the store as invalid text.
package charset

import (
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Decode returns b as UTF-8: as it is when it is valid UTF-8, else decoded from the code page cp (Windows-1252
// when nil). decoded tells that the code page was used. The five bytes Windows-1252 leaves undefined become
// U+FFFD.
func Decode(b []byte, cp *charmap.Charmap) (s string, decoded bool) {
	if utf8.Valid(b) {
		return string(b), false
	}
	return decode(b, cp), true
}

// DecodeString is Decode for a string.
func DecodeString(s string, cp *charmap.Charmap) (string, bool) {
	if utf8.ValidString(s) {
		return s, false
	}
	return decode([]byte(s), cp), true
}

func decode(b []byte, cp *charmap.Charmap) string {
	if cp == nil {
		cp = charmap.Windows1252
	}
	out := make([]byte, 0, len(b)+len(b)/4)
	for _, c := range b {
		if c < utf8.RuneSelf {
			out = append(out, c)
			continue
		}
		out = utf8.AppendRune(out, cp.DecodeByte(c))
	}
	return string(out)
}

// CP1252 is the Windows-1252 character of byte c, and false for the five bytes it leaves undefined.
func CP1252(c byte) (rune, bool) {
	r := charmap.Windows1252.DecodeByte(c)
	return r, r != utf8.RuneError
}

// JSON returns the JSON text raw with every string that is not valid UTF-8 decoded from Windows-1252 (its
// bytes, escapes included, are ASCII or become valid UTF-8, so the text stays the same JSON), and how many
// strings were. raw comes back as it is when it is valid UTF-8, the common case. encoding/json would
// replace each invalid byte with U+FFFD, losing the letter.
func JSON(raw []byte) ([]byte, int) {
	if utf8.Valid(raw) {
		return raw, 0
	}
	out := make([]byte, 0, len(raw)+len(raw)/8)
	n := 0
	for i := 0; i < len(raw); {
		if raw[i] != '"' {
			out = append(out, raw[i])
			i++
			continue
		}
		end := stringEnd(raw, i)
		s := raw[i:end]
		if utf8.Valid(s) {
			out = append(out, s...)
		} else {
			out = append(out, decode(s, nil)...)
			n++
		}
		i = end
	}
	return out, n
}

// stringEnd is the index just past the JSON string that starts with the quote at raw[i], or len(raw) when it
// is not terminated.
func stringEnd(raw []byte, i int) int {
	for j := i + 1; j < len(raw); j++ {
		switch raw[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(raw)
}
