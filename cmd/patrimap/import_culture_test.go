package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patrimap/patrimap/importers/territory"
	"github.com/patrimap/patrimap/store"
)

// rowsOf reads back the features of a dataset as maps of column → value, with "@geom" the geometry's type
// when the row is placed.
func rowsOf(t *testing.T, db, id string) []map[string]any {
	t.Helper()
	var out []map[string]any
	readDataset(t, db, id, func(sn store.Snapshot, d store.Dataset) {
		err := sn.Features(context.Background(), d, store.Query{}, func(f *store.Feature) error {
			m := map[string]any{}
			for i, fl := range d.Fields {
				m[fl.Name] = f.Values[i]
			}
			if f.Geometry != nil {
				m["@geom"] = f.Geometry.GeoJSONType()
			}
			out = append(out, m)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	return out
}

type cultureReport struct {
	Read, Written int
	NoGeom        int `json:"without_geometry"`
	Fixes         []struct {
		What string
		N    int
	}
	Skipped []struct {
		What string
		N    int
	}
}

func (r cultureReport) fixed(prefix string) int {
	n := 0
	for _, f := range r.Fixes {
		if strings.HasPrefix(f.What, prefix) {
			n += f.N
		}
	}
	return n
}

// Every real extract imports: rows in = rows out (placed + unplaced); every INSEE code has 5 characters and is
// in the official list or reported; no U+0092/U+009C is left; the dataset is the list's, with its producer.
func TestImportCultureRealFiles(t *testing.T) {
	ref, err := territory.LoadReference()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	tests := []struct {
		list, file, id, producer string
		rows, placed             int
	}{
		{"merimee", "merimee-isere-camlebrun.csv", "merimee", "Ministère de la Culture", 329, 325},
		{"merimee", "merimee-aube-2013-jeanfred.csv", "merimee-aube", "Ministère de la Culture", 3, 0},
		{"merimee", "merimee-isere-derived.json", "merimee-json", "Ministère de la Culture", 6, 5},
		{"merimee", "merimee-isere-derived.geojson", "merimee-geojson", "Ministère de la Culture", 6, 5},
		{"musees", "musees-victorianed-extract.csv", "musees", "Ministère de la Culture – Muséofile", 48, 48},
		{"musees", "musees-vexfrow-bom-extract.csv", "musees-bom", "Ministère de la Culture – Muséofile", 16, 16},
		{"jardins", "jardins-tortuecookie-extract.csv", "jardins", "Ministère de la Culture", 18, 18},
		{"acr", "acr-vexfrow-extract.csv", "acr", "Ministère de la Culture", 48, 47},
		// The complete national files (rows counted independently with a CSV reader).
		{"acr", "acr-vexfrow-full.csv", "acr-full", "Ministère de la Culture", 1660, 1494},
		{"jardins", "jardins-tortuecookie-full.csv", "jardins-full", "Ministère de la Culture", 469, 469},
		{"musees", "musees-vexfrow-full.csv", "musees-vexfrow-full", "Ministère de la Culture – Muséofile", 1222, 1222},
		{"musees", "musees-victorianed-full.csv", "musees-victorianed-full", "Ministère de la Culture – Muséofile", 1222, 1222},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			args := []string{"import", "culture", "--list", tt.list, "--file", "../../testdata/culture/" + tt.file, "--db", db, "--json"}
			if tt.id != tt.list {
				args = append(args, "--dataset", tt.id)
			}
			out, err := patrimap(t, args...)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			var rep cultureReport
			if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &rep); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if rep.Read != tt.rows || rep.Written != tt.rows || rep.Written-rep.NoGeom != tt.placed {
				t.Errorf("read %d, written %d, without geometry %d; want %d rows, %d placed", rep.Read, rep.Written, rep.NoGeom, tt.rows, tt.placed)
			}
			if rep.NoGeom > 0 && rep.fixed("no position")+rep.fixed("position") < rep.NoGeom {
				t.Errorf("%d rows without geometry, not all reported: %+v", rep.NoGeom, rep.Fixes)
			}
			d := datasetsIn(t, db)[tt.id]
			if d.Producer != tt.producer || d.Theme != store.ThemeCultural || d.Licence != "Licence Ouverte 2.0" {
				t.Errorf("catalogue entry %+v", d)
			}
			unknown := 0
			for _, r := range rowsOf(t, db, tt.id) {
				for k, v := range r {
					if s, ok := v.(string); ok && strings.ContainsAny(s, "\u0092\u009c") {
						t.Errorf("%s keeps a C1 control: %q", k, s)
					}
				}
				c, _ := r["insee"].(string)
				if c == "" {
					continue
				}
				if len(c) != 5 {
					t.Errorf("INSEE code %q", c)
				}
				if _, ok := ref.Commune(c); !ok {
					unknown++
				}
			}
			if reported := rep.fixed("INSEE code not in the official list (historical or wrong)"); reported < unknown {
				t.Errorf("%d unknown INSEE codes, %d reported", unknown, reported)
			}
		})
	}
}

// --territory is resolved offline by commune membership: the Clermont Auvergne Métropole datasets.
func TestImportCultureTerritory(t *testing.T) {
	t.Setenv("PATRIMAP_GEO_API", "http://127.0.0.1:1") // nothing may be fetched
	db := filepath.Join(t.TempDir(), "t.db")
	for _, a := range [][]string{
		{"--list", "musees", "--file", "../../testdata/culture/musees-victorianed-extract.csv", "--territory", "epci:246300701"},
		{"--list", "merimee", "--file", "../../testdata/culture/merimee-isere-camlebrun.csv", "--territory", "epci:246300701"},
		{"--list", "jardins", "--file", "../../testdata/culture/jardins-tortuecookie-extract.csv", "--territory", "epci:246300701"},
		{"--list", "merimee", "--file", "../../testdata/culture/merimee-isere-camlebrun.csv", "--territory", "epci:200040715"},
	} {
		if out, err := patrimap(t, append(append([]string{"import", "culture"}, a...), "--db", db)...); err != nil {
			t.Fatalf("%v: %v\n%s", a, err, out)
		}
	}
	ds := datasetsIn(t, db)
	for id, want := range map[string]int64{
		"musees-clermont-auvergne-metropole":  3, // MARQ, Bargoin, Lecoq
		"merimee-clermont-auvergne-metropole": 0, // the Mérimée extracts hold Isère and Aube only
		"jardins-clermont-auvergne-metropole": 2, // Opme, Blanzat
		"merimee-grenoble-alpes-metropole":    65,
	} {
		d, ok := ds[id]
		if !ok || d.FeatureCount != want {
			t.Errorf("%s: %d features (exists %v), want %d", id, d.FeatureCount, ok, want)
		}
	}
	if d := ds["musees-clermont-auvergne-metropole"]; !strings.Contains(d.Title, "Clermont Auvergne Métropole") {
		t.Errorf("title %q", d.Title)
	}
	// Grenoble monuments without a position are kept.
	n := 0
	for _, r := range rowsOf(t, db, "merimee-grenoble-alpes-metropole") {
		if r["@geom"] == nil {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d Grenoble monuments without position, want 2 (PA38000042, PA38000044)", n)
	}
}

func TestImportCultureBadInput(t *testing.T) {
	db := filepath.Join(t.TempDir(), "b.db")
	tests := []struct {
		args []string
		want string
		code int
	}{
		{[]string{"--list", "nope", "--file", "x.csv"}, `--list "nope": known lists are merimee, musees`, 2},
		{[]string{"--list", "merimee"}, "give exactly one of --file PATH and --url URL", 2},
		{[]string{"--list", "merimee", "--file", "../../testdata/culture/spr-extract.csv"}, "spr-extract.csv: unknown header layout for the merimee list", 1},
		{[]string{"--list", "merimee", "--file", "../../testdata/inpn/apb/apb.zip"}, "apb.zip: this is a zip (or an .xlsx/.ods spreadsheet), not a CSV", 1},
		{[]string{"--list", "merimee", "--file", "../../testdata/culture/merimee-isere-camlebrun.csv", "--territory", "epci:123"}, "epci", 2},
	}
	for _, tt := range tests {
		out, err := patrimap(t, append(append([]string{"import", "culture"}, tt.args...), "--db", db)...)
		if err == nil || !strings.Contains(out+err.Error(), tt.want) || exitCode(err) != tt.code {
			t.Errorf("%v: exit %d, %v\n%s\nwant exit %d and %q", tt.args, exitCode(err), err, out, tt.code, tt.want)
		}
	}
}

// --url downloads the export first, as data.culture.gouv.fr serves it (the file name comes from the path, the
// source URL is kept in the catalogue).
func TestImportCultureFromURL(t *testing.T) {
	csvBytes, err := os.ReadFile("../../testdata/culture/musees-vexfrow-bom-extract.csv")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/explore/v2.1/catalog/datasets/musees/exports/csv" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Write(csvBytes)
	}))
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "u.db")
	url := srv.URL + "/api/explore/v2.1/catalog/datasets/musees/exports/csv?delimiter=%3B"
	if out, err := patrimap(t, "import", "culture", "--list", "musees", "--url", url, "--db", db); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	d := datasetsIn(t, db)["musees"]
	if d.FeatureCount != 16 || d.Source.URL != url {
		t.Errorf("musees from --url: %d features, source %+v", d.FeatureCount, d.Source)
	}
}
