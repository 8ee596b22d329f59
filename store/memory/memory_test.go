package memory

import (
	"context"
	"errors"
	"testing"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/storetest"
)

// TestConformance: the fake behaves as every store must, so that tests run on it say something of the real ones.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) store.Store { return New() })
}

// A failed store fails every read and write with its error, never with ErrNotFound, and works again after.
func TestFail(t *testing.T) {
	ctx := context.Background()
	s := New()
	im, _ := s.BeginImport(ctx, "pts", store.ImportOptions{})
	im.Add(ctx, store.Row{Geometry: orb.Point{1, 2}})
	d, err := im.Commit(ctx, store.DatasetInfo{ID: "pts", Title: "p", Producer: "t"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	broken := errors.New("disk gone")
	s.Fail(broken)
	sn, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err1 := sn.Dataset(ctx, "pts")
	_, err2 := sn.Datasets(ctx)
	err3 := sn.Features(ctx, d, store.Query{}, func(*store.Feature) error { return nil })
	_, err4 := s.BeginImport(ctx, "other", store.ImportOptions{})
	for i, err := range []error{err1, err2, err3, err4, s.Ping(ctx)} {
		if !errors.Is(err, broken) || errors.Is(err, store.ErrNotFound) {
			t.Errorf("call %d: %v", i+1, err)
		}
	}
	s.Fail(nil)
	if _, err := sn.Dataset(ctx, "pts"); err != nil {
		t.Errorf("after Fail(nil): %v", err)
	}
}
