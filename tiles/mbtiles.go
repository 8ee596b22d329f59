package tiles

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	_ "github.com/mattn/go-sqlite3" // database/sql driver "sqlite3": an MBTiles file is plain SQLite
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/maptile/tilecover"

	"github.com/patrimap/patrimap/store"
)

// ExportOptions says what ExportMBTiles writes.
type ExportOptions struct {
	MinZoom, MaxZoom int
	// Progress, when set, is called after each tile with the tiles done and the total.
	Progress func(done, total int)
}

// ExportStats says what an export wrote.
type ExportStats struct {
	Tiles    int   // tiles written (empty tiles are not written)
	Bytes    int64 // gzip bytes of tile data
	MaxBytes int   // largest tile, not compressed
	PerZoom  map[int]int
}

// ExportMBTiles writes the tiles of layers from opts.MinZoom to opts.MaxZoom into an MBTiles 1.3 file at
// path (https://github.com/mapbox/mbtiles-spec/blob/master/1.3/spec.md): a metadata table (name, format pbf,
// bounds, center, minzoom, maxzoom, json with vector_layers, attribution) and a tiles table in the TMS scheme
// (rows counted from the south), each tile gzip-compressed. Only the tiles the features cover are made; the
// file is written aside and renamed into place, so a failed export leaves no half file.
func ExportMBTiles(ctx context.Context, src FeatureSource, r *Renderer, layers []Layer, path string, opts ExportOptions) (ExportStats, error) {
	st := ExportStats{PerZoom: map[int]int{}}
	if opts.MinZoom < 0 || opts.MaxZoom > MaxZoom || opts.MinZoom > opts.MaxZoom {
		return st, fmt.Errorf("zooms %d to %d: they go from 0 to %d, min before max", opts.MinZoom, opts.MaxZoom, MaxZoom)
	}
	// The tiles to make: those each feature covers at the deepest zoom, and their parents.
	cover := maptile.Set{}
	world := orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}
	for _, l := range layers {
		err := src.TileFeatures(ctx, l.Dataset, world, []string{}, func(f *store.Feature) error {
			set, err := tilecover.Geometry(f.Geometry, maptile.Zoom(opts.MaxZoom))
			if err != nil {
				return fmt.Errorf("dataset %s: feature %d: tile cover: %w", l.Dataset.ID, f.FID, err)
			}
			for t := range set {
				cover[t] = true
			}
			return ctx.Err()
		})
		if err != nil {
			return st, err
		}
	}
	all := maptile.Set{}
	for t := range cover {
		for z := opts.MaxZoom; z >= opts.MinZoom; z-- {
			pt := t
			if uint32(z) < uint32(t.Z) {
				pt = maptile.New(t.X>>(uint32(t.Z)-uint32(z)), t.Y>>(uint32(t.Z)-uint32(z)), maptile.Zoom(z))
			}
			if all[pt] {
				break
			}
			all[pt] = true
		}
	}
	list := make([]maptile.Tile, 0, len(all))
	for t := range all {
		list = append(list, t)
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if a.Z != b.Z {
			return a.Z < b.Z
		}
		if a.X != b.X {
			return a.X < b.X
		}
		return a.Y < b.Y
	})

	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	os.Remove(tmp)
	db, err := sql.Open("sqlite3", "file:"+tmp+"?_journal_mode=OFF&_synchronous=OFF")
	if err != nil {
		return st, err
	}
	ok := false
	defer func() {
		db.Close()
		if !ok {
			os.Remove(tmp)
		}
	}()
	db.SetMaxOpenConns(1)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return st, err
	}
	defer tx.Rollback()
	for _, q := range []string{
		`CREATE TABLE metadata (name TEXT, value TEXT)`,
		`CREATE UNIQUE INDEX name ON metadata (name)`,
		`CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)`,
		`CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return st, fmt.Errorf("mbtiles %s: %w", path, err)
		}
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return st, err
	}
	defer ins.Close()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	for i, t := range list {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		b, _, err := r.Render(ctx, src, layers, t, MVT)
		if err != nil {
			return st, fmt.Errorf("tile %d/%d/%d: %w", t.Z, t.X, t.Y, err)
		}
		if opts.Progress != nil {
			opts.Progress(i+1, len(list))
		}
		if b == nil {
			continue
		}
		buf.Reset()
		zw.Reset(&buf)
		zw.Write(b)
		zw.Close()
		row := (uint32(1) << t.Z) - 1 - t.Y // TMS: rows from the south
		if _, err := ins.ExecContext(ctx, int(t.Z), int(t.X), int(row), buf.Bytes()); err != nil {
			return st, fmt.Errorf("mbtiles %s: tile %d/%d/%d: %w", path, t.Z, t.X, t.Y, err)
		}
		st.Tiles++
		st.PerZoom[int(t.Z)]++
		st.Bytes += int64(buf.Len())
		st.MaxBytes = max(st.MaxBytes, len(b))
	}
	tj := NewTileJSON(layers, "")
	// Each layer holds the file's zooms, not the server's: readers (QGIS, MapLibre) take a layer's maxzoom as
	// where to stop asking and overzoom from there.
	for i := range tj.VectorLayers {
		tj.VectorLayers[i].MinZoom, tj.VectorLayers[i].MaxZoom = opts.MinZoom, opts.MaxZoom
	}
	vl, err := json.Marshal(map[string]any{"vector_layers": tj.VectorLayers})
	if err != nil {
		return st, err
	}
	ids := make([]string, len(layers))
	for i, l := range layers {
		ids[i] = l.Dataset.ID
	}
	meta := [][2]string{
		{"name", tj.Name}, {"format", "pbf"}, {"type", "overlay"}, {"version", "1"},
		{"description", "patrimap vector tiles of " + strings.Join(ids, ", ") + " (" + tj.Version + ")"},
		{"minzoom", strconv.Itoa(opts.MinZoom)}, {"maxzoom", strconv.Itoa(opts.MaxZoom)},
		{"attribution", tj.Attribution}, {"json", string(vl)},
	}
	if len(tj.Bounds) == 4 {
		b := tj.Bounds
		meta = append(meta, [2]string{"bounds", fmt.Sprintf("%g,%g,%g,%g", b[0], b[1], b[2], b[3])},
			[2]string{"center", fmt.Sprintf("%g,%g,%d", tj.Center[0], tj.Center[1], max(opts.MinZoom, min(int(tj.Center[2]), opts.MaxZoom)))})
	}
	for _, m := range meta {
		if _, err := tx.ExecContext(ctx, `INSERT INTO metadata (name, value) VALUES (?, ?)`, m[0], m[1]); err != nil {
			return st, err
		}
	}
	if err := tx.Commit(); err != nil {
		return st, fmt.Errorf("mbtiles %s: %w", path, err)
	}
	if err := db.Close(); err != nil {
		return st, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return st, err
	}
	ok = true
	return st, nil
}
