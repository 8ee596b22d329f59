package importers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/geo"
	"github.com/patrimap/patrimap/store"
)

// Record is one feature read from a source.
type Record struct {
	// Ref says how a user finds the record in the source: "feature 12", "line 40", "record 7".
	Ref string
	// Geometry is in the source's CRS; nil when the record has none.
	Geometry orb.Geometry
	// Properties keep the source's names and order.
	Properties []store.Property
}

// Source is an opened input of one family. Records streams the records to emit, in source order, noting in rep
// what it could not read; it stops at the first error emit returns.
type Source interface {
	Records(ctx context.Context, rep *Report, emit func(Record) error) error
	// SRID is the EPSG code of the geometries Records emits, known once Records has started (a GeoJSON file
	// may say it in its "crs" member).
	SRID() int
}

// Job is one import: a source and the catalogue entry it becomes.
type Job struct {
	Info     store.DatasetInfo
	Fields   []store.Field // types the source declares, if any
	Within   orb.Geometry  // keep only what intersects this territory (WGS84); nil keeps all
	Source   Source
	Report   *Report // Source and Format already filled by the family
	Progress *Progress
}

// ErrBadInput wraps errors caused by the input (as opposed to the machine): the command exits with a message
// that names the file and the record.
var ErrBadInput = errors.New("bad input")

// Run imports job into st. On any error the previous version of the dataset stays as it was.
func Run(ctx context.Context, st *store.Store, job Job) (store.Dataset, error) {
	rep := job.Report
	start := time.Now()
	rep.Dataset = job.Info.ID
	rep.StartedAt = start.UTC().Format(time.RFC3339)
	prog := job.Progress
	if prog == nil {
		prog = NewProgress(nil, "", 0)
	}
	im, err := st.BeginImport(ctx, job.Info, store.ImportOptions{Fields: job.Fields, Within: job.Within})
	if err != nil {
		return store.Dataset{}, err
	}
	defer im.Rollback()

	err = job.Source.Records(ctx, rep, func(r Record) error {
		rep.Read++
		prog.Record()
		g, err := cleanGeometry(r, job.Source.SRID(), rep)
		if err != nil {
			return err
		}
		return im.Add(ctx, g, r.Properties)
	})
	prog.Done()
	if err != nil {
		return store.Dataset{}, err
	}
	srid := job.Source.SRID()
	if srid != 0 && srid != 4326 {
		im.SetSourceSRID(srid)
		if rep.SourceCRS == "" {
			rep.SourceCRS = "EPSG:" + strconv.Itoa(srid)
		}
	}
	if rep.SourceCRS != "" && job.Info.SourceCRS == "" {
		job.Info.SourceCRS = rep.SourceCRS
		im.SetSourceCRS(rep.SourceCRS)
	}
	res, err := im.Finish(ctx)
	if err != nil {
		return store.Dataset{}, err
	}
	rep.Version = res.Version
	rep.Written = res.Rows
	rep.NoGeom = res.NullGeometry + int64(len(res.Collapsed)) + res.Unconvertible
	rep.Repaired = int64(len(res.Repaired))
	for _, fid := range res.Repaired {
		rep.Fix("invalid geometry made valid (GEOS/RTTOPO)", "fid "+strconv.FormatInt(fid, 10))
	}
	for _, fid := range res.Collapsed {
		rep.Fix("invalid geometry with no area left once made valid: stored without geometry", "fid "+strconv.FormatInt(fid, 10))
	}
	for _, fid := range res.StillInvalid {
		rep.Fix("invalid geometry that could not be made valid: kept as read", "fid "+strconv.FormatInt(fid, 10))
	}
	if res.Outside > 0 {
		rep.count(&rep.skipped, "outside the territory (or without geometry)", "", res.Outside)
	}
	if res.Unconvertible > 0 {
		rep.Warn("%d geometries could not be read or reprojected by SpatiaLite and were stored without geometry", res.Unconvertible)
	}
	for from, to := range res.Renamed {
		rep.Warn("property %q stored as column %q (its name was taken: SQLite names ignore case, fid and geom are reserved)", from, to)
	}
	if res.Rows == 0 {
		rep.Warn("the source has no features: the dataset is empty")
	}
	rep.Duration = Duration(time.Since(start))
	rep.seal()
	return im.Commit(ctx, rep)
}

// cleanGeometry runs the geometry of r through geo.Clean and checks WGS84 ranges, counting what was fixed.
func cleanGeometry(r Record, srid int, rep *Report) (orb.Geometry, error) {
	if r.Geometry == nil {
		return nil, nil
	}
	g, c, err := geo.Clean(r.Geometry)
	if err != nil {
		rep.Fix("geometry dropped: "+err.Error(), r.Ref)
		return nil, nil
	}
	rep.FixN("unclosed ring closed", r.Ref, c.ClosedRings)
	rep.FixN("repeated consecutive point removed", r.Ref, c.DuplicatePoints)
	rep.FixN("degenerate ring (under 4 points) dropped", r.Ref, c.DroppedRings)
	rep.FixN("degenerate line (under 2 points) dropped", r.Ref, c.DroppedLines)
	if g == nil {
		rep.Fix("geometry with nothing left once degenerate parts were dropped: stored without geometry", r.Ref)
		return nil, nil
	}
	if srid == 0 || srid == 4326 {
		if p, bad := geo.OutsideLonLat(g); bad {
			return nil, fmt.Errorf("%w: %s: %s: coordinate (%v, %v) is not a longitude/latitude: the file is probably in a projected CRS "+
				"(Lambert-93 coordinates look like 913000, 6458000); reproject it to WGS84 or pass --crs EPSG:2154", ErrBadInput, rep.Source, r.Ref, p[0], p[1])
		}
	}
	return g, nil
}
