package postgis

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/patrimap/patrimap/store"
)

// TileFeatures streams the features of d whose bounding box intersects bbox (WGS84) to each, in fid order,
// reading only the geometry and the named columns. Candidates come from the GiST index alone (&&), without an
// exact test: the tile encoder clips every geometry to its tile anyway.
func (sn *snapshot) TileFeatures(ctx context.Context, d store.Dataset, bbox orb.Bound, cols []string, each func(*store.Feature) error) error {
	return sn.tileFeatures(ctx, d, bbox, 0, 0, -1, cols, each)
}

// PyramidTileFeatures is TileFeatures with the geometries of the pyramid made at import for zoom z; datasets
// imported before pyramids give store.ErrNoPyramid.
func (sn *snapshot) PyramidTileFeatures(ctx context.Context, d store.Dataset, z int, bbox orb.Bound, cols []string, each func(*store.Feature) error) error {
	if z < 0 || z > store.PyramidMaxZoom {
		return fmt.Errorf("dataset %s: no pyramid zoom %d (0 to %d)", d.ID, z, store.PyramidMaxZoom)
	}
	if ok, err := sn.hasPyramid(ctx, d); err != nil || !ok {
		if err == nil {
			err = store.ErrNoPyramid
		}
		return fmt.Errorf("dataset %s: %w", d.ID, err)
	}
	return sn.tileFeatures(ctx, d, bbox, 0, 0, z, cols, each)
}

// ThinTileFeatures is TileFeatures for a dense point layer at low zoom: one feature (the lowest fid) per grid
// cell, chosen from the index before any row is read.
func (sn *snapshot) ThinTileFeatures(ctx context.Context, d store.Dataset, bbox orb.Bound, cellX, cellY float64, cols []string, each func(*store.Feature) error) error {
	return sn.tileFeatures(ctx, d, bbox, cellX, cellY, -1, cols, each)
}

// tileFeatures reads the rows' geometries, or their pyramid's zoom pz when pz >= 0.
func (sn *snapshot) tileFeatures(ctx context.Context, d store.Dataset, bbox orb.Bound, cellX, cellY float64, pz int, cols []string, each func(*store.Feature) error) error {
	// The columns in the caller's order, so that Values line up with cols.
	fields, err := store.TileFields(d, cols)
	if err != nil || d.GeometryType == "" {
		return err
	}
	relid, err := sn.relid(ctx, d.ID)
	if err != nil {
		return err
	}
	args := []any{bbox.Min[0], bbox.Min[1], bbox.Max[0], bbox.Max[1]}
	const env = `ST_MakeEnvelope($1::float8, $2::float8, $3::float8, $4::float8, 4326)`
	thin := cellX > 0 && cellY > 0
	if thin {
		args = append(args, cellX, cellY)
	}
	colSQL := columnList(fields, "t.")
	return sn.read(ctx, d, func(table string) (string, []any) {
		switch {
		case thin:
			// A cell is placed by the lower-left corner of the feature's box, as SpatiaLite's R*Tree has it;
			// trunc() folds the cells left of or below bbox's corner into the first, as its CAST does.
			return `SELECT t.fid, ST_AsBinary(t.geom)` + colSQL + ` FROM ` + table + ` AS t WHERE t.fid IN (
				SELECT min(fid) FROM ` + table + ` WHERE geom && ` + env + `
				GROUP BY trunc((ST_XMin(geom) - $1::float8) / $5::float8), trunc((ST_YMin(geom) - $2::float8) / $6::float8))
				ORDER BY t.fid`, args
		case pz >= 0:
			// The row's pyramid, or its geometry when it has none (a point of a GEOMETRY layer): store.IsPyramid
			// tells them apart.
			return `SELECT t.fid, coalesce(l.zooms, ST_AsBinary(t.geom))` + colSQL + ` FROM ` + table + ` AS t
				LEFT JOIN ` + qualified(sn.s.internal, pyramidTable(relid)) + ` AS l ON l.fid = t.fid
				WHERE t.geom && ` + env + ` ORDER BY t.fid`, args
		}
		return `SELECT t.fid, ST_AsBinary(t.geom)` + colSQL + ` FROM ` + table + ` AS t
			WHERE t.geom && ` + env + ` ORDER BY t.fid`, args
	}, func(rows pgx.Rows) error {
		return scanDecoded(d.ID, rows, fields, false, func(b []byte) (orb.Geometry, error) {
			if pz >= 0 && store.IsPyramid(b) {
				return store.PyramidZoom(b, pz)
			}
			return wkb.Unmarshal(b)
		}, each)
	})
}

// pyramidTable is the table of the pyramid of the dataset version whose table has oid relid. It is named
// after that oid, which no import changes, so that a snapshot reads the pyramid of its version.
func pyramidTable(relid uint32) string { return "pyramid__" + strconv.FormatUint(uint64(relid), 10) }

// lowZoomTable is the table of the single simplified copy that imports made before pyramids (dropped with
// its version).
func lowZoomTable(relid uint32) string { return "lowzoom__" + strconv.FormatUint(uint64(relid), 10) }
