package sqlitefile

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/spatialite"
)

// spatialIndex names a file's R*Tree and its columns (id, min x, max x, min y, max y): GeoPackage's
// gpkg_rtree_index or SpatiaLite's CreateSpatialIndex.
func spatialIndex(ft format, table string) (rtree, columns string) {
	if ft.driver == "GPKG" {
		return quoteIdent("rtree_" + table + "_geom"), "id, minx, maxx, miny, maxy"
	}
	return quoteIdent("idx_" + table + "_geom"), "pkid, xmin, xmax, ymin, ymax"
}

// envelopes reads a file's R*Tree with SQLite alone: fid -> envelope.
func envelopes(t *testing.T, path string, ft format, table string) map[int64]orb.Bound {
	t.Helper()
	rtree, cols := spatialIndex(ft, table)
	rows, err := openPlain(t, path).Query(`SELECT ` + cols + ` FROM ` + rtree)
	if err != nil {
		t.Fatalf("%s: no spatial index %s: %v", path, rtree, err)
	}
	defer rows.Close()
	out := map[int64]orb.Bound{}
	for rows.Next() {
		var id int64
		var b orb.Bound
		if err := rows.Scan(&id, &b.Min[0], &b.Max[0], &b.Min[1], &b.Max[1]); err != nil {
			t.Fatal(err)
		}
		out[id] = b
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkEnvelope: the R*Tree's box (32-bit floats, rounded outwards) holds the geometry's bounds, closely.
func checkEnvelope(got, want orb.Bound) error {
	const slack = 1e-4 // degrees; a 32-bit float near 45° is within 4e-6
	for i := range 2 {
		if got.Min[i] > want.Min[i] || got.Max[i] < want.Max[i] ||
			want.Min[i]-got.Min[i] > slack || got.Max[i]-want.Max[i] > slack {
			return fmt.Errorf("R*Tree box %v for a geometry bounded by %v", got, want)
		}
	}
	return nil
}

// checkSpatialIndex: the R*Tree holds one box per feature with a geometry, around it; GDAL finds the index,
// uses it for a spatial filter (its debug output shows the query going through the R*Tree), and the filter
// selects what the store selects.
func checkSpatialIndex(t *testing.T, st *spatialite.Store, path string, d store.Dataset, ft format, want []store.Feature) {
	t.Helper()
	if d.GeometryType == "" || d.BBox == nil {
		return
	}
	boxes := envelopes(t, path, ft, d.Table)
	placed := 0
	for _, w := range want {
		if w.Geometry == nil {
			if _, ok := boxes[w.FID]; ok {
				t.Errorf("fid %d: a box in the spatial index, no geometry in the store", w.FID)
			}
			continue
		}
		placed++
		b, ok := boxes[w.FID]
		if !ok {
			t.Errorf("fid %d: not in the spatial index", w.FID)
		} else if err := checkEnvelope(b, w.Geometry.Bound()); err != nil {
			t.Errorf("fid %d: %v", w.FID, err)
		}
	}
	if len(boxes) != placed {
		t.Errorf("the spatial index holds %d boxes for %d features with a geometry", len(boxes), placed)
	}

	b := *d.BBox
	c := b.Center()
	q := orb.Bound{Min: orb.Point{(b.Min[0] + c[0]) / 2, (b.Min[1] + c[1]) / 2}, Max: orb.Point{(b.Max[0] + c[0]) / 2, (b.Max[1] + c[1]) / 2}}
	ctx := context.Background()
	sn, err := st.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n, err := sn.Count(ctx, d, store.Query{BBox: &q})
	sn.Close()
	if err != nil {
		t.Fatal(err)
	}
	if got := countInBBox(t, path, d.Table, q); int64(got) != n {
		t.Errorf("bbox %v selects %d features in GDAL, %d in the store", q, got, n)
	}

	// GDAL's GPKG driver logs the features query (a join with the R*Tree), its SQLite driver the count of a
	// layer under a spatial filter (from the R*Tree).
	mode, uses := []string{"-q", "-geom=NO"}, `JOIN "rtree_`+d.Table+`_geom" r ON`
	check, answer := "SELECT HasSpatialIndex('"+d.Table+"', 'geom')", "HasSpatialIndex (Integer) = 1"
	if ft.driver == "SQLite" {
		mode, uses = []string{"-so"}, `SELECT count(*) FROM 'idx_`+d.Table+`_geom' WHERE xmax >=`
		check, answer = "SELECT CheckSpatialIndex('"+d.Table+"', 'geom') AS ok", "ok (Integer) = 1"
	}
	_, debug := gdal(t, true, "ogrinfo", append(append(append([]string{"--debug", "on"}, mode...), spat(q)...), path, d.Table)...)
	if !strings.Contains(debug, uses) {
		t.Errorf("GDAL does not read the spatial index for a bbox (no %q in its debug output):\n%s", uses, debug)
	}
	if out := ogrinfo(t, path, "-sql", check); !strings.Contains(out, answer) {
		t.Errorf("%s:\n%s", check, out)
	}
}

func spat(q orb.Bound) []string {
	return []string{"-spat", fmt.Sprint(q.Min[0]), fmt.Sprint(q.Min[1]), fmt.Sprint(q.Max[0]), fmt.Sprint(q.Max[1])}
}

// countInBBox is the number of features of the layer that ogrinfo lists under a spatial filter q.
func countInBBox(t *testing.T, path, layer string, q orb.Bound) int {
	t.Helper()
	out := ogrinfo(t, append(append([]string{"-ro", "-q", "-geom=NO"}, spat(q)...), path, layer)...)
	return strings.Count(out, "\nOGRFeature(")
}

// A file edited in GDAL (as QGIS edits it) keeps its spatial index current: a geometry moved, one removed, one
// row deleted, one added; the index then answers a spatial filter as the rows say.
func TestSpatialIndexFollowsEditsInGDAL(t *testing.T) {
	st := openStore(t)
	d := fixtures[0].load(t, st, fixtures[0].id) // 15 natural reserves, multipolygons
	want := storeFeatures(t, st, d)
	if len(want) < 4 {
		t.Fatalf("%d features", len(want))
	}
	moved, model, cleared, deleted := want[0], want[1], want[2], want[3]
	if moved.Geometry.Bound().Intersects(model.Geometry.Bound()) {
		t.Fatalf("fids %d and %d overlap: pick two apart, so that the move shows", moved.FID, model.FID)
	}
	for _, ft := range formats {
		t.Run(ft.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), d.ID+ft.ext)
			if err := ft.write(context.Background(), path, d, features(st, d)); err != nil {
				t.Fatal(err)
			}
			tbl := quoteIdent(d.Table)
			for _, stmt := range []string{
				fmt.Sprintf(`UPDATE %s SET geom = (SELECT geom FROM %s WHERE fid = %d) WHERE fid = %d`, tbl, tbl, model.FID, moved.FID),
				fmt.Sprintf(`UPDATE %s SET geom = NULL WHERE fid = %d`, tbl, cleared.FID),
				fmt.Sprintf(`DELETE FROM %s WHERE fid = %d`, tbl, deleted.FID),
				fmt.Sprintf(`INSERT INTO %s (fid, geom) SELECT 1000, geom FROM %s WHERE fid = %d`, tbl, tbl, model.FID),
			} {
				// ogrinfo opens the file for update: the triggers run with GDAL's own SQL functions.
				ogrinfo(t, path, "-sql", stmt)
			}
			boxes := envelopes(t, path, ft, d.Table)
			if len(boxes) != len(want)-1 {
				t.Errorf("%d boxes after the edits, want %d", len(boxes), len(want)-1)
			}
			mb := model.Geometry.Bound()
			for _, fid := range []int64{moved.FID, 1000} {
				if err := checkEnvelope(boxes[fid], mb); err != nil {
					t.Errorf("fid %d: %v", fid, err)
				}
			}
			for _, fid := range []int64{cleared.FID, deleted.FID} {
				if b, ok := boxes[fid]; ok {
					t.Errorf("fid %d: still in the spatial index (%v)", fid, b)
				}
			}
			// A filter on the moved geometry's old place no longer finds it; one on the model finds all three.
			if countWith(t, path, d.Table, moved.Geometry.Bound(), moved.FID) != 0 {
				t.Errorf("a filter on fid %d's old place still finds it", moved.FID)
			}
			for _, fid := range []int64{model.FID, moved.FID, 1000} {
				if countWith(t, path, d.Table, mb, fid) != 1 {
					t.Errorf("a filter on fid %d's box does not find fid %d", model.FID, fid)
				}
			}
		})
	}
}

// countWith says whether ogrinfo, under a spatial filter q, lists the feature fid (1) or not (0).
func countWith(t *testing.T, path, layer string, q orb.Bound, fid int64) int {
	t.Helper()
	out := ogrinfo(t, append(append([]string{"-ro", "-q", "-geom=NO", "-where", "fid = " + fmt.Sprint(fid)}, spat(q)...), path, layer)...)
	return strings.Count(out, "\nOGRFeature(")
}
