package postgis

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/patrimap/patrimap/store"
)

// A full-text index of the name and description (store.TextFields), built at import: text__<oid> in the
// internal schema, named after the version's table like its low-zoom copy, one row per feature with words,
// a tsvector of store.TextWords of its text fields, under a GIN index. The words are cut here, in Go, as the
// SpatiaLite store's FTS4 tokenizer (unicode61, without diacritics) and the in-memory search cut them, so that
// every store answers alike: PostgreSQL's own parser (to_tsvector) splits "Saint-Martin" otherwise, and its
// lower() leaves non-ASCII letters alone under COLLATE "C". A query is a tsquery of those words, the last one
// as a prefix ('eglise' & 'sai':*), which the GIN index answers.

func textTable(relid uint32) string { return "text__" + strconv.FormatUint(uint64(relid), 10) }

var _ store.TextSearcher = (*snapshot)(nil)

// textBatch is how many rows the import reads back at a time to cut their words: memory stays bounded by the
// batch, whatever the layer's size.
const textBatch = 5000

// Limits of a tsvector: a lexeme of at most maxLexeme bytes, at most maxVector bytes in all. A word longer, or
// past the limit in a huge description, is left out of the index (so not found in that feature alone).
const (
	maxLexeme = 2046
	maxVector = 1 << 19
)

// writeTextIndex builds the full-text index of the new version's table work, when its fields have text to
// search.
func (im *importer) writeTextIndex(ctx context.Context, work string, fields []store.Field) error {
	cols := store.TextFields(store.Dataset{Fields: fields})
	if len(cols) == 0 {
		return nil
	}
	tt := qualified(im.s.internal, textTable(im.relid))
	if _, err := im.tx.Exec(ctx, `CREATE TABLE `+tt+` (fid bigint PRIMARY KEY, words tsvector NOT NULL)`); err != nil {
		return err
	}
	var sel strings.Builder
	for _, c := range cols {
		sel.WriteString(", " + quoteIdent(c))
	}
	read := `SELECT fid` + sel.String() + ` FROM ` + work + ` WHERE fid > $1 ORDER BY fid LIMIT ` + strconv.Itoa(textBatch)
	write := `INSERT INTO ` + tt + ` (fid, words) SELECT f, array_to_tsvector(string_to_array(w, ' ')) FROM unnest($1::bigint[], $2::text[]) AS u (f, w)`
	after := int64(0)
	for {
		var fids []int64
		var words []string
		rows, err := im.tx.Query(ctx, read, after)
		if err != nil {
			return err
		}
		vals := make([]*string, len(cols))
		dest := make([]any, len(cols)+1)
		dest[0] = &after
		for i := range vals {
			dest[i+1] = &vals[i]
		}
		n := 0
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return err
			}
			n++
			if w := lexemes(vals); w != "" {
				fids, words = append(fids, after), append(words, w)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(fids) > 0 {
			if _, err := im.tx.Exec(ctx, write, fids, words); err != nil {
				return err
			}
		}
		if n < textBatch {
			break
		}
	}
	for _, q := range []string{
		`CREATE INDEX ` + quoteIdent(textTable(im.relid)+"_words") + ` ON ` + tt + ` USING gin (words)`,
		`ANALYZE ` + tt,
	} {
		if _, err := im.tx.Exec(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// lexemes are the distinct words of values, space-separated (words hold no space), within a tsvector's limits.
func lexemes(values []*string) string {
	var words []string
	for _, v := range values {
		if v != nil {
			words = append(words, store.TextWords(*v)...)
		}
	}
	slices.Sort(words)
	words = slices.Compact(words)
	var b strings.Builder
	size := 0
	for _, w := range words {
		// Each lexeme takes its bytes and a 4-byte entry.
		if len(w) > maxLexeme || size+len(w)+4 > maxVector {
			continue
		}
		size += len(w) + 4
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}

// scanRow reads a query's one row into dest.
func scanRow(dest ...any) func(pgx.Rows) error {
	return func(rows pgx.Rows) error {
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				return err
			}
		}
		return nil
	}
}

// textMatch restricts a read to the features whose words (in table, text__<oid>) match query, a tsquery.
type textMatch struct {
	table, query string
}

// where is plan p's WHERE clause and its arguments, with the text condition when m is not nil, as $1.
func (m *textMatch) where(p store.Plan) (string, []any, error) {
	if m == nil {
		return whereSQL(p, 1)
	}
	where, args, err := whereSQL(p, 2)
	if err != nil {
		return "", nil, err
	}
	cond := `fid IN (SELECT fid FROM ` + m.table + ` WHERE words @@ $1::tsquery)`
	if where == "" {
		where = ` WHERE ` + cond
	} else {
		where += ` AND ` + cond
	}
	return where, append([]any{m.query}, args...), nil
}

// tsQuery is the tsquery of a text query: every word, the prefix as a word's start. The words are letters and
// digits only, each quoted as a lexeme (no parser, no stemming); a word too long for a lexeme can match nothing.
func tsQuery(tq store.TextQuery) (string, bool) {
	var b strings.Builder
	for _, w := range tq.Words {
		if len(w) > maxLexeme {
			return "", false
		}
		b.WriteString("'" + w + "' & ")
	}
	if len(tq.Prefix) > maxLexeme {
		return "", false
	}
	return b.String() + "'" + tq.Prefix + "':*", true
}

// textMatch returns the text condition of text on d, nil when nothing can match, or an error wrapping
// store.ErrNoTextIndex when d's version has no index.
func (sn *snapshot) textMatch(ctx context.Context, d store.Dataset, text string) (*textMatch, bool, error) {
	relid, err := sn.relid(ctx, d.ID)
	if err != nil {
		return nil, false, err
	}
	tt := qualified(sn.s.internal, textTable(relid))
	var exists bool
	if err := sn.tx.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, tt).Scan(&exists); err != nil {
		return nil, false, fmt.Errorf("dataset %s: full-text index: %w", d.ID, err)
	}
	if !exists {
		return nil, false, fmt.Errorf("dataset %s: %w", d.ID, store.ErrNoTextIndex)
	}
	tq, ok := store.ParseTextQuery(text)
	if !ok {
		return nil, false, fmt.Errorf("%w: q=%q holds no word to search for", store.ErrBadQuery, text)
	}
	query, ok := tsQuery(tq)
	return &textMatch{table: tt, query: query}, ok, nil
}

// SearchFeatures is Features restricted to the features whose name or description matches text
// (store.TextSearcher).
func (sn *snapshot) SearchFeatures(ctx context.Context, d store.Dataset, text string, q store.Query, each func(*store.Feature) error) error {
	m, ok, err := sn.textMatch(ctx, d, text)
	if err != nil || !ok {
		return err
	}
	return sn.features(ctx, d, q, m, each)
}

// SearchCount is Count restricted the same way (store.TextSearcher).
func (sn *snapshot) SearchCount(ctx context.Context, d store.Dataset, text string, q store.Query) (int64, error) {
	m, ok, err := sn.textMatch(ctx, d, text)
	if err != nil || !ok {
		return 0, err
	}
	p, err := store.NewPlan(d, q.Unpaged())
	if err != nil {
		return 0, err
	}
	if p.FID != 0 || p.BBox != nil || p.Where != nil {
		return sn.count(ctx, d, q, m)
	}
	// By the text alone: the index's matches are the features, counted without reading the table.
	var n int64
	err = sn.read(ctx, d, func(string) (string, []any) {
		return `SELECT count(*) FROM ` + m.table + ` WHERE words @@ $1::tsquery`, []any{m.query}
	}, scanRow(&n))
	if err != nil {
		return 0, fmt.Errorf("dataset %s: full-text count: %w", d.ID, err)
	}
	return n, nil
}
