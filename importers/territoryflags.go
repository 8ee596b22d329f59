package importers

import (
	"context"
	"errors"
	"flag"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/importers/territory"
)

// TerritoryFlags are --territory, --within and --bbox, shared by the families that cut a territory.
type TerritoryFlags struct {
	Spec, Within, BBox string
}

// Register declares the flags on fs.
func (t *TerritoryFlags) Register(fs *flag.FlagSet) {
	fs.StringVar(&t.Spec, "territory", "", "keep a territory: epci:SIREN, dep:CODE, commune:INSEE[,INSEE...] (boundary fetched once from the national geo API, then cached in the store)")
	fs.StringVar(&t.Within, "within", "", "keep what intersects the polygons of this GeoJSON `FILE` (works offline)")
	fs.StringVar(&t.BBox, "bbox", "", "keep what intersects west,south,east,north (WGS84 degrees)")
}

// Set reports whether one of the flags was given.
func (t *TerritoryFlags) Set() bool { return t.Spec != "" || t.Within != "" || t.BBox != "" }

// Local resolves what needs neither the network nor the reference lists: nothing asked (nil), --within and
// --bbox. done is false when --territory is to be resolved.
func (t *TerritoryFlags) Local() (terr *territory.Territory, done bool, err error) {
	n := 0
	for _, s := range []string{t.Spec, t.Within, t.BBox} {
		if s != "" {
			n++
		}
	}
	switch {
	case n == 0:
		return nil, true, nil
	case n > 1:
		return nil, true, UsageError{errors.New("give one of --territory, --within and --bbox")}
	case t.Within != "":
		terr, err = territory.FromFile(t.Within)
		return terr, true, err
	case t.BBox != "":
		terr, err = territory.FromBBox(t.BBox)
		if err != nil {
			return nil, true, UsageError{err}
		}
		return terr, true, nil
	}
	return nil, false, nil
}

// Communes resolves --territory to its communes, from the embedded official lists (no network).
func (t *TerritoryFlags) Communes(ref *territory.Reference) (*territory.Territory, error) {
	spec, err := territory.ParseSpec(t.Spec)
	if err != nil {
		return nil, UsageError{err}
	}
	terr, err := ref.Communes(spec)
	if err != nil {
		return nil, UsageError{err}
	}
	return terr, nil
}

// Resolve returns the territory with its boundary, or nil when none was asked for. A --territory boundary
// comes from env.Boundary.
func (t *TerritoryFlags) Resolve(ctx context.Context, env Env) (*territory.Territory, error) {
	if terr, done, err := t.Local(); done || err != nil {
		return terr, err
	}
	ref, err := territory.LoadReference()
	if err != nil {
		return nil, err
	}
	tt, err := t.Communes(ref)
	if err != nil {
		return nil, err
	}
	if err := env.Boundary(ctx, tt); err != nil {
		return nil, err
	}
	return tt, nil
}

// Within is the geometry an import keeps for a territory: its boundary, or its bounding box when only that is
// known; nil (keep all) for no territory.
func Within(t *territory.Territory) orb.Geometry {
	if t == nil {
		return nil
	}
	if t.Boundary != nil {
		return t.Boundary
	}
	return t.BBox.ToPolygon()
}
