package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// Themes a dataset can belong to.
const (
	ThemeNatural  = "natural"
	ThemeCultural = "cultural"
	ThemeOSM      = "osm"
	ThemeOther    = "other"
)

// Field types, as the catalogue names them. Each maps to one declared SQLite column type that GDAL and QGIS
// understand (see FieldType.sqlType).
const (
	FieldText     FieldType = "text"
	FieldInteger  FieldType = "integer"
	FieldReal     FieldType = "real"
	FieldBoolean  FieldType = "boolean"
	FieldDate     FieldType = "date"     // ISO 8601 calendar date, stored as text YYYY-MM-DD
	FieldDateTime FieldType = "datetime" // ISO 8601 date and time, stored as text
	FieldJSON     FieldType = "json"     // a JSON object or array, stored as text
)

// FieldType is the type of a dataset column.
type FieldType string

func (t FieldType) sqlType() string {
	switch t {
	case FieldInteger:
		return "INTEGER"
	case FieldReal:
		return "REAL"
	case FieldBoolean:
		return "BOOLEAN"
	case FieldDate:
		return "DATE"
	case FieldDateTime:
		return "DATETIME"
	case FieldJSON:
		return "JSONTEXT" // marks the column as JSON for patrimap; GDAL 3.6 reads it as a String field
	}
	return "TEXT"
}

// Field is one attribute column of a dataset.
type Field struct {
	Name        string    `json:"name"`
	Type        FieldType `json:"type"`
	Description string    `json:"description,omitempty"`
}

// Source says where a dataset came from.
type Source struct {
	URL         string    `json:"url,omitempty"`
	File        string    `json:"file,omitempty"`
	SHA256      string    `json:"sha256,omitempty"`
	RetrievedAt time.Time `json:"retrieved_at"`
}

// DatasetInfo is what an importer says about a dataset: everything the catalogue keeps that is not measured
// from the data itself.
type DatasetInfo struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Theme       string `json:"theme"`
	Producer    string `json:"producer"`
	Licence     string `json:"licence,omitempty"`
	Attribution string `json:"attribution,omitempty"`
	Source      Source `json:"source"`
	SourceCRS   string `json:"source_crs,omitempty"`
}

// Dataset is one entry of the catalogue: a layer from one producer, and what patrimap measured of it.
type Dataset struct {
	DatasetInfo
	Table        string          `json:"table"`
	GeometryType string          `json:"geometry_type,omitempty"`
	FeatureCount int64           `json:"feature_count"`
	BBox         *orb.Bound      `json:"-"`
	Fields       []Field         `json:"fields"`
	Version      int64           `json:"version"`
	ImportedAt   time.Time       `json:"imported_at"`
	Report       json.RawMessage `json:"report,omitempty"`
}

// Field returns the field named name, case-sensitively, and whether it exists.
func (d *Dataset) Field(name string) (Field, bool) {
	for _, f := range d.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// ErrNotFound is returned when a dataset is not in the catalogue.
var ErrNotFound = errors.New("dataset not found")

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ValidateID checks that id is a slug: lower-case letters, digits and single hyphens, at most 63 characters.
func ValidateID(id string) error {
	if len(id) == 0 || len(id) > 63 || !slugPattern.MatchString(id) {
		return fmt.Errorf("dataset id %q must be a slug: lower-case letters, digits and single hyphens (e.g. znieff1-isere), at most 63 characters", id)
	}
	return nil
}

// tableName is the dataset's table: its id with hyphens as underscores, so that every GIS tool accepts it
// unquoted. Ids have no underscores, so two ids never share a table.
func tableName(id string) string { return strings.ReplaceAll(id, "-", "_") }

var catalogueSchema = []string{
	`CREATE TABLE IF NOT EXISTS patrimap_datasets (
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

func scanDataset(r rowScanner) (Dataset, error) {
	var (
		d                      Dataset
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

// Datasets lists the catalogue, ordered by theme then id.
func (s *Store) Datasets(ctx context.Context) ([]Dataset, error) { return listDatasets(ctx, s.db) }

// Datasets returns the catalogue as of the snapshot: the datasets whose features the snapshot then reads.
func (sn *Snapshot) Datasets(ctx context.Context) ([]Dataset, error) { return listDatasets(ctx, sn.tx) }

func listDatasets(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) ([]Dataset, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+datasetColumns+` FROM patrimap_datasets ORDER BY theme, id`)
	if err != nil {
		return nil, fmt.Errorf("list datasets: %w", err)
	}
	defer rows.Close()
	var out []Dataset
	for rows.Next() {
		d, err := scanDataset(rows)
		if err != nil {
			return nil, fmt.Errorf("list datasets: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Dataset returns the catalogue entry of id, or an error wrapping ErrNotFound.
func (s *Store) Dataset(ctx context.Context, id string) (Dataset, error) {
	d, err := scanDataset(s.db.QueryRowContext(ctx, `SELECT `+datasetColumns+` FROM patrimap_datasets WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("%q: %w", id, ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("dataset %q: %w", id, err)
	}
	return d, nil
}
