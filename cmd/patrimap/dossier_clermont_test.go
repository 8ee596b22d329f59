package main

import (
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const puyDeDomeContours = "../../testdata/territory/contours/communes-63-puy-de-dome.geojson.gz"

// The dossier of Clermont Auvergne Métropole (issue 14's real case) from the bundled real files of
// Puy-de-Dôme, offline: the contours of the département's communes first (they give the métropole's boundary
// that `import --territory epci:246300701` cuts by), then the README's imports with those files. Every figure
// on the page equals SQL on the store; the ones a reader checks first are also spelled out.
func TestDossierClermont(t *testing.T) {
	const spec = "epci:246300701"
	db := filepath.Join(t.TempDir(), "clermont.db")
	imports := [][]string{{"dossier", "--contours", puyDeDomeContours}}
	for _, f := range []string{"apb/subset_puy_de_dome_63/apb.shp", "cen/subset_puy_de_dome_63/cen2013_09.shp", "rb/subset_puy_de_dome_63/N_ENP_RB_S_000.shp",
		"rnn/subset_puy_de_dome_63/N_ENP_RNN_S_000.shp", "rnr/subset_puy_de_dome_63/N_ENP_RNR_S_000.shp"} {
		imports = append(imports, []string{"import", "inpn", "--file", "../../testdata/inpn/" + f, "--territory", spec})
	}
	imports = append(imports,
		[]string{"import", "inpn", "--layer", "pnr", "--file", "../../testdata/inpn-geojson/pnr/france_PNR_aeliggg.geojson", "--territory", spec},
		[]string{"import", "culture", "--list", "musees", "--file", "../../testdata/culture/musees-victorianed-extract.csv", "--territory", spec},
		[]string{"import", "culture", "--list", "musees", "--file", "../../testdata/culture/musees-horaires-isere-puy-de-dome.json", "--territory", spec, "--dataset", "musees-horaires-clermont"},
		[]string{"import", "culture", "--list", "jardins", "--file", "../../testdata/culture/jardins-tortuecookie-extract.csv", "--territory", spec},
		[]string{"import", "culture", "--list", "acr", "--file", "../../testdata/culture/acr-vexfrow-extract.csv", "--territory", spec},
	)
	for _, args := range imports {
		if out, err := patrimap(t, append(args, "--db", db)...); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	page := filepath.Join(t.TempDir(), "clermont.html")
	if out, err := patrimap(t, "dossier", "--territory", spec, "--out", page, "--offline", "--db", db); err != nil ||
		!strings.Contains(out, "dossier of Clermont Auvergne Métropole (epci:246300701)") {
		t.Fatalf("dossier: %v\n%s", err, out)
	}
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	figures := map[string][]string{}
	for _, m := range regexp.MustCompile(`data-figure="([^"]+)" data-value="([^"]*)"`).FindAllStringSubmatch(string(b), -1) {
		figures[m[1]] = append(figures[m[1]], m[2])
	}
	compareFigures(t, spec, figures, sqlFigures(t, db, spec, puyDeDomeContours))

	// What a reader checks first, as the page writes it: 21 communes, 30,272 ha; the Parc naturel régional
	// des Volcans d'Auvergne over a third of the métropole, almost all of Orcines and Saint-Genès-Champanelle;
	// the three musées de France of Clermont-Ferrand, two of whose hours are read; no reserve in the métropole.
	// The page's text: a figure's span is inside its sentence, other tags part cells and lines.
	visible := regexp.MustCompile(`</?span[^>]*>`).ReplaceAllString(string(b), "")
	visible = regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<[^>]*>`).ReplaceAllString(visible, " ")
	text := html.UnescapeString(regexp.MustCompile(`\s+`).ReplaceAllString(visible, " "))
	for _, w := range []string{
		"epci:246300701 · 21 communes · superficie 30\u202f272\u00a0ha",
		"Parcs naturels régionaux : 10\u202f968\u00a0ha (36,2 %)",
		"Couvert par au moins un zonage : 11\u202f022\u00a0ha (36,4 %)",
		"Saint-Genès-Champanelle 99,5 % (5\u202f161\u00a0ha) ; Orcines 99,2 % (4\u202f249\u00a0ha)",
		"Horaires lus dans la syntaxe d'OpenStreetMap pour 2 des 3 musées",
		"musée d'art Roger-Quillot Clermont-Ferrand Tu-Fr 10:00-18:00",
		"Architecture contemporaine remarquable (11)",
		"Réserves naturelles nationales rnn-clermont-auvergne-metropole par intersection 0",
	} {
		if !strings.Contains(text, strings.ReplaceAll(w, " %", "\u202f%")) {
			t.Errorf("the page lacks %q", w)
		}
	}
	// The métropole's name is said once at the top, not after every inventory; the sources keep it.
	if n := strings.Count(text, "(Clermont Auvergne Métropole)"); n != 10 {
		t.Errorf("%d titles with the métropole's name; want the 10 of the sources only", n)
	}
}
