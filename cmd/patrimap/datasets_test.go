package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/teststores"
)

// `patrimap datasets` marks the datasets an older patrimap imported without the tables their low-zoom tiles are
// drawn from (a polygon layer's pyramid, a point layer's clusters), says where each came from and the command
// that imports it again; once it is imported again, it is no longer marked. On every store.
func TestDatasetsNamesThoseToReimport(t *testing.T) {
	for _, k := range teststores.All() {
		t.Run(k.Name, func(t *testing.T) {
			dsn := k.DSN(t)
			importSamples(t, dsn) // Mérimée's monuments (points) and Isère's biotope orders (polygons)
			datasets := func() string {
				t.Helper()
				out, err := patrimap(t, "datasets", "--db", dsn)
				if err != nil {
					t.Fatalf("datasets: %v\n%s", err, out)
				}
				return out
			}
			if out := datasets(); !strings.Contains(out, "NOTE") || strings.Contains(out, "re-import") {
				t.Errorf("just imported:\n%s", out)
			}
			for _, id := range []string{"merimee", "apb-isere"} {
				readDataset(t, dsn, id, func(_ store.Snapshot, d store.Dataset) { k.DropTileTables(t, dsn, d) })
			}
			out := datasets()
			for _, want := range []*regexp.Regexp{
				regexp.MustCompile(`(?m)^apb-isere .*re-import \(no pyramid\)$`),
				regexp.MustCompile(`(?m)^merimee .*re-import \(no point clusters\)$`),
				regexp.MustCompile(`--dataset ID --db ` + regexp.QuoteMeta(dsn)),
				regexp.MustCompile(`(?m)^  apb-isere +from apb\.shp$`),
				regexp.MustCompile(`(?m)^  merimee +from .*merimee`),
			} {
				if !want.MatchString(out) {
					t.Errorf("as an older patrimap left them, no %s in:\n%s", want, out)
				}
			}
			if out, err := patrimap(t, "import", "inpn", "--file", "../../testdata/inpn/apb/subset_isere_38/apb.shp", "--dataset", "apb-isere", "--db", dsn); err != nil {
				t.Fatalf("import again: %v\n%s", err, out)
			}
			if out := datasets(); strings.Count(out, "re-import (") != 1 || !strings.Contains(out, "re-import (no point clusters)") {
				t.Errorf("apb-isere imported again, merimee not:\n%s", out)
			}
		})
	}
}
