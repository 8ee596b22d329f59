package territory

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func TestParseSpec(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Spec
		wantErr string // substring of the error; "" for none
	}{
		{in: "epci:200040715", want: Spec{KindEPCI, []string{"200040715"}}},
		{in: " EPCI : 200040715 ", want: Spec{KindEPCI, []string{"200040715"}}},
		{in: "epci:200040715,246300701,200040715", want: Spec{KindEPCI, []string{"200040715", "246300701"}}},
		{in: "dep:38", want: Spec{KindDep, []string{"38"}}},
		{in: "dep:1", want: Spec{KindDep, []string{"01"}}},
		{in: "dep:2A", want: Spec{KindDep, []string{"2A"}}},
		{in: "dep:2b", want: Spec{KindDep, []string{"2B"}}},
		{in: "dep:974", want: Spec{KindDep, []string{"974"}}},
		{in: "departement:38,73", want: Spec{KindDep, []string{"38", "73"}}},
		{in: "commune:63113", want: Spec{KindCommune, []string{"63113"}}},
		{in: "commune:63113,63014", want: Spec{KindCommune, []string{"63113", "63014"}}},
		{in: "commune:6059", want: Spec{KindCommune, []string{"06059"}}},
		{in: "commune:2a004, 2B033", want: Spec{KindCommune, []string{"2A004", "2B033"}}},
		{in: "commune:63113,", want: Spec{KindCommune, []string{"63113"}}},

		{in: "200040715", wantErr: "want epci:SIREN"},
		{in: "", wantErr: "want epci:SIREN"},
		{in: "region:84", wantErr: `unknown kind "region"`},
		{in: "epci:", wantErr: "no code"},
		{in: "epci:2000407", wantErr: "9 digits"},
		{in: "epci:38185", wantErr: "write commune:38185"},
		{in: "epci:20004071500019", wantErr: "epci:200040715"},
		{in: "dep:20", wantErr: "dep:2A"},
		{in: "dep:0", wantErr: "01 to 95"},
		{in: "dep:380", wantErr: "01 to 95"},
		{in: "dep:38000", wantErr: "commune:38000"},
		{in: "dep:isere", wantErr: "01 to 95"},
		{in: "commune:631", wantErr: "not an INSEE commune code"},
		{in: "commune:0123", wantErr: "not an INSEE commune code"},
		{in: "commune:2C004", wantErr: "not an INSEE commune code"},
		{in: "commune:200040715", wantErr: "epci:200040715"},
		{in: "commune:63113,abc", wantErr: `"abc"`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseSpec(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseSpec(%q) = %v, %v; want an error containing %q", tc.in, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ParseSpec(%q) = %#v, %v; want %#v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestNormaliseINSEE(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"6059", "06059", true},
		{"06059", "06059", true},
		{" 38185 ", "38185", true},
		{"2A004", "2A004", true},
		{"2a004", "2A004", true},
		{"97411", "97411", true},
		{"0605", "", false},
		{"605", "", false},
		{"00123", "", false},
		{"2C004", "", false},
		{"6059.0", "", false},
		{"", "", false},
		{"380000", "", false},
	} {
		got, ok := NormaliseINSEE(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("NormaliseINSEE(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestNormalisePostcodeAndDep(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{{"6000", "06000", true}, {"38000", "38000", true}, {"380", "", false}, {"00100", "", false}, {"2A000", "", false}} {
		if got, ok := NormalisePostcode(tc.in); got != tc.want || ok != tc.ok {
			t.Errorf("NormalisePostcode(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{{"1", "01", true}, {"38", "38", true}, {"2a", "2A", true}, {"971", "971", true}, {"20", "", false}, {"100", "", false}} {
		if got, ok := NormaliseDep(tc.in); got != tc.want || ok != tc.ok {
			t.Errorf("NormaliseDep(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Grenoble-Alpes-Métropole":    "grenoble-alpes-metropole",
		"Clermont Auvergne Métropole": "clermont-auvergne-metropole",
		"L'Haÿ-les-Roses":             "l-hay-les-roses",
		"Œuvre  d'Île-de-France":      "oeuvre-d-ile-de-france",
		"CC Faucigny - Glières":       "cc-faucigny-glieres",
		"Ajaccio (2A004)":             "ajaccio-2a004",
		"  --Saint-Étienne--  ":       "saint-etienne",
		"Ste-Marie-aux-Mines\u0301":   "ste-marie-aux-mines", // a combining accent is dropped
		"Ça, c'est ß":                 "ca-c-est-ss",
		"":                            "",
		"---":                         "",
	} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestFromBBox(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    orb.Bound
		wantErr string
	}{
		{in: "5.60,45.10,5.85,45.25", want: orb.Bound{Min: orb.Point{5.60, 45.10}, Max: orb.Point{5.85, 45.25}}},
		{in: " -1.5 , 43.3, -1.4, 43.5 ", want: orb.Bound{Min: orb.Point{-1.5, 43.3}, Max: orb.Point{-1.4, 43.5}}},
		{in: "5.6,45.1,5.85", wantErr: "3 numbers"},
		{in: "5.6 45.1 5.85 45.25", wantErr: "1 numbers"},
		{in: "5.6,45.1,east,45.25", wantErr: `"east" is not a number`},
		{in: "5.6,45.1,NaN,45.25", wantErr: "not a number"},
		{in: "913000,6455000,918000,6460000", wantErr: "±180"},
		{in: "5.6,95,5.85,96", wantErr: "±90"},
		{in: "5.85,45.1,5.6,45.25", wantErr: "west 5.85 must be less than east 5.6"},
		{in: "5.6,45.25,5.85,45.1", wantErr: "south 45.25 must be less than north 45.1"},
		{in: "5.6,45.1,5.6,45.25", wantErr: "west"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := FromBBox(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("FromBBox(%q) = %v, %v; want an error containing %q", tc.in, got, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.BBox != tc.want || got.Boundary != nil || got.Slug != "" || len(got.Communes) != 0 {
				t.Fatalf("FromBBox(%q) = %+v; want BBox %v only", tc.in, got, tc.want)
			}
		})
	}
}

func TestFromFile(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "territory", "within")
	t.Run("feature collection", func(t *testing.T) {
		tt, err := FromFile(filepath.Join(dir, "metro-sud.geojson"))
		if err != nil {
			t.Fatal(err)
		}
		mp, ok := tt.Boundary.(orb.MultiPolygon)
		if !ok || len(mp) != 3 {
			t.Fatalf("Boundary = %T with %d polygons; want a MultiPolygon of 3 (the Point and the null geometry ignored)", tt.Boundary, len(mp))
		}
		want := orb.Bound{Min: orb.Point{5.68, 45.10}, Max: orb.Point{5.80, 45.21}}
		if tt.BBox != want {
			t.Errorf("BBox = %v; want %v", tt.BBox, want)
		}
		if tt.Name != "metro-sud" || tt.Slug != "metro-sud" || len(tt.Communes) != 0 {
			t.Errorf("Name, Slug, Communes = %q, %q, %v; want metro-sud, metro-sud, none", tt.Name, tt.Slug, tt.Communes)
		}
	})
	t.Run("bare geometry", func(t *testing.T) {
		tt, err := FromFile(filepath.Join(dir, "polygon.json"))
		if err != nil {
			t.Fatal(err)
		}
		if mp, ok := tt.Boundary.(orb.MultiPolygon); !ok || len(mp) != 1 {
			t.Fatalf("Boundary = %#v; want a MultiPolygon of 1", tt.Boundary)
		}
		if tt.Slug != "polygon" || tt.BBox.Min != (orb.Point{3.05, 45.74}) {
			t.Errorf("Slug %q BBox %v", tt.Slug, tt.BBox)
		}
	})
	t.Run("gzip and BOM", func(t *testing.T) {
		src, err := os.ReadFile(filepath.Join(dir, "polygon.json"))
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(append([]byte("\ufeff"), src...))
		zw.Close()
		path := filepath.Join(t.TempDir(), "Zone d'étude.geojson.gz")
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		tt, err := FromFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if tt.Name != "Zone d'étude" || tt.Slug != "zone-d-etude" || tt.Boundary == nil {
			t.Errorf("Name %q Slug %q Boundary %v", tt.Name, tt.Slug, tt.Boundary)
		}
	})
	for _, tc := range []struct{ file, wantErr string }{
		{"points-only.geojson", "no Polygon or MultiPolygon found"},
		{"lambert93.geojson", "not a WGS84 longitude, latitude"},
		{"crs-2154.geojson", "EPSG::2154"},
		{"not-geojson.geojson", "not a GeoJSON file"},
		{"open-ring.geojson", "at least 4"},
		{"missing.geojson", "no such file"},
		{".", "is a directory"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join(dir, tc.file)
			_, err := FromFile(path)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), path) {
				t.Fatalf("FromFile(%s) error = %v; want one naming the file and containing %q", tc.file, err, tc.wantErr)
			}
		})
	}
}
