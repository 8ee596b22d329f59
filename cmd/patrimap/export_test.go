package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb/geojson"

	"github.com/patrimap/patrimap/umap"
)

// isereSamples are the Isère samples `make demo` imports, plus the Mérimée monuments of Isère.
var isereSamples = []struct{ dataset, file string }{
	{"rnn-isere", "rnn/subset_isere_38/N_ENP_RNN_S_000.shp"},
	{"rnr-isere", "rnr/subset_isere_38/N_ENP_RNR_S_000.shp"},
	{"apb-isere", "apb/subset_isere_38/apb.shp"},
	{"pn-isere", "pn/subset_isere_38/N_ENP_PN_S_000.shp"}, // becomes pn-isere-coeur and pn-isere-aire-adhesion
	{"rb-isere", "rb/subset_isere_38/N_ENP_RB_S_000.shp"},
	{"cen-isere", "cen/subset_isere_38/cen2013_09.shp"},
}

// isereStore imports the Isère samples into a new database.
func isereStore(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "isere.db")
	for _, s := range isereSamples {
		if out, err := patrimap(t, "import", "inpn", "--file", "../../testdata/inpn/"+s.file, "--dataset", s.dataset, "--db", db); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
	}
	if out, err := patrimap(t, "import", "culture", "--list", "merimee", "--file", "../../testdata/culture/merimee-isere-camlebrun.csv",
		"--dataset", "merimee-isere", "--db", db); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return db
}

type backup struct {
	Type       string
	URI        string
	Geometry   struct{ Coordinates []float64 }
	Properties map[string]any
	Layers     []struct {
		Type        string
		Features    []json.RawMessage
		Properties  map[string]any
		UmapOptions map[string]any `json:"_umap_options"`
	}
}

func readBackup(t *testing.T, name string) (backup, []byte) {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range umap.Validate(data) {
		t.Errorf("%s: %s", filepath.Base(name), p)
	}
	var b backup
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatal(err)
	}
	return b, data
}

// The Isère samples, natural and cultural, make one map with one layer per dataset, styled by kind, that
// validates as uMap's import reads it.
func TestExportUMapIsereSnapshot(t *testing.T) {
	db := isereStore(t)
	out := filepath.Join(t.TempDir(), "isere.umap")
	log, err := patrimap(t, "export", "umap", "--map", "isere", "--out", out, "--db", db)
	if err != nil {
		t.Fatalf("%v\n%s", err, log)
	}
	b, _ := readBackup(t, out)
	ds := datasetsIn(t, db)
	if len(b.Layers) != len(ds) || len(ds) != 8 {
		t.Fatalf("%d layers for %d datasets (%v)", len(b.Layers), len(ds), keys(ds))
	}
	byName := map[string]map[string]any{}
	for i, l := range b.Layers {
		byName[l.Properties["name"].(string)] = l.Properties
		if l.Type != "FeatureCollection" || len(l.Features) == 0 {
			t.Errorf("layer %d: %s with %d features", i, l.Type, len(l.Features))
		}
	}
	for _, d := range ds {
		if byName[d.Title] == nil {
			t.Errorf("no layer for %s (%s)", d.ID, d.Title)
		}
	}
	rnn, mh := byName["Réserves naturelles nationales (Isère)"], byName["Monuments historiques (Mérimée)"]
	if rnn["color"] != "ForestGreen" || rnn["fillOpacity"] != 0.4 || rnn["type"] != "Default" || rnn["labelKey"] != "name" ||
		!strings.Contains(rnn["popupContentTemplate"].(string), "[[{url}|Fiche INPN]]") {
		t.Errorf("rnn layer options %v", rnn)
	}
	if mh["type"] != "Cluster" || mh["iconClass"] != "Drop" || mh["color"] != "DarkRed" ||
		!strings.Contains(mh["popupContentTemplate"].(string), `Protection : {protection|"non renseignée"}`) {
		t.Errorf("Mérimée layer options %v", mh)
	}
	p := b.Properties
	desc, _ := p["description"].(string)
	for _, want := range []string{"INPN – MNHN/PatriNat", "Ministère de la Culture", "Licence Ouverte 2.0", "merimee-isere-camlebrun.csv"} {
		if !strings.Contains(desc, want) {
			t.Errorf("description lacks %q:\n%s", want, desc)
		}
	}
	if z, _ := p["zoom"].(float64); z < 7 || z > 10 || p["onLoadPanel"] != "caption" || p["licence"].(map[string]any)["name"] != "Licence Ouverte 2.0" {
		t.Errorf("map properties %v", p)
	}
	if c := b.Geometry.Coordinates; len(c) != 2 || c[0] < 5 || c[0] > 6.5 || c[1] < 44.8 || c[1] > 45.8 {
		t.Errorf("centre %v is not in Isère", c)
	}
	// A feature carries what the popup shows, values typed.
	var f struct{ Properties map[string]any }
	json.Unmarshal(b.Layers[2].Features[0], &f)
	if _, ok := f.Properties["area_ha"].(float64); !ok || !strings.HasPrefix(f.Properties["url"].(string), "https://inpn.mnhn.fr/") {
		t.Errorf("feature properties %v", f.Properties)
	}
	if !strings.Contains(log, "merimee-isere: 4 features without geometry left out") {
		t.Errorf("no warning about the monuments without coordinates:\n%s", log)
	}

	// --datasets makes the same kind of map from a list.
	out2 := filepath.Join(t.TempDir(), "two.umap")
	if log, err := patrimap(t, "export", "umap", "--datasets", "rnn-isere,merimee-isere", "--name", "Deux couches", "--out", out2, "--db", db); err != nil {
		t.Fatalf("%v\n%s", err, log)
	}
	b2, _ := readBackup(t, out2)
	if len(b2.Layers) != 2 || b2.Properties["name"] != "Deux couches" {
		t.Errorf("--datasets: %d layers, name %v", len(b2.Layers), b2.Properties["name"])
	}
}

// A budget that bites simplifies outlines, says so, and the file fits; one that cannot be met fails clearly.
func TestExportUMapBudget(t *testing.T) {
	db := isereStore(t)
	dir := t.TempDir()
	full := filepath.Join(dir, "full.umap")
	if log, err := patrimap(t, "export", "umap", "--map", "isere", "--out", full, "--db", db); err != nil {
		t.Fatalf("%v\n%s", err, log)
	}
	small := filepath.Join(dir, "small.umap")
	log, err := patrimap(t, "export", "umap", "--map", "isere", "--budget", "400KiB", "--out", small, "--db", db)
	if err != nil {
		t.Fatalf("%v\n%s", err, log)
	}
	if !strings.Contains(log, "warning: the budget of 400.0 KiB bites: outlines simplified") {
		t.Errorf("no warning:\n%s", log)
	}
	fi, _ := os.Stat(full)
	si, _ := os.Stat(small)
	if si.Size() > 400<<10 || si.Size() >= fi.Size() {
		t.Errorf("small is %d bytes (full %d), budget %d", si.Size(), fi.Size(), 400<<10)
	}
	b, _ := readBackup(t, small)
	bf, _ := readBackup(t, full)
	for i := range b.Layers {
		if len(b.Layers[i].Features) != len(bf.Layers[i].Features) {
			t.Errorf("layer %d: %d features once simplified, %d before: none may be lost", i, len(b.Layers[i].Features), len(bf.Layers[i].Features))
		}
	}
	for _, tc := range []struct {
		args []string
		want string
		code int
	}{
		{[]string{"--map", "isere", "--budget", "50KiB"}, "over the budget of 50.0 KiB", 1},
		{[]string{"--map", "isere", "--budget", "lots"}, "is not a size", 2},
		{[]string{"--map", "isere", "--live"}, "--live needs --base-url", 2},
		{[]string{"--datasets", "nope"}, "none of nope is in the store", 1},
		{[]string{"--map", "nowhere"}, "the maps are isere, puy-de-dome, all", 1},
		{[]string{}, "give exactly one of --datasets", 2},
	} {
		log, err := patrimap(t, append([]string{"export", "umap", "--db", db, "--out", filepath.Join(dir, "x.umap")}, tc.args...)...)
		if err == nil || !strings.Contains(log+err.Error(), tc.want) || exitCode(err) != tc.code {
			t.Errorf("%v: exit %d %v\n%s\nwant exit %d and %q", tc.args, exitCode(err), err, log, tc.code, tc.want)
		}
	}
}

// A live export's layers point at patrimap. The Isère layers are small (the 329 monuments are about 100 kB):
// each is fetched whole, once, and answers exactly the features the layer holds; the same endpoint with
// {bbox} and {zoom} substituted as uMap does for a dynamic layer (Leaflet's bounds, west,south,east,north)
// answers the features of that view.
func TestExportUMapLiveRemoteData(t *testing.T) {
	db := isereStore(t)
	srv := serveStore(t, db)

	dir := t.TempDir()
	out, snap := filepath.Join(dir, "live.umap"), filepath.Join(dir, "snap.umap")
	if log, err := patrimap(t, "export", "umap", "--map", "isere", "--live", "--base-url", srv.URL, "--out", out, "--db", db); err != nil {
		t.Fatalf("%v\n%s", err, log)
	}
	if log, err := patrimap(t, "export", "umap", "--map", "isere", "--out", snap, "--db", db); err != nil {
		t.Fatalf("%v\n%s", err, log)
	}
	b, _ := readBackup(t, out)
	bs, _ := readBackup(t, snap)
	if b.URI != srv.URL+"/umap/isere.umap" {
		t.Errorf("uri %q", b.URI)
	}
	get := func(url string) *geojson.FeatureCollection {
		res, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		fc, err := geojson.UnmarshalFeatureCollection(body)
		if res.StatusCode != 200 || err != nil || res.Header.Get("Last-Modified") == "" {
			t.Fatalf("%s: %d %v", url, res.StatusCode, err)
		}
		return fc
	}
	for i, l := range b.Layers {
		rd := l.Properties["remoteData"].(map[string]any)
		url, _ := rd["url"].(string)
		if len(l.Features) != 0 || rd["format"] != "geojson" || rd["dynamic"] != false || !strings.HasPrefix(url, srv.URL+"/umap/data/") || strings.Contains(url, "{") {
			t.Errorf("layer %v: remoteData %v with %d features", l.Properties["name"], rd, len(l.Features))
			continue
		}
		if fc := get(url); len(fc.Features) != len(bs.Layers[i].Features) {
			t.Errorf("%s: %d features, the snapshot's layer holds %d", url, len(fc.Features), len(bs.Layers[i].Features))
		}
		if strings.HasSuffix(url, "/merimee-isere.geojson") {
			// Grenoble at zoom 12, as Leaflet's getBounds() gives it.
			fc := get(url + "?bbox=5.6653213500976555,45.15442207142259,5.790634155273438,45.20932613066473&zoom=12")
			if len(fc.Features) == 0 || len(fc.Features) >= 325 {
				t.Errorf("%d features in Grenoble's view", len(fc.Features))
			}
			for _, f := range fc.Features {
				if f.Properties["commune"] == nil || f.Properties["url"] == nil || f.Properties["name"] == nil {
					t.Errorf("feature lacks what the popup shows: %v", f.Properties)
					break
				}
			}
		}
	}
}
