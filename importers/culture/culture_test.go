package culture

import (
	"context"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/territory"
)

const data = "../../testdata/culture/"

// imported is a normalised row as the store receives it.
type imported struct {
	ref   string
	geom  orb.Geometry
	props map[string]any
	keys  []string
}

func (r imported) text(k string) string {
	switch v := r.props[k].(type) {
	case string:
		return v
	case json.RawMessage:
		return string(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case nil:
		return ""
	}
	return "?"
}

// load opens a real extract for list and returns its rows by identifier (the first row of an identifier) and
// in order.
func load(t *testing.T, listKey, file string, terr *territory.Territory) (map[string]imported, []imported) {
	t.Helper()
	list, ok := ListByKey(listKey)
	if !ok {
		t.Fatalf("no list %q", listKey)
	}
	f, err := Open(data+file, list)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := territory.LoadReference()
	if err != nil {
		t.Fatal(err)
	}
	src := &Source{File: f, Reference: ref, Territory: terr}
	var rows []imported
	byID := map[string]imported{}
	err = src.Records(context.Background(), &importers.Report{}, func(r importers.Record) error {
		im := imported{ref: r.Ref, geom: r.Geometry, props: map[string]any{}}
		for _, p := range r.Properties {
			im.props[p.Key] = p.Value
			im.keys = append(im.keys, p.Key)
		}
		rows = append(rows, im)
		if id := im.text("id"); id != "" {
			if _, dup := byID[id]; !dup {
				byID[id] = im
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return byID, rows
}

// Each quirk of the ministry's files, on the real row that shows it.
func TestQuirksOnRealRows(t *testing.T) {
	tests := []struct {
		quirk      string
		list, file string
		id         string
		want       map[string]string // normalised column → text ("" = null); "@geom" → "lon,lat" or ""
	}{
		{"mojibake U+0092 in historique repaired", "merimee", "merimee-isere-camlebrun.csv", "PA38000033",
			map[string]string{"historique": "Le domaine se compose d’un château du 19ème siècle"}},
		{"mojibake U+009C repaired", "merimee", "merimee-isere-camlebrun.csv", "PA00125740", map[string]string{"historique": "œ"}},
		{"Windows-1252 file (2013 export, field codes REF/TICO/INSEE) converted", "merimee", "merimee-aube-2013-jeanfred.csv", "PA00078015",
			map[string]string{"name": "Eglise de la Nativité", "insee": "10003", "departement": "10", "protection": "inscrit",
				"first_protected": "1980", "first_protected_date": "1980-11-14", "url": "https://www.pop.culture.gouv.fr/notice/merimee/PA00078015", "@geom": ""}},
		{"several communes in one cell, no INSEE code", "merimee", "merimee-isere-camlebrun.csv", "PA00117254",
			map[string]string{"commune": "Saint-Gervais;Rovon", "insee": "38390", "insee_codes": `["38390","38345"]`}},
		{"referral row Voir commune de", "merimee", "merimee-isere-camlebrun.csv", "PA38000028",
			map[string]string{"referral": "Pont-de-Claix (Le)", "insee_codes": `["38111","38317"]`, "protection": ""}},
		{"referral row Voir notice", "merimee", "merimee-isere-camlebrun.csv", "PA00117347",
			map[string]string{"referral": "PA00117327"}},
		{"missing position kept without geometry", "merimee", "merimee-isere-camlebrun.csv", "PA38000044",
			map[string]string{"@geom": "", "position_precision": "", "protection": "inscrit", "first_protected": "2022", "first_protected_date": "2022-10-06"}},
		{"point shared by 6 monuments of Tullins: commune-level precision", "merimee", "merimee-isere-camlebrun.csv", "PA00117304",
			map[string]string{"position_precision": "commune", "@geom": "5.482534,45.297936"}},
		{"own point", "merimee", "merimee-isere-camlebrun.csv", "PA00117298",
			map[string]string{"position_precision": "point", "@geom": "5.75079189078,45.2056337955"}},
		{"several events, year only, partial", "merimee", "merimee-isere-camlebrun.csv", "PA00117357",
			map[string]string{"protection": "classé et inscrit", "first_protected": "1862", "first_protected_date": "",
				"protection_events": `[{"date":"1862","type":"classé","partial":false,"text":"1862 : classé MH"},` +
					`{"date":"1989-10-03","type":"inscrit","partial":true,"text":"1989/10/03 : inscrit MH partiellement"},` +
					`{"date":"1991-08-23","type":"classé","partial":false,"text":"1991/08/23 : classé MH"}]`}},
		{"events without spaces around ':' and ';'", "merimee", "merimee-isere-camlebrun.csv", "PA00117315",
			map[string]string{"protection": "classé et inscrit", "first_protected": "2012", "first_protected_date": "2012-10-26"}},
		{"historical INSEE code kept and reported", "merimee", "merimee-isere-camlebrun.csv", "PA00117239",
			map[string]string{"insee": "38305"}},
		{"protection read from prose when the history is empty", "merimee", "merimee-isere-camlebrun.csv", "PA00117264",
			map[string]string{"protection": "inscrit"}},
		{"lat/lon swapped (Muséofile M1217)", "musees", "musees-victorianed-extract.csv", "M1217",
			map[string]string{"@geom": "2.449718782248399,48.98651569144933", "url": "https://www.pop.culture.gouv.fr/notice/museo/M1217"}},
		{"INSEE code from ref_deps", "musees", "musees-victorianed-extract.csv", "M0121",
			map[string]string{"insee": "63113", "departement": "63", "region": "84", "postcode": "63100", "kind": "musée de France"}},
		{"BOM and 'lat, lon'", "musees", "musees-vexfrow-bom-extract.csv", "M0121",
			map[string]string{"insee": "63113", "region_administrative": "Auvergne-Rhône-Alpes", "@geom": "3.07827,45.793027"}},
		{"multi-line cell", "musees", "musees-victorianed-extract.csv", "M0040",
			map[string]string{"url_source": "https:\n//www.\nneuf-brisach.\nfr/Culture-Patrimoine/Musee.\nHtml"}},
		{"wrong postcode kept as written", "musees", "musees-victorianed-extract.csv", "M0969",
			map[string]string{"postcode": "10100", "insee": "01283"}},
		{"lost leading zeros, région as float", "jardins", "jardins-tortuecookie-extract.csv", "JARD_06059_0001",
			map[string]string{"insee": "06059", "postcode": "06360", "departement": "06", "region": "93", "code_insee": "6059",
				"url": "", "site_internet_et_autres_liens": `["https://www.jardinexotique-eze.fr"]`}},
		{"overseas région 2.0 and no identifier", "jardins", "jardins-tortuecookie-extract.csv", "",
			map[string]string{}},
		{"unquoted ';' between two communes: 8 fields", "acr", "acr-vexfrow-extract.csv", "ACR0001091",
			map[string]string{"commune": "Millau;Creissels", "insee_codes": `["12145","12084"]`, "titre_courant": "Viaduc autoroutier",
				"@geom": "3.05992,44.096493"}},
		{"commune written 'Tronche (La)' found by name", "acr", "acr-vexfrow-extract.csv", "ACR0000082",
			map[string]string{"insee": "38516", "@geom": ""}},
		{"Mayotte position accepted", "acr", "acr-vexfrow-extract.csv", "ACR0000819",
			map[string]string{"@geom": "45.225297,-12.782151"}},
	}
	cache := map[string]map[string]imported{}
	for _, tt := range tests {
		t.Run(tt.quirk, func(t *testing.T) {
			key := tt.list + "/" + tt.file
			rows, ok := cache[key]
			if !ok {
				rows, _ = load(t, tt.list, tt.file, nil)
				cache[key] = rows
			}
			if tt.id == "" {
				return
			}
			r, ok := rows[tt.id]
			if !ok {
				t.Fatalf("no row %s", tt.id)
			}
			for k, want := range tt.want {
				var got string
				if k == "@geom" {
					if p, ok := r.geom.(orb.Point); ok {
						got = jsonNum(p[0]) + "," + jsonNum(p[1])
					}
				} else {
					got = r.text(k)
				}
				if k == "historique" && strings.Contains(got, want) || k != "historique" && got == want {
					continue
				}
				t.Errorf("%s: %s = %q, want %q", r.ref, k, got, want)
			}
		})
	}
}

func jsonNum(f float64) string { b, _ := json.Marshal(f); return string(b) }

// Martinique gardens have no identifier; their région "2.0" becomes "02" and they still get a row.
func TestRowsWithoutIdentifierKept(t *testing.T) {
	_, rows := load(t, "jardins", "jardins-tortuecookie-extract.csv", nil)
	n := 0
	for _, r := range rows {
		if r.text("nom_du_jardin") == "Jardin de Balata" {
			n++
			if r.text("id") != "" || r.text("region") != "02" || r.text("insee") != "97209" || r.text("departement") != "972" {
				t.Errorf("Balata: id %q region %q insee %q dep %q", r.text("id"), r.text("region"), r.text("insee"), r.text("departement"))
			}
		}
	}
	if n != 1 || len(rows) != 18 {
		t.Errorf("%d Balata rows, %d rows; want 1 and 18", n, len(rows))
	}
}

// Every row of every extract comes out; INSEE codes have 5 characters; no C1 control is left; the normalised
// columns come first, then the original ones in the file's order.
func TestEveryRowKept(t *testing.T) {
	for _, tt := range []struct {
		list, file string
		rows       int
	}{
		{"merimee", "merimee-isere-camlebrun.csv", 329},
		{"merimee", "merimee-aube-2013-jeanfred.csv", 3},
		{"merimee", "merimee-isere-derived.json", 6},
		{"merimee", "merimee-isere-derived.geojson", 6},
		{"musees", "musees-victorianed-extract.csv", 48},
		{"musees", "musees-vexfrow-bom-extract.csv", 16},
		{"jardins", "jardins-tortuecookie-extract.csv", 18},
		{"acr", "acr-vexfrow-extract.csv", 48},
	} {
		_, rows := load(t, tt.list, tt.file, nil)
		if len(rows) != tt.rows {
			t.Errorf("%s: %d rows, want %d", tt.file, len(rows), tt.rows)
		}
		for _, r := range rows {
			if c := r.text("insee"); c != "" && len(c) != 5 {
				t.Errorf("%s %s: insee %q", tt.file, r.ref, c)
			}
			for k, v := range r.props {
				if s, ok := v.(string); ok && strings.ContainsAny(s, "\u0092\u009c") {
					t.Errorf("%s %s: %s keeps a C1 control: %q", tt.file, r.ref, k, s)
				}
			}
			if r.keys[0] != "id" || r.keys[1] != "name" || r.keys[6] != "departement" {
				t.Fatalf("%s: columns %v", tt.file, r.keys)
			}
		}
	}
}

// The JSON and GeoJSON exports (current schema: lists in cells, {lon, lat}) give the rows the CSV gives.
func TestJSONAndGeoJSONLikeCSV(t *testing.T) {
	csvRows, _ := load(t, "merimee", "merimee-isere-camlebrun.csv", nil)
	for _, file := range []string{"merimee-isere-derived.json", "merimee-isere-derived.geojson"} {
		rows, _ := load(t, "merimee", file, nil)
		for id, r := range rows {
			c := csvRows[id]
			for _, k := range []string{"insee", "insee_codes", "departement", "protection", "first_protected", "first_protected_date", "protection_events", "referral"} {
				if r.text(k) != c.text(k) {
					t.Errorf("%s %s: %s = %q, CSV gives %q", file, id, k, r.text(k), c.text(k))
				}
			}
			if !reflect.DeepEqual(r.geom, c.geom) {
				t.Errorf("%s %s: geometry %v, CSV gives %v", file, id, r.geom, c.geom)
			}
		}
		if got := rows["PA00117298"].text("cog_insee_lors_de_la_protection"); got != `["38516"]` {
			t.Errorf("%s: JSON list cell kept as %q", file, got)
		}
	}
}

// --territory by commune membership: the rows of Grenoble-Alpes-Métropole, including those without a
// position; Clermont Auvergne Métropole museums.
func TestTerritoryByCommune(t *testing.T) {
	ref, err := territory.LoadReference()
	if err != nil {
		t.Fatal(err)
	}
	grenoble, err := ref.Communes(territory.Spec{Kind: territory.KindEPCI, Codes: []string{"200040715"}})
	if err != nil {
		t.Fatal(err)
	}
	byID, rows := load(t, "merimee", "merimee-isere-camlebrun.csv", grenoble)
	if len(rows) != 65 {
		t.Errorf("%d Grenoble-Alpes-Métropole monuments, want 65", len(rows))
	}
	if r, ok := byID["PA38000042"]; !ok || r.geom != nil {
		t.Errorf("PA38000042 (Grenoble, no position) missing or placed: %+v", r)
	}
	if _, ok := byID["PA38000028"]; !ok {
		t.Error("PA38000028 (Claix, referral to Le Pont-de-Claix) missing")
	}
	clermont, err := ref.Communes(territory.Spec{Kind: territory.KindEPCI, Codes: []string{"246300701"}})
	if err != nil {
		t.Fatal(err)
	}
	byID, rows = load(t, "musees", "musees-victorianed-extract.csv", clermont)
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.text("id"))
	}
	if want := []string{"M0121", "M0120", "M7032"}; !reflect.DeepEqual(ids, want) || byID["M0121"].text("insee") != "63113" {
		t.Errorf("Clermont museums %v, want %v", ids, want)
	}
}

func TestUnknownLayout(t *testing.T) {
	l, _ := ListByKey("merimee")
	_, err := Open(data+"spr-extract.csv", l)
	if err == nil {
		t.Fatal("the SPR list opened as Mérimée")
	}
	for _, want := range []string{"spr-extract.csv", "numero_du_spr", "expected", "reference", "coordonnees_au_format_wgs84"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

func TestParseProtection(t *testing.T) {
	tests := []struct {
		cell string
		want []ProtectionEvent
		iss  ProtectionIssues
	}{
		// SOURCES.md §2 examples.
		{"1862 : classé MH ; 1989/10/03 : inscrit MH partiellement", []ProtectionEvent{
			{Date: "1862", Type: "classé", Text: "1862 : classé MH"},
			{Date: "1989-10-03", Type: "inscrit", Partial: true, Text: "1989/10/03 : inscrit MH partiellement"}}, ProtectionIssues{}},
		{"2006//09/15 : inscrit MH", []ProtectionEvent{{Date: "2006-09-15", Type: "inscrit", Text: "2006//09/15 : inscrit MH"}}, ProtectionIssues{RepairedDate: 1}},
		{"01/22 : inscrit MH", []ProtectionEvent{{Type: "inscrit", Text: "01/22 : inscrit MH"}}, ProtectionIssues{BadDate: 1}},
		{"1990 : label XXe siècle", []ProtectionEvent{{Text: "1990 : label XXe siècle"}}, ProtectionIssues{Unparsable: 1}},
		{"2012/10/26:inscrit MH;2017/03/22:classé MH", []ProtectionEvent{
			{Date: "2012-10-26", Type: "inscrit", Text: "2012/10/26:inscrit MH"},
			{Date: "2017-03-22", Type: "classé", Text: "2017/03/22:classé MH"}}, ProtectionIssues{}},
		{"1989/02/30 : classé MH", []ProtectionEvent{{Type: "classé", Text: "1989/02/30 : classé MH"}}, ProtectionIssues{BadDate: 1}},
		{" ; ", nil, ProtectionIssues{}},
	}
	for _, tt := range tests {
		got, iss := ParseProtection(tt.cell)
		if !reflect.DeepEqual(got, tt.want) || iss != tt.iss {
			t.Errorf("ParseProtection(%q) = %+v %+v, want %+v %+v", tt.cell, got, iss, tt.want, tt.iss)
		}
	}
	if p, f := Summarise([]ProtectionEvent{{Date: "1989-10-03", Type: "inscrit"}, {Date: "1862", Type: "classé"}}); p != "classé et inscrit" || f != "1862" {
		t.Errorf("Summarise: %q %q", p, f)
	}
	for first, want := range map[string]struct {
		year int
		date string
	}{"1862": {1862, ""}, "1989-10": {1989, ""}, "1989-10-03": {1989, "1989-10-03"}, "": {0, ""}} {
		if y, d := FirstProtection(first); y != want.year || d != want.date {
			t.Errorf("FirstProtection(%q) = %d %q, want %d %q", first, y, d, want.year, want.date)
		}
	}
	b, _ := json.Marshal(ProtectionEvent{Text: "x"})
	if string(b) != `{"date":null,"type":null,"partial":false,"text":"x"}` {
		t.Errorf("unparsable event JSON %s", b)
	}
}

func TestParsePosition(t *testing.T) {
	tests := []struct {
		in       string
		lat, lon float64
		ok       bool
		check    PositionCheck
	}{
		{"45.2056337955,5.75079189078", 45.2056337955, 5.75079189078, true, PositionOK}, // Mérimée CSV
		{"45.773818, 3.05992", 45.773818, 3.05992, true, PositionOK},                    // Muséofile "lat, lon"
		{`{"lon": 5.719506, "lat": 45.1815}`, 45.1815, 5.719506, true, PositionOK},      // JSON export
		{"[45.1815, 5.719506]", 45.1815, 5.719506, true, PositionOK},
		{"2.449718782248399,48.98651569144933", 48.98651569144933, 2.449718782248399, true, PositionSwapped}, // M1217
		{"0,0", 0, 0, true, PositionUnknown},
		{`{"lat": 0, "lon": 0}`, 0, 0, true, PositionUnknown},
		{"40.4168,-3.7038", 40.4168, -3.7038, true, PositionOutside}, // Madrid
		{"-21.26765, 55.411839", -21.26765, 55.411839, true, PositionOK},
		{"", 0, 0, false, 0},
		{"45.1, 5.7, 3", 0, 0, false, 0},
		{"N45 E5", 0, 0, false, 0},
	}
	for _, tt := range tests {
		lat, lon, ok := ParsePosition(tt.in)
		if ok != tt.ok {
			t.Errorf("ParsePosition(%q) ok %v", tt.in, ok)
			continue
		}
		if !ok {
			continue
		}
		lat, lon, c := CheckPosition(lat, lon)
		if lat != tt.lat || lon != tt.lon || c != tt.check {
			t.Errorf("%q: %v %v %v, want %v %v %v", tt.in, lat, lon, c, tt.lat, tt.lon, tt.check)
		}
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct {
		in, want  string
		keepLines bool
		fix       TextFix
	}{
		{"d\u0092un ch\u00e2teau", "d’un château", true, TextFix{Mojibake: true}},
		{"c\u009cur", "cœur", false, TextFix{Mojibake: true}},
		{"2022/10/06\u00a0: inscrit MH", "2022/10/06 : inscrit MH", false, TextFix{Whitespace: true}},
		{"  a  b \r\n\r\n\r\n c ", "a b\n\nc", true, TextFix{Whitespace: true}},
		{"a\nb", "a b", false, TextFix{Whitespace: true}},
		{"Grenoble", "Grenoble", false, TextFix{}},
	}
	for _, tt := range tests {
		got, fix := CleanText(tt.in, tt.keepLines)
		if got != tt.want || fix != tt.fix {
			t.Errorf("CleanText(%q) = %q %+v, want %q %+v", tt.in, got, fix, tt.want, tt.fix)
		}
	}
}

func FuzzParsePosition(f *testing.F) {
	for _, s := range []string{"45.2,5.7", "45.773818, 3.05992", `{"lat":0,"lon":0}`, "[1,2]", "0,0", "", "1;2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lat, lon, ok := ParsePosition(s)
		if !ok {
			return
		}
		lat2, lon2, c := CheckPosition(lat, lon)
		if c == PositionOK || c == PositionSwapped {
			if !InFrance(lat2, lon2) {
				t.Fatalf("%q: %v,%v accepted outside France", s, lat2, lon2)
			}
		}
	})
}

func FuzzParseProtection(f *testing.F) {
	for _, s := range []string{"1862 : classé MH ; 1989/10/03 : inscrit MH partiellement", "2006//09/15 : inscrit MH",
		"01/22 : inscrit MH", "2012/10/26:inscrit MH;2017/03/22:classé MH", ";;", "inscrit"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		events, iss := ParseProtection(s)
		unparsable := 0
		for _, e := range events {
			if e.Text == "" {
				t.Fatalf("%q: event without its text", s)
			}
			if e.Type == "" {
				unparsable++
			}
			if e.Date != "" && len(e.Date) != 4 && len(e.Date) != 7 && len(e.Date) != 10 {
				t.Fatalf("%q: date %q", s, e.Date)
			}
		}
		if unparsable != iss.Unparsable {
			t.Fatalf("%q: %d events without type, %d counted", s, unparsable, iss.Unparsable)
		}
		if _, err := json.Marshal(events); err != nil {
			t.Fatal(err)
		}
	})
}
