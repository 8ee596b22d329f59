package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Sheets keep what a person wrote about a dataset (its fiche descriptive) as a JSON document per key, in their
// own table: an import replaces a dataset's table and catalogue entry, never this one, so a re-import never
// wipes what a person wrote. The store does not read the documents; package sheet does.

const sheetsTable = `CREATE TABLE IF NOT EXISTS patrimap_sheets (
	key TEXT PRIMARY KEY,
	doc TEXT NOT NULL,
	updated_at TEXT NOT NULL
)`

// Sheet returns the document saved under key, or nil when there is none.
func (s *Store) Sheet(ctx context.Context, key string) ([]byte, error) {
	if ok, err := s.hasSheets(ctx); err != nil || !ok {
		return nil, err
	}
	var doc string
	err := s.db.QueryRowContext(ctx, `SELECT doc FROM patrimap_sheets WHERE key = ?`, key).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sheet %q: %w", key, err)
	}
	return []byte(doc), nil
}

// Sheets returns every saved document by key.
func (s *Store) Sheets(ctx context.Context) (map[string][]byte, error) {
	out := map[string][]byte{}
	if ok, err := s.hasSheets(ctx); err != nil || !ok {
		return out, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT key, doc FROM patrimap_sheets`)
	if err != nil {
		return nil, fmt.Errorf("sheets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key, doc string
		if err := rows.Scan(&key, &doc); err != nil {
			return nil, fmt.Errorf("sheets: %w", err)
		}
		out[key] = []byte(doc)
	}
	return out, rows.Err()
}

// SaveSheet saves doc under key, replacing what was there.
func (s *Store) SaveSheet(ctx context.Context, key string, doc []byte) error {
	if _, err := s.writer.ExecContext(ctx, sheetsTable); err != nil {
		return fmt.Errorf("sheet %q: create table: %w", key, err)
	}
	_, err := s.writer.ExecContext(ctx,
		`INSERT INTO patrimap_sheets (key, doc, updated_at) VALUES (?, ?, ?)
		 ON CONFLICT (key) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at`,
		key, string(doc), time.Now().UTC().Format(time.RFC3339Nano))
	if err != nil {
		return fmt.Errorf("sheet %q: save: %w", key, err)
	}
	return nil
}

// hasSheets tells whether the sheets table exists: reads never create it (they use the read connections).
func (s *Store) hasSheets(ctx context.Context) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'patrimap_sheets'`).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("sheets: %w", err)
	}
	return n > 0, nil
}
