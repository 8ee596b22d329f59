package importers

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"sync"
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

	// Decode, when not nil, reads Geometry and Properties from what the source kept of the record (an
	// UndecodedSource's records): the pipeline calls it on one of its workers, so that records are decoded on
	// every core. It may set Fixes, and Skip for a record that is not a feature; its error is bad input and
	// stops the import.
	Decode func(*Record) error
	// Bytes is the size of what Decode reads, which keeps the pipeline's batches small.
	Bytes int
	// Fixes are the repairs Decode made, for the report (a worker cannot write it).
	Fixes []Fix
	// Skip says why the record is not written (not a feature), for the report.
	Skip string
}

// Fix is N repairs of one kind in a record.
type Fix struct {
	What string
	N    int
}

// DecodeNow decodes r, if its source left it undecoded, and reports its fixes in rep: for readers of a
// source's records that do not go through the pipeline. skip is true for a record that is not a feature (it
// is reported as skipped).
func (r *Record) DecodeNow(rep *Report) (skip bool, err error) {
	if r.Decode == nil {
		return false, nil
	}
	if err := r.Decode(r); err != nil {
		return false, err
	}
	r.Decode = nil
	r.report(rep)
	if r.Skip != "" {
		rep.Skip(r.Skip, r.Ref)
		return true, nil
	}
	return false, nil
}

func (r *Record) report(rep *Report) {
	for _, f := range r.Fixes {
		rep.FixN(f.What, r.Ref, f.N)
	}
}

// Source is an opened input of one family. Records streams the records to emit, in source order, noting in rep
// what it could not read; it stops at the first error emit returns.
type Source interface {
	Records(ctx context.Context, rep *Report, emit func(Record) error) error
	// SRID is the EPSG code of the geometries Records emits, known once Records has started (a GeoJSON file
	// may say it in its "crs" member).
	SRID() int
}

// UndecodedSource is a Source that can hand its records over undecoded (with Record.Decode), for the pipeline
// to decode them on its workers; Records still emits them decoded. The pipeline then adds the rows on a
// goroutine of their own, beside the one reading: UndecodedRecords must leave the report's counts of fixes
// and skips to its records (Record.Fixes, Record.Skip).
type UndecodedSource interface {
	UndecodedRecords(ctx context.Context, rep *Report, emit func(Record) error) error
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

// Writer is where Run writes: a store (store.Store is one) or anything that begins imports the same way.
type Writer interface {
	BeginImport(ctx context.Context, id string, opts store.ImportOptions) (store.Import, error)
}

// Run imports job into w. Every record's geometry goes through the same steps, on every core, before the
// store sees it: cleaning (geo.Clean), reprojection to WGS84 (PROJ), repair of invalid polygons (GEOS), the
// territory cut, and the per-zoom pyramid for low-zoom tiles; the store gets valid WGS84 rows, in source order,
// numbered by the record (a report's "fid 12" is the stored feature 12). On any error the previous version of
// the dataset stays as it was.
func Run(ctx context.Context, w Writer, job Job) (store.Dataset, error) {
	d, err := run(ctx, w, job)
	if err != nil && ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
		// Interrupted (Ctrl-C, SIGTERM): whatever failed then (a source cut short, a statement the store
		// stopped) failed because of it, and the caller must see the interruption, not a broken input.
		err = fmt.Errorf("import %s: %w: %v", job.Info.ID, ctx.Err(), err)
	}
	return d, err
}

func run(ctx context.Context, w Writer, job Job) (store.Dataset, error) {
	rep := job.Report
	start := time.Now()
	rep.Dataset = job.Info.ID
	rep.StartedAt = start.UTC().Format(time.RFC3339)
	prog := job.Progress
	if prog == nil {
		prog = NewProgress(nil, "", 0)
	}
	p := &pipeline{rep: rep, source: job.Source, reproject: &geo.Reprojector{}, topology: &geo.Topology{}}
	if job.Within != nil {
		within, err := geo.Prepare(job.Within)
		if err != nil {
			return store.Dataset{}, fmt.Errorf("import %s: territory: %w", job.Info.ID, err)
		}
		p.within = within
	}
	im, err := w.BeginImport(ctx, job.Info.ID, store.ImportOptions{Fields: job.Fields})
	if err != nil {
		return store.Dataset{}, err
	}
	defer im.Rollback()
	p.add = func(r store.Row) error { return im.Add(ctx, r) }

	records := job.Source.Records
	if u, ok := job.Source.(UndecodedSource); ok {
		records, p.addAside = u.UndecodedRecords, true
	}
	err = p.run(ctx, func(emit func(Record) error) error {
		return records(ctx, rep, func(r Record) error {
			prog.Record()
			return emit(r)
		})
	})
	if err != nil {
		prog.Done()
		return store.Dataset{}, err
	}
	prog.Finishing()
	defer prog.Done()
	srid := job.Source.SRID()
	if srid != 0 && srid != geo.WGS84 && rep.SourceCRS == "" {
		rep.SourceCRS = "EPSG:" + strconv.Itoa(srid)
	}
	info := job.Info
	if rep.SourceCRS != "" && info.SourceCRS == "" {
		info.SourceCRS = rep.SourceCRS
	}
	res, err := im.Finish(ctx)
	if err != nil {
		return store.Dataset{}, err
	}
	rep.Version = res.Version
	rep.Written = res.Rows
	rep.NoGeom = p.noGeometry
	rep.Repaired = p.repaired
	if p.within != nil && p.outside > 0 {
		rep.count(&rep.skipped, "outside the territory (or without geometry)", "", p.outside)
	}
	if p.unconvertible > 0 {
		rep.Warn("%d geometries could not be reprojected to WGS84 and were stored without geometry", p.unconvertible)
	}
	for from, to := range res.Renamed {
		rep.Warn("property %q stored as column %q (its name was taken: SQLite names ignore case, fid and geom are reserved)", from, to)
	}
	if res.Rows == 0 {
		rep.Warn("the source has no features: the dataset is empty")
	}
	rep.Duration = Duration(time.Since(start))
	rep.seal()
	return im.Commit(ctx, info, rep)
}

// pipeline takes records through the geometry steps on a pool of workers and hands the rows to add in source
// order. Only one goroutine touches the report and adds rows: the one that reads the source, or, for an
// UndecodedSource (addAside), one of its own, so that reading the source and writing the store overlap. The
// workers compute.
type pipeline struct {
	rep       *Report
	source    Source
	add       func(store.Row) error
	addAside  bool
	reproject *geo.Reprojector
	topology  *geo.Topology
	within    *geo.Prepared
	checked   int // the source SRID PROJ was last asked about

	fid                                          int64
	noGeometry, repaired, outside, unconvertible int64
}

// item is one record on its way through the pipeline.
type item struct {
	fid  int64
	srid int
	rec  Record

	geom          orb.Geometry
	pyramid       []orb.Geometry
	cleaning      geo.Cleaning
	dropped       error // geo.Clean refused the geometry (stored without one)
	emptied       bool  // nothing was left once degenerate parts were dropped
	unconvertible bool
	repair        geo.Repair
	outside       bool
	err           error // bad input: the import stops
}

// batch is a run of records that one worker processes; done is closed once it has.
type batch struct {
	items    []item
	vertices int
	done     chan struct{}
}

// A batch holds up to batchRecords records, fewer when they are large: handing records to a worker one by one
// would cost more than cleaning a point, and memory stays bounded by a few batches per worker.
const (
	batchRecords  = 32
	batchVertices = 100_000
)

// run calls read with an emit function that batches the records for the workers, and adds the processed ones
// in order as they come.
func (p *pipeline) run(ctx context.Context, read func(emit func(Record) error) error) error {
	workers := runtime.GOMAXPROCS(0)
	maxPending := 2 * workers
	jobs := make(chan *batch, maxPending)
	failed := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range jobs {
				select {
				case <-failed: // the import stopped: skip the work
				default:
					for i := range b.items {
						p.process(&b.items[i])
					}
				}
				close(b.done)
			}
		}()
	}
	free := make(chan *batch, maxPending+1) // applied batches, to fill again
	// applyBatch waits for the head batch to be processed, then reports and adds its records.
	applyBatch := func(b *batch) error {
		select {
		case <-b.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		for i := range b.items {
			if err := p.apply(&b.items[i]); err != nil {
				return err
			}
		}
		// Applied, the batch is filled again: a new one for every 32 points was a tenth of an import's garbage.
		clear(b.items)
		b.items, b.vertices = b.items[:0], 0
		select {
		case free <- b:
		default:
		}
		return nil
	}
	var (
		queue []*batch // handed to the workers, in source order
		open  *batch   // being filled
		// With addAside, the batches go in order to the goroutine that adds them, which says its error once.
		aside     chan *batch
		asideErr  = make(chan error, 1)
		asideDone = make(chan struct{})
	)
	if p.addAside {
		aside = make(chan *batch, maxPending)
		go func() {
			defer close(asideDone)
			var err error
			for b := range aside {
				if err == nil {
					if err = applyBatch(b); err != nil {
						asideErr <- err
					}
				}
			}
		}()
	}
	// drain applies the processed batches at the head of the queue, waiting for them while more than keep are
	// queued.
	drain := func(keep int) error {
		for len(queue) > 0 {
			head := queue[0]
			if len(queue) <= keep {
				select {
				case <-head.done:
				default:
					return nil
				}
			}
			queue[0], queue = nil, queue[1:]
			if err := applyBatch(head); err != nil {
				return err
			}
		}
		return nil
	}
	flush := func() error {
		if open == nil {
			return nil
		}
		jobs <- open // never waits: jobs holds at most the queued batches, fewer than maxPending
		if aside != nil {
			b := open
			open = nil
			select {
			case aside <- b: // waits while maxPending batches are not yet added, as drain does
				return nil
			case err := <-asideErr:
				return err
			}
		}
		queue, open = append(queue, open), nil
		return drain(maxPending - 1)
	}
	err := read(func(r Record) error {
		it, err := p.queue(r)
		if err != nil {
			return err
		}
		if open == nil {
			select {
			case open = <-free:
				open.done = make(chan struct{})
			default:
				open = &batch{items: make([]item, 0, batchRecords), done: make(chan struct{})}
			}
		}
		open.items = append(open.items, it)
		// A coordinate pair takes some 20 bytes of text.
		open.vertices += geo.VertexCount(r.Geometry) + r.Bytes/20
		if len(open.items) == batchRecords || open.vertices >= batchVertices {
			return flush()
		}
		return nil
	})
	if err == nil {
		if err = flush(); err == nil {
			err = drain(0)
		}
	}
	if aside != nil {
		close(aside)
		<-asideDone
		select {
		case asideErr := <-asideErr:
			err = asideErr // a record before any the reading goroutine stopped at
		default:
		}
	}
	if err != nil {
		close(failed)
	}
	close(jobs)
	wg.Wait()
	return err
}

// queue notes a record's CRS, checking with PROJ a CRS it has not seen yet.
func (p *pipeline) queue(r Record) (item, error) {
	srid := p.source.SRID()
	if srid == 0 {
		srid = geo.WGS84
	}
	if srid != p.checked {
		if err := p.reproject.Check(srid, geo.WGS84); err != nil {
			return item{}, fmt.Errorf("%w: %s: the source's CRS: %v; pass the right one with --crs EPSG:NNNN", ErrBadInput, r.Ref, err)
		}
		p.checked = srid
	}
	return item{srid: srid, rec: r}, nil
}

// process decodes a record if its source left it undecoded, and does its geometry work, on a worker.
func (p *pipeline) process(it *item) {
	if it.rec.Decode != nil {
		if it.err = it.rec.Decode(&it.rec); it.err != nil || it.rec.Skip != "" {
			return
		}
	}
	if it.rec.Geometry == nil {
		return
	}
	g, c, err := geo.Clean(it.rec.Geometry)
	it.cleaning = c
	switch {
	case err != nil:
		it.dropped = err
		return
	case g == nil:
		it.emptied = true
		return
	}
	if it.srid == geo.WGS84 {
		if pt, bad := geo.OutsideLonLat(g); bad {
			it.err = fmt.Errorf("%w: %s: %s: coordinate (%v, %v) is not a longitude/latitude: the file is probably in a projected CRS "+
				"(Lambert-93 coordinates look like 913000, 6458000); reproject it to WGS84 or pass --crs EPSG:2154", ErrBadInput, p.rep.Source, it.rec.Ref, pt[0], pt[1])
			return
		}
	} else if g, err = p.reproject.Reproject(g, it.srid, geo.WGS84); err != nil {
		it.unconvertible = true
		return
	}
	// A GEOS error leaves the geometry as read, counted as still invalid.
	g, it.repair, _ = p.topology.MakeValid(g)
	if g != nil && p.within != nil {
		// A geometry GEOS cannot test (a broken one) is outside, as SpatiaLite's ST_Intersects had it.
		in, err := p.within.Intersects(g)
		it.outside = err != nil || !in
	}
	if g != nil && !it.outside {
		it.pyramid = p.topology.Pyramid(g, store.PyramidMaxZoom, store.PyramidGrid())
	}
	it.geom = g
}

// apply reports what happened to a processed record and adds its row, on the reading goroutine. The records
// that are features are numbered here, in source order.
func (p *pipeline) apply(it *item) error {
	rep, ref := p.rep, it.rec.Ref
	if it.err != nil {
		return it.err
	}
	it.rec.report(rep)
	if it.rec.Skip != "" {
		rep.Skip(it.rec.Skip, ref)
		return nil
	}
	rep.Read++
	p.fid++
	it.fid = p.fid
	fid := "fid " + strconv.FormatInt(it.fid, 10)
	if it.dropped != nil {
		rep.Fix("geometry dropped: "+it.dropped.Error(), ref)
	}
	c := it.cleaning
	rep.FixN("unclosed ring closed", ref, c.ClosedRings)
	rep.FixN("repeated consecutive point removed", ref, c.DuplicatePoints)
	rep.FixN("degenerate ring (under 4 points) dropped", ref, c.DroppedRings)
	rep.FixN("degenerate line (under 2 points) dropped", ref, c.DroppedLines)
	if it.emptied {
		rep.Fix("geometry with nothing left once degenerate parts were dropped: stored without geometry", ref)
	}
	switch it.repair {
	case geo.Repaired:
		p.repaired++
		rep.Fix("invalid geometry made valid (GEOS/RTTOPO)", fid)
	case geo.Collapsed:
		rep.Fix("invalid geometry with no area left once made valid: stored without geometry", fid)
	case geo.StillInvalid:
		rep.Fix("invalid geometry that could not be made valid: kept as read", fid)
	}
	if it.unconvertible {
		p.unconvertible++
	}
	if it.geom == nil {
		p.noGeometry++
	}
	if p.within != nil && (it.geom == nil || it.outside) {
		// Rows without geometry cannot be placed in the territory either.
		p.outside++
		return nil
	}
	return p.add(store.Row{FID: it.fid, Geometry: it.geom, Pyramid: it.pyramid, Properties: it.rec.Properties})
}
