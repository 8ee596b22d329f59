package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A small Mérimée list (as the culture importer writes it: id is the PA reference) and an OSM heritage export:
// one pair 111 m apart, one pair at the same place, one monument in Mérimée only, one in OSM only, and one OSM
// feature without ref:mhs. The positions are made up for the test; the references are real Mérimée ones.
const (
	testMerimee = `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"PA00116557","nom":"Château de Vizille"},"geometry":{"type":"Point","coordinates":[5.7700,45.0770]}},
{"type":"Feature","properties":{"id":"PA00117241","nom":"Cathédrale Notre-Dame"},"geometry":{"type":"Point","coordinates":[5.7310,45.1930]}},
{"type":"Feature","properties":{"id":"PA00117207","nom":"Bastille"},"geometry":{"type":"Point","coordinates":[5.7250,45.1990]}}]}`
	testOSMHeritage = `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"@id":"way/1","historic":"castle","heritage":"2","ref:mhs":"PA00116557","name":"Château"},"geometry":{"type":"Point","coordinates":[5.7700,45.0780]}},
{"type":"Feature","properties":{"@id":"node/2","historic":"church","heritage":"2","ref:mhs":"pa00117241","name":"Notre-Dame"},"geometry":{"type":"Point","coordinates":[5.7310,45.1930]}},
{"type":"Feature","properties":{"@id":"node/3","historic":"monument","heritage":"3","ref:mhs":"PA00117300","name":"Fontaine"},"geometry":{"type":"Point","coordinates":[5.7280,45.1900]}},
{"type":"Feature","properties":{"@id":"node/4","historic":"wayside_cross","name":"Croix"},"geometry":{"type":"Point","coordinates":[5.7290,45.1910]}}]}`
)

func TestCheckMerimeeOSM(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	mer, osmFile := filepath.Join(dir, "merimee.geojson"), filepath.Join(dir, "heritage.geojson")
	os.WriteFile(mer, []byte(testMerimee), 0o644)
	os.WriteFile(osmFile, []byte(testOSMHeritage), 0o644)
	if out, err := patrimap(t, "import", "geojson", mer, "--dataset", "merimee", "--producer", "Ministère de la Culture", "--theme", "cultural", "--db", db); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if out, err := patrimap(t, "import", "osm", "--theme", "heritage", "--file", osmFile, "--db", db); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	out, err := patrimap(t, "check", "merimee-osm", "--merimee", "merimee", "--osm", "osm-heritage", "--db", db)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "merimee-osm: 2 pairs (median distance 111 m, 0 more than 200 m apart), 1 in Mérimée only, 1 in OSM only") {
		t.Errorf("output:\n%s", out)
	}
	d := datasetsIn(t, db)["check-merimee-osm-heritage"]
	if d.FeatureCount != 4 || !strings.Contains(d.Attribution, "© les contributeurs d'OpenStreetMap") {
		t.Fatalf("dataset %+v", d)
	}
	rows := map[string]map[string]any{}
	for _, r := range rowsOf(t, db, d.ID) {
		rows[r["reference"].(string)] = r
	}
	want := map[string]struct {
		status string
		dist   float64 // NaN: none
		geom   string
	}{
		"PA00116557": {statusPaired, 111.2, "LineString"},
		"PA00117241": {statusPaired, 0, "Point"},
		"PA00117207": {statusMerimeeOnly, math.NaN(), "Point"},
		"PA00117300": {statusOSMOnly, math.NaN(), "Point"},
	}
	for ref, w := range want {
		r, ok := rows[ref]
		if !ok {
			t.Errorf("%s missing", ref)
			continue
		}
		dist, _ := r["distance_m"].(float64)
		if r["statut"] != w.status || r["@geom"] != w.geom || (math.IsNaN(w.dist) && r["distance_m"] != nil) || (!math.IsNaN(w.dist) && math.Abs(dist-w.dist) > 0.5) {
			t.Errorf("%s: %v, want %+v", ref, r, w)
		}
	}
	if rows["PA00116557"]["id_osm"] != "way/1" || rows["PA00116557"]["nom_merimee"] != "Château de Vizille" {
		t.Errorf("pair row %v", rows["PA00116557"])
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--merimee", "merimee"}, "--osm DATASET is required"},
		{[]string{"--merimee", "nope", "--osm", "osm-heritage"}, `no dataset "nope"`},
		{[]string{"--merimee", "osm-heritage", "--osm", "merimee"}, "has no reference column"},
	} {
		_, err := patrimap(t, append([]string{"check", "merimee-osm", "--db", db}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}
	if _, err := patrimap(t, "check", "nothing", "--db", db); exitCode(err) != 2 {
		t.Errorf("unknown check: %v", err)
	}
}
