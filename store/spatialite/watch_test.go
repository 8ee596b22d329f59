package spatialite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/patrimap/patrimap/store"
)

// A commit through another Store on the same file (as `patrimap import` in another process) moves the
// generation within store.WatchInterval, and only once.
func TestGenerationSeesOtherWriters(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	server, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	importer, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer importer.Close()

	g0, err := server.Generation(ctx)
	if err != nil {
		t.Fatal(err)
	}
	im, err := importer.BeginImport(ctx, "other", store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := im.Add(ctx, store.Row{Properties: []store.Property{{Key: "name", Value: "x"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := im.Commit(ctx, store.DatasetInfo{ID: "other", Title: "Other", Producer: "test"}, nil); err != nil {
		t.Fatal(err)
	}
	committed := time.Now()
	var g1 uint64
	for g1 = g0; g1 == g0 && time.Since(committed) < 2*store.WatchInterval; time.Sleep(10 * time.Millisecond) {
		if g1, err = server.Generation(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if g1 == g0 {
		t.Fatalf("generation still %d %v after another Store committed", g0, time.Since(committed))
	}
	time.Sleep(store.WatchInterval + 50*time.Millisecond)
	if g2, _ := server.Generation(ctx); g2 != g1 {
		t.Errorf("generation moved again (%d then %d) without another commit", g1, g2)
	}
}
