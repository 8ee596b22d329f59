// Package bench measures patrimap against issue 2's goal: importing 100,000 points and 10,000 polygons from
// GeoJSON must not be slower than `ogr2ogr -f SQLite -dsco SPATIALITE=YES` on the same file, and streaming a
// layer back as GeoJSON must use memory that stays flat in the layer's size.
//
// Run with `make bench` (go test -run '^$' -bench . -benchtime 1x -count 5 ./bench/); see README.md.
package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/geojson"
	"github.com/patrimap/patrimap/server"
	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/spatialite"
)

// layer is one generated input file.
type layer struct {
	name     string // sub-benchmark name
	file     string // file name in the shared directory
	points   int
	polygons int
}

func (l layer) features() int { return l.points + l.polygons }

var (
	points100k  = layer{name: "points-100k", file: "points.geojson", points: 100_000}
	points10k   = layer{name: "points-10k", file: "points-10k.geojson", points: 10_000}
	polygons10k = layer{name: "polygons-10k", file: "polygons.geojson", polygons: 10_000}
	mixed110k   = layer{name: "mixed-110k", file: "combined.geojson", points: 100_000, polygons: 10_000}
	// points1m is streamed only when PATRIMAP_BENCH_LARGE is set: its import takes about a minute.
	points1m = layer{name: "points-1m", file: "points-1m.geojson", points: 1_000_000}
)

// envLarge adds Stream/points-1m, a layer 100 times the size of points-10k, to BenchmarkStream.
const envLarge = "PATRIMAP_BENCH_LARGE"

// importLayers are the layers the import benchmarks (patrimap and ogr2ogr) run on.
var importLayers = []layer{points100k, polygons10k, mixed110k}

// seed makes every run generate the same files.
const seed = 20240612

// Shared directory holding the generated files and the stores imported once for BenchmarkStream. It is made on
// first use and removed by TestMain.
var (
	sharedOnce sync.Once
	sharedDir  string
	sharedErr  error

	filesMu sync.Mutex
	files   = map[string]string{} // layer file -> path
	dbs     = map[string]string{} // layer file -> imported store path
)

// envDir names a directory where the generated files are written and kept (by default a temporary one,
// removed at the end).
const envDir = "PATRIMAP_BENCH_DIR"

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedDir != "" && os.Getenv(envDir) == "" {
		os.RemoveAll(sharedDir)
	}
	os.Exit(code)
}

func shared(tb testing.TB) string {
	tb.Helper()
	sharedOnce.Do(func() {
		if d := os.Getenv(envDir); d != "" {
			sharedDir, sharedErr = d, os.MkdirAll(d, 0o755)
			return
		}
		sharedDir, sharedErr = os.MkdirTemp("", "patrimap-bench-")
	})
	if sharedErr != nil {
		tb.Fatal(sharedErr)
	}
	return sharedDir
}

// inputFile returns the path of l's GeoJSON file, generating it on first use.
func inputFile(tb testing.TB, l layer) string {
	tb.Helper()
	filesMu.Lock()
	defer filesMu.Unlock()
	if p, ok := files[l.file]; ok {
		return p
	}
	p := filepath.Join(shared(tb), l.file)
	if err := writeLayer(p, l); err != nil {
		tb.Fatal(err)
	}
	files[l.file] = p
	return p
}

// importedStore returns the path of a store holding l as dataset "bench", importing it on first use.
func importedStore(tb testing.TB, l layer) string {
	tb.Helper()
	in := inputFile(tb, l)
	filesMu.Lock()
	defer filesMu.Unlock()
	if p, ok := dbs[l.file]; ok {
		return p
	}
	p := filepath.Join(shared(tb), "stream-"+l.name+".db")
	if _, err := importFile(context.Background(), p, in); err != nil {
		tb.Fatal(err)
	}
	dbs[l.file] = p
	return p
}

// ---------------------------------------------------------------------------------------------------------
// Generator

// France's mainland bounding box (WGS84), a little inset so that polygons stay inside.
const (
	minLon, maxLon = -4.6, 8.0
	minLat, maxLat = 42.5, 51.0
)

var (
	namePrefixes = []string{"Réserve naturelle", "Forêt domaniale", "Étang", "Château", "Église Saint-Étienne",
		"Marais", "Abbaye", "Prés salés", "Gorges", "Côte sauvage", "Lande", "Tourbière", "Moulin", "Île"}
	nameSuffixes = []string{"de la Sèvre", "du Vercors", "de l'Hérault", "des Écrins", "de Périgueux", "d'Arçonnay",
		"du Lac d'Annecy", "de Sainte-Hélène", "de Brocéliande", "de la Crau", "de Noël", "du Pays Basque", "de Çà"}
)

// writeLayer writes l as a GeoJSON FeatureCollection: its points first, then its polygons. Each feature has six
// properties: a code with a leading zero, an accented name, an integer, a real, an ISO date and a boolean.
func writeLayer(path string, l layer) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(seed, uint64(l.points)<<20|uint64(l.polygons)))
	var b []byte
	b = append(b, `{"type":"FeatureCollection","name":"bench","features":[`...)
	n := 0
	for i := 0; i < l.features(); i++ {
		if n > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n"...)
		b = appendFeature(b, rng, i, i >= l.points)
		n++
		if len(b) > 64<<10 {
			if _, err := w.Write(b); err != nil {
				f.Close()
				return err
			}
			b = b[:0]
		}
	}
	b = append(b, "\n]}\n"...)
	if _, err := w.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func appendFeature(b []byte, rng *rand.Rand, i int, polygon bool) []byte {
	b = append(b, `{"type":"Feature","properties":{"code":"`...)
	// Département-style codes: seven digits, the first ones often zero ("0612345").
	b = append(b, fmt.Sprintf("%07d", rng.IntN(1_000_000))...)
	b = append(b, `","nom":`...)
	name := namePrefixes[rng.IntN(len(namePrefixes))] + " " + nameSuffixes[rng.IntN(len(nameSuffixes))] + " n°" + strconv.Itoa(i)
	nb, _ := json.Marshal(name)
	b = append(b, nb...)
	b = append(b, `,"annee":`...)
	b = strconv.AppendInt(b, int64(1850+rng.IntN(175)), 10)
	b = append(b, `,"surface_ha":`...)
	b = strconv.AppendFloat(b, math.Round(rng.Float64()*5_000_00)/100, 'f', -1, 64)
	b = append(b, `,"date_arrete":"`...)
	d := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(23_000))
	b = d.AppendFormat(b, "2006-01-02")
	b = append(b, `","protege":`...)
	b = strconv.AppendBool(b, rng.IntN(3) > 0)
	b = append(b, `},"geometry":`...)
	lon := minLon + rng.Float64()*(maxLon-minLon)
	lat := minLat + rng.Float64()*(maxLat-minLat)
	if !polygon {
		b = append(b, `{"type":"Point","coordinates":`...)
		b = appendPos(b, lon, lat)
		return append(b, "}}"...)
	}
	b = append(b, `{"type":"Polygon","coordinates":[`...)
	// A star-shaped ring around (lon, lat): angles increase, so the outer ring is counter-clockwise; radius
	// 0.5 to 5 km, each vertex at 60-100 % of it. One polygon in five has a clockwise hole of a quarter of it.
	km := 0.5 + rng.Float64()*4.5
	ry := km / 111.2
	rx := ry / math.Cos(lat*math.Pi/180)
	b = appendRing(b, rng, lon, lat, rx, ry, 12+rng.IntN(29), 0.6, 1, false)
	if rng.IntN(5) == 0 {
		b = append(b, ',')
		b = appendRing(b, rng, lon, lat, rx*0.25, ry*0.25, 8+rng.IntN(9), 0.7, 1, true)
	}
	return append(b, "]}}"...)
}

// appendRing appends a closed ring of n vertices at increasing angles (decreasing when clockwise).
func appendRing(b []byte, rng *rand.Rand, lon, lat, rx, ry float64, n int, rmin, rmax float64, clockwise bool) []byte {
	b = append(b, '[')
	step := 2 * math.Pi / float64(n)
	var first [2]float64
	for k := 0; k < n; k++ {
		a := (float64(k) + 0.2 + 0.6*rng.Float64()) * step
		if clockwise {
			a = -a
		}
		r := rmin + rng.Float64()*(rmax-rmin)
		x, y := lon+rx*r*math.Cos(a), lat+ry*r*math.Sin(a)
		if k == 0 {
			first = [2]float64{x, y}
		} else {
			b = append(b, ',')
		}
		b = appendPos(b, x, y)
	}
	b = append(b, ',')
	b = appendPos(b, first[0], first[1])
	return append(b, ']')
}

// appendPos writes a position with 6 decimals (about 10 cm), as producers usually do.
func appendPos(b []byte, x, y float64) []byte {
	b = append(b, '[')
	b = strconv.AppendFloat(b, x, 'f', 6, 64)
	b = append(b, ',')
	b = strconv.AppendFloat(b, y, 'f', 6, 64)
	return append(b, ']')
}

// ---------------------------------------------------------------------------------------------------------
// Measuring

// heapSampler samples the bytes of live and not-yet-swept heap objects every 5 ms and keeps the maximum.
type heapSampler struct {
	stop chan struct{}
	done chan struct{}
	peak uint64
}

const heapMetric = "/memory/classes/heap/objects:bytes"

func heapNow() uint64 {
	s := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// sampleHeap collects garbage (so that what earlier work left does not count) and starts sampling.
func sampleHeap() *heapSampler {
	runtime.GC()
	h := &heapSampler{stop: make(chan struct{}), done: make(chan struct{}), peak: heapNow()}
	go func() {
		defer close(h.done)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		s := []metrics.Sample{{Name: heapMetric}}
		for {
			select {
			case <-h.stop:
				return
			case <-t.C:
				metrics.Read(s)
				if v := s[0].Value.Uint64(); v > h.peak {
					h.peak = v
				}
			}
		}
	}()
	return h
}

// Stop ends sampling and returns the peak in MB (10⁶ bytes, as benchstat reads "MB").
func (h *heapSampler) Stop() float64 {
	if v := heapNow(); v > h.peak {
		h.peak = v
	}
	close(h.stop)
	<-h.done
	return float64(h.peak) / 1e6
}

// ---------------------------------------------------------------------------------------------------------
// patrimap

// importFile imports the GeoJSON file in into a new store at db, as dataset "bench", the way
// `patrimap import geojson` does.
func importFile(ctx context.Context, db, in string) (store.Dataset, error) {
	st, err := spatialite.Open(ctx, db)
	if err != nil {
		return store.Dataset{}, err
	}
	src, err := geojson.Open(in, 0, nil)
	if err != nil {
		st.Close()
		return store.Dataset{}, err
	}
	d, err := importers.Run(ctx, st, importers.Job{
		Info: store.DatasetInfo{ID: "bench", Title: "Benchmark layer", Theme: store.ThemeNatural,
			Producer: "patrimap bench", Licence: "Licence Ouverte 2.0"},
		Source: src,
		Report: &importers.Report{Source: filepath.Base(in), Format: "GeoJSON"},
	})
	src.Close()
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	return d, err
}

// The benchmark re-runs its own test binary to measure the peak RSS of one import or one stream alone: the
// child runs TestHelperProcess with these variables set.
const (
	envMode = "PATRIMAP_BENCH_MODE" // "import" or "stream"
	envIn   = "PATRIMAP_BENCH_IN"   // GeoJSON file to import
	envDB   = "PATRIMAP_BENCH_DB"   // store to create (import) or to read (stream)
	// envMeasure holds a JSON command line to run and measure (see childUsage).
	envMeasure = "PATRIMAP_BENCH_MEASURE"
)

// TestHelperProcess is not a test: it is the child process of the benchmarks, and returns at once otherwise.
func TestHelperProcess(t *testing.T) {
	if spec := os.Getenv(envMeasure); spec != "" {
		measure(t, spec)
		return
	}
	mode := os.Getenv(envMode)
	if mode == "" {
		return
	}
	ctx := context.Background()
	switch mode {
	case "import":
		d, err := importFile(ctx, os.Getenv(envDB), os.Getenv(envIn))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println(d.FeatureCount)
	case "stream":
		st, err := spatialite.Open(ctx, os.Getenv(envDB))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		srv := httptest.NewServer(newServer(st).Handler())
		defer srv.Close()
		n, err := get(srv.Client(), srv.URL+"/datasets/bench.geojson", false)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println(n)
	default:
		t.Fatalf("unknown %s %q", envMode, mode)
	}
}

// usage is what a child process cost: its peak resident set (MB, 10⁶ bytes) and its CPU time (user + system).
type usage struct {
	rssMB float64
	cpuS  float64
}

// childUsage runs argv in a new process and returns its peak resident set and CPU time.
//
// The benchmark does not start argv itself: Linux carries a process's peak RSS across execve, and Go starts
// children by cloning its address space, so any direct child of this (large) benchmark process would report
// at least the benchmark's own peak. A fresh copy of the test binary, small, starts argv instead and reports
// the rusage of its child (which can be no lower than that copy's own RSS, a few MB: logged if reached).
func childUsage(tb testing.TB, env []string, argv ...string) usage {
	tb.Helper()
	spec, err := json.Marshal(argv)
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), env...), envMeasure+"="+string(spec))
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("child process: %v\n%s", err, out)
	}
	var rss, floor, cpu float64
	for _, line := range strings.Split(string(out), "\n") {
		k, v, _ := strings.Cut(line, " ")
		switch k {
		case "maxrss-kib":
			rss, _ = strconv.ParseFloat(v, 64)
		case "floor-kib":
			floor, _ = strconv.ParseFloat(v, 64)
		case "cpu-us":
			cpu, _ = strconv.ParseFloat(v, 64)
		}
	}
	if rss == 0 {
		tb.Fatalf("child process: no peak RSS in its output:\n%s", out)
	}
	if rss <= floor {
		tb.Logf("%v: peak RSS %.1f MB is the measuring process's own: an upper bound", argv, rss*1024/1e6)
	}
	return usage{rssMB: rss * 1024 / 1e6, cpuS: cpu / 1e6}
}

// report adds u's metrics to b.
func (u usage) report(b *testing.B) {
	b.ReportMetric(u.rssMB, "maxrss-MB")
	b.ReportMetric(u.cpuS, "cpu-s")
}

// helperArgv runs TestHelperProcess.
func helperArgv() []string {
	return []string{os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1"}
}

// vmHWM is this process's peak RSS in KiB, from /proc/self/status (0 if unknown).
func vmHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// measure runs argv (JSON) and prints its peak RSS and CPU time, for childUsage.
func measure(t *testing.T, spec string) {
	var argv []string
	if err := json.Unmarshal([]byte(spec), &argv); err != nil || len(argv) == 0 {
		t.Fatalf("bad %s %q", envMeasure, spec)
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, envMeasure+"=") {
			env = append(env, kv)
		}
	}
	floor := vmHWM()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %v\n%s", argv, err, out)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Fatal("no rusage on this system")
	}
	cpu := ru.Utime.Sec*1e6 + ru.Utime.Usec + ru.Stime.Sec*1e6 + ru.Stime.Usec
	fmt.Printf("maxrss-kib %d\nfloor-kib %d\ncpu-us %d\n", ru.Maxrss, floor, cpu)
}

func newServer(st *spatialite.Store) *server.Server {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return server.New(st, log, fstest.MapFS{"index.html": {Data: []byte("<!doctype html>")}})
}

// get downloads url to io.Discard and returns the byte count. gzip asks for a compressed response, as browsers
// do; otherwise the body comes as is.
func get(c *http.Client, url string, gzip bool) (int64, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	if gzip {
		req.Header.Set("Accept-Encoding", "gzip")
	} else {
		req.Header.Set("Accept-Encoding", "identity")
	}
	res, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %s", url, res.Status)
	}
	return io.Copy(io.Discard, res.Body)
}

// BenchmarkImport imports each layer with patrimap's pipeline (importers.Run over the GeoJSON source) into a
// new store: opening the store (SpatiaLite metadata), the import and closing are all timed, as they are for
// ogr2ogr. peak-heap-MB is the Go heap sampled every 5 ms; maxrss-MB and cpu-s are the peak resident set and
// the CPU time (user + system) of the same import run alone in a child process (Go heap, SQLite and
// SpatiaLite), comparable with ogr2ogr's. CPU time depends less than wall time on what else the machine runs.
func BenchmarkImport(b *testing.B) {
	for _, l := range importLayers {
		b.Run(l.name, func(b *testing.B) {
			in := inputFile(b, l)
			ctx := context.Background()
			dir := b.TempDir()
			var peak float64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				db := filepath.Join(dir, fmt.Sprintf("import-%d.db", i))
				h := sampleHeap()
				d, err := importFile(ctx, db, in)
				if p := h.Stop(); p > peak {
					peak = p
				}
				if err != nil {
					b.Fatal(err)
				}
				if d.FeatureCount != int64(l.features()) {
					b.Fatalf("imported %d features, want %d", d.FeatureCount, l.features())
				}
				b.StopTimer()
				removeDB(db)
				b.StartTimer()
			}
			b.StopTimer()
			b.ReportMetric(float64(l.features())*float64(b.N)/b.Elapsed().Seconds(), "features/s")
			b.ReportMetric(peak, "peak-heap-MB")
			db := filepath.Join(dir, "child.db")
			childUsage(b, []string{envMode + "=import", envIn + "=" + in, envDB + "=" + db}, helperArgv()...).report(b)
			removeDB(db)
		})
	}
}

func removeDB(db string) {
	for _, s := range []string{"", "-wal", "-shm", "-journal"} {
		os.Remove(db + s)
	}
}

// BenchmarkOgr2ogr times `ogr2ogr -f SQLite -dsco SPATIALITE=YES out.sqlite in.geojson` on the same files
// (process start included). maxrss-MB and cpu-s are the peak resident set and CPU time of one more such run.
func BenchmarkOgr2ogr(b *testing.B) {
	ogr, err := exec.LookPath("ogr2ogr")
	if err != nil {
		b.Fatal("ogr2ogr not found: install gdal-bin (make test-deps does) to compare with GDAL")
	}
	for _, l := range importLayers {
		b.Run(l.name, func(b *testing.B) {
			in := inputFile(b, l)
			dir := b.TempDir()
			argv := func(out string) []string { return []string{ogr, "-f", "SQLite", "-dsco", "SPATIALITE=YES", out, in} }
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				out := filepath.Join(dir, fmt.Sprintf("ogr-%d.sqlite", i))
				a := argv(out)
				if msg, err := exec.Command(a[0], a[1:]...).CombinedOutput(); err != nil {
					b.Fatalf("ogr2ogr: %v\n%s", err, msg)
				}
				b.StopTimer()
				removeDB(out)
				b.StartTimer()
			}
			b.StopTimer()
			b.ReportMetric(float64(l.features())*float64(b.N)/b.Elapsed().Seconds(), "features/s")
			out := filepath.Join(dir, "ogr-rss.sqlite")
			childUsage(b, nil, argv(out)...).report(b)
			removeDB(out)
		})
	}
}

// BenchmarkStream downloads each layer as GeoJSON through the Echo handler behind a real HTTP server
// (httptest), the store being imported once beforehand. peak-heap-MB is the Go heap of the whole process
// (server and client) sampled every 5 ms during the download; maxrss-MB and cpu-s are the peak resident set
// and CPU time of a child process that opens the store and does the same download. points-10k is there to compare: flat memory means
// the same peaks for 10k and 100k points (and 1m points with PATRIMAP_BENCH_LARGE=1). The -gzip variants ask
// for gzip, as browsers do.
func BenchmarkStream(b *testing.B) {
	type streamCase struct {
		l    layer
		gzip bool
	}
	cases := []streamCase{{points10k, false}, {points100k, false}, {polygons10k, false}, {points100k, true}, {polygons10k, true}}
	if os.Getenv(envLarge) != "" {
		cases = append(cases, streamCase{points1m, false})
	}
	for _, c := range cases {
		name := c.l.name
		if c.gzip {
			name += "-gzip"
		}
		b.Run(name, func(b *testing.B) {
			db := importedStore(b, c.l)
			ctx := context.Background()
			st, err := spatialite.Open(ctx, db)
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			srv := httptest.NewServer(newServer(st).Handler())
			defer srv.Close()
			client := srv.Client()
			url := srv.URL + "/datasets/bench.geojson"
			if _, err := get(client, url, c.gzip); err != nil { // warm the connection and SQLite's cache
				b.Fatal(err)
			}
			var peak float64
			var bytes int64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				h := sampleHeap()
				n, err := get(client, url, c.gzip)
				if p := h.Stop(); p > peak {
					peak = p
				}
				if err != nil {
					b.Fatal(err)
				}
				bytes += n
			}
			b.StopTimer()
			secs := b.Elapsed().Seconds()
			b.ReportMetric(float64(c.l.features())*float64(b.N)/secs, "features/s")
			b.ReportMetric(float64(bytes)/secs/1e6, "MB/s")
			b.ReportMetric(peak, "peak-heap-MB")
			if !c.gzip {
				childUsage(b, []string{envMode + "=stream", envDB + "=" + db}, helperArgv()...).report(b)
			}
		})
	}
}
