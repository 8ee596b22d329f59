package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/geo"
	"github.com/patrimap/patrimap/tiles"
)

// runTiles is `patrimap tiles export`: vector tiles of datasets into an MBTiles file, for offline use and QGIS.
func runTiles(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "export" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintln(e.stderr, "Usage: patrimap tiles export --dataset ID[,ID] --maxzoom N --out FILE.mbtiles")
			return nil
		}
		return usageError{errors.New("tiles: the subcommand is export (patrimap tiles export --dataset ID --maxzoom N --out FILE.mbtiles)")}
	}
	fs := newFlags(e, "tiles export", "tiles export --dataset ID[,ID] [--minzoom 0] --maxzoom N --out FILE.mbtiles",
		"patrimap tiles export --dataset apb,pn-coeur --maxzoom 10 --out espaces-proteges.mbtiles")
	ids := fs.String("dataset", "", "dataset `ID`s, separated by commas: one MVT layer each")
	minZoom := fs.Int("minzoom", 0, "first `zoom`")
	maxZoom := fs.Int("maxzoom", 10, fmt.Sprintf("last `zoom` (at most %d; clients over-zoom it)", tiles.MaxZoom))
	out := fs.String("out", "", "MBTiles `FILE` to write (replaced if it exists)")
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return usageError{fmt.Errorf("tiles export: unexpected argument %q", pos[0])}
	case *ids == "":
		return usageError{errors.New("tiles export: --dataset is required (patrimap datasets lists them)")}
	case *out == "":
		return usageError{errors.New("tiles export: --out FILE.mbtiles is required")}
	case *minZoom < 0 || *maxZoom > tiles.MaxZoom || *minZoom > *maxZoom:
		return usageError{fmt.Errorf("tiles export: zooms go from 0 to %d, --minzoom %d is after --maxzoom %d or outside", tiles.MaxZoom, *minZoom, *maxZoom)}
	}
	sn, done, err := e.openView(ctx)
	if err != nil {
		return err
	}
	defer done()
	var layers []tiles.Layer
	for _, id := range strings.Split(*ids, ",") {
		d, err := sn.Dataset(ctx, strings.TrimSpace(id))
		if err != nil {
			return fmt.Errorf("tiles export: %w (patrimap datasets lists them)", err)
		}
		layers = append(layers, tiles.NewLayer(d))
	}
	var topo geo.Topology
	r := &tiles.Renderer{
		Repair: func(_ context.Context, g orb.Geometry) (orb.Geometry, error) { return topo.BufferZero(g) },
		Valid:  func(_ context.Context, g orb.Geometry) (bool, error) { return topo.Valid(g) },
	}
	opts := tiles.ExportOptions{MinZoom: *minZoom, MaxZoom: *maxZoom}
	start := time.Now()
	if terminal(e.stderr) {
		last := time.Now()
		opts.Progress = func(done, total int) {
			if time.Since(last) > 200*time.Millisecond || done == total {
				last = time.Now()
				rate := float64(done) / time.Since(start).Seconds()
				eta := time.Duration(float64(total-done)/rate) * time.Second
				fmt.Fprintf(e.stderr, "\rtiles: %d/%d (%.0f/s, ETA %s)   ", done, total, rate, eta.Round(time.Second))
				if done == total {
					fmt.Fprintln(e.stderr)
				}
			}
		}
	}
	stats, err := tiles.ExportMBTiles(ctx, sn, r, layers, *out, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: %d tiles, zooms %d-%d, %.1f MB (largest tile %d KB), in %s\n", *out, stats.Tiles, *minZoom, *maxZoom,
		float64(stats.Bytes)/1e6, stats.MaxBytes/1024, time.Since(start).Round(time.Millisecond))
	return nil
}

// terminal says whether w is a terminal (progress is shown there only, never in CI logs and pipes).
func terminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
