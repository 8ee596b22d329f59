package spatialite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/bits"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/patrimap/patrimap/store"
)

var _ store.PointClusterer = (*snapshot)(nil)

// A point layer keeps, beside its table, its points grouped by cell of each zoom's grid up to
// store.ClusterMaxZoom (patrimap_clusters_<table>: zoom, cell, how many points, the lowest fid, their mean
// position), written in the import's transaction: the deepest zoom by one GROUP BY over the staged rows, by the
// cell and the box's corner staged when each was added (order.go; the stored geometries are not read back),
// each coarser one from the zoom below (its grid divides exactly). A tile is then one range of the primary
// key.

func clusterTable(table string) string { return internalTable("patrimap_clusters_" + table) }

// worldCells is the number of cells along the world's side at zoom z.
func worldCells(z maptile.Zoom) int64 { return int64(store.ClusterCells(z)) << z }

// writeClusters builds the clusters of a point layer: copied from the import's scratch when it counted them
// (scratch.go), else counted here from the staged rows.
func (im *importer) writeClusters(ctx context.Context, layerType string) error {
	if !store.ClusterLayer(layerType) {
		return nil
	}
	ct := quoteIdent(clusterTable(im.table))
	if _, err := im.tx.ExecContext(ctx, clusterDDL(ct)); err != nil {
		return err
	}
	if im.scratch != nil {
		path, err := im.scratch.table(ctx)
		if err == nil {
			return im.copyScratchClusters(ctx, path, ct)
		}
		if ctx.Err() != nil {
			return err
		}
	}
	return countClusters(ctx, im.tx, ct, "temp.patrimap_staging")
}

// clusterDDL creates the cluster table ct (quoted).
func clusterDDL(ct string) string {
	return `CREATE TABLE ` + ct + ` (z INTEGER NOT NULL, cx INTEGER NOT NULL, cy INTEGER NOT NULL,
		n INTEGER NOT NULL, fid INTEGER NOT NULL, lon REAL NOT NULL, lat REAL NOT NULL, PRIMARY KEY (z, cx, cy)) WITHOUT ROWID`
}

// execer runs a statement: a transaction, or a connection.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// countClusters fills the empty cluster table ct from the points of table from (columns cell, fid, x0, y0; a
// NULL cell for a row without a geometry).
func countClusters(ctx context.Context, tx execer, ct, from string) error {
	top := maptile.Zoom(store.ClusterMaxZoom)
	// The Web Mercator cell of the box's lower-left corner, x then y in one number: grouped by it, the cells
	// come in the table's order.
	n := clusterCellBits()
	_, err := tx.ExecContext(ctx, `INSERT INTO `+ct+` (z, cx, cy, n, fid, lon, lat)
		SELECT ?1, cell >> ?2, cell & ((1 << ?2) - 1), count(*), min(fid), avg(x0), avg(y0)
		FROM `+from+` WHERE cell IS NOT NULL GROUP BY cell`, int(top), n)
	if err != nil {
		return fmt.Errorf("zoom %d: %w", top, err)
	}
	for z := top; z > 0; z-- {
		shift := bits.TrailingZeros64(uint64(worldCells(z) / worldCells(z-1)))
		_, err := tx.ExecContext(ctx, `INSERT INTO `+ct+` (z, cx, cy, n, fid, lon, lat)
			SELECT ?1, cx >> ?2, cy >> ?2, sum(n), min(fid), sum(lon * n) / sum(n), sum(lat * n) / sum(n)
			FROM `+ct+` WHERE z = ?3 GROUP BY cx >> ?2, cy >> ?2`, int(z-1), shift, int(z))
		if err != nil {
			return fmt.Errorf("zoom %d: %w", z-1, err)
		}
	}
	return nil
}

func dropClusters(ctx context.Context, tx *sql.Tx, table string) error {
	_, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS `+quoteIdent(clusterTable(table)))
	return err
}

// ClusterTileFeatures reads the clusters of tile t (store.PointClusterer).
func (sn *snapshot) ClusterTileFeatures(ctx context.Context, d store.Dataset, t maptile.Tile, cols []string, each func(*store.Feature, int64) error) error {
	if t.Z > store.ClusterMaxZoom {
		return fmt.Errorf("dataset %s: %w at zoom %d (up to %d)", d.ID, store.ErrNoClusters, t.Z, store.ClusterMaxZoom)
	}
	fields, err := store.TileFields(d, cols)
	if err != nil {
		return err
	}
	k := int64(store.ClusterCells(t.Z))
	x0, y0 := int64(t.X)*k, int64(t.Y)*k
	// The tile's columns of cells one by one: with cx BETWEEN, SQLite seeks the key (z, cx, cy) on z and cx
	// only and reads every cell of those columns, the whole map's height (39,000 cells for a z9 tile's 2,400 on
	// a million points); with cx IN (...) it seeks each column's cy range.
	tileArgs := make([]any, 0, k+3)
	tileArgs = append(tileArgs, int(t.Z))
	for cx := x0; cx < x0+k; cx++ {
		tileArgs = append(tileArgs, cx)
	}
	tileArgs = append(tileArgs, y0, y0+k-1)
	cellsOf := ` FROM ` + quoteIdent(clusterTable(d.Table)) + ` AS c WHERE c.z = ? AND c.cx IN (?` + strings.Repeat(`, ?`, int(k)-1) + `) AND c.cy BETWEEN ? AND ?`
	// The cells in one query of four columns, the single points' rows in another: the driver pays a few cgo
	// calls per column and row, and a tile's thousands of clusters have no columns of their own (one query
	// joining the table gave each cluster every column, NULL, and took twice as long).
	cells, err := sn.clusterCells(ctx, d, cellsOf, tileArgs)
	if err != nil {
		return err
	}
	singles := 0
	for _, c := range cells {
		if c.n == 1 {
			singles++
		}
	}
	// Both come in fid order: each lone point's row is merged in at its cell, the clusters of several points
	// between them, so that no row is held beyond the one being read.
	var f store.Feature
	none := make([]any, len(fields)) // a cluster's values
	next := 0
	upTo := func(fid int64) error { // the cells before fid, and fid's own if its row did not come
		for ; next < len(cells) && cells[next].fid <= fid; next++ {
			c := cells[next]
			f.FID, f.Geometry, f.Values = c.fid, orb.Point{c.lon, c.lat}, none
			if err := each(&f, c.n); err != nil {
				return err
			}
		}
		return nil
	}
	err = sn.singlePoints(ctx, d, fields, cellsOf, tileArgs, singles, func(p *store.Feature) error {
		if err := upTo(p.FID - 1); err != nil {
			return err
		}
		if next < len(cells) && cells[next].fid == p.FID && cells[next].n == 1 {
			next++
			return each(p, 1)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return upTo(math.MaxInt64)
}

// clusterCellRow is a row of a cluster table: how many points, the lowest fid, their mean position.
type clusterCellRow struct {
	n, fid   int64
	lon, lat float64
}

// clusterCells reads the cells cellsOf (tileArgs: a tile's) in fid order. A missing cluster table (a layer
// imported before clusters, or not of points) is told apart from a broken one only when the query fails, so
// that a tile costs no lookup of the catalogue.
func (sn *snapshot) clusterCells(ctx context.Context, d store.Dataset, cellsOf string, tileArgs []any) ([]clusterCellRow, error) {
	rows, err := sn.tx.QueryContext(ctx, `SELECT c.n, c.fid, c.lon, c.lat`+cellsOf+` ORDER BY c.fid`, tileArgs...)
	if err != nil {
		ok, qerr := tableExists(ctx, sn.tx, clusterTable(d.Table))
		if qerr != nil {
			return nil, fmt.Errorf("dataset %s: clusters: %w", d.ID, qerr)
		}
		if !ok {
			return nil, fmt.Errorf("dataset %s: %w", d.ID, store.ErrNoClusters)
		}
		return nil, fmt.Errorf("dataset %s: cluster query: %w", d.ID, err)
	}
	defer rows.Close()
	var cells []clusterCellRow
	for rows.Next() {
		var c clusterCellRow
		if err := rows.Scan(&c.n, &c.fid, &c.lon, &c.lat); err != nil {
			return nil, fmt.Errorf("dataset %s: cluster query: %w", d.ID, err)
		}
		cells = append(cells, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("dataset %s: cluster query: %w", d.ID, err)
	}
	if len(cells) == 0 {
		// No point here, or none clustered at this zoom: a layer imported when clusters stopped at a coarser
		// zoom has no cells at the deeper ones, and its points are read from their rows instead.
		var clustered bool
		if err := sn.tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+quoteIdent(clusterTable(d.Table))+` WHERE z = ?)`, tileArgs[0]).Scan(&clustered); err != nil {
			return nil, fmt.Errorf("dataset %s: cluster query: %w", d.ID, err)
		}
		if !clustered {
			return nil, fmt.Errorf("dataset %s: %w at zoom %v", d.ID, store.ErrNoClusters, tileArgs[0])
		}
	}
	return cells, nil
}

// singlePoints calls each with the features of the cells of one point (cellsOf, tileArgs: the tile's cells)
// with the columns fields, in fid order; want is how many there are (none: no query).
func (sn *snapshot) singlePoints(ctx context.Context, d store.Dataset, fields []store.Field, cellsOf string, tileArgs []any, want int, each func(*store.Feature) error) error {
	if want == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString(`SELECT t.fid, t.geom`) // SpatiaLite's own blob, read in Go as tile reads do (decodeBlob)
	for _, f := range fields {
		b.WriteString(", " + columnExpr("t.", f))
	}
	// The IN list is read in its order, the table's: ORDER BY costs no sort.
	b.WriteString(` FROM ` + quoteIdent(d.Table) + ` AS t WHERE t.fid IN (SELECT c.fid` + cellsOf + ` AND c.n = 1) ORDER BY t.fid`)
	rows, err := sn.tx.QueryContext(ctx, b.String(), tileArgs...)
	if err != nil {
		return fmt.Errorf("dataset %s: cluster query: %w", d.ID, err)
	}
	defer rows.Close()
	decode := func(blob []byte) (orb.Geometry, error) { return sn.decodeBlob(ctx, blob) }
	return scanFeatures(d.ID, rows, len(fields), decode, false, each)
}
