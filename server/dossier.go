package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/dossier"
	"github.com/patrimap/patrimap/importers/territory"
	"github.com/patrimap/patrimap/sheet"
)

// The territory dossiers: GET /territories lists the territories the store's inventories cover,
// /territories/at?lon=&lat=&zoom= sends the web map to the dossier of the territory it shows,
// /territories/{spec} is a dossier's page (?lang=en), /territories/{spec}.json its figures and
// /territories/{spec}/{chart}.csv a chart's data. Contours come from the store's territory cache only: the
// server never waits for the geo API (`patrimap dossier` fetches and caches them).

// dossiers computes dossiers and keeps the last few: a dossier of a département takes seconds (its natural
// areas), and stays right as long as the catalogue and the contours do. Requests for a dossier being computed
// wait for it rather than compute it again: the page, its JSON and its CSVs come together, and a link shared
// in a meeting is opened by everyone at once.
type dossiers struct {
	s        *Server
	builder  dossier.Builder // keeps PROJ's transformation from one dossier to the next
	mu       sync.Mutex
	hot      []cachedDossier
	flights  map[string]*flight // the dossiers being computed, by cache key
	building chan struct{}      // a token per dossier being computed (maxBuilding)
	builds   atomic.Int64       // dossiers computed
	// onBuild, when set, is called before a dossier is computed: tests hold the computation there until the
	// requests they make at once are all waiting.
	onBuild func(key string)
}

// flight is one computation of a dossier, and the requests waiting for it.
type flight struct {
	done    chan struct{} // closed when d and err are set
	d       *dossier.Dossier
	err     error
	waiters int
}

type cachedDossier struct {
	key string
	d   *dossier.Dossier
}

// maxCachedDossiers bounds the memory the cache holds (a dossier of a département is a few hundred kB).
const maxCachedDossiers = 8

func (s *Server) routesDossier(get func(string, echo.HandlerFunc)) *dossiers {
	h := &dossiers{s: s, flights: map[string]*flight{}, building: make(chan struct{}, maxBuilding)}
	get("/territories", h.list)
	get("/territories/at", h.at)
	get("/territories/:spec", h.page)
	get("/territories/:spec/:chart", h.chart)
	return h
}

// territory reads the {spec} of a path: a malformed spec is a 400, an unknown code a 404.
func (h *dossiers) territory(raw string) (*territory.Territory, *territory.Reference, error) {
	spec, err := url.PathUnescape(raw)
	if err != nil {
		return nil, nil, badRequest(fmt.Sprintf("territory %q: %v", raw, err))
	}
	ref, err := territory.LoadReference()
	if err != nil {
		return nil, nil, err
	}
	sp, err := territory.ParseSpec(spec)
	if err != nil {
		return nil, nil, badRequest(err.Error() + " (GET /territories lists those the store covers)")
	}
	t, err := ref.Communes(sp)
	if err != nil {
		return nil, nil, echo.NewHTTPError(http.StatusNotFound, err.Error())
	}
	return t, ref, nil
}

// get returns the dossier of t, from the cache when the catalogue has not changed since it was made, else
// computed once for all the requests that ask for it meanwhile. The computation goes on when the request that
// started it goes away (the others, and the cache, want it); a waiting request leaves when its own does.
func (h *dossiers) get(ctx context.Context, t *territory.Territory, ref *territory.Reference) (*dossier.Dossier, error) {
	k, err := h.key(ctx, t)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	for _, c := range h.hot {
		// A dossier that lacked contours is made again: they may have been loaded since.
		if c.key == k && len(c.d.Territory.ContoursMissing) == 0 {
			h.mu.Unlock()
			return c.d, nil
		}
	}
	if f, ok := h.flights[k]; ok {
		f.waiters++
		h.mu.Unlock()
		select {
		case <-f.done:
			return f.d, f.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f := &flight{done: make(chan struct{})}
	h.flights[k] = f
	h.mu.Unlock()
	defer func() {
		if f.d == nil && f.err == nil { // Build panicked: the waiters get an error, not a nil dossier
			f.err = fmt.Errorf("dossier of %s: its computation stopped", t.Spec)
		}
		h.mu.Lock()
		delete(h.flights, k)
		if f.err == nil && f.d != nil {
			h.hot = append(h.hot, cachedDossier{key: k, d: f.d})
			if len(h.hot) > maxCachedDossiers {
				h.hot = h.hot[1:]
			}
		}
		h.mu.Unlock()
		close(f.done)
	}()
	if h.onBuild != nil {
		h.onBuild(k)
	}
	f.d, f.err = h.build(context.WithoutCancel(ctx), t, ref)
	if f.err != nil {
		f.err = fmt.Errorf("dossier of %s: %w", t.Spec, f.err)
	}
	return f.d, f.err
}

// maxBuilding bounds the dossiers computed at once. Each holds a snapshot (a connection of the store's pool)
// and reads the contours through another: as many computations as connections would wait for each other
// for ever. The computation is CPU-bound anyway (the overlay uses a few cores).
const maxBuilding = 2

// build computes a dossier in its own snapshot, when fewer than maxBuilding are computed.
func (h *dossiers) build(ctx context.Context, t *territory.Territory, ref *territory.Reference) (*dossier.Dossier, error) {
	h.building <- struct{}{}
	defer func() { <-h.building }()
	h.builds.Add(1)
	sn, err := h.s.store.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	defer sn.Close()
	contours := &territory.CommuneContours{Store: readOnlyCache{h.s.store}, Reference: ref}
	return h.builder.Build(ctx, sn, contours, t, ref)
}

// key names a dossier of t in the cache: the territory and the version of every dataset. (When an import
// lands between the key and the computation, the dossier is newer than its key: the next request, with the
// new key, computes it again.)
func (h *dossiers) key(ctx context.Context, t *territory.Territory) (string, error) {
	sn, err := h.s.store.Snapshot(ctx)
	if err != nil {
		return "", err
	}
	defer sn.Close()
	ds, err := sn.Datasets(ctx)
	if err != nil {
		return "", err
	}
	var key strings.Builder
	key.WriteString(territory.CacheKey(t.Spec))
	for _, d := range ds {
		fmt.Fprintf(&key, "|%s@%d", d.ID, d.Version)
	}
	return key.String(), nil
}

// waiting is how many requests wait for the dossier being computed under key.
func (h *dossiers) waiting(key string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if f, ok := h.flights[key]; ok {
		return f.waiters
	}
	return 0
}

// page answers /territories/{spec}, {spec}.json and {spec}.html.
func (h *dossiers) page(c echo.Context) error {
	raw := c.Param("spec")
	format := ""
	switch {
	case strings.HasSuffix(raw, ".json"):
		raw, format = strings.TrimSuffix(raw, ".json"), formatJSON
	case strings.HasSuffix(raw, ".html"):
		raw, format = strings.TrimSuffix(raw, ".html"), formatHTML
	default:
		// A browser gets the page, a client asking for JSON the figures.
		f, err := negotiate(c)
		if err != nil {
			return err
		}
		format = f
		if c.QueryParam("f") == "" && !strings.Contains(c.Request().Header.Get("Accept"), "json") {
			format = formatHTML
		}
	}
	t, ref, err := h.territory(raw)
	if err != nil {
		return err
	}
	d, err := h.get(c.Request().Context(), t, ref)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	var buf bytes.Buffer
	if format == formatJSON {
		if err := d.JSON(&buf); err != nil {
			return err
		}
		return c.Blob(http.StatusOK, "application/json", buf.Bytes())
	}
	if err := d.HTML(&buf, dossier.Page{Lang: pageLang(c)}); err != nil {
		return err
	}
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}

// chart answers /territories/{spec}/{chart}.csv.
func (h *dossiers) chart(c echo.Context) error {
	id, ok := strings.CutSuffix(c.Param("chart"), ".csv")
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound, "a dossier's charts are /territories/{spec}/{chart}.csv")
	}
	t, ref, err := h.territory(c.Param("spec"))
	if err != nil {
		return err
	}
	d, err := h.get(c.Request().Context(), t, ref)
	if err != nil {
		return err
	}
	ch, ok := d.Chart(id)
	if !ok {
		var ids []string
		for _, x := range d.Charts {
			ids = append(ids, x.ID+".csv")
		}
		return echo.NewHTTPError(http.StatusNotFound, fmt.Sprintf("no chart %q in this dossier; it has %s", id, strings.Join(ids, ", ")))
	}
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s.csv"`, territory.Slug(d.Territory.Name), id))
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", ch.CSV())
}

// at sends the web map's "dossier of the territory in view" link to a dossier.
func (h *dossiers) at(c echo.Context) error {
	num := func(name string, lo, hi float64) (float64, error) {
		v, err := strconv.ParseFloat(c.QueryParam(name), 64)
		if err != nil || v < lo || v > hi {
			return 0, badRequest(fmt.Sprintf("territories/at: %s must be a number from %g to %g, got %q (e.g. /territories/at?lon=5.72&lat=45.19&zoom=10)", name, lo, hi, c.QueryParam(name)))
		}
		return v, nil
	}
	lon, err := num("lon", -180, 180)
	if err != nil {
		return err
	}
	lat, err := num("lat", -90, 90)
	if err != nil {
		return err
	}
	zoom, err := num("zoom", 0, 24)
	if err != nil {
		return err
	}
	ref, err := territory.LoadReference()
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	sn, err := h.s.store.Snapshot(ctx)
	if err != nil {
		return err
	}
	defer sn.Close()
	spec, err := dossier.Locate(ctx, sn, ref, orb.Point{lon, lat}, zoom)
	if errors.Is(err, dossier.ErrNoTerritory) {
		return echo.NewHTTPError(http.StatusNotFound, "no inventory row near this place: GET /territories lists the territories the store covers")
	}
	if err != nil {
		return err
	}
	target := dossier.Path(spec.String())
	if pageLang(c) == "en" {
		target += "?lang=en"
	}
	return c.Redirect(http.StatusSeeOther, target)
}

var territoriesTemplate = template.Must(template.New("territories").Parse(`<!doctype html>
<html lang="{{.L}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{if eq .L "en"}}Territories{{else}}Territoires{{end}} – patrimap</title>
<link rel="stylesheet" href="/static/style.css"><link rel="stylesheet" href="/static/dossier.css">
<link rel="alternate" type="application/json" href="/territories?f=json"></head>
<body class="dossier-page"><header class="dossier-header"><nav><a href="/?lang={{.L}}">patrimap</a> › {{if eq .L "en"}}Territories{{else}}Territoires{{end}}</nav>
<a class="button" href="/territories?lang={{if eq .L "en"}}fr" hreflang="fr" lang="fr">Français{{else}}en" hreflang="en" lang="en">English{{end}}</a></header>
<main class="dossier"><h1>{{if eq .L "en"}}Heritage dossiers of the territories{{else}}Dossiers patrimoniaux des territoires{{end}}</h1>
<p>{{if eq .L "en"}}The territories whose communes have rows in the store's inventories. Any other: /territories/epci:SIREN, /territories/dep:CODE, /territories/commune:INSEE.{{else}}Les territoires dont des communes ont des lignes dans les inventaires de la base. Tout autre : /territories/epci:SIREN, /territories/dep:CODE, /territories/commune:INSEE.{{end}}</p>
{{range .Groups}}{{if .Items}}<h2>{{.Title}}</h2><ul>{{range .Items}}<li><a href="{{.Path}}{{if eq $.L "en"}}?lang=en{{end}}">{{.Name}}</a> <code>{{.Spec}}</code> – {{.Rows}} {{if eq $.L "en"}}rows{{else}}lignes{{end}}</li>{{end}}</ul>{{end}}{{end}}
</main></body></html>`))

// list answers /territories: JSON, or a page for a browser.
func (h *dossiers) list(c echo.Context) error {
	ctx := c.Request().Context()
	ref, err := territory.LoadReference()
	if err != nil {
		return err
	}
	sn, err := h.s.store.Snapshot(ctx)
	if err != nil {
		return err
	}
	defer sn.Close()
	ts, err := dossier.Territories(ctx, sn, ref)
	if err != nil {
		return err
	}
	format, err := negotiate(c)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	if format == formatJSON {
		if ts == nil {
			ts = []dossier.Covered{}
		}
		return c.JSON(http.StatusOK, map[string]any{"territories": ts, "generated_at": time.Now().UTC()})
	}
	l := pageLang(c)
	type group struct {
		Title string
		Items []dossier.Covered
	}
	titles := map[string][2]string{territory.KindDep: {"Départements", "Départements"}, territory.KindEPCI: {"Intercommunalités (EPCI)", "Intercommunal bodies (EPCI)"},
		territory.KindCommune: {"Communes", "Communes"}}
	var groups []group
	for _, k := range []string{territory.KindDep, territory.KindEPCI, territory.KindCommune} {
		g := group{Title: titles[k][0]}
		if l == "en" {
			g.Title = titles[k][1]
		}
		for _, t := range ts {
			if t.Kind == k {
				g.Items = append(g.Items, t)
			}
		}
		groups = append(groups, g)
	}
	var buf bytes.Buffer
	if err := territoriesTemplate.Execute(&buf, map[string]any{"L": l, "Groups": groups}); err != nil {
		return err
	}
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}

// readOnlyCache reads the store's territory cache for the dossier; the server never writes the store (contours
// are loaded by the command line, and CommuneContours without Boundaries fetches nothing to keep).
type readOnlyCache struct{ sheet.Reader }

func (readOnlyCache) Remember(context.Context, string, string, []byte) error {
	return errors.New("the server does not write the store: load contours with patrimap dossier --contours FILE")
}
