package store

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode"
)

func TestParseTextQuery(t *testing.T) {
	tests := []struct {
		text  string
		want  TextQuery
		wantK bool
	}{
		{"Église", TextQuery{Prefix: "eglise"}, true},
		{"eglise saint mar", TextQuery{Words: []string{"eglise", "saint"}, Prefix: "mar"}, true},
		{"Notre-Dame de l'Assomption", TextQuery{Words: []string{"notre", "dame", "de"}, Prefix: "assomption"}, true},
		{"Chapelle Jeanne d’Arc", TextQuery{Words: []string{"chapelle", "jeanne"}, Prefix: "arc"}, true},
		{"qu'on", TextQuery{Prefix: "on"}, true},
		{"aujourd'hui", TextQuery{Words: []string{"aujourd"}, Prefix: "hui"}, true},     // not an article: 7 letters
		{"rue du 8'5", TextQuery{Words: []string{"rue", "du", "8"}, Prefix: "5"}, true}, // a digit is no article
		{"lac d'", TextQuery{Words: []string{"lac"}, Prefix: "d"}, true},                // "d" being typed
		{"l'", TextQuery{Prefix: "l"}, true},                                            // nothing else: kept
		{"l'a", TextQuery{Prefix: "a"}, true},
		{" - ", TextQuery{}, false},
		{"", TextQuery{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseTextQuery(tt.text)
		if ok != tt.wantK || fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("ParseTextQuery(%q) = %+v, %v; want %+v, %v", tt.text, got, ok, tt.want, tt.wantK)
		}
	}
}

// The query's words are TextWords' words, in order, with at most the articles left out.
func FuzzParseTextQuery(f *testing.F) {
	for _, s := range []string{"Église Saint-Martin", "Notre-Dame de l'Assomption", "d'", "l'a'b", "qu’il", "ǅ'a", "a\u0301'b", " - ", "x'\u0301y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		all := TextWords(text)
		tq, ok := ParseTextQuery(text)
		if ok != (len(all) > 0) {
			t.Fatalf("%q: ok %v with words %q", text, ok, all)
		}
		if !ok {
			return
		}
		got := append(slices.Clone(tq.Words), tq.Prefix)
		// got is a subsequence of all; what is left out is words of one or two letters.
		i := 0
		for _, w := range all {
			if i < len(got) && got[i] == w {
				i++
				continue
			}
			if len([]rune(w)) > 2 || strings.IndexFunc(w, func(r rune) bool { return !unicode.IsLetter(r) }) >= 0 {
				t.Fatalf("%q: %q left out of %q (query %+v)", text, w, all, tq)
			}
		}
		if i != len(got) {
			t.Fatalf("%q: query %+v is not among the words %q", text, tq, all)
		}
	})
}
