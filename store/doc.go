// Package store keeps patrimap's datasets in one SpatiaLite file: a catalogue table (patrimap_datasets) and one
// table per dataset with its geometry registered in geometry_columns (SRID 4326) and an R*Tree spatial index,
// so that QGIS, ogrinfo and the spatialite shell see one layer per dataset with its attributes.
//
// Writes go through an Import, which builds the new version of a dataset inside a single SQLite transaction:
// the previous version stays visible to readers (WAL mode) until the commit swaps it, and a failed or killed
// import leaves it untouched. Reads stream rows to a callback; a layer is never held in memory.
//
// The store does not parse source files nor speak HTTP.
package store
