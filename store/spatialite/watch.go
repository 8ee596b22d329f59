package spatialite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/patrimap/patrimap/store"
)

var _ store.Watcher = (*Store)(nil)

// watch tells commits apart (store.Watcher). Commits made through this Store bump gen at once; commits by other
// processes (or other Store values on the same file) are seen through PRAGMA data_version, which changes on a
// connection whenever another connection commits. It is asked on a connection of its own, that never writes,
// at most once per store.WatchInterval.
type watch struct {
	gen     atomic.Uint64
	checked atomic.Int64 // when data_version was last read, in Unix nanoseconds

	mu          sync.Mutex // held while data_version is read
	db          *sql.DB    // one connection, without SpatiaLite: a pragma needs nothing of it
	conn        *sql.Conn
	dataVersion int64
}

func openWatch(ctx context.Context, path string) (*watch, error) {
	db := sql.OpenDB(connector{dsn: dsn(path, "deferred"), drv: &sqlite3.SQLiteDriver{}})
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: change watch: %w", path, err)
	}
	w := &watch{db: db, conn: conn}
	if err := conn.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&w.dataVersion); err != nil {
		w.close()
		return nil, fmt.Errorf("open %s: change watch: %w", path, err)
	}
	w.checked.Store(time.Now().UnixNano())
	return w, nil
}

func (w *watch) close() error {
	if w == nil {
		return nil
	}
	w.conn.Close()
	return w.db.Close()
}

// changed records a commit made through this Store, and the data_version it left, so that the next check
// does not count the same commit again.
func (w *watch) changed(ctx context.Context) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var v int64
	if err := w.conn.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v); err == nil {
		w.dataVersion = v
		w.checked.Store(time.Now().UnixNano())
	}
	w.gen.Add(1)
}

// Generation returns a number that differs after any commit to the database, by this process or another
// (store.Watcher).
func (s *Store) Generation(ctx context.Context) (uint64, error) {
	w := s.watch
	now := time.Now().UnixNano()
	if now-w.checked.Load() < int64(store.WatchInterval) {
		return w.gen.Load(), nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if now-w.checked.Load() < int64(store.WatchInterval) {
		return w.gen.Load(), nil // another caller just read it
	}
	var v int64
	if err := w.conn.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("%s: change watch: %w", s.path, err)
	}
	if v != w.dataVersion {
		w.dataVersion = v
		w.gen.Add(1)
	}
	w.checked.Store(now)
	return w.gen.Load(), nil
}
