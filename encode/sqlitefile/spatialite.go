package sqlitefile

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"

	"github.com/paulmach/orb/encoding/wkb"

	"github.com/patrimap/patrimap/store"
)

// WriteSpatiaLite writes the dataset d, with the features stream gives, into a SpatiaLite database at path,
// with mod_spatialite loaded on the new file's connection only: d.Table with the same columns and declared
// types as in the store, the geometry registered in geometry_columns (SRID 4326) with its R*Tree spatial
// index, and the attributes table MetadataTableName(d). QGIS and GDAL's SQLite driver read it as one layer.
// The error wraps ErrNoSpatiaLite when mod_spatialite cannot be loaded.
//
// The stream must be of one consistent version of d (a read snapshot's).
func WriteSpatiaLite(ctx context.Context, path string, d store.Dataset, stream Stream) error {
	return build(ctx, path, []string{"mod_spatialite"}, func(ctx context.Context, conn *sql.Conn) error {
		return writeSpatiaLite(ctx, conn, d, stream)
	})
}

func writeSpatiaLite(ctx context.Context, conn *sql.Conn, d store.Dataset, stream Stream) error {
	// Only WGS84 in spatial_ref_sys: InitSpatialMetadata(1) alone would copy all 6,000 EPSG definitions (6 MB
	// in every download), InitSpatialMetadata(1, 'WGS84') the 128 UTM zones too (120 kB).
	if err := execAll(ctx, conn, `SELECT InitSpatialMetadata(1, 'NONE')`, `SELECT InsertEpsgSrid(4326)`, `BEGIN`); err != nil {
		return fmt.Errorf("initialise SpatiaLite metadata: %w", err)
	}
	t := table{name: d.Table, fidDecl: "fid INTEGER PRIMARY KEY", intType: "BIGINT", jsonType: "JSONTEXT"}
	if _, err := conn.ExecContext(ctx, t.create(d)); err != nil {
		return fmt.Errorf("create table: %w", err)
	}
	if d.GeometryType != "" {
		var ok int
		if err := conn.QueryRowContext(ctx, `SELECT AddGeometryColumn(?, 'geom', ?, ?, 'XY')`, d.Table, wgs84, d.GeometryType).Scan(&ok); err != nil || ok != 1 {
			return fmt.Errorf("register geometry column: geometry type %q: AddGeometryColumn returned %d: %v", d.GeometryType, ok, err)
		}
		t.geomExpr = "GeomFromWKB(?, 4326)"
	}
	var buf bytes.Buffer
	enc := wkb.NewEncoder(&buf)
	geometry := func(f *store.Feature) (any, error) {
		if f.Geometry == nil {
			return nil, nil
		}
		buf.Reset()
		err := enc.Encode(f.Geometry)
		return buf.Bytes(), err
	}
	if err := writeRows(ctx, conn, d, t, stream, geometry, func(_ int, v any) any { return v }); err != nil {
		return fmt.Errorf("write features: %w", err)
	}
	if d.GeometryType != "" {
		var ok int
		if err := conn.QueryRowContext(ctx, `SELECT CreateSpatialIndex(?, 'geom')`, d.Table).Scan(&ok); err != nil || ok != 1 {
			return fmt.Errorf("create spatial index: CreateSpatialIndex returned %d: %v", ok, err)
		}
	}
	if err := writeMetadataTable(ctx, conn, d, "fid INTEGER PRIMARY KEY"); err != nil {
		return fmt.Errorf("write metadata: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
