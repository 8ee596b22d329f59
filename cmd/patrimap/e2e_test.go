package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

const rnnFile = "../../testdata/rnn-isere.geojson"

func patrimap(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, &out, &errOut)
	return out.String() + errOut.String(), err
}

// gdal runs a GDAL command; the tests use GDAL because QGIS reads patrimap through it.
func gdal(t *testing.T, name string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Fatalf("%s not found: install gdal-bin (make test-deps does)", name)
	}
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

func readFC(t *testing.T, b []byte) *geojson.FeatureCollection {
	t.Helper()
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		t.Fatalf("not a FeatureCollection: %v", err)
	}
	return fc
}

// rings flattens a (Multi)Polygon into its rings, to compare geometries whatever their promotion to multi.
func rings(g orb.Geometry) []orb.Ring {
	switch g := g.(type) {
	case orb.Polygon:
		return g
	case orb.MultiPolygon:
		var out []orb.Ring
		for _, p := range g {
			out = append(out, p...)
		}
		return out
	}
	return nil
}

func TestImportThenReadWithGDAL(t *testing.T) {
	db := filepath.Join(t.TempDir(), "e2e.db")
	out, err := patrimap(t, "import", "geojson", rnnFile, "--db", db, "--dataset", "rnn-isere",
		"--title", "Réserves naturelles nationales (Isère)", "--producer", "INPN – MNHN/PatriNat", "--theme", "natural")
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	if !strings.Contains(out, "read 15, written 15") {
		t.Errorf("report: %s", out)
	}

	// The database file, as QGIS sees it through GDAL.
	info := gdal(t, "ogrinfo", "-so", "-al", db)
	for _, want := range []string{"Layer name: rnn_isere", "Geometry: Multi Polygon", "Feature Count: 15",
		"ID_LOCAL: String", "NOM_SITE: String", "DATE_CREA: Date", "SURF_OFF: Real", "ID_MNHN: String", `ID["EPSG",4326]`} {
		if !strings.Contains(info, want) {
			t.Errorf("ogrinfo on the database lacks %q:\n%s", want, info)
		}
	}

	out, err = patrimap(t, "datasets", "--db", db)
	if err != nil || !strings.Contains(out, "rnn-isere") || !strings.Contains(out, "Réserves naturelles nationales (Isère)") {
		t.Errorf("datasets: %v\n%s", err, out)
	}

	// The server's GeoJSON, read back by GDAL.
	srv := serveStore(t, db)
	url := srv.URL + "/datasets/rnn-isere.geojson"
	viaGDAL := filepath.Join(t.TempDir(), "via-gdal.geojson")
	gdal(t, "ogr2ogr", "-f", "GeoJSON", viaGDAL, url)
	info = gdal(t, "ogrinfo", "-so", "-al", url)
	if !strings.Contains(info, "Feature Count: 15") {
		t.Errorf("ogrinfo on the URL:\n%s", info)
	}

	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	served, _ := io.ReadAll(res.Body)
	res.Body.Close()
	srcBytes, _ := os.ReadFile(rnnFile)
	gdalBytes, _ := os.ReadFile(viaGDAL)
	input, ours, theirs := readFC(t, srcBytes), readFC(t, served), readFC(t, gdalBytes)
	if len(ours.Features) != len(input.Features) || len(theirs.Features) != len(input.Features) {
		t.Fatalf("features: input %d, served %d, read by GDAL %d", len(input.Features), len(ours.Features), len(theirs.Features))
	}
	for i, in := range input.Features {
		// Attributes: what GDAL reads from patrimap equals the input.
		for k, v := range in.Properties {
			if got := theirs.Features[i].Properties[k]; got != v {
				t.Errorf("feature %d %s: GDAL reads %#v, input has %#v", i+1, k, got, v)
			}
		}
		// Coordinates within 1e-7 degrees, shells counter-clockwise.
		inR, outR := rings(in.Geometry), rings(ours.Features[i].Geometry)
		if len(inR) != len(outR) {
			t.Fatalf("feature %d: %d rings, input %d", i+1, len(outR), len(inR))
		}
		for r := range inR {
			if len(inR[r]) != len(outR[r]) {
				t.Fatalf("feature %d ring %d: %d points, input %d", i+1, r, len(outR[r]), len(inR[r]))
			}
			for p := range inR[r] {
				a, b := inR[r][p], outR[r][p]
				if math.Abs(a[0]-b[0]) > 1e-7 || math.Abs(a[1]-b[1]) > 1e-7 {
					t.Fatalf("feature %d ring %d point %d: %v, input %v", i+1, r, p, b, a)
				}
			}
		}
		for _, p := range ours.Features[i].Geometry.(orb.MultiPolygon) {
			if p[0].Orientation() != orb.CCW {
				t.Errorf("feature %d: outer ring is not counter-clockwise", i+1)
			}
		}
	}
}

func TestCommandLineErrors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	tests := []struct {
		args  []string
		usage bool
		says  string
	}{
		{[]string{"import", "geojson", "missing.geojson", "--db", db, "--dataset", "x", "--producer", "p"}, false, "missing.geojson: no such file"},
		{[]string{"import", "geojson", rnnFile, "--db", db, "--producer", "p"}, true, "--dataset ID is required"},
		{[]string{"import", "geojson", rnnFile, "--db", db, "--dataset", "Bad_ID", "--producer", "p"}, true, "slug"},
		{[]string{"import", "geojson", rnnFile, "--db", db, "--dataset", "x"}, true, "--producer is required"},
		{[]string{"import", "geojson", rnnFile, "--db", db, "--dataset", "x", "--producer", "p", "--crs", "lambert"}, true, "EPSG:NNNN"},
		{[]string{"import", "shapefile", "x"}, true, "unknown source family"},
		{[]string{"frobnicate"}, true, "unknown command"},
	}
	for _, tc := range tests {
		out, err := patrimap(t, tc.args...)
		var ue usageError
		if err == nil || errors.As(err, &ue) != tc.usage || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%v: err = %v (usage error: %v), want %q\n%s", tc.args, err, errors.As(err, &ue), tc.says, out)
		}
	}
	for _, cmd := range []string{"import geojson", "serve", "datasets"} {
		out, err := patrimap(t, append(strings.Fields(cmd), "--help")...)
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out, "Example:") {
			t.Errorf("%s --help: %v\n%s", cmd, err, out)
		}
	}
}
