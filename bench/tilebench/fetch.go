package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// client keeps connections alive (as a map does) and asks for gzip itself, so that it sees the bytes sent.
var client = &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{
	DisableCompression: true, MaxIdleConnsPerHost: 64,
}}

// sample is one request's outcome.
type sample struct {
	d      time.Duration
	size   int // tile bytes, after gunzip
	status int
	z      int // the tile's zoom, when it is a tile
}

// fetch GETs u and reads the whole answer.
func fetch(u string) (sample, error) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return sample{}, err
	}
	req.Header.Set("Accept-Encoding", "gzip")
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return sample{}, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	if err != nil {
		return sample{}, fmt.Errorf("%s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
		return sample{}, fmt.Errorf("%s: %s: %.200s", u, resp.Status, body)
	}
	size := len(body)
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return sample{}, fmt.Errorf("%s: gzip: %w", u, err)
		}
		n, err := io.Copy(io.Discard, zr)
		if err != nil {
			return sample{}, fmt.Errorf("%s: gzip: %w", u, err)
		}
		size = int(n)
	}
	return sample{d: d, size: size, status: resp.StatusCode}, nil
}

// expand fills a URL template with a tile's address.
func expand(tmpl string, t tile) string {
	return strings.NewReplacer("{z}", strconv.Itoa(t.z), "{x}", strconv.Itoa(t.x), "{y}", strconv.Itoa(t.y)).Replace(tmpl)
}

type tile struct{ z, x, y int }

func readTiles(path string) ([]tile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []tile
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		var t tile
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		if _, err := fmt.Sscan(sc.Text(), &t.z, &t.x, &t.y); err != nil {
			return nil, fmt.Errorf("%s: line %d: want \"z x y\": %v", path, n, err)
		}
		out = append(out, t)
	}
	return out, sc.Err()
}

// stats summarises samples.
type stats struct {
	n                  int
	mean, p95, slowest time.Duration
	maxSize            int
}

func summarise(ss []sample) stats {
	if len(ss) == 0 {
		return stats{}
	}
	ds := make([]time.Duration, len(ss))
	var sum time.Duration
	st := stats{n: len(ss)}
	for i, s := range ss {
		ds[i] = s.d
		sum += s.d
		st.maxSize = max(st.maxSize, s.size)
		st.slowest = max(st.slowest, s.d)
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	st.mean = sum / time.Duration(len(ds))
	st.p95 = percentile(ds, 0.95)
	return st
}

// percentile is the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	r := int(float64(len(sorted))*p + 0.999999)
	return sorted[max(0, min(r, len(sorted))-1)]
}

// median of per-run figures.
func median(v []time.Duration) time.Duration {
	s := append([]time.Duration(nil), v...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }
