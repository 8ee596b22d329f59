package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// umapCase is one map uMap's front end imports, with what patrimap says it holds (test/browser/umap.spec.mjs
// reads these from UMAP_CASES).
type umapCase struct {
	Label  string      `json:"label"`
	File   string      `json:"file"`
	Name   string      `json:"name"`
	Center [2]float64  `json:"center"`
	Zoom   int         `json:"zoom"`
	View   string      `json:"defaultView"`
	Layers []umapLayer `json:"layers"`
	// Save: the spec also saves the map and opens it again (the server's answers, the same maps, are only
	// imported: the browser test stays within go test's time).
	Save bool `json:"save"`
}

type umapLayer struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Features int    `json:"features"`
	Remote   bool   `json:"remote"`
}

// umapResult is what the spec did with a case: where uMap saved the map, and the view on screen at Save.
type umapResult struct {
	Label   string     `json:"label"`
	MapURL  string     `json:"mapURL"`
	Center  [2]float64 `json:"center"`
	Zoom    float64    `json:"zoom"`
	Checked bool       `json:"checked"`
}

// uMap 3.8.1's own front end (test/umap/static, vendored from umap-project/umap) imports the demo's maps as a
// user does, in Debian's chromium: `patrimap export umap` snapshot and live files, the same maps as a test
// server answers them (/umap/isere.umap, ?mode=live), and a map file asking for Categorized and Choropleth
// layers. Each goes through uMap's import panel, is checked (layers, feature counts, every popup rendered by
// uMap's own template code, the thematic legends and colours, no alert), saved (to the stubs of
// umapFrontend), and opened again from what uMap saved. Screenshots go to $PATRIMAP_SCREENSHOTS/umap.
func TestUMapImportInChromium(t *testing.T) {
	node, chromium := browserTools(t)
	front := "../../test/umap/static"
	if dir := os.Getenv("UMAP_STATIC"); dir != "" {
		front = dir // a whole uMap checkout's umap/static, to list what the test needs (UMAP_STATIC_LOG)
	}
	if _, err := os.Stat(filepath.Join(front, "umap/js/modules/app.js")); err != nil {
		t.Fatalf("uMap's front end is not in %s: %v (see test/umap/PROVENANCE.md)", front, err)
	}
	if os.Getenv("UMAP_STATIC") == "" {
		checkVendored(t, "../../test/umap/SHA256SUMS", front)
	}
	db := demoStore(t)
	srv := serveStore(t, db)

	dir := t.TempDir()
	var cases []umapCase
	add := func(label, file string, save bool) {
		c := umapCase{Label: label, File: file, Save: save}
		var b struct {
			Geometry struct{ Coordinates [2]float64 }
			Layers   []struct {
				Features   []json.RawMessage
				Properties struct {
					Name       string
					Type       string
					RemoteData struct{ URL string }
				}
			}
			Properties struct {
				Name        string
				Zoom        int
				DefaultView string
			}
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &b); err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		c.Name, c.Center, c.Zoom, c.View = b.Properties.Name, b.Geometry.Coordinates, b.Properties.Zoom, b.Properties.DefaultView
		for _, l := range b.Layers {
			ul := umapLayer{Name: l.Properties.Name, Type: l.Properties.Type, Features: len(l.Features)}
			if u := l.Properties.RemoteData.URL; u != "" {
				ul.Remote, ul.Features = true, countRemote(t, u)
			}
			c.Layers = append(c.Layers, ul)
		}
		cases = append(cases, c)
	}
	for _, e := range []struct {
		label, file string
		args        []string
	}{
		{"snapshot (export umap --map isere)", "isere.umap", []string{"--map", "isere"}},
		{"live (export umap --map isere --live)", "isere-live.umap", []string{"--map", "isere", "--live", "--base-url", srv.URL}},
		{"thematic (a map file asking for Categorized and Choropleth)", "isere-thematique.umap", []string{"--map", "../../testdata/umap/isere-thematique.json"}},
	} {
		out := filepath.Join(dir, e.file)
		if log, err := patrimap(t, append([]string{"export", "umap", "--db", db, "--out", out}, e.args...)...); err != nil {
			t.Fatalf("%s: %v\n%s", e.label, err, log)
		} else if strings.Contains(log, `no dataset "`) {
			t.Errorf("%s: the map names a dataset the demo does not create:\n%s", e.label, log)
		}
		add(e.label, out, true)
	}
	for _, e := range []struct{ label, path, file string }{
		{"snapshot from the server (/umap/isere.umap)", "/umap/isere.umap", "server-isere.umap"},
		{"live from the server (/umap/isere.umap?mode=live)", "/umap/isere.umap?mode=live", "server-isere-live.umap"},
	} {
		res, err := http.Get(srv.URL + e.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d %s", e.path, res.StatusCode, body)
		}
		out := filepath.Join(dir, e.file)
		if err := os.WriteFile(out, body, 0o644); err != nil {
			t.Fatal(err)
		}
		add(e.label, out, false)
	}
	// Every source holds what the demo imported: the 9 datasets, the monuments without their 4 unplaced rows.
	for _, c := range cases[:2] {
		if len(c.Layers) != 9 || c.Layers[7].Features != 325 {
			t.Fatalf("%s: %+v", c.Label, c.Layers)
		}
	}
	casesFile, resultsFile := filepath.Join(dir, "cases.json"), filepath.Join(dir, "results.json")
	data, _ := json.Marshal(cases)
	if err := os.WriteFile(casesFile, data, 0o644); err != nil {
		t.Fatal(err)
	}

	fe := newUMapFrontend(front)
	usrv := httptest.NewServer(fe)
	defer usrv.Close()
	shots := screenshotDir(t, "umap")
	runSpec(t, node, "../../test/browser/umap.spec.mjs", 10*time.Minute, "UMAP_URL="+usrv.URL, "PATRIMAP_URL="+srv.URL,
		"UMAP_CASES="+casesFile, "UMAP_RESULTS="+resultsFile, "UMAP_SCREENSHOTS="+shots, "CHROMIUM="+chromium)
	fe.WriteStaticLog(t)
	if u := fe.Unexpected(); len(u) > 0 {
		t.Errorf("uMap asked its backend for what no stub answers: %v", u)
	}

	// What uMap's Save sent: the layers with their features (snapshot) or their remote URL (live), the map's
	// default view as the file set it, and as centre and zoom the view on screen when Save was clicked.
	var results []umapResult
	data, err := os.ReadFile(resultsFile)
	if err != nil || json.Unmarshal(data, &results) != nil || len(results) != len(cases) {
		t.Fatalf("results of the spec: %v (%d for %d cases)", err, len(results), len(cases))
	}
	for i, r := range results {
		c := cases[i]
		if !c.Save {
			continue
		}
		id, err := strconv.Atoi(strings.TrimPrefix(r.MapURL, "/fr/map/carte_"))
		if err != nil {
			t.Errorf("%s: saved at %q", c.Label, r.MapURL)
			continue
		}
		settings, layers := fe.Saved(id)
		var s struct {
			Geometry   struct{ Coordinates [2]float64 }
			Properties struct {
				Name        string
				Zoom        float64
				DefaultView string
			}
		}
		if err := json.Unmarshal(settings, &s); err != nil {
			t.Errorf("%s: map %d saved settings: %v", c.Label, id, err)
			continue
		}
		if s.Properties.Name != c.Name || s.Properties.DefaultView != c.View || s.Properties.Zoom != r.Zoom ||
			math.Abs(s.Geometry.Coordinates[0]-r.Center[0]) > 1e-4 || math.Abs(s.Geometry.Coordinates[1]-r.Center[1]) > 1e-4 {
			t.Errorf("%s: saved %+v, the view at Save was %v z%v, the file's %v z%d view %q", c.Label, s, r.Center, r.Zoom, c.Center, c.Zoom, c.View)
		}
		if len(layers) != len(c.Layers) {
			t.Errorf("%s: %d layers saved, %d imported", c.Label, len(layers), len(c.Layers))
			continue
		}
		for j, l := range layers {
			var fc struct{ Features []json.RawMessage }
			var o struct {
				Name       string
				RemoteData struct{ URL string }
			}
			json.Unmarshal(l[1], &fc)
			json.Unmarshal(l[0], &o)
			want := c.Layers[j]
			if want.Remote {
				want.Features = 0 // uMap stores a remote layer's URL, not its features
			}
			if o.Name != want.Name || len(fc.Features) != want.Features || (o.RemoteData.URL != "") != want.Remote {
				t.Errorf("%s: saved layer %d %q: %d features, remote %q; want %+v", c.Label, j, o.Name, len(fc.Features), o.RemoteData.URL, want)
			}
		}
	}
}

// countRemote counts the features a live layer's URL answers, {bbox} and {zoom} left out.
func countRemote(t *testing.T, url string) int {
	t.Helper()
	if strings.Contains(url, "{") {
		t.Fatalf("the demo's live layers are fetched whole, got a dynamic URL %s", url)
	}
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var fc struct{ Features []json.RawMessage }
	if err := json.NewDecoder(res.Body).Decode(&fc); err != nil || res.StatusCode != 200 {
		t.Fatalf("%s: %d %v", url, res.StatusCode, err)
	}
	return len(fc.Features)
}

// checkVendored checks the vendored files against their checksums: uMap's code is tested as released.
func checkVendored(t *testing.T, sums, dir string) {
	t.Helper()
	data, err := os.ReadFile(sums)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		want, name, ok := strings.Cut(line, "  ")
		if !ok {
			t.Fatalf("%s: %q is not a sha256sum line", sums, line)
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("vendored uMap file: %v (test/umap/PROVENANCE.md says how it was copied)", err)
		}
		if got := sha256.Sum256(b); hex.EncodeToString(got[:]) != want {
			t.Fatalf("vendored uMap file %s differs from uMap 3.8.1's (sha256 %x, want %s): restore it, see test/umap/PROVENANCE.md", name, got, want)
		}
		n++
	}
	if n < 100 {
		t.Fatalf("%s lists %d files: the test needs uMap's front end (test/umap/PROVENANCE.md)", sums, n)
	}
}
