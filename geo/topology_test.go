package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func TestMakeValid(t *testing.T) {
	square := orb.Polygon{{{6, 45}, {6.1, 45}, {6.1, 45.1}, {6, 45.1}, {6, 45}}}
	// A 0.1° square with a 0.0008 deg² quadrilateral cut out, as one ring through (0, 45) twice: buffer(0)
	// repairs it and keeps the area inside.
	touching := orb.Polygon{{{0, 45}, {.1, 45}, {.1, 45.1}, {0, 45.1}, {0, 45}, {.02, 45.04}, {.04, 45.04}, {.04, 45.02}, {0, 45}}}
	bowtie := orb.Polygon{{{5, 45}, {5.1, 45.1}, {5.1, 45}, {5, 45.1}, {5, 45}}}
	sliver := orb.Polygon{{{0, 0}, {1, 1}, {2, 2}, {0, 0}}}
	tests := []struct {
		name  string
		in    orb.Geometry
		want  Repair
		area  float64
		parts int
	}{
		{"valid square", square, Untouched, 0.01, 1},
		{"ring touching itself", touching, Repaired, 0.01 - 0.0008, 1},
		{"bow-tie", bowtie, Repaired, 0.005, 2},
		{"bow-tie in a multipolygon", orb.MultiPolygon{bowtie, square}, Repaired, 0.015, 3},
		{"sliver", sliver, Collapsed, 0, 0},
		{"line", orb.LineString{{0, 0}, {1, 1}, {0, 1}, {1, 0}}, Untouched, 0, 1},
		{"point", orb.Point{1, 2}, Untouched, 0, 1},
	}
	var topo Topology
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, rep, err := topo.MakeValid(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if rep != tt.want {
				t.Fatalf("repair %d, want %d", rep, tt.want)
			}
			if tt.want == Collapsed {
				if out != nil {
					t.Errorf("collapsed into %v", out)
				}
				return
			}
			if ok, err := topo.Valid(out); !ok || err != nil {
				t.Errorf("result not valid (%v): %v", err, out)
			}
			parts := 1
			if mp, ok := out.(orb.MultiPolygon); ok {
				parts = len(mp)
			}
			if math.Abs(planar.Area(out)-tt.area) > 1e-9 || parts != tt.parts {
				t.Errorf("area %g in %d parts, want %g in %d", planar.Area(out), parts, tt.area, tt.parts)
			}
		})
	}
}

func TestBufferZeroAndValid(t *testing.T) {
	var topo Topology
	bowtie := orb.MultiPolygon{{{{0, 0}, {10, 10}, {10, 0}, {0, 10}, {0, 0}}}}
	if ok, err := topo.Valid(bowtie); ok || err != nil {
		t.Errorf("bow-tie valid: %v %v", ok, err)
	}
	out, err := topo.BufferZero(bowtie)
	if err != nil || out == nil {
		t.Fatalf("buffer(0): %v %v", out, err)
	}
	if ok, _ := topo.Valid(out); !ok {
		t.Errorf("buffer(0) gave an invalid %v", out)
	}
	flat := orb.Polygon{{{0, 0}, {5, 0}, {10, 0}, {0, 0}}}
	if out, err := topo.BufferZero(flat); out != nil || err != nil {
		t.Errorf("nothing left of a flat polygon: %v %v", out, err)
	}
}

func TestPreparedIntersects(t *testing.T) {
	// An L-shaped territory: its bounding box holds the corner it does not cover.
	territory := orb.Polygon{{{0, 0}, {2, 0}, {2, 1}, {1, 1}, {1, 2}, {0, 2}, {0, 0}}}
	p, err := Prepare(territory)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		g    orb.Geometry
		want bool
	}{
		{orb.Point{0.5, 0.5}, true},
		{orb.Point{1.5, 1.5}, false}, // in the box, outside the L
		{orb.Point{2, 1}, true},      // on the edge
		{orb.Point{5, 5}, false},
		{orb.LineString{{1.5, 1.5}, {3, 3}}, false},
		{orb.Polygon{{{1.5, 0.5}, {3, 0.5}, {3, 3}, {1.5, 0.5}}}, true},
		{nil, false},
	} {
		got, err := p.Intersects(tt.g)
		if err != nil || got != tt.want {
			t.Errorf("%v: %v (%v), want %v", tt.g, got, err, tt.want)
		}
	}
}
