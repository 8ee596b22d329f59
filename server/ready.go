package server

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/patrimap/patrimap/store"
)

// readyTimeout bounds /readyz: a load balancer that asks every few seconds wants an answer, not a hung check.
const readyTimeout = 2 * time.Second

// ready answers /readyz, the check a load balancer makes before sending requests to this replica: the database
// answers (and its read replica, when there is one) and the catalogue reads, from the database itself. 503
// otherwise, saying what failed.
func (s *Server) ready(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), readyTimeout)
	defer cancel()
	c.Response().Header().Set("Cache-Control", "no-store")
	unavailable := func(what string, err error) error {
		return c.JSON(http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "failed": what, "error": err.Error()})
	}
	if err := s.store.Ping(ctx); err != nil {
		return unavailable("database", err)
	}
	ds, err := store.Catalogue(ctx, s.store)
	if err != nil {
		return unavailable("catalogue", err)
	}
	return c.JSON(http.StatusOK, map[string]any{"status": "ready", "datasets": len(ds)})
}
