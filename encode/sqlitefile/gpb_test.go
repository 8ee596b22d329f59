package sqlitefile

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// GeoPackage binary as the specification lays it out, byte by byte, and read back.
func TestGeoPackageBinary(t *testing.T) {
	square := orb.Polygon{{{5.5, 45}, {6, 45}, {6, 45.25}, {5.5, 45}}}
	for _, tc := range []struct {
		name     string
		g        orb.Geometry
		flags    byte
		envelope []float64 // minx, maxx, miny, maxy in the header
		empty    bool
	}{
		{"point: no envelope", orb.Point{5.72, 45.18}, 0b00000001, nil, false},
		{"polygon", square, 0b00000011, []float64{5.5, 6, 45, 45.25}, false},
		{"multipolygon", orb.MultiPolygon{square, {{{-1, -2}, {0, -2}, {0, 0}, {-1, -2}}}}, 0b00000011, []float64{-1, 6, -2, 45.25}, false},
		{"line", orb.LineString{{1, 2}, {3, -4}}, 0b00000011, []float64{1, 3, -4, 2}, false},
		{"empty multipolygon", orb.MultiPolygon{}, 0b00010001, nil, true},
		{"collection", orb.Collection{orb.Point{1, 1}, orb.LineString{{2, 3}, {4, 5}}}, 0b00000011, []float64{1, 4, 1, 5}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := newGPBEncoder().encode(tc.g, 4326)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b[:4], []byte{'G', 'P', 0, tc.flags}) || binary.LittleEndian.Uint32(b[4:]) != 4326 {
				t.Fatalf("header % x, want GP 00 %08b and srs_id 4326", b[:8], tc.flags)
			}
			off := 8
			for i, want := range tc.envelope {
				if got := readFloat(b[8+8*i:]); got != want {
					t.Errorf("envelope[%d] = %v, want %v", i, got, want)
				}
				off += 8
			}
			g, err := wkb.Unmarshal(b[off:])
			if err != nil {
				t.Fatalf("the WKB after the header: %v", err)
			}
			if err := sameGeometry(tc.g, g, 0); err != nil {
				t.Errorf("WKB: %v", err)
			}
			env, ok, err := gpbEnvelope(b)
			if err != nil || ok == tc.empty {
				t.Fatalf("envelope read back: %v, %v, %v", env, ok, err)
			}
			if !tc.empty && env != tc.g.Bound() {
				t.Errorf("envelope read back %v, want %v", env, tc.g.Bound())
			}
		})
	}
	for _, bad := range [][]byte{nil, []byte("GP"), []byte("XX\x00\x01\xe6\x10\x00\x00"), []byte("GP\x00\x0f\xe6\x10\x00\x00"),
		[]byte("GP\x00\x03\xe6\x10\x00\x00\x00")} {
		if _, _, err := gpbEnvelope(bad); err == nil {
			t.Errorf("gpbEnvelope(%q) accepted", bad)
		}
	}
}

func readFloat(b []byte) float64 {
	var f float64
	binary.Read(bytes.NewReader(b[:8]), binary.LittleEndian, &f)
	return f
}

// FuzzGPBEnvelope reads arbitrary blobs as GeoPackage binary: an error or an envelope, never a panic, and a
// blob the encoder made always reads back to its geometry's bound.
func FuzzGPBEnvelope(f *testing.F) {
	enc := newGPBEncoder()
	for _, g := range []orb.Geometry{orb.Point{1, 2}, orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}}, orb.MultiPoint{}} {
		b, _ := enc.encode(g, 4326)
		f.Add(append([]byte(nil), b...))
	}
	f.Add([]byte("GP\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		env, ok, err := gpbEnvelope(b)
		if err != nil || !ok || len(b) < 8 || b[3]&0b1110 != 0 {
			return
		}
		// No envelope in the header: it came from the WKB, which must decode to it.
		g, err := wkb.Unmarshal(b[8:])
		if err != nil || g.Bound() != env {
			t.Errorf("envelope %v from a WKB that decodes to %v (%v)", env, g, err)
		}
	})
}
