package shapefile

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// Seeds: real records from the bundled INPN files and the synthetic shapes of the unit tests.
func realSeed(f *testing.F, path string, limit int) {
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "inpn", path))
	if err != nil {
		f.Fatal(err)
	}
	if len(b) > limit {
		b = b[:limit]
	}
	f.Add(b)
}

// FuzzSHP feeds arbitrary bytes to the .shp reader: it may refuse them, never panic or allocate wildly.
func FuzzSHP(f *testing.F) {
	realSeed(f, "rb/subset_puy_de_dome_63/N_ENP_RB_S_000.shp", 4096)
	realSeed(f, "cen/subset_isere_38/cen2013_09.shp", 4096)
	f.Add(shpFile(shapePolygon, polygonContent(shapePolygon, square(0, 0, 10, true), square(2, 2, 2, false))))
	f.Add(shpFile(shapePolygonZ, polygonContent(shapePolygonZ, square(0, 0, 10, false), square(2, 2, 2, false))))
	f.Add(shpFile(shapePoint, pointContent(shapePoint, 1, 2), []byte{0, 0, 0, 0}))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := newSHP(bytes.NewReader(b))
		if err != nil {
			return
		}
		for i := 0; i < 1000; i++ {
			c, err := s.next()
			if err != nil {
				return
			}
			var issues []string
			parseShape(c, &issues)
		}
	})
}

// FuzzDBF feeds arbitrary bytes to the .dbf reader.
func FuzzDBF(f *testing.F) {
	// The header and the first two records of real tables (whole files make the fuzzer crawl).
	realSeed(f, "cen/subset_isere_38/cen2013_09.dbf", 32*7+1+2*200)
	realSeed(f, "rnr/subset_isere_38/N_ENP_RNR_S_000.dbf", 1200)
	f.Add(dbfFile(0x57, []Field{{Name: "N", Type: 'N', Length: 5}, {Name: "D", Type: 'D', Length: 8}, {Name: "L", Type: 'L', Length: 1}},
		[]string{"2,5", "18991230", "?"}))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, cpg := range []string{"", "UTF-8"} {
			d, err := newDBF(bytes.NewReader(b), cpg)
			if err != nil {
				return
			}
			for i := 0; i < 1000; i++ {
				var issues []string
				vals, _, err := d.next(&issues)
				if err == io.EOF {
					break
				}
				if err != nil {
					break
				}
				if len(vals) != len(d.fields) {
					t.Fatalf("%d values for %d fields", len(vals), len(d.fields))
				}
				for _, v := range vals {
					if s, ok := v.(string); ok && !validUTF8(s) {
						t.Fatalf("value %q is not UTF-8", s)
					}
				}
			}
		}
	})
}

// The .prj of every bundled shapefile, and the two that crashed DetectCRS (issue 17: upper-casing a Latin-1
// name changed its length).
var prjSeeds = []string{`GEOGCS["G` + "\xe9od\xe9sique" + `"]`, `PROJCS("` + "\xe9" + `"`, `projcs["rgf93 / lambert-93"]`, ""}

// FuzzPRJ feeds arbitrary text to DetectCRS: it may refuse it, never panic; what it names is valid UTF-8.
func FuzzPRJ(f *testing.F) {
	paths, err := filepath.Glob(filepath.Join("..", "..", "testdata", "inpn", "*", "*", "*.prj"))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no .prj in testdata: %v", err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	for _, s := range prjSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, prj string) {
		code, name, err := DetectCRS(prj)
		if err != nil {
			if !utf8.ValidString(err.Error()) {
				t.Fatalf("%q: error %q is not UTF-8", prj, err)
			}
			return
		}
		if code <= 0 || !utf8.ValidString(name) {
			t.Fatalf("%q: EPSG:%d %q", prj, code, name)
		}
	})
}

// FuzzZip feeds arbitrary bytes as a zip to OpenZip and ExtractZip: they may refuse them, never panic, never
// write outside the folder they are given.
func FuzzZip(f *testing.F) {
	shp := string(shpFile(shapePolygon, polygonContent(shapePolygon, square(0, 0, 10, true))))
	dbf := string(dbfFile(0, nameField, []string{"Écrins"}))
	real, err := os.ReadFile(filepath.Join("..", "..", "testdata", "inpn", "rnr", "subset_isere_38", "N_ENP_RNR_S_000.dbf"))
	if err != nil {
		f.Fatal(err)
	}
	for _, members := range [][][2]string{
		{{"pn/N_ENP_PN_S_000.SHP", shp}, {"pn/N_ENP_PN_S_000.dbf", dbf}, {"pn/N_ENP_PN_S_000.cpg", "UTF-8"}},
		{{"rnr/N_ENP_RNR_S_000.dbf", string(real[:min(len(real), 2048)])}, {"rnr/N_ENP_RNR_S_000.prj", prjSeeds[0]}},
		{{"a.shp", shp}, {"a.dbf", dbf}, {"b.dbf", dbf}, {"readme.txt", "x"}},
		{{"../x.shp", shp}, {"x.dbf", dbf}},
	} {
		b, err := zipBytes(members, nil)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		p := filepath.Join(dir, "in.zip")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if r, err := OpenZip(p, ZipOptions{}); err == nil {
			for i := 0; i < 100 && r.Next(); i++ {
			}
			r.Close()
		}
		out := filepath.Join(dir, "out")
		os.Mkdir(out, 0o700)
		main, _, err := ExtractZip(p, ZipOptions{}, out)
		if err == nil && filepath.Dir(main) != out {
			t.Fatalf("extracted to %s, outside %s", main, out)
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 2 {
			t.Fatalf("%d entries beside the zip: something was written outside the output folder", len(entries))
		}
	})
}
