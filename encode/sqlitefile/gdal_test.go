package sqlitefile

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// gdal runs a GDAL program and returns its standard output, failing the test on an error or, unless
// allowStderr, on anything GDAL says on standard error (a warning about a malformed file, a value it could not
// read, an integer that overflowed).
func gdal(t *testing.T, allowStderr bool, name string, args ...string) (stdout, stderr string) {
	t.Helper()
	bin, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s (GDAL) is needed to check the files: install it with `sudo apt-get install gdal-bin` (%v)", name, err)
	}
	cmd := exec.Command(bin, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, errOut.String())
	}
	if !allowStderr && errOut.Len() > 0 {
		t.Errorf("%s %s complained:\n%s", name, strings.Join(args, " "), errOut.String())
	}
	return out.String(), errOut.String()
}

func ogrinfo(t *testing.T, args ...string) string {
	t.Helper()
	out, _ := gdal(t, false, "ogrinfo", args...)
	return out
}

// layerSummary is what `ogrinfo -so -al` says of a layer.
type layerSummary struct {
	geometry string
	count    string
	fields   map[string]string // name -> "Integer64", "String(JSON)"...
	metadata map[string]string
	srs      bool // EPSG:4326
}

var (
	fieldLine = regexp.MustCompile(`(?m)^(\S[^:\n]*): (\w+(?:\(\w+\))?) \(\d+\.\d+\)$`)
	mdLine    = regexp.MustCompile(`^  ([^=]+)=(.*)$`)
)

func summary(t *testing.T, path, layer string) layerSummary {
	t.Helper()
	out := ogrinfo(t, "-so", path, layer)
	s := layerSummary{fields: map[string]string{}, metadata: map[string]string{}, srs: strings.Contains(out, `ID["EPSG",4326]`)}
	if m := regexp.MustCompile(`(?m)^Geometry: (.*)$`).FindStringSubmatch(out); m != nil {
		s.geometry = m[1]
	}
	if m := regexp.MustCompile(`(?m)^Feature Count: (\d+)$`).FindStringSubmatch(out); m != nil {
		s.count = m[1]
	}
	for _, m := range fieldLine.FindAllStringSubmatch(out, -1) {
		s.fields[m[1]] = m[2]
	}
	inMD := false
	for _, line := range strings.Split(out, "\n") {
		switch {
		case line == "Metadata:":
			inMD = true
		case inMD && mdLine.MatchString(line):
			m := mdLine.FindStringSubmatch(line)
			s.metadata[m[1]] = m[2]
		default:
			inMD = false
		}
	}
	return s
}

// gdalFeature is one feature of a layer as GDAL converts it to GeoJSON.
type gdalFeature struct {
	ID         json.Number     `json:"id"`
	Properties map[string]any  `json:"properties"`
	Geometry   json.RawMessage `json:"geometry"`
}

// readWithGDAL converts the layer to GeoJSON with ogr2ogr (features in fid order, their fids kept). Any message
// of GDAL fails the test, except those that contain tolerate (when not empty).
func readWithGDAL(t *testing.T, path, layer, tolerate string) []gdalFeature {
	t.Helper()
	out, errOut := gdal(t, true, "ogr2ogr", "-f", "GeoJSON", "-preserve_fid", "/vsistdout/", path, layer)
	for _, line := range strings.Split(strings.TrimSpace(errOut), "\n") {
		if line != "" && (tolerate == "" || !strings.Contains(line, tolerate)) {
			t.Errorf("ogr2ogr %s complained: %s", path, line)
		}
	}
	var fc struct{ Features []gdalFeature }
	dec := json.NewDecoder(strings.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(&fc); err != nil {
		t.Fatalf("ogr2ogr -f GeoJSON %s: %v\n%.500s", path, err, out)
	}
	return fc.Features
}

// validateGeoPackage runs validate_gpkg.py, GDAL's GeoPackage validator, as Debian's python3-gdal installs it,
// with its extra checks. It must pass, and say nothing but the warnings expected.
func validateGeoPackage(t *testing.T, path string, expected ...string) {
	t.Helper()
	const script = "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py"
	if _, err := os.Stat(script); err != nil {
		t.Fatalf("GDAL's validate_gpkg.py is needed: install it with `sudo apt-get install python3-gdal` (%v)", err)
	}
	out, err := exec.Command("/usr/bin/python3", script, "--extra", path).CombinedOutput()
	if err != nil {
		t.Errorf("validate_gpkg.py %s: %v\n%s", path, err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line != "" && !slices.Contains(expected, line) {
			t.Errorf("validate_gpkg.py %s: %s", path, line)
		}
	}
}
