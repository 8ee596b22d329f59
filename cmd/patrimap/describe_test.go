package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type describeOut struct {
	Sheet struct {
		ID          string
		Title       string
		Description string
		Keywords    []string
		Themes      []string
		Inspire     []string `json:"inspire_themes"`
		Licence     string
		Periodicity string
		Version     string
		Contact     struct{ Name, Email string }
		Publisher   struct{ Name, URL, Type string }
		Creator     struct{ Name string }
		Territory   struct{ Code, Name string }
		Temporal    struct{ Start, End string }
		Provenance  struct {
			SHA256  string
			Lineage []string
		}
	}
	Missing []struct {
		Field, Level string
	}
	Publishable bool
}

func describeJSON(t *testing.T, db string, args ...string) describeOut {
	t.Helper()
	out, err := patrimap(t, append(append([]string{"describe"}, args...), "--json", "--db", db)...)
	if err != nil {
		t.Fatalf("describe %v: %v\n%s", args, err, out)
	}
	var d describeOut
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("describe --json: %v\n%s", err, out)
	}
	return d
}

// What a person writes with describe is kept when the dataset is imported again; what the importer knows is
// refreshed.
func TestDescribeSurvivesReimport(t *testing.T) {
	db := filepath.Join(t.TempDir(), "d.db")
	importRNN := func() {
		t.Helper()
		if out, err := patrimap(t, "import", "inpn", "--file", "../../testdata/inpn/rnn/subset_isere_38/N_ENP_RNN_S_000.shp",
			"--dataset", "rnn-isere", "--db", db); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
	}
	importRNN()
	before := describeJSON(t, db, "rnn-isere")
	if before.Sheet.Licence != "https://www.etalab.gouv.fr/licence-ouverte-open-licence/" || before.Sheet.Creator.Name != "INPN – MNHN/PatriNat" ||
		strings.Join(before.Sheet.Themes, ",") != "ENVI" || strings.Join(before.Sheet.Inspire, ",") != "ps" || before.Sheet.Version != "1" ||
		len(before.Sheet.Provenance.SHA256) != 64 || len(before.Sheet.Provenance.Lineage) == 0 {
		t.Fatalf("importer's sheet: %+v", before.Sheet)
	}
	if before.Publishable || !missing(before, "required", "contact email") || !missing(before, "recommended", "periodicity") {
		t.Errorf("missing: %+v", before.Missing)
	}

	from := filepath.Join(t.TempDir(), "rnn.yaml")
	os.WriteFile(from, []byte("description: |\n  Les réserves naturelles nationales de l'Isère, d'après l'INPN.\ntemporal:\n  start: \"1961\"\ntheme_typo: x\n"), 0o644)
	if out, err := patrimap(t, "describe", "rnn-isere", "--from", from, "--db", db); err == nil || !strings.Contains(out+err.Error(), "theme_typo") {
		t.Errorf("a misspelt field is accepted: %v\n%s", err, out)
	}
	os.WriteFile(from, []byte("description: |\n  Les réserves naturelles nationales de l'Isère, d'après l'INPN.\ntemporal:\n  start: \"1961\"\n"), 0o644)
	out, err := patrimap(t, "describe", "rnn-isere", "--from", from, "--contact-name", "Service patrimoine naturel",
		"--contact-email", "patrimoine@example.org", "--keywords", "réserve naturelle, Isère", "--periodicity", "annuelle",
		"--territory", "dep:38", "--db", db)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"contact          Service patrimoine naturel <patrimoine@example.org>", "periodicity      ANNUAL (annuelle)",
		"spatial          dep:38 (Isère)", "Nothing required is missing"} {
		if !strings.Contains(out, want) {
			t.Errorf("describe prints no %q:\n%s", want, out)
		}
	}

	importRNN()
	after := describeJSON(t, db, "rnn-isere")
	s := after.Sheet
	if s.Contact.Email != "patrimoine@example.org" || s.Contact.Name != "Service patrimoine naturel" || s.Periodicity != "ANNUAL" ||
		strings.Join(s.Keywords, "|") != "réserve naturelle|Isère" || s.Temporal.Start != "1961" || s.Territory.Name != "Isère" ||
		!strings.HasPrefix(s.Description, "Les réserves naturelles nationales de l'Isère") {
		t.Errorf("the person's part did not survive the re-import: %+v", s)
	}
	if s.Version != "2" || s.Creator.Name != "INPN – MNHN/PatriNat" {
		t.Errorf("the importer's part was not refreshed: version %s", s.Version)
	}
	if !after.Publishable {
		t.Errorf("still missing %+v", after.Missing)
	}

	// The catalogue's publisher becomes every dataset's publisher.
	if out, err := patrimap(t, "describe", "--catalogue", "--title", "Patrimoine naturel de l'Isère", "--publisher-name", "Département de l'Isère",
		"--publisher-url", "https://www.isere.fr", "--publisher-type", "LocalAuthority", "--db", db); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if p := describeJSON(t, db, "rnn-isere").Sheet.Publisher; p.Name != "Département de l'Isère" || p.Type != "LocalAuthority" {
		t.Errorf("publisher %+v", p)
	}
}

func missing(d describeOut, level, field string) bool {
	for _, m := range d.Missing {
		if m.Level == level && m.Field == field {
			return true
		}
	}
	return false
}

func TestDescribeErrors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "d.db")
	if out, err := patrimap(t, "import", "geojson", rnnFile, "--db", db, "--dataset", "rnn-isere", "--producer", "INPN – MNHN/PatriNat", "--theme", "natural"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"describe", "nope"}, 1, `no dataset "nope"`},
		{[]string{"describe"}, 2, "give one dataset ID, or --catalogue"},
		{[]string{"describe", "rnn-isere", "--periodicity", "sometimes"}, 2, `periodicity "sometimes"`},
		{[]string{"describe", "rnn-isere", "--contact-email", "nobody"}, 2, `contact email "nobody"`},
		{[]string{"describe", "rnn-isere", "--territory", "epci:123"}, 2, "is not an EPCI SIREN"},
		{[]string{"describe", "rnn-isere", "--from", "/nonexistent.yaml"}, 1, "no such file"},
	}
	for _, tc := range tests {
		out, err := patrimap(t, append(tc.args, "--db", db)...)
		if code := exitCode(err); code != tc.code || err == nil || !strings.Contains(err.Error()+out, tc.want) {
			t.Errorf("%v: exit %d (%v), want %d and %q\n%s", tc.args, code, err, tc.code, tc.want, out)
		}
	}
}
