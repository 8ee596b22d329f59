package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/patrimap/patrimap/importers"
	gj "github.com/patrimap/patrimap/importers/geojson"
	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/memory"
	"github.com/patrimap/patrimap/store/spatialite"
)

// The stores the server is given, and what it asks of each.
var (
	_ Catalog = (*memory.Store)(nil)
	_ Catalog = (*spatialite.Store)(nil)
)

// memoryFixture serves an in-memory store holding the national nature reserves (rnn) and the biotope orders
// (apb) of Isère, imported by the real pipeline.
func memoryFixture(t *testing.T) (*fixture, *memory.Store) {
	t.Helper()
	st := memory.New()
	for id, path := range map[string]string{"rnn": rnn, "apb": "../testdata/apb-isere.geojson"} {
		f, err := gj.Open(path, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = importers.Run(context.Background(), st, importers.Job{
			Info:   store.DatasetInfo{ID: id, Title: id, Producer: "INPN", Theme: store.ThemeNatural},
			Source: f, Report: &importers.Report{Source: path, Format: "GeoJSON"},
		})
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return serve(t, st), st
}

type itemsPage struct {
	NumberMatched  int64 `json:"numberMatched"`
	NumberReturned int64 `json:"numberReturned"`
	Features       []struct {
		ID         int64          `json:"id"`
		Properties map[string]any `json:"properties"`
	}
	Links []link
}

func (fx *fixture) page(t *testing.T, path string) itemsPage {
	t.Helper()
	res, body := fx.get(t, path)
	var p itemsPage
	if err := json.Unmarshal(body, &p); err != nil || res.StatusCode != 200 {
		t.Fatalf("%s: %d %.300s", path, res.StatusCode, body)
	}
	return p
}

// The OGC API on the in-memory store: the catalogue, pages that follow their next links, a CQL2 filter.
func TestHandlersOnMemoryStore(t *testing.T) {
	fx, _ := memoryFixture(t)
	var cols struct{ Collections []struct{ ID string } }
	res, body := fx.get(t, "/collections", "Accept", "application/json")
	json.Unmarshal(body, &cols)
	if res.StatusCode != 200 || len(cols.Collections) != 2 || cols.Collections[0].ID != "apb" || cols.Collections[1].ID != "rnn" {
		t.Errorf("collections: %d %.300s", res.StatusCode, body)
	}

	seen := map[int64]bool{}
	path := "/collections/rnn/items?limit=4"
	for pages := 0; path != "" && pages < 10; pages++ {
		p := fx.page(t, path)
		if p.NumberMatched != 15 || (p.NumberReturned != 4 && p.NumberReturned != 3) {
			t.Errorf("%s: matched %d, returned %d", path, p.NumberMatched, p.NumberReturned)
		}
		for _, f := range p.Features {
			if seen[f.ID] {
				t.Errorf("feature %d on two pages", f.ID)
			}
			seen[f.ID] = true
		}
		path = ""
		for _, l := range p.Links {
			if l.Rel == "next" {
				u, _ := url.Parse(l.Href)
				path = u.RequestURI()
			}
		}
	}
	if len(seen) != 15 {
		t.Errorf("the pages gave %d features, want 15", len(seen))
	}

	p := fx.page(t, "/collections/rnn/items?sortby=-SURF_OFF&filter="+url.QueryEscape("NOM_SITE LIKE 'Haut%' AND SURF_OFF > 100"))
	var names []string
	for _, f := range p.Features {
		names = append(names, f.Properties["NOM_SITE"].(string))
	}
	if p.NumberMatched != 4 || strings.Join(names, "|") != "Hauts Plateaux du Vercors|Hauts de Chartreuse|Haut-Rhône français|Haute vallée de la rivière de la Séveraisse" {
		t.Errorf("filter: %d matched: %q", p.NumberMatched, names)
	}
	// Files are written from the snapshot's features: any store gives them.
	if res, body := fx.get(t, "/datasets/rnn.gpkg"); res.StatusCode != 200 || !strings.HasPrefix(string(body), "SQLite format 3\x00") {
		t.Errorf("GeoPackage from the in-memory store: %d, %d bytes", res.StatusCode, len(body))
	}
}

// Every lookup of a dataset answers 404 for a dataset that is not there, and 500 (never 404) when the store
// is broken.
func TestNotFoundIsNotBroken(t *testing.T) {
	fx, st := memoryFixture(t)
	paths := []string{
		"/collections/%s", "/collections/%s/items", "/collections/%s/items/1", "/collections/%s/queryables",
		"/tiles/%s.json", "/tiles/%s/10/529/366.mvt", "/tiles/rnn,%s/10/529/366.mvt",
		"/datasets/%s", "/datasets/%s.geojson", "/datasets/%s.csv",
		"/umap/data/%s.geojson", "/umap/datasets/%s.umap",
	}
	for _, p := range paths {
		path := strings.Replace(p, "%s", "nope", 1)
		if res, body := fx.get(t, path); res.StatusCode != 404 {
			t.Errorf("%s: %d, want 404 (%.200s)", path, res.StatusCode, body)
		}
	}
	st.Fail(errors.New("disk gone"))
	for _, p := range paths {
		path := strings.Replace(p, "%s", "apb", 1)
		res, body := fx.get(t, path)
		var pb problem
		json.Unmarshal(body, &pb)
		if res.StatusCode != 500 || strings.Contains(pb.Detail, "disk gone") {
			t.Errorf("%s on a broken store: %d %q, want 500 without the internal error", path, res.StatusCode, pb.Detail)
		}
	}
	for _, path := range []string{"/collections", "/datasets", "/"} {
		if res, _ := fx.get(t, path, "Accept", "application/json"); res.StatusCode != 500 {
			t.Errorf("%s on a broken store: %d, want 500", path, res.StatusCode)
		}
	}
	if res, _ := fx.get(t, "/healthz"); res.StatusCode != 503 {
		t.Errorf("healthz on a broken store: %d, want 503", res.StatusCode)
	}
	st.Fail(nil)
	if res, _ := fx.get(t, "/collections/apb/items?limit=1"); res.StatusCode != 200 {
		t.Errorf("once the store works again: %d", res.StatusCode)
	}
}
