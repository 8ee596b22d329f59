package geo

import (
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/project"
	"github.com/paulmach/orb/simplify"
)

// agree checks gridValidity against GEOS on mp and counts its verdicts; a settled verdict that GEOS
// contradicts fails the test.
func agree(t *testing.T, topo *Topology, what string, mp orb.MultiPolygon, counts map[gridVerdict]int) {
	t.Helper()
	v := gridValidity(mp)
	counts[v]++
	if v == gridUnsure {
		return
	}
	ok, err := topo.Valid(mp)
	if err != nil {
		t.Fatalf("%s: GEOS: %v", what, err)
	}
	if ok != (v == gridValid) {
		t.Errorf("%s: gridValidity says valid=%v, GEOS %v: %v", what, v == gridValid, ok, mp)
	}
}

// The real sites of five INPN layers (Isère's biotope orders, reserves, conservatory sites, park, and the
// Oise ZNIEFF 1), simplified and rounded on every pyramid zoom's grid as snapToGrid rounds them: wherever
// gridValidity settles a polygon, GEOS agrees, and it settles most of them (the reason it exists).
func TestGridValidityAgreesWithGEOSOnRealSites(t *testing.T) {
	var topo Topology
	counts := map[gridVerdict]int{}
	for _, file := range []string{"apb-isere.geojson", "rnn-isere.geojson", "cen-isere.geojson", "pn-isere.geojson", "inpn-geojson/znieff1/oise60_znieff1.geojson"} {
		b, err := os.ReadFile("../testdata/" + file)
		if err != nil {
			t.Fatal(err)
		}
		fc, err := geojson.UnmarshalFeatureCollection(b)
		if err != nil {
			t.Fatal(err)
		}
		for i, f := range fc.Features {
			g, _, _ := topo.MakeValid(f.Geometry)
			mp := polygonal(g)
			if mp == nil {
				continue
			}
			for z := 0; z <= 10; z++ {
				scale := math.Ldexp(tileGrid.Extent, z)
				drawn := project.MultiPolygon(orb.Clone(mp).(orb.MultiPolygon), func(p orb.Point) orb.Point {
					m := Mercator(p)
					return orb.Point{m[0] * scale, m[1] * scale}
				})
				drawn = simplify.DouglasPeucker(tileGrid.Tolerance).MultiPolygon(drawn)
				rounded := project.MultiPolygon(drawn, func(p orb.Point) orb.Point { return orb.Point{math.Round(p[0]), math.Round(p[1])} })
				if len(rounded) > 0 {
					agree(t, &topo, file+" feature "+strconv.Itoa(i)+" z"+strconv.Itoa(z), rounded, counts)
				}
			}
		}
	}
	total := counts[gridValid] + counts[gridInvalid] + counts[gridUnsure]
	t.Logf("%d polygons: %d proven valid, %d proven invalid, %d left to GEOS", total, counts[gridValid], counts[gridInvalid], counts[gridUnsure])
	if counts[gridValid] < total/2 || counts[gridInvalid] == 0 {
		t.Errorf("gridValidity settled %d valid and %d invalid of %d", counts[gridValid], counts[gridInvalid], total)
	}
}

// Random small polygons on a 7×7 grid, where rings touch, cross, fold back and nest all the time: every
// verdict gridValidity gives is GEOS's.
func TestGridValidityAgreesWithGEOSOnRandomPolygons(t *testing.T) {
	var topo Topology
	rng := rand.New(rand.NewPCG(16, 7))
	counts := map[gridVerdict]int{}
	ring := func() orb.Ring {
		n := 3 + rng.IntN(5)
		r := make(orb.Ring, 0, n+1)
		for range n {
			r = append(r, orb.Point{float64(rng.IntN(7)), float64(rng.IntN(7))})
		}
		return append(r, r[0])
	}
	for i := range 20000 {
		var mp orb.MultiPolygon
		for range 1 + rng.IntN(2) {
			p := orb.Polygon{ring()}
			for range rng.IntN(3) {
				p = append(p, ring())
			}
			mp = append(mp, p)
		}
		agree(t, &topo, "random "+strconv.Itoa(i), mp, counts)
	}
	// Boxes and their holes, which are valid far more often than random rings.
	box := func(x, y, w, h float64) orb.Ring {
		return orb.Ring{{x, y}, {x + w, y}, {x + w, y + h}, {x, y + h}, {x, y}}
	}
	for i := range 20000 {
		var mp orb.MultiPolygon
		for range 1 + rng.IntN(3) {
			x, y := float64(rng.IntN(20)), float64(rng.IntN(20))
			p := orb.Polygon{box(x, y, float64(1+rng.IntN(12)), float64(1+rng.IntN(12)))}
			for range rng.IntN(3) {
				p = append(p, box(float64(rng.IntN(20)), float64(rng.IntN(20)), float64(1+rng.IntN(4)), float64(1+rng.IntN(4))))
			}
			mp = append(mp, p)
		}
		agree(t, &topo, "boxes "+strconv.Itoa(i), mp, counts)
	}
	t.Logf("verdicts: %d valid, %d invalid, %d unsure", counts[gridValid], counts[gridInvalid], counts[gridUnsure])
	if counts[gridValid] < 1000 || counts[gridInvalid] < 1000 {
		t.Errorf("too few settled verdicts to say anything: %v", counts)
	}
}

// Off the grid, unclosed or too far out, gridValidity leaves the polygon to GEOS.
func TestGridValidityLeavesOffGridToGEOS(t *testing.T) {
	square := orb.Ring{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}
	if v := gridValidity(orb.MultiPolygon{{square}}); v != gridValid {
		t.Fatalf("a square: %v, want valid", v)
	}
	for name, r := range map[string]orb.Ring{
		"off the grid": {{0, 0}, {4.5, 0}, {4, 4}, {0, 4}, {0, 0}},
		"unclosed":     {{0, 0}, {4, 0}, {4, 4}, {0, 4}},
		"too far":      {{0, 0}, {1 << 25, 0}, {4, 4}, {0, 4}, {0, 0}},
		"NaN":          {{0, 0}, {math.NaN(), 0}, {4, 4}, {0, 4}, {0, 0}},
	} {
		if v := gridValidity(orb.MultiPolygon{{r}}); v != gridUnsure {
			t.Errorf("%s: %v, want unsure", name, v)
		}
	}
}
