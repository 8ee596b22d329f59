package server

import (
	"bytes"
	"fmt"
	"regexp"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/patrimap/patrimap/store/teststores"
)

// storesPaths are requests whose answers depend on the data only: every kind of read the server makes of a
// store (catalogue, items with filters, sorting, paging, bbox and reprojection, single features, queryables,
// tiles at every zoom band, downloads, uMap layers, search), and its errors.
var storesPaths = []string{
	"/collections?f=json",
	"/collections/rnn?f=json",
	"/collections/rnn/queryables",
	"/collections/rnn/items?limit=5",
	"/collections/rnn/items?limit=4&offset=6",
	"/collections/rnn/items?limit=100&bbox=6.0,44.8,6.5,45.1",
	"/collections/rnn/items?limit=100&sortby=-SURF_OFF",
	"/collections/rnn/items?limit=100&filter=SURF_OFF%20%3E%201000%20AND%20NOM_SITE%20LIKE%20%27%25Haut%25%27",
	"/collections/rnn/items?limit=100&CODE_R_ENP=RNN&properties=NOM_SITE,SURF_OFF",
	"/collections/rnn/items?limit=3&crs=http://www.opengis.net/def/crs/EPSG/0/2154",
	"/collections/rnn/items/3",
	"/collections/cen/items?limit=1000",
	"/collections/cen/items/12",
	"/collections/rnn/items/999",
	"/collections/rnn/items?filter=nope%3D1",
	"/datasets/rnn.geojson",
	"/datasets/rnn.geojson?bbox=6.27,44.92,6.30,44.95",
	"/datasets/rnn.csv?sep=semicolon&geometry=lonlat",
	"/datasets/rnn.kml?bbox=5.4,44.8,5.9,45.3",
	"/umap/data/rnn.geojson?fields=NOM_SITE,SURF_OFF&bbox=6.27,44.92,6.30,44.95&zoom=12",
	"/umap/data/cen.geojson?bbox=-540.5,-85.1,540.2,85.1&zoom=2",
	"/search?q=haut&datasets=rnn",
	"/tiles/rnn,cen.json",
}

// storesTiles are tiles of both layers over Isère, low zooms (the simplified copies, the thinning) to high.
var storesTiles = func() []string {
	var out []string
	for _, z := range []maptile.Zoom{3, 5, 6, 8, 10, 12, 14} {
		for _, p := range []orb.Point{{5.9, 45.1}, {6.2792835, 44.940056}, {5.5347073, 45.3089865}} {
			t := maptile.At(p, z)
			out = append(out, fmt.Sprintf("/tiles/rnn,cen/%d/%d/%d.mvt", t.Z, t.X, t.Y), fmt.Sprintf("/tiles/cen/%d/%d/%d.geojson", t.Z, t.X, t.Y))
		}
	}
	return out
}()

// The server answers the same on every store: the Isère nature reserves and the conservatoire's sites imported into a
// new store of each kind by the real pipeline give the same status and the same bytes for every request of
// storesPaths and storesTiles, once the times of the imports and of the answers are set aside.
func TestSameAnswersOnEveryStore(t *testing.T) {
	times := regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`)
	answers := map[string][]string{}
	kinds := teststores.All()
	for _, k := range kinds {
		t.Run(k.Name, func(t *testing.T) {
			fx := serve(t, k.OpenUnclosed(t))
			for id, path := range map[string]string{"rnn": rnn, "cen": "../testdata/cen-isere.geojson"} {
				if err := fx.importFile(t, id, path); err != nil {
					t.Fatal(err)
				}
			}
			for _, p := range append(storesPaths, storesTiles...) {
				res, body := fx.get(t, p)
				body = bytes.ReplaceAll(body, []byte(fx.srv.URL), []byte("http://patrimap.test"))
				answers[k.Name] = append(answers[k.Name], fmt.Sprintf("%d %s", res.StatusCode, times.ReplaceAll(body, []byte("TIME"))))
			}
		})
	}
	a, b := answers[kinds[0].Name], answers[kinds[1].Name]
	if len(a) != len(b) {
		t.Fatalf("%d answers from %s, %d from %s", len(a), kinds[0].Name, len(b), kinds[1].Name)
	}
	ok := 0
	for i, p := range append(storesPaths, storesTiles...) {
		if a[i] != b[i] {
			t.Errorf("GET %s:\n%s: %.400s\n%s: %.400s", p, kinds[0].Name, a[i], kinds[1].Name, b[i])
		} else if a[i][:3] == "200" {
			ok++
		}
	}
	t.Logf("%d requests, %d answered 200, the same on every store", len(a), ok)
	if ok < len(a)/2 {
		t.Errorf("only %d of %d requests answered 200: the comparison compares little", ok, len(a))
	}
}
