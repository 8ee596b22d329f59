package tableschema

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"

	"github.com/patrimap/patrimap/encode"
	"github.com/patrimap/patrimap/store"
)

// FeatureReader reads a dataset's features (a store snapshot does).
type FeatureReader interface {
	Features(ctx context.Context, d store.Dataset, q store.Query, each func(*store.Feature) error) error
}

// Header is the header of d's CSV download.
func Header(d store.Dataset) []string {
	return encode.NewCSVWriter(io.Discard, d.Fields, encode.CSVOptions{}).Header()
}

// EachRow streams d's CSV download (the default one: comma, WKT geometry) as text rows, in file order: the
// CSV writer's bytes are read back by a CSV reader, so that each cell is exactly what the file holds. line is
// the row's number in the file (the header is line 1).
func EachRow(ctx context.Context, r FeatureReader, d store.Dataset, each func(line int64, cells []string) error) error {
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		w := encode.NewCSVWriter(pw, d.Fields, encode.CSVOptions{})
		err := w.Begin(d.Title)
		if err == nil {
			err = r.Features(ctx, d, store.Query{}, func(f *store.Feature) error { return w.Write(f) })
		}
		if err == nil {
			err = w.End()
		}
		pw.CloseWithError(err)
		done <- err
	}()
	cr := csv.NewReader(pr)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	var line int64
	var readErr error
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			readErr = fmt.Errorf("dataset %s: reading its CSV back: %w", d.ID, err)
			break
		}
		line++
		if line == 1 {
			continue // the header
		}
		if err := each(line, rec); err != nil {
			readErr = err
			break
		}
	}
	pr.CloseWithError(errStopped)
	if err := <-done; err != nil && !errors.Is(err, errStopped) && readErr == nil {
		return fmt.Errorf("dataset %s: %w", d.ID, err)
	}
	return readErr
}

var errStopped = errors.New("tableschema: reading stopped")

// ValidateDataset checks d's CSV download against s; name says where s came from.
func ValidateDataset(ctx context.Context, r FeatureReader, d store.Dataset, s *Schema, name string) (*Report, error) {
	v, err := NewValidator(s, name, Header(d))
	if err != nil {
		return nil, err
	}
	err = EachRow(ctx, r, d, func(line int64, cells []string) error {
		v.Row(line, cells)
		return ctx.Err()
	})
	if err != nil {
		return nil, err
	}
	return v.Report(), nil
}
