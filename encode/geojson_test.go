package encode

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/store"
)

func TestAppendJSONStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "Haut-Vénéon", "L’AVAL", "a\"b\\c", "tab\there\nnew", "\x01\x1f", "bad \xff byte", "\u2028sep", "emoji 🌿"} {
		got := AppendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%q: invalid JSON %s: %v", s, got, err)
		}
		want := string(bytes.ToValidUTF8([]byte(s), []byte("\uFFFD")))
		if back != want {
			t.Errorf("%q round-trips as %q", s, back)
		}
	}
}

func TestGeoJSONWriter(t *testing.T) {
	fields := []store.Field{{Name: "ID_ORG", Type: store.FieldText}, {Name: "n", Type: store.FieldInteger},
		{Name: "ok", Type: store.FieldBoolean}, {Name: "tags", Type: store.FieldJSON}, {Name: "surf", Type: store.FieldReal}}
	var out bytes.Buffer
	w := NewGeoJSONWriter(&out, fields)
	if err := w.Begin("test"); err != nil {
		t.Fatal(err)
	}
	w.Write(&store.Feature{FID: 1, Geometry: orb.Point{5.7245, 45.1885}, Values: []any{"06000003", int64(3), int64(1), `{"a":[1]}`, 61.5}})
	w.Write(&store.Feature{FID: 2, Values: []any{nil, nil, false, nil, nil}})
	if err := w.End(); err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Type     string
		Features []struct {
			ID         int64
			Geometry   *struct{ Coordinates []float64 }
			Properties map[string]any
		}
	}
	if err := json.Unmarshal(out.Bytes(), &fc); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, out.String())
	}
	if len(fc.Features) != 2 || fc.Features[0].ID != 1 {
		t.Fatalf("features: %+v", fc.Features)
	}
	p := fc.Features[0].Properties
	if p["ID_ORG"] != "06000003" || p["n"] != 3.0 || p["ok"] != true || p["surf"] != 61.5 {
		t.Errorf("properties: %v", p)
	}
	if tags, ok := p["tags"].(map[string]any); !ok || tags["a"] == nil {
		t.Errorf("json property not embedded as JSON: %v", p["tags"])
	}
	if fc.Features[1].Geometry != nil {
		t.Errorf("null geometry written as %v", fc.Features[1].Geometry)
	}
}

// JSON columns as JSON text, for clients that cannot take nested values: the string holds the exact JSON; reals
// always read as reals (12.0), integers stay integers.
func TestGeoJSONWriterJSONAsTextAndReals(t *testing.T) {
	fields := []store.Field{{Name: "events", Type: store.FieldJSON}, {Name: "area_ha", Type: store.FieldReal}, {Name: "n", Type: store.FieldInteger}}
	events := `[{"date":"1942-08-09","type":"inscrit","partial":false,"text":"1942/08/09 : inscrit MH"}]`
	for _, tc := range []struct {
		asText bool
		want   string
	}{
		{false, `"properties":{"events":` + events + `,"area_ha":12.0,"n":12}}`},
		{true, `"properties":{"events":"[{\"date\":\"1942-08-09\",\"type\":\"inscrit\",\"partial\":false,\"text\":\"1942/08/09 : inscrit MH\"}]","area_ha":12.0,"n":12}}`},
	} {
		var out bytes.Buffer
		w := NewGeoJSONWriter(&out, fields)
		if tc.asText {
			w.JSONAsText()
		}
		if err := w.WriteFeature(&store.Feature{FID: 1, Values: []any{events, 12.0, int64(12)}}, nil); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), tc.want) {
			t.Errorf("as text %v:\n%s\nwant %s", tc.asText, out.String(), tc.want)
		}
		var f struct{ Properties map[string]any }
		if err := json.Unmarshal(out.Bytes(), &f); err != nil {
			t.Fatalf("invalid JSON: %v", err)
		}
		if s, ok := f.Properties["events"].(string); tc.asText && (!ok || s != events) {
			t.Errorf("the text is not the column's JSON: %q", f.Properties["events"])
		}
	}
	for v, want := range map[float64]string{0.5: "0.5", -3: "-3.0", 1e21: "1e+21", 2.5e-7: "2.5e-07", 0: "0.0"} {
		if got := string(appendReal(nil, v)); got != want {
			t.Errorf("appendReal(%v) = %s, want %s", v, got, want)
		}
	}
}
