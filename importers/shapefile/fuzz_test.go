package shapefile

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
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
