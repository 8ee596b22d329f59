package sqlitefile

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/patrimap/patrimap/store"
)

const (
	gpkgTimeLayout = "2006-01-02T15:04:05.000Z"
	wgs84          = 4326
)

// WriteGeoPackage writes the dataset d, with the features stream gives, into an OGC GeoPackage 1.3 at path,
// with plain SQLite:
//   - gpkg_spatial_ref_sys with the three rows the specification requires and WGS84 (EPSG:4326);
//   - the features table under d.Table, with d's columns typed as GDAL reads them (JSON as TEXT with the
//     application/json MIME type in gpkg_data_columns), date-times in the GeoPackage form (UTC when they have
//     a time zone), geometries as GeoPackage binary, registered in gpkg_contents with d's title, description
//     and bounding box and in gpkg_geometry_columns;
//   - the gpkg_rtree_index spatial index, filled once the rows are written, with the triggers of the
//     specification that keep it current when the file is edited;
//   - the catalogue entry twice: the attributes table MetadataTableName(d) and, for GDAL and QGIS, a GDAL
//     metadata document in gpkg_metadata referenced to the features table (the gpkg_metadata extension).
//
// The stream must be of one consistent version of d (a read snapshot's), since d's count and bounding box go
// into the file with its rows.
func WriteGeoPackage(ctx context.Context, path string, d store.Dataset, stream Stream) error {
	if d.GeometryType != "" && !gpkgGeometryTypes[d.GeometryType] {
		// It goes into the table's definition as a declared type: only the names GeoPackage knows.
		return fmt.Errorf("write %s: geometry type %q is not a GeoPackage geometry type", path, d.GeometryType)
	}
	return build(ctx, path, nil, func(ctx context.Context, conn *sql.Conn) error {
		return writeGeoPackage(ctx, conn, d, stream)
	})
}

// gpkgGeometryTypes are the geometry type names a catalogue entry may hold, which are also GeoPackage's.
var gpkgGeometryTypes = map[string]bool{"POINT": true, "LINESTRING": true, "POLYGON": true, "MULTIPOINT": true,
	"MULTILINESTRING": true, "MULTIPOLYGON": true, "GEOMETRYCOLLECTION": true, "GEOMETRY": true}

func writeGeoPackage(ctx context.Context, conn *sql.Conn, d store.Dataset, stream Stream) error {
	// GeoPackage identification (spec §1.1.1.1.1): application_id "GPKG", user_version 1.3.0.
	if err := execAll(ctx, conn, `PRAGMA application_id = 1196444487`, `PRAGMA user_version = 10300`, `BEGIN`); err != nil {
		return fmt.Errorf("initialise: %w", err)
	}
	if err := execAll(ctx, conn, gpkgSchema...); err != nil {
		return fmt.Errorf("create GeoPackage tables: %w", err)
	}
	t := table{name: d.Table, fidDecl: "fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL", intType: "INTEGER", jsonType: "TEXT"}
	if d.GeometryType != "" {
		t.geomDecl, t.geomExpr = ", geom "+d.GeometryType, "?"
	}
	if _, err := conn.ExecContext(ctx, t.create(d)); err != nil {
		return fmt.Errorf("create table: %w", err)
	}
	enc := newGPBEncoder()
	geometry := func(f *store.Feature) (any, error) {
		if f.Geometry == nil {
			return nil, nil
		}
		return enc.encode(f.Geometry, wgs84)
	}
	value := func(i int, v any) any {
		if s, ok := v.(string); ok && d.Fields[i].Type == store.FieldDateTime {
			return gpkgDateTime(s)
		}
		return v
	}
	if err := writeRows(ctx, conn, d, t, stream, geometry, value); err != nil {
		return fmt.Errorf("write features: %w", err)
	}
	if err := registerGeoPackageTable(ctx, conn, d); err != nil {
		return err
	}
	if d.GeometryType != "" {
		if err := gpkgSpatialIndex(ctx, conn, d.Table); err != nil {
			return fmt.Errorf("spatial index: %w", err)
		}
	}
	if err := gpkgMetadata(ctx, conn, d); err != nil {
		return fmt.Errorf("write metadata: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// registerGeoPackageTable describes the features table in gpkg_contents, gpkg_data_columns and
// gpkg_geometry_columns.
func registerGeoPackageTable(ctx context.Context, conn *sql.Conn, d store.Dataset) error {
	dataType := "attributes"
	var minX, minY, maxX, maxY, srsID any
	if d.GeometryType != "" {
		dataType, srsID = "features", wgs84
		if b := d.BBox; b != nil {
			minX, minY, maxX, maxY = b.Min[0], b.Min[1], b.Max[0], b.Max[1]
		}
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO gpkg_contents
		(table_name, data_type, identifier, description, last_change, min_x, min_y, max_x, max_y, srs_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.Table, dataType, d.Title, d.Description, d.ImportedAt.UTC().Format(gpkgTimeLayout), minX, minY, maxX, maxY, srsID); err != nil {
		return fmt.Errorf("register in gpkg_contents: %w", err)
	}
	for _, f := range d.Fields {
		mime := ""
		if f.Type == store.FieldJSON {
			mime = "application/json"
		}
		if mime == "" && f.Description == "" {
			continue
		}
		if _, err := conn.ExecContext(ctx, `INSERT INTO gpkg_data_columns (table_name, column_name, description, mime_type)
			VALUES (?, ?, nullif(?, ''), nullif(?, ''))`, d.Table, f.Name, f.Description, mime); err != nil {
			return fmt.Errorf("describe column %s: %w", f.Name, err)
		}
	}
	if d.GeometryType == "" {
		return nil
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, 0, 0)`,
		d.Table, d.GeometryType, wgs84); err != nil {
		return fmt.Errorf("register geometry column: %w", err)
	}
	return nil
}

// gpkgDateTime turns a stored date-time into the form GeoPackage asks for (YYYY-MM-DDTHH:MM:SS.SSSZ): in UTC
// when it has a time zone; without the Z (local time, as GDAL writes it) when it has none; as it was when it
// cannot be read.
func gpkgDateTime(s string) string {
	if len(s) > 10 && s[10] == ' ' {
		s = s[:10] + "T" + s[11:]
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Format(gpkgTimeLayout)
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("2006-01-02T15:04:05.000")
		}
	}
	return s
}

// gpkgSpatialIndex builds the gpkg_rtree_index extension for table.geom: the R*Tree filled from the envelopes
// of the rows written (in their GeoPackage binary headers), then the triggers of the specification (annex
// F.3) that keep it current when someone edits the file in QGIS or GDAL, which provide the ST_ functions they
// call. They are created last: plain SQLite has no ST_ functions to run them here.
func gpkgSpatialIndex(ctx context.Context, conn *sql.Conn, name string) error {
	rtree := quoteIdent("rtree_" + name + "_geom")
	t := quoteIdent(name)
	if _, err := conn.ExecContext(ctx, `CREATE VIRTUAL TABLE `+rtree+` USING rtree(id, minx, maxx, miny, maxy)`); err != nil {
		return fmt.Errorf("create R*Tree (is SQLite built with SQLITE_ENABLE_RTREE?): %w", err)
	}
	if err := fillRTree(ctx, conn, t, rtree); err != nil {
		return err
	}
	trig := func(suffix string) string { return quoteIdent("rtree_" + name + "_geom_" + suffix) }
	const insertEnvelope = `INSERT OR REPLACE INTO %[1]s VALUES (NEW.fid,
					ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom));`
	ins := fmt.Sprintf(insertEnvelope, rtree)
	if err := execAll(ctx, conn,
		`CREATE TRIGGER `+trig("insert")+` AFTER INSERT ON `+t+`
			WHEN (new.geom NOT NULL AND NOT ST_IsEmpty(NEW.geom))
			BEGIN
				`+ins+`
			END`,
		`CREATE TRIGGER `+trig("update1")+` AFTER UPDATE OF geom ON `+t+`
			WHEN OLD.fid = NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
			BEGIN
				`+ins+`
			END`,
		`CREATE TRIGGER `+trig("update2")+` AFTER UPDATE OF geom ON `+t+`
			WHEN OLD.fid = NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))
			BEGIN
				DELETE FROM `+rtree+` WHERE id = OLD.fid;
			END`,
		`CREATE TRIGGER `+trig("update3")+` AFTER UPDATE ON `+t+`
			WHEN OLD.fid != NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
			BEGIN
				DELETE FROM `+rtree+` WHERE id = OLD.fid;
				`+ins+`
			END`,
		`CREATE TRIGGER `+trig("update4")+` AFTER UPDATE ON `+t+`
			WHEN OLD.fid != NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))
			BEGIN
				DELETE FROM `+rtree+` WHERE id IN (OLD.fid, NEW.fid);
			END`,
		`CREATE TRIGGER `+trig("delete")+` AFTER DELETE ON `+t+`
			WHEN old.geom NOT NULL
			BEGIN
				DELETE FROM `+rtree+` WHERE id = OLD.fid;
			END`,
	); err != nil {
		return fmt.Errorf("create triggers: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO gpkg_extensions VALUES (?, 'geom', 'gpkg_rtree_index',
		'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')`, name); err != nil {
		return fmt.Errorf("register: %w", err)
	}
	return nil
}

// fillRTree reads the rows back and inserts their envelopes into the R*Tree, so that no envelope is held in
// memory whatever the size of the layer.
func fillRTree(ctx context.Context, conn *sql.Conn, t, rtree string) error {
	ins, err := conn.PrepareContext(ctx, `INSERT INTO `+rtree+` VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	rows, err := conn.QueryContext(ctx, `SELECT fid, geom FROM `+t+` WHERE geom IS NOT NULL ORDER BY fid`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		fid  int64
		blob sql.RawBytes
	)
	for rows.Next() {
		if err := rows.Scan(&fid, &blob); err != nil {
			return err
		}
		env, ok, err := gpbEnvelope(blob)
		if err != nil {
			return fmt.Errorf("feature %d: %w", fid, err)
		}
		if !ok {
			continue
		}
		// R*Tree stores 32-bit floats, rounding outwards: an envelope never shrinks.
		if _, err := ins.ExecContext(ctx, fid, env.Min[0], env.Max[0], env.Min[1], env.Max[1]); err != nil {
			return fmt.Errorf("feature %d: %w", fid, err)
		}
	}
	return rows.Err()
}

// gpkgMetadata writes the catalogue entry as the attributes table MetadataTableName(d) and as GDAL metadata of
// the features table (gpkg_metadata extension).
func gpkgMetadata(ctx context.Context, conn *sql.Conn, d store.Dataset) error {
	name := MetadataTableName(d)
	// AUTOINCREMENT NOT NULL: what the specification asks of every table it lists.
	if err := writeMetadataTable(ctx, conn, d, "fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL"); err != nil {
		return err
	}
	imported := d.ImportedAt.UTC().Format(gpkgTimeLayout)
	if _, err := conn.ExecContext(ctx, `INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change)
		VALUES (?, 'attributes', ?, ?, ?)`, name, name,
		"What the dataset "+d.ID+" is, who produced it and under which licence it may be used", imported); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO gpkg_metadata (id, md_scope, md_standard_uri, mime_type, metadata)
		VALUES (1, 'dataset', 'http://gdal.org', 'text/xml', ?)`, gdalMetadataXML(d)); err != nil {
		return err
	}
	_, err := conn.ExecContext(ctx, `INSERT INTO gpkg_metadata_reference (reference_scope, table_name, timestamp, md_file_id)
		VALUES ('table', ?, ?, 1)`, d.Table, imported)
	return err
}
