package store

import (
	"fmt"
	"testing"

	"github.com/paulmach/orb"
)

func samplePyramid() []orb.Geometry {
	out := make([]orb.Geometry, PyramidMaxZoom+1)
	for z := range out {
		w := float64(z + 1)
		out[z] = orb.MultiPolygon{{{{0, 0}, {w, 0}, {w, 1}, {0, 1}, {0, 0}}}}
	}
	out[3] = orb.MultiLineString{{{0, 0}, {3, 3}}}
	return out
}

// A pyramid is stored and read back zoom by zoom and whole; it must have every zoom, and its first byte tells
// it from WKB and SpatiaLite blobs.
func TestPyramidStoredForm(t *testing.T) {
	p := samplePyramid()
	b, err := AppendPyramid([]byte("x"), p)
	if err != nil {
		t.Fatal(err)
	}
	b = b[1:]
	if !IsPyramid(b) || IsPyramid([]byte{0, 1}) || IsPyramid([]byte{1, 3}) || IsPyramid(nil) {
		t.Errorf("IsPyramid does not tell a pyramid (first byte %d) from WKB and blobs", b[0])
	}
	for z := range p {
		g, err := PyramidZoom(b, z)
		if err != nil || !orb.Equal(g, p[z]) {
			t.Errorf("zoom %d: %v (%v), want %v", z, g, err, p[z])
		}
	}
	all, err := DecodePyramid(b)
	if err != nil || len(all) != len(p) || !orb.Equal(all[10], p[10]) {
		t.Errorf("decoded %d zooms (%v)", len(all), err)
	}
	if _, err := PyramidZoom(b, PyramidMaxZoom+1); err == nil {
		t.Error("a zoom past the pyramid was read")
	}
	if _, err := PyramidZoom(b[:len(b)-3], PyramidMaxZoom); err == nil {
		t.Error("a pyramid cut short was read")
	}
	if _, err := AppendPyramid(nil, p[:5]); err == nil {
		t.Error("a pyramid of 5 zooms was stored")
	}
	p[2] = nil
	if _, err := AppendPyramid(nil, p); err == nil {
		t.Error("a pyramid without zoom 2 was stored")
	}
}

// Reading stored pyramids never panics, whatever the bytes (a damaged file).
func FuzzDecodePyramid(f *testing.F) {
	b, err := AppendPyramid(nil, samplePyramid())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add(b[:20])
	f.Add([]byte{11, 255, 255, 255, 255})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		all, err := DecodePyramid(b)
		if err != nil {
			return
		}
		for z := range all {
			// NaN coordinates (stored bytes may hold them) are never equal as floats: printed, they are.
			g, err := PyramidZoom(b, z)
			if err != nil || !orb.Equal(g, all[z]) && fmt.Sprintf("%T%v", g, g) != fmt.Sprintf("%T%v", all[z], all[z]) {
				t.Errorf("zoom %d read alone: %v (%v), with the others %v", z, g, err, all[z])
			}
		}
	})
}
