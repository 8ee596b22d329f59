package geo

import (
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/project"
	"github.com/paulmach/orb/simplify"
)

// agree checks quickValidity against GEOS on mp and counts its verdicts; a settled verdict that GEOS
// contradicts fails the test.
func agree(t *testing.T, topo *Topology, what string, mp orb.MultiPolygon, onGrid bool, counts map[quickVerdict]int) {
	t.Helper()
	v := quickValidity(mp, onGrid)
	counts[v]++
	if v == quickUnsure {
		return
	}
	ok, err := topo.Valid(mp)
	if err != nil {
		t.Fatalf("%s: GEOS: %v", what, err)
	}
	if ok != (v == quickValid) {
		t.Errorf("%s: quickValidity says valid=%v, GEOS %v: %v", what, v == quickValid, ok, mp)
	}
}

// The real sites of five INPN layers (Isère's biotope orders, reserves, conservatory sites, park, and the
// Oise ZNIEFF 1), as delivered, and simplified on every pyramid zoom's grid, before and after rounding as
// snapToGrid rounds them: wherever quickValidity settles a polygon, GEOS agrees, and it settles most of them
// (the reason it exists).
func TestQuickValidityAgreesWithGEOSOnRealSites(t *testing.T) {
	var topo Topology
	counts, floats := map[quickVerdict]int{}, map[quickVerdict]int{}
	for _, file := range []string{"apb-isere.geojson", "rnn-isere.geojson", "cen-isere.geojson", "pn-isere.geojson", "inpn-geojson/znieff1/oise60_znieff1.geojson"} {
		for i, f := range testFeatures(t, file) {
			// As delivered, in degrees (some invalid), then made valid, then each zoom's simplified copy
			// before rounding: off the grid.
			if mp := polygons(f.Geometry); mp != nil {
				agree(t, &topo, file+" feature "+strconv.Itoa(i), mp, false, floats)
			}
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
				if len(drawn) > 0 {
					agree(t, &topo, file+" feature "+strconv.Itoa(i)+" z"+strconv.Itoa(z)+" unrounded", drawn, false, floats)
				}
				rounded := project.MultiPolygon(drawn, func(p orb.Point) orb.Point { return orb.Point{math.Round(p[0]), math.Round(p[1])} })
				if len(rounded) > 0 {
					agree(t, &topo, file+" feature "+strconv.Itoa(i)+" z"+strconv.Itoa(z), rounded, true, counts)
				}
			}
		}
	}
	total := counts[quickValid] + counts[quickInvalid] + counts[quickUnsure]
	t.Logf("%d polygons: %d proven valid, %d proven invalid, %d left to GEOS", total, counts[quickValid], counts[quickInvalid], counts[quickUnsure])
	t.Logf("off the grid: %d proven valid, %d proven invalid, %d left to GEOS", floats[quickValid], floats[quickInvalid], floats[quickUnsure])
	if counts[quickValid] < total/2 || counts[quickInvalid] == 0 || floats[quickValid] < total/2 || floats[quickInvalid] == 0 {
		t.Errorf("quickValidity settled %v on the grid, %v off it", counts, floats)
	}
}

// Random small polygons on a 7×7 grid, where rings touch, cross, fold back and nest all the time: every
// verdict quickValidity gives is GEOS's.
func TestQuickValidityAgreesWithGEOSOnRandomPolygons(t *testing.T) {
	var topo Topology
	rng := rand.New(rand.NewPCG(16, 7))
	counts, floats := map[quickVerdict]int{}, map[quickVerdict]int{}
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
		agree(t, &topo, "random "+strconv.Itoa(i), mp, true, counts)
		agree(t, &topo, "random "+strconv.Itoa(i)+" as floats", mp, false, floats)
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
		agree(t, &topo, "boxes "+strconv.Itoa(i), mp, true, counts)
		agree(t, &topo, "boxes "+strconv.Itoa(i)+" as floats", mp, false, floats)
		// Moved by a few units in the last place, which the float filter must see as too close to call
		// where edges meet, and still settle elsewhere.
		nudged := orb.Clone(mp).(orb.MultiPolygon)
		for _, p := range nudged {
			for _, r := range p {
				for k := range r[:len(r)-1] {
					r[k] = orb.Point{r[k][0] + float64(rng.IntN(5)-2)*1e-15*r[k][0], r[k][1] + float64(rng.IntN(5)-2)*1e-15*r[k][1]}
				}
				r[len(r)-1] = r[0]
			}
		}
		agree(t, &topo, "boxes "+strconv.Itoa(i)+" nudged", nudged, false, floats)
	}
	t.Logf("verdicts: %d valid, %d invalid, %d unsure", counts[quickValid], counts[quickInvalid], counts[quickUnsure])
	t.Logf("as floats: %d valid, %d invalid, %d unsure", floats[quickValid], floats[quickInvalid], floats[quickUnsure])
	if counts[quickValid] < 1000 || counts[quickInvalid] < 1000 || floats[quickValid] < 1000 || floats[quickInvalid] < 1000 {
		t.Errorf("too few settled verdicts to say anything: %v on the grid, %v as floats", counts, floats)
	}
}

// Off the grid, unclosed or too far out, quickValidity leaves the polygon to GEOS.
func TestQuickValidityLeavesOffGridToGEOS(t *testing.T) {
	square := orb.Ring{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}
	if v := quickValidity(orb.MultiPolygon{{square}}, true); v != quickValid {
		t.Fatalf("a square: %v, want valid", v)
	}
	for name, r := range map[string]orb.Ring{
		"off the grid": {{0, 0}, {4.5, 0}, {4, 4}, {0, 4}, {0, 0}},
		"unclosed":     {{0, 0}, {4, 0}, {4, 4}, {0, 4}},
		"too far":      {{0, 0}, {1 << 25, 0}, {4, 4}, {0, 4}, {0, 0}},
		"NaN":          {{0, 0}, {math.NaN(), 0}, {4, 4}, {0, 4}, {0, 0}},
	} {
		if v := quickValidity(orb.MultiPolygon{{r}}, true); v != quickUnsure {
			t.Errorf("%s: %v, want unsure", name, v)
		}
	}
}

// BenchmarkQuickValidity checks the Oise ZNIEFF 1 sites as delivered (degrees) with quickValidity and, for
// reference in the same run, with GEOS's IsValid (the WKB conversion included, as Topology.MakeValid did it),
// in turns, and reports the ratio of their times.
//
//	go test -run '^$' -bench QuickValidity ./geo/
func BenchmarkQuickValidity(b *testing.B) {
	var sites []orb.MultiPolygon
	for _, f := range testFeatures(b, "inpn-geojson/znieff1/oise60_znieff1.geojson") {
		if mp := polygons(f.Geometry); mp != nil {
			sites = append(sites, mp)
		}
	}
	var (
		topo        Topology
		quick, geos time.Duration
	)
	for b.Loop() {
		start := time.Now()
		for _, mp := range sites {
			topo.quick(mp, false)
		}
		quick += time.Since(start)
		start = time.Now()
		for _, mp := range sites {
			if _, err := topo.Valid(mp); err != nil {
				b.Fatal(err)
			}
		}
		geos += time.Since(start)
	}
	b.ReportMetric(float64(quick.Microseconds())/float64(b.N), "quick-µs/op")
	b.ReportMetric(float64(geos.Microseconds())/float64(b.N), "GEOS-µs/op")
	b.ReportMetric(float64(quick)/float64(geos), "quick/GEOS")
}

// testFeatures reads the features of a GeoJSON file under testdata/.
func testFeatures(tb testing.TB, file string) []*geojson.Feature {
	tb.Helper()
	b, err := os.ReadFile("../testdata/" + file)
	if err != nil {
		tb.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		tb.Fatal(err)
	}
	return fc.Features
}

// FuzzQuickValidity builds one or two polygons of small rings on a 16×16 grid from the input (a byte a
// vertex, a zero byte closing a ring, a 0xff byte starting the next polygon), once as grid integers and
// once moved off the grid, and fails where quickValidity settles a verdict GEOS does not give.
func FuzzQuickValidity(f *testing.F) {
	f.Add([]byte{0x00, 0x40, 0x44, 0x04, 0})                      // a square
	f.Add([]byte{0x00, 0x80, 0x88, 0x08, 0, 0x22, 0x26, 0x66, 0}) // a hole touching nothing
	f.Add([]byte{0x00, 0x44, 0x40, 0x04, 0})                      // a bow tie
	f.Add([]byte{0x00, 0x40, 0x44, 0, 0xff, 0x40, 0x80, 0x84, 0x44, 0})
	var topo Topology
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 64 {
			return
		}
		var mp orb.MultiPolygon
		var p orb.Polygon
		var r orb.Ring
		closeRing := func() {
			if len(r) > 0 {
				p = append(p, append(r, r[0]))
			}
			r = nil
		}
		for _, c := range b {
			switch c {
			case 0:
				closeRing()
			case 0xff:
				closeRing()
				if len(p) > 0 {
					mp = append(mp, p)
				}
				p = nil
			default:
				r = append(r, orb.Point{float64(c >> 4), float64(c & 15)})
			}
		}
		closeRing()
		if len(p) > 0 {
			mp = append(mp, p)
		}
		if len(mp) == 0 {
			return
		}
		check := func(what string, mp orb.MultiPolygon, onGrid bool) {
			v := quickValidity(mp, onGrid)
			if v == quickUnsure {
				return
			}
			ok, err := topo.Valid(mp)
			if err != nil {
				return // GEOS refuses it (a ring of under four points): nothing to compare
			}
			if ok != (v == quickValid) {
				t.Fatalf("%s: quickValidity says valid=%v, GEOS %v: %v", what, v == quickValid, ok, mp)
			}
		}
		check("on the grid", mp, true)
		// Off the grid: degrees near Grenoble, where a grid unit is a tenth of a millidegree.
		moved := orb.Clone(mp).(orb.MultiPolygon)
		for _, p := range moved {
			for _, r := range p {
				for k := range r {
					r[k] = orb.Point{5.7 + r[k][0]*1e-4, 45.1 + r[k][1]*1e-4}
				}
			}
		}
		check("off the grid", moved, false)
	})
}
