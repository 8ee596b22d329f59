package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/tiles"
)

// Vector tiles: /tiles/{dataset}/{z}/{x}/{y}.mvt (.pbf, .geojson), several datasets with /tiles/{a},{b}/...,
// and TileJSON at /tiles/{dataset}.json. See tiles/README-section.md for the rules.

// maxTileDatasets caps the datasets of one tile URL.
const maxTileDatasets = 8

// defaultTileCacheMB is the tile cache's size when $PATRIMAP_TILE_CACHE_MB does not set it.
const defaultTileCacheMB = 256

type tileService struct {
	s        *Server
	cache    *tiles.Cache
	renderer *tiles.Renderer
}

func (s *Server) routesTiles(get func(string, echo.HandlerFunc)) {
	mb := int64(defaultTileCacheMB)
	if v, err := strconv.ParseInt(os.Getenv("PATRIMAP_TILE_CACHE_MB"), 10, 64); err == nil && v >= 0 {
		mb = v
	}
	ts := &tileService{s: s, cache: tiles.NewCache(mb << 20), renderer: &tiles.Renderer{
		Repair: func(_ context.Context, g orb.Geometry) (orb.Geometry, error) { return s.topology.BufferZero(g) },
		Valid:  func(_ context.Context, g orb.Geometry) (bool, error) { return s.topology.Valid(g) },
	}}
	// A new catalogue frees the tiles of the versions it replaced at once.
	s.cat.onReload = func(v *catalogueView) {
		for _, d := range v.datasets {
			ts.cache.Retire(d.ID, d.Version)
		}
	}
	get("/tiles/:spec", ts.tileJSON)
	get("/tiles/:spec/:z/:x/:y", ts.tile)
}

// layers reads the datasets named in spec ("a" or "a,b") from the catalogue view.
func (ts *tileService) layers(v *catalogueView, spec string) ([]tiles.Layer, error) {
	ids := strings.Split(spec, ",")
	if len(ids) > maxTileDatasets {
		return nil, badRequest(fmt.Sprintf("%d datasets in one tile: at most %d", len(ids), maxTileDatasets))
	}
	out := make([]tiles.Layer, 0, len(ids))
	for i, id := range ids {
		if err := store.ValidateID(id); err != nil || slices.Contains(ids[:i], id) {
			return nil, echo.NewHTTPError(http.StatusNotFound, fmt.Sprintf("no dataset %q: GET /datasets lists them; several datasets are joined by commas, each once", id))
		}
		d, err := v.lookup(id)
		if err != nil {
			return nil, echo.NewHTTPError(http.StatusNotFound, fmt.Sprintf("no dataset %q: GET /datasets lists them", id))
		}
		out = append(out, tiles.NewLayer(d))
	}
	return out, nil
}

// versionTag is the v= parameter of tile URLs in TileJSON: it names the versions the tiles were made from.
func versionTag(layers []tiles.Layer) string {
	var b strings.Builder
	for i, l := range layers {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.FormatInt(l.Dataset.Version, 10))
	}
	return b.String()
}

func (ts *tileService) tileJSON(c echo.Context) error {
	spec, ok := strings.CutSuffix(c.Param("spec"), ".json")
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound, "tiles: TileJSON is at /tiles/{dataset}.json, tiles at /tiles/{dataset}/{z}/{x}/{y}.mvt")
	}
	v, err := ts.s.cat.current(c.Request().Context())
	if err != nil {
		return err
	}
	layers, err := ts.layers(v, spec)
	if err != nil {
		return err
	}
	tag := versionTag(layers)
	if checkETag(c, fmt.Sprintf(`W/"tilejson-r%d-%s-v%s"`, tiles.Revision, spec, tag), layers[0].Dataset.ImportedAt) {
		return c.NoContent(http.StatusNotModified)
	}
	tj := tiles.NewTileJSON(layers, ts.s.baseURL(c)+"/tiles/"+spec+"/{z}/{x}/{y}.mvt?v="+tag)
	return c.JSON(http.StatusOK, tj)
}

func (ts *tileService) tile(c echo.Context) error {
	y := c.Param("y")
	var format tiles.Format
	switch {
	case strings.HasSuffix(y, ".mvt"), strings.HasSuffix(y, ".pbf"):
		format = tiles.MVT
	case strings.HasSuffix(y, ".geojson"):
		format = tiles.GeoJSON
	default:
		return echo.NewHTTPError(http.StatusNotFound, fmt.Sprintf("tiles: %q: a tile is {y}.mvt, {y}.pbf or {y}.geojson", y))
	}
	y = y[:strings.LastIndexByte(y, '.')]
	t, err := tiles.ParseTile(c.Param("z"), c.Param("x"), y)
	switch {
	case errors.Is(err, tiles.ErrNoTile):
		return echo.NewHTTPError(http.StatusNotFound, err.Error())
	case err != nil:
		return badRequest(err.Error())
	}
	ctx := c.Request().Context()
	// A tile made while another process re-imported is made again from the new catalogue, once.
	for attempt := 0; ; attempt++ {
		err := ts.serveTile(c, t, format)
		if !errors.Is(err, errStaleView) || attempt > 0 {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// serveTile answers with tile t of the datasets of the URL, from the tile cache when it holds it: a warm tile
// costs no database query (the catalogue view is in memory).
func (ts *tileService) serveTile(c echo.Context, t maptile.Tile, format tiles.Format) error {
	ctx := c.Request().Context()
	v, err := ts.s.cat.current(ctx)
	if err != nil {
		return err
	}
	layers, err := ts.layers(v, c.Param("spec"))
	if err != nil {
		return err
	}
	key := tiles.NewKey(layers, t, format)
	h := c.Response().Header()
	tag := versionTag(layers)
	etag := `W/"tile-r` + strconv.Itoa(tiles.Revision) + "-" + strings.ReplaceAll(key.Datasets, "@", "-v") + "-" + string(format) +
		"-" + strconv.Itoa(int(t.Z)) + "-" + strconv.FormatUint(uint64(t.X), 10) + "-" + strconv.FormatUint(uint64(t.Y), 10) + `"`
	notModified := checkETag(c, etag, layers[0].Dataset.ImportedAt)
	// The answer depends on Accept-Encoding (the cached gzip is sent to those who take it).
	h.Add("Vary", "Accept-Encoding")
	// A URL naming the versions (TileJSON gives them) never changes: browsers keep it. Without it, clients
	// revalidate, and a re-import shows at once.
	if c.QueryParam("v") == tag {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, no-cache")
	}
	if notModified {
		return c.NoContent(http.StatusNotModified)
	}
	e, hit, err := ts.cache.Get(key, func() (*tiles.Entry, error) {
		sn, err := ts.s.store.Snapshot(ctx)
		if err != nil {
			return nil, err
		}
		defer sn.Close()
		for _, l := range layers {
			// The view may be up to a watch interval late on another process's import: the rows must be of the
			// version the key names.
			version, err := store.DatasetVersion(ctx, sn, l.Dataset.ID)
			if err != nil || version != l.Dataset.Version {
				ts.s.cat.forget(v)
				return nil, errStaleView
			}
		}
		b, _, err := ts.renderer.Render(ctx, sn, layers, t, format)
		if err != nil {
			return nil, err
		}
		return ts.cache.NewEntry(b), nil
	})
	if err != nil {
		return err
	}
	if hit {
		h.Set("X-Tile-Cache", "hit")
	} else {
		h.Set("X-Tile-Cache", "miss")
	}
	if e.Data == nil {
		if format == tiles.GeoJSON {
			// Leaflet and uMap clients parse every answer: an empty tile is an empty collection.
			return c.Blob(http.StatusOK, format.ContentType(), emptyCollection)
		}
		// An empty vector tile is 204 No Content: MapLibre, OpenLayers and QGIS draw nothing, no bytes move.
		return c.NoContent(http.StatusNoContent)
	}
	if e.Gzip != nil && strings.Contains(c.Request().Header.Get("Accept-Encoding"), "gzip") {
		// The gzip made once when the tile was cached (the server's gzip middleware skips tiles).
		h.Set("Content-Encoding", "gzip")
		h.Set("Content-Length", strconv.Itoa(len(e.Gzip)))
		return c.Blob(http.StatusOK, format.ContentType(), e.Gzip)
	}
	h.Set("Content-Length", strconv.Itoa(len(e.Data)))
	return c.Blob(http.StatusOK, format.ContentType(), e.Data)
}

var emptyCollection = []byte(`{"type":"FeatureCollection","features":[]}` + "\n")

// isTile says whether a request is for a tile (its handler compresses it, once, when it is cached).
func isTile(c echo.Context) bool {
	p := c.Request().URL.Path
	return strings.HasPrefix(p, "/tiles/") && strings.Count(p, "/") == 5
}
