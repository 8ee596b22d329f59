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
// the accents ("eglise" finds "Église", "st-pierre" finds "Saint-Pierre" only if written so). A store with a
// full-text index offers TextSearcher on its Snapshot; SearchFeatures and SearchCount use it, and read every
// feature otherwise (same answers, slower).

// TextSearcher is a Snapshot that answers text searches through an index.
type TextSearcher interface {
	// SearchFeatures is Features restricted to the features whose text fields (TextFields) hold every word of
	// text (TextWords), each as a word or the start of one. It returns an error wrapping ErrNoTextIndex when
	// it holds no index of d (a dataset imported before the index existed).
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
	return strings.FieldsFunc(foldText(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
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

// checkText checks that text holds a word and that d has somewhere to look for it. Errors wrap ErrBadQuery.
func checkText(d Dataset, text string) error {
	if len(TextWords(text)) == 0 {
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
	words := TextWords(text)
	skip, left := q.Offset, q.Limit
	scan := q
	scan.Select, scan.Offset, scan.Limit = sel, 0, 0
	var out Feature
	err = sn.Features(ctx, d, scan, func(f *Feature) error {
		text := make([]any, len(textAt))
		for i, at := range textAt {
			text[i] = f.Values[at]
		}
		if !matchesText(text, words) {
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
	words := TextWords(text)
	q = q.Unpaged()
	q.Select = TextFields(d)
	var n int64
	err := sn.Features(ctx, d, q, func(f *Feature) error {
		if matchesText(f.Values, words) {
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

// matchesText says whether every word is a word of values, or the start of one.
func matchesText(values []any, words []string) bool {
	var have []string
	for _, v := range values {
		if s, ok := v.(string); ok {
			have = append(have, TextWords(s)...)
		}
	}
	for _, w := range words {
		if !slices.ContainsFunc(have, func(h string) bool { return strings.HasPrefix(h, w) }) {
			return false
		}
	}
	return true
}
