package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/store"
)

// datasetColumns are the catalogue's columns as scanDataset reads them (relid last).
const datasetColumns = `id, table_name, title, description, theme, producer, licence, attribution,
	source_url, source_file, source_sha256, retrieved_at, source_crs, geometry_type, feature_count,
	min_x, min_y, max_x, max_y, fields::text, version, imported_at, report::text, relid`

// entry is a catalogue row: the dataset, and the oid of the table that holds this version of it (which an
// import may have renamed since, see snapshot.table).
type entry struct {
	store.Dataset
	relid uint32
}

func scanDataset(r pgx.Row) (entry, error) {
	var (
		e                      entry
		d                      = &e.Dataset
		retrieved, imported    string
		fields, report         string
		minX, minY, maxX, maxY *float64
	)
	err := r.Scan(&d.ID, &d.Table, &d.Title, &d.Description, &d.Theme, &d.Producer, &d.Licence, &d.Attribution,
		&d.Source.URL, &d.Source.File, &d.Source.SHA256, &retrieved, &d.SourceCRS, &d.GeometryType, &d.FeatureCount,
		&minX, &minY, &maxX, &maxY, &fields, &d.Version, &imported, &report, &e.relid)
	if err != nil {
		return e, err
	}
	d.Source.RetrievedAt, _ = time.Parse(time.RFC3339Nano, retrieved)
	d.ImportedAt, _ = time.Parse(time.RFC3339Nano, imported)
	if minX != nil && minY != nil && maxX != nil && maxY != nil {
		d.BBox = &orb.Bound{Min: orb.Point{*minX, *minY}, Max: orb.Point{*maxX, *maxY}}
	}
	if err := json.Unmarshal([]byte(fields), &d.Fields); err != nil {
		return e, fmt.Errorf("dataset %s: fields: %w", d.ID, err)
	}
	d.Report = json.RawMessage(report)
	return e, nil
}

// Datasets returns the catalogue as of the snapshot: the datasets whose features the snapshot then reads.
func (sn *snapshot) Datasets(ctx context.Context) ([]store.Dataset, error) {
	rows, err := sn.tx.Query(ctx, `SELECT `+datasetColumns+` FROM `+sn.s.catalogue()+` ORDER BY theme, id`)
	if err != nil {
		return nil, fmt.Errorf("list datasets: %w", err)
	}
	defer rows.Close()
	var out []store.Dataset
	for rows.Next() {
		e, err := scanDataset(rows)
		if err != nil {
			return nil, fmt.Errorf("list datasets: %w", err)
		}
		sn.relids[e.ID] = e.relid
		out = append(out, e.Dataset)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list datasets: %w", err)
	}
	return out, nil
}

// Dataset returns the catalogue entry of id as of the snapshot, or an error wrapping store.ErrNotFound.
func (sn *snapshot) Dataset(ctx context.Context, id string) (store.Dataset, error) {
	e, err := sn.entry(ctx, id)
	return e.Dataset, err
}

var _ store.VersionReader = (*snapshot)(nil)

// DatasetVersion reads the version of dataset id (store.VersionReader), and notes the table that holds it as
// Dataset does.
func (sn *snapshot) DatasetVersion(ctx context.Context, id string) (int64, error) {
	var v int64
	var relid uint32
	err := sn.tx.QueryRow(ctx, `SELECT version, relid FROM `+sn.s.catalogue()+` WHERE id = $1`, id).Scan(&v, &relid)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, store.NotFound(id)
	}
	if err != nil {
		return 0, fmt.Errorf("dataset %q: %w", id, err)
	}
	sn.relids[id] = relid
	return v, nil
}

func (sn *snapshot) entry(ctx context.Context, id string) (entry, error) {
	e, err := readEntry(ctx, sn.tx, sn.s.catalogue(), id)
	if err == nil {
		sn.relids[id] = e.relid
	}
	return e, err
}

// querier is a transaction or a connection.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// readEntry reads the catalogue row of id.
func readEntry(ctx context.Context, q querier, catalogue, id string) (entry, error) {
	e, err := scanDataset(q.QueryRow(ctx, `SELECT `+datasetColumns+` FROM `+catalogue+` WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return e, store.NotFound(id)
	}
	if err != nil {
		return e, fmt.Errorf("dataset %q: %w", id, err)
	}
	return e, nil
}

// catalogue is the qualified name of the catalogue table.
func (s *Store) catalogue() string { return qualified(s.internal, "datasets") }
