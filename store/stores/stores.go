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
	"github.com/patrimap/patrimap/store/postgis"
	"github.com/patrimap/patrimap/store/spatialite"
)

// Options tunes OpenWith.
type Options struct {
	// ReadDSN is a second address that snapshots read: a streaming replica (hot standby) of the PostgreSQL
	// database dsn names. Only a postgres:// store takes one.
	ReadDSN string
}

// Open opens the store named by dsn: postgres://… or postgresql://… for PostGIS, anything else a SpatiaLite
// file (created if needed).
func Open(ctx context.Context, dsn string) (store.Store, error) {
	return OpenWith(ctx, dsn, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, dsn string, opts Options) (store.Store, error) {
	switch {
	case dsn == "":
		return nil, errors.New("no store given: pass --db FILE (a SpatiaLite file, created if needed) or --db postgres://..., or set PATRIMAP_DB")
	case IsPostgres(dsn):
		if opts.ReadDSN != "" && !IsPostgres(opts.ReadDSN) {
			return nil, fmt.Errorf("--db-read %s: a read replica is a postgres:// address", postgis.Redact(opts.ReadDSN))
		}
		return postgis.Open(ctx, dsn, postgis.Options{ReadDSN: opts.ReadDSN})
	case opts.ReadDSN != "":
		return nil, fmt.Errorf("--db-read %s: only a PostgreSQL store (--db postgres://...) reads from a replica; %s is a SpatiaLite file",
			postgis.Redact(opts.ReadDSN), dsn)
	}
	return spatialite.Open(ctx, dsn)
}

// IsPostgres says whether dsn names a PostgreSQL database rather than a SpatiaLite file.
func IsPostgres(dsn string) bool {
	lower := strings.ToLower(dsn)
	return strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://")
}

// Redact is dsn without its password, for messages and logs: a PostgreSQL address's password hidden, a file
// path as it is.
func Redact(dsn string) string {
	if IsPostgres(dsn) {
		return postgis.Redact(dsn)
	}
	return dsn
}
