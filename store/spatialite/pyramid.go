package spatialite

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/patrimap/patrimap/store"
)

// A dataset of polygons or lines keeps, beside its table, the pyramid of its geometries that the vector tiles
// of low zooms draw (store.Row.Pyramid, store.PyramidMaxZoom): a table a zoom (fid, WKB), and a copy of the
// dataset's columns without its geometry, so that a tile of zoom z reads small rows only. In one table of a
// column a zoom, or from the dataset's own rows, every row read is spread over pages by its larger zooms or
// its full geometry (SQLite reads a row's record from its first page on): a z0 tile of the national ZNIEFF 1
// read 17,000 rows on 17,000 pages, five times the time it takes from a zoom's table of 100-byte rows. They are
// written in the import's transaction (so they always match the version served), in internal tables
// (internalTable: GDAL and QGIS do not list them). Datasets imported before had a single table of a column a
// zoom (patrimap_pyramid_*), or a single simplified copy before that (patrimap_lowzoom_*): no longer read
// (their tiles are drawn from the full geometries) and dropped by their next import.

// pyramidTable is the table of zoom z (0 to store.PyramidMaxZoom) of the pyramid of the dataset in table.
func pyramidTable(table string, z int) string {
	return internalTable("patrimap_zoom" + strconv.Itoa(z) + "_" + table)
}

// pyramidValuesTable is the copy of a dataset's columns, without its geometry, that its pyramid tiles read.
func pyramidValuesTable(table string) string { return internalTable("patrimap_tilevalues_" + table) }

// singlePyramidTable is the pyramid of a column a zoom that imports made before the table a zoom.
func singlePyramidTable(table string) string { return internalTable("patrimap_pyramid_" + table) }

// lowZoomTable is the table of the single simplified copy that imports made before pyramids.
func lowZoomTable(table string) string { return internalTable("patrimap_lowzoom_" + table) }

// writePyramid writes the staged pyramids into the dataset's pyramid tables, and the copy of its columns,
// for layers of lines or polygons.
func (im *importer) writePyramid(ctx context.Context, layerType string) error {
	if !store.PyramidLayer(layerType) {
		return nil
	}
	if err := im.writePyramidValues(ctx); err != nil {
		return err
	}
	// A zoom's rows written a batch at a time, as the staged rows are (stagingBatch).
	inserts := make([]*stagingBatch, store.PyramidMaxZoom+1)
	for z := range inserts {
		pt := quoteIdent(pyramidTable(im.table, z))
		if _, err := im.tx.ExecContext(ctx, `CREATE TABLE `+pt+` (fid INTEGER PRIMARY KEY, g BLOB NOT NULL)`); err != nil {
			return err
		}
		insert, err := im.newBatch(ctx, pt, "fid", "g")
		if err != nil {
			return err
		}
		defer insert.close()
		inserts[z] = insert
	}
	var cells *squareCells
	if store.SquareCellLayer(layerType) {
		var err error
		if cells, err = im.newSquareCells(ctx); err != nil {
			return err
		}
		defer cells.close()
	}
	// The staged pyramids, a batch of rows at a time (memory bounded by the batch), split into their zooms.
	for after := int64(-1 << 63); ; {
		batch, err := im.stagedPyramids(ctx, after, 256)
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			for _, insert := range inserts {
				if err := insert.flush(); err != nil {
					return err
				}
			}
			if cells == nil {
				return nil
			}
			return cells.write(ctx)
		}
		for _, sp := range batch {
			for z, insert := range inserts {
				w, err := store.PyramidWKB(sp.zooms, z)
				if err != nil {
					return fmt.Errorf("fid %d: %w", sp.fid, err)
				}
				if err := insert.add(sp.fid, insert.keep(w)); err != nil {
					return err
				}
			}
			if cells != nil {
				if err := cells.add(ctx, sp); err != nil {
					return fmt.Errorf("fid %d: %w", sp.fid, err)
				}
			}
		}
		after = batch[len(batch)-1].fid
	}
}

// writePyramidValues copies the columns of the dataset's table but its geometry, with their declared types
// (so that SQLite keeps every value as it is), into pyramidValuesTable.
func (im *importer) writePyramidValues(ctx context.Context) error {
	rows, err := im.tx.QueryContext(ctx, `SELECT name, type FROM pragma_table_info(?) WHERE name NOT IN ('fid', 'geom') ORDER BY cid`, im.table)
	if err != nil {
		return err
	}
	var decl, names strings.Builder
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			rows.Close()
			return err
		}
		decl.WriteString(", " + quoteIdent(name) + " " + typ)
		names.WriteString(", " + quoteIdent(name))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	vt := quoteIdent(pyramidValuesTable(im.table))
	if _, err := im.tx.ExecContext(ctx, `CREATE TABLE `+vt+` (fid INTEGER PRIMARY KEY`+decl.String()+`)`); err != nil {
		return err
	}
	_, err = im.tx.ExecContext(ctx, `INSERT INTO `+vt+` SELECT fid`+names.String()+` FROM `+quoteIdent(im.table)+` ORDER BY fid`)
	return err
}

type stagedPyramid struct {
	fid   int64
	zooms []byte
}

// stagedPyramids reads up to n staged pyramids after fid after.
func (im *importer) stagedPyramids(ctx context.Context, after int64, n int) ([]stagedPyramid, error) {
	rows, err := im.tx.QueryContext(ctx, `SELECT fid, lz FROM temp.patrimap_staging WHERE fid > ? AND lz IS NOT NULL ORDER BY fid LIMIT ?`, after, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []stagedPyramid
	for rows.Next() {
		var sp stagedPyramid
		if err := rows.Scan(&sp.fid, &sp.zooms); err != nil {
			return nil, err
		}
		out = append(out, sp)
	}
	return out, rows.Err()
}

// noPyramid explains err, the failure of a query reading d's pyramid: store.ErrNoPyramid when d has none
// (datasets imported before pyramids, or before a table a zoom), what broke otherwise. Asked only when a
// query fails, so that a tile costs no lookup of the catalogue.
func (sn *snapshot) noPyramid(ctx context.Context, d store.Dataset, what string, err error) error {
	ok, qerr := tableExists(ctx, sn.tx, pyramidTable(d.Table, 0))
	switch {
	case qerr != nil:
		return fmt.Errorf("dataset %s: pyramid: %w", d.ID, qerr)
	case !ok:
		return fmt.Errorf("dataset %s: %w", d.ID, store.ErrNoPyramid)
	}
	return fmt.Errorf("dataset %s: %s: %w", d.ID, what, err)
}

// Pyramids streams the stored pyramids of d in fid order.
func (sn *snapshot) Pyramids(ctx context.Context, d store.Dataset, each func(fid int64, zooms []orb.Geometry) error) error {
	var q strings.Builder
	q.WriteString(`SELECT z0.fid`)
	for z := 0; z <= store.PyramidMaxZoom; z++ {
		q.WriteString(fmt.Sprintf(", z%d.g", z))
	}
	q.WriteString(` FROM ` + quoteIdent(pyramidTable(d.Table, 0)) + ` AS z0`)
	for z := 1; z <= store.PyramidMaxZoom; z++ {
		q.WriteString(fmt.Sprintf(` JOIN %s AS z%d ON z%d.fid = z0.fid`, quoteIdent(pyramidTable(d.Table, z)), z, z))
	}
	rows, err := sn.tx.QueryContext(ctx, q.String()+` ORDER BY z0.fid`)
	if err != nil {
		return sn.noPyramid(ctx, d, "pyramid", err)
	}
	defer rows.Close()
	var fid int64
	blobs := make([]sql.RawBytes, store.PyramidMaxZoom+1)
	dest := []any{&fid}
	for z := range blobs {
		dest = append(dest, &blobs[z])
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("dataset %s: pyramid: %w", d.ID, err)
		}
		zooms := make([]orb.Geometry, len(blobs))
		for z, b := range blobs {
			if zooms[z], err = wkb.Unmarshal(b); err != nil {
				return fmt.Errorf("dataset %s: feature %d: pyramid zoom %d: %w", d.ID, fid, z, err)
			}
		}
		if err := each(fid, zooms); err != nil {
			return err
		}
	}
	return rows.Err()
}

func dropPyramid(ctx context.Context, tx *sql.Tx, table string) error {
	drop := []string{pyramidValuesTable(table), singlePyramidTable(table), lowZoomTable(table), squareCellTable(table), drawIndex(table)}
	for z := 0; z <= store.PyramidMaxZoom; z++ {
		drop = append(drop, pyramidTable(table, z))
	}
	for _, t := range drop {
		if _, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS `+quoteIdent(t)); err != nil {
			return err
		}
	}
	return nil
}
