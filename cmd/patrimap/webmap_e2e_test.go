package main

import (
	"testing"
	"time"
)

// The web map as a heritage officer uses it: Debian's chromium, driven by playwright-core from
// test/browser/webmap.spec.mjs, opens the map with no network (every request off the test server is aborted),
// lists the datasets, hides a layer and sees the pixels change, clicks a monument and reads its popup, searches,
// shares an <iframe> and loads it, exports a PNG, reads a dataset sheet, switches to English and to a phone's
// width; no console error, every control labelled; the attribution names each producer and licence once,
// compact. It runs on the demo's store (make demo: 9 layers from 3 producers). Screenshots go to
// $PATRIMAP_SCREENSHOTS/webmap, or to a folder of the test's own.
func TestWebMapInChromium(t *testing.T) {
	node, chromium := browserTools(t)

	db := demoStore(t)
	srv := serveStore(t, db)
	shots := screenshotDir(t, "webmap")
	runSpec(t, node, "../../test/browser/webmap.spec.mjs", 4*time.Minute, "PATRIMAP_URL="+srv.URL, "PATRIMAP_SCREENSHOTS="+shots, "CHROMIUM="+chromium)
}
