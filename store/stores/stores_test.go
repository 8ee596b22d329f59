package stores

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patrimap/patrimap/store/spatialite"
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
	for _, dsn := range []string{"postgres://patrimap:s3cret@db:5432/patrimap", "PostgreSQL://db/patrimap"} {
		_, err := Open(ctx, dsn)
		if !errors.Is(err, ErrNotBuilt) || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "PostGIS") {
			t.Errorf("%s: %v", dsn, err)
		}
	}
	if _, err := Open(ctx, ""); err == nil || !strings.Contains(err.Error(), "--db") {
		t.Errorf("no --db: %v", err)
	}
}
