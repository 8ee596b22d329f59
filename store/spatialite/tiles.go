package spatialite

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/patrimap/patrimap/store"
)

// TileFeatures streams the features of d whose bounding box intersects bbox (WGS84) to each, in fid order,
// reading only the geometry and the named columns. Candidates come from the R*Tree index alone, without the
// exact ST_Intersects test of Features: the tile encoder clips every geometry to its tile anyway.
func (sn *snapshot) TileFeatures(ctx context.Context, d store.Dataset, bbox orb.Bound, cols []string, each func(*store.Feature) error) error {
	return sn.tileFeatures(ctx, d, bbox, 0, 0, -1, cols, each)
}

// PyramidTileFeatures is TileFeatures with the geometries of the pyramid made at import for zoom z;
// datasets imported before pyramids give store.ErrNoPyramid.
func (sn *snapshot) PyramidTileFeatures(ctx context.Context, d store.Dataset, z int, bbox orb.Bound, cols []string, each func(*store.Feature) error) error {
	if z < 0 || z > store.PyramidMaxZoom {
		return fmt.Errorf("dataset %s: no pyramid zoom %d (0 to %d)", d.ID, z, store.PyramidMaxZoom)
	}
	return sn.tileFeatures(ctx, d, bbox, 0, 0, z, cols, each)
}

// ThinTileFeatures is TileFeatures for a dense point layer at low zoom: the index alone gives one feature (the
// lowest fid) per grid cell, before any row is read.
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
	var b strings.Builder
	if pz >= 0 {
		// The row's zoom of the pyramid, or its geometry when it has none (a point of a GEOMETRY layer), and
		// its columns from the pyramid's copy of them (small rows, see pyramid.go).
		b.WriteString(`SELECT t.fid, coalesce(l.g, (SELECT AsBinary(r.geom) FROM ` + quoteIdent(d.Table) + ` AS r WHERE r.fid = t.fid))`)
	} else {
		// SpatiaLite's own blob, read in Go (decodeBlob): AsBinary cost three times the rest of the read.
		b.WriteString(`SELECT t.fid, t.geom`)
	}
	for _, f := range fields {
		b.WriteString(", " + columnExpr("t.", f))
	}
	args := []any{bbox.Max[0], bbox.Min[0], bbox.Max[1], bbox.Min[1]}
	if cellX > 0 && cellY > 0 {
		b.WriteString(` FROM ` + quoteIdent(d.Table) + ` AS t WHERE t.fid IN (SELECT min(pkid) FROM ` +
			quoteIdent("idx_"+d.Table+"_geom") + ` WHERE xmin <= ? AND xmax >= ? AND ymin <= ? AND ymax >= ?
			GROUP BY CAST((xmin - ?) / ? AS INTEGER), CAST((ymin - ?) / ? AS INTEGER)) ORDER BY t.fid`)
		args = append(args, bbox.Min[0], cellX, bbox.Min[1], cellY)
	} else {
		// The fids come from the index as a list that SQLite sorts, and the rows are then read in fid order:
		// joining the index to the table instead would sort the rows themselves, geometries and all, in a
		// temporary b-tree (three times slower on the national biotope orders' z8–z10 tiles).
		if pz >= 0 {
			b.WriteString(` FROM ` + quoteIdent(pyramidValuesTable(d.Table)) + ` AS t LEFT JOIN ` + quoteIdent(pyramidTable(d.Table, pz)) + ` AS l ON l.fid = t.fid`)
		} else {
			b.WriteString(` FROM ` + quoteIdent(d.Table) + ` AS t`)
		}
		b.WriteString(` WHERE t.fid IN (SELECT pkid FROM ` + quoteIdent("idx_"+d.Table+"_geom") +
			` WHERE xmin <= ? AND xmax >= ? AND ymin <= ? AND ymax >= ?) ORDER BY t.fid`)
	}
	rows, err := sn.tx.QueryContext(ctx, b.String(), args...)
	if err != nil && pz >= 0 {
		return sn.noPyramid(ctx, d, "tile query", err)
	}
	if err != nil {
		return fmt.Errorf("dataset %s: tile query: %w", d.ID, err)
	}
	defer rows.Close()
	decode := wkb.Unmarshal
	if pz < 0 {
		decode = func(blob []byte) (orb.Geometry, error) { return sn.decodeBlob(ctx, blob) }
	}
	return scanFeatures(d.ID, rows, len(fields), decode, false, each)
}

// decodeBlob reads a geometry blob of SpatiaLite's, in Go when it is a plain one (all patrimap writes), with
// AsBinary otherwise (a compressed geometry written by another program).
func (sn *snapshot) decodeBlob(ctx context.Context, blob []byte) (orb.Geometry, error) {
	g, err := decodeBlob(blob)
	if !errors.Is(err, errBlobNotPlain) {
		return g, err
	}
	var w []byte
	if err := sn.tx.QueryRowContext(ctx, `SELECT AsBinary(?)`, blob).Scan(&w); err != nil {
		return nil, err
	}
	if w == nil {
		return nil, fmt.Errorf("not a SpatiaLite geometry")
	}
	return wkb.Unmarshal(w)
}
