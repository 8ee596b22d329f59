package spatialite

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patrimap/patrimap/store"
)

// An import whose context ends (Ctrl-C, SIGTERM) fails with context.Canceled at every step, whatever the
// statement that ran into the rolled-back transaction said: issue 17 saw `sql: statement is closed` and exit
// status 1 instead of 130. The previous version stays.
func TestInterruptedImportSaysCanceled(t *testing.T) {
	db := filepath.Join(t.TempDir(), "i.db")
	s, err := Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fc := loadFixture(t, "rnn-isere.geojson")
	importFixture(t, s, "rnn", fc, nil)
	before := dumpDataset(t, s, "rnn")
	info := store.DatasetInfo{ID: "rnn", Title: "v2", Producer: "x"}

	steps := []struct {
		name string
		next func(ctx context.Context, im store.Import) error
	}{
		{"add", func(ctx context.Context, im store.Import) error {
			return im.Add(ctx, store.Row{Geometry: fc.Features[0].Geometry, Properties: props(fc.Features[0], rnnKeys)})
		}},
		{"finish", func(ctx context.Context, im store.Import) error { _, err := im.Finish(ctx); return err }},
		{"commit", func(ctx context.Context, im store.Import) error { _, err := im.Commit(ctx, info, nil); return err }},
	}
	for _, step := range steps {
		for _, rolledBack := range []bool{false, true} {
			ctx, cancel := context.WithCancel(context.Background())
			im, err := s.BeginImport(ctx, "rnn", store.ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range fc.Features[:5] {
				if err := im.Add(ctx, store.Row{Geometry: f.Geometry, Properties: props(f, rnnKeys)}); err != nil {
					t.Fatal(err)
				}
			}
			cancel()
			if rolledBack {
				// What database/sql does on its own goroutine once the context ends: roll the transaction
				// back, closing its statements. Whether the import's next statement comes before or after
				// is a race; both must say canceled.
				im.(*importer).tx.Rollback()
			}
			err = step.next(ctx, im)
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%s after cancel (rolled back %v): %v, want context.Canceled", step.name, rolledBack, err)
			}
			im.Rollback()
		}
	}
	if got := dumpDataset(t, s, "rnn"); got != before {
		t.Error("an interrupted import changed the dataset")
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Open(ctx, filepath.Join(t.TempDir(), "new.db"))
	if !errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "not a SQLite database") {
		t.Errorf("Open interrupted: %v, want context.Canceled and no guess about the file", err)
	}
}
