package encode

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"

	"github.com/patrimap/patrimap/store"
)

// rnnFields are the columns of testdata/rnn-isere.geojson as the store types them.
var rnnFields = []store.Field{
	{Name: "ID_LOCAL", Type: store.FieldText}, {Name: "CODE_R_ENP", Type: store.FieldText},
	{Name: "NOM_SITE", Type: store.FieldText}, {Name: "DATE_CREA", Type: store.FieldDate},
	{Name: "URL_FICHE", Type: store.FieldText}, {Name: "SURF_OFF", Type: store.FieldReal},
	{Name: "GEST_SITE", Type: store.FieldText}, {Name: "ID_MNHN", Type: store.FieldText},
}

// loadRNN reads the national nature reserves of Isère as the store would hand them to an encoder.
func loadRNN(t testing.TB) []*store.Feature {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "rnn-isere.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		t.Fatal(err)
	}
	var out []*store.Feature
	for i, f := range fc.Features {
		sf := &store.Feature{FID: int64(i + 1), Geometry: f.Geometry}
		for _, field := range rnnFields {
			sf.Values = append(sf.Values, f.Properties[field.Name])
		}
		out = append(out, sf)
	}
	if len(out) != 15 {
		t.Fatalf("fixture has %d features, want 15", len(out))
	}
	return out
}

// ogrinfo runs GDAL's ogrinfo and returns its standard output; anything on standard error fails the test.
func ogrinfo(t *testing.T, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("ogrinfo")
	if err != nil {
		t.Fatalf("ogrinfo (GDAL) is needed to check that GIS tools read the output: install it with `sudo apt-get install gdal-bin` (%v)", err)
	}
	cmd := exec.Command(bin, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ogrinfo %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	if s := stderr.String(); s != "" {
		t.Errorf("ogrinfo %s complained:\n%s", strings.Join(args, " "), s)
	}
	return string(out)
}

// ogrFeatures splits ogrinfo -al output into features, each a map of "NAME" -> printed value.
func ogrFeatures(out string) []map[string]string {
	var fs []map[string]string
	value := regexp.MustCompile(`^  (\S[^(\n]*) \((?:.*?)\) = (.*)$`)
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "OGRFeature(") {
			fs = append(fs, map[string]string{})
			continue
		}
		if m := value.FindStringSubmatch(line); m != nil && len(fs) > 0 {
			fs[len(fs)-1][m[1]] = m[2]
		}
		if g := strings.TrimSpace(line); len(fs) > 0 && (strings.HasPrefix(g, "POINT") || strings.HasPrefix(g, "MULTI") ||
			strings.HasPrefix(g, "POLYGON") || strings.HasPrefix(g, "LINESTRING") || strings.HasPrefix(g, "GEOMETRYCOLLECTION")) {
			fs[len(fs)-1]["geometry"] = g
		}
	}
	return fs
}

func writeCSV(t *testing.T, fields []store.Field, opts CSVOptions, fs []*store.Feature) []byte {
	t.Helper()
	var out bytes.Buffer
	w := NewCSVWriter(&out, fields, opts)
	if err := w.Begin("test"); err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if err := w.Write(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.End(); err != nil {
		t.Fatal(err)
	}
	if w.Count() != len(fs) {
		t.Errorf("Count() = %d, want %d", w.Count(), len(fs))
	}
	return out.Bytes()
}

func readCSV(t *testing.T, b []byte, sep rune) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF"))))
	r.Comma = sep
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("encoding/csv cannot read the output: %v\n%s", err, b)
	}
	return recs
}

var tricky = []store.Field{
	{Name: "name", Type: store.FieldText}, {Name: "n", Type: store.FieldInteger}, {Name: "x", Type: store.FieldReal},
	{Name: "ok", Type: store.FieldBoolean}, {Name: "flag", Type: store.FieldBoolean}, {Name: "day", Type: store.FieldDate},
	{Name: "tags", Type: store.FieldJSON},
}

func TestCSVRoundTrip(t *testing.T) {
	features := []*store.Feature{
		{FID: 1, Geometry: orb.Point{5.7245, 45.1885}, Values: []any{`Château "fort"; nord, sud`, int64(3), 61.5, true, int64(0), "2020-01-31", `{"a":[1,2]}`}},
		{FID: 2, Geometry: orb.Point{0.00005, 47.1}, Values: []any{"deux\nlignes\r\net fin", int64(-12), 0.00001, false, int64(1), nil, nil}},
		{FID: 3, Values: []any{" espace devant", nil, 1e22, nil, nil, nil, "[]"}},
		{FID: 4, Geometry: orb.Point{6, 45}, Values: []any{"bad \xff byte", int64(1) << 60, 1234567.25, nil, nil, nil, nil}},
	}
	want := [][]string{
		{"fid", "name", "n", "x", "ok", "flag", "day", "tags", "wkt"},
		{"1", `Château "fort"; nord, sud`, "3", "61.5", "true", "false", "2020-01-31", `{"a":[1,2]}`, "POINT(5.7245 45.1885)"},
		{"2", "deux\nlignes\net fin", "-12", "0.00001", "false", "true", "", "", "POINT(0.00005 47.1)"},
		{"3", " espace devant", "", "1e+22", "", "", "", "[]", ""},
		{"4", "bad \uFFFD byte", "1152921504606846976", "1234567.25", "", "", "", "", "POINT(6 45)"},
	}
	for _, sep := range []rune{',', ';', '\t'} {
		b := writeCSV(t, tricky, CSVOptions{Separator: sep}, features)
		got := readCSV(t, b, sep)
		if len(got) != len(want) {
			t.Fatalf("sep %q: %d records, want %d:\n%s", sep, len(got), len(want), b)
		}
		for i := range want {
			if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
				t.Errorf("sep %q: record %d\n got %q\nwant %q", sep, i, got[i], want[i])
			}
		}
		// RFC 4180: CRLF line ends; a value holding the separator, a quote or a newline is quoted.
		if !bytes.HasSuffix(b, []byte("\r\n")) || bytes.Count(b, []byte("\r\n")) < 5 {
			t.Errorf("sep %q: lines do not end with CRLF", sep)
		}
		if !bytes.Contains(b, []byte(`"Château ""fort""; nord, sud"`)) {
			t.Errorf("sep %q: quotes not doubled inside a quoted value:\n%s", sep, b)
		}
	}
	// With ';', numbers keep their decimal point and commas need no quoting.
	b := writeCSV(t, tricky, CSVOptions{Separator: ';', Geometry: CSVGeometryNone}, features[:1])
	if line := strings.Split(string(b), "\r\n")[1]; line != `1;"Château ""fort""; nord, sud";3;61.5;true;false;2020-01-31;"{""a"":[1,2]}"` {
		t.Errorf("';' line = %s", line)
	}
}

func TestCSVBOM(t *testing.T) {
	fs := []*store.Feature{{FID: 1, Values: []any{"Vénéon", nil, nil, nil, nil, nil, nil}}}
	with := writeCSV(t, tricky, CSVOptions{BOM: true}, fs)
	if !bytes.HasPrefix(with, []byte{0xEF, 0xBB, 0xBF, 'f', 'i', 'd'}) {
		t.Errorf("BOM asked: file starts with % x", with[:6])
	}
	without := writeCSV(t, tricky, CSVOptions{}, fs)
	if !bytes.HasPrefix(without, []byte("fid,")) {
		t.Errorf("no BOM asked: file starts with % x", without[:6])
	}
	if !bytes.Equal(with[3:], without) {
		t.Error("the BOM changed more than the first three bytes")
	}
}

func TestCSVOptions(t *testing.T) {
	for _, o := range []CSVOptions{{Separator: '"'}, {Separator: '\n'}, {Separator: 'a'}, {Geometry: "geojson"}} {
		if err := o.Validate(); err == nil {
			t.Errorf("%+v accepted", o)
		}
		if err := NewCSVWriter(&bytes.Buffer{}, tricky, o).Begin(""); err == nil {
			t.Errorf("Begin accepted %+v", o)
		}
	}
	for _, o := range []CSVOptions{{}, {Separator: ';', BOM: true, Geometry: CSVGeometryLonLat}, {Separator: '\t', Geometry: CSVGeometryNone}} {
		if err := o.Validate(); err != nil {
			t.Errorf("%+v refused: %v", o, err)
		}
	}
}

func TestCSVHeaderAvoidsFieldNames(t *testing.T) {
	fields := []store.Field{{Name: "lon", Type: store.FieldReal}, {Name: "LAT", Type: store.FieldReal}, {Name: "geom_lat", Type: store.FieldText}, {Name: "WKT", Type: store.FieldText}}
	for _, tc := range []struct {
		mode string
		want string
	}{
		{CSVGeometryLonLat, "fid|lon|LAT|geom_lat|WKT|geom_lon|geom_lat_2"},
		{CSVGeometryWKT, "fid|lon|LAT|geom_lat|WKT|geom_wkt"},
		{CSVGeometryNone, "fid|lon|LAT|geom_lat|WKT"},
	} {
		w := NewCSVWriter(&bytes.Buffer{}, fields, CSVOptions{Geometry: tc.mode})
		if got := strings.Join(w.Header(), "|"); got != tc.want {
			t.Errorf("%s: header %s, want %s", tc.mode, got, tc.want)
		}
	}
}

func TestAppendWKTRoundTrip(t *testing.T) {
	for _, g := range []orb.Geometry{
		orb.Point{5.72450001, -0.00000001},
		orb.MultiPoint{{1, 2}, {3.5, 4}},
		orb.LineString{{5, 45}, {5.1, 45.2}},
		orb.MultiLineString{{{5, 45}, {5.1, 45.2}}, {{6, 46}, {6.1, 46.2}}},
		orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}, {{0.2, 0.1}, {0.8, 0.1}, {0.8, 0.7}, {0.2, 0.1}}},
		orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}, {{{2, 2}, {3, 2}, {3, 3}, {2, 2}}}},
		orb.Collection{orb.Point{1, 2}, orb.LineString{{0, 0}, {1, 1}}},
		orb.MultiPolygon{},
	} {
		s := string(AppendWKT(nil, g))
		if regexp.MustCompile(`\de`).MatchString(s) {
			t.Errorf("%s: exponent in output", s)
		}
		back, err := wkt.Unmarshal(s)
		if err != nil {
			t.Errorf("%s: orb cannot read it back: %v", s, err)
			continue
		}
		if !orb.Equal(back, orb.Round(orb.Clone(g), 1e7)) {
			t.Errorf("%s read back as %v", s, back)
		}
	}
	if s := string(AppendWKT(nil, orb.Point{6.279283549, 44.94005649})); s != "POINT(6.2792835 44.9400565)" {
		t.Errorf("7 decimals: %s", s)
	}
}

func TestRepresentativePointIsInside(t *testing.T) {
	square := func(x0, y0, x1, y1 float64) orb.Ring {
		return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
	}
	donut := orb.Polygon{square(0, 0, 10, 10), square(2, 2, 8, 8)} // centroid in the hole
	horseshoe := orb.Polygon{{{0, 0}, {10, 0}, {10, 10}, {8, 10}, {8, 2}, {2, 2}, {2, 10}, {0, 10}, {0, 0}}}
	// Two islands either side of an empty middle: the centroid falls in the sea.
	archipelago := orb.MultiPolygon{{square(0, 0, 1, 1)}, {square(9, 0, 10, 1.5)}}
	for name, g := range map[string]orb.Geometry{"donut": donut, "horseshoe": horseshoe, "archipelago": archipelago} {
		p, ok := RepresentativePoint(g)
		if !ok {
			t.Errorf("%s: no point", name)
			continue
		}
		if c, _ := planar.CentroidArea(g); name != "archipelago" && inside(g, c) {
			t.Fatalf("%s: test is wrong, centroid %v is inside", name, c)
		}
		if !inside(g, p) {
			t.Errorf("%s: point %v is not inside", name, p)
		}
	}
	if p, _ := RepresentativePoint(archipelago); p[0] < 9 {
		t.Errorf("archipelago: point %v is not on the largest island", p)
	}
	// Compact shapes give their centroid; lines their middle; points themselves.
	if p, _ := RepresentativePoint(orb.Polygon{square(0, 0, 2, 2)}); p != (orb.Point{1, 1}) {
		t.Errorf("square: %v", p)
	}
	if p, _ := RepresentativePoint(orb.LineString{{0, 0}, {1, 0}, {1, 3}}); p != (orb.Point{1, 1}) {
		t.Errorf("line: %v", p)
	}
	if p, _ := RepresentativePoint(orb.MultiPoint{{0, 0}, {10, 10}, {4, 5}}); p != (orb.Point{4, 5}) {
		t.Errorf("multipoint: %v", p)
	}
	for _, g := range []orb.Geometry{nil, orb.MultiPolygon{}, orb.LineString{}, orb.Collection{}} {
		if _, ok := RepresentativePoint(g); ok {
			t.Errorf("%#v: a point for an empty geometry", g)
		}
	}
	// The reserves of Isère, one with holes.
	for _, f := range loadRNN(t) {
		if p, ok := RepresentativePoint(f.Geometry); !ok || !inside(f.Geometry, p) {
			t.Errorf("reserve %d (%v): point %v is not inside", f.FID, f.Values[2], p)
		}
	}
}

func inside(g orb.Geometry, p orb.Point) bool {
	switch g := g.(type) {
	case orb.Polygon:
		return planar.PolygonContains(g, p)
	case orb.MultiPolygon:
		return planar.MultiPolygonContains(g, p)
	}
	return false
}

// GDAL's CSV driver, the one QGIS uses, reads both geometry layouts back: same count, values and geometries.
func TestCSVReadByGDAL(t *testing.T) {
	features := loadRNN(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		opts CSVOptions
		oo   []string
		geom string
	}{
		{"wkt.csv", CSVOptions{}, []string{"-oo", "GEOM_POSSIBLE_NAMES=wkt", "-oo", "KEEP_GEOM_COLUMNS=NO"}, "MULTIPOLYGON"},
		{"lonlat.csv", CSVOptions{Separator: ';', BOM: true, Geometry: CSVGeometryLonLat},
			[]string{"-oo", "X_POSSIBLE_NAMES=lon", "-oo", "Y_POSSIBLE_NAMES=lat", "-oo", "KEEP_GEOM_COLUMNS=NO"}, "POINT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			if err := os.WriteFile(path, writeCSV(t, rnnFields, tc.opts, features), 0o644); err != nil {
				t.Fatal(err)
			}
			args := append([]string{"-al", "-oo", "AUTODETECT_TYPE=YES"}, tc.oo...)
			out := ogrinfo(t, append(args, path)...)
			if !strings.Contains(out, "Feature Count: 15\n") {
				t.Errorf("GDAL does not count 15 features:\n%.2000s", out)
			}
			if !regexp.MustCompile(`(?m)^ID_LOCAL: String`).MatchString(out) || !regexp.MustCompile(`(?m)^SURF_OFF: Real`).MatchString(out) {
				t.Errorf("GDAL does not see the fields (a BOM glued to the first name?):\n%.1500s", out)
			}
			got := ogrFeatures(out)
			if len(got) != 15 {
				t.Fatalf("GDAL printed %d features", len(got))
			}
			for i, f := range features {
				g := got[i]
				if g["NOM_SITE"] != f.Values[2] || g["ID_MNHN"] != f.Values[7] {
					t.Errorf("feature %d: %q %q, want %q %q", f.FID, g["NOM_SITE"], g["ID_MNHN"], f.Values[2], f.Values[7])
				}
				if want := strconv.FormatFloat(f.Values[5].(float64), 'f', -1, 64); g["SURF_OFF"] != want {
					t.Errorf("feature %d: SURF_OFF %q, want %s", f.FID, g["SURF_OFF"], want)
				}
				if !strings.HasPrefix(g["geometry"], tc.geom) && !(tc.geom == "MULTIPOLYGON" && strings.HasPrefix(g["geometry"], "POLYGON")) {
					t.Errorf("feature %d: geometry %.60s", f.FID, g["geometry"])
				}
				if tc.geom == "POINT" {
					if p, err := parsePoint(g["geometry"]); err != nil || !inside(f.Geometry, p) {
						t.Errorf("feature %d: GDAL point %q is not inside the reserve (%v)", f.FID, g["geometry"], err)
					}
				}
			}
		})
	}
}

// parsePoint reads GDAL's "POINT (x y)".
func parsePoint(s string) (orb.Point, error) {
	g, err := wkt.Unmarshal(s)
	if err != nil {
		return orb.Point{}, err
	}
	p, ok := g.(orb.Point)
	if !ok {
		return orb.Point{}, fmt.Errorf("%q is not a point", s)
	}
	return p, nil
}

func BenchmarkCSVWriter(b *testing.B) {
	features := loadRNN(b)
	for _, mode := range []string{CSVGeometryWKT, CSVGeometryLonLat} {
		b.Run(mode, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				w := NewCSVWriter(io.Discard, rnnFields, CSVOptions{Geometry: mode})
				w.Begin("rnn")
				for _, f := range features {
					w.Write(f)
				}
				w.End()
			}
		})
	}
}
