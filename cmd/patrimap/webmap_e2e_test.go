package main

import (
	"path/filepath"
	"testing"
	"time"
)

// The web map as a heritage officer uses it: Debian's chromium, driven by playwright-core from
// test/browser/webmap.spec.mjs, opens the map with no network (every request off the test server is aborted),
// lists the datasets, hides a layer and sees the pixels change, clicks a monument and reads its popup, searches,
// shares an <iframe> and loads it, exports a PNG, reads a dataset sheet, switches to English and to a phone's
// width; no console error, every control labelled. Screenshots go to $PATRIMAP_SCREENSHOTS/webmap, or to a
// folder of the test's own.
func TestWebMapInChromium(t *testing.T) {
	node, chromium := browserTools(t)

	db := filepath.Join(t.TempDir(), "webmap.db")
	imports := [][]string{
		{"import", "geojson", rnnFile, "--dataset", "rnn-isere", "--title", "Réserves naturelles nationales (Isère)",
			"--producer", "INPN – MNHN/PatriNat", "--theme", "natural"},
		{"import", "inpn", "--file", "../../testdata/inpn/apb/subset_isere_38/apb.shp", "--dataset", "apb-isere"},
		{"import", "culture", "--list", "merimee", "--file", "../../testdata/culture/merimee-isere-camlebrun.csv"},
	}
	for _, args := range imports {
		if out, err := patrimap(t, append(args, "--db", db)...); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	srv := serveDB(t, db)
	shots := screenshotDir(t, "webmap")
	runSpec(t, node, "../../test/browser/webmap.spec.mjs", 4*time.Minute, "PATRIMAP_URL="+srv.URL, "PATRIMAP_SCREENSHOTS="+shots, "CHROMIUM="+chromium)
}
