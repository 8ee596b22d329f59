package osm

import (
	"reflect"
	"strings"
	"testing"
)

func TestFilter(t *testing.T) {
	for _, tc := range []struct {
		clauses []string
		tags    map[string]string
		want    bool
	}{
		{[]string{"leisure=playground"}, map[string]string{"leisure": "playground"}, true},
		{[]string{"leisure=playground"}, map[string]string{"leisure": "park"}, false},
		{[]string{"heritage", "historic"}, map[string]string{"historic": "wayside_cross"}, true},
		{[]string{"heritage=*"}, map[string]string{"heritage:operator": "mhs"}, false},
		{[]string{"amenity=toilets|shower"}, map[string]string{"amenity": "shower"}, true},
		{[]string{"amenity=toilets & access!=private"}, map[string]string{"amenity": "toilets", "access": "private"}, false},
		{[]string{"amenity=toilets & access!=private"}, map[string]string{"amenity": "toilets"}, true},
		{[]string{"historic & !disused"}, map[string]string{"historic": "ruins", "disused": "yes"}, false},
		{[]string{"ref:mhs"}, map[string]string{"ref:mhs": "PA00116557"}, true},
	} {
		f, err := ParseFilter(tc.clauses)
		if err != nil {
			t.Fatalf("%v: %v", tc.clauses, err)
		}
		if got := f.Match(MapTags(tc.tags)); got != tc.want {
			t.Errorf("%v on %v = %v", tc.clauses, tc.tags, got)
		}
	}
	for _, bad := range [][]string{nil, {""}, {"!disused"}, {"a= "}, {"a & & b"}, {"k v=1"}, {"=x"}, {"a!=*"}} {
		if _, err := ParseFilter(bad); err == nil {
			t.Errorf("ParseFilter(%q) accepted", bad)
		}
	}
}

func TestThemes(t *testing.T) {
	ts, err := Themes()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"garden", "heritage", "library", "museum", "playground", "protected_area", "toilets"}
	if names := ThemeNames(); !reflect.DeepEqual(names, want) {
		t.Errorf("themes %v, want %v", names, want)
	}
	for _, th := range ts {
		if th.Columns[0].Name != "id_osm" {
			t.Errorf("%s: first column %s, want id_osm", th.Name, th.Columns[0].Name)
		}
	}
	if _, err := LoadTheme("playgrounds"); err == nil || !strings.Contains(err.Error(), "playground") {
		t.Errorf("unknown theme: %v", err)
	}
	for _, bad := range []string{
		`{"name":"x","match":["a"],"columns":[]}`,
		`{"name":"X Y","match":["a"],"columns":[{"name":"n","tags":["name"]}]}`,
		`{"name":"x","match":["a"],"geometry":"volume","columns":[{"name":"n","tags":["name"]}]}`,
		`{"name":"x","match":["a"],"columns":[{"name":"n","tags":["@user"]}]}`,
		`{"name":"x","match":["a"],"columns":[{"name":"n","tags":["name"]},{"name":"N","tags":["name"]}]}`,
		`{"name":"x","match":["a"],"colums":[{"name":"n","tags":["name"]}]}`,
	} {
		if _, err := ParseTheme([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func TestColumnValues(t *testing.T) {
	th := mustTheme(t, "heritage")
	var fixes []string
	props := th.Properties(Element{Type: "way", ID: 42, Timestamp: "2020-01-02T03:04:05Z", Tags: map[string]string{
		"historic": "castle", "heritage": "2", "ref:mhs": "PA00116557", "mhs:inscription_date": "14/03/1908", "name": " Château ",
	}}, func(w string) { fixes = append(fixes, w) })
	got := map[string]any{}
	for _, p := range props {
		got[p.Key] = p.Value
	}
	for k, v := range map[string]any{"id_osm": "way/42", "nom": "Château", "protection": "classé MH", "ref_mhs": "PA00116557",
		"date_protection": "1908-03-14", "date_maj": "2020-01-02T03:04:05Z", "wikidata": nil} {
		if got[k] != v {
			t.Errorf("%s = %#v, want %#v", k, got[k], v)
		}
	}
	th.Properties(Element{Type: "node", ID: 1, Tags: map[string]string{"historic": "x", "mhs:inscription_date": "vers 1900"}}, func(w string) { fixes = append(fixes, w) })
	if len(fixes) != 1 || !strings.Contains(fixes[0], `"vers 1900" is not a date`) {
		t.Errorf("fixes %v", fixes)
	}
}

func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"leisure=playground", "heritage", "amenity=toilets|shower & access!=private", "!disused & a", "a=*", "k=v=w"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := ParseFilter(strings.Split(s, ";"))
		if err != nil {
			return
		}
		// The text form reads back to the same filter.
		back, err := ParseFilter(strings.Split(flt.String(), " ; "))
		if err != nil {
			t.Fatalf("%q -> %q: %v", s, flt.String(), err)
		}
		if !reflect.DeepEqual(flt, back) {
			t.Fatalf("%q -> %q -> %v, want %v", s, flt.String(), back, flt)
		}
		flt.Match(MapTags{"a": "b"})
	})
}
