package osm

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/patrimap/patrimap/importers"
)

// fuzzFile writes b as a file named name and reads it with a theme, as an import would: whatever the bytes,
// no panic, and the records hold only valid UTF-8.
func fuzzFile(f *testing.F, name string, seeds ...string) {
	for _, s := range seeds {
		b, err := os.ReadFile(testdata + s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	th := mustTheme(f, "heritage")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		file, err := Open(p, Options{Theme: th})
		if err != nil {
			return
		}
		_ = file.Records(context.Background(), &importers.Report{}, func(r importers.Record) error {
			for _, p := range r.Properties {
				if s, ok := p.Value.(string); ok && !utf8.ValidString(s) {
					t.Fatalf("%s: %s = %q is not UTF-8", r.Ref, p.Key, s)
				}
			}
			if r.Geometry != nil {
				_ = r.Geometry.Bound()
			}
			return nil
		})
	})
}

// FuzzOSMXML reads arbitrary bytes as an .osm file (the format is told from the content, so any family may
// read them).
func FuzzOSMXML(f *testing.F) { fuzzFile(f, "fuzz.osm", "sample.osm", "way_230391153.osm") }

// FuzzOverpassJSON reads arbitrary bytes as an Overpass JSON response.
func FuzzOverpassJSON(f *testing.F) {
	fuzzFile(f, "fuzz.json", "json_node-01.json", "json_way-03.json", "json_way-04.json", "json_area-01.json", "json_remark-runtime-error-01.json")
}

// FuzzOverpassXML reads arbitrary bytes as an Overpass XML response.
func FuzzOverpassXML(f *testing.F) { fuzzFile(f, "fuzz.xml", "xml_way-03.xml") }

// FuzzPBF reads arbitrary bytes as an OSM PBF file: the blob checks of pbfBlobs, then paulmach/osm's decoder.
func FuzzPBF(f *testing.F) {
	f.Add(pbfOf(f, testdata+"sample.osm"))
	f.Add(pbfOf(f, testdata+"way_230391153.osm"))
	fuzzFile(f, "fuzz.osm.pbf")
}
