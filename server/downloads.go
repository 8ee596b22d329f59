package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/patrimap/patrimap/encode"
	"github.com/patrimap/patrimap/encode/sqlitefile"
	"github.com/patrimap/patrimap/store"
)

// featureEncoder is what the streamed download formats (GeoJSON, CSV, KML) have in common.
type featureEncoder interface {
	Begin(name string) error
	Write(f *store.Feature) error
	End() error
	Count() int
}

// download answers /datasets/{id}{.geojson,.csv,.kml,.gpkg,.sqlite}: the whole dataset (or what intersects
// ?bbox=) as a file to save.
func (s *Server) download(c echo.Context, id string, dl download) error {
	if err := store.ValidateID(id); err != nil {
		return echo.NewHTTPError(http.StatusNotFound, err.Error())
	}
	for name := range c.QueryParams() {
		if !downloadParams[dl.Suffix][name] {
			return badRequest(fmt.Sprintf("unknown parameter %q: %s downloads take %s", name, dl.Title, strings.Join(sortedKeys(downloadParams[dl.Suffix]), ", ")))
		}
	}
	if dl.Suffix == ".gpkg" || dl.Suffix == ".sqlite" {
		return s.exportFile(c, id, dl)
	}
	var q store.Query
	if raw := c.QueryParam("bbox"); raw != "" {
		b, err := parseBBox(raw, false)
		if err != nil {
			return badRequest(err.Error())
		}
		q.BBox = &b
	}
	ctx := c.Request().Context()
	snap, d, err := s.openDataset(ctx, id)
	if err != nil {
		return err
	}
	defer snap.Close()
	enc, err := newEncoder(c, dl, d)
	if err != nil {
		return badRequest(err.Error())
	}
	if notModified(c, d) {
		return c.NoContent(http.StatusNotModified)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, dl.MIME)
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s%s"`, d.ID, dl.Suffix))
	c.Response().WriteHeader(http.StatusOK)
	if c.Request().Method == http.MethodHead {
		return nil
	}
	w := enc(c.Response())
	if err := w.Begin(d.Title); err != nil {
		return nil // the client went away
	}
	err = snap.Features(ctx, d, q, func(f *store.Feature) error { return w.Write(f) })
	if err == nil {
		err = w.End()
	}
	if err != nil {
		// The status is sent: cut the connection so that the client sees a truncated file rather than a
		// complete-looking one with features missing.
		s.cutStream(c, err, "download stream failed", "dataset", d.ID, "format", dl.Suffix, "written", w.Count())
	}
	return nil
}

var downloadParams = map[string]map[string]bool{
	".geojson": {"bbox": true},
	".csv":     {"bbox": true, "sep": true, "bom": true, "geometry": true},
	".kml":     {"bbox": true},
	".gpkg":    {},
	".sqlite":  {},
}

// newEncoder reads the format's options and returns a constructor of its encoder.
func newEncoder(c echo.Context, dl download, d store.Dataset) (func(io.Writer) featureEncoder, error) {
	switch dl.Suffix {
	case ".csv":
		opts := encode.CSVOptions{Geometry: c.QueryParam("geometry")}
		// Go's query parser drops a bare ";" (sep=; must be written sep=%3B): the names work typed as they are.
		switch sep := c.QueryParam("sep"); sep {
		case "", ",", "comma":
		case ";", "semicolon":
			opts.Separator = ';'
		case "|", "pipe":
			opts.Separator = '|'
		case "tab", "\\t":
			opts.Separator = '\t'
		default:
			return nil, fmt.Errorf("sep=%s: the separators are comma, semicolon, pipe and tab (sep=semicolon&bom=true opens right in French spreadsheets)", sep)
		}
		switch b := c.QueryParam("bom"); b {
		case "", "false", "0":
		case "true", "1":
			opts.BOM = true
		default:
			return nil, fmt.Errorf("bom=%s: bom is true or false", b)
		}
		if err := opts.Validate(); err != nil {
			return nil, fmt.Errorf("%v (geometry=wkt, lonlat or none)", err)
		}
		return func(w io.Writer) featureEncoder { return encode.NewCSVWriter(w, d.Fields, opts) }, nil
	case ".kml":
		var opts encode.KMLOptions
		for _, name := range []string{"name", "NOM_SITE", "nom", "NOM", "SITENAME"} {
			if _, ok := d.Field(name); ok {
				opts.NameField = name
				break
			}
		}
		return func(w io.Writer) featureEncoder { return encode.NewKMLWriter(w, d.Fields, opts) }, nil
	}
	return func(w io.Writer) featureEncoder { return encode.NewGeoJSONWriter(w, d.Fields) }, nil
}

// exports caches the files built for /datasets/{id}.gpkg and .sqlite, one per dataset version, so that a
// second download costs no export; one export at a time per file.
type exports struct {
	dir   string
	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

func (e *exports) lock(name string) *sync.Mutex {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.locks == nil {
		e.locks = map[string]*sync.Mutex{}
	}
	if e.locks[name] == nil {
		e.locks[name] = &sync.Mutex{}
	}
	return e.locks[name]
}

// exportFile serves the dataset as a standalone SpatiaLite or GeoPackage file, written from one snapshot (so
// from one consistent version, whatever the store) and cached until the next import.
func (s *Server) exportFile(c echo.Context, id string, dl download) error {
	ctx := c.Request().Context()
	sn, d, err := s.openDataset(ctx, id)
	if err != nil {
		return err
	}
	defer sn.Close()
	if notModified(c, d) {
		return c.NoContent(http.StatusNotModified)
	}
	// The import time tells apart two databases' "v1" of one id (a store rebuilt from scratch).
	path := filepath.Join(s.exports.dir, fmt.Sprintf("%s-v%d-%d%s", d.ID, d.Version, d.ImportedAt.UnixNano(), dl.Suffix))
	l := s.exports.lock(path)
	l.Lock()
	if _, err := os.Stat(path); err != nil {
		// Files of older versions are of no more use.
		old, _ := filepath.Glob(filepath.Join(s.exports.dir, d.ID+"-v*"+dl.Suffix))
		mine := regexp.MustCompile(`^` + regexp.QuoteMeta(d.ID) + `-v\d+-\d+` + regexp.QuoteMeta(dl.Suffix) + `$`)
		for _, o := range old {
			if mine.MatchString(filepath.Base(o)) {
				os.Remove(o)
			}
		}
		stream := func(ctx context.Context, each func(*store.Feature) error) error {
			return sn.Features(ctx, d, store.Query{}, each)
		}
		if dl.Suffix == ".gpkg" {
			err = sqlitefile.WriteGeoPackage(ctx, path, d, stream)
		} else {
			err = sqlitefile.WriteSpatiaLite(ctx, path, d, stream)
		}
		if err != nil {
			l.Unlock()
			return err
		}
	}
	l.Unlock()
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s%s"`, d.ID, dl.Suffix))
	c.Response().Header().Set(echo.HeaderContentType, dl.MIME)
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	http.ServeContent(c.Response(), c.Request(), "", d.ImportedAt, f)
	return nil
}
