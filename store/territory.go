package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The territory cache keeps the boundaries fetched from the national geo API (package importers/territory), so
// that the next import of the same territory works offline. It is created on first use.
const territorySchema = `CREATE TABLE IF NOT EXISTS patrimap_territories (
	spec       TEXT PRIMARY KEY, -- canonical territory spec: "epci:200040715", "commune:63014,63113"
	name       TEXT NOT NULL,
	geojson    TEXT NOT NULL,    -- WGS84 GeoJSON geometry
	fetched_at TEXT NOT NULL     -- RFC 3339, UTC
)`

// CachedTerritory returns the cached boundary of a territory spec; ok is false when it is not cached.
func (s *Store) CachedTerritory(ctx context.Context, spec string) (name, geojson string, ok bool, err error) {
	var n int
	if err := s.db.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'patrimap_territories'`).Scan(&n); err != nil {
		return "", "", false, fmt.Errorf("read the territory cache: %w", err)
	}
	if n == 0 {
		return "", "", false, nil
	}
	err = s.db.QueryRowContext(ctx, `SELECT name, geojson FROM patrimap_territories WHERE spec = ?`, spec).Scan(&name, &geojson)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, fmt.Errorf("read the territory cache: %w", err)
	}
	return name, geojson, true, nil
}

// CacheTerritory stores (or replaces) the boundary of a territory spec.
func (s *Store) CacheTerritory(ctx context.Context, spec, name, geojson string) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("cache territory %s: %w", spec, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, territorySchema); err != nil {
		return fmt.Errorf("cache territory %s: %w", spec, err)
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT OR REPLACE INTO patrimap_territories (spec, name, geojson, fetched_at) VALUES (?, ?, ?, ?)`,
		spec, name, geojson, time.Now().UTC().Format(time.RFC3339)); err != nil {
		return fmt.Errorf("cache territory %s: %w", spec, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("cache territory %s: %w", spec, err)
	}
	return nil
}
