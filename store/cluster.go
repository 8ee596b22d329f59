package store

import (
	"context"
	"errors"

	"github.com/paulmach/orb/maptile"
)

// Point clusters: the tiles of a point layer up to ClusterMaxZoom draw, for each cell of a grid, one feature
// standing for every point of the dataset in that cell (MapLibre's and QGIS's "point_count"), so that no area
// with points looks empty at low zoom and a tile of a million points reads a few thousand rows. A store that
// builds them at import offers PointClusterer on its Snapshot; the others are read through ThinTileFeatures.

// ClusterMaxZoom is the deepest zoom whose point tiles are read from clusters. Up to z8 a million points over
// France would make tiles of tens of thousands of features; at z9 still of 3,500 (210 KB, 60 ms to read and
// write uncached), where the 64-cell grid keeps at most 4,096 features and reads about half the rows. From z11
// a tile holds few enough points to be read from its rows.
const ClusterMaxZoom = 10

// ClusterCells is the number of cells along a tile's side at zoom z (up to ClusterMaxZoom): 64, four pixels of
// a 256-pixel tile, at every zoom. A finer grid at z7–z8 (128) made tiles of 15,000 cells and 400 KB over a
// million points, twice the 200 KB that issue 16 allows up to z8; 64 keeps them to about 4,000 features.
// Each zoom's grid in the world divides exactly into the next one's.
func ClusterCells(z maptile.Zoom) int {
	return 64
}

// ErrNoClusters says that a store holds no clusters of a dataset (not a point layer, or imported before
// clusters existed): its tiles are then read with ThinTileFeatures.
var ErrNoClusters = errors.New("no point clusters")

// PointClusterer is a Snapshot that keeps, for each zoom up to ClusterMaxZoom, the points of each point layer
// grouped by cell of the Web Mercator grid of ClusterCells(z) cells per tile side.
type PointClusterer interface {
	// ClusterTileFeatures calls each with the cells of tile t (z ≤ ClusterMaxZoom) that hold points of d, in
	// fid order of their first point, with count the number of points in the cell: every point of d whose
	// position (the lower-left corner of its box) is in t is counted in exactly one cell of t, and in no other
	// tile of that zoom. A cell of one point is that feature, with the columns cols (in that order); a cell
	// of several is a point at their mean position, with the lowest fid and every value nil. It returns an error
	// wrapping ErrNoClusters when it keeps none for d.
	ClusterTileFeatures(ctx context.Context, d Dataset, t maptile.Tile, cols []string, each func(f *Feature, count int64) error) error
}
