// Package dossier makes a territory's heritage dossier: the figures computed from the store for an EPCI, a
// département or communes (inventory rows counted by commune code, natural areas by intersection with the
// communes' contours, overlaps counted once), and their page, JSON and CSV renderings.
//
// It reads the store only through a snapshot's Datasets and Features (the Store interface) and the communes'
// contours through Contours; it writes nothing, and serves nothing: server/dossier.go and `patrimap dossier`
// do.
package dossier

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/simplify"

	"github.com/patrimap/patrimap/geo"
	"github.com/patrimap/patrimap/importers/territory"
	"github.com/patrimap/patrimap/store"
)

// Store is what a dossier reads of the store: a consistent snapshot's catalogue and features
// (*store.Snapshot).
type Store interface {
	Datasets(ctx context.Context) ([]store.Dataset, error)
	Features(ctx context.Context, d store.Dataset, q store.Query, each func(*store.Feature) error) error
}

// Contours gives the contours of communes (territory.CommuneContours): those known, by INSEE code. An error
// returned with contours is a failure to find the others (offline geo API), which the dossier reports; an error
// without contours is a failure to read.
type Contours interface {
	Communes(ctx context.Context, codes []string) (map[string]orb.MultiPolygon, error)
}

// Builder computes dossiers. It measures areas with PROJ (EPSG:3035) and GEOS, whose transformation and
// contexts it keeps for the next dossier: making PROJ's transformation takes about 100 ms, more than a
// dossier of a few communes. The zero value is ready; it is safe for concurrent use, and must not be copied.
type Builder struct {
	reproject geo.Reprojector
	topology  geo.Topology
}

// Build computes one dossier with a Builder of its own (see Builder.Build).
func Build(ctx context.Context, st Store, contours Contours, t *territory.Territory, ref *territory.Reference) (*Dossier, error) {
	return new(Builder).Build(ctx, st, contours, t, ref)
}

// Build computes the dossier of a territory made by territory.Reference.Communes. contours may be nil: then
// no area, no placing by position, and the dossier says so.
func (g *Builder) Build(ctx context.Context, st Store, contours Contours, t *territory.Territory, ref *territory.Reference) (*Dossier, error) {
	if t == nil || len(t.Communes) == 0 {
		return nil, errors.New("dossier: no territory (want epci:SIREN, dep:CODE or commune:INSEE)")
	}
	b := &build{g: g, ref: ref, t: t, d: &Dossier{GeneratedAt: time.Now().UTC()}}
	b.d.Territory = Territory{Spec: t.Spec.String(), Kind: t.Spec.Kind, Name: t.Name}
	b.member = map[string]bool{}
	for _, c := range t.Communes {
		b.member[c.Code] = true
		b.codes = append(b.codes, c.Code)
	}
	if err := b.contours(ctx, contours); err != nil {
		return nil, err
	}
	ds, err := st.Datasets(ctx)
	if err != nil {
		return nil, fmt.Errorf("dossier: %w", err)
	}
	if err := b.count(ctx, st, ds); err != nil {
		return nil, err
	}
	b.charts()
	return b.d, nil
}

// project returns a copy of g (WGS84) in EPSG:3035, where areas are measured.
func (g *Builder) project(x orb.Geometry) (orb.Geometry, error) {
	return g.reproject.Reproject(orb.Clone(x), geo.WGS84, laea)
}

// build holds what the parts of a dossier share while it is computed.
type build struct {
	g        *Builder
	ref      *territory.Reference
	t        *territory.Territory
	d        *Dossier
	member   map[string]bool
	codes    []string                     // the communes' codes, in the order of the territory
	contour  map[string]orb.MultiPolygon  // the communes' contours, when all are known
	laea     map[string]orb.MultiPolygon  // and in EPSG:3035
	bounds   map[string]orb.Bound         // and their extents
	areaHa   map[string]float64           // and their areas
	bbox     *orb.Bound                   // the territory's extent, when the contours are known
	monument map[string]*CommuneMonuments // per commune, while counting
	byCode   map[string]territory.Commune // the territory's communes
}

// contours reads the communes' contours and the areas measured from them.
func (b *build) contours(ctx context.Context, c Contours) error {
	b.byCode = map[string]territory.Commune{}
	for _, cm := range b.t.Communes {
		b.byCode[cm.Code] = cm
		b.d.Territory.Communes = append(b.d.Territory.Communes, CommuneRef{Code: cm.Code, Name: cm.Name})
	}
	if c == nil {
		b.d.Territory.ContoursMissing = slices.Clone(b.codes)
		b.note("contours-missing", fmt.Sprintf("%d", len(b.codes)))
		return nil
	}
	found, err := c.Communes(ctx, b.codes)
	if err != nil && found == nil {
		return fmt.Errorf("dossier: contours: %w", err)
	}
	if err != nil {
		b.note("geo-api", err.Error())
	}
	for _, code := range b.codes {
		if _, ok := found[code]; !ok {
			b.d.Territory.ContoursMissing = append(b.d.Territory.ContoursMissing, code)
		}
	}
	if len(b.d.Territory.ContoursMissing) > 0 {
		b.note("contours-missing", fmt.Sprintf("%d", len(b.d.Territory.ContoursMissing)))
		return nil
	}
	b.contour, b.bounds, b.areaHa, b.laea = found, map[string]orb.Bound{}, map[string]float64{}, map[string]orb.MultiPolygon{}
	var total float64
	var all orb.Bound
	for i, code := range b.codes {
		mp := found[code]
		bd := mp.Bound()
		b.bounds[code] = bd
		if i == 0 {
			all = bd
		} else {
			all = all.Union(bd)
		}
		p, err := b.g.project(mp)
		if err != nil {
			return fmt.Errorf("dossier: the contour of commune %s: %w", code, err)
		}
		b.laea[code] = p.(orb.MultiPolygon)
		a := geo.Area(p) / 1e4
		b.areaHa[code] = a
		total += a
		b.d.Territory.Communes[i].AreaHa = ptr(round2(a))
	}
	b.bbox = &all
	b.d.Territory.AreaHa = ptr(round2(total))
	b.d.Territory.BBox = &[4]float64{all.Min[0], all.Min[1], all.Max[0], all.Max[1]}
	parts := make([]orb.Geometry, len(b.codes))
	for i, code := range b.codes {
		parts[i] = found[code]
	}
	out, err := b.g.topology.UnionCoverage(parts...)
	if err != nil {
		b.note("outline", err.Error())
		return nil
	}
	// About 30 m: the outline of a département on an A4 page, without the weight of every vertex.
	out = simplify.DouglasPeucker(0.0003).Simplify(out)
	gj, err := geojson.NewGeometry(out).MarshalJSON()
	if err != nil {
		return fmt.Errorf("dossier: outline: %w", err)
	}
	b.d.Territory.Outline = gj
	return nil
}

func ptr[T any](v T) *T { return &v }

// round2 keeps two decimals: hundredths of hectares are square metres enough for any page.
func round2(x float64) float64 {
	if x < 0 {
		return -round2(-x)
	}
	return float64(int64(x*100+0.5)) / 100
}

func (b *build) note(code, detail string) {
	b.d.Notes = append(b.d.Notes, Note{Code: code, Detail: detail})
}

// title is a dataset's title without the name of the dossier's territory, when the import added it
// ("Parcs naturels régionaux (Clermont Auvergne Métropole)" in the dossier of that métropole): said once at the
// top of the page, it would crowd every table and chart label. The sources keep the whole title. The name may be
// followed by what made the title unique in the store ("Musées de France (Isère) – musees-horaires-isere").
func (b *build) title(d store.Dataset) string {
	if t := strings.Replace(d.Title, " ("+b.t.Name+")", "", 1); t != "" {
		return t
	}
	return d.Title
}

func (b *build) communeName(code string) string {
	if c, ok := b.byCode[code]; ok {
		return c.Name
	}
	if c, ok := b.ref.Commune(code); ok {
		return c.Name
	}
	return code
}

// sortedCodes returns the keys of a map of communes in code order.
func sortedCodes[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
