package main

import (
	"bytes"
	"compress/gzip"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"
	"github.com/paulmach/orb/maptile"

	"github.com/patrimap/patrimap/geo"
	"github.com/patrimap/patrimap/tiles"
)

// The national APB and PN layers export to MBTiles 1.3 that GDAL reads: metadata, vector layers, valid
// polygons at every zoom, TMS rows, gzip tiles, none over 500 KB.
func TestTilesExportNationalLayersToMBTiles(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	for _, f := range []string{"../../testdata/inpn/apb/apb.zip", "../../testdata/inpn/pn/pn.zip"} {
		if out, err := patrimap(t, "import", "inpn", "--file", f, "--db", db); err != nil {
			t.Fatalf("import %s: %v\n%s", f, err, out)
		}
	}
	mb := filepath.Join(dir, "ep.mbtiles")
	out, err := patrimap(t, "tiles", "export", "--db", db, "--dataset", "apb,pn-coeur", "--maxzoom", "8", "--out", mb)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	t.Log(strings.TrimSpace(out))

	sq, err := sql.Open("sqlite3", mb)
	if err != nil {
		t.Fatal(err)
	}
	defer sq.Close()
	meta := map[string]string{}
	rows, err := sq.Query(`SELECT name, value FROM metadata`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k, v string
		rows.Scan(&k, &v)
		meta[k] = v
	}
	rows.Close()
	for _, k := range []string{"name", "format", "bounds", "center", "minzoom", "maxzoom", "json", "attribution"} {
		if meta[k] == "" {
			t.Errorf("metadata lacks %s: %v", k, meta)
		}
	}
	var js struct {
		VectorLayers []tiles.VectorLayer `json:"vector_layers"`
	}
	if err := json.Unmarshal([]byte(meta["json"]), &js); err != nil || len(js.VectorLayers) != 2 || js.VectorLayers[0].ID != "apb" || js.VectorLayers[0].Fields["name"] != "String" {
		t.Errorf("metadata json %s: %v", meta["json"], err)
	}
	if meta["format"] != "pbf" || meta["minzoom"] != "0" || meta["maxzoom"] != "8" {
		t.Errorf("metadata %v", meta)
	}
	// Each vector layer says the file's zooms (QGIS stops asking for tiles at a layer's maxzoom), and the
	// bounds are France's, west,south,east,north.
	for _, vl := range js.VectorLayers {
		if vl.MinZoom != 0 || vl.MaxZoom != 8 {
			t.Errorf("vector layer %s: zooms %d to %d, the file's are 0 to 8", vl.ID, vl.MinZoom, vl.MaxZoom)
		}
	}
	var west, south, east, north float64
	if _, err := fmt.Sscanf(meta["bounds"], "%g,%g,%g,%g", &west, &south, &east, &north); err != nil || west < -6 || east > 10 || south < 41 || north > 52 || west >= east || south >= north {
		t.Errorf("bounds %q: %v", meta["bounds"], err)
	}
	// Every tile is gzip, at most 500 KB, and at its TMS row: the tile over Paris-Grenoble's latitude at z8.
	rows, err = sq.Query(`SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles`)
	if err != nil {
		t.Fatal(err)
	}
	n, biggest := 0, 0
	perZoom := map[int]int{}
	for rows.Next() {
		var z, x, y int
		var data []byte
		rows.Scan(&z, &x, &y, &data)
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("tile %d/%d/%d is not gzip: %v", z, x, y, err)
		}
		raw, _ := io.ReadAll(zr)
		if _, err := tiles.DecodeMVT(raw); err != nil {
			t.Fatalf("tile %d/%d/%d: %v", z, x, y, err)
		}
		n++
		perZoom[z]++
		biggest = max(biggest, len(raw))
		if limit := tiles.MaxBytes(maptile.Zoom(z)); len(raw) > limit {
			t.Errorf("tile %d/%d/%d is %d bytes, over its cap of %d", z, x, y, len(raw), limit)
		}
	}
	rows.Close()
	if n == 0 || perZoom[0] != 1 {
		t.Fatalf("%d tiles, per zoom %v", n, perZoom)
	}
	t.Logf("%d tiles, per zoom %v, largest %d bytes", n, perZoom, biggest)
	var count int
	// z8 tile of Grenoble: x=132, y=91 in XYZ, TMS row 255-91=164.
	sq.QueryRow(`SELECT count(*) FROM tiles WHERE zoom_level = 8 AND tile_column = 132 AND tile_row = 164`).Scan(&count)
	if count != 1 {
		t.Errorf("no tile at TMS 8/132/164 (XYZ 8/132/91, over Grenoble)")
	}

	// GDAL reads the file, its two layers, and finds every polygon valid at low and high zooms.
	info := gdal(t, "ogrinfo", "-ro", "-so", "-al", mb)
	for _, want := range []string{"Layer name: apb", "Layer name: pn-coeur", "name: String"} {
		if !strings.Contains(info, want) {
			t.Errorf("ogrinfo lacks %q:\n%s", want, info)
		}
	}
	// Every polygon of every tile is valid for GEOS, at every zoom; GDAL's MVT driver reads a tile alone too.
	// (Reading the whole MBTiles, GDAL also unions the pieces of a feature across tiles, which is GDAL's own
	// work.)
	var topo geo.Topology
	rows, err = sq.Query(`SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles`)
	if err != nil {
		t.Fatal(err)
	}
	total, invalid := 0, 0
	for rows.Next() {
		var z, x, row int
		var data []byte
		rows.Scan(&z, &x, &row, &data)
		zr, _ := gzip.NewReader(bytes.NewReader(data))
		raw, _ := io.ReadAll(zr)
		ls, _ := tiles.DecodeMVT(raw)
		for _, l := range ls {
			for _, f := range l.Features {
				total++
				if ok, err := topo.Valid(f.Geometry); err != nil || !ok {
					invalid++
					t.Errorf("tile %d/%d/%d layer %s feature %d: invalid polygon (%v)", z, x, (1<<z)-1-row, l.Name, f.ID, err)
				}
			}
		}
		if z == 8 && x == 132 && row == 164 {
			f := filepath.Join(dir, "8-132-91.pbf")
			os.WriteFile(f, raw, 0o644)
			out := gdal(t, "ogrinfo", "-ro", "-q", "-oo", "Z=8", "-oo", "X=132", "-oo", "Y=91", "-dialect", "SQLite", "-sql",
				`SELECT count(*) AS n, sum(ST_IsValid(geometry)) AS valid FROM apb`, f)
			if !strings.Contains(out, "n (Integer) = ") || strings.Contains(out, "n (Integer) = 0") {
				t.Errorf("GDAL reads no apb polygon in tile 8/132/91:\n%s", out)
			}
		}
	}
	rows.Close()
	t.Logf("GEOS checked %d polygons: %d invalid", total, invalid)
}

func TestTilesExportErrors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "p.db")
	if out, err := patrimap(t, "import", "geojson", rnnFile, "--dataset", "rnn", "--title", "RNN", "--producer", "INPN", "--db", db); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"tiles"}, 2, "the subcommand is export"},
		{[]string{"tiles", "export", "--db", db, "--out", "x.mbtiles"}, 2, "--dataset is required"},
		{[]string{"tiles", "export", "--db", db, "--dataset", "rnn"}, 2, "--out FILE.mbtiles is required"},
		{[]string{"tiles", "export", "--db", db, "--dataset", "rnn", "--maxzoom", "15", "--out", "x.mbtiles"}, 2, "zooms go from 0 to 14"},
		{[]string{"tiles", "export", "--db", db, "--dataset", "nope", "--out", filepath.Join(t.TempDir(), "x.mbtiles")}, 1, "patrimap datasets lists them"},
	} {
		out, err := patrimap(t, tc.args...)
		if exitCode(err) != tc.code || !strings.Contains(out+fmt.Sprint(err), tc.msg) {
			t.Errorf("%v: exit %d %v %s, want %d with %q", tc.args, exitCode(err), err, out, tc.code, tc.msg)
		}
	}
}
