package spatialite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/paulmach/orb/maptile"

	"github.com/patrimap/patrimap/store"
)

var _ store.SquareCeller = (*snapshot)(nil)

// A polygon layer keeps, beside its pyramid, its square cells (store.SquareCeller): for each zoom of the
// pyramid, the sites too small to draw grouped by cell (patrimap_squares_<table>: zoom, cell, how many sites,
// the lowest fid), and an R-tree of the sites' boxes with a third dimension, the first zoom at which each is
// drawable (patrimap_drawable_<table>), so that a tile of zoom z finds the sites it draws without reading the
// others: a z0 tile of a national layer of 17,000 sites reads a few drawn ones and a few cells. Both are
// written in the import's transaction, from the staged pyramids.

func squareCellTable(table string) string { return internalTable("patrimap_squares_" + table) }

func drawIndex(table string) string { return internalTable("patrimap_drawable_" + table) }

// squareCells gathers the square cells of an import as its pyramids are written: each site's cell at each
// zoom where it is too small to draw, and its first drawable zoom, staged in temporary tables (memory stays
// bounded by a row), grouped at the end.
type squareCells struct {
	tx             *sql.Tx
	table          string
	square, drawAt *stagingBatch
}

func (im *importer) newSquareCells(ctx context.Context) (*squareCells, error) {
	for _, stmt := range []string{
		`DROP TABLE IF EXISTS temp.patrimap_square_staging`,
		`CREATE TEMP TABLE patrimap_square_staging (z INTEGER, cx INTEGER, cy INTEGER, fid INTEGER)`,
		`DROP TABLE IF EXISTS temp.patrimap_draw_staging`,
		`CREATE TEMP TABLE patrimap_draw_staging (fid INTEGER PRIMARY KEY, z INTEGER)`,
	} {
		if _, err := im.tx.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("square cells: %w", err)
		}
	}
	c := &squareCells{tx: im.tx, table: im.table}
	var err error
	if c.square, err = im.newBatch(ctx, "temp.patrimap_square_staging", "z", "cx", "cy", "fid"); err != nil {
		return nil, err
	}
	if c.drawAt, err = im.newBatch(ctx, "temp.patrimap_draw_staging", "fid", "z"); err != nil {
		c.square.close()
		return nil, err
	}
	return c, nil
}

// add stages the cells of a site at every zoom where it is too small to draw, and its first drawable zoom
// (PyramidMaxZoom + 1 when it is never drawn up to there).
func (c *squareCells) add(ctx context.Context, sp stagedPyramid) error {
	drawAt := -1
	for z := 0; z <= store.PyramidMaxZoom; z++ {
		g, err := store.PyramidZoom(sp.zooms, z)
		if err != nil {
			return err
		}
		cx, cy, tiny := store.PyramidSquareCell(g, z)
		if !tiny {
			if drawAt < 0 {
				drawAt = z
			}
			continue
		}
		if err := c.square.add(int64(z), cx, cy, sp.fid); err != nil {
			return err
		}
	}
	if drawAt < 0 {
		drawAt = store.PyramidMaxZoom + 1
	}
	return c.drawAt.add(sp.fid, int64(drawAt))
}

// write groups the staged cells and builds the R-tree of drawable sites: every site with a box, at zoom 0
// when it has no pyramid.
func (c *squareCells) write(ctx context.Context) error {
	if err := errors.Join(c.square.flush(), c.drawAt.flush()); err != nil {
		return fmt.Errorf("square cells: %w", err)
	}
	st, di := quoteIdent(squareCellTable(c.table)), quoteIdent(drawIndex(c.table))
	for _, stmt := range []string{
		`CREATE TABLE ` + st + ` (z INTEGER NOT NULL, cx INTEGER NOT NULL, cy INTEGER NOT NULL, n INTEGER NOT NULL,
			fid INTEGER NOT NULL, PRIMARY KEY (z, cx, cy)) WITHOUT ROWID`,
		`INSERT INTO ` + st + ` SELECT z, cx, cy, count(*), min(fid) FROM temp.patrimap_square_staging GROUP BY z, cx, cy`,
		`CREATE VIRTUAL TABLE ` + di + ` USING rtree(id, xmin, xmax, ymin, ymax, zmin, zmax)`,
		`INSERT INTO ` + di + ` SELECT s.fid, s.x0, s.x1, s.y0, s.y1, coalesce(d.z, 0), coalesce(d.z, 0)
			FROM temp.patrimap_staging AS s LEFT JOIN temp.patrimap_draw_staging AS d ON d.fid = s.fid
			WHERE s.key IS NOT NULL ORDER BY s.fid`,
	} {
		if _, err := c.tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("square cells: %w", err)
		}
	}
	return nil
}

func (c *squareCells) close() {
	c.square.close()
	c.drawAt.close()
	for _, t := range []string{"patrimap_square_staging", "patrimap_draw_staging"} {
		c.tx.ExecContext(context.Background(), `DROP TABLE IF EXISTS temp.`+t) //nolint:errcheck // gone with the connection anyway
	}
}

// SquareTileFeatures reads the drawable sites and the square cells of tile t (store.SquareCeller).
func (sn *snapshot) SquareTileFeatures(ctx context.Context, d store.Dataset, t maptile.Tile, bbox orb.Bound, cols []string, each func(*store.Feature, int64) error) error {
	z := int(t.Z)
	if z > store.PyramidMaxZoom || !store.SquareCellLayer(d.GeometryType) {
		return fmt.Errorf("dataset %s: %w at zoom %d", d.ID, store.ErrNoSquareCells, z)
	}
	fields, err := store.TileFields(d, cols)
	if err != nil {
		return err
	}
	var sel strings.Builder
	sel.WriteString(`SELECT t.fid, l.g`)
	for _, f := range fields {
		sel.WriteString(", " + columnExpr("t.", f))
	}
	sel.WriteString(` FROM ` + quoteIdent(pyramidValuesTable(d.Table)) + ` AS t JOIN ` + quoteIdent(pyramidTable(d.Table, z)) + ` AS l ON l.fid = t.fid`)
	// The cells first (a tile holds a few thousand at most), with their first site's row, then the drawable
	// sites merged in between them in fid order.
	x0, y0, x1, y1 := store.SquareCellsOf(t)
	args := []any{z}
	for cx := x0; cx <= x1; cx++ {
		args = append(args, cx)
	}
	args = append(args, y0, y1)
	// Each column of cells sought on its own (see ClusterTileFeatures).
	cellSQL := `SELECT s.*, c.n FROM ` + quoteIdent(squareCellTable(d.Table)) + ` AS c JOIN (` + sel.String() + `) AS s ON s.fid = c.fid
		WHERE c.z = ? AND c.cx IN (?` + strings.Repeat(`, ?`, int(x1-x0)) + `) AND c.cy BETWEEN ? AND ? ORDER BY c.fid`
	var cells []store.SquareCell
	rows, err := sn.tx.QueryContext(ctx, cellSQL, args...)
	if err != nil {
		ok, qerr := tableExists(ctx, sn.tx, squareCellTable(d.Table))
		switch {
		case qerr != nil:
			return fmt.Errorf("dataset %s: square cells: %w", d.ID, qerr)
		case !ok:
			return fmt.Errorf("dataset %s: %w", d.ID, store.ErrNoSquareCells)
		}
		return fmt.Errorf("dataset %s: square cells: %w", d.ID, err)
	}
	// The cell's number of sites comes last, after the columns.
	err = scanFeatures(d.ID, rows, len(fields)+1, wkb.Unmarshal, false, func(f *store.Feature) error {
		n, ok := f.Values[len(fields)].(int64)
		if !ok {
			return fmt.Errorf("dataset %s: square cell of feature %d: count %v", d.ID, f.FID, f.Values[len(fields)])
		}
		cells = append(cells, store.SquareCell{Count: n, Site: store.Feature{FID: f.FID, Geometry: f.Geometry, Values: append([]any(nil), f.Values[:len(fields)]...)}})
		return nil
	})
	rows.Close()
	if err != nil {
		return err
	}
	row, done := store.MergeSquareCells(cells, z, each)
	rows, err = sn.tx.QueryContext(ctx, sel.String()+` WHERE t.fid IN (SELECT id FROM `+quoteIdent(drawIndex(d.Table))+
		` WHERE xmin <= ? AND xmax >= ? AND ymin <= ? AND ymax >= ? AND zmin <= ?) ORDER BY t.fid`,
		bbox.Max[0], bbox.Min[0], bbox.Max[1], bbox.Min[1], z)
	if err != nil {
		return fmt.Errorf("dataset %s: tile query: %w", d.ID, err)
	}
	defer rows.Close()
	if err := scanFeatures(d.ID, rows, len(fields), wkb.Unmarshal, false, row); err != nil {
		return err
	}
	return done()
}
