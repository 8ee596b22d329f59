package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Full-text search: the features whose name or description holds words a person typed, whatever the case and
// the accents ("eglise" finds "Église", "st-pierre" finds "Saint-Pierre" only if written so). As in a search
// box that answers while one types (ParseTextQuery): every word but the last is a whole word, the last one a
// word or its start ("eglise saint mar" finds "Église Saint-Martin", "egl" finds "Église", "eglise" does not
// find "Églises"), and elided articles ("l'" of "l'Assomption", "d'", "qu'") are left out. A store with a
// full-text index offers TextSearcher on its Snapshot; SearchFeatures and SearchCount use it, and read every
// feature otherwise (same answers, slower).

// TextSearcher is a Snapshot that answers text searches through an index.
type TextSearcher interface {
	// SearchFeatures is Features restricted to the features whose text fields (TextFields) hold every word of
	// text as ParseTextQuery reads it: its Words as words, its Prefix as a word or the start of one. It returns
	// an error wrapping ErrNoTextIndex when it holds no index of d (a dataset imported before the index existed).
	SearchFeatures(ctx context.Context, d Dataset, text string, q Query, each func(*Feature) error) error
	// SearchCount is Count restricted the same way.
	SearchCount(ctx context.Context, d Dataset, text string, q Query) (int64, error)
}

// ErrNoTextIndex says that a store holds no full-text index of a dataset: SearchFeatures then reads every feature.
var ErrNoTextIndex = errors.New("no full-text index")

// TextFields are the fields of d that text searches look in: its name and description, when they are text.
func TextFields(d Dataset) []string {
	var out []string
	for _, f := range d.Fields {
		if f.Type == FieldText && (f.Name == "name" || f.Name == "description") {
			out = append(out, f.Name)
		}
	}
	return out
}

// TextWords splits text into the words a search looks for: runs of letters and digits, lower-cased, without
// their accents, as SQLite's unicode61 tokenizer with remove_diacritics reads them.
func TextWords(text string) []string {
	return strings.FieldsFunc(foldText(text), func(r rune) bool { return !isWordRune(r) })
}

// foldText lower-cases s and strips its combining marks ("Église" → "eglise").
func foldText(s string) string {
	d := norm.NFD.String(strings.ToLower(s))
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, d)
}

// TextQuery is what a search looks for: Words, each a whole word, and Prefix, a word or the start of one (the
// word being typed). All folded as TextWords folds them.
type TextQuery struct {
	Words  []string
	Prefix string
}

// ParseTextQuery reads what a person typed in a search box: its words (TextWords) but the elided articles, each
// a whole word but the last, which may be the start of one. Users of search boxes expect the word being typed
// to match as they type it ("sai" for "Saint"), the words before it as typed; reading every word as a start
// also made a short word ("la", "de") match every word beginning so, a slow and loose search. An elided article
// is a word of one or two letters right before an apostrophe and a letter ("l'Assomption", "d'Arc",
// "qu'on"): "l" would otherwise have to be a word of the name, and as the word typed last it would match every
// word starting with "l". It is kept when nothing else is left ("l'" alone). ok is false when text holds no
// word.
func ParseTextQuery(text string) (tq TextQuery, ok bool) {
	var words, elided []string
	rs := []rune(foldText(text))
	for i := 0; i < len(rs); {
		if !isWordRune(rs[i]) {
			i++
			continue
		}
		j := i
		for j < len(rs) && isWordRune(rs[j]) {
			j++
		}
		w := string(rs[i:j])
		if j-i <= 2 && j+1 < len(rs) && isApostrophe(rs[j]) && unicode.IsLetter(rs[j+1]) && allLetters(rs[i:j]) {
			elided = append(elided, w)
		} else {
			words = append(words, w)
		}
		i = j
	}
	if len(words) == 0 {
		words = elided
	}
	if len(words) == 0 {
		return TextQuery{}, false
	}
	return TextQuery{Words: words[:len(words)-1], Prefix: words[len(words)-1]}, true
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// isApostrophe: the typewriter one and the typographic ones French texts use.
func isApostrophe(r rune) bool { return r == '\'' || r == '\u2019' || r == '\u02bc' }

func allLetters(rs []rune) bool {
	for _, r := range rs {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// checkText checks that text holds a word and that d has somewhere to look for it. Errors wrap ErrBadQuery.
func checkText(d Dataset, text string) error {
	if _, ok := ParseTextQuery(text); !ok {
		return fmt.Errorf("%w: q=%q holds no word to search for", ErrBadQuery, text)
	}
	if len(TextFields(d)) == 0 {
		return fmt.Errorf("%w: q: dataset %s has no name or description to search in (properties: %s)", ErrBadQuery, d.ID, fieldNames(d))
	}
	return nil
}

// SearchFeatures streams the features of d matching q whose name or description holds every word of text
// (see TextSearcher), through sn's index when it has one.
func SearchFeatures(ctx context.Context, sn Snapshot, d Dataset, text string, q Query, each func(*Feature) error) error {
	if err := checkText(d, text); err != nil {
		return err
	}
	if ts, ok := sn.(TextSearcher); ok {
		err := ts.SearchFeatures(ctx, d, text, q, each)
		if !errors.Is(err, ErrNoTextIndex) {
			return err
		}
	}
	// Read the selection and the text fields, keep the matches, page them here.
	sel, pick, textAt, err := withTextFields(d, q.Select)
	if err != nil {
		return err
	}
	tq, _ := ParseTextQuery(text)
	skip, left := q.Offset, q.Limit
	scan := q
	scan.Select, scan.Offset, scan.Limit = sel, 0, 0
	var out Feature
	err = sn.Features(ctx, d, scan, func(f *Feature) error {
		text := make([]any, len(textAt))
		for i, at := range textAt {
			text[i] = f.Values[at]
		}
		if !matchesText(text, tq) {
			return nil
		}
		if skip > 0 {
			skip--
			return nil
		}
		out = *f
		out.Values = out.Values[:0:0]
		for _, i := range pick {
			out.Values = append(out.Values, f.Values[i])
		}
		if err := each(&out); err != nil {
			return err
		}
		if left--; left == 0 {
			return errEnough
		}
		return nil
	})
	if errors.Is(err, errEnough) {
		return nil
	}
	return err
}

// SearchCount counts the features of d matching q whose name or description holds every word of text,
// ignoring q's paging.
func SearchCount(ctx context.Context, sn Snapshot, d Dataset, text string, q Query) (int64, error) {
	if err := checkText(d, text); err != nil {
		return 0, err
	}
	if ts, ok := sn.(TextSearcher); ok {
		n, err := ts.SearchCount(ctx, d, text, q)
		if !errors.Is(err, ErrNoTextIndex) {
			return n, err
		}
	}
	tq, _ := ParseTextQuery(text)
	q = q.Unpaged()
	q.Select = TextFields(d)
	var n int64
	err := sn.Features(ctx, d, q, func(f *Feature) error {
		if matchesText(f.Values, tq) {
			n++
		}
		return nil
	})
	return n, err
}

var errEnough = errors.New("enough features")

// withTextFields returns the fields to read, those of sel and the text fields, in the dataset's order (the
// store returns values so), with where sel's values and the text fields' values are among them.
func withTextFields(d Dataset, sel []string) (read []string, pick, textAt []int, err error) {
	fields, err := SelectFields(d, sel)
	if err != nil {
		return nil, nil, nil, err
	}
	text := TextFields(d)
	for _, f := range d.Fields {
		selected := slices.ContainsFunc(fields, func(g Field) bool { return g.Name == f.Name })
		isText := slices.Contains(text, f.Name)
		if selected {
			pick = append(pick, len(read))
		}
		if isText {
			textAt = append(textAt, len(read))
		}
		if selected || isText {
			read = append(read, f.Name)
		}
	}
	return read, pick, textAt, nil
}

// matchesText says whether values hold every word of tq and a word starting with its prefix.
func matchesText(values []any, tq TextQuery) bool {
	var have []string
	for _, v := range values {
		if s, ok := v.(string); ok {
			have = append(have, TextWords(s)...)
		}
	}
	for _, w := range tq.Words {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return slices.ContainsFunc(have, func(h string) bool { return strings.HasPrefix(h, tq.Prefix) })
}
