package geo

import "github.com/paulmach/orb"

// VertexCount is the number of vertices of g (0 for nil).
func VertexCount(g orb.Geometry) int {
	n := 0
	visitPoints(g, func(orb.Point) { n++ })
	return n
}
