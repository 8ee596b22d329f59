package spatialite

import (
	"context"
	"database/sql"
	"fmt"
	"math/bits"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/paulmach/orb/maptile"

	"github.com/patrimap/patrimap/store"
)

var _ store.PointClusterer = (*snapshot)(nil)

// A point layer keeps, beside its table, its points grouped by cell of each zoom's grid up to
// store.ClusterMaxZoom (patrimap_clusters_<table>: zoom, cell, how many points, the lowest fid, their mean
// position), written in the import's transaction: the deepest zoom by one GROUP BY over the rows, by the cell
// staged when each was added (order.go), each coarser one from the zoom below (its grid divides
// exactly). A tile is then one range of the primary key.

func clusterTable(table string) string { return internalTable("patrimap_clusters_" + table) }

// worldCells is the number of cells along the world's side at zoom z.
func worldCells(z maptile.Zoom) int64 { return int64(store.ClusterCells(z)) << z }

// writeClusters builds the clusters of a point layer.
func (im *importer) writeClusters(ctx context.Context, layerType string) error {
	if layerType != "POINT" && layerType != "MULTIPOINT" {
		return nil
	}
	ct := quoteIdent(clusterTable(im.table))
	if _, err := im.tx.ExecContext(ctx, `CREATE TABLE `+ct+` (z INTEGER NOT NULL, cx INTEGER NOT NULL, cy INTEGER NOT NULL,
		n INTEGER NOT NULL, fid INTEGER NOT NULL, lon REAL NOT NULL, lat REAL NOT NULL, PRIMARY KEY (z, cx, cy)) WITHOUT ROWID`); err != nil {
		return err
	}
	top := maptile.Zoom(store.ClusterMaxZoom)
	// The Web Mercator cell of the box's lower-left corner, x then y in one number: grouped by it, the cells
	// come in the table's order.
	n := clusterCellBits()
	_, err := im.tx.ExecContext(ctx, `INSERT INTO `+ct+` (z, cx, cy, n, fid, lon, lat)
		SELECT ?1, s.cell >> ?2, s.cell & ((1 << ?2) - 1), count(*), min(s.fid), avg(MbrMinX(t.geom)), avg(MbrMinY(t.geom))
		FROM temp.patrimap_staging AS s JOIN `+quoteIdent(im.table)+` AS t ON t.fid = s.fid WHERE s.cell IS NOT NULL GROUP BY s.cell`, int(top), n)
	if err != nil {
		return fmt.Errorf("zoom %d: %w", top, err)
	}
	for z := top; z > 0; z-- {
		shift := bits.TrailingZeros64(uint64(worldCells(z) / worldCells(z-1)))
		_, err := im.tx.ExecContext(ctx, `INSERT INTO `+ct+` (z, cx, cy, n, fid, lon, lat)
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
	var n int
	if err := sn.tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, clusterTable(d.Table)).Scan(&n); err != nil {
		return fmt.Errorf("dataset %s: clusters: %w", d.ID, err)
	}
	if n == 0 {
		return fmt.Errorf("dataset %s: %w", d.ID, store.ErrNoClusters)
	}
	fields, err := store.TileFields(d, cols)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(`SELECT c.n, c.fid, c.lon, c.lat, CASE WHEN c.n = 1 THEN AsBinary(t.geom) END`)
	for _, f := range fields {
		b.WriteString(", " + columnExpr("t.", f))
	}
	k := int64(store.ClusterCells(t.Z))
	b.WriteString(` FROM ` + quoteIdent(clusterTable(d.Table)) + ` AS c LEFT JOIN ` + quoteIdent(d.Table) + ` AS t
		ON t.fid = c.fid AND c.n = 1 WHERE c.z = ? AND c.cx BETWEEN ? AND ? AND c.cy BETWEEN ? AND ? ORDER BY c.fid`)
	x0, y0 := int64(t.X)*k, int64(t.Y)*k
	rows, err := sn.tx.QueryContext(ctx, b.String(), int(t.Z), x0, x0+k-1, y0, y0+k-1)
	if err != nil {
		return fmt.Errorf("dataset %s: cluster query: %w", d.ID, err)
	}
	defer rows.Close()
	var (
		f        store.Feature
		count    int64
		lon, lat float64
		blob     []byte
		vals     = make([]any, len(fields))
		none     = make([]any, len(fields)) // a cluster's values
		dest     = append([]any{&count, &f.FID, &lon, &lat, &blob}, make([]any, len(fields))...)
	)
	for i := range vals {
		dest[5+i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("dataset %s: cluster query: %w", d.ID, err)
		}
		f.Geometry, f.Values = orb.Point{lon, lat}, vals
		if count == 1 && blob != nil {
			g, err := wkb.Unmarshal(blob)
			if err != nil {
				return fmt.Errorf("dataset %s: fid %d: %w", d.ID, f.FID, err)
			}
			f.Geometry = g
		} else {
			f.Values = none
		}
		if err := each(&f, count); err != nil {
			return err
		}
	}
	return rows.Err()
}
