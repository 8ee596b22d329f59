// Package spatialite is patrimap's embedded store: its datasets in one SpatiaLite file, a catalogue table
// (patrimap_datasets, stored as idx_patrimap_datasets_geom) and one table per dataset with its geometry
// registered in geometry_columns (SRID 4326) and an R*Tree spatial index, so that QGIS, ogrinfo and the
// spatialite shell see one layer per dataset with its attributes, and nothing else (hidden.go). It implements
// the interfaces of package store.
//
// Writes go through an Import, which builds the new version of a dataset inside a single SQLite transaction:
// the previous version stays visible to readers (WAL mode) until the commit swaps it, and a failed or killed
// import leaves it untouched. Reads stream rows to a callback inside a read transaction; a layer is never held
// in memory. Downloads as standalone files are written from such a stream by encode/sqlitefile.
//
// All of patrimap's SQLite SQL is here. Geometries arrive valid and in WGS84 (the import pipeline repairs and
// reprojects them); the package does not parse source files nor speak HTTP.
package spatialite
