package spatialite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/patrimap/patrimap/store"
)

var (
	_ store.Store    = (*Store)(nil)
	_ store.Snapshot = (*snapshot)(nil)
	_ store.Import   = (*importer)(nil)
)

// SpatiaLitePackage is the Debian package that provides mod_spatialite.
const SpatiaLitePackage = "libsqlite3-mod-spatialite"

// ErrNoSpatiaLite is returned (wrapped) by Open when mod_spatialite cannot be loaded.
var ErrNoSpatiaLite = errors.New("SpatiaLite extension mod_spatialite not found: install it with `sudo apt-get install " + SpatiaLitePackage + "`")

// Store is a SpatiaLite database of datasets. It is safe for concurrent use.
type Store struct {
	db     *sql.DB // reads: deferred transactions, many connections
	writer *sql.DB // imports: one connection, BEGIN IMMEDIATE
	path   string
	watch  *watch // commits, for Generation
	// scratchDir is where imports count a point layer's clusters beside their transaction (scratch.go): the
	// database's directory, on the disk the import writes to anyway (a temporary directory may be memory).
	scratchDir string
}

// connector opens SQLite connections with mod_spatialite loaded, without registering a global driver name.
type connector struct {
	dsn string
	drv *sqlite3.SQLiteDriver
}

func (c connector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }
func (c connector) Driver() driver.Driver                        { return c.drv }

// Open opens (creating if needed) the SpatiaLite database at path and makes sure its metadata and the
// catalogue exist.
func Open(ctx context.Context, path string) (*Store, error) {
	return open(ctx, path, "mod_spatialite")
}

func open(ctx context.Context, path, extension string) (*Store, error) {
	drv := &sqlite3.SQLiteDriver{Extensions: []string{extension}, ConnectHook: func(c *sqlite3.SQLiteConn) error {
		_, err := c.Exec(`PRAGMA journal_size_limit = `+strconv.Itoa(walSizeLimit), nil)
		return err
	}}
	s := &Store{
		db:     sql.OpenDB(connector{dsn: dsn(path, "deferred"), drv: drv}),
		writer: sql.OpenDB(connector{dsn: dsn(path, "immediate"), drv: drv}),
		path:   path,
		// The directory of the database: its WAL and journal are written there too.
		scratchDir: filepath.Dir(path),
	}
	// Loading mod_spatialite costs milliseconds per connection: keep every reader connection open, and cap
	// them, so that a burst of requests (a map asking for 30 tiles at once) waits a moment for a connection
	// rather than opening, loading SpatiaLite into and closing one per request. Reads are CPU-bound: beyond a
	// few per core they only queue inside SQLite.
	readers := max(8, 4*runtime.GOMAXPROCS(0))
	s.db.SetMaxOpenConns(readers)
	s.db.SetMaxIdleConns(readers)
	s.writer.SetMaxOpenConns(1)
	if err := s.init(ctx, extension); err != nil {
		s.Close()
		return nil, interrupted(ctx, err)
	}
	var err error
	if s.watch, err = openWatch(ctx, path); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// The WAL holds every page an import writes until a checkpoint copies them into the database, and it grows
// when readers never let a checkpoint finish (a server on the same file under load; issue 17 saw 161 MB
// beside a 13.7 MB store). Two bounds: each import ends with a checkpoint (Store.checkpoint), and
// journal_size_limit cuts the file back to walSizeLimit when the WAL starts over (SQLite keeps it at its
// largest otherwise).
const (
	walSizeLimit = 16 << 20
	// checkpointWait is how long the checkpoint after an import waits for readers of the old version to let go
	// of the WAL, before it settles for copying what it can.
	checkpointWait = 500 * time.Millisecond
)

// checkpoint copies the WAL into the database on conn, the writer's connection, after an import. TRUNCATE
// empties the WAL file when no reader still reads from it (readers that start after the copy read the database
// file, so a busy server only delays it by its requests in flight, up to checkpointWait); otherwise PASSIVE
// copies what the readers allow and the next import's writer starts the WAL over. Its errors are not the
// import's: the new version is committed, and the next checkpoint will copy it.
func checkpoint(ctx context.Context, conn *sql.Conn) (emptied bool) {
	if _, err := conn.ExecContext(ctx, `PRAGMA busy_timeout = `+strconv.Itoa(int(checkpointWait.Milliseconds()))); err != nil {
		return false
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA busy_timeout = `+strconv.Itoa(int(busyTimeout.Milliseconds())))
	var busy, log, copied int
	if err := conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &log, &copied); err == nil && busy == 0 {
		return true
	}
	conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &log, &copied)
	return false
}

// busyTimeout is how long a statement waits for a lock (another import's, a checkpoint's).
const busyTimeout = 30 * time.Second

func dsn(path, txlock string) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL") // readers keep reading the previous version while an import writes
	q.Set("_busy_timeout", strconv.Itoa(int(busyTimeout.Milliseconds())))
	q.Set("_synchronous", "NORMAL")
	// The writer takes the write lock at BEGIN, not half-way through an import; readers never take it.
	q.Set("_txlock", txlock)
	return fileDSN(path, q)
}

// fileDSN is go-sqlite3's name of the database file at path with the connection settings q.
func fileDSN(path string, q url.Values) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Name is the database file, for logs.
func (s *Store) Name() string { return s.path }

// Close closes the database.
func (s *Store) Close() error { return errors.Join(s.db.Close(), s.writer.Close(), s.watch.close()) }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

func (s *Store) init(ctx context.Context, extension string) error {
	conn, err := s.writer.Conn(ctx)
	if err != nil {
		if strings.Contains(err.Error(), extension) {
			return fmt.Errorf("open %s: %w (%v)", s.path, ErrNoSpatiaLite, err)
		}
		return fmt.Errorf("open %s: %w", s.path, err)
	}
	defer conn.Close()
	var hasMeta int
	if err := conn.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'geometry_columns'`).Scan(&hasMeta); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("open %s: %w", s.path, err)
		}
		return fmt.Errorf("open %s: not a SQLite database? %w", s.path, err)
	}
	if hasMeta == 0 {
		// InitSpatialMetadata(1): in one transaction, with the whole EPSG table, as GDAL and QGIS expect of a
		// SpatiaLite file.
		if _, err := conn.ExecContext(ctx, `SELECT InitSpatialMetadata(1)`); err != nil {
			return fmt.Errorf("open %s: initialise SpatiaLite metadata: %w", s.path, err)
		}
	}
	if err := inTx(ctx, conn, hideInternals); err != nil {
		return fmt.Errorf("open %s: hide internal tables from GIS: %w", s.path, err)
	}
	for _, stmt := range catalogueSchema {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("open %s: create catalogue: %w", s.path, err)
		}
	}
	if err := initMemo(ctx, conn); err != nil {
		return fmt.Errorf("open %s: create the memo: %w", s.path, err)
	}
	return nil
}

// interrupted makes ctx's end the cause of err when ctx ended before err came back. Once a context ends,
// database/sql rolls its transaction back under the import and go-sqlite3 interrupts the statement running:
// what fails next says "sql: statement is closed", "interrupted" or "transaction has already been committed
// or rolled back", which a caller could not tell from a broken database (Ctrl-C must exit 130, not 1).
func interrupted(ctx context.Context, err error) error {
	if err == nil || ctx.Err() == nil || errors.Is(err, ctx.Err()) {
		return err
	}
	return fmt.Errorf("%w: %v", ctx.Err(), err)
}

// inTx runs do in a transaction on conn, committed when do returns no error.
func inTx(ctx context.Context, conn *sql.Conn, do func(context.Context, *sql.Tx) error) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := do(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}

// quoteIdent quotes an SQL identifier (table or column name) for SQLite. Every identifier that comes from data
// goes through here; values always go through parameters.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
