package territory

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

const isereContours = "../../testdata/territory/contours/communes-38-isere.geojson.gz"

// The real contours of Isère's 512 communes, loaded into a store: each commune is read back, and importing
// with --territory dep:38 or epci:200040715 then finds its boundary offline (no request to the geo API).
func TestContoursLoadReal(t *testing.T) {
	ctx := context.Background()
	ref, err := LoadReference()
	if err != nil {
		t.Fatal(err)
	}
	f, err := ReadContours(isereContours, ref)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Communes) != 512 || len(f.Unknown) != 0 {
		t.Fatalf("%d communes, unknown %v; want Isère's 512 current communes", len(f.Communes), f.Unknown)
	}
	// Grenoble's town hall is in Grenoble, not in Saint-Martin-d'Hères.
	hotel := orb.Point{5.7357, 45.1866}
	if !planar.MultiPolygonContains(f.Communes["38185"], hotel) || planar.MultiPolygonContains(f.Communes["38421"], hotel) {
		t.Error("Grenoble's contour should hold its town hall, Saint-Martin-d'Hères's should not")
	}
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	cc := &CommuneContours{Store: st, Reference: ref}
	rep, err := cc.Load(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Communes != 512 || !slices.Equal(rep.Departements, []string{"dep:38"}) || !slices.Contains(rep.EPCI, "epci:200040715") {
		t.Errorf("report %+v; want 512 communes, dep:38 and Grenoble-Alpes-Métropole among the EPCI", rep)
	}
	// An EPCI that reaches into another département is not whole in Isère's file.
	for _, e := range rep.EPCI {
		tt, err := ref.Communes(mustSpec(t, e))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range tt.Communes {
			if c.Departement != "38" {
				t.Errorf("%s has commune %s outside Isère but was reported whole", e, c.Code)
			}
		}
	}
	got, err := cc.Communes(ctx, []string{"38185", "38421", "63113"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !planar.MultiPolygonContains(got["38185"], hotel) {
		t.Errorf("read back %d contours; want Grenoble and Saint-Martin-d'Hères (Clermont-Ferrand is not loaded)", len(got))
	}

	api := newGeoAPI(t)
	api.status = http.StatusServiceUnavailable
	b := &Boundaries{HTTP: api.Client(), Store: st, BaseURL: api.URL}
	for _, spec := range []string{"dep:38", "epci:200040715"} {
		tt := resolve(t, spec)
		if err := b.Boundary(ctx, tt); err != nil {
			t.Fatalf("%s from the cache: %v", spec, err)
		}
		if !planar.MultiPolygonContains(tt.Boundary.(orb.MultiPolygon), hotel) {
			t.Errorf("%s boundary should hold Grenoble", spec)
		}
	}
	if api.count() != 0 {
		t.Errorf("%d requests to the geo API; want none (cached by Load)", api.count())
	}
}

func mustSpec(t *testing.T, s string) Spec {
	t.Helper()
	sp, err := ParseSpec(s)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

// Without a contours file, the geo API gives the contours of a département's communes in one request, cached.
func TestContoursFromGeoAPI(t *testing.T) {
	ctx := context.Background()
	ref, err := LoadReference()
	if err != nil {
		t.Fatal(err)
	}
	api := newGeoAPI(t)
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	cc := &CommuneContours{Store: st, Reference: ref, Boundaries: &Boundaries{HTTP: api.Client(), Store: st, BaseURL: api.URL}}
	got, err := cc.Communes(ctx, []string{"2A004", "2A017"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || len(got["2A017"]) != 2 {
		t.Fatalf("got %d contours (Alata in %d pieces); want Ajaccio and Alata, Alata in 2", len(got), len(got["2A017"]))
	}
	want := []string{"/departements/2A/communes?format=geojson&geometry=contour&fields=code,nom"}
	if !slices.Equal(api.requests, want) {
		t.Errorf("requests %q; want %q", api.requests, want)
	}
	if _, err := cc.Communes(ctx, []string{"2A004", "2A017"}); err != nil || api.count() != 1 {
		t.Errorf("second read: %v, %d requests; want the cache, no new request", err, api.count())
	}

	// Offline: the contours found are returned with the error that says why the others are missing.
	api.status = http.StatusBadGateway
	got, err = cc.Communes(ctx, []string{"2A004", "38185"})
	if err == nil || !strings.Contains(err.Error(), "département 38") || !strings.Contains(err.Error(), "--contours FILE") {
		t.Errorf("error %v; want one naming département 38 and the --contours way", err)
	}
	if len(got) != 1 || got["2A004"] == nil {
		t.Errorf("got %d contours; want Ajaccio's from the cache", len(got))
	}
}

func TestReadContoursErrors(t *testing.T) {
	ref, err := LoadReference()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	square := `{"type":"Polygon","coordinates":[[[5.7,45.1],[5.8,45.1],[5.8,45.2],[5.7,45.1]]]}`
	for _, tc := range []struct {
		name, body, want string
	}{
		{"feature.geojson", `{"type":"Feature","properties":{"code":"38185"},"geometry":` + square + `}`, "want a FeatureCollection"},
		{"nocode.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"nom":"Grenoble"},"geometry":` + square + `}]}`, "feature 1 has no INSEE code"},
		{"badcode.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"Grenoble"},"geometry":` + square + `}]}`, `"Grenoble" is not an INSEE commune code`},
		{"l93.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"38185"},"geometry":{"type":"Polygon","coordinates":[[[913000,6458000],[915000,6458000],[915000,6460000],[913000,6458000]]]}}]}`, "looks projected"},
		{"points.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"38185"},"geometry":{"type":"Point","coordinates":[5.7,45.1]}}]}`, "no Polygon or MultiPolygon"},
		{"merged.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"38293"},"geometry":` + square + `}]}`, "no contour of a current commune"},
	} {
		_, err := ReadContours(write(tc.name, tc.body), ref)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%s: error %v; want one naming the file and saying %q", tc.name, err, tc.want)
		}
	}
	// A code lost to a merger is reported, the current ones kept; a number code gets its leading zero back.
	f, err := ReadContours(write("mixed.geojson", `{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"INSEE_COM":"38293"},"geometry":`+square+`},
		{"type":"Feature","properties":{"code":6088,"nom":"Nice"},"geometry":`+square+`}]}`), ref)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.Unknown, []string{"38293"}) || f.Communes["06088"] == nil || f.Names["06088"] != "Nice" {
		t.Errorf("unknown %v, communes %d; want 38293 reported and 06088 (Nice) kept", f.Unknown, len(f.Communes))
	}
}

func FuzzParseContours(f *testing.F) {
	square := `{"type":"Polygon","coordinates":[[[5.7,45.1],[5.8,45.1],[5.8,45.2],[5.7,45.1]]]}`
	for _, s := range []string{
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"38185","nom":"Grenoble"},"geometry":` + square + `}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"INSEE_COM":6088},"geometry":{"type":"MultiPolygon","coordinates":[[[[7.2,43.7],[7.3,43.7],[7.3,43.8],[7.2,43.7]]]]}}]}`,
		`{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:2154"}},"features":[]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"38293"},"geometry":` + square + `}]}`,
		`{"type":"Feature"}`, `[]`, `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"2A004"},"geometry":null}]}`,
	} {
		f.Add([]byte(s))
	}
	ref, err := LoadReference()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseContours(data, ref)
		if err != nil {
			return
		}
		if len(c.Communes) == 0 {
			t.Fatal("no error and no commune")
		}
		for code, mp := range c.Communes {
			if _, ok := ref.Commune(code); !ok || len(mp) == 0 {
				t.Fatalf("commune %q kept with %d polygons", code, len(mp))
			}
			if err := checkPolygons(mp); err != nil {
				t.Fatalf("commune %s: %v", code, err)
			}
		}
	})
}
