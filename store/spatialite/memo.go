package spatialite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/patrimap/patrimap/store"
)

// memoSchema is the store's small key/value table (store.Memo): territory boundaries fetched from the national
// geo API, so that the next import of the same territory works offline.
const memoSchema = `CREATE TABLE IF NOT EXISTS ` + memoTable + ` (
	kind      TEXT NOT NULL, -- who keeps it: "territory"
	key       TEXT NOT NULL, -- "epci:200040715", "commune:63014,63113"
	value     BLOB NOT NULL,
	stored_at TEXT NOT NULL, -- RFC 3339, UTC
	PRIMARY KEY (kind, key)
)`

// oldTerritories moves the boundaries of files written before the memo, in a table of their own, into the
// memo, as importers/territory reads them: kind "territory", {"name": ..., "geojson": ...}.
var oldTerritories = []string{
	`INSERT OR IGNORE INTO ` + memoTable + ` (kind, key, value, stored_at)
		SELECT 'territory', spec, json_object('name', name, 'geojson', geojson), fetched_at FROM patrimap_territories`,
	`DROP TABLE patrimap_territories`,
}

// initMemo creates the memo, and moves an older file's territory cache into it, in one transaction.
func initMemo(ctx context.Context, conn *sql.Conn) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, memoSchema); err != nil {
		return err
	}
	old, err := tableExists(ctx, tx, "patrimap_territories")
	if err != nil {
		return err
	}
	if old {
		for _, stmt := range oldTerritories {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return err
			}
		}
	}
	return tx.Commit()
}

// Recall returns the value kept under kind and key; ok is false when there is none.
func (s *Store) Recall(ctx context.Context, kind, key string) ([]byte, bool, error) {
	var v []byte
	err := s.db.QueryRowContext(ctx, `SELECT value FROM `+memoTable+` WHERE kind = ? AND key = ?`, kind, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read %s %s from the store: %w", kind, key, err)
	}
	return v, true, nil
}

// RecallAll returns every value kept under kind, by key.
func (s *Store) RecallAll(ctx context.Context, kind string) (map[string][]byte, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT key, value FROM `+memoTable+` WHERE kind = ?`, kind)
	if err != nil {
		return nil, fmt.Errorf("read every %s from the store: %w", kind, err)
	}
	defer rows.Close()
	out, err := store.CollectMemo(rows)
	if err != nil {
		return nil, fmt.Errorf("read every %s from the store: %w", kind, err)
	}
	return out, nil
}

// Remember keeps (or replaces) value under kind and key.
func (s *Store) Remember(ctx context.Context, kind, key string, value []byte) error {
	_, err := s.writer.ExecContext(ctx, `INSERT OR REPLACE INTO `+memoTable+` (kind, key, value, stored_at) VALUES (?, ?, ?, ?)`,
		kind, key, value, time.Now().UTC().Format(time.RFC3339))
	if err != nil {
		return fmt.Errorf("keep %s %s in the store: %w", kind, key, err)
	}
	s.watch.changed(ctx)
	return nil
}

var _ store.MemoLister = (*Store)(nil)

// MemoKinds lists the kinds the memo holds, in byte order.
func (s *Store) MemoKinds(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT kind FROM `+memoTable+` ORDER BY kind`)
	if err != nil {
		return nil, fmt.Errorf("list the memo's kinds: %w", err)
	}
	defer rows.Close()
	var kinds []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("list the memo's kinds: %w", err)
		}
		kinds = append(kinds, k)
	}
	return kinds, rows.Err()
}
