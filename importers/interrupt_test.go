package importers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/store"
)

// cutSource is a source whose reading breaks once the import is interrupted, as a download or a decompressor
// does when the context that fed it ends: it says "unexpected EOF", not "canceled".
type cutSource struct{ cancel func() }

func (cutSource) SRID() int { return 4326 }

func (c cutSource) Records(ctx context.Context, _ *Report, emit func(Record) error) error {
	for i := 1; ; i++ {
		if i == 20 {
			c.cancel()
			return fmt.Errorf("%w: record %d: %w", ErrBadInput, i, io.ErrUnexpectedEOF)
		}
		if err := emit(Record{Ref: fmt.Sprint("record ", i), Geometry: orb.Point{5, 45}}); err != nil {
			return err
		}
	}
}

// An import interrupted (Ctrl-C) reports the interruption, not the error the interruption caused: the command
// exits 130 and says nothing was changed, instead of blaming the input.
func TestInterruptionWinsOverItsConsequences(t *testing.T) {
	st := newStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := Run(ctx, st, Job{Info: store.DatasetInfo{ID: "pts", Title: "points", Producer: "test"},
		Source: cutSource{cancel: cancel}, Report: &Report{Source: "cut", Format: "test"}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if _, err := Run(context.Background(), st, job(&points{n: 1})); err != nil {
		t.Fatalf("the store after the interruption: %v", err)
	}
}
