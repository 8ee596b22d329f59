package server

import (
	"net/url"
	"strings"
	"testing"

	"github.com/patrimap/patrimap/store"
)

// q= on /items: the Mérimée monuments of Isère (testdata/culture/merimee-isere-camlebrun.csv, 329 rows).
// Expected counts made with Python over the CSV: rows whose appellation_courante or description holds each word
// of q but the last, and a word starting with the last, after lower-casing and NFD without combining marks.
func TestItemsFullTextSearch(t *testing.T) {
	fx := dossierFixture(t)
	tests := []struct {
		q     string
		extra string
		want  int64
	}{
		{"eglise", "", 50},
		{"Église", "", 50},
		{"EGLISE saint", "", 23},
		{"château", "", 74},
		{"eglise grenoble", "", 0},
		{"chapelle saint", "", 10},    // not the Basilique Saint-Joseph, whose description says "chapelles"
		{"ancienne eglise", "", 5},    // not the "Eglise Saint-Maurice, anciennement cathédrale"
		{"ancienne egl", "", 5},       // the last word as typed
		{"eglise", "&insee=38185", 4}, // with an equality filter on the (indexed) INSEE code: Grenoble
	}
	for _, tt := range tests {
		p := fx.page(t, "/collections/merimee-isere/items?limit=100&q="+url.QueryEscape(tt.q)+tt.extra)
		if p.NumberMatched != tt.want || int64(len(p.Features)) != min(tt.want, 100) {
			t.Errorf("q=%s%s: matched %d, %d features, want %d", tt.q, tt.extra, p.NumberMatched, len(p.Features), tt.want)
		}
		tq, _ := store.ParseTextQuery(tt.q)
		for _, f := range p.Features {
			name, _ := f.Properties["name"].(string)
			desc, _ := f.Properties["description"].(string)
			have := " " + strings.Join(store.TextWords(name+" "+desc), " ") + " "
			for _, w := range tq.Words {
				if !strings.Contains(have, " "+w+" ") {
					t.Errorf("q=%s: %q (%q) lacks the word %q", tt.q, name, desc, w)
				}
			}
			if !strings.Contains(have, " "+tq.Prefix) {
				t.Errorf("q=%s: %q (%q) lacks a word starting with %q", tt.q, name, desc, tq.Prefix)
			}
		}
	}
	// Paging within the matches: the second page starts where the first ended.
	first := fx.page(t, "/collections/merimee-isere/items?limit=30&q=eglise")
	second := fx.page(t, "/collections/merimee-isere/items?limit=30&offset=30&q=eglise")
	if len(first.Features) != 30 || len(second.Features) != 20 || second.Features[0].ID <= first.Features[29].ID {
		t.Errorf("pages of q=eglise: %d then %d features", len(first.Features), len(second.Features))
	}
	for _, bad := range []string{"q=" + url.QueryEscape(" - "), "q=" + strings.Repeat("a", 201)} {
		if res, body := fx.get(t, "/collections/merimee-isere/items?"+bad); res.StatusCode != 400 || !strings.Contains(string(body), "q=") {
			t.Errorf("%s: %d %s", bad, res.StatusCode, body)
		}
	}
	if res, body := fx.get(t, "/collections/apb-isere/items?q=eglise"); res.StatusCode != 400 || !strings.Contains(string(body), "no name or description") {
		t.Errorf("q= on a collection without name: %d %s", res.StatusCode, body)
	}
}
