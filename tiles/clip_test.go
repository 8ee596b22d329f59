package tiles

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/maptile/tilecover"
	"github.com/paulmach/orb/planar"

	"github.com/patrimap/patrimap/geo"
	"github.com/patrimap/patrimap/store"
)

var clipBound = orb.Bound{Min: orb.Point{-Buffer, -Buffer}, Max: orb.Point{Extent + Buffer, Extent + Buffer}}

// checkClip clips p to clipBound and checks the result against GEOS's intersection: the same area, GEOS-valid.
func checkClip(t *testing.T, topo *geo.Topology, name string, p orb.Polygon) orb.MultiPolygon {
	t.Helper()
	out, ok := clipPolygon(clipBound, p)
	if !ok {
		t.Errorf("%s: not clipped", name)
		return nil
	}
	box := orb.Polygon{{clipBound.Min, {clipBound.Max[0], clipBound.Min[1]}, clipBound.Max, {clipBound.Min[0], clipBound.Max[1]}, clipBound.Min}}
	want, err := topo.Intersection(p, box)
	if err != nil {
		t.Fatal(err)
	}
	if wa, ga := geo.Area(want), geo.Area(out); math.Abs(wa-ga) > 1e-7*math.Max(1, wa) {
		t.Errorf("%s: area %.3f, GEOS's intersection %.3f", name, ga, wa)
	}
	if len(out) > 0 {
		if ok, err := topo.Valid(out); err != nil || !ok {
			t.Errorf("%s: not valid for GEOS (%v): %v", name, err, out)
		}
	}
	return out
}

func TestClipPolygonCases(t *testing.T) {
	var topo geo.Topology
	rect := func(x0, y0, x1, y1 float64) orb.Ring {
		return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
	}
	// A U whose two arms cross the left edge: two pieces inside, joined outside.
	u := orb.Ring{{-500, 100}, {1000, 100}, {1000, 300}, {-200, 300}, {-200, 700}, {1000, 700}, {1000, 900}, {-500, 900}, {-500, 100}}
	for name, tc := range map[string]struct {
		p     orb.Polygon
		parts int
		holes int
	}{
		"U across the left edge":        {orb.Polygon{u}, 2, 0},
		"U wound the other way":         {orb.Polygon{u.Clone()}, 2, 0},
		"tile inside the site":          {orb.Polygon{rect(-1000, -1000, 5000, 5000)}, 1, 0},
		"tile inside the site's hole":   {orb.Polygon{rect(-2000, -2000, 6000, 6000), rect(-1000, -1000, 5000, 5000)}, 0, 0},
		"hole across the top edge":      {orb.Polygon{rect(-1000, -1000, 5000, 5000), rect(1000, -200, 2000, 500)}, 1, 0},
		"hole inside the tile":          {orb.Polygon{rect(-1000, 100, 5000, 900), rect(1000, 200, 2000, 500)}, 1, 1},
		"holes in two pieces":           {orb.Polygon{u, rect(100, 150, 200, 250), rect(100, 750, 200, 850)}, 2, 2},
		"site outside the tile":         {orb.Polygon{rect(5000, 5000, 6000, 6000)}, 0, 0},
		"site across a corner":          {orb.Polygon{rect(-1000, -1000, 100, 100)}, 1, 0},
		"site across two edges and out": {orb.Polygon{rect(-1000, 1000, 5000, 2000)}, 1, 0},
	} {
		if name == "U wound the other way" {
			tc.p[0].Reverse()
		}
		out := checkClip(t, &topo, name, tc.p)
		holes := 0
		for _, q := range out {
			holes += len(q) - 1
		}
		if len(out) != tc.parts || holes != tc.holes {
			t.Errorf("%s: %d parts, %d holes, want %d and %d: %v", name, len(out), holes, tc.parts, tc.holes, out)
		}
	}
	// A hole touching its shell where both cross the edge: two pieces' ends at one point, left to orb's clip.
	touch := orb.Polygon{rect(-1000, 1000, 1000, 3000), {{-Buffer, 1000}, {500, 1500}, {-500, 1500}, {-Buffer, 1000}}}
	if ok, err := topo.Valid(touch); err != nil || !ok {
		t.Fatalf("the touching hole's site is not valid: %v", err)
	}
	if _, ok := clipPolygon(clipBound, touch); ok {
		t.Errorf("pieces meeting on the edge: clipped, want them left to orb's clip")
	}
}

// TestClipPolygonRealSites clips the real ZNIEFF 1 of the Oise to every z12 and z14 tile they cross: the same
// area as GEOS's intersection and GEOS-valid, where orb's clip, which joins a site's pieces inside the tile
// by zero-width corridors along its edge, is not valid for many.
func TestClipPolygonRealSites(t *testing.T) {
	fc := oiseZNIEFF(t)
	var topo geo.Topology
	clipped, pieces, orbInvalid := 0, 0, 0
	for i, f := range fc.Features {
		for _, z := range []maptile.Zoom{12, 14} {
			tls := sortedCover(t, f.Geometry, z)
			for _, tl := range firstN(tls, 40) {
				proj := newProjection(tl)
				for _, p := range geo.Polygons(proj.toTile(f.Geometry)) {
					if b := ringBound(p[0]); !b.Intersects(clipBound) || (clipBound.Contains(b.Min) && clipBound.Contains(b.Max)) {
						continue
					}
					clipped++
					out := checkClip(t, &topo, "site "+f.Properties.MustString("NOM", "")+" tile "+tileName(tl), p)
					pieces += len(out)
					if q := clip.Polygon(clipBound, p.Clone()); len(q) > 0 {
						if ok, _ := topo.Valid(q); !ok {
							orbInvalid++
						}
					}
				}
			}
		}
		if t.Failed() {
			t.Fatalf("stopped at site %d", i)
		}
	}
	t.Logf("%d polygons cut by a tile's edge into %d pieces; orb's clip made %d of them invalid", clipped, pieces, orbInvalid)
	if clipped < 200 || pieces <= clipped || orbInvalid == 0 {
		t.Errorf("%d polygons clipped into %d pieces, %d invalid by orb's clip: the sites no longer test cutting a polygon in pieces", clipped, pieces, orbInvalid)
	}
}

// TestFullGeometryTilesDrawTheSites renders z12 and z14 tiles across the largest real ZNIEFF 1 of the Oise
// from their full geometries (cut to the tile in WGS84 before projection, cutToTile): every site drawn is
// valid for GEOS and covers, within the grid's rounding (and the simplification's at z12), the area of the
// site's intersection with the buffered tile that GEOS computes; no site with a drawable area there is missing.
func TestFullGeometryTilesDrawTheSites(t *testing.T) {
	fc := oiseZNIEFF(t)
	src := make(fakeSource, len(fc.Features))
	for i, f := range fc.Features {
		src[i] = store.Feature{FID: int64(i + 1), Geometry: f.Geometry}
	}
	// The five sites of most vertices.
	big := make([]int, len(src))
	for i := range big {
		big[i] = i
	}
	vertices := func(g orb.Geometry) (n int) {
		for _, p := range geo.Polygons(g) {
			for _, r := range p {
				n += len(r)
			}
		}
		return n
	}
	slices.SortFunc(big, func(a, b int) int { return vertices(src[b].Geometry) - vertices(src[a].Geometry) })
	layers := []Layer{NewLayer(store.Dataset{DatasetInfo: store.DatasetInfo{ID: "znieff1"}, GeometryType: "MULTIPOLYGON"})}
	r := geosRenderer()
	var topo geo.Topology
	box := orb.Polygon{{clipBound.Min, {clipBound.Max[0], clipBound.Min[1]}, clipBound.Max, {clipBound.Min[0], clipBound.Max[1]}, clipBound.Min}}
	ctx := context.Background()
	drawn, cut := 0, 0
	for _, z := range []maptile.Zoom{12, 14} {
		seen := map[maptile.Tile]bool{}
		for _, i := range big[:5] {
			for _, tl := range firstN(sortedCover(t, src[i].Geometry, z), 12) {
				if seen[tl] {
					continue
				}
				seen[tl] = true
				b, _, err := r.Render(ctx, src, layers, tl, MVT)
				if err != nil {
					t.Fatal(err)
				}
				ls, err := DecodeMVT(b)
				if err != nil {
					t.Fatal(err)
				}
				got := map[uint64]orb.Geometry{}
				for _, l := range ls {
					for _, f := range l.Features {
						got[f.ID] = f.Geometry
					}
				}
				proj := newProjection(tl)
				for _, sf := range src {
					if !sf.Geometry.Bound().Intersects(tileBound(tl, Buffer)) {
						continue
					}
					want, err := topo.Intersection(proj.toTile(sf.Geometry), box)
					if err != nil {
						t.Fatal(err)
					}
					wa, g := geo.Area(want), got[uint64(sf.FID)]
					if g == nil {
						if wa > 4*MinSize*MinSize {
							t.Errorf("tile %s: site %d (%.0f units² in the tile) is missing", tileName(tl), sf.FID, wa)
						}
						continue
					}
					drawn++
					if !isSquare(g) && wa < (Extent+2*Buffer)*(Extent+2*Buffer)-1 {
						cut++
					}
					if ok, err := topo.Valid(g); err != nil || !ok {
						t.Errorf("tile %s: site %d is not valid for GEOS (%v)", tileName(tl), sf.FID, err)
					}
					// Each vertex moves by at most half a unit on the grid (and by the tolerance at z12).
					slack := 0.75*planar.Length(want) + 1
					if z < MaxZoom {
						slack = 2*Tolerance*planar.Length(want) + 1
					}
					if ga := geo.Area(g); !isSquare(g) && math.Abs(ga-wa) > slack {
						t.Errorf("tile %s: site %d drawn over %.0f units², GEOS's intersection %.0f (± %.0f)", tileName(tl), sf.FID, ga, wa, slack)
					}
				}
			}
		}
	}
	t.Logf("%d sites drawn, %d of them cut by a tile's edge", drawn, cut)
	if cut < 20 {
		t.Errorf("only %d sites cut by a tile's edge: the tiles no longer test the cut", cut)
	}
}

func oiseZNIEFF(t *testing.T) *geojson.FeatureCollection {
	t.Helper()
	var fc *geojson.FeatureCollection
	b, err := os.ReadFile("../testdata/inpn-geojson/znieff1/oise60_znieff1.geojson")
	if err == nil {
		fc, err = geojson.UnmarshalFeatureCollection(b)
	}
	if err != nil {
		t.Fatal(err)
	}
	return fc
}

// sortedCover is the tiles of zoom z that g's polygons cross, in x then y order.
func sortedCover(t *testing.T, g orb.Geometry, z maptile.Zoom) []maptile.Tile {
	t.Helper()
	cover, err := tilecover.Geometry(g, z)
	if err != nil {
		t.Fatal(err)
	}
	tls := make([]maptile.Tile, 0, len(cover))
	for tl := range cover {
		tls = append(tls, tl)
	}
	slices.SortFunc(tls, func(a, b maptile.Tile) int { return cmp.Or(cmp.Compare(a.X, b.X), cmp.Compare(a.Y, b.Y)) })
	return tls
}

func tileName(tl maptile.Tile) string { return fmt.Sprintf("%d/%d/%d", tl.Z, tl.X, tl.Y) }

func firstN[T any](s []T, n int) []T { return s[:min(len(s), n)] }

// FuzzClipPolygon clips polygons of a few vertices on a small grid around a small box, where vertices and
// edges on the box's edge are common: clipPolygon never panics, and for a polygon GEOS finds valid, what it
// clips has GEOS's intersection's area and is valid unless its rings touch (or it declines and orb's clip is
// used).
func FuzzClipPolygon(f *testing.F) {
	f.Add([]byte{0, 0, 12, 0, 12, 12, 0, 12}, []byte{})                           // the box inside the site
	f.Add([]byte{2, 2, 6, 2, 6, 6, 2, 6}, []byte{})                               // the site inside the box
	f.Add([]byte{0, 6, 10, 6, 10, 7, 1, 7, 1, 9, 10, 9, 10, 10, 0, 10}, []byte{}) // a U across the right edge
	f.Add([]byte{0, 0, 12, 0, 12, 12, 0, 12}, []byte{3, 3, 9, 3, 9, 9, 3, 9})     // a hole across every edge
	f.Add([]byte{4, 0, 8, 4, 4, 8, 0, 4}, []byte{4, 4, 5, 5, 4, 6})               // corners on the edges
	var topo geo.Topology
	box := orb.Bound{Min: orb.Point{2, 2}, Max: orb.Point{10, 10}}
	boxPolygon := orb.Polygon{{box.Min, {box.Max[0], box.Min[1]}, box.Max, {box.Min[0], box.Max[1]}, box.Min}}
	ring := func(b []byte) orb.Ring {
		var r orb.Ring
		for i := 0; i+1 < len(b) && len(r) < 12; i += 2 {
			r = append(r, orb.Point{float64(b[i] % 13), float64(b[i+1] % 13)})
		}
		if len(r) < 3 {
			return nil
		}
		return append(r, r[0])
	}
	f.Fuzz(func(t *testing.T, shell, hole []byte) {
		p := orb.Polygon{ring(shell)}
		if p[0] == nil {
			return
		}
		if h := ring(hole); h != nil {
			p = append(p, h)
		}
		out, ok := clipPolygon(box, p)
		if valid, err := topo.Valid(p); err != nil || !valid || !ok {
			return
		}
		want, err := topo.Intersection(p, boxPolygon)
		if err != nil {
			t.Fatal(err)
		}
		if wa, ga := geo.Area(want), geo.Area(out); math.Abs(wa-ga) > 1e-9 {
			t.Errorf("%v: area %v, GEOS's intersection %v: %v", p, ga, wa, out)
		}
		// Where a hole touches its shell, the clipped edge through the point of contact runs through its
		// computed ends, a rounding away from it: GEOS may then find them crossing.
		if len(out) > 0 && !ringsTouch(p) {
			if valid, err := topo.Valid(out); err != nil || !valid {
				t.Errorf("%v: clipped to %v, not valid for GEOS (%v)", p, out, err)
			}
		}
	})
}

// ringsTouch says whether a vertex of one of p's rings lies on another ring.
func ringsTouch(p orb.Polygon) bool {
	for i, r := range p {
		for j, o := range p {
			if i == j {
				continue
			}
			for _, q := range r {
				for k := 0; k+1 < len(o); k++ {
					if orient(o[k], o[k+1], q) == 0 && onSegment(o[k], o[k+1], q) {
						return true
					}
				}
			}
		}
	}
	return false
}
