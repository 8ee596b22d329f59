package spatialite

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/patrimap/patrimap/geo"
	"github.com/patrimap/patrimap/store"
)

// blobGeometries are SpatiaLite expressions of every kind of geometry, with Z, M and both.
var blobGeometries = []string{
	`GeomFromText('POINT(5.1 45.2)', 4326)`,
	`GeomFromText('LINESTRING(5 45, 5.5 45.25, 6 45)', 4326)`,
	`GeomFromText('POLYGON((5 45, 6 45, 6 46, 5 46, 5 45), (5.2 45.2, 5.4 45.2, 5.4 45.4, 5.2 45.2))', 4326)`,
	`GeomFromText('MULTIPOINT(5 45, 6 46, 7 47)', 4326)`,
	`GeomFromText('MULTILINESTRING((5 45, 6 46), (7 47, 8 48, 9 47))', 4326)`,
	`GeomFromText('MULTIPOLYGON(((5 45, 6 45, 6 46, 5 45)), ((7 45, 8 45, 8 46, 7 46, 7 45), (7.2 45.2, 7.4 45.2, 7.4 45.4, 7.2 45.2)))', 4326)`,
	`GeomFromText('GEOMETRYCOLLECTION(POINT(5 45), LINESTRING(5 45, 6 46), POLYGON((5 45, 6 45, 6 46, 5 45)))', 4326)`,
	`CastToXYZ(GeomFromText('MULTIPOLYGON(((5 45, 6 45, 6 46, 5 45)), ((7 45, 8 45, 8 46, 7 45)))', 4326))`,
	`CastToXYM(GeomFromText('LINESTRING(5 45, 5.5 45.25, 6 45)', 4326))`,
	`CastToXYZM(GeomFromText('GEOMETRYCOLLECTION(POINT(5 45), POLYGON((5 45, 6 45, 6 46, 5 45)))', 4326))`,
	`CastToXYZ(GeomFromText('POINT(5.1 45.2)', 4326))`,
}

// asBinary is SpatiaLite's own reading of a blob in 2D, through WKB (CastToXY first: SpatiaLite's AsBinary
// of an XYM geometry reads its M values as coordinates).
func asBinary(t testing.TB, s *Store, blob []byte) orb.Geometry {
	t.Helper()
	var w []byte
	if err := s.db.QueryRowContext(context.Background(), `SELECT AsBinary(CastToXY(?))`, blob).Scan(&w); err != nil || w == nil {
		t.Fatalf("AsBinary: %v", err)
	}
	g, err := wkb.Unmarshal(w)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// decodeBlob reads every kind of plain SpatiaLite geometry as AsBinary does; compressed ones are left to it.
func TestBlobReadAsAsBinaryReadsIt(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	for _, expr := range blobGeometries {
		for _, e := range []string{expr, `CompressGeometry(` + expr + `)`} {
			var blob []byte
			if err := s.db.QueryRowContext(ctx, `SELECT `+e).Scan(&blob); err != nil || blob == nil {
				t.Fatalf("%s: %v", e, err)
			}
			want := asBinary(t, s, blob)
			got, err := decodeBlob(blob)
			if e != expr && want.GeoJSONType() != "Point" && want.GeoJSONType() != "MultiPoint" {
				if !errors.Is(err, errBlobNotPlain) {
					t.Errorf("%s: compressed, read as %v, %v", e, got, err)
				}
				continue
			}
			if err != nil || !orb.Equal(got, want) {
				t.Errorf("%s: read %.200v (%v), SpatiaLite reads %.200v", e, got, err, want)
			}
		}
	}
}

// A tile read gives a geometry compressed by another program (SpatiaLite's CompressGeometry) as SpatiaLite
// reads it.
func TestTileReadsCompressedGeometry(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	d := importFixture(t, s, "rnn", loadFixture(t, "rnn-isere.geojson"), nil)
	res, err := s.writer.ExecContext(ctx, `UPDATE `+quoteIdent(d.Table)+` SET geom = CompressGeometry(geom) WHERE fid % 2 = 0`)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		t.Fatal("no geometry compressed")
	}
	want := map[int64]orb.Geometry{}
	rows, err := s.db.QueryContext(ctx, `SELECT fid, geom FROM `+quoteIdent(d.Table))
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var fid int64
		var blob []byte
		if err := rows.Scan(&fid, &blob); err != nil {
			t.Fatal(err)
		}
		want[fid] = asBinary(t, s, blob)
	}
	rows.Close()
	sn, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()
	n := 0
	err = sn.TileFeatures(ctx, d, *d.BBox, nil, func(f *store.Feature) error {
		n++
		if !orb.Equal(f.Geometry, want[f.FID]) {
			t.Errorf("feature %d: %d vertices read, SpatiaLite reads %d", f.FID, geo.VertexCount(f.Geometry), geo.VertexCount(want[f.FID]))
		}
		return nil
	})
	if err != nil || n != len(want) || n == 0 {
		t.Fatalf("%d features read of %d: %v", n, len(want), err)
	}
}

// FuzzDecodeBlob: any bytes are read without a panic nor a large allocation, and a blob read is what
// SpatiaLite reads.
func FuzzDecodeBlob(f *testing.F) {
	s := openTest(&testing.T{})
	ctx := context.Background()
	for _, e := range blobGeometries {
		var blob []byte
		if err := s.db.QueryRowContext(ctx, `SELECT `+e).Scan(&blob); err != nil {
			f.Fatal(err)
		}
		f.Add(blob)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := decodeBlob(b)
		if err != nil {
			return
		}
		var w []byte
		if err := s.db.QueryRowContext(ctx, `SELECT AsBinary(CastToXY(?))`, b).Scan(&w); err != nil || w == nil {
			return // SpatiaLite refuses what decodeBlob read: a blob no store holds
		}
		want, err := wkb.Unmarshal(w)
		// NaN coordinates (a blob may hold them: both readers keep them) are never equal as floats: printed,
		// they are.
		if err == nil && !orb.Equal(g, want) && fmt.Sprintf("%T%v", g, g) != fmt.Sprintf("%T%v", want, want) {
			t.Errorf("read %.200v, SpatiaLite reads %.200v", g, want)
		}
	})
}
