package shapefile

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

var nameField = []Field{{Name: "NOM", Type: 'C', Length: 40}}

func readAll(t *testing.T, r *Reader) []Record {
	t.Helper()
	var recs []Record
	for r.Next() {
		recs = append(recs, r.Record())
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return recs
}

func openFile(t *testing.T, path string) *Reader {
	t.Helper()
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestPolygonRingsAssembledByOrientation(t *testing.T) {
	shells := []part{square(0, 0, 10, true), square(100, 0, 10, true)}
	tests := []struct {
		name      string
		content   []byte
		wantType  string
		wantRings []int // rings per polygon
		wantArea  float64
		issue     string
	}{
		{"one shell", polygonContent(shapePolygon, shells[0]), "Polygon", []int{1}, 100, ""},
		{"shell and hole", polygonContent(shapePolygon, shells[0], square(2, 2, 2, false)), "Polygon", []int{2}, 96, ""},
		{"two shells, hole goes to the second", polygonContent(shapePolygon, shells[0], shells[1], square(102, 2, 2, false)),
			"MultiPolygon", []int{1, 2}, 196, ""},
		{"hole inside no shell becomes a shell", polygonContent(shapePolygon, shells[0], shells[1], square(50, 50, 2, false)),
			"MultiPolygon", []int{1, 1, 1}, 204, "hole inside no outer ring read as an outer ring"},
		{"island in a lake in a shell: the hole goes to the smallest shell", polygonContent(shapePolygon,
			square(0, 0, 100, true), square(10, 10, 50, false), square(20, 20, 10, true), square(22, 22, 2, false)),
			"MultiPolygon", []int{2, 2}, 10000 - 2500 + 100 - 4, ""},
		{"all rings counter-clockwise: nesting decides", polygonContent(shapePolygon, square(0, 0, 10, false), square(2, 2, 2, false)),
			"Polygon", []int{2}, 96, "rings in the wrong orientation, outer rings found by nesting"},
		{"unclosed ring closed", polygonContent(shapePolygon, shells[0][:4]), "Polygon", []int{1}, 100, "unclosed ring closed"},
		{"degenerate ring dropped", polygonContent(shapePolygon, shells[0], part{{5, 5}, {6, 6}, {5, 5}}), "Polygon", []int{1}, 100,
			"degenerate ring (fewer than 3 distinct points or no area) dropped"},
		{"PolygonZ: Z and M dropped", polygonContent(shapePolygonZ, shells[0]), "Polygon", []int{1}, 100, ""},
		{"PolygonM", polygonContent(shapePolygonM, shells[0]), "Polygon", []int{1}, 100, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var issues []string
			g, err := parseShape(tt.content, &issues)
			if err != nil {
				t.Fatal(err)
			}
			if g.GeoJSONType() != tt.wantType {
				t.Fatalf("type %s, want %s", g.GeoJSONType(), tt.wantType)
			}
			var polys []orb.Polygon
			switch g := g.(type) {
			case orb.Polygon:
				polys = []orb.Polygon{g}
			case orb.MultiPolygon:
				polys = g
			}
			var rings []int
			for _, p := range polys {
				rings = append(rings, len(p))
			}
			if !reflect.DeepEqual(rings, tt.wantRings) {
				t.Errorf("rings per polygon %v, want %v", rings, tt.wantRings)
			}
			if a := planar.Area(g); !approx(a, tt.wantArea) {
				t.Errorf("area %v, want %v", a, tt.wantArea)
			}
			if tt.issue == "" && len(issues) > 0 || tt.issue != "" && !contains(issues, tt.issue) {
				t.Errorf("issues %q, want %q", issues, tt.issue)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestOtherShapeTypes(t *testing.T) {
	var issues []string
	g, err := parseShape(pointContent(shapePointZ, 700000, 6600000), &issues)
	if err != nil || g != (orb.Point{700000, 6600000}) {
		t.Errorf("PointZ: %v %v", g, err)
	}
	g, _ = parseShape(polygonContent(shapePolyLine, part{{0, 0}, {1, 1}}), &issues)
	if g.GeoJSONType() != "LineString" || len(g.(orb.LineString)) != 2 {
		t.Errorf("one-part polyline: %#v", g)
	}
	g, _ = parseShape(polygonContent(shapePolyLineZ, part{{0, 0}, {1, 1}}, part{{2, 2}, {3, 3}, {4, 4}}), &issues)
	if ml, ok := g.(orb.MultiLineString); !ok || len(ml) != 2 || len(ml[1]) != 3 {
		t.Errorf("two-part polylineZ: %#v", g)
	}
	mp := binary.LittleEndian.AppendUint32(nil, shapeMultiPointZ)
	mp = append(mp, make([]byte, 32)...) // bbox
	mp = binary.LittleEndian.AppendUint32(mp, 2)
	for _, v := range []float64{1, 2, 3, 4, 0, 0, 7, 8} { // points, then the Z range and values
		mp = binary.LittleEndian.AppendUint64(mp, math.Float64bits(v))
	}
	g, err = parseShape(mp, &issues)
	if err != nil || !reflect.DeepEqual(g, orb.MultiPoint{{1, 2}, {3, 4}}) {
		t.Errorf("multipoint: %#v %v", g, err)
	}
	if g, err := parseShape([]byte{0, 0, 0, 0}, &issues); g != nil || err != nil {
		t.Errorf("null shape: %v %v", g, err)
	}
	for name, c := range map[string][]byte{
		"multipatch":         {31, 0, 0, 0},
		"unknown type":       {99, 0, 0, 0},
		"truncated polygon":  polygonContent(shapePolygon, square(0, 0, 1, true))[:60],
		"parts out of range": func() []byte { c := polygonContent(shapePolygon, square(0, 0, 1, true)); c[44] = 9; return c }(),
	} {
		if _, err := parseShape(c, &issues); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestDBFValues(t *testing.T) {
	fields := []Field{
		{Name: "ID_MNHN", Type: 'C', Length: 10}, {Name: "NOM", Type: 'C', Length: 30},
		{Name: "SURF_OFF", Type: 'N', Length: 11, Decimals: 0}, {Name: "SURF", Type: 'F', Length: 19, Decimals: 11},
		{Name: "DATE_CREA", Type: 'D', Length: 8}, {Name: "MARIN", Type: 'L', Length: 1},
	}
	dir := t.TempDir()
	cp1252 := func(s string) string { // the bytes a Windows writer produces
		return strings.NewReplacer("É", "\xC9", "é", "\xE9", "’", "\x92", "è", "\xE8").Replace(s)
	}
	path := writeShapefile(t, dir, "t", nil, dbfFile(0, fields,
		[]string{"  06000003 ", "R\xC3\xA9serve naturelle", " 2.30e+005", "12.5", "20150312", "T"}, // UTF-8 bytes
		[]string{"830007460", cp1252("Écrins"), "", "***********", "18991230", "F"},                // CP1252 bytes in a UTF-8 file
		[]string{"93M000001", cp1252("L’AVAL"), "42", "1,5", "        ", "?"},
		[]string{"*", "deleted", "x", "1", "1", "20000101", "N"},
	)[0:], "", "utf-8")
	r := openFile(t, strings.TrimSuffix(path, ".shp")+".dbf")
	if r.HasGeometry() {
		t.Fatal("a .dbf alone has no geometry")
	}
	recs := readAll(t, r)
	want := [][]any{
		{"06000003", "Réserve naturelle", int64(230000), 12.5, "2015-03-12", true},
		{"830007460", "Écrins", nil, nil, nil, false},
		{"93M000001", "L’AVAL", int64(42), 1.5, nil, nil},
		{"deleted", "x", int64(1), 1.0, "2000-01-01", false},
	}
	if len(recs) != len(want) {
		t.Fatalf("%d records, want %d", len(recs), len(want))
	}
	for i, rec := range recs {
		if !reflect.DeepEqual(rec.Values, want[i]) {
			t.Errorf("record %d: %#v, want %#v", i+1, rec.Values, want[i])
		}
	}
	if !recs[3].Deleted || recs[0].Deleted {
		t.Error("deletion flags not read")
	}
	for i, issue := range []string{
		"field SURF_OFF: number written as text (exponent notation) read",
		"field NOM: bytes not valid UTF-8 decoded as CP1252",
		"field SURF: number written as text (decimal comma) read",
	} {
		rec := recs[[]int{0, 1, 2}[i]]
		if !contains(rec.Issues, issue) {
			t.Errorf("record %d: issues %q, want %q", rec.Number, rec.Issues, issue)
		}
	}
	if !contains(recs[1].Issues, "field DATE_CREA: placeholder date 18991230 read as unknown") ||
		!contains(recs[1].Issues, "field SURF: overflowed number (asterisks) read as unknown") {
		t.Errorf("record 2 issues %q", recs[1].Issues)
	}
	if !strings.HasPrefix(r.Encoding(), "UTF-8 (.cpg says \"utf-8\")") {
		t.Errorf("encoding %q", r.Encoding())
	}
}

func TestEncodingDeclarations(t *testing.T) {
	fields := []Field{{Name: "NOM", Type: 'C', Length: 20}}
	tests := []struct {
		name, cpg string
		ldid      byte
		raw       string
		want      string
		encoding  string
	}{
		{"CPG upper case, ANSI 1252", "ANSI 1252", 0, "\xC9crins", "Écrins", "CP1252 (.cpg says \"ANSI 1252\")"},
		{"language driver 0x57", "", 0x57, "L\x92AVAL", "L’AVAL", "CP1252 (language driver byte 0x57)"},
		{"nothing declared, CP1252 bytes", "", 0, "Tourbi\xE8res", "Tourbières", "UTF-8 where valid, else CP1252"},
		{"nothing declared, UTF-8 bytes", "", 0, "Tourbi\xC3\xA8res", "Tourbières", "UTF-8 where valid, else CP1252"},
		{"CP1252 declared, UTF-8 found", "1252", 0, "Tourbi\xC3\xA8res", "Tourbières", "CP1252"},
		{"CP850 language driver", "", 0x02, "\x90crins", "Écrins", "CP850"},
		{"damaged at the source", "UTF-8", 0, "D\xEF\xBF\xBDcret", "D\uFFFDcret", "UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			ext := ".dbf"
			writeShapefile(t, dir, "e", nil, dbfFile(tt.ldid, fields, []string{tt.raw}), "", "")
			if tt.cpg != "" {
				// Upper-case extension, as some real deliveries have it.
				os.WriteFile(filepath.Join(dir, "e.CPG"), []byte(tt.cpg), 0o644)
			}
			r := openFile(t, filepath.Join(dir, "e"+ext))
			recs := readAll(t, r)
			if got := recs[0].Values[0]; got != tt.want {
				t.Errorf("%q, want %q", got, tt.want)
			}
			if !strings.HasPrefix(r.Encoding(), tt.encoding) {
				t.Errorf("encoding %q, want %q...", r.Encoding(), tt.encoding)
			}
		})
	}
}

func TestShapefileWithAttributes(t *testing.T) {
	dir := t.TempDir()
	shp := shpFile(shapePolygon,
		polygonContent(shapePolygon, square(700000, 6600000, 1000, true)),
		[]byte{0, 0, 0, 0}, // a null shape keeps its attributes
		polygonContent(shapePolygon, square(0, 0, 1, true))[:50], // unreadable geometry: record kept
	)
	path := writeShapefile(t, dir, "N_ENP_RNN_S_000", shp, dbfFile(0, nameField, []string{"A"}, []string{"B"}, []string{"C"}),
		`PROJCS["RGF93 / Lambert-93",GEOGCS["RGF93"],AUTHORITY["EPSG","2154"]]`, "")
	// Siblings are found whatever the case of the path given.
	r := openFile(t, strings.TrimSuffix(path, ".shp")+".SHP")
	recs := readAll(t, r)
	if len(recs) != 3 || recs[1].Geometry != nil || recs[2].Geometry != nil || recs[2].Values[0] != "C" {
		t.Fatalf("records %+v", recs)
	}
	if !strings.HasPrefix(recs[2].Issues[0], "geometry unreadable") {
		t.Errorf("issues %q", recs[2].Issues)
	}
	if code, _, err := DetectCRS(r.PRJ()); code != 2154 || err != nil {
		t.Errorf("CRS %d %v", code, err)
	}
}

func TestMissingAndTruncatedFiles(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "alone.shp"), shpFile(shapePoint, pointContent(shapePoint, 1, 2)), 0o644)
	if _, err := Open(filepath.Join(dir, "alone.shp")); err == nil || !strings.Contains(err.Error(), "no alone.dbf beside the .shp") {
		t.Errorf("missing .dbf: %v", err)
	}
	if _, err := Open(filepath.Join(dir, "nothing.shp")); err == nil || !os.IsNotExist(errorsUnwrap(err)) {
		t.Errorf("missing file: %v", err)
	}
	full := shpFile(shapePoint, pointContent(shapePoint, 1, 2), pointContent(shapePoint, 3, 4))
	path := writeShapefile(t, dir, "cut", full[:len(full)-5], dbfFile(0, nameField, []string{"a"}, []string{"b"}), "", "")
	r := openFile(t, path)
	n := 0
	for r.Next() {
		n++
	}
	if n != 1 || r.Err() == nil || !strings.Contains(r.Err().Error(), "cut.shp: record 2") || !strings.Contains(r.Err().Error(), "download it again") {
		t.Errorf("truncated .shp: %d records, %v", n, r.Err())
	}
	os.WriteFile(filepath.Join(dir, "bad.shp"), []byte("not a shapefile at all, far too short"), 0o644)
	os.WriteFile(filepath.Join(dir, "bad.dbf"), dbfFile(0, nameField), 0o644)
	if _, err := Open(filepath.Join(dir, "bad.shp")); err == nil || !strings.Contains(err.Error(), "bad.shp: not a shapefile") {
		t.Errorf("bad .shp: %v", err)
	}
}

func errorsUnwrap(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

// zipWith writes a zip holding the given members (name → content); a nil content writes a folder.
func zipWith(t *testing.T, members [][2]string, modify func(*zip.FileHeader)) string {
	t.Helper()
	b, err := zipBytes(members, modify)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "layer.zip")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func zipBytes(members [][2]string, modify func(*zip.FileHeader)) ([]byte, error) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, m := range members {
		h := &zip.FileHeader{Name: m[0], Method: zip.Deflate}
		if modify != nil {
			modify(h)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			return nil, err
		}
		w.Write([]byte(m[1]))
	}
	err := zw.Close()
	return b.Bytes(), err
}

func TestZip(t *testing.T) {
	shp := string(shpFile(shapePolygon, polygonContent(shapePolygon, square(0, 0, 10, true))))
	dbf := string(dbfFile(0, nameField, []string{"Écrins"}))
	big := string(shpFile(shapePolygon, polygonContent(shapePolygon, square(0, 0, 10, true)), polygonContent(shapePolygon, square(0, 0, 10, true))))
	t.Run("nested folders, upper-case extensions, extra files, attribute tables", func(t *testing.T) {
		p := zipWith(t, [][2]string{
			{"pn/pn2016_06/", ""},
			{"pn/pn2016_06/N_ENP_PN_S_000.SHP", shp}, {"pn/pn2016_06/N_ENP_PN_S_000.DBF", dbf},
			{"pn/pn2016_06/N_ENP_PN_S_000.cpg", "UTF-8"}, {"pn/pn2016_06/N_ENP_PN_S_000.shp.xml", "<xml/>"},
			{"pn/pn2016_06/N_ENP_PN_S_000.sbn", "x"}, {"pn/pn2016_06/N_ENP_ACTE_PN_000.dbf", dbf},
			{"pn/pn2016_06/N_ENP_ACTE_PN_000.dbf.EGB308SEB.1140.5128.sr.lock", ""},
		}, nil)
		r, err := OpenZip(p, ZipOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		recs := readAll(t, r)
		if len(recs) != 1 || recs[0].Values[0] != "Écrins" || recs[0].Geometry == nil {
			t.Fatalf("records %+v", recs)
		}
		want := []string{
			"pn/pn2016_06/N_ENP_ACTE_PN_000 (attribute table without geometry)",
			"pn/pn2016_06/N_ENP_PN_S_000.shp.xml (not part of a shapefile)",
			"pn/pn2016_06/N_ENP_PN_S_000.sbn (not part of a shapefile)",
			"pn/pn2016_06/N_ENP_ACTE_PN_000.dbf.EGB308SEB.1140.5128.sr.lock (not part of a shapefile)",
		}
		if !reflect.DeepEqual(r.Ignored(), want) {
			t.Errorf("ignored %q", r.Ignored())
		}
	})
	t.Run("several shapefiles: the largest, or the one named", func(t *testing.T) {
		p := zipWith(t, [][2]string{{"a.shp", shp}, {"a.dbf", dbf}, {"b.shp", big}, {"b.dbf", dbf}}, nil)
		r, err := OpenZip(p, ZipOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Ignored(); len(got) != 1 || got[0] != "a (another shapefile)" {
			t.Errorf("ignored %q", got)
		}
		r.Close()
		r, err = OpenZip(p, ZipOptions{Layer: "A"})
		if err != nil || r.Ignored()[0] != "b (another shapefile)" {
			t.Fatalf("layer a: %v %v", err, r)
		}
		r.Close()
		if _, err := OpenZip(p, ZipOptions{Layer: "c"}); err == nil || !strings.Contains(err.Error(), "it holds: a, b") {
			t.Errorf("unknown layer: %v", err)
		}
	})
	refused := []struct {
		name    string
		members [][2]string
		modify  func(*zip.FileHeader)
		opts    ZipOptions
		want    string
	}{
		{"path traversal", [][2]string{{"../../etc/x.shp", shp}, {"x.dbf", dbf}}, nil, ZipOptions{}, "path traversal"},
		{"absolute path", [][2]string{{"/tmp/x.shp", shp}}, nil, ZipOptions{}, "absolute path"},
		{"symlink", [][2]string{{"x.shp", "/etc/passwd"}}, func(h *zip.FileHeader) { h.SetMode(os.ModeSymlink | 0o777) }, ZipOptions{}, "symbolic link"},
		{"oversized member", [][2]string{{"x.shp", shp}, {"x.dbf", dbf}}, nil, ZipOptions{MaxEntryBytes: 100}, "over the 100-byte limit"},
		{"zip bomb", [][2]string{{"x.shp", shp + strings.Repeat("\x00", 50<<20)}}, nil, ZipOptions{}, "zip bomb"},
		{"no shapefile", [][2]string{{"readme.txt", "hello"}}, nil, ZipOptions{}, "no shapefile in the zip"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			_, err := OpenZip(zipWith(t, tt.members, tt.modify), tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "layer.zip: ") {
				t.Errorf("error %v, want one naming the zip and saying %q", err, tt.want)
			}
		})
	}
	notZip := filepath.Join(t.TempDir(), "broken.zip")
	os.WriteFile(notZip, []byte("PK not really"), 0o644)
	if _, err := OpenZip(notZip, ZipOptions{}); err == nil || !strings.Contains(err.Error(), "broken.zip: not a readable zip") {
		t.Errorf("broken zip: %v", err)
	}
}

func TestDetectCRS(t *testing.T) {
	lcc := `PROJECTION["Lambert_Conformal_Conic"],PARAMETER["False_Easting",700000.0],PARAMETER["False_Northing",6600000.0],` +
		`PARAMETER["Central_Meridian",3.0],PARAMETER["Standard_Parallel_1",44.0],PARAMETER["Standard_Parallel_2",49.0],` +
		`PARAMETER["Latitude_Of_Origin",46.5],UNIT["Meter",1.0]]`
	grs80 := `GEOGCS["GCS_RGF_1993",DATUM["D_RGF_1993",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],`
	utm := func(name string, cm, fn float64) string {
		return `PROJCS["` + name + `",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]]],` +
			`PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",` +
			ftoa(fn) +
			`],PARAMETER["Central_Meridian",` + ftoa(cm) + `],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0]]`
	}
	tests := []struct {
		prj  string
		want int
	}{
		{`PROJCS["RGF_1993_Lambert_93",` + grs80 + lcc, 2154},
		{`PROJCS["RGF93_Lambert_93",` + grs80 + lcc, 2154},
		{`PROJCS["RGF93 / Lambert-93",GEOGCS["RGF93",DATUM["Reseau Geodesique Francais 1993 (EPSG ID 6171)",SPHEROID["GRS 1980 (EPSG ID 7019)",6378137.0,298.257222101]]],` + lcc, 2154},
		{`PROJCS["RGF93 v1 / Lambert-93",GEOGCS["RGF93 v1",DATUM["Reseau_Geodesique_Francais_1993_v1",SPHEROID["GRS 1980",6378137,298.257222101,AUTHORITY["EPSG","7019"]],AUTHORITY["EPSG","6171"]]],PROJECTION["Lambert_Conformal_Conic_2SP"],AUTHORITY["EPSG","2154"]]`, 2154},
		{`PROJCS["Mon Lambert",` + grs80 + lcc, 2154}, // a made-up name: the parameters decide
		{`PROJCS["RGF93_CC45",` + grs80 + `PROJECTION["Lambert_Conformal_Conic"]]`, 3945},
		{utm("WGS_1984_UTM_Zone_20N", -63, 0), 32620},
		{utm("WGS_1984_UTM_Zone_38S", 45, 10000000), 32738},
		{utm("Some UTM", -63, 0), 32620},
		{`PROJCS["RGFG95_UTM_Zone_22N",GEOGCS["GCS_RGFG95"]]`, 2972},
		{`PROJCS["RGR92_UTM_Zone_40S",GEOGCS["GCS_RGR92"]]`, 2975},
		{`PROJCS["RGM04_UTM_Zone_38S",GEOGCS["GCS_RGM04"]]`, 4471},
		{`GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]`, 4326},
		{`PROJCS["NTF_Paris_Lambert_II_etendu"]`, 27572},
	}
	for _, tt := range tests {
		code, name, err := DetectCRS(tt.prj)
		if err != nil || code != tt.want || name == "" {
			t.Errorf("%.40s…: EPSG:%d %q %v, want EPSG:%d", tt.prj, code, name, err, tt.want)
		}
	}
	for _, bad := range []string{`PROJCS["Mars_Equidistant_Cylindrical",GEOGCS["Mars 2000"],PROJECTION["Equirectangular"]]`, "hello"} {
		if _, _, err := DetectCRS(bad); err == nil || !strings.Contains(err.Error(), "--crs EPSG:NNNN") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// ExtractZip writes the same shapefile OpenZip reads, after the same checks.
func TestExtractZip(t *testing.T) {
	shp := string(shpFile(shapePolygon, polygonContent(shapePolygon, square(0, 0, 10, true))))
	dbf := string(dbfFile(0, nameField, []string{"Écrins"}))
	p := zipWith(t, [][2]string{{"pn/pn2016/N_ENP_PN_S_000.SHP", shp}, {"pn/pn2016/N_ENP_PN_S_000.dbf", dbf},
		{"pn/pn2016/N_ENP_ACTE_PN_000.dbf", dbf}, {"pn/pn2016/N_ENP_PN_S_000.cpg", "UTF-8"}}, nil)
	dir := t.TempDir()
	main, ignored, err := ExtractZip(p, ZipOptions{}, dir)
	if err != nil || filepath.Base(main) != "N_ENP_PN_S_000.shp" || len(ignored) != 1 {
		t.Fatalf("%s %v %v", main, ignored, err)
	}
	r := openFile(t, main)
	if recs := readAll(t, r); len(recs) != 1 || recs[0].Values[0] != "Écrins" || recs[0].Geometry == nil {
		t.Errorf("extracted records %+v", recs)
	}
	bad := zipWith(t, [][2]string{{"../x.shp", shp}, {"x.dbf", dbf}}, nil)
	if _, _, err := ExtractZip(bad, ZipOptions{}, t.TempDir()); err == nil || !strings.Contains(err.Error(), "path traversal") {
		t.Errorf("traversal: %v", err)
	}
}

// Issue 17's reproduction: a short Latin-1 .prj beside a real shapefile made topName slice out of range.
func TestLatin1PRJ(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join("..", "..", "testdata", "inpn", "apb", "subset_isere_38")
	for _, ext := range []string{".shp", ".shx", ".dbf"} {
		b, err := os.ReadFile(filepath.Join(src, "apb"+ext))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "apb"+ext), b, 0o644)
	}
	for _, prj := range prjSeeds[:2] {
		os.WriteFile(filepath.Join(dir, "apb.prj"), []byte(prj), 0o644)
		r := openFile(t, filepath.Join(dir, "apb.shp"))
		_, _, err := DetectCRS(r.PRJ())
		if err == nil || !strings.Contains(err.Error(), "--crs EPSG:NNNN") {
			t.Errorf("%q: %v", prj, err)
		}
	}
	if _, _, err := DetectCRS(prjSeeds[0]); !strings.Contains(err.Error(), `unknown coordinate system "Géodésique"`) {
		t.Errorf("the name is not read as Latin-1: %v", err)
	}
	if code, name, err := DetectCRS(`projcs["RGF93 / Lambert-93",` + "AUTHORITY[\"EPSG\",\"2154\"]]"); code != 2154 || name != "RGF93 / Lambert-93" || err != nil {
		t.Errorf("lower-case keyword: EPSG:%d %q %v", code, name, err)
	}
}
