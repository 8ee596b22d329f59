package territory

import (
	"bytes"
	"compress/gzip"
	"slices"
	"strings"
	"testing"
)

func loadRef(t *testing.T) *Reference {
	t.Helper()
	r, err := LoadReference()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestReferenceEmbedded(t *testing.T) {
	r := loadRef(t)
	if r.Source != "@etalab/decoupage-administratif@6.0.0" {
		t.Errorf("Source = %q", r.Source)
	}
	if n := len(referenceGz); n > 600<<10 {
		t.Errorf("embedded reference is %d bytes; keep it well under 1 MB", n)
	}
	if len(r.communes) < 34000 || len(r.epcis) < 1200 || len(r.deps) < 101 || len(r.regions) < 18 {
		t.Errorf("%d communes, %d EPCI, %d départements, %d régions: too few", len(r.communes), len(r.epcis), len(r.deps), len(r.regions))
	}
	if r2, _ := LoadReference(); r2 != r {
		t.Error("LoadReference parsed the list twice")
	}
}

func TestReferenceCommunes(t *testing.T) {
	r := loadRef(t)
	for _, tc := range []struct {
		spec          string
		name, slug    string
		n             int
		has, hasName  string // one member and its name
		notHas        string
		wantEPCIOfHas string
	}{
		{spec: "epci:200040715", name: "Grenoble-Alpes-Métropole", slug: "grenoble-alpes-metropole", n: 49,
			has: "38185", hasName: "Grenoble", notHas: "38053", wantEPCIOfHas: "200040715"},
		{spec: "epci:246300701", name: "Clermont Auvergne Métropole", slug: "clermont-auvergne-metropole", n: 21,
			has: "63113", hasName: "Clermont-Ferrand", wantEPCIOfHas: "246300701"},
		{spec: "commune:63113,63014", name: "Clermont-Ferrand et Aubière", slug: "clermont-ferrand-aubiere", n: 2,
			has: "63014", hasName: "Aubière"},
		{spec: "commune:6059", name: "Èze", slug: "eze", n: 1, has: "06059", hasName: "Èze"},
		{spec: "commune:13201", name: "Marseille 1er Arrondissement", slug: "marseille-1er-arrondissement", n: 1, has: "13201"},
		{spec: "dep:2A", name: "Corse-du-Sud", slug: "corse-du-sud", n: 124, has: "2A004", hasName: "Ajaccio", notHas: "2B033"},
		{spec: "dep:38", name: "Isère", slug: "isere", n: 512, has: "38185", notHas: "73065"},
		{spec: "dep:2A,2B", name: "Corse-du-Sud et Haute-Corse", slug: "corse-du-sud-haute-corse", n: 360, has: "2B033"},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			s, err := ParseSpec(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			tt, err := r.Communes(s)
			if err != nil {
				t.Fatal(err)
			}
			if tt.Name != tc.name || tt.Slug != tc.slug {
				t.Errorf("Name, Slug = %q, %q; want %q, %q", tt.Name, tt.Slug, tc.name, tc.slug)
			}
			if len(tt.Communes) != tc.n {
				t.Errorf("%d communes; want %d", len(tt.Communes), tc.n)
			}
			if !slices.IsSortedFunc(tt.Communes, func(a, b Commune) int { return strings.Compare(a.Code, b.Code) }) {
				t.Error("communes not sorted by code")
			}
			i := slices.IndexFunc(tt.Communes, func(c Commune) bool { return c.Code == tc.has })
			if i < 0 {
				t.Fatalf("%s not among the communes", tc.has)
			}
			if c := tt.Communes[i]; (tc.hasName != "" && c.Name != tc.hasName) || (tc.wantEPCIOfHas != "" && c.EPCI != tc.wantEPCIOfHas) {
				t.Errorf("commune %s = %+v", tc.has, c)
			}
			if tc.notHas != "" && slices.ContainsFunc(tt.Communes, func(c Commune) bool { return c.Code == tc.notHas }) {
				t.Errorf("%s should not be among the communes", tc.notHas)
			}
			if tt.Boundary != nil || !tt.BBox.IsZero() {
				t.Error("Communes must not set the boundary")
			}
		})
	}
}

func TestReferenceManyCommunesSlug(t *testing.T) {
	r := loadRef(t)
	a, err := r.Communes(Spec{KindCommune, []string{"63113", "63014", "63124", "63032"}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Communes(Spec{KindCommune, []string{"63113", "63014", "63124", "63164"}})
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "Clermont-Ferrand et 3 autres" || !strings.HasPrefix(a.Slug, "clermont-ferrand-et-3-autres-") {
		t.Errorf("Name, Slug = %q, %q", a.Name, a.Slug)
	}
	if a.Slug == b.Slug {
		t.Errorf("two different lists share the slug %q", a.Slug)
	}
}

func TestReferenceUnknownCodes(t *testing.T) {
	r := loadRef(t)
	for _, tc := range []struct {
		spec Spec
		want []string
	}{
		{Spec{KindEPCI, []string{"200040716"}}, []string{"unknown epci 200040716", "did you mean", "epci:200040715 (Grenoble-Alpes-Métropole)"}},
		{Spec{KindEPCI, []string{"999999999"}}, []string{"unknown epci 999999999"}},
		{Spec{KindDep, []string{"96"}}, []string{"unknown département 96", "2A and 2B"}},
		{Spec{KindCommune, []string{"38000"}}, []string{"unknown commune 38000", "is a postcode", "commune:38185 (Grenoble)"}},
		{Spec{KindCommune, []string{"63999"}}, []string{"unknown commune 63999"}},
		{Spec{KindCommune, []string{"38815"}}, []string{"did you mean", "commune:38185 (Grenoble)"}},
		{Spec{KindCommune, []string{"63113", "63998", "63999"}}, []string{"unknown commune 63998", "unknown commune 63999"}},
		{Spec{"region", []string{"84"}}, []string{`unknown kind "region"`}},
	} {
		t.Run(tc.spec.String(), func(t *testing.T) {
			_, err := r.Communes(tc.spec)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestReferenceLookups(t *testing.T) {
	r := loadRef(t)
	if c, ok := r.Commune("6059"); !ok || c.Code != "06059" || c.Departement != "06" || c.Region != "93" {
		t.Errorf(`Commune("6059") = %+v, %v; want 06059 in 06, région 93`, c, ok)
	}
	if c, ok := r.Commune("2a004"); !ok || c.Name != "Ajaccio" || c.Departement != "2A" || c.Region != "94" {
		t.Errorf(`Commune("2a004") = %+v, %v; want Ajaccio`, c, ok)
	}
	if c, ok := r.Commune("38185"); !ok || c.EPCI != "200040715" || !slices.Equal(c.Postcodes, []string{"38000", "38100"}) || c.IsArrondissement() {
		t.Errorf(`Commune("38185") = %+v, %v`, c, ok)
	}
	if c, ok := r.Commune("13201"); !ok || !c.IsArrondissement() || c.Commune != "13055" {
		t.Errorf(`Commune("13201") = %+v, %v; want an arrondissement of 13055`, c, ok)
	}
	for _, code := range []string{"01039" /* Béon, a commune déléguée */, "99999", "20004", "abc", ""} {
		if c, ok := r.Commune(code); ok {
			t.Errorf("Commune(%q) = %+v; want none", code, c)
		}
	}

	if d, ok := r.Departement("2A"); !ok || d.Name != "Corse-du-Sud" || d.Region != "94" {
		t.Errorf(`Departement("2A") = %+v, %v`, d, ok)
	}
	if d, ok := r.Departement("1"); !ok || d.Code != "01" || d.Name != "Ain" {
		t.Errorf(`Departement("1") = %+v, %v`, d, ok)
	}
	for _, code := range []string{"20", "96", "00", "x"} {
		if d, ok := r.Departement(code); ok {
			t.Errorf("Departement(%q) = %+v; want none", code, d)
		}
	}
	if g, ok := r.Region("84"); !ok || g.Name != "Auvergne-Rhône-Alpes" {
		t.Errorf(`Region("84") = %+v, %v`, g, ok)
	}

	e, ok := r.EPCI("200040715")
	if !ok || e.Name != "Grenoble-Alpes-Métropole" || e.Type != "METRO" || len(e.Communes) != 49 || !slices.Contains(e.Communes, "38185") {
		t.Errorf(`EPCI("200040715") = %+v, %v`, e, ok)
	}
	if e, ok := r.EPCI("246300701"); !ok || len(e.Communes) != 21 || !slices.Contains(e.Communes, "63113") {
		t.Errorf(`EPCI("246300701") = %+v, %v`, e, ok)
	}
	if _, ok := r.EPCI("38185"); ok {
		t.Error(`EPCI("38185") found`)
	}

	codes := func(cs []Commune) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Code)
		}
		return out
	}
	if got := codes(r.CommunesByPostcode("38000")); !slices.Equal(got, []string{"38185"}) {
		t.Errorf(`CommunesByPostcode("38000") = %v; want [38185]`, got)
	}
	if got := codes(r.CommunesByPostcode("6360")); !slices.Contains(got, "06059") {
		t.Errorf(`CommunesByPostcode("6360") = %v; want Èze 06059 among them`, got)
	}
	if got := codes(r.CommunesByPostcode("13001")); !slices.Contains(got, "13201") {
		t.Errorf(`CommunesByPostcode("13001") = %v; want the arrondissement 13201`, got)
	}
	if got := r.CommunesByPostcode("99999"); got != nil {
		t.Errorf(`CommunesByPostcode("99999") = %v`, got)
	}
}

func TestParseReferenceRejectsDamage(t *testing.T) {
	gz := func(s string) []byte {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write([]byte(s))
		w.Close()
		return b.Bytes()
	}
	const head = "#patrimap-territory-reference\t1\tx@1\nR\t84\tAuvergne-Rhône-Alpes\nD\t38\tIsère\t84\n"
	if r, err := parseReference(gz(head + "C\t38185\tGrenoble\t38\t\t38000,38100\n")); err != nil || len(r.communes) != 1 {
		t.Fatalf("a minimal file: %v", err)
	}
	for name, data := range map[string][]byte{
		"not gzip":          []byte("not gzip"),
		"empty":             gz(""),
		"no header":         gz("R\t84\tAuvergne-Rhône-Alpes\n"),
		"version 2":         gz("#patrimap-territory-reference\t2\tx@1\n"),
		"no commune":        gz(head),
		"unknown record":    gz(head + "X\t1\n"),
		"short commune":     gz(head + "C\t38185\tGrenoble\n"),
		"unknown dep":       gz(head + "C\t73065\tChambéry\t73\t\t73000\n"),
		"unknown epci":      gz(head + "C\t38185\tGrenoble\t38\t200040715\t38000\n"),
		"duplicate commune": gz(head + "C\t38185\tGrenoble\t38\t\t38000\nC\t38185\tGrenoble\t38\t\t38000\n"),
	} {
		if _, err := parseReference(data); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{{"38185", "38185", 0}, {"38185", "38186", 1}, {"38158", "38185", 1}, {"3818", "38185", 1}, {"12345", "54321", 4}} {
		if got := editDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d; want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func BenchmarkParseReference(b *testing.B) {
	for b.Loop() {
		if _, err := parseReference(referenceGz); err != nil {
			b.Fatal(err)
		}
	}
}
