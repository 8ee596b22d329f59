// Package tiles makes patrimap's vector tiles: Mapbox Vector Tiles (MVT 2.1) and GeoJSON tiles of one or more
// datasets, generalised per zoom (see generalise.go for the rules), a byte-bounded tile cache keyed by dataset
// version, TileJSON 3.0.0 documents and MBTiles 1.3 export.
//
// tiles reads features through a FeatureSource (a store snapshot) and never speaks HTTP: the server's handlers
// and the command line's export wire it.
package tiles

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"

	"github.com/patrimap/patrimap/geo"
	"github.com/patrimap/patrimap/store"
)

const (
	// Extent is the size of a tile in tile units.
	Extent = 4096
	// Buffer is how far, in tile units, geometries reach past the tile edge so that strokes join seamlessly.
	Buffer = 64
	// MaxZoom is the deepest zoom tiles are made for; clients over-zoom its tiles beyond it (they hold every
	// vertex, on a grid of 4096 per tile: about 0.6 m at the equator, 0.4 m in France).
	MaxZoom = 14
	// MaxTileBytes caps an encoded tile: a tile over it is made again with coarser generalisation, or with
	// its sites too small to draw grouped and their attributes cut (see cap.go).
	MaxTileBytes = 500 << 10
	// Tolerance is the Douglas-Peucker tolerance below MaxZoom, in tile units: half a pixel of MapLibre's
	// 512-px tiles.
	Tolerance = 4.0
	// Revision changes when the tile making changes, so that ETags and caches of earlier tiles expire.
	Revision = 4
)

// Format is a tile encoding.
type Format string

// Tile formats.
const (
	MVT     Format = "mvt"
	GeoJSON Format = "geojson"
)

// ContentType is the media type of a tile in f.
func (f Format) ContentType() string {
	if f == GeoJSON {
		return "application/geo+json"
	}
	return "application/vnd.mapbox-vector-tile"
}

// ErrBadTile wraps errors in a malformed tile address (z, x or y not a whole number); ErrNoTile those in an
// address outside the pyramid (zoom past MaxZoom, x or y outside the zoom's grid).
var (
	ErrBadTile = errors.New("bad tile address")
	ErrNoTile  = errors.New("no such tile")
)

// ParseTile reads z, x and y as given in a URL and checks them against the zoom's grid.
func ParseTile(z, x, y string) (maptile.Tile, error) {
	zi, err := strconv.ParseUint(z, 10, 8)
	if err != nil {
		return maptile.Tile{}, fmt.Errorf("%w: zoom %q is not a whole number from 0 to %d", ErrBadTile, z, MaxZoom)
	}
	if zi > MaxZoom {
		return maptile.Tile{}, fmt.Errorf("%w: zoom %d is past the maximum zoom %d (clients over-zoom the tiles of zoom %d)", ErrNoTile, zi, MaxZoom, MaxZoom)
	}
	n := uint64(1) << zi
	xi, errx := strconv.ParseUint(x, 10, 32)
	yi, erry := strconv.ParseUint(y, 10, 32)
	if errx != nil || erry != nil {
		return maptile.Tile{}, fmt.Errorf("%w: x and y are whole numbers, not %q and %q", ErrBadTile, x, y)
	}
	if xi >= n || yi >= n {
		return maptile.Tile{}, fmt.Errorf("%w: at zoom %d, x and y go from 0 to %d, not %d and %d", ErrNoTile, zi, n-1, xi, yi)
	}
	return maptile.New(uint32(xi), uint32(yi), maptile.Zoom(zi)), nil
}

// FeatureSource reads the features of a dataset whose box meets a WGS84 bound, with the named columns.
// A store.Snapshot is one.
type FeatureSource interface {
	TileFeatures(ctx context.Context, d store.Dataset, bbox orb.Bound, cols []string, each func(*store.Feature) error) error
}

// Layer is one dataset in a tile: an MVT layer named after the dataset, with its key fields as attributes.
type Layer struct {
	Dataset store.Dataset
	Fields  []store.Field
}

// NewLayer makes the layer of d with its key fields.
func NewLayer(d store.Dataset) Layer { return Layer{Dataset: d, Fields: KeyFields(d)} }

// keyNames are the attributes tiles carry when a dataset has them: the normalised columns every INPN and
// culture import has (id, name, kind, url), then what a map styles or labels by.
var keyNames = []string{"id", "name", "kind", "url", "protection", "created", "first_protected", "first_protected_date", "area_ha",
	"commune", "insee", "departement", "theme", "status"}

// KeyFields are the attributes of d that tiles carry: the key columns when the dataset has the normalised
// ones (id, name, kind or url), otherwise every field that is not JSON (a raw GeoJSON import), at most 24.
// JSON fields (lists, histories) stay out of tiles: the feature's page has them.
func KeyFields(d store.Dataset) []store.Field {
	var out []store.Field
	for _, n := range keyNames {
		if f, ok := d.Field(n); ok {
			out = append(out, f)
		}
	}
	if len(out) > 0 {
		if _, ok := d.Field("id"); ok {
			return out
		}
		for _, n := range []string{"name", "kind", "url"} {
			if _, ok := d.Field(n); ok {
				return out
			}
		}
	}
	out = out[:0]
	for _, f := range d.Fields {
		if f.Type != store.FieldJSON && len(out) < 24 {
			out = append(out, f)
		}
	}
	return out
}

// pointThinner is a FeatureSource that can thin a point layer on a grid before reading its rows (the store).
type pointThinner interface {
	ThinTileFeatures(ctx context.Context, d store.Dataset, bbox orb.Bound, cellX, cellY float64, cols []string, each func(*store.Feature) error) error
}

// pyramidSource is a FeatureSource that keeps lines and polygons drawn on each low zoom's grid (the store's
// pyramid, see geo.Topology.Pyramid), up to store.PyramidMaxZoom.
type pyramidSource interface {
	PyramidTileFeatures(ctx context.Context, d store.Dataset, z int, bbox orb.Bound, cols []string, each func(*store.Feature) error) error
}

func isPointLayer(d store.Dataset) bool {
	return d.GeometryType == "POINT" || d.GeometryType == "MULTIPOINT"
}

// Renderer makes tiles. Repair, when set, makes an invalid tile-space polygon valid (GEOS); the zero
// Renderer works without it.
type Renderer struct {
	Repair func(ctx context.Context, g orb.Geometry) (orb.Geometry, error)
	// Valid, when set, checks a clipped or repaired tile-space polygon with GEOS.
	Valid func(ctx context.Context, g orb.Geometry) (bool, error)
	// orbMVT makes MVT tiles with orb's encoder instead of mvtWriter (the tests compare the two).
	orbMVT bool
}

// Stats says how a tile was generalised.
type Stats struct {
	Features  int     // features written
	Squares   int     // sites too small to draw, written as MinSize squares (or segments)
	Retried   int     // polygons redone with less simplification to stay valid
	Repaired  int     // polygons repaired by GEOS
	Tolerance float64 // the Douglas-Peucker tolerance used, in tile units
	Passes    int     // generalisations made (more than one when the tile was over MaxTileBytes)
	Grouped   int     // squares written as part of another one's point_count (a tile over MaxTileBytes)
	Bare      int     // features written with their id (and name) only (a tile over MaxTileBytes)
}

// Render makes tile t of layers in format f. An empty tile (no feature in any layer) is nil bytes.
func (r *Renderer) Render(ctx context.Context, src FeatureSource, layers []Layer, t maptile.Tile, f Format) ([]byte, Stats, error) {
	feats := make([][]*store.Feature, len(layers))
	// counts[i], for a layer read from the store's point clusters, holds each feature's number of points.
	counts := make([][]int64, len(layers))
	// drawn[i] says that layer i was read from the store's pyramid: already simplified on this zoom's grid.
	drawn := make([]bool, len(layers))
	// cells[i][j], for a polygon layer read from the pyramid, says that feature j is a cell's square of
	// sites too small to draw (counts[i][j] of them, see squares.go).
	cells := make([][]bool, len(layers))
	bbox := tileBound(t, Buffer)
	for i, l := range layers {
		cols := make([]string, len(l.Fields))
		for j, fl := range l.Fields {
			cols[j] = fl.Name
		}
		collect := func(sf *store.Feature) error {
			c := &store.Feature{FID: sf.FID, Geometry: sf.Geometry, Values: append([]any(nil), sf.Values...)}
			feats[i] = append(feats[i], c)
			return nil
		}
		var err error
		if cl, ok := src.(store.PointClusterer); ok && t.Z <= store.ClusterMaxZoom && isPointLayer(l.Dataset) {
			counts[i] = []int64{}
			err = cl.ClusterTileFeatures(ctx, l.Dataset, t, cols, func(sf *store.Feature, n int64) error {
				counts[i] = append(counts[i], n)
				return collect(sf)
			})
			if err == nil {
				continue
			}
			if !errors.Is(err, store.ErrNoClusters) {
				return nil, Stats{}, err
			}
			feats[i], counts[i], err = nil, nil, nil
		}
		thin, ok := src.(pointThinner)
		cell := pointCell(uint32(t.Z), Tolerance)
		if ok && cell > 0 && t.Z <= store.ClusterMaxZoom && isPointLayer(l.Dataset) {
			// A point layer without clusters (imported before them) at low zoom: the index thins dense points
			// before any row is read, on the same grid as the encoder (in degrees, a close approximation of the
			// tile's Mercator grid).
			tb := t.Bound()
			err = thin.ThinTileFeatures(ctx, l.Dataset, bbox, cell/Extent*(tb.Max[0]-tb.Min[0]), cell/Extent*(tb.Max[1]-tb.Min[1]), cols, collect)
		} else if cell > 0 && t.Z < MaxZoom && isPointLayer(l.Dataset) {
			// Above the clusters' zooms a cell of the grid seldom holds two points (at z9-z10 already, 35 of
			// 17,000 on 100,000 points over France), and grouping the index by cell cost twice the reading of the rows:
			// the rows are read as they are and thinned here, on the encoder's grid, as they come, so that only
			// one point per cell is ever held (memory stays bounded by the cells of a tile).
			err = src.TileFeatures(ctx, l.Dataset, bbox, cols, thinPoints(newProjection(t), cell, collect))
		} else if t.Z <= store.PyramidMaxZoom && store.SquareCellLayer(l.Dataset.GeometryType) {
			var ok bool
			feats[i], counts[i], cells[i], ok, err = readSquareCells(ctx, src, l, t, bbox, cols)
			drawn[i] = ok
			if err == nil && !ok {
				// Imported before pyramids: the full geometries, generalised here.
				err = src.TileFeatures(ctx, l.Dataset, bbox, cols, collect)
			}
		} else if ps, ok := src.(pyramidSource); ok && t.Z <= store.PyramidMaxZoom && !isPointLayer(l.Dataset) {
			err = ps.PyramidTileFeatures(ctx, l.Dataset, int(t.Z), bbox, cols, collect)
			drawn[i] = err == nil
			if errors.Is(err, store.ErrNoPyramid) {
				// Imported before pyramids: the full geometries, generalised here.
				feats[i] = nil
				err = src.TileFeatures(ctx, l.Dataset, bbox, cols, collect)
			}
		} else {
			err = src.TileFeatures(ctx, l.Dataset, bbox, cols, collect)
		}
		if err != nil {
			return nil, Stats{}, err
		}
	}
	tol := 0.0
	if t.Z < MaxZoom {
		tol = Tolerance
	}
	proj := newProjection(t)
	projected := make([][]orb.Geometry, len(layers))
	for i := range layers {
		projected[i] = make([]orb.Geometry, len(feats[i]))
		for j, sf := range feats[i] {
			if cells[i] != nil && cells[i][j] {
				projected[i][j] = squareSite{proj.squareCentre(sf.Geometry, bbox)}
			} else if drawn[i] {
				projected[i][j] = proj.toTileWithin(sf.Geometry, bbox)
			} else {
				projected[i][j] = proj.cutToTile(sf.Geometry, bbox)
			}
		}
	}
	return r.fit(ctx, layers, feats, counts, drawn, projected, proj, f, tol, uint32(t.Z))
}

// generalise generalises every layer's projected geometries at tol: outs[i][j] is feature j of layer i in
// tile units, nil when it is left out of the tile, and squares[i][j] says that it is the MinSize square of a
// site too small to draw (what the size cap groups, see cap.go).
func (r *Renderer) generalise(ctx context.Context, layers []Layer, counts [][]int64, drawn []bool, projected [][]orb.Geometry, tol float64, z uint32) (outs [][]orb.Geometry, squares [][]bool, st Stats) {
	st = Stats{Tolerance: tol}
	g := &generaliser{tol: tol, bound: orb.Bound{Min: orb.Point{-Buffer, -Buffer}, Max: orb.Point{Extent + Buffer, Extent + Buffer}}}
	if r.Repair != nil {
		g.repair = func(mp orb.MultiPolygon) orb.MultiPolygon {
			out, err := r.Repair(ctx, mp)
			if err != nil || out == nil {
				return mp
			}
			return geo.Polygons(out)
		}
	}
	if r.Valid != nil {
		g.valid = func(mp orb.MultiPolygon) bool {
			ok, err := r.Valid(ctx, mp)
			return err != nil || ok // a failing check must not drop tiles
		}
	}
	// A layer from the pyramid is already simplified at Tolerance and snapped (valid) on this zoom's grid:
	// clipped and checked, not simplified again, unless the tile is over the size cap.
	onGrid := &generaliser{bound: g.bound, repair: g.repair, valid: g.valid}
	outs, squares = make([][]orb.Geometry, len(layers)), make([][]bool, len(layers))
	for i := range layers {
		ltol := tol
		if counts[i] != nil {
			ltol = 0 // clusters are already one per cell: thinning them again would lose their counts
		}
		lg := g
		if drawn[i] && tol <= Tolerance {
			lg = onGrid
		}
		outs[i], squares[i] = lg.generaliseAll(projected[i], z, ltol)
	}
	st.Squares, st.Retried, st.Repaired = g.squares+onGrid.squares, g.retried+onGrid.retried, g.repaired+onGrid.repaired
	for i := range layers {
		for j, out := range outs[i] {
			if out == nil {
				continue
			}
			st.Features++
			if counts[i] != nil && !isPointLayer(layers[i].Dataset) {
				st.Grouped += int(counts[i][j] - 1) // a cell's square of sites too small to draw
			}
		}
	}
	return outs, squares, st
}

// write encodes the generalised features of a tile in f; counts[i][j], when counts[i] is set, is the number
// of sites or points feature j of layer i stands for (point_count when over 1), and drop, when set, says
// which field k of feature j of layer i is left out (a tile over the cap, see cap.go).
func (r *Renderer) write(layers []Layer, feats [][]*store.Feature, counts [][]int64, outs [][]orb.Geometry, proj projection, f Format, drop func(i, j, k int) bool) ([]byte, error) {
	if f == MVT && !r.orbMVT {
		b, err := writeMVT(layers, feats, counts, outs, drop)
		if !errors.Is(err, errMVTValue) {
			return b, err
		}
	}
	var (
		mvtLayers []MVTLayer
		fc        = geojson.NewFeatureCollection()
	)
	for i, l := range layers {
		ml := MVTLayer{Name: l.Dataset.ID, Extent: Extent}
		for j, sf := range feats[i] {
			out := outs[i][j]
			if out == nil {
				continue
			}
			props := make(geojson.Properties, len(l.Fields)+1)
			for k, fl := range l.Fields {
				if v := sf.Values[k]; v != nil && (drop == nil || !drop(i, j, k)) {
					props[fl.Name] = v
				}
			}
			if counts[i] != nil && counts[i][j] > 1 {
				// MapLibre's and supercluster's name: styles size and label clusters by it.
				props["point_count"] = counts[i][j]
			}
			if f == GeoJSON {
				gf := geojson.NewFeature(proj.toWGS84(out))
				gf.ID = sf.FID
				gf.Properties = props
				if len(layers) > 1 {
					gf.Properties["dataset"] = l.Dataset.ID
				}
				fc.Append(gf)
			} else {
				ml.Features = append(ml.Features, MVTFeature{ID: uint64(sf.FID), Geometry: out, Properties: props})
			}
		}
		if len(ml.Features) > 0 {
			mvtLayers = append(mvtLayers, ml)
		}
	}
	if f == GeoJSON {
		return appendGeoJSON(nil, fc), nil
	}
	b, err := EncodeMVT(mvtLayers)
	if err != nil {
		return nil, fmt.Errorf("encode tile: %w", err)
	}
	return b, nil
}

// writeMVT encodes the generalised features of a tile (outs[i][j] of feats[i][j], nil when left out; drop as
// write's) with mvtWriter: the bytes EncodeMVT would make of the same properties, or errMVTValue when a value is of a type
// only orb's encoder writes.
func writeMVT(layers []Layer, feats [][]*store.Feature, counts [][]int64, outs [][]orb.Geometry, drop func(i, j, k int) bool) ([]byte, error) {
	var b []byte
	for i, l := range layers {
		// The properties by name, as orb's encoder sorts them; pointCount marks point_count (a cluster's
		// number of points, when over 1), which wins over a field of that name as it does in a property map.
		type prop struct {
			name       string
			field      int // index in Values, -1 for none
			pointCount bool
		}
		var props []prop
		for k, fl := range l.Fields {
			props = append(props, prop{name: fl.Name, field: k})
		}
		if counts[i] != nil {
			found := false
			for k := range props {
				if props[k].name == "point_count" {
					props[k].pointCount, found = true, true
				}
			}
			if !found {
				props = append(props, prop{name: "point_count", field: -1, pointCount: true})
			}
		}
		slices.SortFunc(props, func(a, b prop) int { return strings.Compare(a.name, b.name) })
		keys := make([]string, len(props))
		for k, p := range props {
			keys[k] = p.name
		}
		vals := make([]any, len(props))
		w := newMVTWriter(l.Dataset.ID)
		n := 0
		for j, sf := range feats[i] {
			out := outs[i][j]
			if out == nil {
				continue
			}
			for k, p := range props {
				vals[k] = nil
				if p.field >= 0 && (drop == nil || !drop(i, j, p.field)) {
					vals[k] = sf.Values[p.field]
				}
				if p.pointCount && counts[i][j] > 1 {
					vals[k] = counts[i][j]
				}
			}
			if err := w.add(uint64(sf.FID), out, keys, vals); err != nil {
				return nil, err
			}
			n++
		}
		if n > 0 {
			b = w.appendLayer(b)
		}
	}
	return b, nil
}

// thinPoints wraps collect so that a point feature reaches it only when one of its points, projected with
// proj, lies inside the buffered tile in a cell of side cell (tile units) that no earlier feature took: the
// generaliser's rule (generaliser.points), applied as the rows stream in. The generaliser then finds every
// cell it is given free and keeps the same features, and on a coarser grid (a tile over the size cap) the
// same ones too: the coarser cells are unions of these, whose first feature is kept.
func thinPoints(proj projection, cell float64, collect func(*store.Feature) error) func(*store.Feature) error {
	g := &generaliser{bound: orb.Bound{Min: orb.Point{-Buffer, -Buffer}, Max: orb.Point{Extent + Buffer, Extent + Buffer}}}
	seen := map[[2]int32]bool{}
	return func(f *store.Feature) error {
		var kept orb.Geometry
		switch p := f.Geometry.(type) {
		case orb.Point:
			kept = g.points(orb.MultiPoint{proj.point(p)}, cell, seen)
		case orb.MultiPoint:
			kept = g.points(proj.toTile(p).(orb.MultiPoint), cell, seen)
		default:
			return collect(f) // a GEOMETRY layer's other kinds: the generaliser's to judge
		}
		if kept == nil {
			return nil
		}
		return collect(f)
	}
}

// appendGeoJSON writes fc with geo's RFC 7946 encoder (right-hand winding, 7 decimals).
func appendGeoJSON(b []byte, fc *geojson.FeatureCollection) []byte {
	var buf bytes.Buffer
	buf.WriteString(`{"type":"FeatureCollection","features":[`)
	for i, f := range fc.Features {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString(`{"type":"Feature","id":`)
		fmt.Fprintf(&buf, "%d", f.ID)
		buf.WriteString(`,"geometry":`)
		buf.Write(geo.AppendGeoJSON(nil, f.Geometry))
		buf.WriteString(`,"properties":`)
		p, err := json.Marshal(map[string]any(f.Properties))
		if err != nil {
			p = []byte("{}")
		}
		buf.Write(p)
		buf.WriteByte('}')
	}
	buf.WriteString("]}\n")
	return append(b, buf.Bytes()...)
}

// projection maps WGS84 to the tile units of one tile (web mercator, y down) and back.
type projection struct {
	scale  float64 // tile units per world unit (world = [0, 1])
	x0, y0 float64 // the tile's origin, in tile units of the world
}

func newProjection(t maptile.Tile) projection {
	s := float64(uint64(1)<<t.Z) * Extent
	return projection{scale: s, x0: float64(t.X) * Extent, y0: float64(t.Y) * Extent}
}

// point projects ll into the tile's units (geo.Mercator, the pyramid's projection, scaled and shifted).
func (p projection) point(ll orb.Point) orb.Point {
	m := geo.Mercator(ll)
	return orb.Point{m[0]*p.scale - p.x0, m[1]*p.scale - p.y0}
}

func (p projection) unpoint(tp orb.Point) orb.Point {
	return geo.Unmercator(orb.Point{(tp[0] + p.x0) / p.scale, (tp[1] + p.y0) / p.scale})
}

func (p projection) toTile(g orb.Geometry) orb.Geometry { return mapPoints(g, p.point) }

// box projects a WGS84 box: Mercator maps its north-west and south-east corners to the projected box's (y
// grows southwards in a tile).
func (p projection) box(b orb.Bound) orb.Bound {
	return orb.Bound{Min: p.point(orb.Point{b.Min[0], b.Max[1]}), Max: p.point(orb.Point{b.Max[0], b.Min[1]})}
}

// toTileWithin is toTile for a tile whose buffered WGS84 bound is bbox. The parts of a multipolygon that lie
// clearly outside bbox (a braided river's other arms) are not projected point by point: each becomes the
// rectangle of its projected box, all the generaliser reads of a part outside the tile (to find the site's
// largest part) before it drops it. Mercator maps a box's corners to the projected points' box.
func (p projection) toTileWithin(g orb.Geometry, bbox orb.Bound) orb.Geometry {
	mp, ok := g.(orb.MultiPolygon)
	if !ok {
		return p.toTile(g)
	}
	// The margin (about a centimetre) keeps rounding from ever turning a part that touches the tile into a
	// rectangle: such a part is projected in full.
	const margin = 1e-7
	far := orb.Bound{Min: orb.Point{bbox.Min[0] - margin, bbox.Min[1] - margin}, Max: orb.Point{bbox.Max[0] + margin, bbox.Max[1] + margin}}
	out := make(orb.MultiPolygon, len(mp))
	for i, poly := range mp {
		if len(poly) == 0 || len(poly[0]) < 4 {
			out[i] = mapPoints(poly, p.point).(orb.Polygon)
			continue
		}
		if b := ringBound(poly[0]); !b.Intersects(far) {
			pb := p.box(b)
			out[i] = orb.Polygon{{pb.Min, {pb.Max[0], pb.Min[1]}, pb.Max, {pb.Min[0], pb.Max[1]}, pb.Min}}
			continue
		}
		out[i] = mapPoints(poly, p.point).(orb.Polygon)
	}
	return out
}

// cutToTile is toTileWithin for a site's full geometry, whose parts can be far larger than the tile (a z14
// tile of a 10,000-vertex site): a part that crosses bbox's edge is clipped to bbox in WGS84 first
// (clipPolygon; Mercator maps each axis on its own and in order, so bbox is the buffered tile) and only its
// pieces are projected. The result is a cutSite, each part with its projected box.
func (p projection) cutToTile(g orb.Geometry, bbox orb.Bound) orb.Geometry {
	var mp orb.MultiPolygon
	switch g := g.(type) {
	case orb.MultiPolygon:
		mp = g
	case orb.Polygon:
		mp = orb.MultiPolygon{g}
	default:
		return p.toTileWithin(g, bbox)
	}
	s := cutSite{pieces: make([]orb.MultiPolygon, 0, len(mp)), bounds: make([]orb.Bound, 0, len(mp))}
	whole := func(poly orb.Polygon) {
		tp := mapPoints(poly, p.point).(orb.Polygon)
		s.pieces, s.bounds = append(s.pieces, orb.MultiPolygon{tp}), append(s.bounds, ringBound(tp[0]))
	}
	for _, poly := range mp {
		if len(poly) == 0 || len(poly[0]) < 4 {
			continue // the generaliser skips these
		}
		b := ringBound(poly[0])
		if bbox.Contains(b.Min) && bbox.Contains(b.Max) {
			whole(poly)
			continue
		}
		if b.Intersects(bbox) {
			cut, ok := clipPolygon(bbox, poly)
			if !ok {
				whole(poly) // degenerate on the edge: clipped by the generaliser as before
				continue
			}
			pieces := make(orb.MultiPolygon, len(cut))
			for i, q := range cut {
				pieces[i] = mapPoints(q, p.onTile).(orb.Polygon)
			}
			s.pieces = append(s.pieces, pieces)
		} else {
			s.pieces = append(s.pieces, nil)
		}
		s.bounds = append(s.bounds, p.box(b))
	}
	return s
}

// onTile is point for a point of bbox (a clipped piece's): kept in the buffered tile when rounding would
// put it a hair outside, so that the generaliser does not clip the piece again.
func (p projection) onTile(ll orb.Point) orb.Point {
	q := p.point(ll)
	return orb.Point{min(max(q[0], -Buffer), Extent+Buffer), min(max(q[1], -Buffer), Extent+Buffer)}
}

func (p projection) toWGS84(g orb.Geometry) orb.Geometry { return mapPoints(g, p.unpoint) }

// mapPoints returns a copy of g with fn applied to every point.
func mapPoints(g orb.Geometry, fn func(orb.Point) orb.Point) orb.Geometry {
	ring := func(r []orb.Point) []orb.Point {
		out := make([]orb.Point, len(r))
		for i, p := range r {
			out[i] = fn(p)
		}
		return out
	}
	switch g := g.(type) {
	case orb.Point:
		return fn(g)
	case orb.MultiPoint:
		return orb.MultiPoint(ring(g))
	case orb.LineString:
		return orb.LineString(ring(g))
	case orb.MultiLineString:
		out := make(orb.MultiLineString, len(g))
		for i, l := range g {
			out[i] = ring(l)
		}
		return out
	case orb.Ring:
		return orb.Ring(ring(g))
	case orb.Polygon:
		out := make(orb.Polygon, len(g))
		for i, r := range g {
			out[i] = ring(r)
		}
		return out
	case orb.MultiPolygon:
		out := make(orb.MultiPolygon, len(g))
		for i, p := range g {
			out[i] = mapPoints(p, fn).(orb.Polygon)
		}
		return out
	case orb.Collection:
		out := make(orb.Collection, len(g))
		for i, c := range g {
			out[i] = mapPoints(c, fn)
		}
		return out
	}
	return g
}

// tileBound is the WGS84 bound of t grown by buf tile units on each side.
func tileBound(t maptile.Tile, buf float64) orb.Bound {
	p := newProjection(t)
	a := p.unpoint(orb.Point{-buf, Extent + buf})
	b := p.unpoint(orb.Point{Extent + buf, -buf})
	return orb.Bound{Min: a, Max: b}
}

// generaliseAll generalises one layer's projected geometries, and says which outputs are the squares of sites
// too small to draw. Points go in order (the thinning grid keeps the first of each cell); polygons and lines,
// each on its own, are shared among the cores: their GEOS checks and repairs are most of a cold low-zoom
// tile's time.
func (g *generaliser) generaliseAll(geoms []orb.Geometry, z uint32, tol float64) ([]orb.Geometry, []bool) {
	outs, squares := make([]orb.Geometry, len(geoms)), make([]bool, len(geoms))
	seen := map[[2]int32]bool{}
	var rest []int
	for j, pg := range geoms {
		switch pg := pg.(type) {
		case orb.Point:
			outs[j] = g.points(orb.MultiPoint{pg}, pointCell(z, tol), seen)
		case orb.MultiPoint:
			outs[j] = g.points(pg, pointCell(z, tol), seen)
		default:
			rest = append(rest, j)
		}
	}
	workers := min(runtime.GOMAXPROCS(0), len(rest))
	if workers <= 1 {
		for _, j := range rest {
			outs[j], squares[j] = g.shape(geoms[j])
		}
		return outs, squares
	}
	next := make(chan int)
	var wg sync.WaitGroup
	parts := make([]*generaliser, workers)
	for w := range parts {
		wg.Add(1)
		part := &generaliser{tol: g.tol, bound: g.bound, repair: g.repair, valid: g.valid}
		parts[w] = part
		go func() {
			defer wg.Done()
			for j := range next {
				outs[j], squares[j] = part.shape(geoms[j])
			}
		}()
	}
	for _, j := range rest {
		next <- j
	}
	close(next)
	wg.Wait()
	for _, p := range parts {
		g.squares += p.squares
		g.retried += p.retried
		g.repaired += p.repaired
	}
	return outs, squares
}

// shape generalises a line or polygon geometry; square says that it became the square of a site too small to
// draw.
func (g *generaliser) shape(pg orb.Geometry) (out orb.Geometry, square bool) {
	switch pg := pg.(type) {
	case orb.LineString:
		return g.lines(orb.MultiLineString{pg}), false
	case orb.MultiLineString:
		return g.lines(pg), false
	case orb.Polygon:
		return g.polygons(orb.MultiPolygon{pg})
	case orb.MultiPolygon:
		return g.polygons(pg)
	case cutSite:
		return g.site(pg)
	case squareSite:
		g.squares++
		return squareAt(pg.Point), true
	case orb.Collection:
		// Not produced by patrimap's importers; keep the polygonal members.
		return g.polygons(geo.Polygons(pg))
	}
	return nil, false
}
