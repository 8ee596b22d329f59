package geo

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/twpayne/go-geos"
)

// This file is the one place where orb geometries and GEOS's meet: through WKB, both ways.

// contexts lends GEOS contexts: a GEOS handle serves one goroutine at a time.
type contexts struct{ idle freeList[*geos.Context] }

// do runs fn with a GEOS context of its own.
func (cs *contexts) do(fn func(c *geos.Context) error) error {
	c, ok := cs.idle.get()
	if !ok {
		c = geos.NewContext()
	}
	defer cs.idle.put(c)
	return guard(func() error { return fn(c) })
}

// guard runs fn and returns GEOS's errors as errors: go-geos reports them (a TopologyException on a badly
// broken polygon) by panicking.
func guard(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(error)
			var ge geos.Error
			var nilPanic *runtime.PanicNilError // GEOS failed without a message
			if !ok || (!errors.As(e, &ge) && !errors.As(e, &nilPanic)) {
				panic(r)
			}
			err = fmt.Errorf("GEOS: %w", e)
		}
	}()
	return fn()
}

// toGEOS converts g into a GEOS geometry of c. The caller destroys it.
func toGEOS(c *geos.Context, g orb.Geometry) (*geos.Geom, error) {
	b, err := wkb.Marshal(g)
	if err != nil {
		return nil, fmt.Errorf("geometry to WKB: %w", err)
	}
	gg, err := c.NewGeomFromWKB(b)
	if err != nil {
		return nil, fmt.Errorf("GEOS cannot read the geometry: %w", err)
	}
	return gg, nil
}

// fromGEOS converts a GEOS geometry back; an empty one is nil.
func fromGEOS(g *geos.Geom) (orb.Geometry, error) {
	if g == nil || g.IsEmpty() {
		return nil, nil
	}
	out, err := wkb.Unmarshal(g.ToWKB())
	if err != nil {
		return nil, fmt.Errorf("geometry from GEOS: %w", err)
	}
	return out, nil
}
