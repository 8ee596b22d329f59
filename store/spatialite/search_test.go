package spatialite

import (
	"context"
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
