// Package geo holds patrimap's geometry work on one model, github.com/paulmach/orb: cleaning what importers
// read (closing rings, dropping degenerate parts), classifying geometry types for storage, ring winding and
// RFC 7946 GeoJSON encoding for what the server sends.
//
// geo does no I/O and knows nothing of datasets: it takes and returns geometries and bytes. Topological repair
// (self-intersections) is done by SpatiaLite's GEOS/RTTOPO in the store, where the data already is.
package geo
