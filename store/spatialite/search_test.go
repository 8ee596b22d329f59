package spatialite

import (
	"context"
	"encoding/csv"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/patrimap/patrimap/store"
)

// importNamed imports the named rows (id, name, kind, commune, insee) as dataset id.
func importNamed(t *testing.T, s *Store, id string, rows [][5]string) store.Dataset {
	t.Helper()
	var named []store.Row
	for _, r := range rows {
		var props []store.Property
		for i, k := range []string{"id", "name", "kind", "commune", "insee"} {
			props = append(props, store.Property{Key: k, Value: r[i]})
		}
		named = append(named, store.Row{Properties: props})
	}
	return importRows(t, s, id, named)
}

// The import indexes the normalised columns and the names; the snapshot answers searches through the index
// (not by reading every row), and a re-import replaces the index with the new names.
func TestIndexesAndTextSearch(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	// Mérimée notices of Grenoble (testdata/culture/merimee-isere-camlebrun.csv).
	d := importNamed(t, s, "mh", [][5]string{
		{"PA00117145", "Église Saint-Laurent et son crypte", "église", "Grenoble", "38185"},
		{"PA00117156", "Ancien palais du Parlement du Dauphiné", "palais", "Grenoble", "38185"},
		{"PA00117298", "Maison du peintre Ernest Hébert", "maison", "La Tronche", "38516"},
	})
	names := schemaNames(t, s.db, `SELECT name FROM sqlite_master WHERE tbl_name = ? AND type = 'index' OR name = ?`, d.Table, textTable(d.Table))
	for _, c := range indexedColumns() {
		if !slices.Contains(names, "patrimap_idx_"+d.Table+"_"+c) {
			t.Errorf("no index on %s: %v", c, names)
		}
	}
	if !slices.Contains(names, textTable(d.Table)) {
		t.Errorf("no full-text table: %v", names)
	}
	// SQLite chooses the INSEE index for an equality filter.
	p, _ := store.NewPlan(d, store.Query{Equals: []store.Equal{{Field: "insee", Value: "38185"}}})
	q, args, _ := featureSQL(p)
	var plan strings.Builder
	rows, err := s.db.QueryContext(ctx, `EXPLAIN QUERY PLAN `+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, parent, unused int
		var detail string
		rows.Scan(&id, &parent, &unused, &detail)
		plan.WriteString(detail + "; ")
	}
	rows.Close()
	if !strings.Contains(plan.String(), "patrimap_idx_"+d.Table+"_insee") {
		t.Errorf("insee = ? does not use the index: %s", plan.String())
	}

	search := func(d store.Dataset, text string) []string {
		t.Helper()
		sn, err := s.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer sn.Close()
		var ids []string
		err = sn.(store.TextSearcher).SearchFeatures(ctx, d, text, store.Query{Select: []string{"id"}}, func(f *store.Feature) error {
			ids = append(ids, f.Values[0].(string))
			return nil
		})
		if err != nil {
			t.Fatalf("search %q: %v", text, err)
		}
		return ids
	}
	if got := search(d, "eglise LAURENT"); !slices.Equal(got, []string{"PA00117145"}) {
		t.Errorf("eglise LAURENT: %v", got)
	}
	if got := search(d, "dauph"); !slices.Equal(got, []string{"PA00117156"}) {
		t.Errorf("dauph: %v", got)
	}
	if got := search(d, "grenoble"); got != nil {
		t.Errorf("grenoble (a commune, not a name): %v", got)
	}
	d = importNamed(t, s, "mh", [][5]string{{"PA00117195", "Musée dauphinois", "couvent", "Grenoble", "38185"}})
	if got := search(d, "dauph"); !slices.Equal(got, []string{"PA00117195"}) {
		t.Errorf("dauph after the re-import: %v", got)
	}
	if got := search(d, "eglise"); got != nil {
		t.Errorf("eglise after the re-import: %v", got)
	}
}

// The word being typed is looked up as the index's words it starts, one by one, and their lists merged: the
// same pages as FTS4's own prefix query, on the 329 Mérimée monuments of Isère
// (testdata/culture/merimee-isere-camlebrun.csv), for prefixes of no word, one, several and more than
// maxTerms words, by offset and after a fid.
func TestTextPageByWordsOfPrefix(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	f, err := os.Open("../../testdata/culture/merimee-isere-camlebrun.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var rows [][5]string
	for _, rec := range recs[1:] {
		rows = append(rows, [5]string{rec[19], rec[6], "", rec[0], rec[3]})
	}
	d := importNamed(t, s, "mh", rows)
	snap, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	sn := snap.(*snapshot)
	counts := map[string]int{}
	for _, text := range []string{"zzz", "eglise", "egl", "eglise s", "ch", "c", "maison du p", "chateau d'"} {
		tq, _ := store.ParseTextQuery(text)
		terms, err := sn.prefixTerms(ctx, d, tq.Prefix)
		if err != nil {
			t.Fatal(err)
		}
		counts[text] = len(terms)
		if terms == nil {
			counts[text] = maxTerms + 1
		}
		all, err := sn.textPageOf(ctx, d, matchExpression(tq, ""), store.Plan{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []store.Plan{{Limit: 1000}, {Limit: 3}, {Offset: 2, Limit: 5}, {Offset: len(all), Limit: 5}, {AfterFID: 40, Limit: 7}} {
			got, err := sn.textPage(ctx, d, tq, p)
			if err != nil {
				t.Fatal(err)
			}
			var want []int64
			for _, fid := range all {
				if fid > p.AfterFID {
					want = append(want, fid)
				}
			}
			want = want[min(p.Offset, len(want)):]
			want = want[:min(p.Limit, len(want))]
			if !slices.Equal(got, want) {
				t.Errorf("%q %+v: fids %v, want %v (FTS4's prefix query)", text, p, got, want)
			}
		}
	}
	// The cases above cover each way: no word (zzz), one (eglise), several (ch), too many (c).
	if counts["zzz"] != 0 || counts["eglise"] != 1 || counts["ch"] < 2 || counts["ch"] > maxTerms || counts["c"] <= maxTerms {
		t.Errorf("words of the prefixes: %v", counts)
	}
}
