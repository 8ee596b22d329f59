package server

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/umap"
)

// uMap: full map backups to import (/umap/{map}.umap) and the remote-data endpoint their live layers fetch
// (/umap/data/{dataset}.geojson?bbox={bbox}&zoom={zoom}).
//
// The remote-data endpoint answers at most umap.DefaultFeatureCap features. Above that it answers 413 with a
// problem document naming the count and what to do, rather than a partial layer: uMap then shows its "Cannot
// load remote data for layer …" alert and keeps the features it already shows (modules/data/layer.js getUrl
// never clears a layer on an error), whereas an empty or truncated 200 would silently show a wrong map. Live
// exports set each dynamic layer's fromZoom so that uMap does not ask at zooms where the cap would bite.
func (s *Server) routesUMap(get func(string, echo.HandlerFunc)) {
	get("/umap", s.umapMaps)
	get("/umap/data/:file", s.umapData)
	get("/umap/datasets/:file", s.umapDatasetBackup)
	get("/umap/:file", s.umapBackup)
}

// umapMaps lists the maps /umap/{map}.umap serves.
func (s *Server) umapMaps(c echo.Context) error {
	maps, err := umap.DefaultMaps()
	if err != nil {
		return err
	}
	base := s.baseURL(c)
	type entry struct {
		Slug     string   `json:"slug"`
		Name     string   `json:"name"`
		Datasets []string `json:"datasets"`
		Snapshot string   `json:"snapshot"`
		Live     string   `json:"live"`
	}
	out := []entry{}
	slugs := make([]string, 0, len(maps))
	for k := range maps {
		slugs = append(slugs, k)
	}
	sort.Strings(slugs)
	all, err := s.catalogue(c.Request().Context())
	if err != nil {
		return err
	}
	add := func(m umap.Map) {
		ds, _, err := m.Resolve(all)
		if err != nil {
			return // a shipped map none of whose datasets is imported here
		}
		e := entry{Slug: m.Slug, Name: m.Name, Snapshot: base + "/umap/" + m.Slug + ".umap", Live: base + "/umap/" + m.Slug + ".umap?mode=live"}
		for _, d := range ds {
			e.Datasets = append(e.Datasets, d.ID)
		}
		out = append(out, e)
	}
	for _, k := range slugs {
		add(maps[k])
	}
	add(umap.Map{Slug: umap.AllSlug, Name: "Tous les jeux de données", Datasets: []string{"*"}})
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.JSON(http.StatusOK, map[string]any{"maps": out,
		"help": "uMap: Import data → choose the .umap file → Full map backup. ?mode=live makes layers fetch the current data from this server; ?budget=BYTES sizes a snapshot."})
}

// umapBackup answers /umap/{map}.umap: ?mode=snapshot (default) or live, ?budget=BYTES for snapshots.
func (s *Server) umapBackup(c echo.Context) error {
	file := c.Param("file")
	slug, ok := strings.CutSuffix(file, ".umap")
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound, fmt.Sprintf("no %q: maps are /umap/{map}.umap; GET /umap lists them", file))
	}
	return s.serveUMap(c, slug, "/umap/"+slug+".umap", func(all []store.Dataset) (umap.Map, error) { return umap.FindMap(slug, all) })
}

// umapDatasetBackup answers /umap/datasets/{id}.umap: a map of one dataset, as the dataset pages offer it.
func (s *Server) umapDatasetBackup(c echo.Context) error {
	file := c.Param("file")
	id, ok := strings.CutSuffix(file, ".umap")
	if !ok || store.ValidateID(id) != nil {
		return echo.NewHTTPError(http.StatusNotFound, fmt.Sprintf("no %q: a dataset's map is /umap/datasets/{id}.umap", file))
	}
	return s.serveUMap(c, id, "/umap/datasets/"+id+".umap", func(all []store.Dataset) (umap.Map, error) {
		for _, d := range all {
			if d.ID == id {
				return umap.DatasetsMap(d.Title, []string{id}), nil
			}
		}
		return umap.Map{}, fmt.Errorf("%w: no dataset %q", umap.ErrNoMap, id)
	})
}

// serveUMap builds the map find returns (snapshot or live, ?mode=, ?budget=) and sends it as a file.
func (s *Server) serveUMap(c echo.Context, slug, path string, find func([]store.Dataset) (umap.Map, error)) error {
	opt := umap.Options{}
	switch mode := c.QueryParam("mode"); mode {
	case "", "snapshot":
	case "live":
		opt.Mode = umap.Live
	default:
		return badRequest(fmt.Sprintf("mode=%s: the modes are snapshot (features inside) and live (layers fetch from this server)", mode))
	}
	if raw := c.QueryParam("budget"); raw != "" {
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n < 10_000 || n > 200<<20 {
			return badRequest(fmt.Sprintf("budget=%s: give a size in bytes between 10000 and %d", raw, 200<<20))
		}
		opt.Budget = n
	}
	ctx := c.Request().Context()
	sn, err := s.store.Snapshot(ctx)
	if err != nil {
		return err
	}
	defer sn.Close()
	all, err := sn.Datasets(ctx)
	if err != nil {
		return err
	}
	m, err := find(all)
	if errors.Is(err, umap.ErrNoMap) {
		return echo.NewHTTPError(http.StatusNotFound, err.Error()+"; GET /umap lists them")
	} else if err != nil {
		return err
	}
	ds, _, err := m.Resolve(all)
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound, err.Error())
	}
	base := s.baseURL(c)
	opt.BaseURL, opt.URI = base, base+path

	h := sha256.New()
	var modified time.Time
	fmt.Fprintf(h, "%s;%d;%d;%s;", slug, opt.Mode, opt.Budget, base)
	for _, d := range ds {
		fmt.Fprintf(h, "%s:%d;", d.ID, d.Version)
		if d.ImportedAt.After(modified) {
			modified = d.ImportedAt
		}
	}
	if checkETag(c, `W/"umap-`+hex.EncodeToString(h.Sum(nil))[:16]+`"`, modified) {
		return c.NoContent(http.StatusNotModified)
	}
	b, rep, err := umap.Build(ctx, sn, m, ds, opt)
	if err != nil {
		if errors.Is(err, umap.ErrOverBudget) {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge, err.Error()+" (here: ?budget=BYTES or ?mode=live)")
		}
		return err
	}
	out, err := b.Marshal()
	if err != nil {
		return err
	}
	hd := c.Response().Header()
	hd.Set("Content-Disposition", `attachment; filename="`+slug+`.umap"`)
	for _, w := range rep.Warnings {
		hd.Add("Warning", `299 patrimap "`+strings.ReplaceAll(w, `"`, `'`)+`"`)
	}
	return c.Blob(http.StatusOK, "application/json", out)
}

// umapData answers a live uMap layer: /umap/data/{dataset}.geojson with optional bbox=west,south,east,north
// (uMap's {bbox}), zoom (uMap's {zoom}: outlines simplified to half a pixel at that zoom), limit (at most the
// cap) and fields: all (every column), a comma-separated list (the columns a thematic layer draws), or by
// default the columns the popups use. Features without geometry are left out: uMap cannot place them (its
// import alerts "Skipping unknown geometry.type" for each).
func (s *Server) umapData(c echo.Context) error {
	file := c.Param("file")
	id, ok := strings.CutSuffix(file, ".geojson")
	if !ok || store.ValidateID(id) != nil {
		return echo.NewHTTPError(http.StatusNotFound, fmt.Sprintf("no %q: layers are /umap/data/{dataset}.geojson; GET /datasets lists the datasets", file))
	}
	q := store.Query{}
	if raw := c.QueryParam("bbox"); raw != "" {
		b, err := umapBBox(raw)
		if err != nil {
			return badRequest(err.Error())
		}
		q.BBox = &b
	}
	tolerance, zoomKey := 0.0, "-"
	if raw := c.QueryParam("zoom"); raw != "" {
		z, err := strconv.ParseFloat(raw, 64) // uMap sends fractional zooms with zoomSnap < 1
		if err != nil || z < 0 || z > 30 {
			return badRequest(fmt.Sprintf("zoom=%s: a web-map zoom level, 0..30", raw))
		}
		tolerance, zoomKey = umap.HalfPixel(int(math.Floor(z))), strconv.Itoa(int(math.Floor(z)))
	}
	limit := umap.DefaultFeatureCap
	if raw := c.QueryParam("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > umap.DefaultFeatureCap {
			return badRequest(fmt.Sprintf("limit=%s: between 1 and %d", raw, umap.DefaultFeatureCap))
		}
		limit = n
	}
	ctx := c.Request().Context()
	sn, d, err := s.openDataset(ctx, id)
	if err != nil {
		return err
	}
	defer sn.Close()
	switch raw := c.QueryParam("fields"); raw {
	case "all":
	case "":
		q.Select = umap.FieldsFor(d)
	default:
		for _, name := range strings.Split(raw, ",") {
			if _, ok := d.Field(name); !ok {
				return badRequest(fmt.Sprintf("fields=%s: %s has no column %q (fields=all sends every column)", raw, d.ID, name))
			}
			q.Select = append(q.Select, name)
		}
	}
	key := sha256.Sum256([]byte(c.QueryParam("bbox") + "|" + zoomKey + "|" + strconv.Itoa(limit) + "|" + c.QueryParam("fields")))
	if checkETag(c, fmt.Sprintf(`W/"%s-v%d-umap-%s"`, d.ID, d.Version, hex.EncodeToString(key[:6])), d.ImportedAt) {
		return c.NoContent(http.StatusNotModified)
	}
	fields := d.Fields
	if q.Select != nil {
		want := map[string]bool{}
		for _, f := range q.Select {
			want[f] = true
		}
		fields = nil
		for _, f := range d.Fields {
			if want[f.Name] {
				fields = append(fields, f)
			}
		}
	}
	var feats [][]byte
	errCap := errors.New("over the cap")
	err = sn.Features(ctx, d, q, func(f *store.Feature) error {
		if f.Geometry == nil {
			return nil
		}
		if len(feats) == limit {
			return errCap // one over: the cap bites
		}
		feats = append(feats, umap.AppendRemoteFeature(nil, f.FID, f.Geometry, tolerance, fields, f.Values))
		return nil
	})
	if errors.Is(err, errCap) {
		n, err := sn.Count(ctx, d, q)
		if err != nil {
			return err
		}
		if q.BBox == nil {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge, fmt.Sprintf(
				"%d features in %s, more than the %d patrimap sends to uMap at once: the layer grew since its map was exported; export the map again (it will fetch the layer per view), or download /datasets/%s.geojson",
				n, d.ID, limit, d.ID))
		}
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, fmt.Sprintf(
			"%d features of %s in this view, more than the %d patrimap sends to uMap at once: zoom in (a live export hides the layer below the zoom where a %d×%d px view can hold more, computed from the data when the map was exported: export it again if the layer grew), pass a smaller bbox, or download /datasets/%s.geojson",
			n, d.ID, limit, umap.ViewWidth, umap.ViewHeight, d.ID))
	}
	if err != nil {
		return err
	}
	r := c.Response()
	r.Header().Set(echo.HeaderContentType, "application/geo+json")
	r.WriteHeader(http.StatusOK)
	if c.Request().Method == http.MethodHead {
		return nil
	}
	w := bufio.NewWriterSize(r, 64<<10)
	fmt.Fprintf(w, `{"type":"FeatureCollection","name":%q,"numberReturned":%d,"features":[`, d.ID, len(feats))
	for i, f := range feats {
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteByte('\n')
		w.Write(f)
	}
	w.WriteString("\n]}\n")
	return w.Flush()
}

// umapBBox reads uMap's {bbox}: west,south,east,north as Leaflet's map bounds give them, which run past
// ±180° when the world is zoomed out or panned across the antimeridian; those are clamped to the world.
func umapBBox(raw string) (orb.Bound, error) {
	expect := "bbox must be west,south,east,north in WGS84 degrees (uMap's {bbox}), e.g. bbox=5.6,45.1,5.8,45.3"
	parts := strings.Split(raw, ",")
	if len(parts) != 4 {
		return orb.Bound{}, fmt.Errorf("%s: got %d numbers", expect, len(parts))
	}
	var v [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return orb.Bound{}, fmt.Errorf("%s: %q is not a number", expect, p)
		}
		v[i] = f
	}
	w, s, e, n := v[0], v[1], v[2], v[3]
	if s > n || w > e {
		return orb.Bound{}, fmt.Errorf("%s: south (%v) must not exceed north (%v), nor west (%v) east (%v)", expect, s, n, w, e)
	}
	if e-w >= 360 {
		w, e = -180, 180
	}
	clamp := func(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }
	return orb.Bound{Min: orb.Point{clamp(w, -180, 180), clamp(s, -90, 90)}, Max: orb.Point{clamp(e, -180, 180), clamp(n, -90, 90)}}, nil
}
