// Package server serves patrimap's datasets over HTTP with Echo: the catalogue, each dataset as streamed
// GeoJSON, and the static web pages. Handlers read the store through snapshots and write through encoders;
// they never parse source files.
package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/patrimap/patrimap/geo"
	"github.com/patrimap/patrimap/sheet"
	"github.com/patrimap/patrimap/store"
)

// Catalog is what the server reads: consistent views of the datasets, and whether the database answers
// (pg_featureserv's data.Catalog). A store.Store is one; handler tests use store/memory.
type Catalog interface {
	Snapshot(ctx context.Context) (store.Snapshot, error)
	Ping(ctx context.Context) error
	// Name says which database this is, for the logs.
	Name() string
	// Recall and RecallAll read what the store keeps beside the datasets: the fiche descriptive a person wrote
	// (package sheet). The server never writes it.
	sheet.Reader
}

// Server is patrimap's HTTP front.
type Server struct {
	store   Catalog
	log     *slog.Logger
	static  fs.FS
	echo    *echo.Echo
	exports *exports
	// reproject serves crs= and bbox-crs= (PROJ); topology the tile encoder's last-resort repairs (GEOS).
	reproject *geo.Reprojector
	topology  *geo.Topology
	// base is the public base URL (serve --base-url): stable URIs for the DCAT catalogue; "" when not given.
	base string
	// proxies are the trusted proxies, whose forwarding headers count (serve --trusted-proxies).
	proxies Proxies
	schemas *schemaCache
	// cat is the catalogue kept in memory while the store says nothing changed.
	cat *catalogueCache
}

// Option configures a Server.
type Option func(*Server)

// New builds the server's routes over st. static holds the web pages (index.html at its root).
func New(st Catalog, log *slog.Logger, static fs.FS, opts ...Option) *Server {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	s := &Server{store: st, log: log, static: static, echo: e,
		exports: &exports{dir: exportDir(st.Name())}, reproject: &geo.Reprojector{}, topology: &geo.Topology{},
		schemas: &schemaCache{}, cat: newCatalogueCache(st)}
	for _, o := range opts {
		o(s)
	}
	if err := os.MkdirAll(s.exports.dir, 0o755); err != nil {
		log.Warn("no folder for GeoPackage/SpatiaLite downloads", "error", err)
	}
	e.HTTPErrorHandler = s.handleError
	e.JSONSerializer = jsonSerializer{}
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{
		Skipper: func(c echo.Context) bool { return c.Request().URL.Path == "/" },
	}))
	e.IPExtractor = s.clientIP
	e.Use(s.requestLog, s.recoverPanics(), s.securityHeaders, cors())
	// Tiles are compressed once, when they are cached, by their handler.
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{Level: 5, MinLength: 1024, Skipper: isTile}))

	// Every read answers HEAD too, for link checkers and clients that probe before downloading.
	get := func(path string, h echo.HandlerFunc) { e.Match([]string{http.MethodGet, http.MethodHead}, path, h) }
	get("/healthz", s.health)
	get("/readyz", s.ready)
	get("/datasets", s.listDatasets)
	get("/datasets/:id", s.dataset)
	get("/", s.landing)
	s.routesOGC(get)
	s.routesUMap(get)
	s.routesWebMap(get)
	s.routesTiles(get)
	s.routesCatalogue(get)
	s.routesDossier(get)
	get("/static/*", echo.WrapHandler(http.StripPrefix("/static/", http.FileServer(http.FS(static)))))
	return s
}

// Handler returns the server as an http.Handler (for tests and embedding).
func (s *Server) Handler() http.Handler { return s.echo }

// Run serves on addr until ctx is cancelled (SIGINT, SIGTERM), then lets requests in flight finish for up to
// ten seconds.
func (s *Server) Run(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(ctx, ln)
}

// maxHeaderBytes bounds a request's line and headers (431 beyond), hence every query parameter: a CQL2 filter
// sent by GET, the longest, is bounded by cql2.MaxBytes, the same.
const maxHeaderBytes = 1 << 20

// Serve is Run on an existing listener.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s.echo, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		IdleTimeout: 2 * time.Minute, MaxHeaderBytes: maxHeaderBytes}
	s.logReimports(ctx)
	s.log.Info("serving", "addr", "http://"+ln.Addr().String(), "db", s.store.Name())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (s *Server) health(c echo.Context) error {
	ds, err := store.Catalogue(c.Request().Context(), s.store) // the database itself, not the catalogue in memory
	if err != nil {
		return c.JSON(http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "error": err.Error()})
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]any{"status": "ok", "datasets": len(ds)})
}

// catalogue lists the datasets, from the catalogue kept in memory (a copy the caller may reorder).
func (s *Server) catalogue(ctx context.Context) ([]store.Dataset, error) {
	v, err := s.cat.current(ctx)
	if err != nil {
		return nil, err
	}
	return v.list(), nil
}

// lookup returns the catalogue entry of id, from the catalogue kept in memory. A handler that then reads the
// dataset's features reads both from one snapshot instead.
func (s *Server) lookup(ctx context.Context, id string) (store.Dataset, error) {
	v, err := s.cat.current(ctx)
	if err != nil {
		return store.Dataset{}, err
	}
	return v.lookup(id)
}

func (s *Server) staticFile(name string) echo.HandlerFunc {
	return func(c echo.Context) error {
		b, err := fs.ReadFile(s.static, name)
		if err != nil {
			return echo.NewHTTPError(http.StatusNotFound, "no page "+name)
		}
		return c.HTMLBlob(http.StatusOK, b)
	}
}

// jsonSerializer writes JSON without HTML escaping: links keep their "&" readable (GDAL and browsers read
// either, people read this one).
type jsonSerializer struct{ echo.DefaultJSONSerializer }

func (jsonSerializer) Serialize(c echo.Context, i any, indent string) error {
	enc := json.NewEncoder(c.Response())
	enc.SetEscapeHTML(false)
	if indent != "" {
		enc.SetIndent("", indent)
	}
	return enc.Encode(i)
}

// exportDir is where the GeoPackage and SpatiaLite downloads of a database are cached: one folder per
// database (file path or address), under the system's temporary folder.
func exportDir(db string) string {
	abs, err := filepath.Abs(db)
	if err != nil {
		abs = db
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(os.TempDir(), "patrimap-exports", hex.EncodeToString(sum[:8]))
}
