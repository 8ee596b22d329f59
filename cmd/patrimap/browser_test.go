package main

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/patrimap/patrimap/server"
	"github.com/patrimap/patrimap/static"
	"github.com/patrimap/patrimap/store"
)

// What the browser tests (the web map's, the dossier's) share.

// serveDB serves a store for a browser test, until the test ends.
func serveDB(t *testing.T, db string) *httptest.Server {
	t.Helper()
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), static.Files).Handler())
	t.Cleanup(func() { srv.Close(); st.Close() })
	return srv
}

// screenshotsDir is $PATRIMAP_SCREENSHOTS, or a folder of the test's own (removed after it).
func screenshotsDir(t *testing.T) string {
	t.Helper()
	shots := os.Getenv("PATRIMAP_SCREENSHOTS")
	if shots == "" {
		shots = filepath.Join(t.TempDir(), "screenshots")
		t.Logf("screenshots in %s (removed after the test: set PATRIMAP_SCREENSHOTS=/some/dir to keep them)", shots)
		return shots
	}
	abs, err := filepath.Abs(shots)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", abs)
	return abs
}
