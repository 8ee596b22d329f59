package dossier

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/importers/territory"
	"github.com/patrimap/patrimap/store"
)

// Covered is a territory the store's inventories cover: it has rows.
type Covered struct {
	Spec     string `json:"spec"`
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	Rows     int64  `json:"rows"`     // inventory rows of its communes, all datasets together
	Communes int    `json:"communes"` // of its communes, how many have rows
	Path     string `json:"href"`
}

// Territories lists the départements, EPCI and communes that the store's inventories cover (rows counted by
// the INSEE codes of datasets that have them), the most rows first within each kind.
func Territories(ctx context.Context, st Store, ref *territory.Reference) ([]Covered, error) {
	ds, err := st.Datasets(ctx)
	if err != nil {
		return nil, fmt.Errorf("territories: %w", err)
	}
	perCommune := map[string]int64{}
	for _, d := range ds {
		if _, ok := d.Field("insee"); !ok {
			continue
		}
		err := st.Features(ctx, d, store.Query{Select: []string{"insee"}}, func(f *store.Feature) error {
			s, _ := f.Values[0].(string)
			if c, ok := ref.Commune(s); ok {
				code := c.Code
				if c.Commune != "" {
					code = c.Commune
				}
				perCommune[code]++
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("territories: %s: %w", d.ID, err)
		}
	}
	type agg struct {
		rows     int64
		communes int
	}
	deps, epcis := map[string]*agg{}, map[string]*agg{}
	add := func(m map[string]*agg, k string, n int64) {
		a := m[k]
		if a == nil {
			a = &agg{}
			m[k] = a
		}
		a.rows += n
		a.communes++
	}
	var out []Covered
	var communes []Covered
	for code, n := range perCommune {
		c, _ := ref.Commune(code)
		add(deps, c.Departement, n)
		if c.EPCI != "" {
			add(epcis, c.EPCI, n)
		}
		spec := "commune:" + code
		communes = append(communes, Covered{Spec: spec, Kind: territory.KindCommune, Name: c.Name, Rows: n, Communes: 1, Path: Path(spec)})
	}
	for code, a := range deps {
		d, _ := ref.Departement(code)
		spec := "dep:" + code
		out = append(out, Covered{Spec: spec, Kind: territory.KindDep, Name: d.Name, Rows: a.rows, Communes: a.communes, Path: Path(spec)})
	}
	for siren, a := range epcis {
		e, _ := ref.EPCI(siren)
		spec := "epci:" + siren
		out = append(out, Covered{Spec: spec, Kind: territory.KindEPCI, Name: e.Name, Rows: a.rows, Communes: a.communes, Path: Path(spec)})
	}
	out = append(out, communes...)
	rank := map[string]int{territory.KindDep: 0, territory.KindEPCI: 1, territory.KindCommune: 2}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return rank[out[i].Kind] < rank[out[j].Kind]
		}
		if out[i].Rows != out[j].Rows {
			return out[i].Rows > out[j].Rows
		}
		return out[i].Spec < out[j].Spec
	})
	return out, nil
}

// ErrNoTerritory is returned by Locate when no inventory row is near the point.
var ErrNoTerritory = errors.New("no territory known here")

// Locate finds the territory a map shows: the commune of the inventory row nearest to pt (within about 20 km),
// then, by the map's zoom, that commune (zoom 12 and more), its EPCI (9 to 12) or its département.
func Locate(ctx context.Context, st Store, ref *territory.Reference, pt orb.Point, zoom float64) (territory.Spec, error) {
	ds, err := st.Datasets(ctx)
	if err != nil {
		return territory.Spec{}, fmt.Errorf("locate: %w", err)
	}
	best, bestD := "", math.Inf(1)
	for _, r := range []float64{0.02, 0.08, 0.25} { // degrees: a village, a canton, a small département
		box := orb.Bound{Min: orb.Point{pt[0] - r, pt[1] - r}, Max: orb.Point{pt[0] + r, pt[1] + r}}
		for _, d := range ds {
			if _, ok := d.Field("insee"); !ok || d.GeometryType == "" {
				continue
			}
			err := st.Features(ctx, d, store.Query{BBox: &box, Select: []string{"insee"}}, func(f *store.Feature) error {
				p, ok := f.Geometry.(orb.Point)
				s, _ := f.Values[0].(string)
				if !ok || s == "" {
					return nil
				}
				dx, dy := (p[0]-pt[0])*math.Cos(pt[1]*math.Pi/180), p[1]-pt[1]
				if dist := dx*dx + dy*dy; dist < bestD {
					best, bestD = s, dist
				}
				return nil
			})
			if err != nil {
				return territory.Spec{}, fmt.Errorf("locate: %s: %w", d.ID, err)
			}
		}
		if best != "" {
			break
		}
	}
	c, ok := ref.Commune(best)
	if !ok {
		return territory.Spec{}, ErrNoTerritory
	}
	if c.Commune != "" { // an arrondissement municipal: its commune
		c, _ = ref.Commune(c.Commune)
	}
	switch {
	case zoom >= 12:
		return territory.Spec{Kind: territory.KindCommune, Codes: []string{c.Code}}, nil
	case zoom >= 9 && c.EPCI != "":
		return territory.Spec{Kind: territory.KindEPCI, Codes: []string{c.EPCI}}, nil
	}
	return territory.Spec{Kind: territory.KindDep, Codes: []string{c.Departement}}, nil
}
