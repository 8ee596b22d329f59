package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/patrimap/patrimap/store"
)

const osmTestdata = "../../testdata/osm/"

// The Andorra playgrounds: 18 features (4 nodes, 14 areas), with the ODbL attribution in the catalogue.
func TestImportOSMFile(t *testing.T) {
	db := filepath.Join(t.TempDir(), "p.db")
	out, err := patrimap(t, "import", "osm", "--theme", "playground", "--file", osmTestdata+"andorra-latest.osm.bz2", "--db", db)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"imported osm-playground (version 1) from andorra-latest.osm.bz2 [OSM XML (bzip2)]", "read 18, written 18"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	d := datasetsIn(t, db)["osm-playground"]
	if d.FeatureCount != 18 || d.Theme != "osm" || d.Attribution != "© les contributeurs d'OpenStreetMap" ||
		!strings.HasPrefix(d.Licence, "ODbL 1.0") || d.Producer != "Contributeurs OpenStreetMap" || d.Source.SHA256 == "" {
		t.Errorf("dataset %+v", d.DatasetInfo)
	}
	// The normalised columns every dataset starts with, then the theme's.
	var names []string
	for _, f := range d.Fields[:6] {
		names = append(names, f.Name)
	}
	if strings.Join(names, ",") != "id,name,kind,url,id_osm,nom" {
		t.Errorf("fields %v", d.Fields)
	}
	var first *store.Feature
	readDataset(t, db, d.ID, func(sn store.Snapshot, d store.Dataset) {
		if err := sn.Features(context.Background(), d, store.Query{Limit: 1}, func(f *store.Feature) error { c := *f; first = &c; return nil }); err != nil {
			t.Fatal(err)
		}
	})
	if first == nil {
		t.Fatal("the dataset streams no feature")
	}
	if id, _ := first.Values[0].(string); !strings.HasPrefix(first.Values[3].(string), "https://www.openstreetmap.org/"+id) || first.Values[2] != "Aires de jeux" {
		t.Errorf("first feature %v", first)
	}

	// --as-points, a dataset id, a territory cut by --bbox (the south of Andorra), a theme file.
	out, err = patrimap(t, "import", "osm", "--theme-file", osmTestdata+"theme-florist.json", "--file", osmTestdata+"xml_way-03.xml",
		"--as-points", "--dataset", "fleuristes", "--db", db)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if d := datasetsIn(t, db)["fleuristes"]; d.FeatureCount != 1 || d.GeometryType != "POINT" {
		t.Errorf("fleuristes: %d features, %s", d.FeatureCount, d.GeometryType)
	}
	out, err = patrimap(t, "import", "osm", "--theme", "toilets", "--file", osmTestdata+"andorra-latest.osm.bz2", "--bbox", "1.40,42.40,1.80,42.52", "--db", db, "--dataset", "toilettes-sud")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if n := datasetsIn(t, db)["toilettes-sud"].FeatureCount; n == 0 || n >= 17 {
		t.Errorf("toilets in the bbox: %d of 17", n)
	}
}

func TestImportOSMErrors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "p.db")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--file", osmTestdata + "sample.osm"}, 2, "give one of --theme NAME"},
		{[]string{"--theme", "playgrounds", "--file", osmTestdata + "sample.osm"}, 2, `theme "playgrounds": unknown`},
		{[]string{"--theme", "heritage"}, 2, "give exactly one of --file PATH and --overpass"},
		{[]string{"--theme", "heritage", "--file", osmTestdata + "json_remark-runtime-error-01.json"}, 1,
			"the Overpass server reported an error: runtime error: Query timed out in \"query\" at line 4 after 2 seconds."},
		{[]string{"--theme", "heritage", "--overpass"}, 2, "no area"},
		{[]string{"--theme", "heritage", "--file", osmTestdata + "sample.osm", "--osm-area", "-7444"}, 2, "--osm-area is for --overpass"},
	} {
		out, err := patrimap(t, append([]string{"import", "osm", "--db", db}, tc.args...)...)
		if exitCode(err) != tc.code || err == nil || !strings.Contains(err.Error()+out, tc.want) {
			t.Errorf("%v: exit %d, error %v, want %d and %q", tc.args, exitCode(err), err, tc.code, tc.want)
		}
	}
}

// --overpass: the query built from the theme goes to the server once, with a User-Agent; the recorded
// response is imported. 429 and 504 say what to do.
func TestImportOSMOverpass(t *testing.T) {
	recorded, err := os.ReadFile(osmTestdata + "json_way-03.json")
	if err != nil {
		t.Fatal(err)
	}
	var requests atomic.Int32
	var query, ua atomic.Value
	status := atomic.Int32{}
	status.Store(200)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		query.Store(r.FormValue("data"))
		ua.Store(r.UserAgent())
		if s := int(status.Load()); s != 200 {
			w.WriteHeader(s)
			return
		}
		w.Write(recorded)
	}))
	defer srv.Close()
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	saved := filepath.Join(dir, "saved.json")
	out, err := patrimap(t, "import", "osm", "--theme-file", osmTestdata+"theme-florist.json", "--overpass", "--bbox", "12.50,41.89,12.51,41.90",
		"--overpass-url", srv.URL, "--save-response", saved, "--db", db)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if requests.Load() != 1 || !strings.Contains(query.Load().(string), `nwr["shop"="florist"](41.8900000,12.5000000,41.9000000,12.5100000);`) ||
		!strings.HasPrefix(ua.Load().(string), "patrimap/") {
		t.Errorf("%d requests, query %q, UA %q", requests.Load(), query.Load(), ua.Load())
	}
	d := datasetsIn(t, db)["osm-florist"]
	if d.FeatureCount != 1 || !strings.Contains(d.Source.URL, srv.URL) || d.Attribution != osmAttribution {
		t.Errorf("dataset %+v", d.DatasetInfo)
	}
	if _, err := os.Stat(saved); err != nil {
		t.Errorf("response not saved: %v", err)
	}
	out, err = patrimap(t, "import", "osm", "--theme", "heritage", "--overpass", "--osm-area", "-7444", "--print-query")
	if err != nil || !strings.Contains(out, "area(3600007444)->.searchArea;") {
		t.Errorf("--print-query: %v\n%s", err, out)
	}
	for code, want := range map[int32]string{429: "429 Too Many Requests", 504: "504 Gateway Timeout"} {
		status.Store(code)
		_, err := patrimap(t, "import", "osm", "--theme", "heritage", "--overpass", "--bbox", "12.50,41.89,12.51,41.90", "--overpass-url", srv.URL, "--db", db)
		if err == nil || !strings.Contains(err.Error(), want) || exitCode(err) != 1 {
			t.Errorf("HTTP %d: %v", code, err)
		}
	}
}
