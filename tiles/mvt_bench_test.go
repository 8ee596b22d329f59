package tiles

import (
	"syscall"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/patrimap/patrimap/store"
)

// BenchmarkMVTWriterDense encodes the z0 tile of a dense layer as it would be without the cap (12,000 sites,
// each a MinSize square with five text attributes, most unique), where the value dictionary is most of the
// writer's work, with mvtWriter and, as the reference in the same run, with orb's encoder (the same bytes).
// The figures are the process's CPU time (user and system, the garbage collector's included), which the
// load of a shared machine moves less than the wall time.
func BenchmarkMVTWriterDense(b *testing.B) {
	layer, src, _ := denseLayer(12000, 0)
	proj := newProjection(maptile.New(0, 0, 0))
	feats, outs := make([]*store.Feature, len(src)), make([]orb.Geometry, len(src))
	ml := MVTLayer{Name: layer.Dataset.ID, Extent: Extent}
	for j := range src {
		feats[j] = &src[j]
		outs[j] = squareAt(proj.toTile(src[j].Geometry).Bound().Center())
		props := map[string]any{}
		for k, fl := range layer.Fields {
			props[fl.Name] = src[j].Values[k]
		}
		ml.Features = append(ml.Features, MVTFeature{ID: uint64(src[j].FID), Geometry: outs[j], Properties: props})
	}
	layers := []Layer{layer}
	var direct, viaOrb time.Duration
	var n int
	for b.Loop() {
		start := cpuTime()
		t, err := writeMVT(layers, [][]*store.Feature{feats}, [][]int64{nil}, [][]orb.Geometry{outs}, nil)
		direct += cpuTime() - start
		if err != nil {
			b.Fatal(err)
		}
		start = cpuTime()
		ref, err := EncodeMVT([]MVTLayer{ml})
		viaOrb += cpuTime() - start
		if err != nil || len(ref) != len(t) {
			b.Fatalf("orb's encoder: %d bytes (%v), mvtWriter %d", len(ref), err, len(t))
		}
		n = len(t)
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(ms(direct), "cpu-ms/tile")
	b.ReportMetric(ms(viaOrb), "orb-cpu-ms/tile")
	b.ReportMetric(ms(direct)/ms(viaOrb), "ratio-to-orb")
	b.ReportMetric(float64(n), "tile-bytes")
}

// cpuTime is the CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
