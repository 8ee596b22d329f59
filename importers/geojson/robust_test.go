package geojson

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/limit"
)

// Issue 17: `{"name":"Ch\x8eteau"}` was stored with its raw byte; it is read as Windows-1252 and counted.
func TestTextNotUTF8ReadAsWindows1252(t *testing.T) {
	st := newStore(t)
	p := writeFile(t, "latin.geojson", "{\"type\":\"FeatureCollection\",\"features\":["+
		"{\"type\":\"Feature\",\"id\":\"b\xe9\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[5,45]},\"properties\":{\"name\":\"Ch\x8eteau\",\"nom\":\"Ch\xe2teau de Vizille\"}},"+
		"{\"type\":\"Feature\",\"geometry\":null,\"properties\":{\"name\":\"Château\",\"pr\xe9cision\":\"\\u00e9 \xe9\"}}]}")
	d, rep, err := importFile(t, st, "latin", p, 0)
	if err != nil {
		t.Fatal(err)
	}
	fs := features(t, st, d)
	want := [][]any{{"bé", "ChŽteau", "Château de Vizille", nil}, {nil, "Château", nil, "é é"}}
	var fields []string
	for _, f := range d.Fields {
		fields = append(fields, f.Name)
	}
	if strings.Join(fields, ",") != "id,name,nom,précision" {
		t.Fatalf("fields %v", fields)
	}
	for i, f := range fs {
		for j, v := range f.Values {
			if v != want[i][j] {
				t.Errorf("feature %d, %s = %#v, want %#v", i+1, fields[j], v, want[i][j])
			}
		}
	}
	if n := fixCount(rep, textFix); n != 5 {
		t.Errorf("%d values counted as not UTF-8, want 5 (report %+v)", n, rep.Fixes)
	}
}

func fixCount(rep *importers.Report, what string) int64 {
	for _, c := range rep.Fixes {
		if c.What == what {
			return c.N
		}
	}
	return 0
}

// Issue 17: one string of 200 MB took 1.95 GB. Anything over the value limit stops the import at once, with
// the file, the feature and the limit; so do nesting and a feature over its limit.
func TestOversizedValuesRefused(t *testing.T) {
	big := strings.Repeat("A", limit.Value+1)
	tests := []struct {
		name, body, want string
	}{
		{"string", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":{"a":1}},` +
			`{"type":"Feature","geometry":null,"properties":{"name":"` + big + `"}}]}`,
			"big.geojson: feature 2 (starting after byte 95): byte 152: a string longer than 16 MiB (limit 16 MiB;"},
		{"number", `{"type":"Feature","geometry":{"type":"Point","coordinates":[5,4` + strings.Repeat("5", limit.Value) + `]},"properties":null}`,
			"big.geojson: feature 1 (starting after byte 0): byte 62: a number or literal longer than 16 MiB (limit 16 MiB;"},
		{"white space", `{"type":"FeatureCollection","features":[` + strings.Repeat(" ", limit.Space+1) + `]}`,
			"big.geojson: feature 1 (starting after byte 0): byte 40: a run of white space longer than 1 MiB (limit 1 MiB;"},
		{"nesting", `{"type":"Feature","geometry":null,"properties":{"a":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}}`,
			"big.geojson: feature 1 (starting after byte 0): byte 114: arrays and objects nested more than 64 deep (limit 64 levels;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := importFile(t, newStore(t), "big", writeFile(t, "big.geojson", tt.body), 0)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, importers.ErrBadInput) || !errors.Is(err, limit.ErrExceeded) {
				t.Errorf("error %v\nwant one saying %q", err, tt.want)
			}
		})
	}
}

// A feature larger than its limit is refused; the next feature starts a new count.
func TestFeatureSpan(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for i := 0; i < 3; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"type":"Feature","geometry":{"type":"LineString","coordinates":[`)
		for j := 0; j < 20000; j++ {
			if j > 0 {
				b.WriteString(",")
			}
			b.WriteString("[5.123456,45.123456]")
		}
		b.WriteString(`]},"properties":{}}`)
	}
	b.WriteString(`]}`)
	n := 0
	err := NewReader("lines.geojson", &b, 0).Records(context.Background(), &importers.Report{}, func(importers.Record) error { n++; return nil })
	if err != nil || n != 3 {
		t.Fatalf("%d features of 430 kB each: %v", n, err)
	}
}

// Issue 17: a coordinate of 1e308 said "feature 1: coordinate ... is not a longitude/latitude" without the file.
func TestOutOfRangeCoordinateNamesTheFile(t *testing.T) {
	p := writeFile(t, "far.geojson", `{"type":"Feature","geometry":{"type":"Point","coordinates":[1e308,45]},"properties":{}}`)
	_, _, err := importFile(t, newStore(t), "far", p, 0)
	if err == nil || !strings.Contains(err.Error(), "far.geojson: feature 1: coordinate (1e+308, 45) is not a longitude/latitude") {
		t.Errorf("error %v", err)
	}
}

// FuzzRecords feeds arbitrary bytes to the whole reader: it may refuse them, never panic, and what it emits is
// valid UTF-8.
func FuzzRecords(f *testing.F) {
	for _, s := range geometrySeeds {
		f.Add([]byte(`{"type":"Feature","geometry":` + s + `,"properties":{"a":"b"}}`))
	}
	f.Add([]byte("{\"type\":\"Feature\",\"geometry\":null,\"properties\":{\"name\":\"Ch\x8eteau\"}}\n{\"type\":\"Feature\",\"id\":7,\"geometry\":null}"))
	f.Add([]byte("\x1e{\"type\":\"Feature\",\"geometry\":null,\"properties\":null}\n"))
	f.Add([]byte(`{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::2154"}},"features":[]}`))
	for _, p := range []string{"wfs-znieff1-oise-25.geojson"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "inpn", p))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b[:4096]) // the start of a real file, cut: the features it holds, then a truncated one
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		rd := NewReader("fuzz.geojson", bytes.NewReader(b), 0)
		_ = rd.Records(context.Background(), &importers.Report{}, func(r importers.Record) error {
			for _, p := range r.Properties {
				if s, ok := p.Value.(string); !utf8.ValidString(p.Key) || ok && !utf8.ValidString(s) {
					t.Fatalf("%s: %q = %q is not UTF-8", r.Ref, p.Key, s)
				}
			}
			return nil
		})
	})
}

// A GeoJSON file may come gzip'd or bzip2'd: read decompressed, within the expansion limit.
func TestCompressedFiles(t *testing.T) {
	real, err := os.ReadFile(filepath.Join("..", "..", "testdata", "inpn", "wfs-znieff1-oise-25.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(real)
	zw.Close()
	plain, _, err := importFile(t, newStore(t), "plain", filepath.Join("..", "..", "testdata", "inpn", "wfs-znieff1-oise-25.geojson"), 0)
	if err != nil {
		t.Fatal(err)
	}
	gz, _, err := importFile(t, newStore(t), "gz", writeFile(t, "znieff.geojson.gz", z.String()), 0)
	if err != nil || gz.FeatureCount != plain.FeatureCount || gz.FeatureCount == 0 {
		t.Errorf("gzip'd: %d features (%v); plain: %d", gz.FeatureCount, err, plain.FeatureCount)
	}
	z.Reset()
	zw = gzip.NewWriter(&z)
	zw.Write([]byte(`{"type":"FeatureCollection","features":[`))
	for i := 0; i < 80; i++ {
		zw.Write([]byte(strings.Repeat(`{"type":"Feature","geometry":null,"properties":{"a":1}},`, 20000)))
	}
	zw.Write([]byte(`{"type":"Feature","geometry":null,"properties":{}}]}`))
	zw.Close()
	f, err := Open(writeFile(t, "bomb.geojson.gz", z.String()), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	err = f.Records(context.Background(), &importers.Report{}, func(importers.Record) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "bomb.geojson.gz") || !strings.Contains(err.Error(), "the gzip stream inflates more than 100 times") {
		t.Errorf("a bomb of repeated features: %v", err)
	}
}
