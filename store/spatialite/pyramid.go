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
// of low zooms draw (store.Row.Pyramid, store.PyramidMaxZoom): one row per feature, a WKB column per zoom
// from z0 on, so that a tile reads only its zoom's bytes (SQLite reads a row's columns in order: a z3 tile
// never loads the z10 copies that follow). It is written in the import's transaction (so it always matches
// the version served), in an internal table (internalTable: GDAL and QGIS do not list it). Datasets imported
// before it had a single simplified copy (patrimap_lowzoom_*), no longer read and dropped by their next
// import.

func pyramidTable(table string) string { return internalTable("patrimap_pyramid_" + table) }

// lowZoomTable is the table of the single simplified copy that imports made before pyramids.
func lowZoomTable(table string) string { return internalTable("patrimap_lowzoom_" + table) }

// writePyramid writes the staged pyramids into the dataset's pyramid table, for layers of lines or polygons.
func (im *importer) writePyramid(ctx context.Context, layerType string) error {
	if !store.PyramidLayer(layerType) {
		return nil
	}
	pt := quoteIdent(pyramidTable(im.table))
	var cols, marks strings.Builder
	for z := 0; z <= store.PyramidMaxZoom; z++ {
		cols.WriteString(", " + zoomColumn(z) + " BLOB NOT NULL")
		marks.WriteString(", ?")
	}
	if _, err := im.tx.ExecContext(ctx, `CREATE TABLE `+pt+` (fid INTEGER PRIMARY KEY`+cols.String()+`)`); err != nil {
		return err
	}
	insert, err := im.tx.PrepareContext(ctx, `INSERT INTO `+pt+` VALUES (?`+marks.String()+`)`)
	if err != nil {
		return err
	}
	defer insert.Close()
	// The staged pyramids, a batch of rows at a time (memory bounded by the batch), split into their zooms.
	args := make([]any, store.PyramidMaxZoom+2)
	for after := int64(-1 << 63); ; {
		batch, err := im.stagedPyramids(ctx, after, 256)
		if err != nil || len(batch) == 0 {
			return err
		}
		for _, sp := range batch {
			args[0] = sp.fid
			for z := 0; z <= store.PyramidMaxZoom; z++ {
				w, err := store.PyramidWKB(sp.zooms, z)
				if err != nil {
					return fmt.Errorf("fid %d: %w", sp.fid, err)
				}
				args[z+1] = w
			}
			if _, err := insert.ExecContext(ctx, args...); err != nil {
				return err
			}
		}
		after = batch[len(batch)-1].fid
	}
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

// zoomColumn is the column of the pyramid table that holds zoom z (0 to store.PyramidMaxZoom).
func zoomColumn(z int) string { return "z" + strconv.Itoa(z) }

// noPyramid explains err, the failure of a query reading d's pyramid: store.ErrNoPyramid when d has none
// (datasets imported before pyramids), what broke otherwise. Asked only when a query fails, so that a tile
// costs no lookup of the catalogue.
func (sn *snapshot) noPyramid(ctx context.Context, d store.Dataset, what string, err error) error {
	ok, qerr := tableExists(ctx, sn.tx, pyramidTable(d.Table))
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
	rows, err := sn.tx.QueryContext(ctx, `SELECT * FROM `+quoteIdent(pyramidTable(d.Table))+` ORDER BY fid`)
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
	for _, t := range []string{pyramidTable(table), lowZoomTable(table)} {
		if _, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS `+quoteIdent(t)); err != nil {
			return err
		}
	}
	return nil
}
