package server

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/patrimap/patrimap/datapackage"
	"github.com/patrimap/patrimap/sheet"
	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/tableschema"
)

// Each dataset's Table Schema (/datasets/{id}/schema.json) and data package (/datasets/{id}.datapackage.zip).

// schemaCache keeps the schema of each dataset's current version: making one reads every row.
type schemaCache struct {
	mu      sync.Mutex
	schemas map[string]cachedSchema
}

type cachedSchema struct {
	version int64
	at      int64
	schema  *tableschema.Schema
}

// get returns d's schema, made from the snapshot sn when the version is not cached yet.
func (sc *schemaCache) get(ctx context.Context, sn store.Snapshot, d store.Dataset) (*tableschema.Schema, error) {
	sc.mu.Lock()
	c, ok := sc.schemas[d.ID]
	sc.mu.Unlock()
	if ok && c.version == d.Version && c.at == d.ImportedAt.UnixNano() {
		return c.schema, nil
	}
	s, err := tableschema.Generate(ctx, sn, d)
	if err != nil {
		return nil, err
	}
	sc.mu.Lock()
	if sc.schemas == nil {
		sc.schemas = map[string]cachedSchema{}
	}
	sc.schemas[d.ID] = cachedSchema{version: d.Version, at: d.ImportedAt.UnixNano(), schema: s}
	sc.mu.Unlock()
	return s, nil
}

func (s *Server) schema(c echo.Context) error {
	id := c.Param("id")
	if err := store.ValidateID(id); err != nil {
		return echo.NewHTTPError(http.StatusNotFound, err.Error())
	}
	ctx := c.Request().Context()
	sn, d, err := s.openDataset(ctx, id)
	if err != nil {
		return err
	}
	defer sn.Close()
	if notModifiedAs(c, d, "tableschema") {
		return c.NoContent(http.StatusNotModified)
	}
	ts, err := s.schemas.get(ctx, sn, d)
	if err != nil {
		return err
	}
	b, err := ts.Marshal()
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "application/json", b)
}

// dataPackage streams the dataset as a Frictionless data package.
func (s *Server) dataPackage(c echo.Context, id string) error {
	if err := store.ValidateID(id); err != nil {
		return echo.NewHTTPError(http.StatusNotFound, err.Error())
	}
	ctx := c.Request().Context()
	sn, d, err := s.openDataset(ctx, id)
	if err != nil {
		return err
	}
	defer sn.Close()
	if notModifiedAs(c, d, "datapackage") {
		return c.NoContent(http.StatusNotModified)
	}
	sh, err := s.sheetOf(ctx, d)
	if err != nil {
		return err
	}
	ts, err := s.schemas.get(ctx, sn, d)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, datapackage.MediaType)
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s%s"`, d.ID, datapackage.Suffix))
	c.Response().WriteHeader(http.StatusOK)
	if c.Request().Method == http.MethodHead {
		return nil
	}
	base := s.baseURL(c)
	if err := datapackage.Write(ctx, c.Response(), sn, d, sh, ts, base+"/datasets/"+d.ID); err != nil {
		// The status is sent: cut the connection so that the client sees a broken zip, not a short one.
		s.cutStream(c, err, "data package stream failed", "dataset", d.ID)
	}
	return nil
}

// sheetOf composes d's sheet from what was written about it and about the catalogue.
func (s *Server) sheetOf(ctx context.Context, d store.Dataset) (sheet.Sheet, error) {
	rec, err := sheet.Load(ctx, s.store, d.ID)
	if err != nil {
		return sheet.Sheet{}, err
	}
	cat, err := sheet.Load(ctx, s.store, sheet.CatalogueKey)
	if err != nil {
		return sheet.Sheet{}, err
	}
	return sheet.Compose(d, rec, cat.Written), nil
}
