package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/maptile/tilecover"

	"github.com/patrimap/patrimap/static"
	"github.com/patrimap/patrimap/store/spatialite"
)

// BenchmarkWarmTiles measures cached tiles through the whole HTTP stack (loopback TCP, keep-alive, 16
// concurrent clients asking for gzip), against its reference in the same run: an Echo server with the same
// middleware depth answering a fixed slice of bytes the size of the mean tile. It reports both rates and
// their ratio (issue 16's goal: ≥ 0.8).
//
//	go test -run '^$' -bench WarmTiles -benchtime 20000x -count 3 ./server/
func BenchmarkWarmTiles(b *testing.B) {
	st, err := spatialite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	fx := &fixture{st: st}
	for id, path := range map[string]string{"rnn": rnn, "apb": "../testdata/apb-isere.geojson", "cen": "../testdata/cen-isere.geojson"} {
		if err := fx.importFile(b, id, path); err != nil {
			b.Fatal(err)
		}
	}
	srv := httptest.NewServer(New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), static.Files).Handler())
	defer func() { srv.Close(); st.Close() }()

	// Every tile from z5 to z12 over the Isère fixtures, each dataset alone: the mix a map asks for.
	var urls []string
	for z := maptile.Zoom(5); z <= 12; z++ {
		set, _ := tilecover.Geometry(orb.Bound{Min: orb.Point{5.2, 44.8}, Max: orb.Point{6.4, 45.6}}.ToPolygon(), z)
		for t := range set {
			for _, id := range []string{"rnn", "apb", "cen"} {
				urls = append(urls, srv.URL+tilePath(id, t, "mvt"))
			}
		}
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
	// Warm the cache; keep the tiles that hold features (an empty tile is a 204 without a body), and learn
	// their mean size as sent (gzip).
	var bytes int64
	full := urls[:0]
	for _, u := range urls {
		if n := get(b, client, u); n > 0 {
			full, bytes = append(full, u), bytes+n
		}
	}
	urls = full
	mean := int(bytes / int64(len(urls)))
	fixed := make([]byte, mean)
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Use(middleware.Recover(), middleware.Gzip())
	e.GET("/tiles/:spec/:z/:x/:y", func(c echo.Context) error {
		return c.Blob(http.StatusOK, "application/vnd.mapbox-vector-tile", fixed)
	})
	ref := httptest.NewServer(e)
	defer ref.Close()
	refURLs := make([]string, len(urls))
	for i, u := range urls {
		refURLs[i] = ref.URL + u[len(srv.URL):]
	}

	// In ten turns, alternating, so that both see the same share of a shared machine's load.
	b.ResetTimer()
	var tileTime, fixedTime time.Duration
	for turn := range 10 {
		n := b.N / 10
		if turn < b.N%10 {
			n++
		}
		tileTime += elapsed(b, client, urls, n)
		fixedTime += elapsed(b, client, refURLs, n)
	}
	b.StopTimer()
	tiles, fixedRate := float64(b.N)/tileTime.Seconds(), float64(b.N)/fixedTime.Seconds()
	b.ReportMetric(tiles, "tiles/s")
	b.ReportMetric(fixedRate, "fixed/s")
	b.ReportMetric(tiles/fixedRate, "ratio")
	b.ReportMetric(float64(mean), "B/tile")
}

// elapsed fetches n URLs (cycling through urls) with 16 clients and returns the time it took.
func elapsed(b *testing.B, client *http.Client, urls []string, n int) time.Duration {
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= int64(n); i = next.Add(1) {
				get(b, client, urls[int(i)%len(urls)])
			}
		}()
	}
	wg.Wait()
	return time.Since(start)
}

func get(b *testing.B, client *http.Client, u string) int64 {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := client.Do(req)
	if err != nil {
		b.Error(err)
		return 0
	}
	defer res.Body.Close()
	n, _ := io.Copy(io.Discard, res.Body)
	if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusNoContent {
		b.Errorf("%s: %d", u, res.StatusCode)
	}
	return n
}
