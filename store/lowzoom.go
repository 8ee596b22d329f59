package store

import (
	"context"
	"database/sql"
)

// A dataset of polygons or lines keeps, beside its table, a simplified copy of its geometries for the vector
// tiles of low zooms: a z5 tile of the national biotope orders would otherwise read and simplify 250,000
// vertices. The import pipeline simplifies (Row.LowZoom); the copy is written in the import's transaction (so it
// always matches the version served), in a table GDAL and QGIS do not list (patrimap_*, without a registered
// geometry column), holding only the rows whose simplified form differs: the others are read from the table.

// LowZoomTolerance is the simplification of the copy, in degrees: 0.0003° (about 25 m) is under one tile unit
// up to zoom 8 (360° / 2⁸ / 4096 = 0.00034°), so tiles up to z8 drawn from it look the same.
const LowZoomTolerance = 0.0003

// LowZoomMax is the highest zoom whose tiles read the simplified copy: up to z7 its error is under half a tile
// unit. At z8 the copy's braided rivers (one APB site of 25 parts touching each other) fold onto each other on
// the grid beyond what GEOS repairs, and the tile could only keep one part valid: z8 reads full geometries.
const LowZoomMax = 7

func lowZoomTable(table string) string { return "patrimap_lowzoom_" + table }

// writeLowZoom writes the staged simplified geometries into the dataset's low-zoom table, for layers of lines
// or polygons.
func (im *Import) writeLowZoom(ctx context.Context, layerType string) error {
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
func (sn *Snapshot) hasLowZoom(ctx context.Context, d Dataset) bool {
	var n int
	err := sn.tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, lowZoomTable(d.Table)).Scan(&n)
	return err == nil && n == 1
}

func dropLowZoom(ctx context.Context, tx *sql.Tx, table string) error {
	_, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS `+quoteIdent(lowZoomTable(table)))
	return err
}
