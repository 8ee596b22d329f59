package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/paulmach/orb"
)

// TileFeatures streams the features of d whose bounding box intersects bbox (WGS84) to each, in fid order,
// reading only the geometry and the named columns (Feature.Values aligned with cols; unknown names are an
// ErrBadQuery). It is the vector-tile query: candidates come from the R*Tree index alone, without the exact
// ST_Intersects test of Features, because the tile encoder clips every geometry to its tile anyway and a
// feature whose box touches the tile but not its shape simply clips to nothing. The Feature passed to each is
// reused between calls.
func (sn *Snapshot) TileFeatures(ctx context.Context, d Dataset, bbox orb.Bound, cols []string, each func(*Feature) error) error {
	return sn.tileFeatures(ctx, d, bbox, 0, 0, false, cols, each)
}

// LowZoomTileFeatures is TileFeatures with the geometries of the simplified copy made at import (see
// LowZoomTolerance), for tiles up to LowZoomMax; datasets without a copy give their full geometries.
func (sn *Snapshot) LowZoomTileFeatures(ctx context.Context, d Dataset, bbox orb.Bound, cols []string, each func(*Feature) error) error {
	return sn.tileFeatures(ctx, d, bbox, 0, 0, sn.hasLowZoom(ctx, d), cols, each)
}

// ThinTileFeatures is TileFeatures for a dense point layer at low zoom: the index gives one feature (the
// lowest fid) per cell of a grid of cellX × cellY degrees over the box, so that a tile of a département does
// not read 40,000 rows to draw a few thousand markers.
func (sn *Snapshot) ThinTileFeatures(ctx context.Context, d Dataset, bbox orb.Bound, cellX, cellY float64, cols []string, each func(*Feature) error) error {
	return sn.tileFeatures(ctx, d, bbox, cellX, cellY, false, cols, each)
}

func (sn *Snapshot) tileFeatures(ctx context.Context, d Dataset, bbox orb.Bound, cellX, cellY float64, lowZoom bool, cols []string, each func(*Feature) error) error {
	if d.GeometryType == "" {
		return nil
	}
	// The columns in the caller's order (selectFields gives the dataset's), so that Values line up with cols.
	fields := make([]Field, len(cols))
	for i, name := range cols {
		f, ok := d.Field(name)
		if !ok {
			return fmt.Errorf("%w: dataset %s has no property %q (properties: %s)", ErrBadQuery, d.ID, name, fieldNames(d))
		}
		fields[i] = f
	}
	var b strings.Builder
	if lowZoom {
		b.WriteString(`SELECT t.fid, coalesce(l.wkb, AsBinary(t.geom))`)
	} else {
		b.WriteString(`SELECT t.fid, AsBinary(t.geom)`)
	}
	for _, f := range fields {
		b.WriteString(", ")
		switch f.Type {
		case FieldDate, FieldDateTime:
			b.WriteString("CAST(t." + quoteIdent(f.Name) + " AS TEXT)")
		default:
			b.WriteString("t." + quoteIdent(f.Name))
		}
	}
	args := []any{bbox.Max[0], bbox.Min[0], bbox.Max[1], bbox.Min[1]}
	if cellX > 0 && cellY > 0 {
		b.WriteString(` FROM ` + quoteIdent(d.Table) + ` AS t WHERE t.fid IN (SELECT min(pkid) FROM ` +
			quoteIdent("idx_"+d.Table+"_geom") + ` WHERE xmin <= ? AND xmax >= ? AND ymin <= ? AND ymax >= ?
			GROUP BY CAST((xmin - ?) / ? AS INTEGER), CAST((ymin - ?) / ? AS INTEGER)) ORDER BY t.fid`)
		args = append(args, bbox.Min[0], cellX, bbox.Min[1], cellY)
	} else {
		b.WriteString(` FROM ` + quoteIdent("idx_"+d.Table+"_geom") + ` AS i JOIN ` + quoteIdent(d.Table) + ` AS t ON t.fid = i.pkid`)
		if lowZoom {
			b.WriteString(` LEFT JOIN ` + quoteIdent(lowZoomTable(d.Table)) + ` AS l ON l.fid = t.fid`)
		}
		b.WriteString(` WHERE i.xmin <= ? AND i.xmax >= ? AND i.ymin <= ? AND i.ymax >= ? ORDER BY t.fid`)
	}
	rows, err := sn.tx.QueryContext(ctx, b.String(), args...)
	if err != nil {
		return fmt.Errorf("dataset %s: tile query: %w", d.ID, err)
	}
	defer rows.Close()
	return scanFeatures(d.ID, rows, len(fields), true, false, each)
}
