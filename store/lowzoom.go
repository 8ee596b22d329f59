package store

import (
	"context"
	"database/sql"
	"runtime"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/paulmach/orb/simplify"
)

// A dataset of polygons or lines keeps, beside its table, a simplified copy of its geometries for the vector
// tiles of low zooms: a z5 tile of the national biotope orders would otherwise read and simplify 250,000
// vertices. The copy is made at import, in the import's transaction (so it always matches the version
// served), in a table GDAL and QGIS do not list (patrimap_*, without a registered geometry column).

// LowZoomTolerance is the simplification of the copy, in degrees: 0.0003° (about 25 m) is under one tile unit
// up to zoom 8 (360° / 2⁸ / 4096 = 0.00034°), so tiles up to z8 drawn from it look the same.
const LowZoomTolerance = 0.0003

// LowZoomMax is the highest zoom whose tiles read the simplified copy: up to z7 its error is under half a tile
// unit. At z8 the copy's braided rivers (one APB site of 25 parts touching each other) fold onto each other on
// the grid beyond what GEOS repairs, and the tile could only keep one part valid: z8 reads full geometries.
const LowZoomMax = 7

func lowZoomTable(table string) string { return "patrimap_lowzoom_" + table }

// buildLowZoom writes the simplified copy of the import's polygons and lines: Douglas-Peucker at
// LowZoomTolerance, in Go, on every core, a batch of rows at a time (a GEOS simplification in SQL took longer
// than the rest of an import). The tile encoder checks every polygon it draws and repairs what simplification
// or its own clipping breaks; a geometry that would collapse keeps its full form.
func (im *Import) buildLowZoom(ctx context.Context, layerType string) error {
	lz := quoteIdent(lowZoomTable(im.table))
	if _, err := im.tx.ExecContext(ctx, `DROP TABLE IF EXISTS `+lz); err != nil {
		return err
	}
	switch layerType {
	case "MULTIPOLYGON", "POLYGON", "MULTILINESTRING", "LINESTRING", "GEOMETRY":
	default:
		return nil
	}
	if _, err := im.tx.ExecContext(ctx, `CREATE TABLE `+lz+` (fid INTEGER PRIMARY KEY, wkb BLOB NOT NULL)`); err != nil {
		return err
	}
	insert, err := im.tx.PrepareContext(ctx, `INSERT INTO `+lz+` (fid, wkb) VALUES (?, ?)`)
	if err != nil {
		return err
	}
	defer insert.Close()
	type row struct {
		fid int64
		wkb []byte
	}
	after := int64(0)
	for {
		var batch []row
		rows, err := im.tx.QueryContext(ctx, `SELECT fid, AsBinary(geom) FROM `+quoteIdent(im.table)+`
			WHERE fid > ? AND geom IS NOT NULL AND GeometryType(geom) NOT LIKE '%POINT%' ORDER BY fid LIMIT 512`, after)
		if err != nil {
			return err
		}
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.fid, &r.wkb); err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		after = batch[len(batch)-1].fid
		parallel(len(batch), func(i int) {
			g, err := wkb.Unmarshal(batch[i].wkb)
			if err != nil {
				return // kept as it is
			}
			s := simplify.DouglasPeucker(LowZoomTolerance).Simplify(g) // g is this row's own copy
			if s == nil || isEmptyGeometry(s) {
				return
			}
			if b, err := wkb.Marshal(s); err == nil {
				batch[i].wkb = b
			}
		})
		for _, r := range batch {
			if _, err := insert.ExecContext(ctx, r.fid, r.wkb); err != nil {
				return err
			}
		}
	}
}

// parallel calls fn(0..n-1) on every core.
func parallel(n int, fn func(int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

// isEmptyGeometry is true when simplification left nothing drawable (a ring or line under 2 points).
func isEmptyGeometry(g orb.Geometry) bool {
	switch g := g.(type) {
	case orb.Polygon:
		return len(g) == 0 || len(g[0]) < 4
	case orb.MultiPolygon:
		for _, p := range g {
			if len(p) > 0 && len(p[0]) >= 4 {
				return false
			}
		}
		return true
	case orb.LineString:
		return len(g) < 2
	case orb.MultiLineString:
		for _, l := range g {
			if len(l) >= 2 {
				return false
			}
		}
		return true
	}
	return false
}

// hasLowZoom tells whether d has a simplified copy (datasets imported before it existed have none).
func (sn *Snapshot) hasLowZoom(ctx context.Context, d Dataset) bool {
	var n int
	err := sn.tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, lowZoomTable(d.Table)).Scan(&n)
	return err == nil && n == 1
}

func dropLowZoom(ctx context.Context, tx *sql.Tx, table string) error {
	_, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS `+quoteIdent(lowZoomTable(table)))
	return err
}
