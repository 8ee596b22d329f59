// Package families lists the importer families patrimap knows, in the order the command line shows them.
// Adding a family is one package under importers implementing importers.Family, and one line here.
package families

import (
	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/culture"
	"github.com/patrimap/patrimap/importers/geojson"
	"github.com/patrimap/patrimap/importers/inpn"
	"github.com/patrimap/patrimap/importers/osm"
)

// All returns every family, a new list on each call.
func All() []importers.Family {
	return []importers.Family{
		geojson.Family{},
		inpn.Family{},
		culture.Family{},
		osm.Family{},
	}
}
