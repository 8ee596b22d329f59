package postgis

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/patrimap/patrimap/store"
)

// The memo is read and written on the primary: an importer that keeps a territory's boundary reads it back at
// once.

func (s *Store) memo() string { return qualified(s.internal, "memo") }

// Recall returns the value kept under kind and key; ok is false when there is none.
func (s *Store) Recall(ctx context.Context, kind, key string) ([]byte, bool, error) {
	var v []byte
	err := s.write.QueryRow(ctx, `SELECT value FROM `+s.memo()+` WHERE kind = $1 AND key = $2`, kind, key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read %s %s from the store: %w", kind, key, err)
	}
	return v, true, nil
}

// RecallAll returns every value kept under kind, by key.
func (s *Store) RecallAll(ctx context.Context, kind string) (map[string][]byte, error) {
	rows, err := s.write.Query(ctx, `SELECT key, value FROM `+s.memo()+` WHERE kind = $1`, kind)
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
	if value == nil {
		value = []byte{}
	}
	// One statement, one transaction: the value and the count of commits (see watch.go).
	_, err := s.write.Exec(ctx, `WITH bump AS (`+s.bumpGeneration()+`)
		INSERT INTO `+s.memo()+` (kind, key, value, stored_at) VALUES ($1, $2, $3, now())
		ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value, stored_at = excluded.stored_at`, kind, key, value)
	s.watch.changed()
	if err != nil {
		return fmt.Errorf("keep %s %s in the store: %w", kind, key, err)
	}
	return nil
}

// MemoKinds lists the kinds the memo holds, in byte order.
func (s *Store) MemoKinds(ctx context.Context) ([]string, error) {
	rows, err := s.write.Query(ctx, `SELECT DISTINCT kind FROM `+s.memo()+` ORDER BY kind`)
	if err != nil {
		return nil, fmt.Errorf("list the memo's kinds: %w", err)
	}
	kinds, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list the memo's kinds: %w", err)
	}
	return kinds, nil
}
