package hours

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Real rows of the ministry's 2013–2017 list (testdata/culture/musees-horaires-2013-2017.json.gz), verbatim.
func TestParseRealTexts(t *testing.T) {
	tests := []struct {
		museum                      string
		opening, closure, nocturnes string
		want                        string
		unread                      Field // the field that cannot be read, when want is ""
	}{
		{"Musée de Grenoble", "Ouvert du mercredi au lundi de 10h à 18h30", "1er janvier, 1er mai, 25 décembre", "",
			"Mo,We-Su 10:00-18:30; Jan 01,May 01,Dec 25 off", ""},
		{"Musée de Bourgoin-Jallieu", "Ouvert du mardi au dimanche de 10h à 12h et de 14h à 18h", "Jours fériés", "",
			"Tu-Su 10:00-12:00,14:00-18:00; PH off", ""},
		{"Musée Géo-Charles", "Ouvert le lundi et du mercredi au vendredi de 14h à 18h, samedi, dimanche de 14h à 19h", "", "",
			"Mo,We-Fr 14:00-18:00; Sa,Su 14:00-19:00", ""},
		{"Musée Hébert", "Ouvert du 1er juin au 30 septembre du mercredi au lundi de 10h à 18h, jusqu'à 19h le dimanche du 1er juin au 30 septembre",
			"1er janvier, 1er mai, 25 décembre", "Le vendredi en juillet-août jusqu'à 23h",
			"Jun 01-Sep 30 Mo,We-Sa 10:00-18:00; Jun 01-Sep 30 Su 10:00-19:00; Jul-Aug Fr 10:00-23:00; Jan 01,May 01,Dec 25 off", ""},
		{"(Paris)", "Ouvert le mardi, mercredi, vendredi au dimanche de 9h30 à 18h, le jeudi de 9h30 à 21h45", "Jours fériés", "Jeudi jusqu'à 21h45",
			"Tu,We,Fr-Su 09:30-18:00; Th 09:30-21:45; PH off", ""},
		{"(seasons)", "Ouvert du mardi au dimanche de 10h à 17h d'octobre à mai et de 10h à 18h de juin à septembre", "Jours fériés", "",
			"Oct-May Tu-Su 10:00-17:00; Jun-Sep Tu-Su 10:00-18:00; PH off", ""},
		{"(summer hours)", "Ouvert du mercredi au lundi de 10h à 18h et en juillet-août de 10h à 19h", "Jours fériés", "",
			"Mo,We-Su 10:00-18:00; Jul-Aug Mo,We-Su 10:00-19:00; PH off", ""},
		{"(first Sunday)", "Ouvert du mardi au vendredi de 10h à 18h et le samedi et premier dimanche du mois et jours fériés de 14h à 18h",
			"1er janvier, 15 août, 25 décembre", "",
			"Tu-Fr 10:00-18:00; Sa 14:00-18:00; PH 14:00-18:00; Su[1] 14:00-18:00; Jan 01,Aug 15,Dec 25 off", ""},
		{"(late Thursday)", "Ouvert du lundi au samedi de 10h à 18h et le premier jeudi jusqu'à 20h", "", "",
			"Mo-Sa 10:00-18:00; Th[1] 10:00-20:00", ""},
		{"(groups aside)", "Ouvert de juin à septembre du mardi au dimanche de 10h à 12h et de 14h à 18h. Accueil des groupes sur rendez-vous", "", "",
			"Jun-Sep Tu-Su 10:00-12:00,14:00-18:00", ""},
		{"(movable feasts)", "Ouvert tous les jours de 10h à 18h", "1er janvier, vendredi saint, 1er mai, 1er et 11 novembre, 25 décembre", "",
			"Mo-Su 10:00-18:00; Jan 01,May 01,Nov 01,Nov 11,Dec 25 off; easter -2 days off", ""},
		{"(winter closure)", "Ouvert tous les jours du 1er avril au 1er novembre de 14h à 18h", "Novembre à avril", "",
			"Apr 01-Nov 01 Mo-Su 14:00-18:00; Nov-Apr off", ""},
		{"(end of year)", "Ouvert du mardi au dimanche de 10h à 18h", "24 décembre au 2 janvier", "",
			"Tu-Su 10:00-18:00; Dec 24-Jan 02 off", ""},
		// What cannot be said faithfully stays unread.
		{"(appointment)", "Entrée sur rdv uniquement", "", "", "", FieldOpening},
		{"(vague closure)", "Ouvert du mardi au dimanche de 10h à 18h", "Certains jours fériés", "", "", FieldClosure},
		{"(conditional)", "Ouvert du mardi au dimanche de 10 à 18 h. Nocturne le mercredi jusqu'a 22h pour les expositions temporaires", "", "", "", FieldOpening},
		{"(events)", "Ouvert du mardi au dimanche de 10h à 18h", "", "Nocturnes événementielles", "", FieldNocturnes},
		// Saturday in summer, but do the weekdays stay open then? The text does not say.
		{"(ambiguous season)", "Ouvert du lundi au vendredi de 9h à 17h et en juillet-août le samedi de 10h à 12h", "", "", "", FieldOpening},
		{"(vague season)", "Ouvert de mi-mai à mi-septembre du dimanche au vendredi de 14h à 18h", "", "", "", FieldOpening},
		{"(overlapping seasons)", "Ouvert du 15 mars au 15 octobre du mercredi au lundi de 10h à 12h30 et de 13h30 à 18h et du 16 octobre au 14 avril de 13h30 à 17h", "", "", "", FieldOpening},
	}
	for _, tt := range tests {
		t.Run(tt.museum, func(t *testing.T) {
			h := Parse(tt.opening, tt.closure, tt.nocturnes)
			if h.OSM != tt.want {
				t.Errorf("opening_hours = %q, want %q (unread: %v)", h.OSM, tt.want, h.Unread)
			}
			if h.Opening != tt.opening || h.Closure != tt.closure || h.Nocturnes != tt.nocturnes {
				t.Errorf("texts as written: got %q / %q / %q", h.Opening, h.Closure, h.Nocturnes)
			}
			if tt.want == "" && !slices.ContainsFunc(h.Unread, func(p Problem) bool { return p.Field == tt.unread }) {
				t.Errorf("unread = %v, want a problem with %s", h.Unread, tt.unread)
			}
			if tt.want != "" && len(h.Unread) > 0 {
				t.Errorf("unread = %v for a text that was read", h.Unread)
			}
		})
	}
}

type record struct {
	Opening   string `json:"periode_ouverture"`
	Closure   string `json:"fermeture_annuelle"`
	Nocturnes string `json:"jours_nocturnes"`
	Name      string `json:"nom_du_musee"`
}

func readRecords(t testing.TB) []record {
	t.Helper()
	f, err := os.Open("../../../testdata/culture/musees-horaires-2013-2017.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var recs []struct {
		Fields record `json:"fields"`
	}
	if err := json.NewDecoder(zr).Decode(&recs); err != nil {
		t.Fatal(err)
	}
	out := make([]record, len(recs))
	for i, r := range recs {
		out[i] = r.Fields
	}
	return out
}

// Every row of the real list (1,295 museums): what is read is checked with opening_hours.js, the evaluator of
// OpenStreetMap's tools, against what the text says at sample times (open or closed, per the parsed schedule);
// the share read is logged and must not fall below what this version reads.
func TestParseEveryRealRow(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node not found: this test checks the opening_hours values with opening_hours.js (apt-get install nodejs, then npm ci at the repository root)")
	}
	if _, err := os.Stat("../../../node_modules/opening_hours/package.json"); err != nil {
		t.Fatal("opening_hours is not installed: run npm ci at the repository root (package.json pins it)")
	}
	recs := readRecords(t)
	type checked struct {
		Text   string   `json:"text"`
		OSM    string   `json:"osm"`
		Rules  string   `json:"rules"`
		Probes [][2]any `json:"probes"`
	}
	var rows []checked
	var withOpening, read int
	fieldRead := map[Field][2]int{}
	count := func(f Field, text string, problems []Problem) {
		if strings.TrimSpace(text) == "" {
			return
		}
		c := fieldRead[f]
		c[1]++
		if !slices.ContainsFunc(problems, func(p Problem) bool { return p.Field == f }) {
			c[0]++
		}
		fieldRead[f] = c
	}
	for _, r := range recs {
		h := Parse(r.Opening, r.Closure, r.Nocturnes)
		count(FieldOpening, r.Opening, h.Unread)
		count(FieldClosure, r.Closure, h.Unread)
		count(FieldNocturnes, r.Nocturnes, h.Unread)
		if h.Opening == "" {
			continue
		}
		withOpening++
		if h.OSM == "" {
			continue
		}
		read++
		s, _, problems := parseSchedule(h.Opening, h.Nocturnes)
		if s == nil {
			t.Fatalf("%s: opening_hours %q but no schedule: %v", r.Name, h.OSM, problems)
		}
		rows = append(rows, checked{Text: h.Opening, OSM: h.OSM, Rules: strings.Join(s.rules(), "; "), Probes: probes(s)})
	}
	t.Logf("opening hours read into opening_hours: %d of %d museums with a période d'ouverture (%.1f %%)", read, withOpening, 100*float64(read)/float64(withOpening))
	for _, f := range []Field{FieldOpening, FieldClosure, FieldNocturnes} {
		c := fieldRead[f]
		t.Logf("  %s: %d of %d texts read (%.1f %%)", f, c[0], c[1], 100*float64(c[0])/float64(c[1]))
	}
	if withOpening != 1175 {
		t.Errorf("%d rows with a période d'ouverture, the file has 1,175", withOpening)
	}
	if read < 530 {
		t.Errorf("read %d rows, this version reads at least 530", read)
	}
	file := filepath.Join(t.TempDir(), "hours.json")
	b, err := json.Marshal(rows)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(node, "../../../test/node/opening-hours-check.mjs", file).CombinedOutput()
	t.Log(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("opening-hours-check.mjs: %v", err)
	}
}

// probes samples the schedule: in four months of 2024, the first nine days (every weekday, and the first of
// each in the month) at seven times, with the state the schedule gives. French public holidays are left out:
// the schedule's own hours for them are checked by the table above.
func probes(s *schedule) [][2]any {
	holidays := map[string]bool{"2024-01-01": true, "2024-04-01": true}
	var out [][2]any
	for _, month := range []int{1, 4, 7, 10} {
		for day := 1; day <= 9; day++ {
			date := time.Date(2024, time.Month(month), day, 0, 0, 0, 0, time.UTC)
			key := date.Format("2006-01-02")
			if holidays[key] {
				continue
			}
			for _, m := range []int{9*60 + 15, 10*60 + 45, 12*60 + 45, 13*60 + 45, 17*60 + 45, 18*60 + 45, 21*60 + 15} {
				out = append(out, [2]any{fmt.Sprintf("%sT%02d:%02d", key, m/60, m%60), s.openAt(date, m)})
			}
		}
	}
	return out
}

// openAt says whether the schedule is open at minute m of date, as the statements say it: each period that
// holds the date replaces the hours of the days it names, in order; a day-of-the-month statement ("le premier
// jeudi") replaces its day's hours. Spans past midnight are not probed in the small hours.
func (s *schedule) openAt(date time.Time, m int) bool {
	wd := (int(date.Weekday()) + 6) % 7
	doy := dayOfYear(int(date.Month()), date.Day())
	var spans []span
	for i, p := range s.periods {
		if !p.days()[doy] {
			continue
		}
		if len(s.weeks[i][wd]) > 0 {
			spans = s.weeks[i][wd]
		}
		for _, n := range s.nth {
			if n.per.key() == p.key() && n.day.day == wd && n.day.n == (date.Day()-1)/7+1 {
				spans = n.spans
			}
		}
	}
	for _, sp := range spans {
		if m >= sp.from && (m < sp.to || sp.to < sp.from) {
			return true
		}
	}
	return false
}

func FuzzParse(f *testing.F) {
	for _, s := range [][3]string{
		{"Ouvert du mardi au dimanche de 10h à 18h", "1er janvier, 1er mai, 25 décembre", "Jeudi jusqu'à 21h45"},
		{"Ouvert d'avril à octobre de 10h à 12h30 et de 13h30 à 18h, de novembre à mars de 10h à 12h30 et de 13h30 à 17h", "Jours fériés", ""},
		{"Ouvert du 1er octobre au 30 juin le lundi, mercredi, jeudi, vendredi de 9h30 à 12h30 et de 13h30 à 17h, week-end de 14h à 18h", "24 décembre au 2 janvier", "Premier jeudi du mois jusqu'à 20h"},
		{"tous les jours sauf le mardi de 10 à 18 h (été)", "dimanche et lundi de Pâques", "Mercredi de 19h à 21h"},
		{"Ouvert en juillet-août tlj de 10h-12h et 14h-19h. Accueil des groupes sur rendez-vous", "Novembre à avril", ""},
		{"1er99h99 h 99:99 du 31 février au 0 juin", "32 décembre", "jusqu'à 25h"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, opening, closure, nocturnes string) {
		h := Parse(opening, closure, nocturnes)
		if h.Opening != clean(opening) || h.Closure != clean(closure) || h.Nocturnes != clean(nocturnes) {
			t.Fatalf("texts not kept as written")
		}
		if h.OSM != "" && len(h.Unread) > 0 {
			t.Fatalf("opening_hours %q although %v", h.OSM, h.Unread)
		}
		if h.OSM != "" && h.Opening == "" {
			t.Fatalf("opening_hours %q without an opening text", h.OSM)
		}
		for _, rule := range strings.Split(h.OSM, "; ") {
			if h.OSM != "" && (strings.TrimSpace(rule) != rule || rule == "" || strings.ContainsAny(rule, "\n\"")) {
				t.Fatalf("malformed rule %q in %q", rule, h.OSM)
			}
		}
		if again := Parse(opening, closure, nocturnes); again.OSM != h.OSM {
			t.Fatalf("not deterministic: %q then %q", h.OSM, again.OSM)
		}
	})
}
