package server

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestDownloads(t *testing.T) {
	fx := rnnFixtureServer(t)
	// CSV for a French spreadsheet: ; and a BOM.
	res, body := fx.get(t, "/datasets/rnn.csv?sep=semicolon&bom=true&geometry=lonlat")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		res.Header.Get("Content-Disposition") != `attachment; filename="rnn.csv"` || !bytes.HasPrefix(body, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("csv: %d %v %q", res.StatusCode, res.Header, body[:min(len(body), 20)])
	}
	r := csv.NewReader(bytes.NewReader(body[3:]))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil || len(rows) != 16 || rows[0][0] != "fid" || rows[0][len(rows[0])-1] != "lat" {
		t.Fatalf("csv: %d rows, %v, header %v", len(rows), err, rows[0])
	}
	if !strings.Contains(strings.Join(rows[1], "|"), "Haut-Vénéon") {
		t.Errorf("csv row 1: %v", rows[1])
	}
	if res, _ := fx.get(t, "/datasets/rnn.csv?sep=x"); res.StatusCode != 400 {
		t.Errorf("sep=x: %d", res.StatusCode)
	}
	if res, _ := fx.get(t, "/datasets/rnn.csv?colour=red"); res.StatusCode != 400 {
		t.Errorf("unknown parameter: %d", res.StatusCode)
	}
	// KML with one Placemark per feature, named after the site.
	res, body = fx.get(t, "/datasets/rnn.kml?bbox=5.4,44.8,5.9,45.3")
	var kml struct {
		Placemarks []struct {
			Name string `xml:"name"`
		} `xml:"Document>Placemark"`
	}
	if err := xml.Unmarshal(body, &kml); err != nil || res.StatusCode != 200 || len(kml.Placemarks) != 2 || kml.Placemarks[0].Name != "Lac Luitel" {
		t.Errorf("kml: %d %v %+v", res.StatusCode, err, kml.Placemarks)
	}
	// Standalone files, read by GDAL as QGIS would open them.
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		t.Fatal("ogrinfo not found: install gdal-bin (make test-deps does)")
	}
	for _, ext := range []string{".gpkg", ".sqlite"} {
		res, body := fx.get(t, "/datasets/rnn"+ext)
		if res.StatusCode != 200 || res.Header.Get("Content-Disposition") != `attachment; filename="rnn`+ext+`"` {
			t.Fatalf("%s: %d %v", ext, res.StatusCode, res.Header)
		}
		path := filepath.Join(t.TempDir(), "rnn"+ext)
		os.WriteFile(path, body, 0o644)
		out, err := exec.Command("ogrinfo", "-ro", "-so", path, "rnn").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "Feature Count: 15") || !strings.Contains(string(out), "NOM_SITE: String") {
			t.Errorf("%s: ogrinfo: %v\n%s", ext, err, out)
		}
		// The second download is the cached file, byte for byte; a re-import makes a new one.
		_, again := fx.get(t, "/datasets/rnn"+ext)
		if !bytes.Equal(again, body) {
			t.Errorf("%s: second download differs", ext)
		}
		if etag := res.Header.Get("ETag"); etag == "" {
			t.Errorf("%s: no ETag", ext)
		} else if res, _ := fx.get(t, "/datasets/rnn"+ext, "If-None-Match", etag); res.StatusCode != 304 {
			t.Errorf("%s: If-None-Match gave %d", ext, res.StatusCode)
		}
	}
	if err := fx.importFile(t, "rnn", rnnFixture); err != nil {
		t.Fatal(err)
	}
	res, body = fx.get(t, "/datasets/rnn.gpkg")
	path := filepath.Join(t.TempDir(), "v2.gpkg")
	os.WriteFile(path, body, 0o644)
	out, _ := exec.Command("ogrinfo", "-ro", "-q", "-sql", "SELECT value FROM dataset_metadata WHERE key = 'version'", path).CombinedOutput()
	if res.StatusCode != 200 || !strings.Contains(string(out), "= 2") {
		t.Errorf("after a re-import the GeoPackage is version 2: %s", out)
	}
	if res, _ := fx.get(t, "/datasets/nope.gpkg"); res.StatusCode != 404 {
		t.Errorf("unknown dataset: %d", res.StatusCode)
	}
}

func TestCSVSeparatorEncoded(t *testing.T) {
	fx := rnnFixtureServer(t)
	_, body := fx.get(t, "/datasets/rnn.csv?sep=%3B&geometry=none")
	if first := strings.SplitN(string(body), "\r\n", 2)[0]; !strings.HasPrefix(first, "fid;ID_LOCAL;") || strings.Contains(first, "wkt") {
		t.Errorf("sep=%%3B: header %q", first)
	}
}
