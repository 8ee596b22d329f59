package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// The middleware chain, outermost first (tegola's order of concerns): the request id and the request's log
// line, panic recovery, security headers, CORS, gzip; then the route.

// statusClientGone is what the log says of a request whose client went away before its answer (nginx's 499):
// not a server error, and nothing is sent.
const statusClientGone = 499

// requestIDKey is where the request id is kept in the echo.Context.
const requestIDKey = "patrimap.request-id"

// sane request ids, as a trusted proxy may give them (X-Request-Id).
var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// requestID names the request: the X-Request-Id a trusted proxy gives, else a new random one. It is in the
// answer's X-Request-Id header, in the request's log line and in the body of a 500, so that a user's report
// leads to the logged cause.
func requestID(c echo.Context, trusted bool) string {
	if id := c.Request().Header.Get(echo.HeaderXRequestID); trusted && requestIDPattern.MatchString(id) {
		return id
	}
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// requestLog writes one line per request, once its answer is written: the answer to an error is written here
// (handleError), so that the status logged is the one sent. A request whose client went away is logged 499.
func (s *Server) requestLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		start := time.Now()
		req := c.Request()
		id := requestID(c, s.proxies.contains(peerAddr(req)))
		c.Set(requestIDKey, id)
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		defer func() {
			if r := recover(); r != nil {
				// A stream that failed after its status was sent is cut (http.ErrAbortHandler): log it, then
				// let net/http close the connection.
				cause := fmt.Errorf("answer cut: %v", r)
				if e, ok := c.Get(streamErrorKey).(error); ok {
					cause = fmt.Errorf("answer cut: %w", e)
				}
				s.logRequest(c, start, id, cause)
				panic(r)
			}
		}()
		err = next(c)
		if err != nil {
			c.Error(err)
		}
		s.logRequest(c, start, id, err)
		return nil
	}
}

func (s *Server) logRequest(c echo.Context, start time.Time, id string, err error) {
	req, res := c.Request(), c.Response()
	status := res.Status
	if clientGone(c, err) {
		status = statusClientGone
	}
	attrs := []slog.Attr{
		slog.String("method", req.Method), slog.String("uri", req.RequestURI), slog.Int("status", status),
		slog.Duration("latency", time.Since(start)), slog.Int64("bytes", res.Size), slog.String("remote", c.RealIP()),
		slog.String("id", id),
	}
	level := slog.LevelInfo
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
		if status >= 500 || status < 400 {
			// A server error, or a failure after the status was sent (a stream cut short).
			level = slog.LevelError
		}
	}
	s.log.LogAttrs(context.WithoutCancel(req.Context()), level, "request", attrs...)
}

// clientGone says whether err came of the client going away: its request's context ended (net/http cancels
// it when the connection closes), whatever the error the handler saw then (a statement interrupted), or a
// write found the connection closed before net/http noticed.
func clientGone(c echo.Context, err error) bool {
	return err != nil && (errors.Is(c.Request().Context().Err(), context.Canceled) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET))
}

// streamErrorKey keeps the error of a stream cut by cutStream, for the request's log line.
const streamErrorKey = "patrimap.stream-error"

// cutStream ends an answer whose status is sent and whose stream failed with err: the connection is cut, so
// that the client sees a truncated answer rather than a complete-looking one with features missing. A client
// gone is no failure (the request's line says 499); anything else is logged as an error, with attrs.
func (s *Server) cutStream(c echo.Context, err error, msg string, attrs ...any) {
	c.Set(streamErrorKey, err)
	if !clientGone(c, err) {
		s.log.Error(msg, append(attrs, "error", err)...)
	}
	panic(http.ErrAbortHandler)
}

// recoverPanics turns a handler's panic into a 500 with its stack in the log.
func (s *Server) recoverPanics() echo.MiddlewareFunc {
	return middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisableErrorHandler: true, // the error goes back to requestLog, which answers and logs it once
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			s.log.Error("panic", "uri", c.Request().RequestURI, "error", err, "stack", string(stack))
			return fmt.Errorf("panic: %w", err)
		},
	})
}

// securityHeaders are on every answer: no MIME sniffing, no referrer beyond the origin to other sites, and
// the Content-Security-Policy of the pages (contentPolicy), which forbids framing everywhere but /embed.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		embeddable := c.Request().URL.Path == "/embed"
		if !embeddable {
			h.Set("X-Frame-Options", "DENY")
		}
		h.Set("Content-Security-Policy", contentPolicy(s.linkOrigin(c), embeddable))
		return next(c)
	}
}

// cors lets pages of any site (uMap, a portal) read every answer: all of them are public reads.
func cors() echo.MiddlewareFunc {
	return middleware.CORSWithConfig(middleware.CORSConfig{
		AllowOrigins:  []string{"*"},
		AllowMethods:  []string{http.MethodGet, http.MethodHead, http.MethodOptions},
		ExposeHeaders: []string{"ETag", "Last-Modified", "Content-Disposition", echo.HeaderXRequestID},
		MaxAge:        86400,
	})
}
