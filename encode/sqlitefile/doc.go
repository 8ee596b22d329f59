// Package sqlitefile writes one dataset into a standalone SQLite file that GIS tools open as a layer: an OGC
// GeoPackage (plain SQLite, no extension needed) or a SpatiaLite database (with mod_spatialite). Both are
// written from a stream of store features, so any store can offer them as downloads, and both carry the
// dataset's catalogue entry (title, producer, licence, source) so that the licence travels with the file.
//
// A file is built beside its destination under a temporary name and renamed over it only when complete:
// an error or a cancelled context never leaves a half-written file at the destination.
//
// The package reads no store and serves no HTTP: it is given a dataset's description and its features.
package sqlitefile
