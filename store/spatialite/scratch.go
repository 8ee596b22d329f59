package spatialite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	sqlite3 "github.com/mattn/go-sqlite3"
	"github.com/paulmach/orb"
)

// A point layer's clusters are counted beside the import, on a connection of their own to a scratch database,
// while the import's connection builds the table and its spatial index: SQLite runs one statement at a time on
// a connection, and the clusters' GROUP BYs, a third of the finish of a million points, left the second core
// idle. Each point's cell goes to the scratch as the point is added; Finish closes the input, the scratch
// groups the cells of every zoom while the import goes on, then the import's transaction attaches the scratch
// and copies its table whole (tables of one definition: SQLite transfers their rows without decoding them).
// Whatever stops the scratch (no temporary file, a full disk), the import counts the clusters from its staging
// table as it did before, in its own transaction, by the same statements: the same table either way.

// scratchSchema is the name the import's connection attaches the scratch under.
const scratchSchema = "patrimap_scratch"

// clusterInput is one point of a cluster count: its deepest cell, its fid and its box's lower-left corner.
type clusterInput struct {
	cell, fid int64
	x0, y0    float64
}

// clusterScratch counts one import's clusters on a scratch database of its own.
type clusterScratch struct {
	path    string
	db      *sql.DB
	cancel  context.CancelFunc
	input   chan []clusterInput // batches of points, in the order added
	free    chan []clusterInput // batches read, to fill again
	pending []clusterInput
	wanted  bool          // set before input is closed: the layer is of points, count its clusters
	exited  chan struct{} // closed when run returns, with err
	err     error
	closed  bool // input
}

// scratchBatch is the number of points handed to the scratch at a time.
const scratchBatch = 256

// scratchPattern names the scratch files of the imports into the database at path (os.CreateTemp's pattern).
func scratchPattern(path string) string { return filepath.Base(path) + "-clusters-*.scratch" }

// removeScratches deletes the scratch files in dir that imports into the database at path left when their
// process was killed. Only the import holding the write lock calls it: no other is counting clusters then.
func removeScratches(dir, path string) {
	left, _ := filepath.Glob(filepath.Join(dir, scratchPattern(path)))
	for _, f := range left {
		os.Remove(f)
	}
}

// startClusterScratch creates the scratch database (in dir, for the database at dbPath) and the goroutine that
// fills it.
func startClusterScratch(ctx context.Context, dir, dbPath string) (*clusterScratch, error) {
	f, err := os.CreateTemp(dir, scratchPattern(dbPath))
	if err != nil {
		return nil, err
	}
	path := f.Name()
	if err := f.Close(); err != nil {
		os.Remove(path)
		return nil, err
	}
	// Nothing in it outlives the import: no journal, no sync.
	q := url.Values{}
	q.Set("_journal_mode", "OFF")
	q.Set("_synchronous", "OFF")
	db := sql.OpenDB(connector{dsn: fileDSN(path, q), drv: &sqlite3.SQLiteDriver{}})
	db.SetMaxOpenConns(1)
	ctx, cancel := context.WithCancel(ctx)
	s := &clusterScratch{path: path, db: db, cancel: cancel, input: make(chan []clusterInput, 2), free: make(chan []clusterInput, 3),
		exited: make(chan struct{})}
	go func() {
		defer close(s.exited)
		s.err = s.run(ctx)
	}()
	return s, nil
}

// add hands one point to the scratch. A scratch that stopped takes no more (its error comes with the result).
func (s *clusterScratch) add(p orb.Point, cell, fid int64) {
	if s.pending == nil {
		select {
		case s.pending = <-s.free:
		default:
			s.pending = make([]clusterInput, 0, scratchBatch)
		}
	}
	s.pending = append(s.pending, clusterInput{cell: cell, fid: fid, x0: p[0], y0: p[1]})
	if len(s.pending) == scratchBatch {
		s.send()
	}
}

func (s *clusterScratch) send() {
	if len(s.pending) == 0 {
		return
	}
	select {
	case s.input <- s.pending:
	case <-s.exited:
	}
	s.pending = nil
}

// end closes the input: wanted says whether to count the clusters (the layer is of points) or stop.
func (s *clusterScratch) end(wanted bool) {
	if s.closed {
		return
	}
	if wanted {
		s.send()
	} else {
		s.cancel()
	}
	s.wanted, s.closed = wanted, true
	close(s.input)
}

// table waits for the clusters and gives the path of the database that holds them (table clusters).
func (s *clusterScratch) table(ctx context.Context) (string, error) {
	s.end(true)
	select {
	case <-s.exited:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	return s.path, s.err
}

// close stops the scratch, a count under way too (an import rolled back after Finish), and deletes it.
func (s *clusterScratch) close() error {
	s.cancel()
	s.end(false)
	<-s.exited
	return errors.Join(s.db.Close(), os.Remove(s.path))
}

// run writes the points into the scratch's table of cells as they come, then counts their clusters.
func (s *clusterScratch) run(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	fail := func(err error) error {
		for range s.input { // the import hands its points until it closes the input
		}
		return err
	}
	for _, q := range []string{
		`CREATE TABLE cells (cell INTEGER, fid INTEGER, x0 REAL, y0 REAL)`,
		`BEGIN`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fail(err)
		}
	}
	st := stagingBatch{conn: conn}
	if err := st.prepare(ctx, "cells", []string{"cell", "fid", "x0", "y0"}); err != nil {
		return fail(err)
	}
	defer st.close()
	for batch := range s.input {
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		for _, p := range batch {
			if err := st.add(p.cell, p.fid, p.x0, p.y0); err != nil {
				return fail(err)
			}
		}
		select {
		case s.free <- batch[:0]:
		default:
		}
	}
	if !s.wanted {
		return context.Canceled
	}
	if err := st.flush(); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, clusterDDL("clusters")); err != nil {
		return err
	}
	if err := countClusters(ctx, conn, "clusters", "cells"); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, `COMMIT`)
	return err
}

// copyScratchClusters attaches the scratch's database to the import's transaction and copies its clusters into
// table ct (new, of clusterDDL's definition).
func (im *importer) copyScratchClusters(ctx context.Context, path, ct string) error {
	if _, err := im.tx.ExecContext(ctx, `ATTACH ? AS `+scratchSchema, path); err != nil {
		return fmt.Errorf("attach the scratch: %w", err)
	}
	im.attached = true
	_, err := im.tx.ExecContext(ctx, `INSERT INTO `+ct+` SELECT * FROM `+scratchSchema+`.clusters`)
	return err
}

// dropScratch detaches and deletes the import's scratch, after its transaction.
func (im *importer) dropScratch(ctx context.Context) error {
	var err error
	if im.attached {
		_, err = im.conn.ExecContext(context.WithoutCancel(ctx), `DETACH `+scratchSchema)
		im.attached = false
	}
	if im.scratch != nil {
		err = errors.Join(err, im.scratch.close())
		im.scratch = nil
	}
	return err
}
