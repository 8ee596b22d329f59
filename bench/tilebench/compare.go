package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"
)

// layerPair is one layer served by both servers.
type layerPair struct {
	name  string
	a, b  string // URL templates
	tiles []tile
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, " ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// band is a range of zooms reported together.
type band struct{ lo, hi int }

func (b band) String() string { return fmt.Sprintf("z%d-%d", b.lo, b.hi) }

var defaultBands = []band{{0, 3}, {4, 7}, {8, 10}, {11, 14}}

// runCompare fetches every tile of every layer from both servers, in turns (A then B for one tile, B then A
// for the next, so that neither always finds the machine in the state the other left), -runs times after one
// pass that is not counted (both servers then read from memory, not disk). It prints, per layer and zoom
// band, the median over the runs of each server's mean and 95th percentile, their ratios, and the largest
// tile. The servers must not cache tiles (patrimap: PATRIMAP_TILE_CACHE_MB=0).
func runCompare(args []string) error {
	fs := flag.NewFlagSet("compare", flag.ExitOnError)
	var layers multiFlag
	fs.Var(&layers, "layer", "`NAME=URL_A|URL_B|TILES`: a layer's tile URL template on server A and on server B, and its file of tiles (one \"z x y\" a line) (repeat)")
	nameA := fs.String("a", "patrimap", "name of server A")
	nameB := fs.String("b", "reference", "name of server B")
	runs := fs.Int("runs", 3, "timed passes over the tiles")
	var g goals
	fs.DurationVar(&g.max, "limit-max", 0, "goal for server A's slowest tile (0: none)")
	fs.IntVar(&g.size, "limit-size", 0, "goal for server A's largest tile, in bytes (0: none)")
	fs.IntVar(&g.sizeLow, "limit-size-low", 0, "goal for server A's largest tile up to -low-zoom, in bytes (0: none)")
	fs.IntVar(&g.lowZoom, "low-zoom", 8, "the last zoom -limit-size-low holds for")
	fs.Parse(args)
	var pairs []layerPair
	for _, l := range layers {
		name, spec, _ := strings.Cut(l, "=")
		parts := strings.Split(spec, "|")
		if len(parts) != 3 {
			return fmt.Errorf("-layer %q: want NAME=URL_A|URL_B|TILES", l)
		}
		ts, err := readTiles(parts[2])
		if err != nil {
			return err
		}
		pairs = append(pairs, layerPair{name, parts[0], parts[1], ts})
	}
	if len(pairs) == 0 {
		return fmt.Errorf("compare: give at least one -layer")
	}
	type cell struct {
		layer, band int
	}
	// per run: samples by cell, for A and B
	var perRun []map[cell][2][]sample
	for run := 0; run <= *runs; run++ {
		got := map[cell][2][]sample{}
		for li, p := range pairs {
			for ti, t := range p.tiles {
				bi := bandOf(t.z)
				if bi < 0 {
					continue
				}
				urls := [2]string{expand(p.a, t), expand(p.b, t)}
				order := [2]int{0, 1}
				if (ti+run)%2 == 1 {
					order = [2]int{1, 0}
				}
				var res [2]sample
				for _, side := range order {
					s, err := fetch(urls[side])
					if err != nil {
						return err
					}
					s.z = t.z
					res[side] = s
				}
				k := cell{li, bi}
				v := got[k]
				v[0], v[1] = append(v[0], res[0]), append(v[1], res[1])
				got[k] = v
			}
		}
		if run > 0 { // the first pass warms both servers up
			perRun = append(perRun, got)
		}
	}
	fmt.Printf("uncached tiles, median of %d runs (each run: every tile once from each server, in turns)\n", *runs)
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "layer\tzooms\ttiles\t%s mean ms\tp95 ms\tmax ms\tmax KB\t%s mean ms\tp95 ms\tmax ms\tmax KB\tratio mean\tratio p95\t\n", *nameA, *nameB)
	worstMean, worstP95 := 0.0, 0.0
	for li, p := range pairs {
		for bi, b := range defaultBands {
			var meanA, p95A, maxA, meanB, p95B, maxB []time.Duration
			var n, sizeA, sizeB int
			for _, got := range perRun {
				v, ok := got[cell{li, bi}]
				if !ok {
					continue
				}
				sa, sb := summarise(v[0]), summarise(v[1])
				meanA, p95A = append(meanA, sa.mean), append(p95A, sa.p95)
				meanB, p95B = append(meanB, sb.mean), append(p95B, sb.p95)
				maxA, maxB = append(maxA, sa.slowest), append(maxB, sb.slowest)
				n, sizeA, sizeB = sa.n, max(sizeA, sa.maxSize), max(sizeB, sb.maxSize)
				g.add(p.name, v[0])
			}
			if n == 0 {
				continue
			}
			ma, pa, mb, pb := median(meanA), median(p95A), median(meanB), median(p95B)
			rm, rp := float64(ma)/float64(mb), float64(pa)/float64(pb)
			worstMean, worstP95 = max(worstMean, rm), max(worstP95, rp)
			g.slowest(p.name, b, median(maxA))
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%.0f\t%s\t%s\t%s\t%.0f\t%.2f\t%.2f\t\n", p.name, b, n,
				ms(ma), ms(pa), ms(median(maxA)), float64(sizeA)/1024, ms(mb), ms(pb), ms(median(maxB)), float64(sizeB)/1024, rm, rp)
		}
	}
	tw.Flush()
	verdict := "met"
	if worstMean > 1 || worstP95 > 1 {
		verdict = "NOT met"
	}
	fmt.Printf("worst ratio %s/%s: mean %.2f, p95 %.2f (goal: at most 1 in every band: %s)\n", *nameA, *nameB, worstMean, worstP95, verdict)
	g.report(*nameA)
	return nil
}

func bandOf(z int) int {
	for i, b := range defaultBands {
		if z >= b.lo && z <= b.hi {
			return i
		}
	}
	return -1
}
