package server

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/patrimap/patrimap/store"
)

// problem is an RFC 9457 problem document: every error patrimap answers is one, in JSON.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
}

func badRequest(format string) error { return echo.NewHTTPError(http.StatusBadRequest, format) }

// handleError answers err. A 404 says only what a store.ErrNotFound (or the handler) says is missing; a 500
// says nothing of its cause, which goes to the log with the request id the answer gives; a client gone gets
// nothing (the log says 499).
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed || clientGone(c, err) {
		return
	}
	status, detail := http.StatusInternalServerError, ""
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		status = he.Code
		if m, ok := he.Message.(string); ok {
			detail = m
		} else {
			detail = http.StatusText(status)
		}
	case errors.Is(err, store.ErrNotFound):
		status, detail = http.StatusNotFound, err.Error()+": GET /datasets lists the datasets"
	case errors.Is(err, store.ErrBadQuery):
		status, detail = http.StatusBadRequest, err.Error()
	}
	if status == http.StatusInternalServerError {
		id, _ := c.Get(requestIDKey).(string)
		detail = "internal error: the server's log says what failed, under request id " + id
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	if c.Request().Method == http.MethodHead {
		c.NoContent(status)
		return
	}
	c.JSON(status, problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail})
}
