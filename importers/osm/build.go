package osm

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmgeojson"
	"github.com/paulmach/osm/osmpbf"
	"github.com/paulmach/osm/osmxml"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/limit"
)

// elementSource gives the elements of one type, in file order. keepNode, when set, is a hint that lets a PBF
// decoder drop the nodes not needed before they are allocated; it must be safe for concurrent use.
type elementSource interface {
	scan(ctx context.Context, typ osm.Type, keepNode func(*osm.Node) bool, fn func(osm.Object) error) error
}

// memorySource is a decoded Overpass response.
type memorySource struct{ res *response }

func (m *memorySource) scan(ctx context.Context, typ osm.Type, _ func(*osm.Node) bool, fn func(osm.Object) error) error {
	for _, o := range m.res.objects {
		if elementType(o) != typ {
			continue
		}
		if err := fn(o); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// elementType is the type of a node, way or relation, "" for anything else an OSM XML file may hold
// (changesets, notes, users: skipped; the library's ObjectID().Type() panics on them).
func elementType(o osm.Object) osm.Type {
	switch o.(type) {
	case *osm.Node:
		return osm.TypeNode
	case *osm.Way:
		return osm.TypeWay
	case *osm.Relation:
		return osm.TypeRelation
	}
	return ""
}

// fileSource reads an OSM XML or PBF file once per call.
type fileSource struct {
	f *File
	// memory, when set, bounds what a scan may read once decompressed: over it, the scan stops with
	// errTooLargeForMemory.
	memory int64
}

// errTooLargeForMemory stops a scan meant to fill memory that found more than fileSource.memory bytes.
var errTooLargeForMemory = errors.New("too large to decode in memory")

func (s *fileSource) scan(ctx context.Context, typ osm.Type, keepNode func(*osm.Node) bool, fn func(osm.Object) error) error {
	return s.scanType(ctx, typ, keepNode, fn)
}

// scanAll reads every element.
func (s *fileSource) scanAll(ctx context.Context, fn func(osm.Object) error) error {
	return s.scanType(ctx, "", nil, fn)
}

func (s *fileSource) scanType(ctx context.Context, typ osm.Type, keepNode func(*osm.Node) bool, fn func(osm.Object) error) error {
	r, closeFn, err := s.f.open()
	if err != nil {
		return err
	}
	defer closeFn()
	var mem *limit.Reader
	if s.memory > 0 {
		mem = &limit.Reader{R: r, N: s.memory, What: "the decompressed file", Hint: "read in passes"}
		r = mem
	}
	var sc osm.Scanner
	if s.f.Format == FormatPBF {
		procs := max(1, runtime.GOMAXPROCS(0))
		blobs := newPBFBlobs(r, procs)
		defer blobs.Close()
		ps := osmpbf.New(ctx, blobs, procs)
		if typ != "" {
			ps.SkipNodes, ps.SkipWays, ps.SkipRelations = typ != osm.TypeNode, typ != osm.TypeWay, typ != osm.TypeRelation
		}
		ps.FilterNode = keepNode
		sc = ps
	} else {
		sc = osmxml.New(ctx, &xmlBounds{r: r})
	}
	defer sc.Close()
	for sc.Scan() {
		o := sc.Object()
		if t := elementType(o); t == "" || typ != "" && t != typ {
			continue
		}
		if err := fn(o); err != nil {
			return err
		}
	}
	if mem != nil && mem.Exceeded() {
		return errTooLargeForMemory
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%w: osm: %s: %w", errBadFile, filepath.Base(s.f.Path), err)
	}
	return nil
}

// build runs the three passes (relations, ways, nodes) and emits the theme's features. centers holds the
// positions Overpass gives with `out center`.
func (f *File) build(ctx context.Context, rep *importers.Report, src elementSource, centers map[osm.FeatureID]orb.Point, emit func(importers.Record) error) error {
	th := f.opts.Theme
	filter := th.Filter()
	wantPoints := f.opts.AsPoints || th.Geometry == GeometryPoint

	// Pass 1: the relations of the theme, and the ways they need.
	var (
		relations   []*osm.Relation
		relIndex    = map[osm.RelationID]int{}
		needWays    = map[osm.WayID]bool{}
		history     int64
		matchedRels = map[osm.RelationID]bool{}
		lastRel     osm.RelationID
	)
	err := src.scan(ctx, osm.TypeRelation, nil, func(o osm.Object) error {
		r := o.(*osm.Relation)
		f.stats.Relations++
		if r.ID == lastRel {
			history++
		}
		lastRel = r.ID
		if !filter.Match(r.Tags) {
			return nil
		}
		if i, dup := relIndex[r.ID]; dup {
			if r.Version >= relations[i].Version {
				relations[i] = r
			}
			return nil
		}
		relIndex[r.ID] = len(relations)
		relations = append(relations, r)
		matchedRels[r.ID] = true
		return nil
	})
	if err != nil {
		return err
	}
	for _, r := range relations {
		for _, m := range r.Members {
			if m.Type == osm.TypeWay {
				needWays[osm.WayID(m.Ref)] = true
			}
		}
	}

	// Pass 2: the ways of the theme and those members; the nodes they need.
	var (
		ways        []*osm.Way
		wayIndex    = map[osm.WayID]int{}
		matchedWays = map[osm.WayID]bool{}
		lastWay     osm.WayID
	)
	err = src.scan(ctx, osm.TypeWay, nil, func(o osm.Object) error {
		w := o.(*osm.Way)
		f.stats.Ways++
		if w.ID == lastWay {
			history++
		}
		lastWay = w.ID
		match := filter.Match(w.Tags)
		if !match && !needWays[w.ID] {
			return nil
		}
		if i, dup := wayIndex[w.ID]; dup {
			if w.Version >= ways[i].Version {
				ways[i] = w
			}
			return nil
		}
		wayIndex[w.ID] = len(ways)
		ways = append(ways, w)
		if match {
			matchedWays[w.ID] = true
		}
		return nil
	})
	if err != nil {
		return err
	}
	// needNodes is read by the PBF decoders' goroutines (keepNode) during pass 3: it is not written then, the
	// coordinates go to coords.
	needNodes := map[osm.NodeID]struct{}{}
	for _, w := range ways {
		for _, wn := range w.Nodes {
			if wn.Lat == 0 && wn.Lon == 0 {
				needNodes[wn.ID] = struct{}{}
			}
		}
	}
	coords := make(map[osm.NodeID]orb.Point, len(needNodes))

	// Pass 3: the nodes, streamed: those of the theme are emitted at once; the coordinates of the needed ones
	// are kept. A history file holds several versions of a node in a row: the last one wins.
	var pending *osm.Node
	flush := func() error {
		if pending == nil {
			return nil
		}
		n := pending
		pending = nil
		if th.Geometry == GeometryArea && !th.Nodes {
			rep.Skip("node: the theme keeps areas only", elementRef("node", int64(n.ID)))
			return nil
		}
		f.stats.Matched++
		e := Element{Type: "node", ID: int64(n.ID), Version: n.Version, Tags: n.Tags.Map()}
		if !n.Timestamp.IsZero() {
			e.Timestamp = timestamp(n.Timestamp)
		}
		return f.emit(rep, e, orb.Point{n.Lon, n.Lat}, emit)
	}
	keepNode := func(n *osm.Node) bool {
		if _, ok := needNodes[n.ID]; ok {
			return true
		}
		return len(n.Tags) > 0 && filter.Match(n.Tags)
	}
	var lastNode osm.NodeID
	err = src.scan(ctx, osm.TypeNode, keepNode, func(o osm.Object) error {
		n := o.(*osm.Node)
		f.stats.Nodes++
		if n.ID == lastNode {
			history++
		}
		lastNode = n.ID
		if _, ok := needNodes[n.ID]; ok {
			coords[n.ID] = orb.Point{n.Lon, n.Lat}
		}
		match := len(n.Tags) > 0 && filter.Match(n.Tags)
		if pending != nil && pending.ID == n.ID {
			// A later version of a matched node: it replaces it, or withdraws it when it lost its tags.
			if n.Version >= pending.Version {
				pending = nil
				if match {
					pending = n
				}
			}
			return nil
		}
		if err := flush(); err != nil {
			return err
		}
		if match {
			pending = n
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	if history > 0 {
		rep.Warn("%d older versions of elements skipped: this is a history file, the last version of each element is kept", history)
	}

	// Ways and relations: coordinates from pass 3 (or from `out geom`), then osmgeojson.
	for _, w := range ways {
		for i, wn := range w.Nodes {
			if p, ok := coords[wn.ID]; ok && wn.Lat == 0 && wn.Lon == 0 {
				w.Nodes[i].Lon, w.Nodes[i].Lat = p[0], p[1]
			}
		}
	}
	// `out geom` relations carry their member ways' coordinates: make those ways so that osmgeojson assembles
	// routes too (it reads member coordinates for multipolygons only).
	for _, r := range relations {
		for _, m := range r.Members {
			if m.Type != osm.TypeWay || len(m.Nodes) == 0 {
				continue
			}
			if _, ok := wayIndex[osm.WayID(m.Ref)]; ok {
				continue
			}
			wayIndex[osm.WayID(m.Ref)] = len(ways)
			ways = append(ways, &osm.Way{ID: osm.WayID(m.Ref), Nodes: m.Nodes})
		}
	}
	fc, err := osmgeojson.Convert(&osm.OSM{Ways: ways, Relations: relations}, osmgeojson.NoMeta(true), osmgeojson.NoRelationMembership(true))
	if err != nil {
		return fmt.Errorf("osm: %s: building geometries: %w", f.Path, err)
	}

	emitted := map[string]bool{}
	mergedWays := map[osm.WayID]bool{} // outer ways of an emitted relation
	for _, feat := range fc.Features {
		typ, _ := feat.Properties["type"].(string)
		id := int64(featureID(feat))
		if typ == "" || id == 0 {
			continue
		}
		tags := featureTags(feat)
		if !filter.Match(MapTags(tags)) {
			continue // a member way with tags of its own, not of the theme
		}
		ref := elementRef(typ, id)
		if emitted[ref] {
			continue
		}
		emitted[ref] = true
		e := Element{Type: typ, ID: id, Tags: tags}
		switch typ {
		case "way":
			if i, ok := wayIndex[osm.WayID(id)]; ok {
				e.Version, e.Timestamp = ways[i].Version, timestamp(ways[i].Timestamp)
			}
		case "relation":
			if i, ok := relIndex[osm.RelationID(id)]; ok {
				r := relations[i]
				e.Version, e.Timestamp = r.Version, timestamp(r.Timestamp)
				for _, m := range r.Members {
					if m.Type == osm.TypeWay {
						mergedWays[osm.WayID(m.Ref)] = true
					}
				}
			}
		}
		if t, _ := feat.Properties["tainted"].(bool); t {
			rep.Fix(typ+" drawn without some of its nodes or member ways (missing from the file: an extract cut at its border?)", ref)
		}
		f.stats.Matched++
		if err := f.emit(rep, e, feat.Geometry, emit); err != nil {
			return err
		}
	}

	// What matched but got no geometry: a center from Overpass, or kept without geometry and counted.
	for _, w := range ways {
		ref := elementRef("way", int64(w.ID))
		if !matchedWays[w.ID] || emitted[ref] || mergedWays[w.ID] {
			continue
		}
		e := Element{Type: "way", ID: int64(w.ID), Version: w.Version, Timestamp: timestamp(w.Timestamp), Tags: w.Tags.Map()}
		if err := f.emitMissing(rep, e, centers[w.FeatureID()], centers != nil, wantPoints, emit); err != nil {
			return err
		}
	}
	for _, r := range relations {
		ref := elementRef("relation", int64(r.ID))
		if !matchedRels[r.ID] || emitted[ref] {
			continue
		}
		e := Element{Type: "relation", ID: int64(r.ID), Version: r.Version, Timestamp: timestamp(r.Timestamp), Tags: r.Tags.Map()}
		if err := f.emitMissing(rep, e, centers[r.FeatureID()], centers != nil, wantPoints, emit); err != nil {
			return err
		}
	}
	return nil
}

// emitMissing emits an element that osmgeojson could not draw.
func (f *File) emitMissing(rep *importers.Report, e Element, center orb.Point, overpass, wantPoints bool, emit func(importers.Record) error) error {
	ref := e.Ref()
	f.stats.Matched++
	if center != (orb.Point{}) {
		rep.Fix(e.Type+" drawn at the center Overpass gave (`out center`): its nodes are not in the response", ref)
		return f.emitGeometry(rep, e, center, emit)
	}
	switch {
	case e.Type == "relation" && !assembled(e.Tags["type"]):
		rep.Fix(fmt.Sprintf("relation of type %q stored without geometry: only multipolygon, boundary and route relations are drawn", e.Tags["type"]), ref)
	case e.Type == "relation":
		rep.Fix("relation stored without geometry: its member ways are missing from the file", ref)
	case overpass:
		rep.Fix("way stored without geometry: its nodes are missing from the response (ask Overpass for `out geom`, `out center` or `>; out skel`)", ref)
	default:
		rep.Fix("way stored without geometry: its nodes are missing from the file (an extract cut at its border?)", ref)
	}
	return emit(importers.Record{Ref: ref, Properties: f.opts.Theme.Properties(e, func(what string) { rep.Fix(what, ref) })})
}

func assembled(relType string) bool {
	return relType == "multipolygon" || relType == "boundary" || relType == "route"
}

// emit applies the theme's geometry rule to g and emits the record.
func (f *File) emit(rep *importers.Report, e Element, g orb.Geometry, emit func(importers.Record) error) error {
	ref := e.Ref()
	th := f.opts.Theme
	if th.Geometry == GeometryArea {
		switch g.(type) {
		case orb.LineString, orb.MultiLineString:
			f.stats.Matched--
			rep.Skip(e.Type+": a line, not an area (the way is not closed, or its tags do not make it an area)", ref)
			return nil
		}
	}
	return f.emitGeometry(rep, e, g, emit)
}

func (f *File) emitGeometry(rep *importers.Report, e Element, g orb.Geometry, emit func(importers.Record) error) error {
	ref := e.Ref()
	if f.opts.AsPoints || f.opts.Theme.Geometry == GeometryPoint {
		g = LabelPoint(g)
	}
	return emit(importers.Record{Ref: ref, Geometry: g, Properties: f.opts.Theme.Properties(e, func(what string) { rep.Fix(what, ref) })})
}

func elementRef(typ string, id int64) string { return typ + "/" + strconv.FormatInt(id, 10) }

func featureID(feat *geojson.Feature) int64 {
	switch v := feat.Properties["id"].(type) {
	case int:
		return int64(v)
	case int64:
		return v
	case float64:
		return int64(v)
	}
	if s, ok := feat.ID.(string); ok {
		if _, idText, ok := strings.Cut(s, "/"); ok {
			n, _ := strconv.ParseInt(idText, 10, 64)
			return n
		}
	}
	return 0
}

func featureTags(feat *geojson.Feature) map[string]string {
	switch t := feat.Properties["tags"].(type) {
	case map[string]string:
		return t
	case map[string]any:
		out := make(map[string]string, len(t))
		for k, v := range t {
			out[k] = fmt.Sprint(v)
		}
		return out
	}
	return nil
}

func timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}
