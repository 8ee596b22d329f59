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
	return sn.features(ctx, p, each, cond)
}

// SearchCount is Count restricted the same way (store.TextSearcher).
func (sn *snapshot) SearchCount(ctx context.Context, d store.Dataset, text string, q store.Query) (int64, error) {
	cond, err := sn.textCondition(ctx, d, text)
	if err != nil {
		return 0, err
	}
	return sn.count(ctx, d, q, cond)
}
