package spatialite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/store"
)

var catalogueSchema = []string{
	`CREATE TABLE IF NOT EXISTS ` + catalogueTable + ` (
		id TEXT PRIMARY KEY,
		table_name TEXT NOT NULL UNIQUE,
		title TEXT NOT NULL,
		description TEXT NOT NULL DEFAULT '',
		theme TEXT NOT NULL,
		producer TEXT NOT NULL,
		licence TEXT NOT NULL DEFAULT '',
		attribution TEXT NOT NULL DEFAULT '',
		source_url TEXT NOT NULL DEFAULT '',
		source_file TEXT NOT NULL DEFAULT '',
		source_sha256 TEXT NOT NULL DEFAULT '',
		retrieved_at TEXT NOT NULL,
		source_crs TEXT NOT NULL DEFAULT '',
		geometry_type TEXT NOT NULL DEFAULT '',
		feature_count INTEGER NOT NULL,
		min_x REAL, min_y REAL, max_x REAL, max_y REAL,
		fields JSONTEXT NOT NULL,
		version INTEGER NOT NULL,
		imported_at TEXT NOT NULL,
		report JSONTEXT NOT NULL DEFAULT '{}'
	)`,
}

const datasetColumns = `id, table_name, title, description, theme, producer, licence, attribution,
	source_url, source_file, source_sha256, retrieved_at, source_crs, geometry_type, feature_count,
	min_x, min_y, max_x, max_y, fields, version, imported_at, report`

type rowScanner interface{ Scan(...any) error }

func scanDataset(r rowScanner) (store.Dataset, error) {
	var (
		d                      store.Dataset
		retrieved, imported    string
		fields, report         string
		minX, minY, maxX, maxY sql.NullFloat64
	)
	err := r.Scan(&d.ID, &d.Table, &d.Title, &d.Description, &d.Theme, &d.Producer, &d.Licence, &d.Attribution,
		&d.Source.URL, &d.Source.File, &d.Source.SHA256, &retrieved, &d.SourceCRS, &d.GeometryType, &d.FeatureCount,
		&minX, &minY, &maxX, &maxY, &fields, &d.Version, &imported, &report)
	if err != nil {
		return d, err
	}
	d.Source.RetrievedAt, _ = time.Parse(time.RFC3339Nano, retrieved)
	d.ImportedAt, _ = time.Parse(time.RFC3339Nano, imported)
	if minX.Valid && minY.Valid && maxX.Valid && maxY.Valid {
		d.BBox = &orb.Bound{Min: orb.Point{minX.Float64, minY.Float64}, Max: orb.Point{maxX.Float64, maxY.Float64}}
	}
	if err := json.Unmarshal([]byte(fields), &d.Fields); err != nil {
		return d, fmt.Errorf("dataset %s: fields: %w", d.ID, err)
	}
	d.Report = json.RawMessage(report)
	return d, nil
}

// Datasets returns the catalogue as of the snapshot: the datasets whose features the snapshot then reads.
func (sn *snapshot) Datasets(ctx context.Context) ([]store.Dataset, error) {
	rows, err := sn.tx.QueryContext(ctx, `SELECT `+datasetColumns+` FROM `+catalogueTable+` ORDER BY theme, id`)
	if err != nil {
		return nil, fmt.Errorf("list datasets: %w", err)
	}
	defer rows.Close()
	var out []store.Dataset
	for rows.Next() {
		d, err := scanDataset(rows)
		if err != nil {
			return nil, fmt.Errorf("list datasets: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Dataset returns the catalogue entry of id as of the snapshot, or an error wrapping store.ErrNotFound.
func (sn *snapshot) Dataset(ctx context.Context, id string) (store.Dataset, error) {
	return readDataset(sn.tx.QueryRowContext(ctx, `SELECT `+datasetColumns+` FROM `+catalogueTable+` WHERE id = ?`, id), id)
}

var _ store.VersionReader = (*snapshot)(nil)

// DatasetVersion reads the version of dataset id (store.VersionReader).
func (sn *snapshot) DatasetVersion(ctx context.Context, id string) (int64, error) {
	var v int64
	err := sn.tx.QueryRowContext(ctx, `SELECT version FROM `+catalogueTable+` WHERE id = ?`, id).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, store.NotFound(id)
	}
	if err != nil {
		return 0, fmt.Errorf("dataset %q: %w", id, err)
	}
	return v, nil
}

// readDataset scans the catalogue row of id.
func readDataset(row *sql.Row, id string) (store.Dataset, error) {
	d, err := scanDataset(row)
	if errors.Is(err, sql.ErrNoRows) {
		return d, store.NotFound(id)
	}
	if err != nil {
		return d, fmt.Errorf("dataset %q: %w", id, err)
	}
	return d, nil
}

// rowQuerier is what tableExists reads through: a transaction, a snapshot's or an import's, or a connection.
type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// tableExists says whether the database holds a table of that name: the side tables a dataset gets at import
// (full-text index, its words, pyramid, clusters) are missing from datasets imported before they existed.
func tableExists(ctx context.Context, q rowQuerier, name string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, name).Scan(&n)
	return n > 0, err
}
