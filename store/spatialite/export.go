package spatialite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/patrimap/patrimap/store"
)

// MetadataTable is the table, in exported files, that says what the dataset is and under which licence it may
// be used, one key and value per row (id, title, producer, licence, attribution, source_url, version, …), so
// that the licence travels with the file.
const MetadataTable = "dataset_metadata"

// ExportSpatiaLite writes the dataset d, as version d.Version, into a standalone SpatiaLite database at path:
// its table under the same name with the same columns and declared types, the geometry registered in
// geometry_columns (SRID 4326) with its R*Tree spatial index, and the table MetadataTable. QGIS and GDAL's
// SQLite driver read it as one layer.
//
// The file is built beside path under a temporary name and renamed over path only when complete, so that no
// half-written file is ever left at path. The rows are read in one transaction from the store file: an import
// committing meanwhile is not seen. An error wraps store.ErrNotFound when d is not (or no longer) in the catalogue and
// store.ErrVersionChanged when another version has replaced d.Version.
func (s *Store) ExportSpatiaLite(ctx context.Context, d store.Dataset, path string) error {
	return s.export(ctx, d, path, exportSpatiaLite, exportHooks{})
}

// ExportGeoPackage writes the dataset d, as version d.Version, into a standalone OGC GeoPackage 1.3 at path:
// its table under the same name, with the same columns (JSON as TEXT with the application/json MIME type in
// gpkg_data_columns, where GDAL finds it), geometries as GeoPackage binary (WGS84, EPSG:4326), an R*Tree
// spatial index (the gpkg_rtree_index extension), the dataset's title and description in gpkg_contents, and
// the table MetadataTable registered as attributes.
//
// Like ExportSpatiaLite, it writes under a temporary name and renames on success, reads one consistent version,
// and wraps store.ErrNotFound or store.ErrVersionChanged.
func (s *Store) ExportGeoPackage(ctx context.Context, d store.Dataset, path string) error {
	return s.export(ctx, d, path, exportGeoPackage, exportHooks{})
}

type exportFormat int

const (
	exportSpatiaLite exportFormat = iota
	exportGeoPackage
)

// exportHooks lets tests act at a precise moment of an export.
type exportHooks struct {
	// afterRead runs once the catalogue entry has been read in the export's transaction, before any row is.
	afterRead func() error
}

func (s *Store) export(ctx context.Context, d store.Dataset, path string, format exportFormat, hooks exportHooks) (err error) {
	fail := func(step string, e error) error { return fmt.Errorf("export %s to %s: %s: %w", d.ID, path, step, e) }
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fail("create temporary file", err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	defer func() {
		if err != nil {
			os.Remove(tmpName)
			os.Remove(tmpName + "-journal")
		}
	}()

	// A connection of its own to the new file, with mod_spatialite for its geometry functions; the store is
	// attached to it read-only, so that one transaction reads the store and writes the file.
	db := sql.OpenDB(connector{dsn: exportDSN(tmpName), drv: &sqlite3.SQLiteDriver{Extensions: []string{"mod_spatialite"}}})
	defer db.Close()
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		return fail("open", err)
	}
	defer conn.Close()

	var prepare []string
	switch format {
	case exportSpatiaLite:
		// Its own transaction, so before ours. Only WGS84 in spatial_ref_sys: InitSpatialMetadata(1) alone would
		// copy all 6,000 EPSG definitions, 6 MB in every download.
		prepare = []string{`SELECT InitSpatialMetadata(1, 'NONE')`, `SELECT InsertEpsgSrid(4326)`}
	case exportGeoPackage:
		prepare = []string{
			`PRAGMA application_id = 1196444487`, // "GPKG"
			`PRAGMA user_version = 10300`,        // GeoPackage 1.3.0
		}
	}
	for _, stmt := range prepare {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fail("initialise", err)
		}
	}
	if _, err := conn.ExecContext(ctx, `ATTACH DATABASE ? AS src`, readOnlyURI(s.path)); err != nil {
		return fail("attach the store", err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fail("begin", err)
	}
	defer tx.Rollback()

	// The first read of src starts the snapshot that every later statement of the transaction sees.
	cur, err := readDataset(tx.QueryRowContext(ctx, `SELECT `+datasetColumns+` FROM src.`+catalogueTable+` WHERE id = ?`, d.ID), d.ID)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("export %s: %w", d.ID, err)
	}
	if err != nil {
		return fail("read catalogue", err)
	}
	if cur.Version != d.Version {
		return fmt.Errorf("export %s: version %d asked for, version %d in the catalogue: %w", d.ID, d.Version, cur.Version, store.ErrVersionChanged)
	}
	if hooks.afterRead != nil {
		if err := hooks.afterRead(); err != nil {
			return fail("hook", err)
		}
	}
	switch format {
	case exportSpatiaLite:
		err = copySpatiaLite(ctx, tx, cur)
	case exportGeoPackage:
		err = copyGeoPackage(ctx, tx, cur)
	}
	if err != nil {
		return fail("copy", err)
	}
	if err := insertMetadata(ctx, tx, cur, format); err != nil {
		return fail("write metadata", err)
	}
	if err := tx.Commit(); err != nil {
		return fail("commit", err)
	}
	if _, err := conn.ExecContext(ctx, `DETACH DATABASE src`); err != nil {
		return fail("detach the store", err)
	}
	if err := errors.Join(conn.Close(), db.Close()); err != nil {
		return fail("close", err)
	}
	// CreateTemp made it private to us; a download is for anyone who may read the folder.
	if err := os.Chmod(tmpName, 0o644); err != nil {
		return fail("chmod", err)
	}
	if err := os.Rename(tmpName, path); err != nil {
		return fail("rename", err)
	}
	return nil
}

// exportDSN opens the new file with a rollback journal (not WAL): once closed, it is one self-contained file.
func exportDSN(path string) string {
	q := url.Values{}
	q.Set("_busy_timeout", "30000")
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// readOnlyURI names the store file for ATTACH: read-only, so that an export can never write to the store.
func readOnlyURI(path string) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?mode=ro"
}

func columnList(d store.Dataset, expr func(store.Field) string) string {
	var b strings.Builder
	for _, f := range d.Fields {
		b.WriteString(", ")
		b.WriteString(expr(f))
	}
	return b.String()
}

func copySpatiaLite(ctx context.Context, tx *sql.Tx, d store.Dataset) error {
	t := quoteIdent(d.Table)
	ddl := `CREATE TABLE main.` + t + ` (fid INTEGER PRIMARY KEY` +
		columnList(d, func(f store.Field) string { return quoteIdent(f.Name) + " " + sqlType(f.Type) }) + `)`
	if _, err := tx.ExecContext(ctx, ddl); err != nil {
		return fmt.Errorf("create table: %w", err)
	}
	names := columnList(d, func(f store.Field) string { return quoteIdent(f.Name) })
	geomCol := ""
	if d.GeometryType != "" {
		var ok int
		if err := tx.QueryRowContext(ctx, `SELECT AddGeometryColumn(?, 'geom', 4326, ?, 'XY')`, d.Table, d.GeometryType).Scan(&ok); err != nil || ok != 1 {
			return fmt.Errorf("register geometry column: AddGeometryColumn returned %d: %v", ok, err)
		}
		geomCol = ", geom"
	}
	copySQL := `INSERT INTO main.` + t + ` (fid` + geomCol + names + `) SELECT fid` + geomCol + names +
		` FROM src.` + t + ` ORDER BY fid`
	if _, err := tx.ExecContext(ctx, copySQL); err != nil {
		return fmt.Errorf("copy rows: %w", err)
	}
	if d.GeometryType != "" {
		var ok int
		if err := tx.QueryRowContext(ctx, `SELECT CreateSpatialIndex(?, 'geom')`, d.Table).Scan(&ok); err != nil || ok != 1 {
			return fmt.Errorf("create spatial index: CreateSpatialIndex returned %d: %v", ok, err)
		}
	}
	return nil
}

// gpkgSchema is the part of the GeoPackage 1.3 schema an exported vector layer needs (spec, annex C).
var gpkgSchema = []string{
	`CREATE TABLE gpkg_spatial_ref_sys (
		srs_name TEXT NOT NULL,
		srs_id INTEGER PRIMARY KEY,
		organization TEXT NOT NULL,
		organization_coordsys_id INTEGER NOT NULL,
		definition TEXT NOT NULL,
		description TEXT)`,
	`CREATE TABLE gpkg_contents (
		table_name TEXT NOT NULL PRIMARY KEY,
		data_type TEXT NOT NULL,
		identifier TEXT UNIQUE,
		description TEXT DEFAULT '',
		last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
		min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
		srs_id INTEGER,
		CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))`,
	`CREATE TABLE gpkg_geometry_columns (
		table_name TEXT NOT NULL,
		column_name TEXT NOT NULL,
		geometry_type_name TEXT NOT NULL,
		srs_id INTEGER NOT NULL,
		z TINYINT NOT NULL,
		m TINYINT NOT NULL,
		CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
		CONSTRAINT uk_gc_table_name UNIQUE (table_name),
		CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
		CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))`,
	`CREATE TABLE gpkg_extensions (
		table_name TEXT,
		column_name TEXT,
		extension_name TEXT NOT NULL,
		definition TEXT NOT NULL,
		scope TEXT NOT NULL,
		CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))`,
	`CREATE TABLE gpkg_data_columns (
		table_name TEXT NOT NULL,
		column_name TEXT NOT NULL,
		name TEXT,
		title TEXT,
		description TEXT,
		mime_type TEXT,
		constraint_name TEXT,
		CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name),
		CONSTRAINT gdc_tn UNIQUE (table_name, name))`,
	`CREATE TABLE gpkg_data_column_constraints (
		constraint_name TEXT NOT NULL,
		constraint_type TEXT NOT NULL,
		value TEXT,
		min NUMERIC,
		min_is_inclusive BOOLEAN,
		max NUMERIC,
		max_is_inclusive BOOLEAN,
		description TEXT,
		CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value))`,
	`INSERT INTO gpkg_extensions VALUES
		('gpkg_data_columns', NULL, 'gpkg_schema', 'http://www.geopackage.org/spec/#extension_schema', 'read-write'),
		('gpkg_data_column_constraints', NULL, 'gpkg_schema', 'http://www.geopackage.org/spec/#extension_schema', 'read-write')`,
	// The three rows the specification requires; WGS84 as GDAL writes it (EPSG's WKT with the EPSG axis order).
	`INSERT INTO gpkg_spatial_ref_sys VALUES
		('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
		('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
		('WGS 84 geodetic', 4326, 'EPSG', 4326, 'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]', 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid')`,
}

// gpkgType is the GeoPackage column type of a field (spec, table 1): JSON is TEXT, its MIME type says the rest.
func gpkgType(t store.FieldType) string {
	if t == store.FieldJSON {
		return "TEXT"
	}
	return sqlType(t)
}

// gpkgDateTime turns a stored date-time into the form GeoPackage asks for (YYYY-MM-DDTHH:MM:SS.SSSZ): in UTC
// when it has a time zone; without the Z (local time, as GDAL writes it) when it has none; as it was when
// SQLite cannot read it.
func gpkgDateTime(col string) string {
	return `coalesce(CASE WHEN ` + col + ` GLOB '*[Zz]' OR ` + col + ` GLOB '*[+-][0-9][0-9]:[0-9][0-9]'
		THEN strftime('%Y-%m-%dT%H:%M:%fZ', ` + col + `) ELSE strftime('%Y-%m-%dT%H:%M:%f', ` + col + `) END, ` + col + `)`
}

const gpkgTime = "2006-01-02T15:04:05.000Z"

// gpkgGeometryTypes are the geometry type names a catalogue entry may hold, which are also GeoPackage's.
var gpkgGeometryTypes = map[string]bool{"POINT": true, "LINESTRING": true, "POLYGON": true, "MULTIPOINT": true,
	"MULTILINESTRING": true, "MULTIPOLYGON": true, "GEOMETRYCOLLECTION": true, "GEOMETRY": true}

func copyGeoPackage(ctx context.Context, tx *sql.Tx, d store.Dataset) error {
	if d.GeometryType != "" && !gpkgGeometryTypes[d.GeometryType] {
		// It goes into the table's definition as a declared type: only the names GeoPackage knows.
		return fmt.Errorf("geometry type %q is not a GeoPackage geometry type", d.GeometryType)
	}
	for _, stmt := range gpkgSchema {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("create GeoPackage tables: %w", err)
		}
	}
	t := quoteIdent(d.Table)
	geomDecl, geomCol, geomExpr := "", "", ""
	if d.GeometryType != "" {
		geomDecl, geomCol, geomExpr = ", geom "+d.GeometryType, ", geom", ", AsGPB(geom)"
	}
	ddl := `CREATE TABLE main.` + t + ` (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL` + geomDecl +
		columnList(d, func(f store.Field) string { return quoteIdent(f.Name) + " " + gpkgType(f.Type) }) + `)`
	if _, err := tx.ExecContext(ctx, ddl); err != nil {
		return fmt.Errorf("create table: %w", err)
	}
	names := columnList(d, func(f store.Field) string { return quoteIdent(f.Name) })
	exprs := columnList(d, func(f store.Field) string {
		if f.Type == store.FieldDateTime {
			return gpkgDateTime(quoteIdent(f.Name))
		}
		return quoteIdent(f.Name)
	})
	copySQL := `INSERT INTO main.` + t + ` (fid` + geomCol + names + `) SELECT fid` + geomExpr + exprs +
		` FROM src.` + t + ` ORDER BY fid`
	if _, err := tx.ExecContext(ctx, copySQL); err != nil {
		return fmt.Errorf("copy rows: %w", err)
	}

	dataType := "attributes"
	var minX, minY, maxX, maxY, srsID any
	if d.GeometryType != "" {
		dataType, srsID = "features", 4326
		if b := d.BBox; b != nil {
			minX, minY, maxX, maxY = b.Min[0], b.Min[1], b.Max[0], b.Max[1]
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO gpkg_contents
		(table_name, data_type, identifier, description, last_change, min_x, min_y, max_x, max_y, srs_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.Table, dataType, d.Title, d.Description, d.ImportedAt.UTC().Format(gpkgTime), minX, minY, maxX, maxY, srsID); err != nil {
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
		if _, err := tx.ExecContext(ctx, `INSERT INTO gpkg_data_columns (table_name, column_name, description, mime_type)
			VALUES (?, ?, nullif(?, ''), nullif(?, ''))`, d.Table, f.Name, f.Description, mime); err != nil {
			return fmt.Errorf("describe column %s: %w", f.Name, err)
		}
	}
	if d.GeometryType == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, 4326, 0, 0)`,
		d.Table, d.GeometryType); err != nil {
		return fmt.Errorf("register geometry column: %w", err)
	}
	return gpkgSpatialIndex(ctx, tx, d.Table)
}

// gpkgSpatialIndex builds the gpkg_rtree_index extension for table.geom: the R*Tree filled from the store's
// geometries, then the triggers of the specification (annex F.3) that keep it current when someone edits the
// file in QGIS or GDAL (which provide the ST_ functions they call).
func gpkgSpatialIndex(ctx context.Context, tx *sql.Tx, table string) error {
	rtree := quoteIdent("rtree_" + table + "_geom")
	t := quoteIdent(table)
	trig := func(suffix string) string { return quoteIdent("rtree_" + table + "_geom_" + suffix) }
	stmts := []string{
		`CREATE VIRTUAL TABLE main.` + rtree + ` USING rtree(id, minx, maxx, miny, maxy)`,
		`INSERT INTO main.` + rtree + ` SELECT fid, MbrMinX(geom), MbrMaxX(geom), MbrMinY(geom), MbrMaxY(geom)
			FROM src.` + t + ` WHERE geom IS NOT NULL`,
		`CREATE TRIGGER main.` + trig("insert") + ` AFTER INSERT ON ` + t + `
			WHEN (new.geom NOT NULL AND NOT ST_IsEmpty(NEW.geom))
			BEGIN
				INSERT OR REPLACE INTO ` + rtree + ` VALUES (NEW.fid,
					ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom));
			END`,
		`CREATE TRIGGER main.` + trig("update1") + ` AFTER UPDATE OF geom ON ` + t + `
			WHEN OLD.fid = NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
			BEGIN
				INSERT OR REPLACE INTO ` + rtree + ` VALUES (NEW.fid,
					ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom));
			END`,
		`CREATE TRIGGER main.` + trig("update2") + ` AFTER UPDATE OF geom ON ` + t + `
			WHEN OLD.fid = NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))
			BEGIN
				DELETE FROM ` + rtree + ` WHERE id = OLD.fid;
			END`,
		`CREATE TRIGGER main.` + trig("update3") + ` AFTER UPDATE ON ` + t + `
			WHEN OLD.fid != NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
			BEGIN
				DELETE FROM ` + rtree + ` WHERE id = OLD.fid;
				INSERT OR REPLACE INTO ` + rtree + ` VALUES (NEW.fid,
					ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom));
			END`,
		`CREATE TRIGGER main.` + trig("update4") + ` AFTER UPDATE ON ` + t + `
			WHEN OLD.fid != NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))
			BEGIN
				DELETE FROM ` + rtree + ` WHERE id IN (OLD.fid, NEW.fid);
			END`,
		`CREATE TRIGGER main.` + trig("delete") + ` AFTER DELETE ON ` + t + `
			WHEN old.geom NOT NULL
			BEGIN
				DELETE FROM ` + rtree + ` WHERE id = OLD.fid;
			END`,
	}
	for _, stmt := range stmts {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("spatial index: %w", err)
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO gpkg_extensions VALUES (?, 'geom', 'gpkg_rtree_index',
		'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')`, table)
	if err != nil {
		return fmt.Errorf("register spatial index: %w", err)
	}
	return nil
}

// metadataTableName is MetadataTable, unless the dataset's own table has that name.
func metadataTableName(d store.Dataset) string {
	if strings.EqualFold(d.Table, MetadataTable) {
		return "patrimap_" + MetadataTable
	}
	return MetadataTable
}

// insertMetadata writes the table that carries the dataset's description and licence with the file.
func insertMetadata(ctx context.Context, tx *sql.Tx, d store.Dataset, format exportFormat) error {
	name := metadataTableName(d)
	pk := "fid INTEGER PRIMARY KEY"
	if format == exportGeoPackage {
		pk += " AUTOINCREMENT NOT NULL" // what the specification asks of every table it lists
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE main.`+quoteIdent(name)+` (`+pk+`, key TEXT NOT NULL UNIQUE, value TEXT NOT NULL)`); err != nil {
		return err
	}
	rows := [][2]string{
		{"id", d.ID},
		{"title", d.Title},
		{"description", d.Description},
		{"theme", d.Theme},
		{"producer", d.Producer},
		{"licence", d.Licence},
		{"attribution", d.Attribution},
		{"source_url", d.Source.URL},
		{"source_file", d.Source.File},
		{"source_sha256", d.Source.SHA256},
		{"retrieved_at", d.Source.RetrievedAt.UTC().Format(time.RFC3339)},
		{"source_crs", d.SourceCRS},
		{"table", d.Table},
		{"feature_count", strconv.FormatInt(d.FeatureCount, 10)},
		{"version", strconv.FormatInt(d.Version, 10)},
		{"imported_at", d.ImportedAt.UTC().Format(time.RFC3339)},
		{"exported_by", "patrimap"},
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO main.`+quoteIdent(name)+` (key, value) VALUES (?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, r := range rows {
		if _, err := stmt.ExecContext(ctx, r[0], r[1]); err != nil {
			return err
		}
	}
	if format == exportGeoPackage {
		_, err := tx.ExecContext(ctx, `INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change)
			VALUES (?, 'attributes', ?, ?, ?)`, name, name,
			"What the dataset "+d.ID+" is, who produced it and under which licence it may be used",
			d.ImportedAt.UTC().Format(gpkgTime))
		return err
	}
	return nil
}
