package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
)

// runTiles prints tiles that hold data: for each zoom, the tiles of features picked at random (by the centre of
// their box) from the sample GeoJSON documents, up to -per distinct tiles a zoom.
func runTiles(args []string) error {
	fs := flag.NewFlagSet("tiles", flag.ExitOnError)
	sample := fs.String("sample", "", "GeoJSON FeatureCollection URLs, comma-separated (e.g. /collections/apb/items?limit=10000)")
	zooms := fs.String("zooms", "0-14", "zoom range `from-to`")
	per := fs.Int("per", 25, "tiles per zoom")
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same tiles")
	fs.Parse(args)
	if *sample == "" {
		return fmt.Errorf("tiles: -sample is required")
	}
	lo, hi, err := zoomRange(*zooms)
	if err != nil {
		return err
	}
	var centres [][2]float64
	for _, u := range strings.Split(*sample, ",") {
		c, err := featureCentres(u)
		if err != nil {
			return err
		}
		centres = append(centres, c...)
	}
	if len(centres) == 0 {
		return fmt.Errorf("tiles: the samples hold no feature")
	}
	rng := rand.New(rand.NewPCG(*seed, 2))
	for z := lo; z <= hi; z++ {
		seen := map[[2]int]bool{}
		for try := 0; try < 50*(*per) && len(seen) < *per; try++ {
			c := centres[rng.IntN(len(centres))]
			x, y := tileOf(c[0], c[1], z)
			if !seen[[2]int{x, y}] {
				seen[[2]int{x, y}] = true
				fmt.Println(z, x, y)
			}
		}
	}
	return nil
}

func zoomRange(s string) (int, int, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		b = a
	}
	lo, err1 := strconv.Atoi(a)
	hi, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || lo < 0 || hi < lo || hi > 22 {
		return 0, 0, fmt.Errorf("zooms %q: give from-to, e.g. 0-14", s)
	}
	return lo, hi, nil
}

// tileOf is the XYZ tile holding lon, lat at zoom z.
func tileOf(lon, lat float64, z int) (int, int) {
	n := math.Exp2(float64(z))
	lat = math.Max(-85.05112878, math.Min(85.05112878, lat))
	x := int((lon + 180) / 360 * n)
	r := lat * math.Pi / 180
	y := int((1 - math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi) / 2 * n)
	clamp := func(v int) int { return max(0, min(v, int(n)-1)) }
	return clamp(x), clamp(y)
}

// featureCentres reads a GeoJSON FeatureCollection and returns the centre of each feature's box.
func featureCentres(u string) ([][2]float64, error) {
	resp, err := http.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", u, resp.Status)
	}
	var fc struct {
		Features []struct {
			Geometry struct {
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&fc); err != nil {
		return nil, fmt.Errorf("%s: %w", u, err)
	}
	var out [][2]float64
	for _, f := range fc.Features {
		var v any
		if json.Unmarshal(f.Geometry.Coordinates, &v) != nil {
			continue
		}
		b := box{minX: math.Inf(1), minY: math.Inf(1), maxX: math.Inf(-1), maxY: math.Inf(-1)}
		b.add(v)
		if b.minX <= b.maxX {
			out = append(out, [2]float64{(b.minX + b.maxX) / 2, (b.minY + b.maxY) / 2})
		}
	}
	return out, nil
}

type box struct{ minX, minY, maxX, maxY float64 }

// add grows b by the positions of nested GeoJSON coordinates.
func (b *box) add(v any) {
	a, ok := v.([]any)
	if !ok {
		return
	}
	if len(a) >= 2 {
		x, okx := a[0].(float64)
		y, oky := a[1].(float64)
		if okx && oky {
			b.minX, b.maxX = math.Min(b.minX, x), math.Max(b.maxX, x)
			b.minY, b.maxY = math.Min(b.minY, y), math.Max(b.maxY, y)
			return
		}
	}
	for _, c := range a {
		b.add(c)
	}
}
