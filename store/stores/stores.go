// Package stores opens the store a --db value names: a SpatiaLite file for a path (the embedded default), a
// PostgreSQL database with PostGIS for a postgres:// address. It is the one place that knows every
// implementation, so that commands take any --db the same way.
package stores

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/spatialite"
)

// ErrNotBuilt is returned (wrapped) for a kind of store this build of patrimap does not have.
var ErrNotBuilt = errors.New("this kind of store is not built into patrimap yet")

// Open opens the store named by dsn: postgres://… or postgresql://… for PostGIS, anything else a SpatiaLite
// file (created if needed).
func Open(ctx context.Context, dsn string) (store.Store, error) {
	switch {
	case dsn == "":
		return nil, errors.New("no store given: pass --db FILE (a SpatiaLite file, created if needed) or set PATRIMAP_DB")
	case isPostgres(dsn):
		return nil, fmt.Errorf("--db %s: PostgreSQL/PostGIS: %w; use a SpatiaLite file for now (--db patrimap.db)", redact(dsn), ErrNotBuilt)
	}
	return spatialite.Open(ctx, dsn)
}

func isPostgres(dsn string) bool {
	lower := strings.ToLower(dsn)
	return strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://")
}

// redact hides the password of a database address, for messages and logs.
func redact(dsn string) string {
	scheme, rest, ok := strings.Cut(dsn, "://")
	if !ok {
		return dsn
	}
	userinfo, host, ok := strings.Cut(rest, "@")
	if !ok {
		return dsn
	}
	if user, _, hasPassword := strings.Cut(userinfo, ":"); hasPassword {
		return scheme + "://" + user + ":xxxxx@" + host
	}
	return dsn
}
