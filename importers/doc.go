// Package importers holds what every source family shares: the Source contract, the pipeline that takes a
// source's records through geo into a store.Import, the import report and the progress display, and the
// Family contract by which a family joins the command line. Each family (geojson, inpn, culture, osm) lives in
// its own sub-package: it reads its files and, through its Family (family.go), declares its flags, opens what
// they name and names its datasets. Package families lists them.
//
// Importers never speak HTTP to clients and never write SQL: they hand records to the store.
package importers
