package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/storetest"
)

func datasetsIn(t *testing.T, db string) map[string]store.Dataset {
	t.Helper()
	ds := storetest.Datasets(t, openStore(t, db))
	m := map[string]store.Dataset{}
	for _, d := range ds {
		m[d.ID] = d
	}
	return m
}

// A national parks file becomes two datasets, cœurs and aires d'adhésion, recognised from CODE_R_ENP.
func TestImportINPNSplitsNationalParks(t *testing.T) {
	db := filepath.Join(t.TempDir(), "p.db")
	out, err := patrimap(t, "import", "inpn", "--file", "../../testdata/inpn/pn/pn.zip", "--db", db, "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"recognised layer pn (Parcs nationaux) from the CODE_R_ENP", "ignored in the zip: pn/pn2016_06/N_ENP_ACTE_PN_000 (attribute table without geometry)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	ds := datasetsIn(t, db)
	coeur, aire := ds["pn-coeur"], ds["pn-aire-adhesion"]
	if coeur.FeatureCount != 7 || aire.FeatureCount != 7 || len(ds) != 2 {
		t.Fatalf("datasets %v: cœurs %d, aires %d, want 7 and 7", keys(ds), coeur.FeatureCount, aire.FeatureCount)
	}
	var rep struct {
		SourceCRS     string `json:"source_crs"`
		Read, Written int
	}
	if err := json.Unmarshal(coeur.Report, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Read != 14 || rep.Written != 7 || !strings.HasPrefix(rep.SourceCRS, "EPSG:2154") {
		t.Errorf("report %+v", rep)
	}
	if f, ok := coeur.Field("id"); !ok || f.Type != store.FieldText {
		t.Errorf("normalised id column: %+v", f)
	}
}

// --territory fetches the boundary once from the geo API, names the dataset after the territory and keeps only
// what intersects it; the next import works with the API gone.
func TestImportINPNTerritoryCachedBoundary(t *testing.T) {
	var calls atomic.Int32
	boundary, err := os.ReadFile("../../testdata/territory/geoapi/epcis-246300701.geojson")
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.URL.Path != "/epcis/246300701" || !strings.HasPrefix(r.Header.Get("User-Agent"), "patrimap/") {
			http.NotFound(w, r)
			return
		}
		w.Write(boundary)
	}))
	t.Setenv("PATRIMAP_GEO_API", api.URL)
	db := filepath.Join(t.TempDir(), "c.db")
	args := []string{"import", "inpn", "--layer", "apb", "--file", "../../testdata/inpn/apb/subset_puy_de_dome_63/apb.shp",
		"--territory", "epci:246300701", "--db", db}
	if out, err := patrimap(t, args...); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	api.Close()
	if out, err := patrimap(t, args...); err != nil {
		t.Fatalf("second import, API gone: %v\n%s", err, out)
	}
	if calls.Load() != 1 {
		t.Errorf("%d calls to the geo API, want 1", calls.Load())
	}
	d, ok := datasetsIn(t, db)["apb-clermont-auvergne-metropole"]
	if !ok || d.Version != 2 || d.FeatureCount == 0 || d.FeatureCount >= 13 {
		t.Errorf("dataset %+v: want version 2 with some of the 13 Puy-de-Dôme APB", d)
	}
	if !strings.Contains(d.Title, "Clermont Auvergne Métropole") {
		t.Errorf("title %q", d.Title)
	}
}

func TestImportINPNBadInput(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "b.db")
	noPrj := filepath.Join(dir, "noprj")
	os.MkdirAll(noPrj, 0o755)
	for _, ext := range []string{".shp", ".shx", ".dbf"} {
		b, _ := os.ReadFile("../../testdata/inpn/rnr/subset_isere_38/N_ENP_RNR_S_000" + ext)
		os.WriteFile(filepath.Join(noPrj, "N_ENP_RNR_S_000"+ext), b, 0o644)
	}
	tests := []struct {
		args []string
		want string
		code int
	}{
		{[]string{"--layer", "nope", "--file", "x.zip"}, `--layer "nope": known layers are auto, znieff1`, 2},
		{[]string{"--layer", "apb"}, "give exactly one of --file PATH, --url URL and --wfs", 2},
		{[]string{"--file", filepath.Join(dir, "missing.zip")}, "missing.zip", 1},
		{[]string{"--file", filepath.Join(noPrj, "N_ENP_RNR_S_000.shp")}, "no .prj says which CRS the coordinates are in: pass --crs EPSG:NNNN", 1},
		{[]string{"--file", "../../testdata/rnn-isere.geojson", "--bbox", "1,2,3"}, "bbox", 2},
		{[]string{"--file", "../../testdata/inpn/apb/apb.zip", "--territory", "epci:123"}, "epci", 2},
	}
	for _, tt := range tests {
		out, err := patrimap(t, append(append([]string{"import", "inpn"}, tt.args...), "--db", db)...)
		if err == nil || !strings.Contains(out+err.Error(), tt.want) || exitCode(err) != tt.code {
			t.Errorf("%v: exit %d, %v\n%s\nwant exit %d and %q", tt.args, exitCode(err), err, out, tt.code, tt.want)
		}
	}
	// With --crs the same shapefile imports.
	if out, err := patrimap(t, "import", "inpn", "--file", filepath.Join(noPrj, "N_ENP_RNR_S_000.shp"), "--crs", "EPSG:2154", "--db", db); err != nil {
		t.Errorf("--crs: %v\n%s", err, out)
	}
	if d := datasetsIn(t, db)["rnr"]; d.FeatureCount != 5 {
		t.Errorf("rnr: %d features, want 5", d.FeatureCount)
	}
}

func keys(m map[string]store.Dataset) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// --url downloads the file first; --wfs reads the layer from the WFS, whole pages of GeoJSON, in the same
// datasets as a file would give.
func TestImportINPNFromURLAndWFS(t *testing.T) {
	zip, err := os.ReadFile("../../testdata/inpn/rnr/rnr.zip")
	if err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile("../../testdata/inpn/wfs-znieff1-oise-25.geojson")
	if err != nil {
		t.Fatal(err)
	}
	var wfsQueries []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/docs/Shape/rnr.zip":
			w.Write(zip)
		case "/wfs":
			wfsQueries = append(wfsQueries, r.URL.RawQuery)
			if r.URL.Query().Get("STARTINDEX") != "0" {
				w.Write([]byte(`{"type":"FeatureCollection","features":[]}`))
				return
			}
			w.Write(page)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "u.db")
	if out, err := patrimap(t, "import", "inpn", "--url", srv.URL+"/docs/Shape/rnr.zip", "--db", db); err != nil {
		t.Fatalf("--url: %v\n%s", err, out)
	}
	if out, err := patrimap(t, "import", "inpn", "--layer", "znieff1", "--wfs", "--wfs-url", srv.URL+"/wfs", "--db", db); err != nil {
		t.Fatalf("--wfs: %v\n%s", err, out)
	}
	ds := datasetsIn(t, db)
	if ds["rnr"].FeatureCount != 134 || ds["rnr"].Source.URL != srv.URL+"/docs/Shape/rnr.zip" {
		t.Errorf("rnr from --url: %d features, source %+v", ds["rnr"].FeatureCount, ds["rnr"].Source)
	}
	if ds["znieff1"].FeatureCount != 25 || len(wfsQueries) == 0 || !strings.Contains(wfsQueries[0], "TYPENAMES=patrinat_znieff1%3Aznieff1") {
		t.Errorf("znieff1 from --wfs: %d features, queries %q", ds["znieff1"].FeatureCount, wfsQueries)
	}
	if out, err := patrimap(t, "import", "inpn", "--url", srv.URL+"/missing.zip", "--db", db); err == nil || !strings.Contains(out+err.Error(), "HTTP 404") {
		t.Errorf("--url 404: %v\n%s", err, out)
	}
}
