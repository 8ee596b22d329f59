package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// demoImports are the imports of `make demo` (the Makefile's demo target), in its order: the INPN shapefiles cut
// around Isère, then the Ministère de la Culture's monuments and museums of Isère.
var demoImports = [][]string{
	{"import", "inpn", "--file", "../../testdata/inpn/rnn/subset_isere_38/N_ENP_RNN_S_000.shp", "--dataset", "rnn-isere"},
	{"import", "inpn", "--file", "../../testdata/inpn/rnr/subset_isere_38/N_ENP_RNR_S_000.shp", "--dataset", "rnr-isere"},
	{"import", "inpn", "--file", "../../testdata/inpn/apb/subset_isere_38/apb.shp", "--dataset", "apb-isere"},
	{"import", "inpn", "--file", "../../testdata/inpn/pn/subset_isere_38/N_ENP_PN_S_000.shp", "--dataset", "pn-isere"},
	{"import", "inpn", "--file", "../../testdata/inpn/rb/subset_isere_38/N_ENP_RB_S_000.shp", "--dataset", "rb-isere"},
	{"import", "inpn", "--file", "../../testdata/inpn/cen/subset_isere_38/cen2013_09.shp", "--dataset", "cen-isere"},
	{"import", "culture", "--list", "merimee", "--file", "../../testdata/culture/merimee-isere-camlebrun.csv", "--territory", "dep:38"},
	{"import", "culture", "--list", "musees", "--file", "../../testdata/culture/musees-victorianed-extract.csv", "--territory", "dep:38"},
}

// demoStore imports what `make demo` imports into a new database and returns its path; it fails when the
// Makefile's demo target has changed, so that the browser tests keep running on the demo users see.
func demoStore(t *testing.T) string {
	t.Helper()
	mk, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	target := string(mk)
	if i := strings.Index(target, "\ndemo:"); i >= 0 {
		target = target[i:]
		if j := strings.Index(target[1:], "\n\n"); j >= 0 {
			target = target[:j+1]
		}
	}
	inMakefile := regexp.MustCompile(`[a-z]+/subset_isere_38/\S+\.shp|testdata/culture/\S+\.csv|--list \w+|--territory \S+`).FindAllString(target, -1)
	var here []string
	for _, args := range demoImports {
		for i, a := range args {
			switch {
			case strings.HasPrefix(a, "../../testdata/inpn/"):
				here = append(here, strings.TrimPrefix(a, "../../testdata/inpn/"))
			case strings.HasPrefix(a, "../../testdata/culture/"):
				here = append(here, strings.TrimPrefix(a, "../../"))
			case a == "--list" || a == "--territory":
				if !slices.Contains(here, a+" "+args[i+1]) {
					here = append(here, a+" "+args[i+1])
				}
			}
		}
	}
	slices.Sort(here)
	slices.Sort(inMakefile)
	inMakefile = slices.Compact(inMakefile)
	if !slices.Equal(here, inMakefile) {
		t.Fatalf("the Makefile's demo target imports %v, the browser tests %v: update demoImports (cmd/patrimap/demo_test.go)", inMakefile, here)
	}
	db := filepath.Join(t.TempDir(), "demo.db")
	for _, args := range demoImports {
		if out, err := patrimap(t, append(args, "--db", db)...); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	return db
}
