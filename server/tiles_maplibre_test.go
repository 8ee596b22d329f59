package server

import (
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/patrimap/patrimap/static"
)

const maplibrePage = `<!doctype html><html><head><meta charset="utf-8"><style>body{margin:0}#m{width:800px;height:600px}</style>
<script src="/test/maplibre-gl.js"></script></head><body><div id="m"></div><script>
window.mapIdle = false;
window.map = new maplibregl.Map({container: 'm', fadeDuration: 0, attributionControl: false,
  canvasContextAttributes: {preserveDrawingBuffer: true, antialias: false},
  bounds: BOUNDS, fitBoundsOptions: {padding: 20},
  style: {version: 8, sources: {ep: {type: 'vector', url: location.origin + '/tiles/rnn,apb.json'}},
    layers: [{id: 'bg', type: 'background', paint: {'background-color': '#ffffff'}},
      {id: 'rnn', type: 'fill', source: 'ep', 'source-layer': 'rnn', paint: {'fill-color': '#ff0000', 'fill-antialias': false}},
      {id: 'apb', type: 'fill', source: 'ep', 'source-layer': 'apb', paint: {'fill-color': '#0000ff', 'fill-antialias': false}}]}});
map.on('idle', () => { window.mapIdle = true; });
</script></body></html>`

// interior finds a point well inside g (the grid sample farthest from its boundary), and how far it is.
func interior(g orb.Geometry, b orb.Bound) (orb.Point, float64) {
	var best orb.Point
	bestD := -1.0
	for i := 1; i < 40; i++ {
		for j := 1; j < 40; j++ {
			p := orb.Point{b.Min[0] + (b.Max[0]-b.Min[0])*float64(i)/40, b.Min[1] + (b.Max[1]-b.Min[1])*float64(j)/40}
			if !contains(g, p) {
				continue
			}
			if d := boundaryDistance(g, p); d > bestD {
				best, bestD = p, d
			}
		}
	}
	return best, bestD
}

func contains(g orb.Geometry, p orb.Point) bool {
	switch g := g.(type) {
	case orb.Polygon:
		return planar.PolygonContains(g, p)
	case orb.MultiPolygon:
		return planar.MultiPolygonContains(g, p)
	}
	return false
}

func boundaryDistance(g orb.Geometry, p orb.Point) float64 {
	d := math.Inf(1)
	var rings []orb.Ring
	switch g := g.(type) {
	case orb.Polygon:
		rings = g
	case orb.MultiPolygon:
		for _, q := range g {
			rings = append(rings, q...)
		}
	}
	for _, r := range rings {
		for i := 0; i+1 < len(r); i++ {
			d = math.Min(d, planar.DistanceFromSegment(r[i], r[i+1], p))
		}
	}
	return d
}

// MapLibre GL JS in headless Chromium draws a two-dataset tile source: a reserve's colour where a reserve is,
// a biotope order's where one is, the background elsewhere.
func TestTilesRenderedByMapLibre(t *testing.T) {
	node := needTool(t, "node")
	if _, err := os.Stat("/usr/bin/chromium"); err != nil && os.Getenv("CHROMIUM") == "" {
		t.Fatal("chromium is not installed (/usr/bin/chromium, or $CHROMIUM): run `make test-deps`")
	}
	if _, err := os.Stat("../node_modules/maplibre-gl/dist/maplibre-gl.js"); err != nil {
		t.Fatal("node_modules/maplibre-gl is missing: run `make test-deps` (npm ci)")
	}
	fx := newFixture(t)
	if err := fx.importFile(t, "rnn", rnn); err != nil {
		t.Fatal(err)
	}
	if err := fx.importFile(t, "apb", "../testdata/apb-isere.geojson"); err != nil {
		t.Fatal(err)
	}
	rnnFeats := storedFeatures(t, fx.st, "rnn", "NOM_SITE")
	apbFeats := storedFeatures(t, fx.st, "apb", "NOMZONE")
	// The view: the largest reserve and the largest biotope order near it.
	largest := func(fs []storedFeature) storedFeature {
		var best storedFeature
		a := -1.0
		for _, f := range fs {
			b := f.geom.Bound()
			if x := (b.Max[0] - b.Min[0]) * (b.Max[1] - b.Min[1]); x > a {
				best, a = f, x
			}
		}
		return best
	}
	r := largest(rnnFeats)
	rb := r.geom.Bound()
	var near []storedFeature
	for _, f := range apbFeats {
		if c := f.geom.Bound().Center(); math.Abs(c[0]-rb.Center()[0]) < 0.3 && math.Abs(c[1]-rb.Center()[1]) < 0.2 {
			near = append(near, f)
		}
	}
	if len(near) == 0 {
		near = apbFeats
	}
	a := largest(near)
	view := rb.Union(a.geom.Bound())
	rp, _ := interior(r.geom, rb)
	ap, _ := interior(a.geom, a.geom.Bound())
	// Elsewhere: the sample of the view farthest from every feature of both datasets.
	var empty orb.Point
	bestD := -1.0
	all := append(append([]storedFeature{}, rnnFeats...), apbFeats...)
	for i := 1; i < 30; i++ {
		for j := 1; j < 30; j++ {
			p := orb.Point{view.Min[0] + (view.Max[0]-view.Min[0])*float64(i)/30, view.Min[1] + (view.Max[1]-view.Min[1])*float64(j)/30}
			d := math.Inf(1)
			for _, f := range all {
				if contains(f.geom, p) {
					d = -1
					break
				}
				d = math.Min(d, boundaryDistance(f.geom, p))
			}
			if d > bestD {
				empty, bestD = p, d
			}
		}
	}

	st := fx.st
	api := New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), static.Files).Handler()
	page := strings.Replace(maplibrePage, "BOUNDS", fmt.Sprintf("[[%f,%f],[%f,%f]]", view.Min[0], view.Min[1], view.Max[0], view.Max[1]), 1)
	mux := http.NewServeMux()
	mux.Handle("/", api)
	mux.HandleFunc("/test/page.html", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, page)
	})
	mux.HandleFunc("/favicon.ico", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("/test/maplibre-gl.js", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, "../node_modules/maplibre-gl/dist/maplibre-gl.js")
	})
	var tileRequests int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/tiles/") {
			tileRequests++
		}
		mux.ServeHTTP(w, r)
	}))
	defer srv.Close()

	out := filepath.Join(t.TempDir(), "map.png")
	pts, _ := json.Marshal([][2]float64{{rp[0], rp[1]}, {ap[0], ap[1]}, {empty[0], empty[1]}})
	cmd := exec.Command(node, "test/browser/maplibre-render.mjs", srv.URL+"/test/page.html", out, string(pts))
	cmd.Dir = ".."
	res, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("maplibre-render.mjs: %v\n%s", err, res)
	}
	var rendered struct {
		Points [][2]float64
		Errors []string
	}
	if err := json.Unmarshal(res, &rendered); err != nil {
		t.Fatalf("%v: %s", err, res)
	}
	if len(rendered.Errors) > 0 {
		t.Errorf("page errors: %v", rendered.Errors)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	colour := func(p [2]float64) (int, int, int) {
		c := img.At(int(p[0]), int(p[1]))
		r, g, b, _ := c.RGBA()
		return int(r >> 8), int(g >> 8), int(b >> 8)
	}
	is := func(p [2]float64, want string) bool {
		r, g, b := colour(p)
		switch want {
		case "red":
			return r > 200 && g < 80 && b < 80
		case "blue":
			return b > 200 && r < 80 && g < 80
		}
		return r > 230 && g > 230 && b > 230
	}
	for i, want := range []string{"red", "blue", "white"} {
		p := rendered.Points[i]
		if !image.Pt(int(p[0]), int(p[1])).In(img.Bounds()) || !is(p, want) {
			r, g, b := colour(p)
			t.Errorf("point %d at pixel %v is rgb(%d,%d,%d), want %s (screenshot %s)", i, p, r, g, b, want, out)
		}
	}
	// Red and blue cover a fair share of the picture, and nothing else but white and their blends.
	var red, blue int
	bb := img.Bounds()
	for y := bb.Min.Y; y < bb.Max.Y; y++ {
		for x := bb.Min.X; x < bb.Max.X; x++ {
			switch p := [2]float64{float64(x), float64(y)}; {
			case is(p, "red"):
				red++
			case is(p, "blue"):
				blue++
			}
		}
	}
	t.Logf("%d tile requests; %d red and %d blue pixels of %d; %s (%s) and APB fid %d drawn", tileRequests, red, blue, bb.Dx()*bb.Dy(), r.name, "rnn", a.fid)
	if red < 200 || blue < 20 || tileRequests == 0 {
		t.Errorf("red %d, blue %d pixels, %d tile requests", red, blue, tileRequests)
	}
}
