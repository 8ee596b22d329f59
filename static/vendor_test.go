package static

import (
	"bytes"
	"io/fs"
	"os"
	"strings"
	"testing"
)

// The vendored chart library is the npm package package.json pins, byte for byte, with its licences: what
// `npm ci` installs is what the binary serves.
func TestVendoredChartLibrary(t *testing.T) {
	for vendored, pkg := range map[string]string{
		"vendor/plot.umd.min.js": "../node_modules/@observablehq/plot/dist/plot.umd.min.js",
		"vendor/d3.min.js":       "../node_modules/d3/dist/d3.min.js",
	} {
		want, err := os.ReadFile(pkg)
		if err != nil {
			t.Fatalf("%v: run npm ci at the repository root (package.json pins @observablehq/plot and d3)", err)
		}
		got, err := fs.ReadFile(Files, vendored)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s: copy it again after changing the version in package.json", vendored, pkg)
		}
	}
	lic, err := fs.ReadFile(Files, "vendor/PLOT-D3-LICENSES.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"@observablehq/plot 0.6.17 (ISC)", "Copyright 2020-2025 Observable, Inc.", "d3 7.9.0 (ISC)", "Copyright 2010-2023 Mike Bostock",
		"delaunator", "robust-predicates", "interval-tree-1d", "isoformat", "internmap", "binary-search-bounds"} {
		if !strings.Contains(string(lic), w) {
			t.Errorf("vendor/PLOT-D3-LICENSES.txt lacks %q", w)
		}
	}
}
