package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/culture"
	"github.com/patrimap/patrimap/importers/territory"
	"github.com/patrimap/patrimap/static"
	"github.com/patrimap/patrimap/store"
)

// dossierFixture holds the monuments historiques of Isère, a natural layer and the contours of Isère's communes.
func dossierFixture(t *testing.T) *fixture {
	t.Helper()
	fx := newFixture(t)
	ctx := context.Background()
	ref, err := territory.LoadReference()
	if err != nil {
		t.Fatal(err)
	}
	list, _ := culture.ListByKey("merimee")
	f, err := culture.Open("../testdata/culture/merimee-isere-camlebrun.csv", list)
	if err != nil {
		t.Fatal(err)
	}
	_, err = importers.Run(ctx, fx.st, importers.Job{
		Info:   store.DatasetInfo{ID: "merimee-isere", Title: list.Title, Theme: store.ThemeCultural, Producer: list.Producer, Licence: "Licence Ouverte 2.0"},
		Fields: f.Fields(), Report: &importers.Report{Source: "merimee-isere-camlebrun.csv", Format: f.Format()},
		Source: &culture.Source{File: f, Reference: ref},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := fx.importFile(t, "apb-isere", "../testdata/apb-isere.geojson"); err != nil {
		t.Fatal(err)
	}
	c, err := territory.ReadContours("../testdata/territory/contours/communes-38-isere.geojson.gz", ref)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&territory.CommuneContours{Store: fx.st, Reference: ref}).Load(ctx, c); err != nil {
		t.Fatal(err)
	}
	return fx
}

func TestDossierRoutes(t *testing.T) {
	fx := dossierFixture(t)

	res, body := fx.get(t, "/territories?f=json")
	var list struct {
		Territories []struct {
			Spec string `json:"spec"`
			Name string `json:"name"`
			Rows int64  `json:"rows"`
			Href string `json:"href"`
		} `json:"territories"`
	}
	if res.StatusCode != http.StatusOK || json.Unmarshal(body, &list) != nil || len(list.Territories) == 0 {
		t.Fatalf("/territories: %d %s", res.StatusCode, body)
	}
	// 326: three of the 329 monuments have the code of a commune merged since (the list gives the code at the
	// time of the protection), which the list of territories cannot place.
	if first := list.Territories[0]; first.Spec != "dep:38" || first.Name != "Isère" || first.Rows != 326 || first.Href != "/territories/dep:38" {
		t.Errorf("first territory %+v; want Isère with 326 of its monuments", first)
	}
	res, body = fx.get(t, "/territories", "Accept", "text/html")
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `href="/territories/epci:200040715"`) {
		t.Errorf("/territories page: %d", res.StatusCode)
	}

	res, body = fx.get(t, "/territories/epci:200040715", "Accept", "text/html")
	page := string(body)
	if res.StatusCode != http.StatusOK || !strings.Contains(page, `<h1 id="dossier-title">Grenoble-Alpes-Métropole</h1>`) ||
		!strings.Contains(page, `data-figure="count:merimee-isere"`) || !strings.Contains(page, `src="/static/vendor/plot.umd.min.js"`) {
		t.Errorf("dossier page: %d\n%s", res.StatusCode, page[:min(len(page), 600)])
	}
	if _, body = fx.get(t, "/territories/epci:200040715?lang=en"); !strings.Contains(string(body), `<html lang="en">`) || !strings.Contains(string(body), "Heritage dossier") {
		t.Error("?lang=en is not the English page")
	}

	res, body = fx.get(t, "/territories/epci:200040715.json")
	var d struct {
		Territory struct {
			Communes []any   `json:"communes"`
			AreaHa   float64 `json:"area_ha"`
		} `json:"territory"`
		Monuments struct {
			Total int `json:"total"`
		} `json:"monuments"`
		Charts []struct {
			ID string `json:"id"`
		} `json:"charts"`
	}
	if res.StatusCode != http.StatusOK || json.Unmarshal(body, &d) != nil {
		t.Fatalf(".json: %d %s", res.StatusCode, body)
	}
	if len(d.Territory.Communes) != 49 || d.Territory.AreaHa < 50000 || d.Territory.AreaHa > 60000 || d.Monuments.Total == 0 || len(d.Charts) < 3 {
		t.Errorf("figures: %d communes, %.0f ha, %d monuments, %d charts; want the métropole's 49 communes (about 546 km²)",
			len(d.Territory.Communes), d.Territory.AreaHa, d.Monuments.Total, len(d.Charts))
	}

	res, body = fx.get(t, "/territories/epci:200040715/monuments-by-commune.csv")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), "insee,commune,classe,inscrit,classe_et_inscrit,protection_inconnue,total\n38185,Grenoble,") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "grenoble-alpes-metropole-monuments-by-commune.csv") {
		t.Errorf("CSV: %d %q %s", res.StatusCode, res.Header.Get("Content-Disposition"), body[:min(len(body), 200)])
	}

	for _, tc := range []struct {
		path   string
		status int
		says   string
	}{
		{"/territories/epci:200040715/nothing.csv", 404, "monuments-by-commune.csv"},
		{"/territories/dep:99", 404, "unknown département 99"},
		{"/territories/canton:12", 400, "unknown kind"},
		{"/territories/at?lon=5.7357&lat=45.1866", 400, "zoom must be a number"},
		{"/territories/at?lon=2.35&lat=48.85&zoom=10", 404, "no inventory row near this place"},
	} {
		res, body := fx.get(t, tc.path)
		if res.StatusCode != tc.status || !strings.Contains(string(body), tc.says) {
			t.Errorf("%s: %d %s; want %d saying %q", tc.path, res.StatusCode, body, tc.status, tc.says)
		}
	}
	for zoom, want := range map[string]string{"6": "/territories/dep:38", "10": "/territories/epci:200040715", "13": "/territories/commune:38185"} {
		res, _ := fx.get(t, "/territories/at?lon=5.7357&lat=45.1866&zoom="+zoom)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want {
			t.Errorf("at zoom %s: %d → %q; want %s", zoom, res.StatusCode, res.Header.Get("Location"), want)
		}
	}
}

// Requests for a dossier being computed wait for it: eight at once (the page, its JSON, its CSVs) compute it
// once, and all get the same dossier; another territory is computed apart, a dossier made once is kept.
func TestDossierComputedOnce(t *testing.T) {
	fx := dossierFixture(t)
	s := New(fx.st, slog.New(slog.NewTextHandler(io.Discard, nil)), static.Files)
	e := echo.New()
	h := s.routesDossier(func(path string, fn echo.HandlerFunc) { e.GET(path, fn) })
	srv := httptest.NewServer(e)
	defer srv.Close()

	const requests = 8
	// The first computation waits until the other seven requests wait for it (or 30 s, when they do not: they
	// then compute it themselves, which the count below shows).
	h.onBuild = func(key string) {
		for deadline := time.Now().Add(30 * time.Second); h.waiting(key) < requests-1 && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
	}
	paths := []string{"/territories/epci:200040715.json", "/territories/epci:200040715", "/territories/epci:200040715/monuments-by-commune.csv"}
	type answer struct {
		status int
		body   []byte
		err    error
	}
	answers := make([]answer, requests)
	var wg sync.WaitGroup
	for i := range requests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := paths[0]
			if i%2 == 1 { // the JSON by every other request: their bodies are compared
				path = paths[1+i/2%2]
			}
			res, err := http.Get(srv.URL + path)
			if err != nil {
				answers[i].err = err
				return
			}
			defer res.Body.Close()
			answers[i].status = res.StatusCode
			answers[i].body, answers[i].err = io.ReadAll(res.Body)
		}()
	}
	wg.Wait()
	for i, a := range answers {
		if a.err != nil || a.status != http.StatusOK {
			t.Fatalf("request %d: %d %v %s", i, a.status, a.err, a.body)
		}
		if i%2 == 0 && !bytes.Equal(a.body, answers[0].body) {
			t.Errorf("request %d got another dossier than request 0 (made at another time?)", i)
		}
	}
	if n := h.builds.Load(); n != 1 {
		t.Errorf("%d requests at once computed the dossier %d times; want once", requests, n)
	}

	h.onBuild = nil
	for _, path := range []string{"/territories/epci:200040715.json", "/territories/commune:38185.json", "/territories/commune:38185/monuments-by-commune.csv"} {
		if res, err := http.Get(srv.URL + path); err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %v %v", path, res, err)
		} else {
			res.Body.Close()
		}
	}
	if n := h.builds.Load(); n != 2 {
		t.Errorf("%d computations; want 2: Grenoble-Alpes-Métropole's kept, Grenoble's made once", n)
	}
}
