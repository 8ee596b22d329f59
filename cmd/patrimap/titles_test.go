package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patrimap/patrimap/store"
)

// Two imports of one layer, neither naming a territory, get two titles: the second carries its id, and says so;
// importing it again keeps that title.
func TestImportTitlesUniqueInTheStore(t *testing.T) {
	db := filepath.Join(t.TempDir(), "titles.db")
	shp := "../../testdata/inpn/apb/subset_isere_38/apb.shp"
	for i, id := range []string{"apb-a", "apb-b", "apb-b"} {
		out, err := patrimap(t, "import", "inpn", "--file", shp, "--dataset", id, "--db", db)
		if err != nil {
			t.Fatalf("%s: %v\n%s", id, err, out)
		}
		if said := strings.Contains(out, `dataset apb-b: titled "Arrêtés de protection de biotope – apb-b", since apb-a`); said != (i > 0) {
			t.Errorf("import %d of %s: the note on the title said %v:\n%s", i+1, id, said, out)
		}
	}
	all, err := store.Catalogue(context.Background(), openStore(t, db))
	if err != nil {
		t.Fatal(err)
	}
	titles := map[string]string{}
	for _, d := range all {
		titles[d.ID] = d.Title
	}
	if titles["apb-a"] != "Arrêtés de protection de biotope" || titles["apb-b"] != "Arrêtés de protection de biotope – apb-b" || len(titles) != 2 {
		t.Errorf("titles %q", titles)
	}
}
