package tableschema

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestParsePublishedSchema(t *testing.T) {
	data, err := os.ReadFile("../testdata/schemas/schema-lieux-covoiturage/schema.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Fields) != 18 || !reflect.DeepEqual(s.PrimaryKey, []string{"id_lieu"}) || !reflect.DeepEqual(s.MissingValues, []string{""}) {
		t.Errorf("%d fields, primary key %v, missing %v", len(s.Fields), s.PrimaryKey, s.MissingValues)
	}
	f, _ := s.Field("type")
	if len(f.Constraints.Enum) != 7 || !f.Constraints.Required {
		t.Errorf("type: %+v", f)
	}
	// Written back, the primary key stays a string and the schema reads the same.
	out, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `"primaryKey": "id_lieu"`) {
		t.Errorf("primary key written as %s", out[strings.Index(string(out), "primaryKey"):][:40])
	}
	again, err := Parse(out)
	if err != nil || !reflect.DeepEqual(again, s) {
		t.Errorf("round trip: %v", err)
	}
}

func TestParseRefuses(t *testing.T) {
	json, err := os.ReadFile("../testdata/schemas/schema-amenagements-cyclables/schema_amenagements_cyclables.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ doc, want string }{
		{string(json), `this is a JSON Schema (it has "properties"`},
		{`[1,2]`, "not a JSON object"},
		{`{"title":"x"}`, `no "fields"`},
		{`{"fields":[]}`, "no field"},
		{`{"fields":[{"name":"a"},{"name":"a"}]}`, "named twice"},
		{`{"fields":[{"name":"a","type":"text"}]}`, `type "text"`},
		{`{"fields":[{"name":"a","constraints":{"pattern":"(?=x)"}}]}`, "pattern"},
		{`{"fields":[{"name":"a","type":"date","format":"%d/%Q"}]}`, "directive %Q"},
		{`{"fields":[{"name":"a","type":"integer","constraints":{"enum":["x"]}}]}`, "enum value x is not a integer"},
		{`{"fields":[{"name":"a"}],"primaryKey":"b"}`, `primaryKey "b" is not a field`},
	}
	for _, tc := range tests {
		if _, err := Parse([]byte(tc.doc)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%.40s: %v, want %q", tc.doc, err, tc.want)
		}
	}
}

func TestCheckValues(t *testing.T) {
	tests := []struct {
		field string
		value string
		want  string
	}{
		{`{"name":"n","type":"number"}`, "61.5", ""},
		{`{"name":"n","type":"number"}`, "61,5", KindType},
		{`{"name":"n","type":"number","decimalChar":","}`, "61,5", ""},
		{`{"name":"n","type":"number","bareNumber":false}`, "95 %", ""},
		{`{"name":"n","type":"number"}`, "0x10", KindType},
		{`{"name":"n","type":"integer"}`, "1.0", KindType},
		{`{"name":"n","type":"integer","constraints":{"minimum":0}}`, "-3", KindMinimum},
		{`{"name":"n","type":"integer","constraints":{"maximum":10}}`, "11", KindMaximum},
		{`{"name":"b","type":"boolean"}`, "TRUE", ""},
		{`{"name":"b","type":"boolean"}`, "oui", KindType},
		{`{"name":"b","type":"boolean","trueValues":["oui"],"falseValues":["non"]}`, "oui", ""},
		{`{"name":"d","type":"date"}`, "2019-06-25", ""},
		{`{"name":"d","type":"date","format":"%Y-%m-%d"}`, "24-06-2019", KindType},
		{`{"name":"d","type":"date","format":"%d/%m/%Y"}`, "24/06/2019", ""},
		{`{"name":"d","type":"date","constraints":{"minimum":"2020-01-01"}}`, "2019-12-31", KindMinimum},
		{`{"name":"t","type":"datetime"}`, "2020-06-08T09:25:00Z", ""},
		{`{"name":"t","type":"datetime","format":"any"}`, "2020-06-08 09:25:00", ""},
		{`{"name":"t","type":"time"}`, "25:00:00", KindType},
		{`{"name":"y","type":"year"}`, "1862", ""},
		{`{"name":"y","type":"yearmonth"}`, "2019-13", KindType},
		{`{"name":"p","type":"duration"}`, "P1Y2M", ""},
		{`{"name":"p","type":"duration"}`, "P", KindType},
		{`{"name":"g","type":"geopoint"}`, "5.72, 45.19", ""},
		{`{"name":"g","type":"geopoint","format":"array"}`, "[5.72, 95]", KindType},
		{`{"name":"g","type":"geojson"}`, `{"type":"Point","coordinates":[1,2]}`, ""},
		{`{"name":"a","type":"array"}`, `["38185"]`, ""},
		{`{"name":"a","type":"array","constraints":{"maxLength":1}}`, `["38185","38421"]`, KindMaxLength},
		{`{"name":"o","type":"object"}`, `[1]`, KindType},
		{`{"name":"s","format":"email"}`, "patrimoine@example.org", ""},
		{`{"name":"s","format":"uri"}`, "www.example.org", KindType},
		{`{"name":"s","format":"uuid"}`, "123e4567-e89b-12d3-a456-426614174000", ""},
		{`{"name":"insee","constraints":{"pattern":"^([013-9]\\d|2[AB1-9])\\d{3}$"}}`, "2A004", ""},
		{`{"name":"insee","constraints":{"pattern":"([013-9]\\d|2[AB1-9])\\d{3}"}}`, "6059", KindPattern},
		{`{"name":"insee","constraints":{"pattern":"\\d{5}"}}`, "380001", KindPattern},
		{`{"name":"k","constraints":{"enum":["classé","inscrit"]}}`, "classé", ""},
		{`{"name":"k","constraints":{"enum":["classé","inscrit"]}}`, "Classé", KindEnum},
		{`{"name":"n","type":"number","constraints":{"enum":[1.5,2]}}`, "1.50", ""},
		{`{"name":"s","constraints":{"minLength":3}}`, "Éa", KindMinLength},
	}
	for _, tc := range tests {
		var f Field
		if err := json.Unmarshal([]byte(tc.field), &f); err != nil {
			t.Fatal(err)
		}
		c, err := newChecker(f)
		if err != nil {
			t.Fatalf("%s: %v", tc.field, err)
		}
		if got := c.check(tc.value); got != tc.want {
			t.Errorf("%s %q: %q, want %q", tc.field, tc.value, got, tc.want)
		}
	}
}

// Rows are checked by column name, missing values per the schema, unique and primary keys counted on the
// second occurrence.
func TestValidator(t *testing.T) {
	s, err := Parse([]byte(`{"fields":[{"name":"id","constraints":{"required":true}},{"name":"n","type":"integer"},{"name":"k","constraints":{"unique":true}},{"name":"gone"}],
		"primaryKey":"id","missingValues":["","NA"]}`))
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewValidator(s, "test", []string{"fid", "k", "n", "id"})
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]string{{"1", "a", "1", "x"}, {"2", "a", "NA", "x"}, {"3", "b", "deux", ""}, {"4", "c", "4"}}
	for i, r := range rows {
		v.Row(int64(i+2), r)
	}
	r := v.Report()
	got := map[string]int64{}
	for _, is := range r.Issues {
		got[is.Column+"/"+is.Kind] = is.Count
	}
	want := map[string]int64{"id/unique": 1, "id/required": 2, "n/type": 1, "k/unique": 1}
	if !reflect.DeepEqual(got, want) || r.Valid || r.Errors != 6 || r.InvalidRows != 3 || r.Rows != 4 ||
		!reflect.DeepEqual(r.MissingColumns, []string{"gone"}) || !reflect.DeepEqual(r.ExtraColumns, []string{"fid"}) || r.ByKind[KindMissingColumn] != 1 {
		t.Errorf("%v\n%+v", got, r)
	}
}

func FuzzParse(f *testing.F) {
	for _, p := range []string{"../testdata/schemas/schema-lieux-covoiturage/schema.json", "../testdata/schemas/jardins-cog.json"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"fields":[{"name":"a","type":"date","format":"%d/%m/%Y","constraints":{"minimum":"01/01/2000"}}],"primaryKey":["a"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data)
		if err != nil {
			return
		}
		// What Parse accepts can be validated against and written back.
		header := make([]string, len(s.Fields))
		row := make([]string, len(s.Fields))
		for i, fd := range s.Fields {
			header[i], row[i] = fd.Name, fd.Name
		}
		v, err := NewValidator(s, "fuzz", header)
		if err != nil {
			t.Fatalf("accepted by Parse, refused by NewValidator: %v", err)
		}
		v.Row(2, row)
		v.Report()
		if _, err := s.Marshal(); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzCheck(f *testing.F) {
	f.Add(`{"name":"n","type":"number","constraints":{"minimum":0}}`, "61.5")
	f.Add(`{"name":"d","type":"date","format":"%d/%m/%Y"}`, "24/06/2019")
	f.Add(`{"name":"g","type":"geopoint","format":"object"}`, `{"lon":1,"lat":2}`)
	f.Add(`{"name":"s","constraints":{"pattern":"\\d{5}","enum":["38185"]}}`, "38185")
	f.Fuzz(func(t *testing.T, field, value string) {
		var fd Field
		if json.Unmarshal([]byte(field), &fd) != nil {
			return
		}
		c, err := newChecker(fd)
		if err != nil {
			return
		}
		c.check(value) // never panics, whatever the value
	})
}
