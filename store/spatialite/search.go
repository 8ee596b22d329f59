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
// Both go with the table: DROP TABLE drops its indexes, dropDatasetTable the full-text one.

// indexedColumns are the normalised columns indexed when a dataset has them.
func indexedColumns() []string { return []string{"id", "kind", "commune", "insee"} }

func textTable(table string) string { return internalTable("patrimap_text_" + table) }

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
	_, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS `+quoteIdent(textTable(table)))
	return err
}

// matchExpression turns what a person typed into an FTS4 query: every word, each as a prefix ("egl*"), all
// required. The words are letters and digits only, lower-cased (so never an operator: OR, NEAR, AND are
// upper-case), each quoted as a one-word phrase.
func matchExpression(text string) string {
	words := store.TextWords(text)
	for i, w := range words {
		words[i] = `"` + w + `*"`
	}
	return strings.Join(words, " ")
}

// textCondition restricts a query to the features of d whose text matches, or says that d has no index.
func (sn *snapshot) textCondition(ctx context.Context, d store.Dataset, text string) (condition, error) {
	var n int
	if err := sn.tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, textTable(d.Table)).Scan(&n); err != nil {
		return condition{}, fmt.Errorf("dataset %s: full-text index: %w", d.ID, err)
	}
	if n == 0 {
		return condition{}, fmt.Errorf("dataset %s: %w", d.ID, store.ErrNoTextIndex)
	}
	ft := quoteIdent(textTable(d.Table))
	return condition{sql: `fid IN (SELECT docid FROM ` + ft + ` WHERE ` + ft + ` MATCH ?)`, args: []any{matchExpression(text)}}, nil
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
		fids, err := sn.textPage(ctx, d, cond.args[0], p)
		if err != nil || len(fids) == 0 {
			return err
		}
		in := condition{sql: `fid IN (?` + strings.Repeat(`, ?`, len(fids)-1) + `)`, args: fids}
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

// textPage returns the fids of plan p's page among the features whose text matches the FTS4 expression
// match, in fid order (FTS4 returns docids in ascending order and takes docid ranges).
func (sn *snapshot) textPage(ctx context.Context, d store.Dataset, match any, p store.Plan) ([]any, error) {
	ft := quoteIdent(textTable(d.Table))
	rows, err := sn.tx.QueryContext(ctx, `SELECT docid FROM `+ft+` WHERE `+ft+` MATCH ? AND docid > ? ORDER BY docid LIMIT ? OFFSET ?`,
		match, p.AfterFID, p.Limit, p.Offset)
	if err != nil {
		return nil, fmt.Errorf("dataset %s: full-text search: %w", d.ID, err)
	}
	defer rows.Close()
	var fids []any
	for rows.Next() {
		var fid int64
		if err := rows.Scan(&fid); err != nil {
			return nil, fmt.Errorf("dataset %s: full-text search: %w", d.ID, err)
		}
		fids = append(fids, fid)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("dataset %s: full-text search: %w", d.ID, err)
	}
	return fids, nil
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
