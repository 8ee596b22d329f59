package dossier

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/geo"
	"github.com/patrimap/patrimap/importers/territory"
	"github.com/patrimap/patrimap/store"
)

// fakeStore is an in-memory store: its datasets and their rows, read as a snapshot reads them.
type fakeStore struct {
	datasets []store.Dataset
	rows     map[string][]fakeRow
}

type fakeRow struct {
	geom   orb.Geometry
	values map[string]any
}

func (s *fakeStore) Datasets(context.Context) ([]store.Dataset, error) { return s.datasets, nil }

func (s *fakeStore) Features(_ context.Context, d store.Dataset, q store.Query, each func(*store.Feature) error) error {
	for i, r := range s.rows[d.ID] {
		if q.BBox != nil && (r.geom == nil || !r.geom.Bound().Intersects(*q.BBox)) {
			continue
		}
		f := &store.Feature{FID: int64(i + 1), Geometry: r.geom}
		for _, fd := range d.Fields { // the selected fields, in the dataset's order, as the store gives them
			for _, name := range q.Select {
				if fd.Name == name {
					f.Values = append(f.Values, r.values[name])
				}
			}
		}
		if err := each(f); err != nil {
			return err
		}
	}
	return nil
}

type fakeContours map[string]orb.MultiPolygon

func (c fakeContours) Communes(_ context.Context, codes []string) (map[string]orb.MultiPolygon, error) {
	out := map[string]orb.MultiPolygon{}
	for _, code := range codes {
		if mp, ok := c[code]; ok {
			out[code] = mp
		}
	}
	return out, nil
}

func box(w, s, e, n float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{w, s}, {e, s}, {e, n}, {w, n}, {w, s}}}}
}

func fields(names ...string) []store.Field {
	var fs []store.Field
	for _, n := range names {
		t := store.FieldText
		switch n {
		case "insee_codes", "protection_events":
			t = store.FieldJSON
		case "first_protected":
			t = store.FieldInteger
		case "first_protected_date":
			t = store.FieldDate
		}
		fs = append(fs, store.Field{Name: n, Type: t})
	}
	return fs
}

func territoryOf(t *testing.T, spec string) (*territory.Territory, *territory.Reference) {
	t.Helper()
	ref, err := territory.LoadReference()
	if err != nil {
		t.Fatal(err)
	}
	sp, err := territory.ParseSpec(spec)
	if err != nil {
		t.Fatal(err)
	}
	tt, err := ref.Communes(sp)
	if err != nil {
		t.Fatal(err)
	}
	return tt, ref
}

// Rows are counted by their commune codes: a row of two communes once, an arrondissement municipal in its
// commune, a row without code by its position in a commune's contour; a row with neither is not counted and
// said so.
func TestCountByCommune(t *testing.T) {
	tt, ref := territoryOf(t, "commune:13055,13056") // Marseille and Martigues
	st := &fakeStore{
		datasets: []store.Dataset{{DatasetInfo: store.DatasetInfo{ID: "merimee-test", Title: "Monuments historiques (Mérimée)", Theme: store.ThemeCultural},
			GeometryType: "POINT", Fields: fields("id", "name", "insee", "insee_codes", "protection", "first_protected", "first_protected_date", "protection_events")}},
		rows: map[string][]fakeRow{"merimee-test": {
			{orb.Point{5.37, 43.30}, map[string]any{"id": "PA1", "name": "Vieille Charité", "insee": "13202", "insee_codes": `["13202"]`, "protection": "classé",
				"first_protected": int64(1951), "first_protected_date": "1951-06-04", "protection_events": `[{"date":"1951-06-04","type":"classé"}]`}},
			{nil, map[string]any{"id": "PA2", "name": "Pont", "insee": "38001", "insee_codes": `["38001","13056"]`, "protection": "inscrit",
				"first_protected": int64(1926), "protection_events": `[{"date":"1926","type":"inscrit"}]`}},
			{orb.Point{5.05, 43.40}, map[string]any{"id": "PA3", "name": "Chapelle", "protection": "classé et inscrit",
				"first_protected": int64(1977), "first_protected_date": "1977-03-28", "protection_events": `[{"date":"1977-03-28","type":"inscrit"},{"date":"1977-03-28","type":"classé"}]`}},
			{nil, map[string]any{"id": "PA4", "name": "Sans lieu", "protection": "inscrit"}},
			{orb.Point{3.08, 45.77}, map[string]any{"id": "PA5", "name": "Ailleurs", "insee": "63113", "protection": "classé"}},
		}},
	}
	contours := fakeContours{"13055": box(5.2, 43.1, 5.6, 43.4), "13056": box(4.9, 43.3, 5.2, 43.5)}
	d, err := Build(context.Background(), st, contours, tt, ref)
	if err != nil {
		t.Fatal(err)
	}
	inv := d.Inventories[0]
	if inv.Kind != KindMonuments || inv.CountedBy != ByCommune || inv.Count != 3 || inv.NoPosition != 1 || inv.NoCommune != 1 {
		t.Errorf("inventory %+v; want monuments by commune: 3 counted (PA1 in Marseille's arrondissement, PA2 by its second commune, PA3 by position), 1 without position, 1 without commune", inv)
	}
	m := d.Monuments
	if m.Total != 3 || m.Classe != 1 || m.Inscrit != 1 || m.Both != 1 {
		t.Errorf("monuments %+v", m)
	}
	want := map[string]int64{"13055": 1, "13056": 2}
	for _, c := range m.PerCommune {
		if want[c.Code] != c.Total {
			t.Errorf("commune %s: %d monuments, want %d", c.Code, c.Total, want[c.Code])
		}
	}
	// First protections: 1926 inscrit, 1951 classé, 1977 classé (classé and inscrit the same day).
	gotDecades := map[int][2]int64{}
	for _, dc := range m.Decades {
		gotDecades[dc.Decade] = [2]int64{dc.Classe, dc.Inscrit}
	}
	if gotDecades[1920] != [2]int64{0, 1} || gotDecades[1950] != [2]int64{1, 0} || gotDecades[1970] != [2]int64{1, 0} || len(m.Decades) != 6 {
		t.Errorf("decades %+v; want 1920 to 1970 with 1920 inscrit, 1950 and 1970 classé", m.Decades)
	}
	if m.Oldest[0].Ref != "PA2" || m.Recent[0].Ref != "PA3" {
		t.Errorf("oldest %v, recent %v", m.Oldest, m.Recent)
	}
	if len(d.Unplaced) != 1 || d.Unplaced[0].Rows[0].Ref != "PA2" {
		t.Errorf("unplaced %+v; want PA2", d.Unplaced)
	}
}

// Natural areas: each layer's own overlaps once, the layers together once, per commune; a site touching the
// territory counts as a site, with no area.
func TestNaturalAreas(t *testing.T) {
	tt, ref := territoryOf(t, "commune:13055,13056")
	c1, c2 := box(5.0, 43.0, 5.1, 43.1), box(5.1, 43.0, 5.2, 43.1) // side by side
	natural := func(id string) store.Dataset {
		return store.Dataset{DatasetInfo: store.DatasetInfo{ID: id, Title: id, Theme: store.ThemeNatural}, GeometryType: "MULTIPOLYGON", Fields: fields("id")}
	}
	a := box(5.02, 43.02, 5.12, 43.06) // over both communes
	b := box(5.04, 43.04, 5.08, 43.08) // overlaps a, in commune 1
	st := &fakeStore{
		datasets: []store.Dataset{natural("znieff-test"), natural("apb-test")},
		rows: map[string][]fakeRow{
			"znieff-test": {{a, nil}, {b, nil}, {box(5.2, 43.05, 5.3, 43.08), nil} /* touches commune 2's edge */, {box(6, 44, 6.1, 44.1), nil}},
			"apb-test":    {{b, nil}},
		},
	}
	d, err := Build(context.Background(), st, fakeContours{"13055": c1, "13056": c2}, tt, ref)
	if err != nil {
		t.Fatal(err)
	}
	var r geo.Reprojector
	ha := func(mp orb.MultiPolygon) float64 {
		p, err := r.Reproject(orb.Clone(mp), geo.WGS84, 3035)
		if err != nil {
			t.Fatal(err)
		}
		return geo.Area(p) / 1e4
	}
	overlap := box(5.04, 43.04, 5.08, 43.06)
	unionAB := ha(a) + ha(b) - ha(overlap)
	byID := map[string]Inventory{}
	for _, inv := range d.Inventories {
		byID[inv.Dataset] = inv
	}
	close := func(got, want float64) bool { return math.Abs(got-want) <= 1e-4*want+0.01 }
	if z := byID["znieff-test"]; z.Count != 3 || !close(*z.AreaHa, unionAB) {
		t.Errorf("znieff: %d sites, %.3f ha; want 3 (the touching one counted) and %.3f ha", z.Count, *z.AreaHa, unionAB)
	}
	if ap := byID["apb-test"]; ap.Count != 1 || !close(*ap.AreaHa, ha(b)) {
		t.Errorf("apb: %d sites, %.3f ha; want 1 and %.3f ha", ap.Count, *ap.AreaHa, ha(b))
	}
	if n := d.Natural; !close(n.UnionHa, unionAB) || !close(n.SumHa, unionAB+ha(b)) {
		t.Errorf("union %.3f ha, sum %.3f ha; want %.3f and %.3f", n.UnionHa, n.SumHa, unionAB, unionAB+ha(b))
	}
	if !close(*d.Territory.AreaHa, ha(c1)+ha(c2)) {
		t.Errorf("territory %.3f ha, want %.3f", *d.Territory.AreaHa, ha(c1)+ha(c2))
	}
	inC2 := ha(box(5.1, 43.02, 5.12, 43.06))
	for _, c := range d.Natural.PerCommune {
		if c.Code == "13056" && !close(c.CoveredHa, inC2) {
			t.Errorf("Martigues covered %.3f ha, want %.3f", c.CoveredHa, inC2)
		}
	}
}

// Without contours the dossier still counts by commune code, and says that areas (and natural sites) are not
// known.
func TestWithoutContours(t *testing.T) {
	tt, ref := territoryOf(t, "dep:38")
	st := &fakeStore{
		datasets: []store.Dataset{
			{DatasetInfo: store.DatasetInfo{ID: "merimee-isere", Title: "Monuments historiques (Mérimée)", Theme: store.ThemeCultural}, Fields: fields("id", "insee", "departement", "protection")},
			{DatasetInfo: store.DatasetInfo{ID: "apb-isere", Theme: store.ThemeNatural}, GeometryType: "MULTIPOLYGON"},
		},
		rows: map[string][]fakeRow{"merimee-isere": {
			{nil, map[string]any{"id": "a", "insee": "38185", "protection": "classé"}},
			{nil, map[string]any{"id": "b", "departement": "38", "protection": "inscrit"}}, // no commune: by its département
		}},
	}
	d, err := Build(context.Background(), st, fakeContours{}, tt, ref)
	if err != nil {
		t.Fatal(err)
	}
	if d.Territory.AreaHa != nil || len(d.Territory.ContoursMissing) != 512 {
		t.Errorf("area %v, %d contours missing; want no area and Isère's 512 communes missing", d.Territory.AreaHa, len(d.Territory.ContoursMissing))
	}
	if d.Inventories[0].Count != 2 || d.Inventories[1].CountedBy != NotCounted {
		t.Errorf("inventories %+v", d.Inventories)
	}
	if d.Natural == nil || d.Natural.AreasKnown {
		t.Errorf("natural %+v; want areas unknown", d.Natural)
	}
	var page bytes.Buffer
	if err := d.HTML(&page, Page{Lang: "en"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), "Areas are unavailable") || !strings.Contains(page.String(), "patrimap dossier --contours") {
		t.Error("the page does not say that areas are unavailable and how to load contours")
	}
}

func TestMuseumHoursMatching(t *testing.T) {
	tt, ref := territoryOf(t, "commune:38185,38544")
	musees := func(id string, withHours bool) store.Dataset {
		names := []string{"id", "name", "insee"}
		if withHours {
			names = append(names, "periode_ouverture", "fermeture_annuelle", "jours_nocturnes")
		}
		return store.Dataset{DatasetInfo: store.DatasetInfo{ID: id, Title: "Musées de France", Theme: store.ThemeCultural}, GeometryType: "POINT", Fields: fields(names...)}
	}
	st := &fakeStore{
		datasets: []store.Dataset{musees("musees-now", false), musees("musees-2016", true)},
		rows: map[string][]fakeRow{
			"musees-now": {
				{orb.Point{5.73, 45.19}, map[string]any{"id": "M1", "name": "musée de Grenoble", "insee": "38185"}},
				{orb.Point{5.72, 45.19}, map[string]any{"id": "M2", "name": "musée Saint-Laurent", "insee": "38185"}},
				{orb.Point{4.87, 45.52}, map[string]any{"id": "M3", "name": "musée lapidaire Saint-Pierre", "insee": "38544"}},
			},
			"musees-2016": {
				{nil, map[string]any{"id": "x", "name": "Musée Archéologique Grenoble Saint-Laurent", "insee": "38185", "periode_ouverture": "Ouvert tous les jours de 10h à 18h"}},
				{nil, map[string]any{"id": "y", "name": "Musée de Grenoble", "insee": "38185", "periode_ouverture": "Ouvert du mercredi au lundi de 10h à 18h30", "fermeture_annuelle": "1er janvier, 1er mai, 25 décembre"}},
				{nil, map[string]any{"id": "z", "name": "Musée des Beaux-Arts", "insee": "38544", "periode_ouverture": "Sur rendez-vous"}},
			},
		},
	}
	d, err := Build(context.Background(), st, nil, tt, ref)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, m := range d.Museums {
		if m.Hours != nil {
			got[m.Ref] = m.Hours.OSM + " from " + m.HoursFrom
		} else {
			got[m.Ref] = "none"
		}
	}
	want := map[string]string{
		"M1": "Mo,We-Su 10:00-18:30; Jan 01,May 01,Dec 25 off from musees-2016",
		"M2": "Mo-Su 10:00-18:00 from musees-2016",
		"M3": "none", // Vienne's only museum with hours shares no word with "lapidaire Saint-Pierre"
	}
	for ref, w := range want {
		if got[ref] != w {
			t.Errorf("%s: %q, want %q", ref, got[ref], w)
		}
	}
	if d.HoursSource == nil || d.HoursSource.WithText != 2 || d.HoursSource.Read != 2 {
		t.Errorf("hours source %+v; want 2 museums with hours, 2 read", d.HoursSource)
	}
}

func TestNumbers(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{number("fr", 787932), "787\u202f932"}, {number("en", 787932), "787,932"}, {number("fr", 12), "12"},
		{hectares("fr", 1873.16), "1\u202f873"}, {hectares("en", 4.26), "4.3"}, {hectares("fr", 4.26), "4,3"},
		{percent("fr", 0.117), "11,7\u202f%"}, {percent("en", 0.0499), "5.0%"},
		{day("fr", time.Date(2026, 12, 2, 4, 0, 0, 0, time.UTC)), "2 décembre 2026"},
	} {
		if tc.got != tc.want {
			t.Errorf("%q, want %q", tc.got, tc.want)
		}
	}
}

// The JSON holds the figures of the page.
func TestJSON(t *testing.T) {
	tt, ref := territoryOf(t, "commune:13055")
	d, err := Build(context.Background(), &fakeStore{}, fakeContours{"13055": box(5.2, 43.1, 5.6, 43.4)}, tt, ref)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := d.JSON(&buf); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Territory struct {
			Spec    string          `json:"spec"`
			AreaHa  float64         `json:"area_ha"`
			Outline json.RawMessage `json:"outline"`
		} `json:"territory"`
	}
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Territory.Spec != "commune:13055" || back.Territory.AreaHa < 100000 || !regexp.MustCompile(`"type":\s*"(Multi)?Polygon"`).Match(back.Territory.Outline) {
		t.Errorf("JSON %s", buf.String()[:min(buf.Len(), 300)])
	}
}

// The page's sentences agree with their counts, in French (singular under two) and in English, and group the
// digits of large numbers as each language does.
func TestPageWording(t *testing.T) {
	monument := func(id, insee, protection, date string) fakeRow {
		year, _ := strconv.ParseInt(date[:4], 10, 64)
		var full any
		if len(date) == 10 {
			full = date
		}
		return fakeRow{nil, map[string]any{"id": id, "name": "Monument " + id, "insee": insee, "insee_codes": `["` + insee + `"]`,
			"protection": protection, "first_protected": year, "first_protected_date": full, "protection_events": `[{"date":"` + date + `","type":"` + protection + `"}]`}}
	}
	merimee := store.Dataset{DatasetInfo: store.DatasetInfo{ID: "merimee-test", Title: "Monuments historiques (Mérimée)", Theme: store.ThemeCultural},
		GeometryType: "POINT", Fields: fields("id", "name", "insee", "insee_codes", "protection", "first_protected", "first_protected_date", "protection_events")}
	for _, tc := range []struct {
		name, spec string
		rows       []fakeRow
		lang       string
		want       []string
	}{
		{"one of each, French", "commune:13055", []fakeRow{monument("PA1", "13055", "classé", "1951-06-04")}, "fr", []string{
			"Commune(s) commune:13055 · 1 commune · superficie 108\u202f266\u00a0ha", // Marseille's box, 0.4° by 0.3°
			"1 monument historique\u00a0: 1 classé, 0 inscrit, 0 classé et inscrit.",
			"pour la seule commune qui en a",
		}},
		{"several, French", "commune:13055,13056", []fakeRow{monument("PA1", "13055", "classé", "1951-06-04"), monument("PA2", "13056", "inscrit", "1926-01-01"),
			monument("PA3", "13056", "inscrit", "1930-01-01")}, "fr", []string{
			"· 2 communes ·",
			"3 monuments historiques\u00a0: 1 classé, 2 inscrits, 0 classé et inscrit.",
			"Martigues, 2 (0 classé, 2 inscrits, 0 classé et inscrit)",
		}},
		{"one, English", "commune:13055", []fakeRow{monument("PA1", "13055", "classé", "1951-06-04")}, "en", []string{
			"· 1 commune · area 108,266\u00a0ha", "1 monument historique: 1 classé, 0 inscrit, 0 classé and inscrit.",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tt, ref := territoryOf(t, tc.spec)
			st := &fakeStore{datasets: []store.Dataset{merimee}, rows: map[string][]fakeRow{"merimee-test": tc.rows}}
			contours := fakeContours{"13055": box(5.2, 43.1, 5.6, 43.4), "13056": box(4.9, 43.3, 5.2, 43.5)}
			d, err := Build(context.Background(), st, contours, tt, ref)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := d.HTML(&buf, Page{Lang: tc.lang}); err != nil {
				t.Fatal(err)
			}
			text := html.UnescapeString(regexp.MustCompile(`\s+`).ReplaceAllString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(buf.String(), ""), " "))
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("the page lacks %q in %s", w, text[:min(len(text), 400)])
				}
			}
			for _, bad := range []string{"1 communes", "1 monuments", "1 classés", "1 inscrits", " 0 inscrits", "1 lignes"} {
				if strings.Contains(text, bad) {
					t.Errorf("%q on the page", bad)
				}
			}
		})
	}
}

// The first protection of a row: its full date when the importer knows it, else the earliest event of its year
// ("1862", "1989-10"); first_protected read as an integer or, from a store written before it became one, as
// the date's text.
func TestFirstProtection(t *testing.T) {
	const events = `[{"date":"1862","type":"classé"},{"date":"1862-05-02","type":"inscrit"},{"date":"1989-10","type":"inscrit"},` +
		`{"date":"1990-01-05","type":"inscrit"},{"date":"1990-01-05","type":"classé"},{"date":null,"type":"classé"}]`
	for _, tc := range []struct {
		year       any
		date       string
		want, kind string
	}{
		{int64(1862), "", "1862", "classé"},
		{int64(1989), "", "1989-10", "inscrit"},
		{int64(1990), "1990-01-05", "1990-01-05", "classé"},
		{"1862", "", "1862", "classé"},             // a text column of an older store
		{"1990-01-05", "", "1990-01-05", "classé"}, // idem, a full date
		{int64(1991), "", "", ""},                  // no event that year
		{nil, "", "", ""},
	} {
		if date, kind := firstProtection(events, yearOf(tc.year), tc.date); date != tc.want || kind != tc.kind {
			t.Errorf("first_protected %v, first_protected_date %q: %q %q, want %q %q", tc.year, tc.date, date, kind, tc.want, tc.kind)
		}
	}
}
