package encode

import (
	"bytes"
	"encoding/json"
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
