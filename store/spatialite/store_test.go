package spatialite

import (
	"context"
	"errors"

	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patrimap/patrimap/geo"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/storetest"
)

func openTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// currentDataset reads the catalogue entry of id through a snapshot of its own.
func currentDataset(s *Store, id string) (store.Dataset, error) {
	ctx := context.Background()
	sn, err := s.Snapshot(ctx)
	if err != nil {
		return store.Dataset{}, err
	}
	defer sn.Close()
	return sn.Dataset(ctx, id)
}

// TestConformance: the SpatiaLite store behaves as every store must.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "conformance.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// loadFixture reads a testdata GeoJSON file with orb (not with patrimap's importer, which has its own tests).
func loadFixture(t *testing.T, name string) *geojson.FeatureCollection {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		t.Fatal(err)
	}
	return fc
}

// props keeps the fixture's property order as ogr2ogr wrote it (orb gives a map).
func props(f *geojson.Feature, keys []string) []store.Property {
	out := make([]store.Property, 0, len(keys))
	for _, k := range keys {
		v := f.Properties[k]
		if x, ok := v.(float64); ok && x == float64(int64(x)) && k != "SURF_OFF" {
			v = int64(x)
		}
		out = append(out, store.Property{Key: k, Value: v})
	}
	return out
}

var rnnKeys = []string{"ID_LOCAL", "PRN_ASSO", "CODE_R_ENP", "NOM_SITE", "DATE_CREA", "MODIF_ADM", "URL_FICHE", "SURF_OFF", "ID_MNHN"}

// importFixture imports a fixture as dataset id, giving the rows for which pyramid says so a pyramid.
func importFixture(t *testing.T, s *Store, id string, fc *geojson.FeatureCollection, pyramid func(i int, g orb.Geometry) []orb.Geometry) store.Dataset {
	t.Helper()
	ctx := context.Background()
	info := store.DatasetInfo{ID: id, Title: id, Producer: "INPN", Theme: store.ThemeNatural}
	im, err := s.BeginImport(ctx, info.ID, store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range fc.Features {
		r := store.Row{Geometry: f.Geometry, Properties: props(f, rnnKeys)}
		if pyramid != nil {
			r.Pyramid = pyramid(i, f.Geometry)
		}
		if err := im.Add(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	d, err := im.Commit(ctx, info, map[string]string{"ok": "yes"})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// A bbox query goes through the R*Tree, never a scan of the table.
func TestBBoxQueryUsesSpatialIndex(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	d := importFixture(t, s, "rnn", loadFixture(t, "rnn-isere.geojson"), nil)
	b := orb.Bound{Min: orb.Point{6.2, 44.9}, Max: orb.Point{6.35, 45.0}}
	for _, q := range []store.Query{{BBox: &b}, {Filter: store.Intersects{Geometry: b.ToPolygon()}}} {
		p, err := store.NewPlan(d, q)
		if err != nil {
			t.Fatal(err)
		}
		sqlText, args, err := featureSQL(p)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := s.db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+sqlText, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			rows.Scan(&id, &parent, &notused, &detail)
			plan = append(plan, detail)
		}
		rows.Close()
		joined := strings.Join(plan, "\n")
		if !strings.Contains(joined, "VIRTUAL TABLE INDEX") || !strings.Contains(joined, "idx_rnn_geom") {
			t.Errorf("the bbox query does not go through the R*Tree:\n%s", joined)
		}
		if strings.Contains(joined, "SCAN rnn") {
			t.Errorf("the bbox query scans the table:\n%s", joined)
		}
	}
}

func TestMissingExtensionNamesThePackage(t *testing.T) {
	_, err := open(context.Background(), filepath.Join(t.TempDir(), "x.db"), "mod_spatialite_not_there")
	if !errors.Is(err, ErrNoSpatiaLite) || !strings.Contains(err.Error(), "apt-get install libsqlite3-mod-spatialite") {
		t.Errorf("error = %v", err)
	}
}

// boxPyramid is a stand-in pyramid, easy to tell from the geometry: its box at every zoom.
func boxPyramid(_ int, g orb.Geometry) []orb.Geometry {
	out := make([]orb.Geometry, store.PyramidMaxZoom+1)
	for z := range out {
		out[z] = g.Bound().ToPolygon()
	}
	return out
}

// The pyramid tables hold the pyramids given, one table a zoom, and are replaced with each import (the single
// table and the single copy of earlier imports too); a dataset imported before pyramids says it has none.
func TestPyramidTable(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	fc := loadFixture(t, "rnn-isere.geojson")
	everyOther := func(i int, g orb.Geometry) []orb.Geometry {
		if i%2 == 0 {
			return boxPyramid(i, g)
		}
		return nil
	}
	importFixture(t, s, "rnn", fc, everyOther)
	count := func() (n int) {
		for z := 0; z <= store.PyramidMaxZoom; z++ {
			var nz int
			s.db.QueryRow(`SELECT count(*) FROM ` + pyramidTable("rnn", z)).Scan(&nz)
			if z > 0 && nz != n {
				t.Errorf("pyramid zoom %d: %d rows, zoom 0 %d", z, nz, n)
			}
			n = nz
		}
		return n
	}
	if n := count(); n != 8 {
		t.Errorf("pyramid: %d rows, want the 8 given", n)
	}
	// Imports of the versions before pyramids and before a table a zoom left their single copy and their
	// single table: the next import drops them.
	for _, old := range []string{lowZoomTable("rnn"), singlePyramidTable("rnn")} {
		if _, err := s.writer.Exec(`CREATE TABLE ` + old + ` AS SELECT fid, AsBinary(geom) AS wkb FROM rnn`); err != nil {
			t.Fatal(err)
		}
	}
	var topo geo.Topology
	d := importFixture(t, s, "rnn", fc, func(_ int, g orb.Geometry) []orb.Geometry {
		return topo.Pyramid(g, store.PyramidMaxZoom, store.PyramidGrid())
	})
	if n := count(); n != 15 {
		t.Errorf("after a re-import the pyramid has %d rows, want 15", n)
	}
	var old int
	s.db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name IN (?, ?)`, lowZoomTable("rnn"), singlePyramidTable("rnn")).Scan(&old)
	if old != 0 {
		t.Errorf("the single low-zoom copy or the single pyramid table of the earlier imports is still there")
	}
	sn, _ := s.Snapshot(ctx)
	boxes := 0
	err := sn.PyramidTileFeatures(ctx, d, 0, *d.BBox, nil, func(f *store.Feature) error {
		if p, ok := f.Geometry.(orb.MultiPolygon); ok && len(p) == 1 && len(p[0]) == 1 && len(p[0][0]) == 5 {
			boxes++ // z0: every reserve of the Isère is under 16 units, drawn as the box of its largest part
		}
		return nil
	})
	sn.Close()
	if err != nil || boxes != 15 {
		t.Errorf("z0 of the new pyramid: %d boxes of 15 (%v)", boxes, err)
	}
	for z := 0; z <= store.PyramidMaxZoom; z++ { // as a store imported before pyramids
		if _, err := s.writer.Exec(`DROP TABLE ` + pyramidTable("rnn", z)); err != nil {
			t.Fatal(err)
		}
	}
	sn, _ = s.Snapshot(ctx)
	defer sn.Close()
	err = sn.PyramidTileFeatures(ctx, d, 5, *d.BBox, nil, func(f *store.Feature) error { return nil })
	if !errors.Is(err, store.ErrNoPyramid) {
		t.Errorf("without a pyramid table: %v, want ErrNoPyramid", err)
	}
}

// A file whose territory cache predates the memo keeps its boundaries, moved into the memo.
func TestOldTerritoryCacheMoves(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.writer.Exec(`CREATE TABLE patrimap_territories (spec TEXT PRIMARY KEY, name TEXT NOT NULL, geojson TEXT NOT NULL, fetched_at TEXT NOT NULL);
		INSERT INTO patrimap_territories VALUES ('epci:246300701', 'Clermont Auvergne Métropole', '{"type":"Point","coordinates":[3,45]}', '2026-01-02T03:04:05Z')`)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	v, ok, err := s.Recall(context.Background(), "territory", "epci:246300701")
	if !ok || err != nil || string(v) != `{"name":"Clermont Auvergne Métropole","geojson":"{\"type\":\"Point\",\"coordinates\":[3,45]}"}` {
		t.Errorf("recalled %s, %v, %v", v, ok, err)
	}
	var n int
	s.db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'patrimap_territories'`).Scan(&n)
	if n != 0 {
		t.Error("the old table is still there")
	}
}
