package store

import "context"

// Snapshotter opens read views: every Store is one.
type Snapshotter interface {
	Snapshot(ctx context.Context) (Snapshot, error)
}

// Catalogue lists the datasets of s through a snapshot of its own, for a caller that reads nothing else.
func Catalogue(ctx context.Context, s Snapshotter) ([]Dataset, error) {
	sn, err := s.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	defer sn.Close()
	return sn.Datasets(ctx)
}

// Lookup returns the catalogue entry of id through a snapshot of its own, or an error wrapping ErrNotFound.
// A caller that then reads the dataset's features must read both from one snapshot instead.
func Lookup(ctx context.Context, s Snapshotter, id string) (Dataset, error) {
	sn, err := s.Snapshot(ctx)
	if err != nil {
		return Dataset{}, err
	}
	defer sn.Close()
	return sn.Dataset(ctx, id)
}
