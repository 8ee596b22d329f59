package umap

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// Map files are user input: ParseMap never panics, and a map it accepts is accepted again once written back.
func FuzzParseMap(f *testing.F) {
	for _, name := range []string{"maps/isere.json", "maps/puy-de-dome.json", "../testdata/umap/isere-thematique.json"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"datasets":["a"],"styles":{"a":{"type":"Choropleth","choropleth":{"property":"n","mode":"manual","breaks":"0,1e3,5000"}}}}`))
	f.Add([]byte(`{"datasets":["a"],"styles":{"a":{"type":"Circles","circles":{"property":"n","radius":{"min":2,"max":40}}}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseMap("fuzz", b)
		if err != nil {
			return
		}
		again, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseMap("fuzz", again); err != nil {
			t.Fatalf("accepted %s, then refused it written back as %s: %v", b, again, err)
		}
	})
}

// .umap files are read as uMap reads them: Validate never panics, whatever the bytes.
func FuzzValidate(f *testing.F) {
	files, _ := filepath.Glob("../testdata/umap/*remote_data*.umap")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"type":"umap","properties":{},"layers":[{"type":"FeatureCollection","features":[],"properties":{"remoteData":{"url":"https://x/{bbox}","format":"geojson"}}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, p := range Validate(b) {
			if p.Path == "" || p.Message == "" {
				t.Fatalf("problem without a place or a message: %+v", p)
			}
		}
	})
}
