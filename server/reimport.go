package server

import (
	"context"
	"strings"
	"time"

	"github.com/patrimap/patrimap/store"
)

// logReimports names, once at start-up, the datasets an older patrimap imported without what this one builds
// at import for their low-zoom tiles (store.ReimportChecker): they are served, those tiles drawn from their
// full rows (slower), until each is imported again. A store that cannot tell says nothing; one that
// fails to answer is logged and served all the same (readyz reports a database that does not answer).
func (s *Server) logReimports(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second) // a database that does not answer delays the start 10 s at most
	defer cancel()
	ids, err := s.reimports(ctx)
	if err != nil {
		s.log.Warn("could not tell which datasets want a re-import", "error", err)
		return
	}
	if len(ids) > 0 {
		s.log.Warn("datasets imported by an older patrimap: their low-zoom tiles are drawn from their full rows (slower) "+
			"until each is imported again with the command that imported it (patrimap import ... --dataset ID); patrimap datasets marks them",
			"datasets", strings.Join(ids, ","))
	}
}

// reimports lists the ids of the datasets that want a re-import, in catalogue order.
func (s *Server) reimports(ctx context.Context) ([]string, error) {
	sn, err := s.store.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	defer sn.Close()
	ds, err := sn.Datasets(ctx)
	if err != nil {
		return nil, err
	}
	stale, err := store.Reimports(ctx, sn, ds)
	ids := make([]string, len(stale))
	for i, d := range stale {
		ids[i] = d.ID
	}
	return ids, err
}
