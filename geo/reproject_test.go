package geo

import (
	"errors"
	"fmt"
	"math"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"
)

// Lambert-93's projection origin, 3°E 46.5°N, is at 700000, 6600000 by definition (EPSG:2154); the other way,
// and with gdaltransform (the same PROJ, as GDAL users run it) for a point of each kind of geometry.
func TestReprojectLambert93(t *testing.T) {
	var r Reprojector
	got, err := r.Reproject(orb.Point{700000, 6600000}, 2154, WGS84)
	if err != nil {
		t.Fatal(err)
	}
	if p := got.(orb.Point); math.Abs(p[0]-3) > 1e-9 || math.Abs(p[1]-46.5) > 1e-9 {
		t.Errorf("Lambert-93 origin = %v, want longitude 3, latitude 46.5 (in that order)", p)
	}
	back, err := r.Reproject(orb.Point{3, 46.5}, WGS84, 2154)
	if err != nil {
		t.Fatal(err)
	}
	if p := back.(orb.Point); math.Abs(p[0]-700000) > 1e-6 || math.Abs(p[1]-6600000) > 1e-6 {
		t.Errorf("back to Lambert-93: %v", p)
	}

	grenoble := orb.Point{913000, 6458000}
	want := gdaltransform(t, "EPSG:2154", "EPSG:4326", grenoble)
	shapes := []orb.Geometry{
		orb.LineString{grenoble, {914000, 6459000}},
		orb.Polygon{{grenoble, {914000, 6458000}, {914000, 6459000}, grenoble}},
		orb.MultiPolygon{{{grenoble, {914000, 6458000}, {914000, 6459000}, grenoble}}},
		orb.Collection{grenoble, orb.MultiPoint{grenoble}},
	}
	for _, g := range shapes {
		out, err := r.Reproject(g, 2154, WGS84)
		if err != nil {
			t.Fatalf("%T: %v", g, err)
		}
		first := firstPoint(out)
		if math.Abs(first[0]-want[0]) > 1e-8 || math.Abs(first[1]-want[1]) > 1e-8 {
			t.Errorf("%T: first point %v, gdaltransform says %v", g, first, want)
		}
	}
}

func firstPoint(g orb.Geometry) orb.Point {
	var p orb.Point
	found := false
	visitPoints(g, func(q orb.Point) {
		if !found {
			p, found = q, true
		}
	})
	return p
}

func gdaltransform(t *testing.T, from, to string, p orb.Point) orb.Point {
	t.Helper()
	if _, err := exec.LookPath("gdaltransform"); err != nil {
		t.Fatal("gdaltransform not found: install gdal-bin (make test-deps does)")
	}
	cmd := exec.Command("gdaltransform", "-s_srs", from, "-t_srs", to, "-output_xy")
	cmd.Stdin = strings.NewReader(fmt.Sprintf("%.9f %.9f\n", p[0], p[1]))
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(out))
	x, _ := strconv.ParseFloat(f[0], 64)
	y, _ := strconv.ParseFloat(f[1], 64)
	return orb.Point{x, y} // gdaltransform keeps the GIS order (longitude first) for EPSG:4326 too
}

func TestReprojectErrors(t *testing.T) {
	var r Reprojector
	if _, err := r.Reproject(orb.Point{1, 2}, 999999, WGS84); !errors.Is(err, ErrUnknownCRS) || !strings.Contains(err.Error(), "EPSG:999999") {
		t.Errorf("unknown code: %v", err)
	}
	if err := r.Check(2154, WGS84); err != nil {
		t.Errorf("Check(2154): %v", err)
	}
	// A latitude past the pole (a file in another CRS read as WGS84).
	_, err := r.Reproject(orb.LineString{{0, 0}, {0, 91}}, WGS84, 3857)
	if err == nil || errors.Is(err, ErrUnknownCRS) || !strings.Contains(err.Error(), "cannot be transformed from EPSG:4326 to EPSG:3857") {
		t.Errorf("latitude 91 in Web Mercator: %v", err)
	}
}

// Many goroutines share one Reprojector (go test -race checks it).
func TestReprojectConcurrently(t *testing.T) {
	var r Reprojector
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				g, err := r.Reproject(orb.LineString{{700000, 6600000}, {700000 + float64(i), 6600000}}, 2154, WGS84)
				if err != nil {
					errs <- err
					return
				}
				if p := g.(orb.LineString)[0]; math.Abs(p[0]-3) > 1e-9 {
					errs <- fmt.Errorf("got %v", p)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
