package osm

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/importers"
)

// realFileCounts are the features per theme and geometry type of every real OSM file under testdata/osm, for
// every theme with matches in it. They agree with GDAL's OSM driver (ogrinfo -sql "SELECT COUNT(*) FROM layer
// WHERE all_tags LIKE ..." with all_tags=yes in osmconf.ini; see gdalCounts): its points layer gives our Points,
// its multipolygons layer our Polygons and MultiPolygons. Differences, each checked by hand:
//   - andorra protected_area: relations 3974492 and 5488773 (the French Pyrénées Ariégeoises and Pyrénées
//     catalanes regional parks) reach into the Andorra extract by a few member ways only; GDAL drops them, we keep
//     them without geometry and count them in the report.
//   - toilets is a point theme: GDAL's 14 points and 3 multipolygons are 17 points.
var realFileCounts = []struct {
	file, theme string
	want        string
	gdal        map[string]int // layer -> count, "" when the same as want
}{
	{"andorra-latest.osm.bz2", "garden", "Polygon=4", map[string]int{"multipolygons": 4}},
	{"andorra-latest.osm.bz2", "heritage", "Point=8 Polygon=4", map[string]int{"points": 8, "multipolygons": 4}},
	{"andorra-latest.osm.bz2", "library", "Point=4", map[string]int{"points": 4}},
	{"andorra-latest.osm.bz2", "museum", "Point=3 Polygon=6", map[string]int{"points": 3, "multipolygons": 6}},
	{"andorra-latest.osm.bz2", "playground", "Point=4 Polygon=14", map[string]int{"points": 4, "multipolygons": 14}},
	{"andorra-latest.osm.bz2", "protected_area", "MultiPolygon=1 Polygon=2 none=2", map[string]int{"multipolygons": 3}},
	{"andorra-latest.osm.bz2", "toilets", "Point=17", map[string]int{"points": 14, "multipolygons": 3}},
	{"bleruais.osm", "heritage", "Point=3", map[string]int{"points": 3}},
	{"benchmark.osm", "heritage", "Point=1", map[string]int{"points": 1}},
	// sample.osm and way_230391153.osm have no element of any theme (checked below).
}

func TestRealFilesCountsPerTheme(t *testing.T) {
	for _, tc := range realFileCounts {
		t.Run(tc.file+"/"+tc.theme, func(t *testing.T) {
			t.Parallel()
			recs, err := cachedRead(t, tc.file, tc.theme, false)
			if err != nil {
				t.Fatal(err)
			}
			if got := geometryCounts(recs); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestRealFilesWithoutMatches(t *testing.T) {
	for _, file := range []string{"sample.osm", "way_230391153.osm", "bleruais.osm", "benchmark.osm"} {
		for _, name := range ThemeNames() {
			if (file == "bleruais.osm" || file == "benchmark.osm") && name == "heritage" {
				continue
			}
			recs, _, err := readAll(t, testdata+file, mustTheme(t, name), false)
			if err != nil {
				t.Fatalf("%s %s: %v", file, name, err)
			}
			if len(recs) != 0 {
				t.Errorf("%s %s: %d features, want none", file, name, len(recs))
			}
		}
	}
}

// gdalWhere is each theme's filter as a WHERE on GDAL's all_tags column.
var gdalWhere = map[string]string{
	"playground":     `all_tags LIKE '%"leisure"=>"playground"%'`,
	"heritage":       `all_tags LIKE '%"heritage"=>%' OR all_tags LIKE '%"historic"=>%' OR all_tags LIKE '%"ref:mhs"=>%'`,
	"museum":         `all_tags LIKE '%"tourism"=>"museum"%'`,
	"garden":         `all_tags LIKE '%"leisure"=>"garden"%'`,
	"protected_area": `all_tags LIKE '%"boundary"=>"protected_area"%' OR all_tags LIKE '%"leisure"=>"nature_reserve"%'`,
	"library":        `all_tags LIKE '%"amenity"=>"library"%'`,
	"toilets":        `all_tags LIKE '%"amenity"=>"toilets"%'`,
}

// TestRealFilesAgainstGDAL runs GDAL's OSM driver on the same files and checks the counts recorded in
// realFileCounts.
func TestRealFilesAgainstGDAL(t *testing.T) {
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		t.Fatal("ogrinfo not found: install gdal-bin (make test-deps does)")
	}
	conf := gdalConfig(t)
	dir := t.TempDir()
	counts := map[string]map[string]int{} // file -> "layer theme" -> n
	for _, tc := range realFileCounts {
		if counts[tc.file] != nil {
			continue
		}
		path := testdata + tc.file
		if strings.HasSuffix(path, ".bz2") {
			path = decompressed(t, path, dir)
		}
		counts[tc.file] = map[string]int{}
		for _, layer := range []string{"points", "lines", "multilinestrings", "multipolygons", "other_relations"} {
			for theme, n := range gdalCounts(t, conf, path, layer) {
				counts[tc.file][layer+" "+theme] = n
			}
		}
	}
	for _, tc := range realFileCounts {
		for _, layer := range []string{"points", "lines", "multilinestrings", "multipolygons", "other_relations"} {
			if got := counts[tc.file][layer+" "+tc.theme]; got != tc.gdal[layer] {
				t.Errorf("%s %s: GDAL %s has %d, recorded %d", tc.file, tc.theme, layer, got, tc.gdal[layer])
			}
		}
	}
}

var decompressOnce sync.Map

func decompressed(t *testing.T, path, dir string) string {
	t.Helper()
	out := filepath.Join(dir, strings.TrimSuffix(filepath.Base(path), ".bz2"))
	if _, ok := decompressOnce.Load(out); ok {
		return out
	}
	f := &File{Path: path}
	r, closeFn, err := f.open()
	if err != nil {
		t.Fatal(err)
	}
	defer closeFn()
	w, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.ReadFrom(r); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	decompressOnce.Store(out, true)
	return out
}

// gdalConfig writes GDAL's osmconf.ini with an all_tags column instead of other_tags.
func gdalConfig(t *testing.T) string {
	t.Helper()
	var src []byte
	for _, p := range []string{"/usr/share/gdal/osmconf.ini", "/usr/local/share/gdal/osmconf.ini"} {
		if b, err := os.ReadFile(p); err == nil {
			src = b
			break
		}
	}
	if src == nil {
		t.Fatal("GDAL's osmconf.ini not found (gdal-data, installed with gdal-bin)")
	}
	s := strings.ReplaceAll(string(src), "\nother_tags=yes", "\nother_tags=no")
	s = strings.ReplaceAll(s, "\n#all_tags=yes", "\nall_tags=yes")
	p := filepath.Join(t.TempDir(), "osmconf.ini")
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// gdalCounts counts the features of each theme in one layer of GDAL's OSM driver, in one ogrinfo call.
func gdalCounts(t *testing.T, conf, path, layer string) map[string]int {
	t.Helper()
	themes := make([]string, 0, len(gdalWhere))
	var sel []string
	for th, where := range gdalWhere {
		themes = append(themes, th)
		sel = append(sel, "SUM(CASE WHEN "+where+" THEN 1 ELSE 0 END) AS "+th)
	}
	cmd := exec.Command("ogrinfo", "-ro", "-q", "-dialect", "SQLite", "-sql", "SELECT "+strings.Join(sel, ", ")+" FROM "+layer, path)
	cmd.Env = append(os.Environ(), "OSM_CONFIG_FILE="+conf)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	res := map[string]int{}
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSpace(line)
		for _, th := range themes {
			if rest, ok := strings.CutPrefix(line, th+" ("); ok {
				if _, v, ok := strings.Cut(rest, " = "); ok {
					n, _ := strconv.Atoi(strings.TrimSpace(v))
					res[th] = n
				}
			}
		}
	}
	return res
}

// The two regional parks cut by the Andorra extract are kept without geometry and counted, not lost.
func TestMissingMembersAreCounted(t *testing.T) {
	rep, d, err := importFile(t, testdata+"andorra-latest.osm.bz2", mustTheme(t, "protected_area"), false)
	if err != nil {
		t.Fatal(err)
	}
	text := reportText(rep)
	if d.FeatureCount != 5 || rep.NoGeom != 2 ||
		!strings.Contains(text, "relation stored without geometry: its member ways are missing from the file: 2 (relation/3974492, relation/5488773)") {
		t.Errorf("%d features, %d without geometry; report:\n%s", d.FeatureCount, rep.NoGeom, text)
	}
}

func TestColumnsFromTags(t *testing.T) {
	recs, err := cachedRead(t, "andorra-latest.osm.bz2", "protected_area", false)
	if err != nil {
		t.Fatal(err)
	}
	var park map[string]any
	for _, r := range recs {
		if prop(r, "id_osm") == "relation/2800131" {
			park = map[string]any{}
			for _, p := range r.Properties {
				park[p.Key] = p.Value
			}
		}
	}
	want := map[string]any{"nom": "Parc Natural de l'Alt Pirineu", "classe_protection": "2", "wikidata": "Q3322369", "date_maj": "2017-09-25T11:15:04Z"}
	for k, v := range want {
		if park[k] != v {
			t.Errorf("%s = %v, want %v (all: %v)", k, park[k], v, park)
		}
	}
}

// --as-points: one point per feature, inside its polygon.
func TestAsPoints(t *testing.T) {
	polys, err := cachedRead(t, "andorra-latest.osm.bz2", "playground", false)
	if err != nil {
		t.Fatal(err)
	}
	pts, err := cachedRead(t, "andorra-latest.osm.bz2", "playground", true)
	if err != nil {
		t.Fatal(err)
	}
	if got := geometryCounts(pts); got != "Point=18" {
		t.Fatalf("as points: %s", got)
	}
	for i := range polys {
		if poly, ok := polys[i].Geometry.(orb.Polygon); ok {
			if !polygonContains(poly, pts[i].Geometry.(orb.Point)) {
				t.Errorf("%s: label point %v outside its polygon", polys[i].Ref, pts[i].Geometry)
			}
		}
	}
}

func TestHistoryFileKeepsLastVersion(t *testing.T) {
	th, err := ParseTheme([]byte(`{"name":"footway","match":["highway"],"columns":[{"name":"id_osm","tags":["@id"]},{"name":"version","tags":["@version"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	recs, rep, err := readAll(t, testdata+"way_230391153.osm", th, false)
	if err != nil {
		t.Fatal(err)
	}
	// The crossing node comes in versions 1 to 4; the way in version 1 only.
	if len(recs) != 2 || prop(recs[0], "id_osm") != "node/2389008483" || prop(recs[0], "version") != int64(4) ||
		prop(recs[1], "id_osm") != "way/230391153" {
		t.Fatalf("records %v", recs)
	}
	if len(rep.Warnings) == 0 || !strings.Contains(rep.Warnings[0], "history file") {
		t.Errorf("warnings %v", rep.Warnings)
	}
}

func TestOpenRejects(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"empty.osm":  "",
		"html.osm":   "<html><body>not found</body></html>",
		"fake.pbf":   "hello",
		"binary.bin": "\x00\x01\x02\x03",
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(p, Options{Theme: mustTheme(t, "playground")}); err == nil {
			t.Errorf("%s: opened", name)
		}
	}
	if _, err := Open(testdata+"sample.osm", Options{}); err == nil {
		t.Error("opened without a theme")
	}
}

// A PBF made by... nobody here: no real PBF survived in the shared folder, so the PBF path is tested on a file
// the benchmark writes from the Andorra extract (see bench_test.go).
func TestPBFMatchesXML(t *testing.T) {
	pbf := andorraPBF(t, t.TempDir(), 1)
	for _, name := range []string{"playground", "museum", "protected_area"} {
		x, err := cachedRead(t, "andorra-latest.osm.bz2", name, false)
		if err != nil {
			t.Fatal(err)
		}
		p, _, err := readAll(t, pbf, mustTheme(t, name), false)
		if err != nil {
			t.Fatal(err)
		}
		if geometryCounts(x) != geometryCounts(p) {
			t.Errorf("%s: XML %s, PBF %s", name, geometryCounts(x), geometryCounts(p))
		}
	}
}

var readCache sync.Map

// cachedRead reads a real file once per theme for all the tests (the Andorra extract takes seconds to decode).
func cachedRead(t *testing.T, file, theme string, asPoints bool) ([]importers.Record, error) {
	t.Helper()
	key := fmt.Sprint(file, theme, asPoints)
	type result struct {
		once sync.Once
		recs []importers.Record
		err  error
	}
	v, _ := readCache.LoadOrStore(key, &result{})
	r := v.(*result)
	r.once.Do(func() { r.recs, _, r.err = readAll(t, testdata+file, mustTheme(t, theme), asPoints) })
	return r.recs, r.err
}
