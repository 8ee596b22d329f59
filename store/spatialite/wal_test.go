package spatialite

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// The WAL does not grow import after import (issue 17: 161 MB beside a 13.7 MB store): each import ends with a
// checkpoint that empties it when no reader holds it, and once a reader that held it lets go, the next import
// empties it.
func TestWALEmptiedAfterImports(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	s, err := Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fc := loadFixture(t, "apb-isere.geojson")
	walSize := func() int64 {
		fi, err := os.Stat(db + "-wal")
		if err != nil {
			t.Fatalf("the store in WAL mode has no WAL: %v", err)
		}
		return fi.Size()
	}
	for i := range 3 {
		importFixture(t, s, "apb", fc, nil)
		if n := walSize(); n != 0 {
			t.Fatalf("after import %d, no reader: WAL of %d bytes, want 0", i+1, n)
		}
	}
	// A reader holds the version it reads: the checkpoint cannot empty the WAL under it.
	sn, err := s.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sn.Datasets(context.Background()); err != nil {
		t.Fatal(err)
	}
	importFixture(t, s, "apb", fc, nil)
	held := walSize()
	sn.Close()
	importFixture(t, s, "apb", fc, nil)
	if n := walSize(); held == 0 || n != 0 {
		t.Errorf("WAL of %d bytes under a reader (want more than 0), %d after the next import without one (want 0)", held, n)
	}
}
