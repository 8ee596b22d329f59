// Package postgis is patrimap's store in a PostgreSQL database with PostGIS, for a server that runs as several
// processes on one shared database (and its streaming replicas), or a GIS team that already keeps its layers
// there. It implements the interfaces of package store, with the same behaviour as store/spatialite
// (store/storetest checks both).
//
// Layout, in a schema of its own (patrimap unless the address says ?schema=NAME):
//
//   - NAME.<table>: one table per dataset, named as in every store (store.TableName), with fid as primary key,
//     geom as geometry(<type>, 4326) with a GiST index, and one typed column per field: what GDAL, QGIS,
//     pg_tileserv and pg_featureserv open as one layer per dataset;
//   - NAME_internal: what patrimap keeps for itself, which no GIS tool offers as a layer: the catalogue
//     (datasets), the memo, the point clusters of point layers (clusters__<oid>), the simplified copies
//     low-zoom tiles draw (lowzoom__<oid>, WKB without a geometry column), the versions replaced by an import
//     that an older snapshot may still read (retired__<oid>).
//
// An import copies its rows (COPY, binary) into a temporary table, builds the new version's typed table beside
// the old one, and swaps them in one transaction: readers see the previous version until the commit, and a
// killed import leaves it exactly as it was. Imports of one dataset take an advisory lock: a second one waits.
//
// A Snapshot is a REPEATABLE READ READ ONLY transaction. Its reads run inside savepoints rolled back at once,
// which release their table locks: an import can swap a dataset that a long-lived snapshot has read, and the
// snapshot keeps reading the version it saw, wherever that table went (the catalogue row names it by oid).
//
// All of patrimap's PostgreSQL SQL is here; identifiers come from the catalogue and go through quoteIdent,
// values are parameters.
package postgis
