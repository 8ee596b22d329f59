package main

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/patrimap/patrimap/server"
	"github.com/patrimap/patrimap/static"
	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/stores"
)

// The tests read back what the commands wrote as a user's program would: through the store dsn names
// (a SpatiaLite file or a PostgreSQL address), opened as `patrimap serve --db DSN` opens it. Everything
// opened here is closed when the test ends.

// openStore opens the store dsn names until the test ends.
func openStore(t testing.TB, dsn string) store.Store {
	t.Helper()
	st, err := stores.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// readDataset calls read with a read view of the store dsn names and its dataset id, and closes both when
// read returns: tests that read between imports must not hold a read transaction open meanwhile.
func readDataset(t testing.TB, dsn, id string, read func(store.Snapshot, store.Dataset)) {
	t.Helper()
	ctx := context.Background()
	st, err := stores.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	defer st.Close()
	sn, err := st.Snapshot(ctx)
	if err != nil {
		t.Fatalf("%s: %v", dsn, err)
	}
	defer sn.Close()
	d, err := sn.Dataset(ctx, id)
	if err != nil {
		t.Fatalf("%s: dataset %s: %v", dsn, id, err)
	}
	read(sn, d)
}

// serveStore serves the store dsn names, as `patrimap serve --db DSN` does, until the test ends.
func serveStore(t testing.TB, dsn string) *httptest.Server {
	t.Helper()
	st := openStore(t, dsn)
	srv := httptest.NewServer(server.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), static.Files).Handler())
	t.Cleanup(srv.Close)
	return srv
}
