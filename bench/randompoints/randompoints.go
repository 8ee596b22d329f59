// Package randompoints writes the random points over mainland France that bench/points.py writes without
// --heritage (an id, a name "point N", a kind), for the Go benchmarks that need such a file in process.
package randompoints

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
)

// Write writes n points as one GeoJSON FeatureCollection, laid out as Python's json module writes it. The
// same seed gives the same points on every run.
func Write(w io.Writer, n int, seed uint64) error {
	bw := bufio.NewWriter(w)
	rnd := rand.New(rand.NewPCG(1, seed))
	fmt.Fprint(bw, `{"type": "FeatureCollection", "features": [`)
	for i := range n {
		if i > 0 {
			bw.WriteString(", ")
		}
		fmt.Fprintf(bw, `{"type": "Feature", "properties": {"id": "%d", "name": "point %d", "kind": "test"}, "geometry": {"type": "Point", "coordinates": [%.6f, %.6f]}}`,
			i, i, -4.5+12.5*rnd.Float64(), 42.5+8.5*rnd.Float64())
	}
	fmt.Fprint(bw, "]}")
	return bw.Flush()
}
