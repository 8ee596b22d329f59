package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/patrimap/patrimap/store/teststores"
	"github.com/patrimap/patrimap/tiles"
)

// storeSamples are real samples imported into each store by the command line, as a user does.
var storeSamples = [][]string{
	{"import", "culture", "--list", "merimee", "--file", "../../testdata/culture/merimee-isere-camlebrun.csv"},
	{"import", "inpn", "--file", "../../testdata/inpn/apb/subset_isere_38/apb.shp", "--dataset", "apb-isere"},
}

// importSamples imports storeSamples into the store dsn names.
func importSamples(t *testing.T, dsn string) {
	t.Helper()
	for _, args := range storeSamples {
		if out, err := patrimap(t, append(args, "--db", dsn)...); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
}

func getBody(t *testing.T, url string) []byte {
	t.Helper()
	res, b := fetch(t, url)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, res.StatusCode, b)
	}
	return b
}

// laTronche is where the Maison du peintre Ernest Hébert (PA00117298) stands, as Mérimée places it.
var laTronche = orb.Point{5.75079189078, 45.2056337955}

// The same samples imported into SpatiaLite and into PostGIS by `patrimap import --db` give the same answers
// from `patrimap serve --db`: OGC API pages (filters, bbox, sorting, offsets), single features and vector tiles,
// byte for byte once the server's address and the time of the answer are set aside; and each says what
// Mérimée says.
func TestServeSameFromEitherStore(t *testing.T) {
	answers := map[string][][]byte{}
	for _, k := range teststores.All() {
		t.Run(k.Name, func(t *testing.T) {
			dsn := k.DSN(t)
			importSamples(t, dsn)
			srv := serveStore(t, dsn)
			answers[k.Name] = servedAnswers(t, srv.URL)
			checkMerimee(t, srv.URL)
		})
	}
	sameAnswers(t, "SpatiaLite", answers[teststores.SpatiaLite.Name], "PostGIS", answers[teststores.PostGIS.Name])
}

// samplePaths are requests to a server of storeSamples whose answers depend on the data only.
var samplePaths = []string{
	"/collections/merimee/items?limit=50",
	"/collections/merimee/items?limit=20&offset=150",
	"/collections/merimee/items?limit=1000&bbox=5.6,45.1,5.9,45.3",
	"/collections/merimee/items?limit=1000&filter=protection%3D%27class%C3%A9%27%20AND%20insee%20LIKE%20%2738%25%27",
	"/collections/merimee/items?limit=30&sortby=-name",
	"/collections/merimee/items?limit=5&reference=PA00117298",
	"/collections/merimee/items/1",
	"/collections/merimee/queryables",
	"/collections/apb-isere/items?limit=1000",
	"/collections/apb-isere/items/3",
	tileURL("merimee", maptile.At(laTronche, 10)),
	tileURL("merimee", maptile.At(laTronche, 5)),
	tileURL("apb-isere", maptile.At(orb.Point{5.9, 45.1}, 6)),
	tileURL("apb-isere", maptile.At(orb.Point{5.9, 45.1}, 8)),
	tileURL("apb-isere", maptile.At(orb.Point{5.5347073, 45.3089865}, 12)),
	tileURL("merimee,apb-isere", maptile.At(orb.Point{5.9, 45.1}, 7)),
}

// servedAnswers are the answers of the server at base to samplePaths, its address and the time of the answer
// set aside.
func servedAnswers(t *testing.T, base string) [][]byte {
	t.Helper()
	stamp := regexp.MustCompile(`"timeStamp":"[^"]*"`)
	var out [][]byte
	for _, p := range samplePaths {
		b := bytes.ReplaceAll(getBody(t, base+p), []byte(base), []byte("http://patrimap.test"))
		out = append(out, stamp.ReplaceAll(b, []byte(`"timeStamp":""`)))
	}
	return out
}

// sameAnswers checks that two servers answered samplePaths alike.
func sameAnswers(t *testing.T, nameA string, a [][]byte, nameB string, b [][]byte) {
	t.Helper()
	if len(a) != len(samplePaths) || len(b) != len(samplePaths) {
		t.Fatalf("answers: %d from %s, %d from %s, of %d", len(a), nameA, len(b), nameB, len(samplePaths))
	}
	for i, p := range samplePaths {
		if !bytes.Equal(a[i], b[i]) {
			t.Errorf("GET %s: %s answers differently from %s:\n%s %.600s\n%s %.600s", p, nameB, nameA, nameA, a[i], nameB, b[i])
		}
	}
}

func tileURL(spec string, tile maptile.Tile) string {
	return fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", spec, tile.Z, tile.X, tile.Y)
}

// checkMerimee checks the served Mérimée sample against the source file: its count, a monument's values and
// position, in the OGC API and in a vector tile.
func checkMerimee(t *testing.T, base string) {
	t.Helper()
	var page struct {
		NumberMatched int64 `json:"numberMatched"`
		Features      []struct {
			Geometry   struct{ Coordinates []float64 }
			Properties map[string]any
		}
	}
	if err := json.Unmarshal(getBody(t, base+"/collections/merimee/items?limit=1&offset=0"), &page); err != nil {
		t.Fatal(err)
	}
	if page.NumberMatched != 329 {
		t.Errorf("merimee: %d features matched, the sample has 329 monuments", page.NumberMatched)
	}
	page.Features = nil
	if err := json.Unmarshal(getBody(t, base+"/collections/merimee/items?id=PA00117298"), &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Features) != 1 {
		t.Fatalf("merimee id=PA00117298: %d features", len(page.Features))
	}
	f := page.Features[0]
	if f.Properties["name"] != "Maison du peintre Ernest Hébert" || f.Properties["commune"] != "La Tronche" ||
		f.Properties["protection"] != "inscrit" || f.Properties["first_protected"] != 1942.0 || f.Properties["first_protected_date"] != "1942-08-09" {
		t.Errorf("PA00117298: %v", f.Properties)
	}
	if c := f.Geometry.Coordinates; len(c) != 2 || !closeGeometry(orb.Point{c[0], c[1]}, laTronche, 1e-7) {
		t.Errorf("PA00117298 at %v, Mérimée says %v", c, laTronche)
	}
	ls, err := tiles.DecodeMVT(getBody(t, base+tileURL("merimee", maptile.At(laTronche, 14))))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, l := range ls {
		for _, mf := range l.Features {
			if l.Name == "merimee" && mf.Properties["id"] == "PA00117298" {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("the z14 tile over La Tronche has no PA00117298: %+v", ls)
	}
}

// A PostgreSQL address's password never shows in what the commands print.
func TestNoPasswordInOutput(t *testing.T) {
	dsn := strings.Replace(teststores.PostGISDSN(t), "postgres://postgres@", "postgres://postgres:s3cret@", 1)
	if !strings.Contains(dsn, "s3cret") {
		t.Fatalf("%s: the test database's address has no user to give a password to", dsn)
	}
	var out strings.Builder
	for _, args := range [][]string{
		{"datasets", "--db", dsn},
		{"import", "geojson", rnnFile, "--dataset", "rnn", "--producer", "INPN", "--db", dsn},
		{"describe", "nope", "--db", dsn},
		{"store", "copy", dsn, filepath.Join(t.TempDir(), "copy.db")},
	} {
		o, err := patrimap(t, args...)
		out.WriteString(o)
		if err != nil {
			out.WriteString(err.Error())
		}
	}
	if strings.Contains(out.String(), "s3cret") || !strings.Contains(out.String(), "postgres:xxxxx@") {
		t.Errorf("the commands print:\n%s", out.String())
	}
}
