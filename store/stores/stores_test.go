package stores

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patrimap/patrimap/store/postgis"
	"github.com/patrimap/patrimap/store/spatialite"
	"github.com/patrimap/patrimap/store/teststores"
)

func TestOpen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, ok := st.(*spatialite.Store); !ok || st.Name() != path {
		t.Errorf("a path opens %T named %q", st, st.Name())
	}
	if _, err := Open(ctx, ""); err == nil || !strings.Contains(err.Error(), "--db") {
		t.Errorf("no --db: %v", err)
	}
	if _, err := OpenWith(ctx, path, Options{ReadDSN: "postgres://u:s3cret@127.0.0.1:1/x"}); err == nil ||
		!strings.Contains(err.Error(), "SpatiaLite") || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("a SpatiaLite file with a read replica: %v", err)
	}
	// A database that does not answer: the error names it without its password.
	for _, dsn := range []string{"postgres://patrimap:s3cret@127.0.0.1:1/patrimap?connect_timeout=2", "PostgreSQL://patrimap:s3cret@127.0.0.1:1/patrimap?connect_timeout=2"} {
		_, err := Open(ctx, dsn)
		if err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "127.0.0.1:1") {
			t.Errorf("%s: %v", dsn, err)
		}
	}
}

func TestOpenPostGIS(t *testing.T) {
	ctx := context.Background()
	dsn := teststores.PostGISDSN(t)
	st, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, ok := st.(*postgis.Store); !ok {
		t.Fatalf("%s opens %T", dsn, st)
	}
	if err := st.Ping(ctx); err != nil {
		t.Error(err)
	}
	// The same database for reads: a replica in the address's place.
	rs, err := OpenWith(ctx, dsn, Options{ReadDSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	if !strings.Contains(rs.Name(), "reads:") {
		t.Errorf("with a read replica, the store is named %q", rs.Name())
	}
}
