package postgis_test

import (
	"testing"

	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/storetest"
	"github.com/patrimap/patrimap/store/teststores"
)

// TestConformance: the PostGIS store behaves as every store must.
func TestConformance(t *testing.T) {
	teststores.PostgresURL(t)
	storetest.Run(t, func(t *testing.T) store.Store { return teststores.PostGIS.OpenUnclosed(t) })
}
