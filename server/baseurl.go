package server

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// WithBaseURL sets the server's public base URL (https://patrimap.example.org): every absolute link and every
// URI of the DCAT catalogue is built from it, never from a request's Host header.
func WithBaseURL(u string) Option {
	return func(s *Server) { s.base = strings.TrimRight(u, "/") }
}

// CheckBaseURL says what is wrong with a --base-url value.
func CheckBaseURL(u string) error {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.RawQuery != "" || p.Fragment != "" {
		return fmt.Errorf("base URL %q: give the public address of the server, http:// or https://, without query, e.g. https://patrimap.example.org", u)
	}
	return nil
}

// resolveBase is the one place that decides the server's base URL: the configured one (stable), else the
// address the client reached, forwarded headers included (not stable: a harvester must not mint URIs from it).
func (s *Server) resolveBase(c echo.Context) (base string, stable bool) {
	if s.base != "" {
		return s.base, true
	}
	scheme := c.Scheme()
	if p := c.Request().Header.Get("X-Forwarded-Proto"); p == "https" || p == "http" {
		scheme = p
	}
	host := c.Request().Host
	if h := c.Request().Header.Get("X-Forwarded-Host"); h != "" {
		host = h
	}
	return scheme + "://" + host, false
}

// baseURL is the server's address for absolute links (GDAL follows them as given).
func (s *Server) baseURL(c echo.Context) string {
	b, _ := s.resolveBase(c)
	return b
}
