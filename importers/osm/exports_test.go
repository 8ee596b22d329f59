package osm

import (
	"context"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// The three export files are the Andorra playgrounds written in the shapes geodatamine uses (see
// testdata/osm/PROVENANCE.md): GeoJSON, CSV with WKT first, CSV with X/Y columns. They carry no leisure column,
// as geodatamine's exports do not: the theme's filter cannot apply and they are taken as already selected.
func TestExports(t *testing.T) {
	th := mustTheme(t, "playground")
	for _, tc := range []struct {
		file, format, want string
	}{
		{"export-playground-andorra.geojson", FormatGeoJSON, "Point=4 Polygon=14"},
		{"export-playground-andorra-wkt.csv", FormatCSV, "Point=4 Polygon=14"},
		{"export-playground-andorra-xy.csv", FormatCSV, "Point=18"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f, err := Open(testdata+tc.file, Options{Theme: th})
			if err != nil {
				t.Fatal(err)
			}
			if f.Format != tc.format {
				t.Errorf("format %s", f.Format)
			}
			recs, rep, err := readAll(t, testdata+tc.file, th, false)
			if err != nil {
				t.Fatal(err)
			}
			if got := geometryCounts(recs); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
			if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "18 features have none of the theme's filter keys (leisure)") {
				t.Errorf("warnings %v", rep.Warnings)
			}
			first := recs[0]
			if first.Ref != "node/1373834025" || prop(first, "id_osm") != "node/1373834025" || prop(first, "nom") != "Children's play ground" {
				t.Errorf("first record %v", first)
			}
		})
	}
}

// An overpass-turbo style export (tags as properties, @id) is filtered by the theme.
func TestExportFilteredByTheme(t *testing.T) {
	p := writeTemp(t, "turbo.geojson", `{"type":"FeatureCollection","features":[
{"type":"Feature","id":"node/1","properties":{"@id":"node/1","historic":"wayside_cross","heritage":"3","ref:mhs":"PA00090837","name":"Croix"},"geometry":{"type":"Point","coordinates":[2.35,43.2]}},
{"type":"Feature","id":"node/2","properties":{"@id":"node/2","amenity":"bench"},"geometry":{"type":"Point","coordinates":[2.36,43.2]}},
{"type":"Feature","id":"way/3","properties":{"tags":{"historic":"castle","name":"Château"},"id":"way/3"},"geometry":{"type":"Polygon","coordinates":[[[2,43],[2.1,43],[2.1,43.1],[2,43]]]}}]}`)
	recs, rep, err := readAll(t, p, mustTheme(t, "heritage"), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || prop(recs[0], "ref_mhs") != "PA00090837" || prop(recs[0], "protection") != "inscrit MH" ||
		prop(recs[1], "id_osm") != "way/3" || prop(recs[1], "nom") != "Château" {
		t.Fatalf("records %v", recs)
	}
	if _, ok := recs[1].Geometry.(orb.Point); !ok {
		t.Errorf("--as-points gave %v", recs[1].Geometry)
	}
	if rep.SkippedTotal() != 1 || len(rep.Warnings) != 0 {
		t.Errorf("skipped %d, warnings %v", rep.SkippedTotal(), rep.Warnings)
	}
}

func TestCSVLayouts(t *testing.T) {
	for name, tc := range map[string]struct {
		csv, want string
	}{
		"semicolons, lon/lat": {"name;lon;lat;osm_id\nA;5,72;45,18;node/9\n", "Point"},
		"EWKT":                {"the_geom,name\n\"SRID=4326;POINT(5.7 45.1)\",A\n", "Point"},
		"WKT first, unnamed":  {"g,name\n\"POLYGON((0 0,1 0,1 1,0 0))\",A\n", "Polygon"},
		"bad WKT is counted":  {"wkt,name\nPOINT(x y),A\n", "none"},
	} {
		t.Run(name, func(t *testing.T) {
			recs, rep, err := readAll(t, writeTemp(t, "x.csv", tc.csv), mustTheme(t, "library"), false)
			if err != nil {
				t.Fatal(err)
			}
			if got := geometryCounts(recs); got != tc.want+"=1" {
				t.Errorf("got %s (report %+v)", got, rep)
			}
		})
	}
	if _, _, err := readAll(t, writeTemp(t, "x.csv", "name,city\nA,B\n"), mustTheme(t, "library"), false); err == nil ||
		!strings.Contains(err.Error(), "no geometry column") {
		t.Errorf("no geometry: %v", err)
	}
	if _, _, err := readAll(t, writeTemp(t, "x.csv", "wkt,name\n\"SRID=2154;POINT(900000 6400000)\",A\n"), mustTheme(t, "library"), false); err != nil {
		t.Errorf("projected EWKT should be a counted fix, not a failure: %v", err)
	}
}

func TestLabelPoint(t *testing.T) {
	// A U: its centroid is in the gap.
	u := orb.Polygon{{{0, 0}, {3, 0}, {3, 3}, {2, 3}, {2, 1}, {1, 1}, {1, 3}, {0, 3}, {0, 0}}}
	p := LabelPoint(u).(orb.Point)
	if !polygonContains(u, p) {
		t.Errorf("label point %v outside the U", p)
	}
	if got := LabelPoint(orb.LineString{{0, 0}, {2, 0}}); got != (orb.Point{1, 0}) {
		t.Errorf("line middle %v", got)
	}
	if LabelPoint(nil) != nil {
		t.Error("nil geometry")
	}
}

// FuzzCSVExport feeds arbitrary CSV to the export reader: it may refuse, never panic, and every geometry it
// returns is a valid orb geometry.
func FuzzCSVExport(f *testing.F) {
	for _, s := range []string{
		"WKT,osm_id,name\n\"POINT (1.4834 42.5715904)\",node/1,A\n",
		"X,Y,osm_id\n1.5,42.5,way/2\n",
		"wkt;name\nMULTIPOLYGON(((0 0,1 0,1 1,0 0)))\n",
		"the_geom\nSRID=4326;LINESTRING(0 0,1 1)\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = readCSVExport(context.Background(), "fuzz.csv", strings.NewReader(s), func(l csvLayout, line int, g orb.Geometry, gerr error, row []string) error {
			if g != nil {
				_ = g.Bound()
			}
			return nil
		}, func() {})
	})
}
