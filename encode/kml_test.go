package encode

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/store"
)

// kmlDoc is what encoding/xml reads back of a patrimap KML document.
type kmlDoc struct {
	XMLName  xml.Name `xml:"http://www.opengis.net/kml/2.2 kml"`
	Document struct {
		Name       string         `xml:"name"`
		Placemarks []kmlPlacemark `xml:"Placemark"`
	}
}

type kmlPlacemark struct {
	ID   string `xml:"id,attr"`
	Name string `xml:"name"`
	Data []struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value"`
	} `xml:"ExtendedData>Data"`
	Point         *kmlCoords   `xml:"Point"`
	LineString    *kmlCoords   `xml:"LineString"`
	Polygon       *kmlPolygon  `xml:"Polygon"`
	MultiGeometry *kmlMultiGeo `xml:"MultiGeometry"`
}

type kmlCoords struct {
	Coordinates string `xml:"coordinates"`
}

type kmlPolygon struct {
	Outer kmlCoords   `xml:"outerBoundaryIs>LinearRing"`
	Inner []kmlCoords `xml:"innerBoundaryIs>LinearRing"`
}

type kmlMultiGeo struct {
	Points   []kmlCoords  `xml:"Point"`
	Lines    []kmlCoords  `xml:"LineString"`
	Polygons []kmlPolygon `xml:"Polygon"`
}

func (p kmlPlacemark) value(name string) (string, bool) {
	for _, d := range p.Data {
		if d.Name == name {
			return d.Value, true
		}
	}
	return "", false
}

// ring parses "lon,lat lon,lat …".
func ring(t *testing.T, s string) orb.Ring {
	t.Helper()
	var r orb.Ring
	for _, c := range strings.Fields(s) {
		lon, lat, ok := strings.Cut(c, ",")
		x, err1 := strconv.ParseFloat(lon, 64)
		y, err2 := strconv.ParseFloat(lat, 64)
		if !ok || err1 != nil || err2 != nil {
			t.Fatalf("bad coordinate %q", c)
		}
		r = append(r, orb.Point{x, y})
	}
	return r
}

func writeKML(t *testing.T, fields []store.Field, opts KMLOptions, name string, fs []*store.Feature) []byte {
	t.Helper()
	var out bytes.Buffer
	w := NewKMLWriter(&out, fields, opts)
	if err := w.Begin(name); err != nil {
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

func parseKML(t *testing.T, b []byte) kmlDoc {
	t.Helper()
	var doc kmlDoc
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("not XML that encoding/xml reads: %v\n%.500s", err, b)
	}
	return doc
}

func TestKMLParsesBack(t *testing.T) {
	square := orb.Ring{{0, 0}, {0, 10}, {10, 10}, {10, 0}, {0, 0}} // clockwise: must come out counter-clockwise
	hole := orb.Ring{{2, 2}, {8, 2}, {8, 8}, {2, 8}, {2, 2}}       // counter-clockwise: must come out clockwise
	features := []*store.Feature{
		{FID: 1, Geometry: orb.Point{5.72450001, 45.1885}, Values: []any{`A & B <"c"> 'd'`, int64(3), 61.5, true, int64(0), "2020-01-31", `{"a":[1]}`}},
		{FID: 2, Geometry: orb.Polygon{square, hole}, Values: []any{"ctl\x01\x1f char\ttab\nline", nil, 0.00001, nil, nil, nil, nil}},
		{FID: 3, Geometry: orb.MultiLineString{{{5, 45}, {5.1, 45.1}}, {{6, 46}, {6.1, 46.1}}}, Values: []any{nil, int64(-1), nil, false, nil, nil, nil}},
		{FID: 4, Values: []any{"bad \xff byte \uFFFE", nil, nil, nil, nil, nil, nil}},
	}
	b := writeKML(t, tricky, KMLOptions{NameField: "name"}, "Réserves & co", features)
	doc := parseKML(t, b)
	if doc.Document.Name != "Réserves & co" || len(doc.Document.Placemarks) != 4 {
		t.Fatalf("document %q with %d placemarks", doc.Document.Name, len(doc.Document.Placemarks))
	}
	pm := doc.Document.Placemarks
	if pm[0].ID != "f1" || pm[0].Name != `A & B <"c"> 'd'` {
		t.Errorf("placemark 1: id %q, name %q", pm[0].ID, pm[0].Name)
	}
	for name, want := range map[string]string{"n": "3", "x": "61.5", "ok": "true", "flag": "false", "day": "2020-01-31", "tags": `{"a":[1]}`} {
		if got, _ := pm[0].value(name); got != want {
			t.Errorf("placemark 1: %s = %q, want %q", name, got, want)
		}
	}
	if pm[0].Point == nil || pm[0].Point.Coordinates != "5.7245,45.1885" {
		t.Errorf("placemark 1: point %+v", pm[0].Point)
	}
	if pm[1].Name != "ctl char\ttab\nline" {
		t.Errorf("placemark 2: name %q (control characters must be dropped, tab and newline kept)", pm[1].Name)
	}
	if v, _ := pm[1].value("x"); v != "0.00001" {
		t.Errorf("placemark 2: x = %q", v)
	}
	if _, ok := pm[1].value("n"); ok {
		t.Error("placemark 2: a null value was written")
	}
	if p := pm[1].Polygon; p == nil || len(p.Inner) != 1 {
		t.Fatalf("placemark 2: polygon %+v", p)
	}
	if o := ring(t, pm[1].Polygon.Outer.Coordinates); o.Orientation() != orb.CCW || len(o) != 5 {
		t.Errorf("outer ring %v is not counter-clockwise", o)
	}
	if h := ring(t, pm[1].Polygon.Inner[0].Coordinates); h.Orientation() != orb.CW {
		t.Errorf("inner ring %v is not clockwise", h)
	}
	if m := pm[2].MultiGeometry; m == nil || len(m.Lines) != 2 || m.Lines[1].Coordinates != "6,46 6.1,46.1" {
		t.Errorf("placemark 3: multigeometry %+v", m)
	}
	if pm[2].Name != "" {
		t.Errorf("placemark 3: name %q for a null name", pm[2].Name)
	}
	if pm[3].Point != nil || pm[3].Polygon != nil || pm[3].MultiGeometry != nil || pm[3].Name != "bad \uFFFD byte " {
		t.Errorf("placemark 4: %+v", pm[3])
	}
}

func TestKMLNameFieldMustExist(t *testing.T) {
	if err := NewKMLWriter(&bytes.Buffer{}, tricky, KMLOptions{NameField: "nom"}).Begin("x"); err == nil {
		t.Error("an unknown name field was accepted")
	}
	if err := (KMLOptions{NameField: "name"}).Validate(tricky); err != nil {
		t.Error(err)
	}
}

// GDAL's KML readers (LIBKML, the one QGIS uses, and the older KML driver) read the same features, names,
// attributes and geometries.
func TestKMLReadByGDAL(t *testing.T) {
	features := loadRNN(t)
	path := filepath.Join(t.TempDir(), "rnn.kml")
	if err := os.WriteFile(path, writeKML(t, rnnFields, KMLOptions{NameField: "NOM_SITE"}, "Réserves naturelles nationales", features), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, driver := range []string{"LIBKML", "KML"} {
		t.Run(driver, func(t *testing.T) {
			args := []string{"-al", path}
			if driver == "KML" { // GDAL prefers LIBKML; ogrinfo of GDAL 3.6 has no -if to choose
				args = append([]string{"--config", "GDAL_SKIP", "LIBKML"}, args...)
			}
			out := ogrinfo(t, args...)
			if !strings.Contains(out, "using driver `"+driver+"' successful") {
				t.Fatalf("not read by %s:\n%.300s", driver, out)
			}
			if !strings.Contains(out, "Feature Count: 15\n") {
				t.Errorf("GDAL does not count 15 features:\n%.1500s", out)
			}
			got := ogrFeatures(out)
			if len(got) != 15 {
				t.Fatalf("GDAL printed %d features", len(got))
			}
			for i, f := range features {
				g := got[i]
				if g["Name"] != f.Values[2] {
					t.Errorf("feature %d: Name %q, want %q", f.FID, g["Name"], f.Values[2])
				}
				if driver == "LIBKML" && g["ID_MNHN"] != f.Values[7] {
					t.Errorf("feature %d: ID_MNHN %q, want %q", f.FID, g["ID_MNHN"], f.Values[7])
				}
				kind := "POLYGON"
				if _, multi := f.Geometry.(orb.MultiPolygon); multi {
					kind = "MULTIPOLYGON"
				}
				if !strings.HasPrefix(g["geometry"], kind) {
					t.Errorf("feature %d: geometry %.40s, want a %s", f.FID, g["geometry"], kind)
				}
			}
		})
	}
}

func BenchmarkKMLWriter(b *testing.B) {
	features := loadRNN(b)
	b.ReportAllocs()
	for b.Loop() {
		w := NewKMLWriter(io.Discard, rnnFields, KMLOptions{NameField: "NOM_SITE"})
		w.Begin("rnn")
		for _, f := range features {
			w.Write(f)
		}
		w.End()
	}
}
