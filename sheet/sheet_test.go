package sheet

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/spatialite"
)

// Catalogue entries as the importers write them (cmd/patrimap import_*.go).
var (
	inpnEntry = store.Dataset{DatasetInfo: store.DatasetInfo{ID: "rnn-isere", Title: "Réserves naturelles nationales (Isère)",
		Theme: store.ThemeNatural, Producer: "INPN – MNHN/PatriNat", Licence: "Licence Ouverte 2.0",
		Attribution: "Source : INPN – MNHN/PatriNat (OFB-MNHN-CNRS-IRD), Réserves naturelles nationales – Licence Ouverte 2.0",
		Source:      store.Source{File: "N_ENP_RNN_S_000.shp", SHA256: "ab12"}}, Version: 3,
		Report: json.RawMessage(`{"source":"N_ENP_RNN_S_000.shp","format":"ESRI Shapefile","read":15,"written":15,"fixes":[{"what":"invalid geometry made valid","n":2}]}`)}
	merimeeEntry = store.Dataset{DatasetInfo: store.DatasetInfo{ID: "merimee", Title: "Monuments historiques (Mérimée)",
		Theme: store.ThemeCultural, Producer: "Ministère de la Culture", Licence: "Licence Ouverte 2.0"},
		Fields: []store.Field{{Name: "id"}, {Name: "protection"}}, Version: 1}
	museesEntry = store.Dataset{DatasetInfo: store.DatasetInfo{ID: "musees", Title: "Musées de France",
		Theme: store.ThemeCultural, Producer: "Ministère de la Culture – Muséofile", Licence: "Licence Ouverte 2.0"},
		Fields: []store.Field{{Name: "id"}}, Version: 1}
	osmEntry = store.Dataset{DatasetInfo: store.DatasetInfo{ID: "playground", Title: "Aires de jeux",
		Theme: store.ThemeOSM, Producer: "Contributeurs OpenStreetMap", Licence: "ODbL 1.0 (Open Database Licence)"}, Version: 2}
)

// Each family's datasets get what their producers are known for, from the catalogue entry alone.
func TestFamilyDefaults(t *testing.T) {
	tests := []struct {
		d                          store.Dataset
		family, licence, publisher string
		themes, inspire            []string
	}{
		{inpnEntry, "inpn", licenceOuverte, "INPN – MNHN/PatriNat", []string{"ENVI"}, []string{"ps"}},
		{merimeeEntry, "culture", licenceOuverte, "Ministère de la Culture", []string{"EDUC"}, []string{"ps"}},
		{museesEntry, "culture", licenceOuverte, "Ministère de la Culture – Muséofile", []string{"EDUC"}, nil},
		{osmEntry, "osm", odbl, "Contributeurs OpenStreetMap", []string{"REGI"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.d.ID, func(t *testing.T) {
			s := Compose(tc.d, Record{}, Written{})
			if s.Family != tc.family || s.Licence != tc.licence || s.Publisher.Name != tc.publisher || s.Creator.Name != tc.publisher {
				t.Errorf("family %s licence %s publisher %q creator %q", s.Family, s.Licence, s.Publisher.Name, s.Creator.Name)
			}
			if !reflect.DeepEqual(s.Themes, tc.themes) || !reflect.DeepEqual(s.InspireThemes, tc.inspire) {
				t.Errorf("themes %v inspire %v", s.Themes, s.InspireThemes)
			}
			if s.AccessRights != "PUBLIC" || s.Language != "FRA" {
				t.Errorf("access %s language %s", s.AccessRights, s.Language)
			}
		})
	}
	s := Compose(inpnEntry, Record{}, Written{})
	if s.Version != "3" || s.Provenance.SHA256 != "ab12" || len(s.Provenance.Lineage) != 2 ||
		s.Provenance.Lineage[1] != "fixed: invalid geometry made valid: 2" {
		t.Errorf("version %s provenance %+v", s.Version, s.Provenance)
	}
	if s.Keywords[len(s.Keywords)-1] != "Réserves naturelles nationales" {
		t.Errorf("keywords %v", s.Keywords)
	}
}

// What a person wrote wins over the defaults; the catalogue's publisher wins over the producer.
func TestComposeOverlay(t *testing.T) {
	cat := Written{Publisher: &Agent{Name: "Clermont Auvergne Métropole", URL: "https://www.clermontmetropole.eu", Type: "LocalAuthority"},
		Contact: &Contact{Name: "Service patrimoine", Email: "patrimoine@example.org"}}
	rec := Record{Written: Written{Title: "Réserves", Keywords: []string{"réserve"}, Periodicity: "ANNUAL",
		Contact: &Contact{Email: "sig@example.org"}}}
	s := Compose(inpnEntry, rec, cat)
	if s.Title != "Réserves" || s.Publisher.Name != "Clermont Auvergne Métropole" || s.Creator.Name != "INPN – MNHN/PatriNat" ||
		s.Contact.Email != "sig@example.org" || !reflect.DeepEqual(s.Keywords, []string{"réserve"}) || s.Periodicity != "ANNUAL" {
		t.Errorf("%+v", s)
	}
}

func TestCheckNormalisesAndRefuses(t *testing.T) {
	w := Written{Periodicity: "annuelle", Themes: []string{"envi"}, InspireThemes: []string{"PS"}, Licence: "ODbL",
		Language: "fr", Contact: &Contact{Email: "mailto:a@b.fr"}}
	if err := w.Check(); err != nil {
		t.Fatal(err)
	}
	if w.Periodicity != "ANNUAL" || w.Themes[0] != "ENVI" || w.InspireThemes[0] != "ps" || w.Licence != odbl || w.Language != "FRA" || w.Contact.Email != "a@b.fr" {
		t.Errorf("%+v", w)
	}
	bad := Written{Periodicity: "sometimes", Themes: []string{"HERITAGE"}, Licence: "mine", Contact: &Contact{Email: "nobody"},
		Temporal: &Period{Start: "2020-01-01", End: "2019"}, Territory: &Territory{Code: "clermont"}}
	err := bad.Check()
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{`periodicity "sometimes"`, `theme "HERITAGE"`, `licence "mine"`, `contact email "nobody"`, "ends (2019) before", `territory "clermont"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

func TestParseJSONAndYAML(t *testing.T) {
	yml := "title: Réserves naturelles\nkeywords: [réserve, biodiversité]\nperiodicity: annuelle\ncontact:\n  name: Service SIG\n  email: sig@example.org\ntemporal:\n  start: \"2020\"\n"
	w, err := Parse([]byte(yml), true)
	if err != nil {
		t.Fatal(err)
	}
	js := `{"title":"Réserves naturelles","keywords":["réserve","biodiversité"],"periodicity":"ANNUAL","contact":{"name":"Service SIG","email":"sig@example.org"},"temporal":{"start":"2020"}}`
	w2, err := Parse([]byte(js), false)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(w, w2) || w.Periodicity != "ANNUAL" || w.Temporal.Start != "2020" {
		t.Errorf("YAML %+v\nJSON %+v", w, w2)
	}
	for _, tc := range []struct {
		doc  string
		yaml bool
		want string
	}{
		{`{"titel":"x"}`, false, `unknown field "titel"`},
		{"titel: x\n", true, "field titel not found"},
		{`{"title":"x"}{"title":"y"}`, false, "more than one object"},
		{"keywords: réserve\n", true, "cannot unmarshal"},
	} {
		if _, err := Parse([]byte(tc.doc), tc.yaml); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.doc, err, tc.want)
		}
	}
}

func TestMissing(t *testing.T) {
	s := Compose(osmEntry, Record{}, Written{})
	gaps := Missing(s)
	var fields []string
	for _, g := range gaps {
		fields = append(fields, g.Level+":"+g.Field)
	}
	want := []string{"required:description", "required:contact email", "recommended:contact name", "recommended:periodicity",
		"recommended:temporal coverage", "recommended:spatial coverage", "recommended:issued"}
	if !reflect.DeepEqual(fields, want) || Publishable(gaps) {
		t.Errorf("gaps %v", fields)
	}
	s = Compose(osmEntry, Record{Written: Written{Description: "Les aires de jeux de la métropole, d'après OpenStreetMap.",
		Contact: &Contact{Email: "a@b.fr"}}}, Written{})
	if !Publishable(Missing(s)) {
		t.Errorf("still missing %v", Missing(s))
	}
}

func TestMerge(t *testing.T) {
	a := Written{Title: "A", Contact: &Contact{Name: "N", Email: "n@x.fr"}, Keywords: []string{"k"}}
	b := a.Merge(Written{Contact: &Contact{Email: "m@x.fr"}, Periodicity: "ANNUAL"})
	if b.Title != "A" || b.Contact.Name != "N" || b.Contact.Email != "m@x.fr" || b.Periodicity != "ANNUAL" || b.Keywords[0] != "k" {
		t.Errorf("%+v %+v", b, b.Contact)
	}
	if a.Contact.Email != "n@x.fr" {
		t.Error("Merge changed its receiver's contact")
	}
}

// The store keeps records apart from the datasets: they are there after the store is closed and opened again.
func TestRecordsInTheStore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	st, err := spatialite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := Load(ctx, st, "rnn-isere"); err != nil || r.Written.Title != "" {
		t.Fatalf("empty store: %+v %v", r, err)
	}
	rec := Record{Written: Written{Title: "Réserves", Contact: &Contact{Email: "a@b.fr"}},
		Validation: &Validation{Schema: "own", At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Valid: true, Rows: 15}}
	if err := Save(ctx, st, "rnn-isere", rec); err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = spatialite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, err := Load(ctx, st, "rnn-isere")
	if err != nil || got.Written.Title != "Réserves" || got.Validation.Rows != 15 || got.UpdatedAt.IsZero() {
		t.Fatalf("%+v %v", got, err)
	}
	all, err := LoadAll(ctx, st)
	if err != nil || len(all) != 1 || all["rnn-isere"].Written.Contact.Email != "a@b.fr" {
		t.Fatalf("%+v %v", all, err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"title":"Réserves","keywords":["a"],"periodicity":"annuelle","temporal":{"start":"2020"}}`), false)
	f.Add([]byte("title: x\ncontact:\n  email: a@b.fr\nthemes: [ENVI]\n"), true)
	f.Add([]byte("licence: ODbL\nterritory: {code: 'epci:246300701'}\n"), true)
	f.Add([]byte(`{"publisher":{"name":"X","type":"LocalAuthority","url":"https://x.fr"}}`), false)
	f.Fuzz(func(t *testing.T, data []byte, asYAML bool) {
		w, err := Parse(data, asYAML)
		if err != nil {
			return
		}
		// What Parse accepts is normalised: checking it again changes nothing and finds nothing.
		again := w
		again.Keywords = slices.Clone(w.Keywords)
		again.Themes = slices.Clone(w.Themes)
		again.InspireThemes = slices.Clone(w.InspireThemes)
		if err := again.Check(); err != nil {
			t.Fatalf("accepted, then refused: %v", err)
		}
		if !reflect.DeepEqual(again, w) {
			t.Fatalf("not stable: %+v then %+v", w, again)
		}
	})
}
