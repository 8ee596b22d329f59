package postgis

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/patrimap/patrimap/store"
)

var _ store.SquareCeller = (*snapshot)(nil)

// A polygon layer's version keeps, beside its pyramid, its square cells (store.SquareCeller, as SpatiaLite's):
// for each zoom of the pyramid, the sites too small to draw grouped by cell (squares__<relid>: zoom, cell, how
// many sites, the lowest fid), and each site's first drawable zoom (drawable__<relid>), so that a tile reads
// the pyramid of the sites it draws, not of the others. Both are written in the import's transaction, from
// the pyramid just written, and dropped with their version.

func squareCellTable(relid uint32) string { return "squares__" + strconv.FormatUint(uint64(relid), 10) }

func drawableTable(relid uint32) string { return "drawable__" + strconv.FormatUint(uint64(relid), 10) }

// writeSquareCells builds the square cells of the new version of a polygon layer from its pyramid, a batch
// of sites at a time (memory bounded by the batch).
func (im *importer) writeSquareCells(ctx context.Context, layerType string) error {
	if !store.SquareCellLayer(layerType) {
		return nil
	}
	pt, st, dt := qualified(im.s.internal, pyramidTable(im.relid)), qualified(im.s.internal, squareCellTable(im.relid)), qualified(im.s.internal, drawableTable(im.relid))
	for _, stmt := range []string{
		`CREATE TEMP TABLE patrimap_square_staging (z integer, cx bigint, cy bigint, fid bigint) ON COMMIT DROP`,
		`CREATE TABLE ` + dt + ` (fid bigint PRIMARY KEY, z integer NOT NULL)`,
	} {
		if _, err := im.tx.Exec(ctx, stmt); err != nil {
			return err
		}
	}
	for after := int64(-1 << 63); ; {
		var (
			zs          []int32
			cxs, cys    []int64
			fids, sites []int64
			drawAt      []int32
		)
		rows, err := im.tx.Query(ctx, `SELECT fid, zooms FROM `+pt+` WHERE fid > $1 ORDER BY fid LIMIT 256`, after)
		if err != nil {
			return err
		}
		for rows.Next() {
			var (
				fid   int64
				zooms []byte
			)
			if err := rows.Scan(&fid, &zooms); err != nil {
				rows.Close()
				return err
			}
			first := int32(store.PyramidMaxZoom + 1)
			for z := 0; z <= store.PyramidMaxZoom; z++ {
				g, err := store.PyramidZoom(zooms, z)
				if err != nil {
					rows.Close()
					return fmt.Errorf("fid %d: %w", fid, err)
				}
				cx, cy, tiny := store.PyramidSquareCell(g, z)
				if !tiny {
					first = min(first, int32(z))
					continue
				}
				zs, cxs, cys, fids = append(zs, int32(z)), append(cxs, cx), append(cys, cy), append(fids, fid)
			}
			sites, drawAt, after = append(sites, fid), append(drawAt, first), fid
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(sites) == 0 {
			break
		}
		if _, err := im.tx.Exec(ctx, `INSERT INTO pg_temp.patrimap_square_staging SELECT * FROM unnest($1::integer[], $2::bigint[], $3::bigint[], $4::bigint[])`, zs, cxs, cys, fids); err != nil {
			return err
		}
		if _, err := im.tx.Exec(ctx, `INSERT INTO `+dt+` SELECT * FROM unnest($1::bigint[], $2::integer[])`, sites, drawAt); err != nil {
			return err
		}
	}
	for _, stmt := range []string{
		`CREATE TABLE ` + st + ` (z integer NOT NULL, cx bigint NOT NULL, cy bigint NOT NULL, n bigint NOT NULL, fid bigint NOT NULL, PRIMARY KEY (z, cx, cy))`,
		`INSERT INTO ` + st + ` SELECT z, cx, cy, count(*), min(fid) FROM pg_temp.patrimap_square_staging GROUP BY z, cx, cy`,
		`DROP TABLE pg_temp.patrimap_square_staging`,
		`ANALYZE ` + dt,
	} {
		if _, err := im.tx.Exec(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}

// SquareTileFeatures reads the drawable sites and the square cells of tile t (store.SquareCeller).
func (sn *snapshot) SquareTileFeatures(ctx context.Context, d store.Dataset, t maptile.Tile, bbox orb.Bound, cols []string, each func(*store.Feature, int64) error) error {
	z := int(t.Z)
	if z > store.PyramidMaxZoom || !store.SquareCellLayer(d.GeometryType) {
		return fmt.Errorf("dataset %s: %w at zoom %d", d.ID, store.ErrNoSquareCells, z)
	}
	relid, err := sn.relid(ctx, d.ID)
	if err != nil {
		return err
	}
	st, dt, pt := qualified(sn.s.internal, squareCellTable(relid)), qualified(sn.s.internal, drawableTable(relid)), qualified(sn.s.internal, pyramidTable(relid))
	var exists bool
	if err := sn.tx.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, st).Scan(&exists); err != nil {
		return fmt.Errorf("dataset %s: square cells: %w", d.ID, err)
	}
	if !exists {
		return fmt.Errorf("dataset %s: %w", d.ID, store.ErrNoSquareCells)
	}
	fields, err := store.TileFields(d, cols)
	if err != nil {
		return err
	}
	decode := func(b []byte) (orb.Geometry, error) { return store.PyramidZoom(b, z) }
	// The cells first (a few thousand a tile at most), with their first site's row and the count as one more
	// integer column; then the drawable sites, merged in between them in fid order.
	x0, y0, x1, y1 := store.SquareCellsOf(t)
	columns := make([]int64, 0, x1-x0+1)
	for cx := x0; cx <= x1; cx++ {
		columns = append(columns, cx)
	}
	counted := append(append([]store.Field(nil), fields...), store.Field{Type: store.FieldInteger})
	var cells []store.SquareCell
	err = sn.read(ctx, d, func(table string) (string, []any) {
		return `SELECT c.fid, l.zooms` + columnList(fields, "t.") + `, c.n FROM ` + st + ` AS c JOIN ` + table + ` AS t ON t.fid = c.fid
			JOIN ` + pt + ` AS l ON l.fid = c.fid
			WHERE c.z = $1::integer AND c.cx = ANY($2::bigint[]) AND c.cy BETWEEN $3::bigint AND $4::bigint ORDER BY c.fid`, []any{z, columns, y0, y1}
	}, func(rows pgx.Rows) error {
		cells = cells[:0]
		return scanDecoded(d.ID, rows, counted, false, decode, func(f *store.Feature) error {
			n, _ := f.Values[len(fields)].(int64)
			cells = append(cells, store.SquareCell{Count: n, Site: store.Feature{FID: f.FID, Geometry: f.Geometry, Values: append([]any(nil), f.Values[:len(fields)]...)}})
			return nil
		})
	})
	if err != nil {
		return err
	}
	row, done := store.MergeSquareCells(cells, z, each)
	const env = `ST_MakeEnvelope($1::float8, $2::float8, $3::float8, $4::float8, 4326)`
	err = sn.read(ctx, d, func(table string) (string, []any) {
		return `SELECT t.fid, l.zooms` + columnList(fields, "t.") + ` FROM ` + table + ` AS t
			JOIN ` + dt + ` AS dz ON dz.fid = t.fid AND dz.z <= $5::integer
			JOIN ` + pt + ` AS l ON l.fid = t.fid
			WHERE t.geom && ` + env + ` ORDER BY t.fid`, []any{bbox.Min[0], bbox.Min[1], bbox.Max[0], bbox.Max[1], z}
	}, func(rows pgx.Rows) error {
		return scanDecoded(d.ID, rows, fields, false, decode, row)
	})
	if err != nil {
		return err
	}
	return done()
}
