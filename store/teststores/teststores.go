// Package teststores gives tests every kind of store patrimap has, each new and empty, so that a test runs the
// same on all of them and compares what they answer:
//
//	for _, k := range teststores.All() {
//		t.Run(k.Name, func(t *testing.T) { st := k.Open(t); ... })
//	}
//
// The PostGIS store needs a PostgreSQL database with PostGIS, named by $PATRIMAP_TEST_POSTGRES (make test and
// test/pg.sh start a throw-away one); each store is a schema of its own in it, dropped when the test ends.
// Without that variable a PostGIS test fails, saying how to run it: it is never skipped.
package teststores

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/postgis"
	"github.com/patrimap/patrimap/store/spatialite"
)

// EnvPostgres names the variable holding the test database's address.
const EnvPostgres = "PATRIMAP_TEST_POSTGRES"

// Kind is one kind of store.
type Kind struct {
	Name string
	// DSN returns the --db value of a new, empty store (a file path, a postgres:// address).
	DSN func(t testing.TB) string
}

// Open opens a new, empty store of kind k, closed when the test ends.
func (k Kind) Open(t testing.TB) store.Store {
	t.Helper()
	st := k.OpenUnclosed(t)
	t.Cleanup(func() { st.Close() })
	return st
}

// OpenUnclosed is Open for a caller that closes the store itself (storetest.Run does).
func (k Kind) OpenUnclosed(t testing.TB) store.Store {
	t.Helper()
	dsn := k.DSN(t)
	var (
		st  store.Store
		err error
	)
	if k.Name == PostGIS.Name {
		st, err = postgis.Open(context.Background(), dsn, postgis.Options{})
	} else {
		st, err = spatialite.Open(context.Background(), dsn)
	}
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// The kinds of store.
var (
	SpatiaLite = Kind{Name: "spatialite", DSN: func(t testing.TB) string { return filepath.Join(t.TempDir(), "patrimap.db") }}
	PostGIS    = Kind{Name: "postgis", DSN: PostGISDSN}
)

// All are the stores a database holds: SpatiaLite and PostGIS.
func All() []Kind { return []Kind{SpatiaLite, PostGIS} }

// PostgresURL is the test database's address, or a failed test saying how to have one.
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvPostgres)
	if u == "" {
		t.Fatalf("$%s is not set: this test needs PostgreSQL with PostGIS. Run it through `make test`, or "+
			"`test/pg.sh run -- go test ./...`, which start a throw-away PostgreSQL 15 + PostGIS 3 "+
			"(Debian: apt-get install postgresql-15-postgis-3); or set %s=postgres://... to a database where you may create schemas",
			EnvPostgres, EnvPostgres)
	}
	return u
}

// PostGISDSN returns the address of a new PostGIS store: the test database with a schema of its own
// (?schema=), dropped with its internal schema when the test ends.
func PostGISDSN(t testing.TB) string {
	t.Helper()
	base := PostgresURL(t)
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("$%s: %v", EnvPostgres, err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	q := u.Query()
	q.Set("schema", schema)
	u.RawQuery = q.Encode()
	t.Cleanup(func() { dropSchemas(t, base, schema, schema+"_internal") })
	return u.String()
}

func dropSchemas(t testing.TB, dsn string, schemas ...string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Logf("drop the test's schemas: %v", err)
		return
	}
	defer conn.Close(ctx)
	for _, s := range schemas {
		if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{s}.Sanitize()+` CASCADE`); err != nil {
			t.Logf("drop schema %s: %v", s, err)
		}
	}
}
