package osm

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

// The recorded Overpass responses of python-overpy (testdata/osm/json_*.json, xml_*.xml).
func TestOverpassResponses(t *testing.T) {
	florist := mustThemeFile(t, testdata+"theme-florist.json")
	road := mustThemeFile(t, testdata+"theme-road-route.json")
	platform := mustThemeFile(t, testdata+"theme-platform.json")
	for _, tc := range []struct {
		name, file string
		theme      *Theme
		format     string
		want       string // geometry counts
		inReport   string
	}{
		// `out center` with the nodes too: the way is drawn from its nodes (a closed building: a polygon).
		{"center with nodes", "json_way-03.json", florist, FormatOverpassJS, "Polygon=1", ""},
		{"center with nodes, XML", "xml_way-03.xml", florist, FormatOverpassXML, "Polygon=1", ""},
		// `out center` with an empty center and no nodes: kept without geometry, and counted.
		{"no nodes, empty center", "json_way-04.json", florist, FormatOverpassJS, "none=1",
			"way stored without geometry: its nodes are missing from the response"},
		// `out geom`: the route relation is drawn from its members' geometries (no way, no node in the response).
		{"out geom", "json_relation-04.json", road, FormatOverpassJS, "MultiLineString=1", ""},
		{"out geom, XML", "xml_relation-04.xml", road, FormatOverpassXML, "MultiLineString=1", ""},
		// "area" elements are Overpass's own: skipped with a warning, the rest imported.
		{"area", "json_area-01.json", platform, FormatOverpassJS, "", "4 Overpass \"area\" elements skipped"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Open(testdata+tc.file, Options{Theme: tc.theme})
			if err != nil {
				t.Fatal(err)
			}
			if f.Format != tc.format {
				t.Errorf("format %s, want %s", f.Format, tc.format)
			}
			rep, d, err := importFile(t, testdata+tc.file, tc.theme, false)
			if err != nil {
				t.Fatal(err)
			}
			recs, _, err := readAll(t, testdata+tc.file, tc.theme, false)
			if err != nil {
				t.Fatal(err)
			}
			if got := geometryCounts(recs); got != tc.want {
				t.Errorf("geometries %s, want %s", got, tc.want)
			}
			if int(d.FeatureCount) != len(recs) {
				t.Errorf("dataset has %d features, read %d", d.FeatureCount, len(recs))
			}
			if text := reportText(rep); !strings.Contains(text, tc.inReport) {
				t.Errorf("report lacks %q:\n%s", tc.inReport, text)
			}
		})
	}
}

// When the center is there and the nodes are not, the center is used.
func TestOverpassCenterOnly(t *testing.T) {
	resp := `{"version":0.6,"generator":"Overpass API","elements":[
{"type":"way","id":225576797,"center":{"lat":41.8954998,"lon":12.5032265},"nodes":[2343425525,2343425528,2343425526,2343425523,2343425525],"tags":{"building":"kiosk","shop":"florist"}}]}`
	p := writeTemp(t, "center.json", resp)
	rep, _, err := importFile(t, p, mustThemeFile(t, testdata+"theme-florist.json"), false)
	if err != nil {
		t.Fatal(err)
	}
	recs, _, _ := readAll(t, p, mustThemeFile(t, testdata+"theme-florist.json"), false)
	if len(recs) != 1 || recs[0].Geometry != (orb.Point{12.5032265, 41.8954998}) {
		t.Fatalf("records %v", recs)
	}
	if !strings.Contains(reportText(rep), "drawn at the center Overpass gave") {
		t.Errorf("report:\n%s", reportText(rep))
	}
}

// A remark that reports an error fails the import with its text, in JSON and in XML.
func TestOverpassRemarkIsAnError(t *testing.T) {
	xmlRemark := `<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="Overpass API 0.7.56">
<remark> runtime error: Query run out of memory using about 2048 MB of RAM. </remark>
</osm>`
	for _, p := range []string{testdata + "json_remark-runtime-error-01.json", writeTemp(t, "remark.xml", xmlRemark)} {
		_, _, err := readAll(t, p, mustTheme(t, "heritage"), false)
		if !errors.Is(err, ErrOverpassRemark) {
			t.Fatalf("%s: error %v", p, err)
		}
		for _, want := range []string{"runtime error", "Query"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %q lacks %q", p, err, want)
			}
		}
	}
}

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := t.TempDir() + "/" + name
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOverpassQuery(t *testing.T) {
	o := &Overpass{}
	b := orb.Bound{Min: orb.Point{5.6, 45.0}, Max: orb.Point{5.9, 45.3}}
	q, err := o.Query(mustTheme(t, "playground"), Area{BBox: &b})
	if err != nil {
		t.Fatal(err)
	}
	want := "[out:json][timeout:180];\n(\n  nwr[\"leisure\"=\"playground\"](45.0000000,5.6000000,45.3000000,5.9000000);\n);\nout body;\n>;\nout skel qt;\n"
	if q != want {
		t.Errorf("query:\n%s\nwant:\n%s", q, want)
	}
	q, _ = o.Query(mustTheme(t, "protected_area"), Area{Relation: 7444})
	for _, want := range []string{"area(3600007444)->.searchArea;", `nwr["boundary"="protected_area"](area.searchArea);`, `nwr["leisure"="nature_reserve"](area.searchArea);`} {
		if !strings.Contains(q, want) {
			t.Errorf("query lacks %s:\n%s", want, q)
		}
	}
	th, err := ParseTheme([]byte(`{"name":"x","match":["amenity=toilets|shower & access!=private & !disused"],"geometry":"area","columns":[{"name":"n","tags":["name"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	q, _ = o.Query(th, Area{BBox: &b})
	if !strings.Contains(q, `way["amenity"~"^(toilets|shower)$"]["access"!="private"][!"disused"](`) || strings.Contains(q, "nwr") {
		t.Errorf("query:\n%s", q)
	}
	if _, err := o.Query(th, Area{}); err == nil {
		t.Error("query without an area")
	}
	for in, want := range map[string]int64{"-7444": 7444, "7444": 7444, "relation/7444": 7444, "3600007444": 7444} {
		if got, err := ParseRelationArea(in); err != nil || got != want {
			t.Errorf("ParseRelationArea(%q) = %d, %v", in, got, err)
		}
	}
	if _, err := ParseRelationArea("paris"); err == nil {
		t.Error("ParseRelationArea(paris)")
	}
}

func TestOverpassFetch(t *testing.T) {
	recorded, err := os.ReadFile(testdata + "json_way-03.json")
	if err != nil {
		t.Fatal(err)
	}
	var inFlight, maxInFlight atomic.Int32
	var gotUA, gotQuery atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		if n > maxInFlight.Load() {
			maxInFlight.Store(n)
		}
		time.Sleep(20 * time.Millisecond)
		gotUA.Store(r.UserAgent())
		gotQuery.Store(r.FormValue("data"))
		switch {
		case strings.Contains(r.FormValue("data"), "busy"):
			w.Header().Set("Retry-After", "60")
			w.WriteHeader(http.StatusTooManyRequests)
		case strings.Contains(r.FormValue("data"), "slow"):
			w.WriteHeader(http.StatusGatewayTimeout)
		case strings.Contains(r.FormValue("data"), "bad"):
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`<html><body><p><strong style="color:#FF0000">Error</strong>: line 1: parse error: Unknown type "nwrx" </p></body></html>`))
		default:
			w.Write(recorded)
		}
	}))
	defer srv.Close()
	o := &Overpass{URL: srv.URL + "/api/interpreter", UserAgent: "patrimap-test/1"}
	var buf bytes.Buffer
	if err := o.Fetch(context.Background(), "[out:json];node(1);out;", &buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), recorded) || gotUA.Load() != "patrimap-test/1" || gotQuery.Load() != "[out:json];node(1);out;" {
		t.Errorf("UA %v, query %v, %d bytes", gotUA.Load(), gotQuery.Load(), buf.Len())
	}
	for q, want := range map[string]string{
		"busy": "429 Too Many Requests", "slow": "504 Gateway Timeout", "bad": `parse error: Unknown type "nwrx"`,
	} {
		err := o.Fetch(context.Background(), q, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want it to say %q", q, err, want)
		}
		if q != "bad" && !errors.Is(err, ErrOverpassBusy) {
			t.Errorf("%s: not ErrOverpassBusy", q)
		}
	}
	// One request at a time, however many goroutines share the client.
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o.Fetch(context.Background(), "x", &bytes.Buffer{})
		}()
	}
	wg.Wait()
	if m := maxInFlight.Load(); m != 1 {
		t.Errorf("%d requests at once", m)
	}
}
