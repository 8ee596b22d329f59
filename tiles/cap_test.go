package tiles

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/patrimap/patrimap/store"
)

// denseLayer is a ZNIEFF-1-like layer over the z6 tile of the Alps (5°E 45.5°N): n sites of 12 vertices,
// irregular, 60 to 300 m across (squares of MinSize up to z8) spread evenly, and large ones 10 km across
// (drawn from z5), with the national delivery's key attributes: a 9-digit id, a name of 30 to 70
// characters, the kind and the INPN page.
func denseLayer(n, large int) (Layer, fakeSource, maptile.Tile) {
	tile := maptile.At(orb.Point{5.0, 45.5}, 6)
	b := tile.Bound()
	rng := rand.New(rand.NewPCG(6, 45))
	layer := Layer{Dataset: store.Dataset{DatasetInfo: store.DatasetInfo{ID: "znieff1"}, GeometryType: "MULTIPOLYGON"},
		Fields: []store.Field{{Name: "id", Type: store.FieldText}, {Name: "kind", Type: store.FieldText},
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
			Values: []any{id, "ZNIEFF de type 1", name, "https://inpn.mnhn.fr/zone/znieff/" + id}})
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
