package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/patrimap/patrimap/store"
)

// capability returns st as the capability T. Callers fall back to the plain interfaces when a store lacks one,
// but every store of patrimap has them (replicas and the warm path rest on them): a store under this suite that
// lacks one fails, it is not skipped.
func capability[T any](t *testing.T, st store.Store, name string) T {
	t.Helper()
	c, ok := st.(T)
	if !ok {
		t.Fatalf("%T does not implement %s: every store of patrimap does (see store/optional.go)", st, name)
	}
	return c
}

// A Watcher's generation moves with every commit (an import, a memo write) and with nothing else: not with
// reads, not with an import rolled back, not with time.
func testWatcher(t *testing.T, fx *fixture) {
	w := capability[store.Watcher](t, fx.st, "store.Watcher")
	gen := func() uint64 {
		t.Helper()
		g, err := w.Generation(fx.ctx)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	g0 := gen()
	d := fx.importRows("rnn", store.ImportOptions{}, rnnRows(t))
	g1 := gen()
	if g1 == g0 {
		t.Errorf("generation %d unchanged by an import", g1)
	}
	fx.mustFeatures(d, store.Query{Limit: 3})
	im, err := fx.st.BeginImport(fx.ctx, "rnn", store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	im.Add(fx.ctx, rnnRows(t)[0])
	im.Rollback()
	time.Sleep(store.WatchInterval + 50*time.Millisecond) // past the interval: a store that polls has looked again
	if g := gen(); g != g1 {
		t.Errorf("generation moved from %d to %d without a commit (a read, a rollback, time)", g1, g)
	}
	if err := fx.st.Remember(fx.ctx, "storetest", "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if g := gen(); g == g1 {
		t.Errorf("generation %d unchanged by a memo write", g)
	}
}

// Text search (store.SearchFeatures, through a store's index when it has one): every word as a word, the last
// one as a word or the start of one, elided articles left out, whatever the case and the accents, in the name
// and the description only; with the query's other conditions and paging.
func testTextSearch(t *testing.T, fx *fixture) {
	rows := rnnRows(t)
	for i := range rows {
		// The reserves' names (NOM_SITE) as the normalised name, and a description naming the managing body.
		name := rows[i].Properties[3].Value
		rows[i].Properties = append(rows[i].Properties, store.Property{Key: "name", Value: name},
			store.Property{Key: "description", Value: "Réserve naturelle nationale"})
	}
	d := fx.importRows("rnn", store.ImportOptions{}, rows)
	sn := fx.snapshot()
	if ts, ok := sn.(store.TextSearcher); ok {
		// A store with an index builds it at import: the answers below come from it, not from reading every row.
		if _, err := ts.SearchCount(fx.ctx, d, "lac", store.Query{}); err != nil {
			t.Fatalf("the store's own text search: %v", err)
		}
	}
	search := func(text string, q store.Query) []any {
		t.Helper()
		var ids []any
		err := store.SearchFeatures(fx.ctx, sn, d, text, q, func(f *store.Feature) error {
			ids = append(ids, f.Values[0])
			return nil
		})
		if err != nil {
			t.Fatalf("search %q: %v", text, err)
		}
		n, err := store.SearchCount(fx.ctx, sn, d, text, q)
		if err != nil {
			t.Fatalf("count %q: %v", text, err)
		}
		if q.Limit == 0 && q.Offset == 0 && n != int64(len(ids)) {
			t.Errorf("search %q: count %d, %d features", text, n, len(ids))
		}
		return ids
	}
	id := store.Query{Select: []string{"ID_MNHN"}}
	tests := []struct {
		text string
		q    store.Query
		want []any
	}{
		{"veneon", id, []any{"FR3600013"}},    // Haut-Vénéon
		{"ÉTANG", id, []any{"FR3600115"}},     // Étang du Grand-Lemps
		{"haut lac", id, nil},                 // no name holds both
		{"lac grand", id, []any{"FR3600015"}}, // Cirque du Grand Lac des Estaris
		{"chart", id, []any{"FR3600136"}},     // a word's start
		{"artreuse", id, nil},                 // not a word's middle
		{"nationale", store.Query{Select: []string{"ID_MNHN"}, Limit: 2}, []any{"FR3600013", "FR3600014"}}, // the description
		{"haute", store.Query{Select: []string{"ID_MNHN"}, Sort: []store.SortKey{{Property: "ID_MNHN", Desc: true}}}, []any{"FR3600011"}},
		{"haut", store.Query{Select: []string{"ID_MNHN"}, Offset: 1, Limit: 2}, []any{"FR3600014", "FR3600011"}},
		{"haut", store.Query{Select: []string{"ID_MNHN"}, Filter: store.Compare{Property: "SURF_OFF", Op: ">", Value: 1000.0}}, []any{"FR3600074", "FR3600136", "FR3600179"}},
		{"inpn", id, nil}, // the source's other columns (URL_FICHE) are not searched
		// Only the last word may be a word's start: "haut" is not "Hauts", "pla" starts "Plateaux".
		{"hauts pla", id, []any{"FR3600074"}},
		{"haut plateaux", id, nil},
		{"grand lac", id, []any{"FR3600015"}},
		{"lac", id, []any{"FR3600015", "FR3600021", "FR3600001"}}, // not Lavours
		// The elided "d'" of "Bout du Lac d'Annecy" is left out of the query (the name holds "d" as a word)...
		{"lac d'annecy", id, []any{"FR3600021"}},
		{"D’ANN", id, []any{"FR3600021"}},
		{"Bout du Lac d'Annecy", id, []any{"FR3600021"}},
		// ...but not a "d" being typed: the start of "du", "des", "d".
		{"lac d", id, []any{"FR3600015", "FR3600021"}},
		// "d'" alone: nothing else is left, so "d" is the word being typed (a word's start: du, des, de, d).
		{"d'", id, []any{"FR3600015", "FR3600016", "FR3600021", "FR3600011", "FR3600068", "FR3600074", "FR3600036", "FR3600115", "FR3600079", "FR3600089", "FR3600136"}},
	}
	for _, tt := range tests {
		if got := search(tt.text, tt.q); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("search %q %+v: %v, want %v", tt.text, tt.q, got, tt.want)
		}
	}
	if n, _ := store.SearchCount(fx.ctx, sn, d, "haut", store.Query{}); n != 6 {
		t.Errorf("count of \"haut\": %d, want 6 (Haut-Vénéon, Haut-Béranger, Haute vallée, Hauts Plateaux, Hauts de Chartreuse, Haut-Rhône; not Chère)", n)
	}
	// A page by text alone comes from the index itself (a store may): keyset paging after a fid, a page larger
	// than the matches, and the count with another condition, which the index alone cannot give.
	var fids []int64
	var all []any
	err := store.SearchFeatures(fx.ctx, sn, d, "haut", id, func(f *store.Feature) error {
		fids, all = append(fids, f.FID), append(all, f.Values[0])
		return nil
	})
	if err != nil || len(fids) != 6 {
		t.Fatalf("search \"haut\": %d features, %v; want 6", len(fids), err)
	}
	for i := 1; i < len(fids); i++ {
		if fids[i] <= fids[i-1] {
			t.Errorf("search \"haut\": fids %v, not in ascending order", fids)
		}
	}
	pages := []struct {
		q    store.Query
		want []any
	}{
		{store.Query{Select: id.Select, AfterFID: fids[1], Limit: 2}, all[2:4]},
		{store.Query{Select: id.Select, AfterFID: fids[4], Limit: 100}, all[5:]},
		{store.Query{Select: id.Select, AfterFID: fids[5], Limit: 100}, nil},
		{store.Query{Select: id.Select, Offset: 5, Limit: 10}, all[5:]},
		{store.Query{Select: id.Select, Offset: 6, Limit: 10}, nil},
	}
	for _, p := range pages {
		if got := search("haut", p.q); fmt.Sprint(got) != fmt.Sprint(p.want) {
			t.Errorf("search \"haut\" %+v: %v, want %v", p.q, got, p.want)
		}
	}
	big := store.Query{Filter: store.Compare{Property: "SURF_OFF", Op: ">", Value: 1000.0}}
	if n, err := store.SearchCount(fx.ctx, sn, d, "haut", big); n != 3 || err != nil {
		t.Errorf("count of \"haut\" over 1,000 ha: %d (%v), want 3", n, err)
	}
	if n, err := store.SearchCount(fx.ctx, sn, d, "haut", store.Query{AfterFID: fids[3], Offset: 1, Limit: 1}); n != 6 || err != nil {
		t.Errorf("count of \"haut\" with paging: %d (%v), want 6 (paging ignored)", n, err)
	}
	if err := store.SearchFeatures(fx.ctx, sn, d, " - ", id, func(*store.Feature) error { return nil }); !errors.Is(err, store.ErrBadQuery) {
		t.Errorf("search of no word: %v, want ErrBadQuery", err)
	}
}

// A VersionReader reads the version a snapshot holds of a dataset, as its catalogue entry says it, the old one
// while a re-import is not yet seen by that snapshot, and ErrNotFound for a dataset the store does not hold.
func testVersionReader(t *testing.T, fx *fixture) {
	fx.importRows("rnn", store.ImportOptions{}, rnnRows(t))
	read := func(sn store.Snapshot) int64 {
		t.Helper()
		vr, ok := sn.(store.VersionReader)
		if !ok {
			t.Fatalf("%T does not implement store.VersionReader: every store of patrimap does (see store/optional.go)", sn)
		}
		v, err := vr.DatasetVersion(fx.ctx, "rnn")
		if err != nil {
			t.Fatal(err)
		}
		d, err := sn.Dataset(fx.ctx, "rnn")
		if err != nil {
			t.Fatal(err)
		}
		if v != d.Version {
			t.Errorf("version %d, the catalogue entry says %d", v, d.Version)
		}
		return v
	}
	before, err := fx.st.Snapshot(fx.ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer before.Close()
	v1 := read(before)
	fx.importRows("rnn", store.ImportOptions{}, rnnRows(t))
	after, err := fx.st.Snapshot(fx.ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer after.Close()
	if v2, v := read(after), read(before); v2 != v1+1 || v != v1 {
		t.Errorf("versions %d then %d, and %d in the snapshot taken before the re-import; want %d, %d, %d", v1, v2, v, v1, v1+1, v1)
	}
	if _, err := after.(store.VersionReader).DatasetVersion(fx.ctx, "absent"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a dataset the store does not hold: %v, want ErrNotFound", err)
	}
}
