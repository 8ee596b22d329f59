package postgis

import (
	"strings"
	"testing"
)

// The index's words of a feature: store.TextWords of its text fields, once each, within a tsvector's limits.
func TestLexemes(t *testing.T) {
	name, desc := "Église Saint-Martin de l'Assomption", "église paroissiale"
	if got := lexemes([]*string{&name, nil, &desc}); got != "assomption de eglise l martin paroissiale saint" {
		t.Errorf("lexemes: %q", got)
	}
	long := "menhir " + strings.Repeat("a", maxLexeme+1)
	if got := lexemes([]*string{&long}); got != "menhir" {
		t.Errorf("a word longer than a lexeme: %q", got)
	}
	var many strings.Builder
	for i := range 100000 {
		many.WriteString(" mot")
		many.WriteString(strings.Repeat("x", i%7) + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676%26)))
	}
	text := many.String()
	if got := lexemes([]*string{&text}); len(got) > maxVector || len(got) < maxVector/2 {
		t.Errorf("a huge description: %d bytes of words, want at most %d", len(got), maxVector)
	}
}
