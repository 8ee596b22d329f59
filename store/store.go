package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/paulmach/orb"
)

// Store is a database of datasets, as every implementation provides it. It is safe for concurrent use.
// Consumers take the part they need through interfaces of their own.
type Store interface {
	// Snapshot opens a consistent read view. Close it when done.
	Snapshot(ctx context.Context) (Snapshot, error)
	// BeginImport starts building a new version of dataset id (see ValidateID). It waits while another import
	// of the store runs, or until ctx is done.
	BeginImport(ctx context.Context, id string, opts ImportOptions) (Import, error)
	Memo
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// Name says which database this is, for logs and messages: a file path, or an address without password.
	Name() string
	// Close releases the database. Snapshots and imports must be closed first.
	Close() error
}

// Snapshot is a consistent read view of a store: an import that commits while it is open is not seen, so a
// dataset's catalogue entry and its rows always match. It is used by one goroutine at a time.
//
// Reads stream features to a callback, in fid order unless a Query sorts them; a layer is never held in
// memory. The Feature passed to each is reused between calls: copy what must outlive the call. An error that
// each returns stops the read and is returned as it is.
type Snapshot interface {
	// Datasets lists the catalogue as of the snapshot, ordered by theme then id.
	Datasets(ctx context.Context) ([]Dataset, error)
	// Dataset returns the catalogue entry of id as of the snapshot, or an error wrapping ErrNotFound.
	Dataset(ctx context.Context, id string) (Dataset, error)
	// Features streams the features of d matching q to each. Feature.Values are aligned with the dataset's
	// fields (or the selected ones, in the dataset's order). Errors in q wrap ErrBadQuery.
	Features(ctx context.Context, d Dataset, q Query, each func(*Feature) error) error
	// Count returns how many features of d match q, ignoring its paging (AfterFID, Offset and Limit).
	Count(ctx context.Context, d Dataset, q Query) (int64, error)
	// TileFeatures is the vector-tile read: the features of d whose bounding box intersects bbox, in fid order,
	// with only the columns cols, in that order (Feature.Values aligned with cols; an unknown name is an
	// ErrBadQuery). Features without geometry are left out; a feature whose box meets bbox but whose shape does
	// not may be given: the tile encoder clips it to nothing.
	TileFeatures(ctx context.Context, d Dataset, bbox orb.Bound, cols []string, each func(*Feature) error) error
	// PyramidTileFeatures is TileFeatures with the geometries of the pyramid made at import (Row.Pyramid) for
	// zoom z (0 to PyramidMaxZoom), the full ones for rows without it, or an error wrapping ErrNoPyramid when
	// d has none (points, or imported before pyramids).
	PyramidTileFeatures(ctx context.Context, d Dataset, z int, bbox orb.Bound, cols []string, each func(*Feature) error) error
	// Pyramids streams, in fid order, the pyramid of each row of d that has one (what Row.Pyramid gave),
	// or returns an error wrapping ErrNoPyramid when d has none.
	Pyramids(ctx context.Context, d Dataset, each func(fid int64, zooms []orb.Geometry) error) error
	// ThinTileFeatures is TileFeatures for a dense point layer at low zoom: one feature, the lowest fid, per
	// cell of a grid of cellX × cellY degrees laid from bbox's lower-left corner, placed by the lower-left
	// corner of its bounding box (cells left of or below the corner fold into the first), so that a tile of a
	// département does not read 40,000 rows to draw a few thousand markers.
	ThinTileFeatures(ctx context.Context, d Dataset, bbox orb.Bound, cellX, cellY float64, cols []string, each func(*Feature) error) error
	// Close ends the read view.
	Close() error
}

// Import builds a new version of one dataset. Nothing it writes is visible to readers until Commit; Rollback
// (or an error of Commit, a crash, a kill) leaves the previous version exactly as it was. It is used by one
// goroutine.
type Import interface {
	// Add stages one row.
	Add(ctx context.Context, r Row) error
	// Finish builds the new version from the staged rows (typed columns, geometry cast to the layer's type,
	// spatial index) and says what it measured. Readers still see the previous version. Calling it again
	// returns the same Result.
	Finish(ctx context.Context) (*Result, error)
	// Commit records info as the dataset's catalogue entry, with the import's report (marshalled as JSON), and
	// makes the new version visible at once. info.ID must be the import's id. It calls Finish if needed.
	Commit(ctx context.Context, info DatasetInfo, report any) (Dataset, error)
	// Rollback abandons the import. Safe to call twice, and after Commit.
	Rollback() error
}

// Memo is a small table of values a store keeps beside the datasets, by kind and key: what an importer fetched
// once and reuses offline (kind "territory": a territory's boundary), what a person wrote about a dataset (kind
// "sheet": its fiche descriptive). It is not versioned with the datasets and no import touches it.
type Memo interface {
	// Recall returns the value of kind and key; ok is false when there is none.
	Recall(ctx context.Context, kind, key string) (value []byte, ok bool, err error)
	// RecallAll returns every value of kind, by key.
	RecallAll(ctx context.Context, kind string) (map[string][]byte, error)
	// Remember stores (or replaces) the value of kind and key.
	Remember(ctx context.Context, kind, key string, value []byte) error
}

// MemoLister is a Memo that says which kinds it holds: `patrimap store copy` moves every kind, including
// those of importers it does not know. Every store of patrimap is one.
type MemoLister interface {
	// MemoKinds lists the kinds the memo holds a value of, in byte order.
	MemoKinds(ctx context.Context) ([]string, error)
}

// NewEntry is the catalogue entry the import of dataset id commits, the same in every store: info with its
// defaults (the source retrieved now when it does not say when, the theme "other" when it gives none), what
// Finish measured, and the report as JSON. info must be about dataset id.
func NewEntry(id string, info DatasetInfo, res *Result, report any, now time.Time) (Dataset, error) {
	if info.ID != id {
		return Dataset{}, fmt.Errorf("import %s: committed as %q", id, info.ID)
	}
	rep, err := json.Marshal(report)
	if err != nil {
		return Dataset{}, fmt.Errorf("import %s: report: %w", info.ID, err)
	}
	if info.Source.RetrievedAt.IsZero() {
		info.Source.RetrievedAt = now
	}
	if info.Theme == "" {
		info.Theme = ThemeOther
	}
	fields := res.Fields
	if fields == nil {
		fields = []Field{}
	}
	return Dataset{DatasetInfo: info, Table: TableName(info.ID), GeometryType: res.GeometryType, FeatureCount: res.Rows,
		BBox: res.BBox, Fields: fields, Version: res.Version, ImportedAt: now, Report: rep}, nil
}

// MemoRows are the rows of a (key, value) query of a memo, as database/sql and pgx both return them.
type MemoRows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// CollectMemo reads rows of (key, value) into a map, for RecallAll: the caller runs the query and closes rows.
func CollectMemo(rows MemoRows) (map[string][]byte, error) {
	out := map[string][]byte{}
	for rows.Next() {
		var key string
		var v []byte
		if err := rows.Scan(&key, &v); err != nil {
			return nil, err
		}
		out[key] = v
	}
	return out, rows.Err()
}
