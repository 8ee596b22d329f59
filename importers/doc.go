// Package importers holds what every source family shares: the Source contract, the pipeline that takes a
// source's records through geo into a store.Import, the import report and the progress display. Each family
// (geojson, and later inpn, culture, osm) lives in its own sub-package and knows only how to read its files.
//
// Importers never speak HTTP to clients and never write SQL: they hand records to the store.
package importers
