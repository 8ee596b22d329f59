package main

import (
	"fmt"
	"maps"
	"slices"
	"time"
)

// goals are issue 16's limits for server A's tiles: the slowest tile (the median over the runs of each band's
// slowest), the largest tile, and the largest up to a zoom. Zero limits are not checked.
type goals struct {
	max                    time.Duration
	size, sizeLow, lowZoom int

	slow             map[string]time.Duration // per layer: its slowest band's slowest tile
	slowBand         map[string]band
	big, bigLow      map[string]int // per layer: largest tile, largest up to lowZoom
	bigZoom, lowSeen map[string]int
}

func (g *goals) set() bool { return g.max > 0 || g.size > 0 || g.sizeLow > 0 }

// add counts server A's answers of one band and run.
func (g *goals) add(layer string, ss []sample) {
	if g.big == nil {
		g.slow, g.slowBand = map[string]time.Duration{}, map[string]band{}
		g.big, g.bigLow, g.bigZoom, g.lowSeen = map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	}
	for _, s := range ss {
		if s.size > g.big[layer] {
			g.big[layer], g.bigZoom[layer] = s.size, s.z
		}
		if s.z <= g.lowZoom {
			g.bigLow[layer] = max(g.bigLow[layer], s.size)
			g.lowSeen[layer]++
		}
	}
}

// slowest records a band's slowest tile (the median over the runs).
func (g *goals) slowest(layer string, b band, d time.Duration) {
	if d > g.slow[layer] {
		g.slow[layer], g.slowBand[layer] = d, b
	}
}

// report prints, per layer, each goal with PASS or NOT MET and the figure it rests on.
func (g *goals) report(name string) {
	if !g.set() {
		return
	}
	verdict := func(ok bool) string {
		if ok {
			return "PASS"
		}
		return "NOT MET"
	}
	for _, layer := range slices.Sorted(maps.Keys(g.big)) {
		big := g.big[layer]
		if g.max > 0 {
			fmt.Printf("%s %s: every tile under %s: %s (slowest %s ms, %s)\n", name, layer, g.max, verdict(g.slow[layer] < g.max), ms(g.slow[layer]), g.slowBand[layer])
		}
		if g.sizeLow > 0 && g.lowSeen[layer] > 0 {
			fmt.Printf("%s %s: no tile over %d KB up to z%d: %s (largest %.0f KB)\n", name, layer, g.sizeLow/1024, g.lowZoom, verdict(g.bigLow[layer] <= g.sizeLow), float64(g.bigLow[layer])/1024)
		}
		if g.size > 0 {
			fmt.Printf("%s %s: no tile over %d KB: %s (largest %.0f KB, z%d)\n", name, layer, g.size/1024, verdict(big <= g.size), float64(big)/1024, g.bigZoom[layer])
		}
	}
}
