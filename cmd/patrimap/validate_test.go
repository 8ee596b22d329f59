package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

const covoiturage = "../../testdata/schemas/schema-lieux-covoiturage/"

type validateReport struct {
	Rows           int64
	Valid          bool
	Errors         int64
	InvalidRows    int64 `json:"invalid_rows"`
	MissingColumns []string
	ByKind         map[string]int64 `json:"by_kind"`
	Issues         []struct {
		Column, Kind string
		Count        int64
		Rows         []int64
		Values       []string
	}
}

func (r validateReport) counts() map[string]int64 {
	m := map[string]int64{}
	for _, is := range r.Issues {
		m[is.Column+"/"+is.Kind] = is.Count
	}
	return m
}

func validateJSON(t *testing.T, db string, args ...string) (validateReport, string, error) {
	t.Helper()
	out, err := patrimap(t, append(append([]string{"validate"}, args...), "--json", "--db", db)...)
	var r validateReport
	if jerr := json.Unmarshal([]byte(out[:strings.LastIndex(out, "}")+1]), &r); jerr != nil {
		t.Fatalf("validate --json: %v\n%s", jerr, out)
	}
	return r, out, err
}

// csvAsGeoJSON turns a CSV file with longitude/latitude columns into a GeoJSON file whose properties are the
// cells as text, so that `import geojson` makes a dataset of it, as a person would with any table.
func csvAsGeoJSON(t *testing.T, path, lon, lat string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for i, row := range rows[1:] {
		if i > 0 {
			b.WriteByte(',')
		}
		// Properties in the file's column order: GeoJSON objects keep their members' order for the importer.
		b.WriteString(`{"type":"Feature","properties":{`)
		var x, y float64
		for j, h := range rows[0] {
			k, _ := json.Marshal(h)
			v, _ := json.Marshal(row[j])
			if j > 0 {
				b.WriteByte(',')
			}
			b.Write(k)
			b.WriteByte(':')
			b.Write(v)
			switch h {
			case lon:
				x, _ = strconv.ParseFloat(row[j], 64)
			case lat:
				y, _ = strconv.ParseFloat(row[j], 64)
			}
		}
		fmt.Fprintf(&b, `},"geometry":{"type":"Point","coordinates":[%g,%g]}}`, x, y)
	}
	b.WriteString("]}")
	out := filepath.Join(t.TempDir(), strings.TrimSuffix(filepath.Base(path), ".csv")+".geojson")
	if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// expectedErrors applies a Table Schema's rules to a CSV file cell by cell, with this test's own small
// reading of the specification (first failing rule of each cell), independently of package tableschema.
func expectedErrors(t *testing.T, schemaPath, csvPath string, sep rune) map[string]int64 {
	t.Helper()
	var schema struct {
		Fields []struct {
			Name, Type  string
			Constraints struct {
				Required bool
				Pattern  string
				Enum     []string
				Minimum  *float64
				Maximum  *float64
			}
		}
	}
	data, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = sep
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[strings.TrimPrefix(h, "\uFEFF")] = i
	}
	out := map[string]int64{}
	for _, row := range rows[1:] {
		for _, fd := range schema.Fields {
			i, ok := col[fd.Name]
			if !ok {
				continue
			}
			v := ""
			if i < len(row) {
				v = row[i]
			}
			kind := ""
			switch {
			case v == "":
				if fd.Constraints.Required {
					kind = "required"
				}
			case fd.Type == "date" && !ok2(time.Parse("2006-01-02", v)):
				kind = "type"
			case fd.Type == "number" && !ok2(strconv.ParseFloat(v, 64)):
				kind = "type"
			case fd.Type == "integer" && !ok2(strconv.Atoi(v)):
				kind = "type"
			case fd.Type == "boolean" && !strings.Contains(" true True TRUE 1 false False FALSE 0 ", " "+v+" "):
				kind = "type"
			case fd.Constraints.Pattern != "" && !regexp.MustCompile(`^(?:`+fd.Constraints.Pattern+`)$`).MatchString(v):
				kind = "pattern"
			case len(fd.Constraints.Enum) > 0 && !contains(fd.Constraints.Enum, v):
				kind = "enum"
			case fd.Constraints.Minimum != nil && mustFloat(v) < *fd.Constraints.Minimum:
				kind = "minimum"
			case fd.Constraints.Maximum != nil && mustFloat(v) > *fd.Constraints.Maximum:
				kind = "maximum"
			}
			if kind != "" {
				out[fd.Name+"/"+kind]++
			}
		}
	}
	return out
}

func ok2[T any](_ T, err error) bool { return err == nil }

func mustFloat(s string) float64 { x, _ := strconv.ParseFloat(s, 64); return x }

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// The schema of the lieux de covoiturage and its own invalid example: patrimap finds what validata reports on
// it (one date not in ISO 8601, row 3), and the valid example passes.
func TestValidateCovoiturage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "v.db")
	for _, ex := range []string{"exemple-invalide", "exemple-valide"} {
		gj := csvAsGeoJSON(t, covoiturage+ex+".csv", "Xlong", "Ylat")
		if out, err := patrimap(t, "import", "geojson", gj, "--dataset", ex, "--producer", "Etalab", "--db", db); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
	}
	schema := covoiturage + "schema.json"
	r, out, err := validateJSON(t, db, "--dataset", "exemple-invalide", "--schema", schema)
	if exitCode(err) != 1 || r.Valid {
		t.Fatalf("invalid example: exit %d (%v)\n%s", exitCode(err), err, out)
	}
	want := expectedErrors(t, schema, covoiturage+"exemple-invalide.csv", ',')
	if !reflect.DeepEqual(r.counts(), want) || r.Rows != 2 || r.InvalidRows != 1 {
		t.Errorf("counts %v, want %v (rows %d, invalid rows %d)", r.counts(), want, r.Rows, r.InvalidRows)
	}
	// What validata says of this file: one error, date_maj of row 3 ("24-06-2019").
	if want := map[string]int64{"date_maj/type": 1}; !reflect.DeepEqual(want, r.counts()) || r.Issues[0].Rows[0] != 3 || r.Issues[0].Values[0] != "24-06-2019" {
		t.Errorf("issues %+v", r.Issues)
	}
	if r, out, err := validateJSON(t, db, "--dataset", "exemple-valide", "--schema", schema); err != nil || !r.Valid || r.Rows != 1 {
		t.Errorf("valid example: %v %+v\n%s", err, r, out)
	}
	// The same schema from a URL, as schema.data.gouv.fr serves it; the text report names the column and the row.
	srv := httptest.NewServer(http.FileServer(http.Dir(covoiturage)))
	defer srv.Close()
	out, err = patrimap(t, "validate", "--dataset", "exemple-invalide", "--schema", srv.URL+"/schema.json", "--db", db)
	if exitCode(err) != 1 || !strings.Contains(out, "column date_maj") || !strings.Contains(out, "rows 3;") || !strings.Contains(out, "by kind: type 1") {
		t.Errorf("text report (exit %d):\n%s", exitCode(err), out)
	}
	// The sheet keeps the last validation.
	if out, _ := patrimap(t, "describe", "exemple-invalide", "--db", db); !strings.Contains(out, "validation       INVALID against "+srv.URL+"/schema.json (2 rows") {
		t.Errorf("describe shows no validation:\n%s", out)
	}
}

// A real culture list with codes broken by a spreadsheet (INSEE codes that lost their leading zero): validate
// counts them in the columns of the source, as the file has them; the importer's normalised columns and the
// dataset's own schema hold.
func TestValidateCultureBrokenCodes(t *testing.T) {
	db := filepath.Join(t.TempDir(), "v.db")
	file := "../../testdata/culture/jardins-tortuecookie-full.csv"
	if out, err := patrimap(t, "import", "culture", "--list", "jardins", "--file", file, "--dataset", "jardins", "--db", db); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	schema := "../../testdata/schemas/jardins-cog.json"
	r, out, err := validateJSON(t, db, "--dataset", "jardins", "--schema", schema)
	if exitCode(err) != 1 {
		t.Fatalf("exit %d: %v\n%s", exitCode(err), err, out)
	}
	want := expectedErrors(t, schema, file, ';')
	if !reflect.DeepEqual(r.counts(), want) || r.Rows != 469 {
		t.Errorf("counts %v (rows %d), want %v", r.counts(), r.Rows, want)
	}
	if want["code_insee/pattern"] < 20 || want["code_postal/pattern"] < 20 {
		t.Errorf("the file has fewer broken codes than expected: %v", want)
	}
	for _, is := range r.Issues {
		if is.Column == "code_insee" && is.Kind == "pattern" && !contains(is.Values, "6059") {
			t.Errorf("code_insee values %v lack 6059 (Saint-Jean-Cap-Ferrat's 06059)", is.Values)
		}
	}
	// Its own schema: the normalised insee column has the INSEE pattern, and every row holds.
	if r, out, err := validateJSON(t, db, "--dataset", "jardins"); err != nil || !r.Valid || r.Rows != 469 {
		t.Errorf("own schema: %v %+v\n%s", err, r.counts(), out)
	}
}

func TestValidateErrors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "v.db")
	if out, err := patrimap(t, "import", "geojson", rnnFile, "--db", db, "--dataset", "rnn-isere", "--producer", "INPN – MNHN/PatriNat"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"validate"}, 2, "give --dataset ID"},
		{[]string{"validate", "--dataset", "nope"}, 1, `no dataset "nope"`},
		{[]string{"validate", "--dataset", "rnn-isere", "--schema", "../../testdata/schemas/schema-amenagements-cyclables/schema_amenagements_cyclables.json"}, 1, "this is a JSON Schema"},
		{[]string{"validate", "--dataset", "rnn-isere", "--schema", "/nonexistent.json"}, 1, "no such file"},
		{[]string{"validate", "--dataset", "rnn-isere", "--schema", covoiturage + "schema.json"}, 1, "missing-column"},
	}
	for _, tc := range tests {
		out, err := patrimap(t, append(tc.args, "--db", db)...)
		if code := exitCode(err); code != tc.code || err == nil || !strings.Contains(err.Error()+out, tc.want) {
			t.Errorf("%v: exit %d (%v), want %d and %q\n%s", tc.args, code, err, tc.code, tc.want, out)
		}
	}
}
