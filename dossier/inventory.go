package dossier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/patrimap/patrimap/importers/culture"
	"github.com/patrimap/patrimap/importers/culture/hours"
	"github.com/patrimap/patrimap/importers/territory"
	"github.com/patrimap/patrimap/store"
)

// kindOf names the inventory a dataset is: a list of the culture importer (by the start of its id, which the
// importer names after the list, or by its title), a natural-heritage layer, or another dataset.
func kindOf(d store.Dataset) string {
	if d.Theme == store.ThemeNatural {
		return KindNatural
	}
	if d.Theme == store.ThemeCultural {
		if _, ok := d.Field("protection"); ok {
			return KindMonuments
		}
		for _, l := range culture.Lists() {
			if d.ID == l.Key || strings.HasPrefix(d.ID, l.Key+"-") || strings.HasPrefix(d.Title, l.Title) {
				return l.Key
			}
		}
	}
	return KindOther
}

// The columns a dossier reads, when a dataset has them (the culture importer's normalised ones, and the
// hours of the former list of musées de France).
var rowColumns = []string{"id", "name", "commune", "insee", "insee_codes", "departement", "url", "protection",
	"first_protected", "first_protected_date", "protection_events", string(hours.FieldOpening), string(hours.FieldClosure), string(hours.FieldNocturnes)}

// row is one inventory row, read.
type row struct {
	fid                         int64
	id, name, commune, url      string
	codes                       []string // INSEE codes, the first commune first
	dep                         string
	protection                  string
	firstYear                   int64  // first_protected: the year of the first protection, 0 when unknown
	firstDate                   string // first_protected_date: its date, "" when only the year is known
	events                      string
	opening, closure, nocturnes string
	geom                        orb.Geometry
}

// readRows streams the rows of d with the columns the dossier uses; bbox limits them to an extent (nil: every
// row, those without a position included).
func readRows(ctx context.Context, st Store, d store.Dataset, bbox *orb.Bound, each func(*row) error) error {
	var sel []string
	for _, f := range d.Fields {
		for _, c := range rowColumns {
			if f.Name == c {
				sel = append(sel, c)
			}
		}
	}
	if sel == nil {
		sel = []string{}
	}
	// Values come in the dataset's field order, which sel follows.
	return st.Features(ctx, d, store.Query{Select: sel, BBox: bbox}, func(f *store.Feature) error {
		r := row{fid: f.FID, geom: f.Geometry}
		text := map[string]*string{"id": &r.id, "name": &r.name, "commune": &r.commune, "departement": &r.dep, "url": &r.url,
			"protection": &r.protection, "first_protected_date": &r.firstDate, "protection_events": &r.events,
			string(hours.FieldOpening): &r.opening, string(hours.FieldClosure): &r.closure, string(hours.FieldNocturnes): &r.nocturnes}
		for i, name := range sel {
			s, _ := f.Values[i].(string)
			switch name {
			case "insee": // the first commune first
				if s != "" {
					r.codes = append([]string{s}, r.codes...)
				}
			case "insee_codes":
				var codes []string
				if json.Unmarshal([]byte(s), &codes) == nil {
					for _, c := range codes {
						if len(r.codes) == 0 || r.codes[0] != c {
							r.codes = append(r.codes, c)
						}
					}
				}
			case "first_protected":
				r.firstYear = yearOf(f.Values[i])
			default:
				*text[name] = s
			}
		}
		if r.id == "" {
			r.id = fmt.Sprintf("fid %d", f.FID)
		}
		return each(&r)
	})
}

// count counts every dataset in the territory and fills the parts of the dossier they feed.
func (b *build) count(ctx context.Context, st Store, ds []store.Dataset) error {
	var byIntersection []store.Dataset
	museums := map[string][]Museum{}
	for _, d := range ds {
		inv := Inventory{Dataset: d.ID, Title: b.title(d), Kind: kindOf(d), Theme: d.Theme}
		if _, ok := d.Field("insee"); ok {
			inv.CountedBy = ByCommune
			if err := b.countByCommune(ctx, st, d, &inv, museums); err != nil {
				return err
			}
		} else if (d.GeometryType != "" || d.FeatureCount == 0) && b.contour != nil {
			// An empty layer (an import of a territory it does not reach: no reserve in the métropole) counts 0.
			byIntersection = append(byIntersection, d)
			continue // counted below, all layers in one overlay
		} else {
			inv.CountedBy = NotCounted
			b.note("not-counted", d.ID)
		}
		b.d.Inventories = append(b.d.Inventories, inv)
		b.source(d)
	}
	if err := b.countByIntersection(ctx, st, byIntersection); err != nil {
		return err
	}
	b.museums(museums)
	b.maps()
	return nil
}

// place says whether a row is in the territory, and in which commune: by its commune codes (the first of the
// territory's), else, for a row without a current commune code (none, or only codes of communes merged since),
// by its position in a commune's contour, or by its département (a dossier of a département, as the importer
// does). commune is "" when the row is in the territory without a known commune.
func (b *build) place(r *row) (commune string, in bool) {
	current := false
	for _, c := range r.codes {
		code, ok := territory.NormaliseINSEE(c)
		if !ok {
			continue
		}
		cm, ok := b.ref.Commune(code)
		if !ok {
			continue // a commune merged since: the position tells
		}
		current = true
		if b.member[code] {
			return code, true
		}
		if cm.Commune != "" && b.member[cm.Commune] {
			return cm.Commune, true // an arrondissement municipal of a commune of the territory
		}
	}
	if current {
		return "", false
	}
	if pt, ok := r.geom.(orb.Point); ok && b.contour != nil {
		if code := b.communeAt(pt); code != "" {
			return code, true
		}
	}
	if b.t.Spec.Kind == territory.KindDep && r.dep != "" {
		for _, dep := range b.t.Spec.Codes {
			if dep == r.dep {
				return "", true
			}
		}
	}
	return "", false
}

// hasCurrentCode says whether one of a row's codes is a current commune.
func (b *build) hasCurrentCode(r *row) bool {
	for _, c := range r.codes {
		if _, ok := b.ref.Commune(c); ok {
			return true
		}
	}
	return false
}

// communeAt is the commune whose contour holds pt, or "".
func (b *build) communeAt(pt orb.Point) string {
	for _, code := range b.codes {
		if b.bounds[code].Contains(pt) && planar.MultiPolygonContains(b.contour[code], pt) {
			return code
		}
	}
	return ""
}

// countByCommune counts the rows of a dataset with commune codes, and keeps what the parts of the dossier use.
func (b *build) countByCommune(ctx context.Context, st Store, d store.Dataset, inv *Inventory, museums map[string][]Museum) error {
	var unplaced []Site
	var sites []Site
	mon := inv.Kind == KindMonuments && b.d.Monuments == nil
	if mon {
		b.d.Monuments = &Monuments{Dataset: d.ID}
		b.monument = map[string]*CommuneMonuments{}
	}
	var protections []Protection
	err := readRows(ctx, st, d, nil, func(r *row) error {
		commune, in := b.place(r)
		if !in {
			if !b.hasCurrentCode(r) && (r.geom == nil || b.contour == nil) {
				inv.NoCommune++
			}
			return nil
		}
		inv.Count++
		site := Site{Ref: r.id, Name: r.name, Commune: r.commune, URL: r.url, Placed: r.geom != nil}
		if commune != "" {
			site.Commune = b.communeName(commune)
		}
		if r.geom == nil {
			inv.NoPosition++
			if len(unplaced) < maxListed {
				unplaced = append(unplaced, site)
			}
		}
		switch {
		case mon:
			if p, ok := b.monumentRow(r, commune, site); ok {
				protections = append(protections, p)
			}
		case inv.Kind == KindMuseums:
			m := Museum{Dataset: d.ID, Ref: r.id, Name: r.name, Commune: site.Commune, INSEE: commune, URL: r.url, Placed: r.geom != nil}
			if r.opening != "" || r.closure != "" || r.nocturnes != "" {
				h := hours.Parse(r.opening, r.closure, r.nocturnes)
				m.Hours = &h
			}
			museums[d.ID] = append(museums[d.ID], m)
		case inv.Kind == KindGardens || inv.Kind == KindACR || inv.Kind == KindIllustres:
			sites = append(sites, site)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("dossier: %s: %w", d.ID, err)
	}
	if inv.NoPosition > 0 {
		b.d.Unplaced = append(b.d.Unplaced, UnplacedRows{Dataset: d.ID, Title: b.title(d), Count: inv.NoPosition, Rows: unplaced})
	}
	if mon {
		b.finishMonuments(protections)
	}
	if len(sites) > 0 {
		sort.SliceStable(sites, func(i, j int) bool { return sites[i].Commune+sites[i].Name < sites[j].Commune+sites[j].Name })
		b.d.Lists = append(b.d.Lists, SiteList{Dataset: d.ID, Kind: inv.Kind, Title: b.title(d), Sites: sites})
	}
	return nil
}

// maxListed bounds the rows a dossier lists by name in one table (the CSV and the JSON API have them all).
const maxListed = 200

// countByIntersection counts the features of datasets without commune codes that meet the territory, and
// measures the area the natural layers cover, in one overlay of the communes.
func (b *build) countByIntersection(ctx context.Context, st Store, ds []store.Dataset) error {
	if len(ds) == 0 {
		if b.hasNatural() {
			b.d.Natural = &Natural{AreasKnown: false}
		}
		return nil
	}
	ov, err := newOverlay(b.g, b.codes, b.laea, len(ds))
	if err != nil {
		return fmt.Errorf("dossier: %w", err)
	}
	invs := make([]Inventory, len(ds))
	for l, d := range ds {
		inv := Inventory{Dataset: d.ID, Title: b.title(d), Kind: kindOf(d), Theme: d.Theme, CountedBy: ByIntersection}
		err := st.Features(ctx, d, store.Query{BBox: b.bbox, Select: []string{}}, func(f *store.Feature) error {
			in, err := ov.add(l, f.Geometry)
			if errors.Is(err, errInvalid) {
				inv.InvalidArea++
			} else if err != nil {
				return fmt.Errorf("feature %d: %w", f.FID, err)
			}
			if in {
				inv.Count++
			}
			return ctx.Err()
		})
		if err != nil {
			return fmt.Errorf("dossier: %s: %w", d.ID, err)
		}
		if inv.InvalidArea > 0 {
			b.note("invalid-geometry", fmt.Sprintf("%s: %d", d.ID, inv.InvalidArea))
		}
		invs[l] = inv
	}
	isNatural := make([]bool, len(ds))
	for l := range ds {
		isNatural[l] = invs[l].Kind == KindNatural
	}
	areas, err := ov.areas(isNatural)
	if err != nil {
		return fmt.Errorf("dossier: natural areas: %w", err)
	}
	b.natural(ds, invs, areas, isNatural)
	for l, d := range ds {
		b.d.Inventories = append(b.d.Inventories, invs[l])
		b.source(d)
	}
	return nil
}

func (b *build) hasNatural() bool {
	for _, inv := range b.d.Inventories {
		if inv.Kind == KindNatural {
			return true
		}
	}
	return false
}

func (b *build) source(d store.Dataset) {
	b.d.Sources = append(b.d.Sources, Source{Dataset: d.ID, Title: d.Title, Producer: d.Producer, Licence: d.Licence,
		Attribution: d.Attribution, URL: d.Source.URL, File: d.Source.File, RetrievedAt: d.Source.RetrievedAt,
		ImportedAt: d.ImportedAt, Version: d.Version})
	if d.ImportedAt.After(b.d.DataDate) {
		b.d.DataDate = d.ImportedAt
	}
}

// maps lists the dossier's maps: one per theme that has datasets with geometries.
func (b *build) maps() {
	themes := map[string][]string{}
	for _, inv := range b.d.Inventories {
		if inv.CountedBy == NotCounted || inv.Count == inv.NoPosition { // nothing of it to draw
			continue
		}
		switch inv.Kind {
		case KindMonuments:
			themes["monuments"] = append(themes["monuments"], inv.Dataset)
		case KindMuseums, KindGardens, KindACR, KindIllustres:
			themes["museums"] = append(themes["museums"], inv.Dataset)
		case KindNatural:
			themes["natural"] = append(themes["natural"], inv.Dataset)
		}
	}
	for _, th := range []string{"monuments", "museums", "natural"} {
		if len(themes[th]) > 0 {
			b.d.Maps = append(b.d.Maps, ThemeMap{Theme: th, Datasets: themes[th]})
		}
	}
}
