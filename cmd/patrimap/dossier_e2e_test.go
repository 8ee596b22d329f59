package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

const isereContours = "../../testdata/territory/contours/communes-38-isere.geojson.gz"

// dossierDB imports what `make demo` imports (the INPN subsets and the culture lists of Isère), plus the
// former list of museums with their opening hours, the jardins remarquables and the architecture contemporaine
// of Isère, and loads the contours of Isère's communes.
func dossierDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "dossier.db")
	for _, args := range dossierImports() {
		if out, err := patrimap(t, append(args, "--db", db)...); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	return db
}

// dossierImports are the commands dossierDB runs (without --db).
func dossierImports() [][]string {
	var imports [][]string
	for _, f := range []string{"rnn/subset_isere_38/N_ENP_RNN_S_000.shp", "rnr/subset_isere_38/N_ENP_RNR_S_000.shp", "apb/subset_isere_38/apb.shp",
		"pn/subset_isere_38/N_ENP_PN_S_000.shp", "rb/subset_isere_38/N_ENP_RB_S_000.shp", "cen/subset_isere_38/cen2013_09.shp"} {
		layer := strings.Split(f, "/")[0]
		imports = append(imports, []string{"import", "inpn", "--file", "../../testdata/inpn/" + f, "--dataset", layer + "-isere"})
	}
	return append(imports,
		[]string{"import", "culture", "--list", "merimee", "--file", "../../testdata/culture/merimee-isere-camlebrun.csv", "--territory", "dep:38"},
		[]string{"import", "culture", "--list", "musees", "--file", "../../testdata/culture/musees-victorianed-extract.csv", "--territory", "dep:38"},
		[]string{"import", "culture", "--list", "musees", "--file", "../../testdata/culture/musees-horaires-isere-puy-de-dome.json", "--territory", "dep:38", "--dataset", "musees-horaires-isere"},
		[]string{"import", "culture", "--list", "jardins", "--file", "../../testdata/culture/jardins-tortuecookie-extract.csv", "--territory", "dep:38"},
		[]string{"import", "culture", "--list", "acr", "--file", "../../testdata/culture/acr-vexfrow-extract.csv", "--territory", "dep:38"},
		[]string{"dossier", "--contours", isereContours},
	)
}

// The dossier as a heritage officer reads it, in Debian's chromium: its charts drawn in SVG with a text
// alternative and a CSV each, its maps drawn, no console error, screenshots saved; and every figure on the page
// equal to what this test computes itself with SQL on the store (SpatiaLite's GEOS for the areas, which the
// dossier computes in Go). Then the dossier of Isère as a PDF (checkPDF).
func TestDossierInChromium(t *testing.T) {
	node, chromium := browserTools(t)
	if _, err := os.Stat("../../node_modules/opening_hours/package.json"); err != nil {
		t.Fatal("opening_hours is not installed: run npm ci at the repository root (package.json pins it)")
	}
	db := dossierDB(t)
	specs := []string{"dep:38", "epci:200040715"}
	want := map[string]map[string]float64{}
	for _, spec := range specs {
		want[spec] = sqlFigures(t, db, spec, isereContours)
	}

	srv := serveStore(t, db)
	shots := screenshotDir(t, "dossier")
	figFile := filepath.Join(t.TempDir(), "figures.json")
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "../../test/browser/dossier.spec.mjs")
	cmd.Env = append(os.Environ(), "PATRIMAP_URL="+srv.URL, "PATRIMAP_SCREENSHOTS="+shots, "PATRIMAP_FIGURES="+figFile,
		"PATRIMAP_DOSSIERS="+strings.Join(specs, ","), "CHROMIUM="+chromium)
	out, err := cmd.CombinedOutput()
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		t.Log(line)
	}
	if ctx.Err() != nil {
		t.Fatalf("dossier.spec.mjs did not finish in 8 minutes (screenshots so far in %s)", shots)
	}
	if err != nil {
		t.Errorf("dossier.spec.mjs: %v: the checks marked FAIL above failed (screenshots in %s)", err, shots)
	}
	b, err := os.ReadFile(figFile)
	if err != nil {
		t.Fatalf("no figures from the page: %v", err)
	}
	var got map[string]map[string][]string
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for _, spec := range specs {
		compareFigures(t, spec, got[spec], want[spec])
		compareMuseumTable(t, spec, got[spec], want[spec])
	}
	// The same store, printed: one import for both (the package's tests share ten minutes).
	t.Run("pdf", func(t *testing.T) { checkPDF(t, db, want["dep:38"]) })
}

// compareFigures checks each figure of the page against SQL, and that the page shows every figure SQL finds.
func compareFigures(t *testing.T, spec string, page map[string][]string, sql map[string]float64) {
	t.Helper()
	if len(page) == 0 {
		t.Errorf("%s: no figure read off the page", spec)
		return
	}
	checked := 0
	for key, values := range page {
		if strings.HasPrefix(key, "dom:") || strings.HasPrefix(key, "hours:") {
			continue
		}
		w, ok := sql[key]
		if !ok {
			t.Errorf("%s: the page shows %s = %v, which SQL does not find", spec, key, values)
			continue
		}
		for _, v := range values {
			g, err := strconv.ParseFloat(v, 64)
			tol := 0.0
			if strings.Contains(key, "ha") {
				tol = math.Max(0.05, 1e-6*math.Abs(w)) // GEOS in SpatiaLite and in the dossier: nodes micrometres apart
			}
			if err != nil || math.Abs(g-w) > tol {
				t.Errorf("%s: %s: page %s, SQL %v", spec, key, v, w)
			}
			checked++
		}
	}
	for key, w := range sql {
		if _, ok := page[key]; !ok {
			t.Errorf("%s: SQL finds %s = %v, the page does not show it", spec, key, w)
		}
	}
	t.Logf("%s: %d figures of the page equal SQL's", spec, checked)
}

// compareMuseumTable checks the page's counts of museums and hours against its own table, as the browser read it.
func compareMuseumTable(t *testing.T, spec string, page map[string][]string, sql map[string]float64) {
	t.Helper()
	for _, pair := range [][2]string{{"hours:read", "dom:hours-osm"}, {"hours:with-text", "dom:hours-text"}} {
		if fmt.Sprint(page[pair[0]]) != fmt.Sprint(page[pair[1]]) {
			t.Errorf("%s: %s = %v but the museum table shows %v", spec, pair[0], page[pair[0]], page[pair[1]])
		}
	}
	if m := page["dom:museums"]; len(m) != 1 || m[0] != strconv.Itoa(int(sql["count:musees-isere"])) {
		t.Errorf("%s: the museum table has %v rows; the current list has %v museums in the territory", spec, m, sql["count:musees-isere"])
	}
}

// communesOf reads the INSEE codes of a territory from the embedded official list, parsed here apart from the
// territory package: "C insee nom département epci postcodes"; with spec "", every current code (communes and
// arrondissements municipaux).
func communesOf(t *testing.T, spec string) []string {
	t.Helper()
	f, err := os.Open("../../importers/territory/data/reference.tsv.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	kind, code, _ := strings.Cut(spec, ":")
	var out []string
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		if len(c) != 6 || (c[0] != "C" && !(spec == "" && c[0] == "A")) {
			continue
		}
		if spec == "" || (kind == "dep" && c[3] == code) || (kind == "epci" && c[4] == code) {
			out = append(out, c[1])
		}
	}
	sort.Strings(out)
	return out
}

// sqlFigures computes, with SQL on a copy of the store (SpatiaLite's own functions, through the spatialite
// program, the communes' contours read from the file contours by GDAL), every figure the dossier of spec
// shows, keyed as the page keys them (data-figure).
func sqlFigures(t *testing.T, db, spec, contours string) map[string]float64 {
	t.Helper()
	for _, tool := range []string{"spatialite", "ogr2ogr"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found: install spatialite-bin and gdal-bin (make test-deps does)", tool)
		}
	}
	codes := communesOf(t, spec)
	if len(codes) == 0 {
		t.Fatalf("%s: no commune in the official list", spec)
	}
	copyDB := filepath.Join(t.TempDir(), "sql.db")
	b, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(copyDB, b, 0o644); err != nil {
		t.Fatal(err)
	}
	gdal(t, "ogr2ogr", "-update", "-f", "SQLite", copyDB, "/vsigzip/"+mustAbs(t, contours), "-nln", "contours", "-nlt", "MULTIPOLYGON")
	type ds struct {
		id, table, theme string
		fields           map[string]bool
		geom             string // the geometry column, or NULL for a dataset without
	}
	var datasets []ds
	for _, r := range spatialiteSQL(t, copyDB, `SELECT id, table_name, theme, geometry_type, fields FROM idx_patrimap_datasets_geom ORDER BY id;`) {
		d := ds{id: r[0], table: r[1], theme: r[2], fields: map[string]bool{}, geom: "t.geom"}
		if r[3] == "" {
			d.geom = "NULL"
		}
		var fs []struct {
			Name string `json:"name"`
		}
		if err := json.Unmarshal([]byte(r[4]), &fs); err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			d.fields[f.Name] = true
		}
		datasets = append(datasets, d)
	}
	m := "'" + strings.Join(codes, "','") + "'"
	dep := ""
	if k, c, _ := strings.Cut(spec, ":"); k == "dep" {
		dep = c
	}
	var q strings.Builder
	// The areas are overlays in EPSG:3035, as the dossier makes them (straight edges in that plane): the same
	// polygons overlaid in degrees differ by the sag of long edges between the two planes (0.05 ha along a
	// 5 km edge of a generalised park).
	q.WriteString(`CREATE TEMP TABLE terr AS SELECT ST_Union(geometry) AS geom, ST_Transform(ST_Union(geometry), 3035) AS pgeom FROM contours WHERE code IN (` + m + `);
CREATE TEMP TABLE allnat (geom BLOB);
CREATE TEMP TABLE cur (code TEXT PRIMARY KEY);
INSERT INTO cur VALUES ('` + strings.Join(communesOf(t, ""), "'),('") + `');
`)
	val := func(key, expr string) { fmt.Fprintf(&q, "SELECT '%s', %s;\n", key, expr) }
	val("communes", fmt.Sprint(len(codes)))
	val("territory-area-ha", `(SELECT sum(ST_Area(ST_Transform(geometry, 3035))) / 1e4 FROM contours WHERE code IN (`+m+`))`)
	// A row is in the territory by one of its communes, else (no current commune code: none, or only codes of
	// communes merged since) by its département or its position.
	inT := func(d ds) string {
		cond := `(t.insee IN (` + m + `)`
		codesExpr := "json_array()"
		if d.fields["insee_codes"] {
			cond += ` OR EXISTS (SELECT 1 FROM json_each(t.insee_codes) j WHERE j.value IN (` + m + `))`
			codesExpr = "t.insee_codes"
		}
		noCode := `(coalesce(t.insee, '') NOT IN (SELECT code FROM cur) AND NOT EXISTS (SELECT 1 FROM json_each(coalesce(` + codesExpr + `, '[]')) j WHERE j.value IN (SELECT code FROM cur)) AND (`
		if dep != "" && d.fields["departement"] {
			noCode += `t.departement = '` + dep + `' OR `
		}
		noCode += `(` + d.geom + ` IS NOT NULL AND ST_Within(` + d.geom + `, (SELECT geom FROM terr)))))`
		return cond + ` OR ` + noCode + `)`
	}
	// The commune a row is counted in: its first commune of the territory, else the contour holding it.
	communeOf := func(d ds) string {
		first := `(SELECT j.value FROM json_each(t.insee_codes) j WHERE j.value IN (` + m + `) ORDER BY CAST(j.key AS INTEGER) LIMIT 1)`
		return `coalesce(CASE WHEN t.insee IN (` + m + `) THEN t.insee END, ` + first +
			`, (SELECT c.code FROM contours c WHERE c.code IN (` + m + `) AND t.geom IS NOT NULL AND ST_Within(t.geom, c.geometry)))`
	}
	var naturalKeys []string
	for _, d := range datasets {
		tbl := `"` + d.table + `" t`
		switch {
		case d.fields["insee"]:
			where := inT(d)
			val("count:"+d.id, `(SELECT count(*) FROM `+tbl+` WHERE `+where+`)`)
			val("noposition:"+d.id, `(SELECT count(*) FROM `+tbl+` WHERE (`+where+`) AND `+d.geom+` IS NULL)`)
			fmt.Fprintf(&q, "SELECT 'unplaced:%s', n FROM (SELECT count(*) AS n FROM %s WHERE (%s) AND %s IS NULL) WHERE n > 0;\n", d.id, tbl, where, d.geom)
			if strings.HasPrefix(d.id, "jardins") || strings.HasPrefix(d.id, "acr") {
				fmt.Fprintf(&q, "SELECT 'list:%s', n FROM (SELECT count(*) AS n FROM %s WHERE %s) WHERE n > 0;\n", d.id, tbl, where)
			}
			if d.fields["protection"] {
				in := `FROM ` + tbl + ` WHERE ` + where
				val("monuments:total", `(SELECT count(*) `+in+`)`)
				val("monuments:classe", `(SELECT count(*) `+in+` AND t.protection = 'classé')`)
				val("monuments:inscrit", `(SELECT count(*) `+in+` AND t.protection = 'inscrit')`)
				val("monuments:both", `(SELECT count(*) `+in+` AND t.protection = 'classé et inscrit')`)
				fmt.Fprintf(&q, "SELECT 'monuments:unknown', n FROM (SELECT count(*) AS n %s AND coalesce(t.protection, '') NOT IN ('classé', 'inscrit', 'classé et inscrit')) WHERE n > 0;\n", in)
				for _, k := range [][2]string{{"classe", "= 'classé'"}, {"inscrit", "= 'inscrit'"}, {"both", "= 'classé et inscrit'"}, {"total", "IS NOT NULL OR 1"}} {
					fmt.Fprintf(&q, "SELECT 'mh:' || c || ':%s', total(p %s) FROM (SELECT %s AS c, t.protection AS p %s) WHERE c IS NOT NULL GROUP BY c;\n", k[0], k[1], communeOf(d), in)
				}
				// The first protection's date: first_protected_date, else the earliest typed event of the year
				// first_protected (a year-only "1862", a month "1989-10").
				first := `coalesce(t.first_protected_date, (SELECT min(json_extract(e.value, '$.date')) FROM json_each(t.protection_events) e
					WHERE json_extract(e.value, '$.type') IS NOT NULL AND substr(json_extract(e.value, '$.date'), 1, 4) = CAST(t.first_protected AS TEXT)))`
				kind := `CASE WHEN EXISTS (SELECT 1 FROM json_each(t.protection_events) e WHERE json_extract(e.value, '$.date') = ` + first + ` AND json_extract(e.value, '$.type') = 'classé') THEN 'classe'
					WHEN EXISTS (SELECT 1 FROM json_each(t.protection_events) e WHERE json_extract(e.value, '$.date') = ` + first + ` AND json_extract(e.value, '$.type') = 'inscrit') THEN 'inscrit' END`
				dated := `(SELECT t.first_protected / 10 * 10 AS decade, ` + kind + ` AS kind ` + in + ` AND t.first_protected IS NOT NULL)`
				// Every decade from the first to the last, the empty ones too.
				fmt.Fprintf(&q, `WITH RECURSIVE d(x) AS (SELECT min(decade) FROM %[1]s WHERE kind IS NOT NULL UNION ALL SELECT x + 10 FROM d WHERE x < (SELECT max(decade) FROM %[1]s WHERE kind IS NOT NULL))
SELECT 'decade:' || x || ':classe', (SELECT count(*) FROM %[1]s WHERE decade = x AND kind = 'classe') FROM d UNION ALL
SELECT 'decade:' || x || ':inscrit', (SELECT count(*) FROM %[1]s WHERE decade = x AND kind = 'inscrit') FROM d;
`, dated)
				fmt.Fprintf(&q, "SELECT 'monuments:undated', n FROM (SELECT count(*) AS n %s AND (t.first_protected IS NULL OR (%s) IS NULL)) WHERE n > 0;\n", in, kind)
			}
		case d.theme == "natural" && d.geom == "NULL": // an empty layer: its table has no geometry column
			for _, k := range []string{"count:", "sites:", "area-ha:"} {
				val(k+d.id, `(SELECT count(*) FROM `+tbl+`)`)
			}
		case d.theme == "natural":
			meets := `FROM ` + tbl + ` WHERE ST_Intersects(t.geom, (SELECT geom FROM terr))`
			val("count:"+d.id, `(SELECT count(*) `+meets+`)`)
			val("sites:"+d.id, `(SELECT count(*) `+meets+`)`)
			val("area-ha:"+d.id, `coalesce((SELECT ST_Area(ST_Intersection(ST_Union(ST_Transform(t.geom, 3035)), (SELECT pgeom FROM terr))) / 1e4 `+meets+`), 0)`)
			fmt.Fprintf(&q, "INSERT INTO allnat SELECT ST_Transform(t.geom, 3035) %s;\n", meets)
			naturalKeys = append(naturalKeys, "area-ha:"+d.id)
		}
	}
	val("natural-union-ha", `coalesce((SELECT ST_Area(ST_Intersection(ST_Union(geom), (SELECT pgeom FROM terr))) / 1e4 FROM allnat), 0)`)
	fmt.Fprintf(&q, `SELECT 'commune-ha:' || code, a, 'covered-ha:' || code, cov FROM (
  SELECT c.code, ST_Area(c.pgeom) / 1e4 AS a,
    ST_Area(ST_Intersection(c.pgeom, (SELECT ST_Union(n.geom) FROM allnat n WHERE ST_Intersects(n.geom, c.pgeom)))) / 1e4 AS cov
  FROM (SELECT code, ST_Transform(geometry, 3035) AS pgeom FROM contours WHERE code IN (%s)) c) WHERE cov > 0;
`, m)
	out := map[string]float64{}
	for _, r := range spatialiteSQL(t, copyDB, q.String()) {
		for i := 0; i+1 < len(r); i += 2 {
			v, err := strconv.ParseFloat(r[i+1], 64)
			if err != nil {
				t.Fatalf("%s: %s = %q: %v", spec, r[i], r[i+1], err)
			}
			out[r[i]] = v
		}
	}
	sum := 0.0
	for _, k := range naturalKeys {
		sum += out[k]
	}
	out["natural-sum-ha"] = sum
	return out
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

var spatialiteNoise = regexp.MustCompile(`^(SpatiaLite version|Supported Extensions|Enter "|Enter SQL|- |\s*$)`)

// spatialiteSQL runs SQL with the spatialite program and returns the rows of its SELECTs ("|"-separated).
func spatialiteSQL(t *testing.T, db, sql string) [][]string {
	t.Helper()
	cmd := exec.Command("spatialite", "-bail", db)
	cmd.Stdin = strings.NewReader(sql)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || strings.Contains(stderr.String(), "Error") {
		t.Fatalf("spatialite: %v\n%s\n%s", err, stderr.String(), sql[:min(len(sql), 2000)])
	}
	var rows [][]string
	for _, line := range strings.Split(string(out), "\n") {
		if spatialiteNoise.MatchString(line) {
			continue
		}
		rows = append(rows, strings.Split(line, "|"))
	}
	return rows
}

// checkPDF: `patrimap dossier --territory dep:38 --out d.pdf` is a PDF of several pages that names each
// inventory with its count (sql: the figures SQL finds), read back with pdftotext; without Chromium, a message and
// the HTML.
func checkPDF(t *testing.T, db string, sql map[string]float64) {
	for _, tool := range []string{"pdftotext", "pdfinfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found: install poppler-utils (make test-deps does)", tool)
		}
	}
	dir := t.TempDir()
	pdf := filepath.Join(dir, "d.pdf")
	out, err := patrimap(t, "dossier", "--territory", "dep:38", "--out", pdf, "--offline", "--db", db)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	t.Log(strings.TrimSpace(out))
	info, err := exec.Command("pdfinfo", pdf).Output()
	if err != nil {
		t.Fatal(err)
	}
	pages := 0
	if m := regexp.MustCompile(`Pages:\s+(\d+)`).FindSubmatch(info); m != nil {
		pages, _ = strconv.Atoi(string(m[1]))
	}
	if pages < 6 {
		t.Errorf("%d pages; want a dossier of several (summary, monuments, protections, natural heritage, museums, sources)", pages)
	}
	if !strings.Contains(string(info), "(A4)") {
		t.Errorf("not A4:\n%s", info)
	}
	text, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.NewReplacer("\u202f", " ", "\u00a0", " ").Replace(string(text)), "\n")
	for _, r := range spatialiteSQL(t, db, `SELECT id, title FROM idx_patrimap_datasets_geom ORDER BY id;`) {
		// The summary names a dataset without the dossier's own territory, said once at the top.
		id, title := r[0], strings.Replace(r[1], " (Isère)", "", 1)
		n, ok := sql["count:"+id]
		if !ok {
			t.Errorf("no SQL count for %s", id)
			continue
		}
		count := strconv.FormatFloat(n, 'f', 0, 64)
		if len(count) > 3 {
			count = count[:len(count)-3] + " " + count[len(count)-3:]
		}
		// The summary's row: the title (or its first words, the rest wrapping below), then the count, and the
		// dataset's id within the next lines.
		found := false
		cols := regexp.MustCompile(`\s{2,}`)
		for i, l := range lines {
			parts := cols.Split(strings.TrimSpace(l), -1)
			if len(parts) < 2 || len(parts[0]) < 10 || !strings.HasPrefix(title, parts[0]) || parts[1] != count {
				continue
			}
			if strings.Contains(strings.Join(lines[i:min(i+4, len(lines))], " "), id) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("the PDF does not name %s (%q) with its count %s in its summary", id, title, count)
		}
	}
	for _, w := range []string{"Synthèse", "Monuments historiques par commune", "Première protection par décennie", "Surface par statut",
		"Musées de France", "Sources et licences", "EPSG:3035", "Licence Ouverte"} {
		if !strings.Contains(string(text), w) {
			t.Errorf("the PDF lacks %q", w)
		}
	}

	// Without Chromium: the HTML, charts drawn when it is opened, and a message that says so.
	out, err = patrimap(t, "dossier", "--territory", "dep:38", "--out", filepath.Join(dir, "e.pdf"), "--offline", "--chromium", filepath.Join(dir, "no-chromium"), "--db", db)
	if err == nil || !strings.Contains(out+err.Error(), "e.html") || !strings.Contains(err.Error(), "apt-get install chromium") {
		t.Errorf("without chromium: %v\n%s", err, out)
	}
	html, err := os.ReadFile(filepath.Join(dir, "e.html"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "e.pdf")); err == nil {
		t.Error("a PDF was written without Chromium")
	}
	for _, w := range []string{`data-figure="count:merimee-isere"`, "@observablehq/plot", `data-standalone="true"`} {
		if !strings.Contains(string(html), w) {
			t.Errorf("the HTML written without Chromium lacks %s", w)
		}
	}
	checkSourcesTable(t, string(text), string(html))
}
