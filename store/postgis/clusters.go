package postgis

import (
	"context"
	"fmt"
	"math/bits"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb/maptile"

	"github.com/patrimap/patrimap/store"
)

var _ store.PointClusterer = (*snapshot)(nil)

// A point layer keeps its points grouped by cell of each zoom's grid up to store.ClusterMaxZoom, as the
// SpatiaLite store does (the same cells, counts, lowest fids and mean positions, so that both draw the same
// tiles): clusters__<oid> in the internal schema, named after the version's table like its low-zoom copy,
// written in the import's transaction, the deepest zoom by one GROUP BY over the rows and each coarser one from
// the zoom below.

func clusterTable(relid uint32) string { return "clusters__" + strconv.FormatUint(uint64(relid), 10) }

// worldCells is the number of cells along the world's side at zoom z.
func worldCells(z maptile.Zoom) int64 { return int64(store.ClusterCells(z)) << z }

// clusterSteps are the statements that build the clusters of the new version (table work, oid relid) of a
// layer of layerType; none for a layer that is not of points.
func (im *importer) clusterSteps(work, layerType string) []struct{ what, sql string } {
	if !store.ClusterLayer(layerType) {
		return nil
	}
	ct := qualified(im.s.internal, clusterTable(im.relid))
	top := maptile.Zoom(store.ClusterMaxZoom)
	cells := strconv.FormatInt(worldCells(top), 10)
	steps := []struct{ what, sql string }{
		{"point clusters", `CREATE TABLE ` + ct + ` (z integer NOT NULL, cx bigint NOT NULL, cy bigint NOT NULL,
			n bigint NOT NULL, fid bigint NOT NULL, lon double precision NOT NULL, lat double precision NOT NULL, PRIMARY KEY (z, cx, cy))`},
		// The Web Mercator cell of the box's lower-left corner (box3d: the exact coordinates), latitude held
		// within Mercator's range.
		{"point clusters", `INSERT INTO ` + ct + ` (z, cx, cy, n, fid, lon, lat)
			SELECT ` + strconv.Itoa(int(top)) + `, cx, cy, count(*), min(fid), avg(lon), avg(lat) FROM (
				SELECT fid, lon, lat,
					least(greatest(floor((lon + 180) / 360 * ` + cells + `)::bigint, 0), ` + cells + ` - 1) AS cx,
					least(greatest(floor((0.5 - ln(tan(pi() / 4 + radians(greatest(least(lat, 85.0511287798066), -85.0511287798066)) / 2)) / (2 * pi())) * ` + cells + `)::bigint, 0), ` + cells + ` - 1) AS cy
				FROM (SELECT fid, ST_XMin(geom::box3d) AS lon, ST_YMin(geom::box3d) AS lat FROM ` + work + ` WHERE geom IS NOT NULL) AS p) AS c
			GROUP BY cx, cy`},
	}
	for z := top; z > 0; z-- {
		shift := strconv.Itoa(bits.TrailingZeros64(uint64(worldCells(z) / worldCells(z-1))))
		steps = append(steps, struct{ what, sql string }{"point clusters", `INSERT INTO ` + ct + ` (z, cx, cy, n, fid, lon, lat)
			SELECT ` + strconv.Itoa(int(z-1)) + `, cx >> ` + shift + `, cy >> ` + shift + `, sum(n), min(fid), sum(lon * n) / sum(n), sum(lat * n) / sum(n)
			FROM ` + ct + ` WHERE z = ` + strconv.Itoa(int(z)) + ` GROUP BY cx >> ` + shift + `, cy >> ` + shift})
	}
	return steps
}

// ClusterTileFeatures reads the clusters of tile t (store.PointClusterer).
func (sn *snapshot) ClusterTileFeatures(ctx context.Context, d store.Dataset, t maptile.Tile, cols []string, each func(*store.Feature, int64) error) error {
	if t.Z > store.ClusterMaxZoom {
		return fmt.Errorf("dataset %s: %w at zoom %d (up to %d)", d.ID, store.ErrNoClusters, t.Z, store.ClusterMaxZoom)
	}
	relid, err := sn.relid(ctx, d.ID)
	if err != nil {
		return err
	}
	ct := qualified(sn.s.internal, clusterTable(relid))
	var exists bool
	if err := sn.tx.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, ct).Scan(&exists); err != nil {
		return fmt.Errorf("dataset %s: clusters: %w", d.ID, err)
	}
	if !exists {
		return fmt.Errorf("dataset %s: %w", d.ID, store.ErrNoClusters)
	}
	fields, err := store.TileFields(d, cols)
	if err != nil {
		return err
	}
	k := int64(store.ClusterCells(t.Z))
	x0, y0 := int64(t.X)*k, int64(t.Y)*k
	// The tile's columns of cells one by one (= ANY: one descent of the key per column) rather than a range
	// of cx, which reads every cell of those columns over the whole map's height.
	columns := make([]int64, k)
	for i := range columns {
		columns[i] = x0 + int64(i)
	}
	args := []any{int(t.Z), columns, y0, y0 + k - 1}
	// The count rides as one more integer column after the fields; a cluster of several points has no values
	// (the join finds no row for it).
	counted := append(append([]store.Field(nil), fields...), store.Field{Type: store.FieldInteger})
	cells := 0
	err = sn.read(ctx, d, func(table string) (string, []any) {
		return `SELECT c.fid, CASE WHEN c.n = 1 THEN ST_AsBinary(t.geom) ELSE ST_AsBinary(ST_MakePoint(c.lon, c.lat)) END` +
			columnList(fields, "t.") + `, c.n FROM ` + ct + ` AS c LEFT JOIN ` + table + ` AS t ON t.fid = c.fid AND c.n = 1
			WHERE c.z = $1::integer AND c.cx = ANY($2::bigint[]) AND c.cy BETWEEN $3::bigint AND $4::bigint ORDER BY c.fid`, args
	}, func(rows pgx.Rows) error {
		return scanFeatures(d.ID, rows, counted, false, func(f *store.Feature) error {
			all := f.Values[:len(counted)] // the callback before this one saw the fields only
			count, _ := all[len(fields)].(int64)
			f.Values = all[:len(fields)]
			cells++
			return each(f, count)
		})
	})
	if err != nil || cells > 0 {
		return err
	}
	// No point here, or none clustered at this zoom: a layer imported when clusters stopped at a coarser zoom
	// has no cells at the deeper ones, and its points are read from their rows instead.
	var clustered bool
	if err := sn.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+ct+` WHERE z = $1::integer)`, int(t.Z)).Scan(&clustered); err != nil {
		return fmt.Errorf("dataset %s: clusters: %w", d.ID, err)
	}
	if !clustered {
		return fmt.Errorf("dataset %s: %w at zoom %d", d.ID, store.ErrNoClusters, t.Z)
	}
	return nil
}
