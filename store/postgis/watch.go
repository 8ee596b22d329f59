package postgis

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/patrimap/patrimap/store"
)

var _ store.Watcher = (*Store)(nil)

// The generation is a counter row in the internal schema that every commit bumps in its own transaction (an
// import's swap, a memo write): whichever process commits, every process on the database (or on a streaming
// replica of it) reads the new number exactly when it can read what the commit wrote, never before. A counter
// is read by a plain query, which goes through any connection pooler, where LISTEN would need a session of its
// own to every process.

// generationTable is the counter's table, one row.
func (s *Store) generationTable() string { return qualified(s.internal, "generation") }

// bumpGeneration is the statement that counts one more commit; it runs last in the committing transaction, so
// that concurrent commits hold the row's lock only for the commit itself.
func (s *Store) bumpGeneration() string {
	return `UPDATE ` + s.generationTable() + ` SET n = n + 1`
}

// watch remembers the last generation read, and when, so that Generation asks the database at most once per
// store.WatchInterval.
type watch struct {
	gen     atomic.Uint64
	checked atomic.Int64  // when the counter was last read, in Unix nanoseconds; 0: read it at the next call
	commits atomic.Uint64 // commits made through this Store, so that a read under way when one ends is not trusted
	mu      sync.Mutex    // held while the counter is read
}

// changed records a commit made through this Store: the next Generation reads the counter again.
func (w *watch) changed() {
	w.commits.Add(1)
	w.checked.Store(0)
}

// Generation returns a number that differs after any commit to the store, by this process or another
// (store.Watcher): the counter as snapshots read it (on the read replica when there is one).
func (s *Store) Generation(ctx context.Context) (uint64, error) {
	w := &s.watch
	now := time.Now().UnixNano()
	if now-w.checked.Load() < int64(store.WatchInterval) {
		return w.gen.Load(), nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if now-w.checked.Load() < int64(store.WatchInterval) {
		return w.gen.Load(), nil // another caller just read it
	}
	commits := w.commits.Load()
	var n int64
	if err := s.read.QueryRow(ctx, `SELECT n FROM `+s.generationTable()).Scan(&n); err != nil {
		return 0, fmt.Errorf("%s: change watch: %w", s.name, err)
	}
	w.gen.Store(uint64(n))
	if w.commits.Load() == commits {
		w.checked.Store(now)
	}
	return uint64(n), nil
}
