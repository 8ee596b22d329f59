package spatialite

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// What a GIS shows of the file. QGIS 3.22 opens a SQLite file with GDAL's LIST_ALL_TABLES=YES
// (QgsOgrProviderMetadata::querySublayers), so GDAL 3.6 lists every table and view of the main schema, spatial
// or not; QGIS then leaves out, by name only, GDAL's private tables (OGRSQLiteDataSource::IsLayerPrivate),
// SpatiaLite's system tables (QgsSqliteUtils::systemTables) and any name matching idx_.*_geom(etry)?($|_.*),
// which it takes for a spatial index (QgsOgrProviderUtils::querySubLayerList). Neither reads a flag in the
// file: a table can only be kept out of QGIS's list by its name. So:
//
//   - patrimap's own tables are named internalTable(name): idx_patrimap_datasets_geom for the catalogue
//     patrimap_datasets. Every internal table goes through internalTable, whatever their number.
//   - SpatiaLite's KNN (and KNN2) virtual table and its data_licenses table, which InitSpatialMetadata makes and
//     no name rule hides, are dropped: a KNN query creates its own (CREATE VIRTUAL TABLE temp.KNN USING
//     VirtualKNN()), and data_licenses only serves RasterLite2 coverages, so it stays when a file has some.
//   - a dataset id whose table QGIS would hide, or whose table or index would take an internal or SpatiaLite
//     name, is refused.
//
// QGIS's SpatiaLite provider lists the registered spatial tables (the datasets), and with "Also list tables
// with no geometry" every table except SpatiaLite's system ones: no name of an internal table escapes that
// list, short of keeping the tables out of the file, which would make an import two commits.

// internalTable is the stored name of patrimap's table name (patrimap_datasets, patrimap_lowzoom_apb_isere):
// the shape of a spatial index's name, which QGIS, GDAL's SpatiaLite users and other SQLite browsers
// (Datasette) keep out of their lists of layers.
func internalTable(name string) string { return "idx_" + name + "_geom" }

// The catalogue and the memo, as internalTable names them.
const (
	catalogueTable = "idx_patrimap_datasets_geom" // internalTable("patrimap_datasets")
	memoTable      = "idx_patrimap_memo_geom"     // internalTable("patrimap_memo")
)

// qgisIndexName is the pattern of names QGIS 3.22 takes for a SpatiaLite spatial index and does not list.
var qgisIndexName = regexp.MustCompile(`(?i)idx_.*_geom(etry)?($|_.*)`)

// systemTableNames are the tables and views of a SpatiaLite file that GDAL (IsLayerPrivate) or QGIS
// (QgsSqliteUtils::systemTables, layer_styles, qgis_projects) keep out of their lists, lower-cased.
const systemTableNames = `spatialindex geom_cols_ref_sys geometry_columns geometry_columns_auth
	views_geometry_columns virts_geometry_columns spatial_ref_sys spatial_ref_sys_all spatial_ref_sys_aux
	sqlite_sequence tableprefix_metadata tableprefix_rasters layer_params layer_statistics layer_sub_classes
	layer_table_layout pattern_bitmaps symbol_bitmaps project_defs raster_pyramids sqlite_stat1 sqlite_stat2
	spatialite_history geometry_columns_field_infos geometry_columns_statistics geometry_columns_time
	sql_statements_log vector_layers vector_layers_auth vector_layers_field_infos vector_layers_statistics
	views_geometry_columns_auth views_geometry_columns_field_infos views_geometry_columns_statistics
	virts_geometry_columns_auth virts_geometry_columns_field_infos virts_geometry_columns_statistics
	virts_layer_statistics views_layer_statistics elementarygeometries views_geometry_column
	virts_geometry_column layer_styles qgis_projects`

// spatiaLiteTables are SpatiaLite's tables that GIS list (see hideInternals), lower-cased.
const spatiaLiteTables = `knn knn2 data_licenses raster_coverages`

func isSystemTable(name string) bool {
	return slices.Contains(strings.Fields(systemTableNames), strings.ToLower(name))
}

// hiddenFromQGIS tells whether QGIS 3.22 leaves the table or view name out of the layers it offers.
func hiddenFromQGIS(name string) bool {
	return isSystemTable(name) || qgisIndexName.MatchString(name)
}

// checkDatasetTable refuses a dataset table that QGIS would not show, or that would take the name of an
// internal or SpatiaLite table.
func checkDatasetTable(id, table string) error {
	low := strings.ToLower(table)
	switch {
	case low == "patrimap" || strings.HasPrefix(low, "patrimap_"):
		return fmt.Errorf("dataset id %q: ids patrimap and patrimap-… are patrimap's own tables: choose another id", id)
	case isSystemTable(low) || slices.Contains(strings.Fields(spatiaLiteTables), low):
		return fmt.Errorf("dataset id %q: %s is a table of SpatiaLite's: choose another id", id, table)
	case qgisIndexName.MatchString(table):
		return fmt.Errorf("dataset id %q: QGIS would take table %s for a spatial index and not list it: choose an id without idx-…-geom", id, table)
	}
	return nil
}

// legacyInternal are the names patrimap's tables had before internalTable: a file written then gets the new
// names when opened.
const legacyInternal = `SELECT name FROM sqlite_master WHERE type = 'table' AND
	(name IN ('patrimap_datasets', 'patrimap_memo') OR name GLOB 'patrimap_lowzoom_*')`

// hideInternals renames an older file's internal tables and drops what SpatiaLite made that GIS would list as
// layers, in the transaction tx.
func hideInternals(ctx context.Context, tx *sql.Tx) error {
	legacy, err := tableNames(ctx, tx, legacyInternal)
	if err != nil {
		return err
	}
	for _, n := range legacy {
		if _, err := tx.ExecContext(ctx, `ALTER TABLE `+quoteIdent(n)+` RENAME TO `+quoteIdent(internalTable(n))); err != nil {
			return fmt.Errorf("rename %s: %w", n, err)
		}
	}
	knn, err := tableNames(ctx, tx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('KNN', 'KNN2')
		AND sql LIKE 'CREATE VIRTUAL TABLE%USING VirtualKNN%'`)
	if err != nil {
		return err
	}
	for _, n := range knn {
		if _, err := tx.ExecContext(ctx, `DROP TABLE `+quoteIdent(n)); err != nil {
			return fmt.Errorf("drop SpatiaLite's %s: %w", n, err)
		}
	}
	var coverages int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name = 'raster_coverages'`).Scan(&coverages); err != nil {
		return err
	}
	if coverages == 0 {
		if _, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS data_licenses`); err != nil {
			return fmt.Errorf("drop SpatiaLite's data_licenses: %w", err)
		}
	}
	return nil
}

// tableNames runs query, which selects names.
func tableNames(ctx context.Context, tx *sql.Tx, query string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
