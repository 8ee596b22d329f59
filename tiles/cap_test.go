package tiles

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/patrimap/patrimap/geo"
	"github.com/patrimap/patrimap/store"
)

// denseLayer is a ZNIEFF-1-like layer over the z6 tile of the Alps (5°E 45.5°N): n sites of 12 vertices,
// irregular, 60 to 300 m across (squares of MinSize up to z8) spread evenly, and large ones 10 km across
// (drawn from z5), with the key attributes of an INPN import: the communes, a 9-digit id, the kind, a name
// of 30 to 50 characters and the INPN page.
func denseLayer(n, large int) (Layer, fakeSource, maptile.Tile) {
	tile := maptile.At(orb.Point{5.0, 45.5}, 6)
	b := tile.Bound()
	rng := rand.New(rand.NewPCG(6, 45))
	layer := Layer{Dataset: store.Dataset{DatasetInfo: store.DatasetInfo{ID: "znieff1"}, GeometryType: "MULTIPOLYGON"},
		Fields: []store.Field{{Name: "commune", Type: store.FieldText}, {Name: "id", Type: store.FieldText}, {Name: "kind", Type: store.FieldText},
			{Name: "name", Type: store.FieldText}, {Name: "url", Type: store.FieldText}}}
	words := []string{"Marais", "Tourbière", "Pelouses sèches", "Gorges", "Forêt", "Coteaux", "Lac", "Prairies humides", "Rochers", "Vallon"}
	places := []string{"de la Combe", "du Grand Bois", "des Écouges", "de Saint-Martin", "du Col de l'Arc", "de la Chartreuse", "des Aiguilles"}
	var src fakeSource
	for i := range n + large {
		c := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		radius := 0.0003 + rng.Float64()*0.0012 // degrees: 30 to 150 m
		if i >= n {
			radius = 0.05
		}
		ring := make(orb.Ring, 0, 13)
		for k := range 12 {
			a := float64(k) * 2 * math.Pi / 12
			r := radius * (0.6 + 0.4*rng.Float64())
			ring = append(ring, orb.Point{c[0] + r*math.Cos(a), c[1] + r*math.Sin(a)*0.7})
		}
		ring = append(ring, ring[0])
		id := fmt.Sprintf("%09d", 820030000+i)
		name := fmt.Sprintf("%s %s n° %d", words[rng.IntN(len(words))], places[rng.IntN(len(places))], i)
		src = append(src, store.Feature{FID: int64(i + 1), Geometry: orb.MultiPolygon{{ring}},
			Values: []any{places[rng.IntN(len(places))][3:] + ", " + places[rng.IntN(len(places))][3:] + ", Saint-Pierre-d'Entremont", id, "ZNIEFF de type 1", name, "https://inpn.mnhn.fr/zone/znieff/" + id}})
	}
	return layer, src, tile
}

// A tile over the cap for its attributes, not its shapes, is generalised once or twice, not nine times: a
// coarser tolerance does not shrink squares.
func TestRenderStopsCoarseningWhenItDoesNotPay(t *testing.T) {
	layer, src, tile := denseLayer(6000, 30)
	b, st, err := (&Renderer{}).Render(context.Background(), src, []Layer{layer}, tile, MVT)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d bytes, %d features, %d squares, %d passes", len(b), st.Features, st.Squares, st.Passes)
	if st.Squares < 5000 {
		t.Fatalf("%d squares: the layer no longer tests sites too small to draw", st.Squares)
	}
	if st.Passes > 2 {
		t.Errorf("%d generalisations of a tile made of squares: a coarser one cannot shrink it", st.Passes)
	}
}

// Every tile of a dense layer (12,000 sites too small to draw on one z6 tile, 30 drawn ones) is under the
// cap, from z0 to z9; every site of a tile is drawn or counted once in a square's point_count; every cell of
// the grouping grid that holds a site's square still holds one; every polygon is valid for GEOS.
func TestDenseTilesUnderTheCap(t *testing.T) {
	layer, src, top := denseLayer(12000, 30)
	r := geosRenderer()
	grouped, bare := 0, 0
	for z := maptile.Zoom(0); z <= 9; z++ {
		tiles := []maptile.Tile{top}
		if z < top.Z {
			tiles = []maptile.Tile{top.Parent()}
			for tiles[0].Z > z {
				tiles[0] = tiles[0].Parent()
			}
		}
		for tiles[0].Z < z {
			var next []maptile.Tile
			for _, tl := range tiles {
				next = append(next, tl.Children()...)
			}
			tiles = next
		}
		for _, tl := range tiles {
			st := checkCappedTile(t, r, layer, src, tl)
			grouped, bare = grouped+st.Grouped, bare+st.Bare
		}
	}
	if grouped == 0 || bare == 0 {
		t.Errorf("%d squares grouped, %d bare: the layer no longer tests the cap", grouped, bare)
	}
}

// The same on a tile over the cap for its drawn sites (5,000 sites 10 km across on one z6 tile): every
// feature keeps only its id, and when that is not enough the smallest drawn sites become squares, grouped
// with the others of their cell.
func TestDenseDrawnTileUnderTheCap(t *testing.T) {
	layer, src, tl := denseLayer(0, 5000)
	st := checkCappedTile(t, geosRenderer(), layer, src, tl)
	if st.Bare < st.Features || st.Squares == 0 || st.Grouped == 0 {
		t.Errorf("%d features, %d bare, %d squares, %d grouped: the layer no longer tests drawn sites over the cap", st.Features, st.Bare, st.Squares, st.Grouped)
	}
}

// The tiles z0–z8 of a dense national polygon layer, drawn from its store by the server's renderer, are
// under 200 KB, every site counted and every polygon valid. The layer is bench/znieff.py's ZNIEFF-1-like one
// (real ZNIEFF 1 shapes and the real national file's vertex counts and names, from testdata; the sites set
// at random over mainland France), 2,500 of its 17,176 sites, imported as INPN delivers it: as drawn, its z0
// tile is over that.
func TestDenseLayerLowZoomTilesUnderTheCap(t *testing.T) {
	const n = 2500
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 writes the layer (bench/znieff.py): apt-get install -y python3")
	}
	path := filepath.Join(t.TempDir(), "znieff1.geojson")
	if out, err := exec.Command(py, "../bench/znieff.py", path, "--count", strconv.Itoa(n)).CombinedOutput(); err != nil {
		t.Fatalf("bench/znieff.py: %v\n%s", err, out)
	}
	sn, d := inpnLayer(t, path, "znieff1")
	r := geosRenderer()
	var topo geo.Topology
	grouped := 0
	for _, tl := range benchTiles(t, sn, d, 0, LowZoomCapMaxZoom, 4) {
		b, st, err := r.Render(context.Background(), sn, []Layer{NewLayer(d)}, tl, MVT)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > MaxLowZoomTileBytes {
			t.Errorf("tile %v: %d bytes, over %d", tl, len(b), MaxLowZoomTileBytes)
		}
		grouped += st.Grouped
		ls, err := DecodeMVT(b)
		if err != nil {
			t.Fatalf("tile %v: %v", tl, err)
		}
		counted := 0
		for _, l := range ls {
			for _, f := range l.Features {
				counted += int(pointCount(f.Properties))
				if ok, err := topo.Valid(f.Geometry); err != nil || !ok {
					t.Errorf("tile %v: site %d is not valid for GEOS (%v)", tl, f.ID, err)
				}
			}
		}
		if counted != st.Features+st.Grouped {
			t.Errorf("tile %v: %d sites counted, %d in the tile", tl, counted, st.Features+st.Grouped)
		}
		if tl.Z == 0 && counted != n {
			t.Errorf("tile %v: %d sites counted, the layer has %d", tl, counted, n)
		}
	}
	if grouped == 0 {
		t.Error("no site grouped: the layer no longer tests the low zooms' cap")
	}
	checkEverySiteCounted(t, sn, d, n, LowZoomCapMaxZoom)
}

// checkEverySiteCounted renders every tile of zooms 0 to maxZoom that holds a site of d (n sites) and checks
// that no site vanishes: each one too small to draw at a zoom has a square in its cell (store.PyramidSquareCell,
// in the tile of that cell), each other one is drawn in a tile or made a square of its own; and that the sites
// drawn, and those the squares stand for (point_count, each square counted in the tile that holds its centre,
// not in the buffers of the tiles beside it), add up to n.
func checkEverySiteCounted(t *testing.T, sn store.Snapshot, d store.Dataset, n int, maxZoom maptile.Zoom) {
	t.Helper()
	ctx := context.Background()
	r := geosRenderer()
	type site struct {
		cells [store.PyramidMaxZoom + 1][2]int64
		tiny  [store.PyramidMaxZoom + 1]bool
	}
	sites := map[int64]*site{}
	err := sn.Pyramids(ctx, d, func(fid int64, zooms []orb.Geometry) error {
		s := &site{}
		for z, g := range zooms {
			s.cells[z][0], s.cells[z][1], s.tiny[z] = store.PyramidSquareCell(g, z)
		}
		sites[fid] = s
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(sites) != n {
		t.Fatalf("%d sites in the pyramid, %d in the layer", len(sites), n)
	}
	for z := maptile.Zoom(0); z <= maxZoom; z++ {
		k := int64(store.ClusterCells(z))
		drawn := map[int64]bool{}         // sites drawn as shapes
		squared := map[int64]bool{}       // squares' fids
		squaredInside := map[int64]bool{} // squares' fids, in the tile that holds their centre
		cells := map[[2]int64]int64{}     // what the squares of each cell stand for
		counted, tinyN := int64(0), 0     // sites the squares inside their tile stand for; sites too small
		tiles := map[maptile.Tile]bool{}
		for _, s := range sites {
			for _, dx := range []int64{-1, 0, 1} { // the tile of the cell, and those whose buffer it is in
				for _, dy := range []int64{-1, 0, 1} {
					tiles[maptile.New(uint32((s.cells[z][0]+dx)/k), uint32((s.cells[z][1]+dy)/k), z)] = true
				}
			}
		}
		err := sn.Features(ctx, d, store.Query{}, func(f *store.Feature) error {
			tiles[maptile.At(f.Geometry.Bound().Center(), z)] = true
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for tl := range tiles {
			b, _, err := r.Render(ctx, sn, []Layer{NewLayer(d)}, tl, MVT)
			if err != nil {
				t.Fatal(err)
			}
			ls, err := DecodeMVT(b)
			if err != nil {
				t.Fatalf("tile %v: %v", tl, err)
			}
			for cell, c := range cellCounts(ls, tl) {
				if cell[0]/k == int64(tl.X) && cell[1]/k == int64(tl.Y) {
					cells[cell] += c
				}
			}
			for _, l := range ls {
				for _, f := range l.Features {
					if !isSquare(f.Geometry) {
						drawn[int64(f.ID)] = true
						continue
					}
					squared[int64(f.ID)] = true
					if c := ringBound(f.Geometry.(orb.Polygon)[0]).Center(); c[0] >= 0 && c[0] < Extent && c[1] >= 0 && c[1] < Extent {
						counted += pointCount(f.Properties)
						squaredInside[int64(f.ID)] = true
					}
				}
			}
		}
		for fid, s := range sites {
			switch {
			case s.tiny[z]:
				tinyN++
				if cells[s.cells[z]] == 0 {
					t.Errorf("z%d: site %d, too small to draw, has no square in its cell %v", z, fid, s.cells[z])
				}
			case !drawn[fid] && !squared[fid]:
				t.Errorf("z%d: site %d is neither drawn nor a square", z, fid)
			}
		}
		// Sites drawn in one tile may be squares in another (a sliver at the edge): each counted once.
		shapes := 0
		for fid := range drawn {
			if !squaredInside[fid] {
				shapes++
			}
		}
		t.Logf("z%d: %d tiles, %d sites drawn, %d too small to draw, the squares stand for %d", z, len(tiles), len(drawn), tinyN, counted)
		if shapes+int(counted) != n {
			t.Errorf("z%d: %d sites drawn and %d counted in squares, the layer has %d", z, shapes, counted, n)
		}
	}
}

// pointCount is the number of sites a feature stands for: its point_count, or one.
func pointCount(p map[string]any) int64 {
	switch v := p["point_count"].(type) {
	case int64:
		return v
	case uint64:
		return int64(v)
	case float64:
		return int64(v)
	}
	return 1
}

// checkCappedTile renders tile tl of layer and checks that it is under the cap, that its sites are all
// drawn or counted (point_count), that the cells of the grouping grid holding a site's square still hold
// one, that every feature keeps its id and every polygon is valid for GEOS.
func checkCappedTile(t *testing.T, r *Renderer, layer Layer, src fakeSource, tl maptile.Tile) Stats {
	t.Helper()
	var topo geo.Topology
	b, st, err := r.Render(context.Background(), src, []Layer{layer}, tl, MVT)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > MaxBytes(tl.Z) {
		t.Errorf("tile %v: %d bytes, over the cap of %d", tl, len(b), MaxBytes(tl.Z))
	}
	ls, err := DecodeMVT(b)
	if err != nil {
		t.Fatalf("tile %v: %v", tl, err)
	}
	side := float64(Extent) / float64(store.ClusterCells(tl.Z))
	counted, cells := 0, map[[2]int32]bool{}
	for _, l := range ls {
		for _, f := range l.Features {
			counted += int(pointCount(f.Properties))
			if f.Properties["id"] == nil {
				t.Errorf("tile %v: feature %d has no id", tl, f.ID)
			}
			if isSquare(f.Geometry) {
				cells[squareCell(f.Geometry, side)] = true
			}
			if ok, err := topo.Valid(f.Geometry); err != nil || !ok {
				t.Errorf("tile %v: site %d is not valid for GEOS (%v)", tl, f.ID, err)
			}
		}
	}
	sites, want := expectedSites(src, tl)
	if counted != sites {
		t.Errorf("tile %v: %d sites counted (drawn, or in a square's point_count), %d in the tile", tl, counted, sites)
	}
	for _, c := range want {
		if !cells[squareCell(c, side)] {
			t.Errorf("tile %v: the cell of site square %v is left empty", tl, c)
			break
		}
	}
	return st
}

// expectedSites is the number of sites of src that tile tl holds before the cap is applied (the
// generaliser's output at the zoom's tolerance, with its rules for sites too small to draw and for sites
// at the tile's edge), and their squares.
func expectedSites(src fakeSource, tl maptile.Tile) (int, []orb.Geometry) {
	proj := newProjection(tl)
	bbox := tileBound(tl, Buffer)
	var geoms []orb.Geometry
	for _, f := range src {
		if f.Geometry.Bound().Intersects(bbox) {
			geoms = append(geoms, proj.toTileWithin(f.Geometry, bbox))
		}
	}
	tol := Tolerance
	if tl.Z == MaxZoom {
		tol = 0
	}
	g := &generaliser{tol: tol, bound: orb.Bound{Min: orb.Point{-Buffer, -Buffer}, Max: orb.Point{Extent + Buffer, Extent + Buffer}}}
	n := 0
	var squares []orb.Geometry
	outs, sq := g.generaliseAll(geoms, uint32(tl.Z), tol)
	for j, out := range outs {
		if out != nil {
			n++
		}
		if sq[j] {
			squares = append(squares, out)
		}
	}
	return n, squares
}

// isSquare says whether g is a MinSize square, as generaliser.polygons makes them of sites too small to draw:
// the tests recognise them so in a decoded tile (the renderer itself has the generaliser's flags).
func isSquare(g orb.Geometry) bool {
	p, ok := g.(orb.Polygon)
	if !ok || len(p) != 1 || len(p[0]) != 5 {
		return false
	}
	b := ringBound(p[0])
	if width(b) != MinSize || height(b) != MinSize {
		return false
	}
	sq := squareAt(b.Center())
	for k, q := range p[0] {
		if q != sq[0][k] {
			return false
		}
	}
	return true
}
