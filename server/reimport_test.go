package server

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/patrimap/patrimap/static"
	"github.com/patrimap/patrimap/store/stores"
	"github.com/patrimap/patrimap/store/teststores"
)

// At start-up the server names, in one log line, the datasets that an older patrimap imported without the
// tables their low-zoom tiles are drawn from (a polygon layer's pyramid, a point layer's clusters), and only
// them; a store just imported gets no such line. On every store.
func TestStartupLogNamesDatasetsToReimport(t *testing.T) {
	for _, k := range teststores.All() {
		t.Run(k.Name, func(t *testing.T) {
			dsn := k.DSN(t)
			st, err := stores.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			fx := serve(t, st)
			for id, file := range map[string]string{"rnn": rnn, "cen": "../testdata/cen-isere.geojson", "merimee": "../testdata/culture/merimee-isere-derived.geojson"} {
				if err := fx.importFile(t, id, file); err != nil {
					t.Fatal(err)
				}
			}
			if log := startLog(t, st); strings.Contains(log, "older patrimap") || !strings.Contains(log, "serving") {
				t.Errorf("start-up of a store just imported:\n%s", log)
			}
			sn, err := st.Snapshot(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{"rnn", "merimee"} {
				d, err := sn.Dataset(context.Background(), id)
				if err != nil {
					t.Fatal(err)
				}
				k.DropTileTables(t, dsn, d)
			}
			sn.Close()
			log := startLog(t, st)
			var named []string
			for _, line := range strings.Split(log, "\n") {
				if strings.Contains(line, "older patrimap") {
					named = append(named, line)
				}
			}
			if len(named) != 1 || !strings.Contains(named[0], "level=WARN") || !strings.Contains(named[0], "datasets=merimee,rnn") {
				t.Errorf("start-up of a store with rnn and merimee as an older patrimap left them: want one warning naming merimee,rnn:\n%s", log)
			}
		})
	}
}

// startLog serves st until it answers, and returns what the server logged.
func startLog(t *testing.T, st Catalog) string {
	t.Helper()
	var log bytes.Buffer
	s := New(st, slog.New(slog.NewTextHandler(&log, nil)), static.Files)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		res, err := http.Get("http://" + ln.Addr().String() + "/healthz")
		if err == nil {
			res.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server did not answer: %v", err)
		}
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return log.String()
}
