package spatialite

import (
	"context"
	"database/sql"

	"github.com/patrimap/patrimap/store"
)

// A dataset of polygons or lines keeps, beside its table, the simplified copy of its geometries that the
// vector tiles of low zooms draw (store.Row.LowZoom, store.LowZoomMax). The copy is written in the import's
// transaction (so it always matches the version served), in an internal table (internalTable: GDAL and QGIS do
// not list it), holding only the rows whose simplified form differs: the others are read from the dataset's
// table.

func lowZoomTable(table string) string { return internalTable("patrimap_lowzoom_" + table) }

// writeLowZoom writes the staged simplified geometries into the dataset's low-zoom table, for layers of lines
// or polygons.
func (im *importer) writeLowZoom(ctx context.Context, layerType string) error {
	switch layerType {
	case "MULTIPOLYGON", "POLYGON", "MULTILINESTRING", "LINESTRING", "GEOMETRY":
	default:
		return nil
	}
	lz := quoteIdent(lowZoomTable(im.table))
	if _, err := im.tx.ExecContext(ctx, `CREATE TABLE `+lz+` (fid INTEGER PRIMARY KEY, wkb BLOB NOT NULL)`); err != nil {
		return err
	}
	_, err := im.tx.ExecContext(ctx, `INSERT INTO `+lz+` (fid, wkb) SELECT fid, lz FROM temp.patrimap_staging
		WHERE lz IS NOT NULL ORDER BY fid`)
	return err
}

// hasLowZoom tells whether d has a simplified copy (datasets imported before it existed have none).
func (sn *snapshot) hasLowZoom(ctx context.Context, d store.Dataset) bool {
	var n int
	err := sn.tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, lowZoomTable(d.Table)).Scan(&n)
	return err == nil && n == 1
}

func dropLowZoom(ctx context.Context, tx *sql.Tx, table string) error {
	_, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS `+quoteIdent(lowZoomTable(table)))
	return err
}
