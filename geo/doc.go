// Package geo holds patrimap's geometry work on one model, github.com/paulmach/orb: cleaning what importers
// read (closing rings, dropping degenerate parts), classifying geometry types for storage, reprojection with
// PROJ (Reprojector), validity, repair and intersection tests with GEOS (Topology, Prepared), the low-zoom
// simplification, ring winding and RFC 7946 GeoJSON encoding for what the server sends.
//
// geo knows nothing of datasets nor stores: it takes and returns geometries and bytes. PROJ and GEOS see orb
// geometries at one place each (reproject.go: PROJ reads orb's coordinates in place; geos.go: WKB both ways).
package geo
