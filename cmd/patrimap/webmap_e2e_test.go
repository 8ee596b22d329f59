package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The web map as a heritage officer uses it: Debian's chromium, driven by playwright-core from
// test/browser/webmap.spec.mjs, opens the map with no network (every request off the test server is aborted),
// lists the datasets, hides a layer and sees the pixels change, clicks a monument and reads its popup, searches,
// shares an <iframe> and loads it, exports a PNG, reads a dataset sheet, switches to English and to a phone's
// width; no console error, every control labelled. Screenshots go to $PATRIMAP_SCREENSHOTS, or to a folder of
// the test's own (named in the log, removed after the test).
func TestWebMapInChromium(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node not found: the web map's end-to-end test runs test/browser/webmap.spec.mjs with Node.js ≥ 20 " +
			"(apt-get install nodejs, then npm ci at the repository root)")
	}
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("chromium not found at %s: apt-get install chromium, or set CHROMIUM to a Chromium binary", chromium)
	}
	if _, err := os.Stat("../../node_modules/playwright-core/package.json"); err != nil {
		t.Fatal("playwright-core is not installed: run npm ci at the repository root (package.json pins it)")
	}

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
	shots := screenshotsDir(t)

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "../../test/browser/webmap.spec.mjs")
	cmd.Env = append(os.Environ(), "PATRIMAP_URL="+srv.URL, "PATRIMAP_SCREENSHOTS="+shots, "CHROMIUM="+chromium)
	out, err := cmd.CombinedOutput()
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		t.Log(line)
	}
	if ctx.Err() != nil {
		t.Fatalf("webmap.spec.mjs did not finish in 4 minutes (screenshots so far in %s)", shots)
	}
	if err != nil {
		t.Fatalf("webmap.spec.mjs: %v: the checks marked FAIL above failed (screenshots in %s)", err, shots)
	}
}
