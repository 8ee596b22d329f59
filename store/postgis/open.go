package postgis

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"runtime"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/patrimap/patrimap/store"
)

var (
	_ store.Store      = (*Store)(nil)
	_ store.Snapshot   = (*snapshot)(nil)
	_ store.Import     = (*importer)(nil)
	_ store.MemoLister = (*Store)(nil)
)

// DefaultSchema is the schema of the datasets when the address does not name one (?schema=NAME).
const DefaultSchema = "patrimap"

// PostGISPackage is the Debian package of PostgreSQL 15 with PostGIS 3.
const PostGISPackage = "postgresql-15-postgis-3"

// Store is a PostgreSQL/PostGIS database of datasets. It is safe for concurrent use.
type Store struct {
	write *pgxpool.Pool // imports, the memo, and reads when there is no replica
	read  *pgxpool.Pool // snapshots: a streaming replica (Options.ReadDSN), or write
	// schema holds the datasets' tables, internal the catalogue, the memo and the versions being replaced.
	schema, internal string
	name             string
	watch            watch // the last generation read (Generation)
}

// Options tunes Open.
type Options struct {
	// ReadDSN is the address of a streaming replica of the database (hot standby) that snapshots read; imports
	// and the memo go to the primary. A snapshot on the replica is consistent, as of a moment of the primary
	// that replication has reached (usually well under a second behind it).
	ReadDSN string
}

var schemaPattern = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,53}$`)

// Open connects to the database at dsn (postgres://user:password@host:port/database?schema=NAME&...: libpq's
// parameters, plus schema, the datasets' schema, patrimap by default), and creates the schemas and the
// catalogue if needed. The database must have PostGIS, or let this user create it.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	cfg, schema, name, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	s := &Store{schema: schema, internal: schema + "_internal", name: name}
	if s.write, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	s.read = s.write
	if opts.ReadDSN != "" {
		rcfg, rschema, rname, err := parseDSN(opts.ReadDSN)
		if err != nil {
			s.write.Close()
			return nil, fmt.Errorf("read replica: %w", err)
		}
		if rschema != schema {
			s.write.Close()
			return nil, fmt.Errorf("read replica %s: schema %q, the primary's is %q: they must be the same", rname, rschema, schema)
		}
		if s.read, err = pgxpool.NewWithConfig(ctx, rcfg); err != nil {
			s.write.Close()
			return nil, fmt.Errorf("open read replica %s: %w", rname, err)
		}
		s.name += " (reads: " + rname + ")"
	}
	if err := s.init(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// parseDSN reads a postgres:// address: its pool configuration, the datasets' schema, and the address without
// password for messages.
func parseDSN(dsn string) (*pgxpool.Config, string, string, error) {
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, "", "", fmt.Errorf("%q is not a PostgreSQL address: postgres://user:password@host:5432/database[?schema=patrimap]", Redact(dsn))
	}
	q := u.Query()
	schema := DefaultSchema
	if v := q.Get("schema"); v != "" {
		schema = v
	}
	q.Del("schema")
	if !schemaPattern.MatchString(schema) {
		return nil, "", "", fmt.Errorf("%s: schema %q: lower-case letters, digits and underscores, at most 54 characters", Redact(dsn), schema)
	}
	pooled := q.Has("pool_max_conns")
	u.RawQuery = q.Encode()
	// The name keeps the schema: two stores in one database differ by it alone.
	name := Redact(u.String())
	if schema != DefaultSchema {
		name = Redact(u.String() + map[bool]string{true: "&", false: "?"}[u.RawQuery != ""] + "schema=" + schema)
	}
	cfg, err := pgxpool.ParseConfig(u.String())
	if err != nil {
		return nil, "", "", fmt.Errorf("%s: %w", name, err)
	}
	if !pooled {
		// A snapshot holds a connection for a request: a map asking for 30 tiles at once should wait a moment
		// for one, not open 30 (the same bound as the SpatiaLite store's readers).
		cfg.MaxConns = int32(max(8, 4*runtime.GOMAXPROCS(0)))
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "patrimap"
	// Dates are read in binary, but error messages and casts to text must not depend on the server's settings.
	cfg.ConnConfig.RuntimeParams["datestyle"] = "ISO, YMD"
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	return cfg, schema, name, nil
}

// Redact hides the password of a database address, for messages and logs.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
		return u.String()
	}
	return dsn
}

// Name is the database address without password, for logs.
func (s *Store) Name() string { return s.name }

// Schema is the schema of the datasets' tables.
func (s *Store) Schema() string { return s.schema }

// Close closes the connections.
func (s *Store) Close() error {
	if s.read != s.write {
		s.read.Close()
	}
	s.write.Close()
	return nil
}

// Ping checks that the database (and the replica snapshots read) answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.write.Ping(ctx); err != nil {
		return fmt.Errorf("%s: %w", s.name, err)
	}
	if s.read != s.write {
		if err := s.read.Ping(ctx); err != nil {
			return fmt.Errorf("%s: read replica: %w", s.name, err)
		}
	}
	return nil
}

// ErrNoPostGIS is returned (wrapped) by Open when the database lacks PostGIS and this user cannot add it.
var ErrNoPostGIS = errors.New("PostGIS is not installed in this database")

// init makes sure of PostGIS, the schemas and the internal tables, one process at a time.
func (s *Store) init(ctx context.Context) error {
	fail := func(step string, err error) error { return fmt.Errorf("open %s: %s: %w", s.name, step, err) }
	tx, err := s.write.Begin(ctx)
	if err != nil {
		return fail("connect", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('patrimap init ' || $1, 0))`, s.schema); err != nil {
		return fail("lock", err)
	}
	var hasPostGIS bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'postgis')`).Scan(&hasPostGIS); err != nil {
		return fail("look for PostGIS", err)
	}
	if !hasPostGIS {
		if _, err := tx.Exec(ctx, `CREATE EXTENSION postgis`); err != nil {
			return fmt.Errorf("open %s: %w and this user cannot add it (%v): a superuser must run CREATE EXTENSION postgis in it (Debian: apt-get install %s)",
				s.name, ErrNoPostGIS, err, PostGISPackage)
		}
	}
	for _, schema := range []string{s.schema, s.internal} {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, schema).Scan(&exists); err != nil {
			return fail("look for schema "+schema, err)
		}
		if !exists {
			if _, err := tx.Exec(ctx, `CREATE SCHEMA `+quoteIdent(schema)); err != nil {
				return fail("create schema "+schema, err)
			}
		}
	}
	for _, stmt := range internalSchema(s.internal) {
		if _, err := tx.Exec(ctx, stmt); err != nil {
			return fail("create the catalogue", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fail("commit", err)
	}
	// Versions replaced while a process that held them was killed are dropped now if nobody reads them.
	s.dropRetired(ctx)
	return nil
}

// internalSchema creates the catalogue, the memo and the list of replaced versions.
func internalSchema(internal string) []string {
	in := quoteIdent(internal)
	return []string{
		`CREATE TABLE IF NOT EXISTS ` + in + `.datasets (
			id text COLLATE "C" PRIMARY KEY,
			table_name text NOT NULL UNIQUE,
			relid oid NOT NULL,
			title text NOT NULL,
			description text NOT NULL DEFAULT '',
			theme text COLLATE "C" NOT NULL,
			producer text NOT NULL,
			licence text NOT NULL DEFAULT '',
			attribution text NOT NULL DEFAULT '',
			source_url text NOT NULL DEFAULT '',
			source_file text NOT NULL DEFAULT '',
			source_sha256 text NOT NULL DEFAULT '',
			retrieved_at text NOT NULL,
			source_crs text NOT NULL DEFAULT '',
			geometry_type text NOT NULL DEFAULT '',
			feature_count bigint NOT NULL,
			min_x double precision, min_y double precision, max_x double precision, max_y double precision,
			fields json NOT NULL,
			version bigint NOT NULL,
			imported_at text NOT NULL,
			report json NOT NULL
		)`,
		`COMMENT ON TABLE ` + in + `.datasets IS 'patrimap: the catalogue of the datasets (one table each in the schema beside this one)'`,
		`CREATE TABLE IF NOT EXISTS ` + in + `.memo (
			kind text COLLATE "C" NOT NULL,
			key text COLLATE "C" NOT NULL,
			value bytea NOT NULL,
			stored_at timestamptz NOT NULL,
			PRIMARY KEY (kind, key)
		)`,
		`COMMENT ON TABLE ` + in + `.memo IS 'patrimap: values kept beside the datasets (territory boundaries, descriptive sheets)'`,
		// A snapshot checks that a dataset's name still leads to the version it read the catalogue entry of.
		`CREATE OR REPLACE FUNCTION ` + in + `.expect_table(name text, relid oid) RETURNS void LANGUAGE plpgsql STABLE AS $$
		BEGIN
			IF to_regclass(name) IS DISTINCT FROM relid THEN
				RAISE EXCEPTION 'patrimap: % is no longer table %', name, relid USING ERRCODE = '` + tableMoved + `';
			END IF;
		END $$`,
		// The generation: a count of the commits to the store, for the servers' caches (see watch.go).
		`CREATE TABLE IF NOT EXISTS ` + in + `.generation (
			one boolean PRIMARY KEY DEFAULT true CHECK (one),
			n bigint NOT NULL
		)`,
		`INSERT INTO ` + in + `.generation (n) VALUES (1) ON CONFLICT DO NOTHING`,
		// A version an import replaced, kept while a snapshot older than the replacement may read it.
		`CREATE TABLE IF NOT EXISTS ` + in + `.retired (
			relid oid PRIMARY KEY,
			replaced_by xid8 NOT NULL
		)`,
	}
}

// quoteIdent quotes an SQL identifier for PostgreSQL. Every identifier that comes from data goes through here;
// values always go through parameters.
func quoteIdent(name string) string {
	return pgx.Identifier{name}.Sanitize()
}

// qualified is schema.name, quoted.
func qualified(schema, name string) string {
	return pgx.Identifier{schema, name}.Sanitize()
}
