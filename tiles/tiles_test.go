package tiles

import (
	"context"
	"errors"
	"math"
	"math/rand"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/patrimap/patrimap/store"
)

func TestParseTile(t *testing.T) {
	for _, tc := range []struct {
		z, x, y string
		err     error
	}{
		{"0", "0", "0", nil}, {"14", "16383", "16383", nil},
		{"15", "0", "0", ErrNoTile}, {"3", "8", "0", ErrNoTile}, {"3", "0", "8", ErrNoTile},
		{"a", "0", "0", ErrBadTile}, {"3", "-1", "0", ErrBadTile}, {"3", "0", "1.5", ErrBadTile},
	} {
		_, err := ParseTile(tc.z, tc.x, tc.y)
		if !errors.Is(err, tc.err) && !(err == nil && tc.err == nil) {
			t.Errorf("%s/%s/%s: %v, want %v", tc.z, tc.x, tc.y, err, tc.err)
		}
	}
}

// fakeSource serves fixed features (a Catalog-like seam: no database needed).
type fakeSource []store.Feature

func (fs fakeSource) TileFeatures(_ context.Context, _ store.Dataset, b orb.Bound, _ []string, each func(*store.Feature) error) error {
	for i := range fs {
		if fs[i].Geometry.Bound().Intersects(b) {
			if err := each(&fs[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

func square1(lon, lat, side float64) orb.Polygon {
	return orb.Polygon{{{lon, lat}, {lon + side, lat}, {lon + side, lat + side}, {lon, lat + side}, {lon, lat}}}
}

// A site smaller than a pixel becomes a MinSize square at low zoom and keeps its shape when zoomed in; a
// large site stays a valid polygon at every zoom; ids and attributes survive.
func TestRenderTinySiteNeverVanishes(t *testing.T) {
	layer := Layer{Dataset: store.Dataset{DatasetInfo: store.DatasetInfo{ID: "sites"}, GeometryType: "POLYGON"},
		Fields: []store.Field{{Name: "name", Type: store.FieldText}}}
	src := fakeSource{
		{FID: 7, Geometry: square1(5.0, 45.0, 0.0005), Values: []any{"mare"}},    // 50 m
		{FID: 9, Geometry: square1(5.2, 45.2, 0.2), Values: []any{"grand site"}}, // 20 km
	}
	r := &Renderer{}
	for z := 0; z <= MaxZoom; z++ {
		tile := maptile.At(orb.Point{5.00025, 45.00025}, maptile.Zoom(z))
		b, st, err := r.Render(context.Background(), src, []Layer{layer}, tile, MVT)
		if err != nil {
			t.Fatal(err)
		}
		ls, err := DecodeMVT(b)
		if err != nil || len(ls) != 1 || ls[0].Name != "sites" {
			t.Fatalf("z%d: %v %v", z, ls, err)
		}
		var tiny *MVTFeature
		for i, f := range ls[0].Features {
			if f.ID == 7 {
				tiny = &ls[0].Features[i]
			}
			p, ok := f.Geometry.(orb.Polygon)
			if !ok || !validPolygons(orb.MultiPolygon{p}) {
				t.Errorf("z%d feature %d: %T invalid", z, f.ID, f.Geometry)
			}
		}
		if tiny == nil || tiny.Properties["name"] != "mare" {
			t.Fatalf("z%d: the 50 m site vanished (%+v)", z, ls[0].Features)
		}
		side := width(tiny.Geometry.Bound())
		// 50 m is under 16 tile units until zoom 12 or so: a MinSize square, then its own shape.
		if z <= 10 && (side != MinSize || st.Squares == 0) {
			t.Errorf("z%d: tiny site is %v units wide, want a %d square", z, side, MinSize)
		}
		if z == MaxZoom && side <= MinSize {
			t.Errorf("z%d: tiny site should have its own shape, %v units", z, side)
		}
	}
}

// Simplification never ships an invalid polygon: a comb whose teeth DP would merge stays valid.
func TestGeneraliseKeepsCombValid(t *testing.T) {
	var ring orb.Ring
	ring = append(ring, orb.Point{0, 0})
	for i := 0; i < 50; i++ {
		x := float64(i) * 20
		ring = append(ring, orb.Point{x + 2, 0}, orb.Point{x + 2, 300}, orb.Point{x + 4, 300}, orb.Point{x + 4, 1})
	}
	ring = append(ring, orb.Point{1000, 0}, orb.Point{1000, -50}, orb.Point{0, -50}, orb.Point{0, 0})
	g := &generaliser{tol: 8, bound: orb.Bound{Min: orb.Point{-64, -64}, Max: orb.Point{4160, 4160}}}
	out, _ := g.polygons(orb.MultiPolygon{{ring}})
	if out == nil {
		t.Fatal("comb vanished")
	}
	mp, ok := out.(orb.MultiPolygon)
	if !ok {
		mp = orb.MultiPolygon{out.(orb.Polygon)}
	}
	if !validPolygons(mp) {
		t.Errorf("comb invalid after generalisation: %v", mp)
	}
}

func TestValidPolygons(t *testing.T) {
	sq := orb.Ring{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}
	bow := orb.Ring{{0, 0}, {10, 10}, {10, 0}, {0, 10}, {0, 0}}
	hole := orb.Ring{{2, 2}, {2, 4}, {4, 4}, {4, 2}, {2, 2}}
	outside := orb.Ring{{20, 20}, {20, 24}, {24, 24}, {24, 20}, {20, 20}}
	for name, tc := range map[string]struct {
		mp   orb.MultiPolygon
		want bool
	}{
		"square": {orb.MultiPolygon{{sq}}, true}, "bow tie": {orb.MultiPolygon{{bow}}, false},
		"hole": {orb.MultiPolygon{{sq, hole}}, true}, "hole outside": {orb.MultiPolygon{{sq, outside}}, false},
		"overlapping parts": {orb.MultiPolygon{{sq}, {orb.Ring{{5, 5}, {15, 5}, {15, 15}, {5, 15}, {5, 5}}}}, false},
	} {
		if got := validPolygons(tc.mp); got != tc.want {
			t.Errorf("%s: %v, want %v", name, got, tc.want)
		}
	}
}

func TestMVTRoundTrip(t *testing.T) {
	in := []MVTLayer{{Name: "a", Extent: Extent, Features: []MVTFeature{
		{ID: 3, Geometry: orb.Polygon{{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}}, Properties: map[string]any{"s": "x", "i": int64(-4), "f": 1.5, "b": true}},
		{ID: 4, Geometry: orb.Point{5, 6}},
		{ID: 5, Geometry: orb.LineString{{1, 1}, {2, 3}}},
	}}}
	b, err := EncodeMVT(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := DecodeMVT(b)
	if err != nil || len(out) != 1 || len(out[0].Features) != 3 {
		t.Fatalf("%v %v", out, err)
	}
	f := out[0].Features[0]
	if f.ID != 3 || f.Properties["s"] != "x" || f.Properties["i"] != float64(-4) /* orb decodes every number as float64 */ || f.Properties["f"] != 1.5 || f.Properties["b"] != true {
		t.Errorf("feature %+v", f)
	}
	if p := out[0].Features[1].Geometry; p != (orb.Point{5, 6}) {
		t.Errorf("point %v", p)
	}
}

// The cache is bounded in bytes, and Retire drops exactly one dataset's older versions.
func TestCache(t *testing.T) {
	c := NewCache(10_000)
	key := func(ds string, x uint32) Key { return Key{Datasets: ds, Tile: maptile.New(x, 0, 5), Format: MVT} }
	put := func(k Key, n int) {
		c.Get(k, func() (*Entry, error) { return &Entry{Data: make([]byte, n)}, nil })
	}
	put(key("a@1", 0), 1000)
	put(key("b@1", 0), 1000)
	put(key("a@1,b@1", 0), 1000)
	if _, hit, _ := c.Get(key("a@1", 0), nil); !hit {
		t.Error("a@1 not cached")
	}
	c.Retire("a", 2)
	if c.Has(key("a@1", 0)) || c.Has(key("a@1,b@1", 0)) || !c.Has(key("b@1", 0)) {
		t.Errorf("retiring a@1 left %+v", c.Stats())
	}
	for i := uint32(0); i < 30; i++ {
		put(key("b@1", i+1), 1000)
	}
	if s := c.Stats(); s.Bytes > 10_000 || s.Tiles > 10 {
		t.Errorf("cache over its bound: %+v", s)
	}
	// A tile made from a version older than one seen is not kept.
	put(key("a@1", 9), 10)
	if c.Has(key("a@1", 9)) {
		t.Error("stale version cached")
	}
}

// Dense points are thinned on a grid that grows as the zoom falls: a low-zoom tile stays small, every
// occupied cell keeps a point (no area of the map goes blank), and the maximum zoom keeps every point.
func TestDensePointsThinnedPerZoom(t *testing.T) {
	layer := Layer{Dataset: store.Dataset{DatasetInfo: store.DatasetInfo{ID: "pts"}, GeometryType: "POINT"}}
	rng := rand.New(rand.NewSource(1))
	var src fakeSource
	for i := 0; i < 40000; i++ {
		src = append(src, store.Feature{FID: int64(i + 1), Geometry: orb.Point{2 + rng.Float64()*8, 43 + rng.Float64()*6}})
	}
	r := &Renderer{}
	for _, z := range []maptile.Zoom{5, 10, MaxZoom} {
		tile := maptile.At(src[0].Geometry.(orb.Point), z)
		b, _, err := r.Render(context.Background(), src, []Layer{layer}, tile, MVT)
		if err != nil {
			t.Fatal(err)
		}
		ls, _ := DecodeMVT(b)
		n := 0
		if len(ls) == 1 {
			n = len(ls[0].Features)
		}
		inTile := 0
		bound := tile.Bound()
		for _, f := range src {
			if bound.Contains(f.Geometry.(orb.Point)) {
				inTile++
			}
		}
		cell := 0.0
		if z < MaxZoom {
			cell = pointCell(uint32(z), Tolerance)
		}
		maxPoints := (Extent + 2*Buffer) * (Extent + 2*Buffer)
		if cell > 0 {
			maxPoints = int(math.Ceil((Extent+2*Buffer)/cell) * math.Ceil((Extent+2*Buffer)/cell))
		}
		if len(b) > MaxTileBytes || n > maxPoints || n == 0 || (z == MaxZoom && n < inTile) {
			t.Errorf("z%d: %d points of %d in the tile (at most %d), %d bytes", z, n, inTile, maxPoints, len(b))
		}
	}
}

// The last resort of a polygon still invalid after repairs keeps what stays valid together: here the largest
// part and the one apart from it, not the one sharing its edge.
func TestSeparableParts(t *testing.T) {
	big := orb.Polygon{{{0, 0}, {0, 100}, {100, 100}, {100, 0}, {0, 0}}}
	touching := orb.Polygon{{{100, 0}, {100, 50}, {150, 50}, {150, 0}, {100, 0}}} // shares an edge with big
	apart := orb.Polygon{{{300, 300}, {300, 320}, {320, 320}, {320, 300}, {300, 300}}}
	g := &generaliser{}
	ok := func(mp orb.MultiPolygon, _ bool) bool { return validPolygons(mp) }
	if ok(orb.MultiPolygon{big, touching, apart}, true) {
		t.Fatal("the input should be invalid")
	}
	got := g.separableParts(orb.MultiPolygon{touching, apart, big}, ok)
	if len(got) != 2 || !ok(got, true) || got[0].Bound() != big.Bound() || got[1].Bound() != apart.Bound() {
		t.Errorf("kept %v", got)
	}
}
