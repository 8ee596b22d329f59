package spatialite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/patrimap/patrimap/store"
)

var _ store.TextSearcher = (*snapshot)(nil)

// Indexes built at import, after the rows are in (one sort each rather than one B-tree insert per row):
//   - one on each normalised column that OGC API equality filters and CQL2 use most (indexedColumns), when the
//     dataset has it;
//   - a full-text index of the name and description (store.TextFields): an FTS4 table reading its text from
//     the dataset's table (content=), its words folded by the unicode61 tokenizer with remove_diacritics, so
//     that "eglise" finds "Église". FTS4 is compiled into mattn/go-sqlite3; FTS5 would need a build tag.
//   - the words of that index (termsTable), so that the word being typed ("sai") is looked up as the few
//     words it starts ("saint", "sainte"), each of whose lists FTS4 reads only as far as a page needs: FTS4
//     given "sai*" reads and merges the whole lists of those words first (370,000 documents on a million
//     heritage points, 50 ms). A prefix index (FTS4's prefix=) would do it for some lengths only, and doubled
//     the index and its build.
// They go with the table: DROP TABLE drops its indexes, dropDatasetTable the full-text ones.

// indexedColumns are the normalised columns indexed when a dataset has them.
func indexedColumns() []string { return []string{"id", "kind", "commune", "insee"} }

func textTable(table string) string { return internalTable("patrimap_text_" + table) }

func termsTable(table string) string { return internalTable("patrimap_terms_" + table) }

// writeIndexes builds the attribute and full-text indexes of the dataset's table.
func (im *importer) writeIndexes(ctx context.Context, fields []store.Field) error {
	t := im.table
	for _, c := range indexedColumns() {
		if !hasField(fields, c) {
			continue
		}
		if _, err := im.tx.ExecContext(ctx, `CREATE INDEX `+quoteIdent("patrimap_idx_"+t+"_"+c)+` ON `+quoteIdent(t)+` (`+quoteIdent(c)+`)`); err != nil {
			return fmt.Errorf("index on %s: %w", c, err)
		}
	}
	cols := store.TextFields(store.Dataset{Fields: fields})
	if len(cols) == 0 {
		return nil
	}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = quoteIdent(c)
	}
	ft := quoteIdent(textTable(t))
	// content_rowid is FTS5's; FTS4's external content reads the table by its rowid, which is fid.
	ddl := `CREATE VIRTUAL TABLE ` + ft + ` USING fts4(content=` + quoteIdent(t) + `, ` + strings.Join(quoted, ", ") +
		`, tokenize=unicode61 "remove_diacritics=1")`
	if _, err := im.tx.ExecContext(ctx, ddl); err != nil {
		return fmt.Errorf("full-text index: %w", err)
	}
	if _, err := im.tx.ExecContext(ctx, `INSERT INTO `+ft+` (`+ft+`) VALUES ('rebuild')`); err != nil {
		return fmt.Errorf("full-text index: %w", err)
	}
	return writeTerms(ctx, im.tx, t)
}

// writeTerms lists the words of table's full-text index, read by an fts4aux table (in order, once each).
func writeTerms(ctx context.Context, tx *sql.Tx, table string) error {
	aux := `temp.` + quoteIdent("patrimap_aux_"+table)
	stmts := []string{
		`CREATE VIRTUAL TABLE ` + aux + ` USING fts4aux(main, ` + quoteIdent(textTable(table)) + `)`,
		`CREATE TABLE ` + quoteIdent(termsTable(table)) + ` (term TEXT PRIMARY KEY) WITHOUT ROWID`,
		`INSERT INTO ` + quoteIdent(termsTable(table)) + ` SELECT term FROM ` + aux + ` WHERE col = '*'`,
		`DROP TABLE ` + aux,
	}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("words of the full-text index: %w", err)
		}
	}
	return nil
}

func hasField(fields []store.Field, name string) bool {
	for _, f := range fields {
		if f.Name == name {
			return true
		}
	}
	return false
}

func dropTextIndex(ctx context.Context, tx *sql.Tx, table string) error {
	for _, t := range []string{textTable(table), termsTable(table)} {
		if _, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS `+quoteIdent(t)); err != nil {
			return err
		}
	}
	return nil
}

// matchExpression turns a text query into an FTS4 query: every word as a word, the prefix as a word's start
// ("egl*"), or as the word last when last is given; all required. The words are letters and digits only,
// lower-cased (so never an operator: OR, NEAR, AND are upper-case), each quoted as a one-word phrase.
func matchExpression(tq store.TextQuery, last string) string {
	var b strings.Builder
	for _, w := range tq.Words {
		b.WriteString(`"` + w + `" `)
	}
	if last != "" {
		return b.String() + `"` + last + `"`
	}
	return b.String() + `"` + tq.Prefix + `*"`
}

// textCondition restricts a query to the features of d whose text matches, or says that d has no index.
func (sn *snapshot) textCondition(ctx context.Context, d store.Dataset, text string) (condition, error) {
	ok, err := tableExists(ctx, sn.tx, textTable(d.Table))
	if err != nil {
		return condition{}, fmt.Errorf("dataset %s: full-text index: %w", d.ID, err)
	}
	if !ok {
		return condition{}, fmt.Errorf("dataset %s: %w", d.ID, store.ErrNoTextIndex)
	}
	ft := quoteIdent(textTable(d.Table))
	tq, _ := store.ParseTextQuery(text)
	return condition{sql: `fid IN (SELECT docid FROM ` + ft + ` WHERE ` + ft + ` MATCH ?)`, args: []any{matchExpression(tq, "")}}, nil
}

// SearchFeatures is Features restricted to the features whose name or description matches text
// (store.TextSearcher).
func (sn *snapshot) SearchFeatures(ctx context.Context, d store.Dataset, text string, q store.Query, each func(*store.Feature) error) error {
	cond, err := sn.textCondition(ctx, d, text)
	if err != nil {
		return err
	}
	p, err := store.NewPlan(d, q)
	if err != nil {
		return err
	}
	if textOnly(p) && p.Limit > 0 && p.Limit <= maxIndexPage {
		// The index gives the page itself, in fid order, reading no more of its lists than the page needs;
		// `fid IN (SELECT docid ...)` would first copy every match (a common word: a fifth of a million) into a
		// temporary index.
		tq, _ := store.ParseTextQuery(text)
		fids, err := sn.textPage(ctx, d, tq, p)
		if err != nil || len(fids) == 0 {
			return err
		}
		args := make([]any, len(fids))
		for i, fid := range fids {
			args[i] = fid
		}
		in := condition{sql: `fid IN (?` + strings.Repeat(`, ?`, len(fids)-1) + `)`, args: args}
		p.AfterFID, p.Offset, p.Limit = 0, 0, 0
		return sn.features(ctx, p, each, in)
	}
	return sn.features(ctx, p, each, cond)
}

// maxIndexPage is the largest page SearchFeatures reads from the full-text index alone (its fids are then
// bound as parameters, far under SQLite's limit of 32,766).
const maxIndexPage = 10000

// textOnly says whether plan p selects by nothing but the text: no fid, box or filter, in fid order. The
// full-text index then answers the page and the count by itself.
func textOnly(p store.Plan) bool {
	return p.FID == 0 && p.BBox == nil && p.Where == nil && len(p.Sort) == 0
}

// textPage returns the fids of plan p's page among the features whose text matches tq, in fid order (FTS4
// returns docids in ascending order and takes docid ranges). When the index's words starting with the prefix
// are few (maxTerms), each is looked up as a word, as far as the page needs, and their lists merged here.
func (sn *snapshot) textPage(ctx context.Context, d store.Dataset, tq store.TextQuery, p store.Plan) ([]int64, error) {
	terms, err := sn.prefixTerms(ctx, d, tq.Prefix)
	if err != nil {
		return nil, err
	}
	// Too many words, no list of them (a dataset imported before it existed), or a page far down: FTS4's merge.
	if terms == nil || p.Offset+p.Limit > maxIndexPage {
		return sn.textPageOf(ctx, d, matchExpression(tq, ""), p)
	}
	// The page is among the first Offset+Limit fids of each word's matches.
	whole := p
	whole.Offset, whole.Limit = 0, p.Offset+p.Limit
	var lists [][]int64
	for _, t := range terms {
		fids, err := sn.textPageOf(ctx, d, matchExpression(tq, t), whole)
		if err != nil {
			return nil, err
		}
		lists = append(lists, fids)
	}
	merged := mergeFIDs(lists, whole.Limit)
	if p.Offset >= len(merged) {
		return nil, nil
	}
	return merged[p.Offset:], nil
}

// maxTerms is the most words a prefix is looked up as one by one: "s" is 22 words of a million heritage
// names; beyond, FTS4's own merge.
const maxTerms = 32

// prefixTerms returns the words of d's index starting with prefix, or nil when there are more than maxTerms or
// no list of them. An empty list (not nil) says that no word starts so.
func (sn *snapshot) prefixTerms(ctx context.Context, d store.Dataset, prefix string) ([]string, error) {
	tt := termsTable(d.Table)
	ok, err := tableExists(ctx, sn.tx, tt)
	if err != nil {
		return nil, fmt.Errorf("dataset %s: words of the full-text index: %w", d.ID, err)
	}
	if !ok {
		return nil, nil
	}
	// Terms compare as bytes: those starting with prefix lie between it and it followed by the last code point.
	terms, err := column[string](ctx, sn.tx, `SELECT term FROM `+quoteIdent(tt)+` WHERE term >= ? AND term < ? ORDER BY term LIMIT ?`,
		prefix, prefix+"\U0010FFFF", maxTerms+1)
	if err != nil {
		return nil, fmt.Errorf("dataset %s: words of the full-text index: %w", d.ID, err)
	}
	if len(terms) > maxTerms {
		return nil, nil
	}
	return terms, nil
}

// mergeFIDs merges ascending lists of fids into the first n distinct ones, ascending.
func mergeFIDs(lists [][]int64, n int) []int64 {
	var out []int64
	at := make([]int, len(lists))
	for len(out) < n {
		best := -1
		for i, l := range lists {
			if at[i] < len(l) && (best < 0 || l[at[i]] < lists[best][at[best]]) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		fid := lists[best][at[best]]
		at[best]++
		if len(out) == 0 || out[len(out)-1] != fid {
			out = append(out, fid)
		}
	}
	return out
}

// textPageOf returns the fids of plan p's page among the features matching the FTS4 expression match.
func (sn *snapshot) textPageOf(ctx context.Context, d store.Dataset, match string, p store.Plan) ([]int64, error) {
	ft := quoteIdent(textTable(d.Table))
	fids, err := column[int64](ctx, sn.tx, `SELECT docid FROM `+ft+` WHERE `+ft+` MATCH ? AND docid > ? ORDER BY docid LIMIT ? OFFSET ?`,
		match, p.AfterFID, p.Limit, p.Offset)
	if err != nil {
		return nil, fmt.Errorf("dataset %s: full-text search: %w", d.ID, err)
	}
	return fids, nil
}

// column returns the one column of query's rows (never nil when there is none).
func column[T any](ctx context.Context, tx *sql.Tx, query string, args ...any) ([]T, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// SearchCount is Count restricted the same way (store.TextSearcher).
func (sn *snapshot) SearchCount(ctx context.Context, d store.Dataset, text string, q store.Query) (int64, error) {
	cond, err := sn.textCondition(ctx, d, text)
	if err != nil {
		return 0, err
	}
	p, err := store.NewPlan(d, q.Unpaged())
	if err != nil {
		return 0, err
	}
	if !textOnly(p) {
		return sn.count(ctx, d, q, cond)
	}
	// Every row of the table is in the index (its content), so the index's matches are the features: counted
	// without reading one row of the table.
	ft := quoteIdent(textTable(d.Table))
	var n int64
	if err := sn.tx.QueryRowContext(ctx, `SELECT count(*) FROM `+ft+` WHERE `+ft+` MATCH ?`, cond.args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("dataset %s: full-text count: %w", d.ID, err)
	}
	return n, nil
}
