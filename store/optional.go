package store

import (
	"context"
	"time"
)

// Optional capabilities. A store that has one implements its interface on the type named (Store or Snapshot);
// callers find it with a type assertion and fall back to the plain interfaces when it is missing, so a new
// store works without them and gets faster by adding them. store/storetest checks each one a store has.

// Watcher is a Store that tells cheaply whether anything it holds changed, so that a server can keep the
// catalogue (and what it made from it: tiles, TileJSON, catalogue answers) in memory and serve it without
// asking the database on every request.
type Watcher interface {
	// Generation returns a number that differs after any commit to the store (an import, a memo write), by this
	// process or another, and stays the same otherwise. A change made through this Store shows at the next
	// call; one made by another process within WatchInterval. It is cheap enough to call on every request: an
	// implementation that must ask the database does so at most once per WatchInterval and answers from memory
	// in between (SpatiaLite: PRAGMA data_version on a connection of its own; PostgreSQL: LISTEN/NOTIFY or a
	// counter row).
	Generation(ctx context.Context) (uint64, error)
}

// WatchInterval is how stale a Watcher's answer may be about changes made by another process: a re-import by
// `patrimap import` shows on a running server within this time.
const WatchInterval = 250 * time.Millisecond

// ReimportChecker is a Snapshot that says which datasets an older patrimap imported without what this one
// builds at import for their low-zoom tiles: the pyramid of a line or polygon layer (PyramidLayer), the point
// clusters of a point layer down to ClusterMaxZoom. Such a dataset is still served, its low-zoom tiles drawn
// from its full rows (slower: ErrNoPyramid, ErrNoClusters), until it is imported again.
type ReimportChecker interface {
	// NeedsReimport says whether the snapshot's version of d lacks them. It reads the schema only, not the rows.
	NeedsReimport(ctx context.Context, d Dataset) (bool, error)
}

// Reimports lists the datasets of ds (from sn) that want a re-import, in their order: none when sn is not a
// ReimportChecker.
func Reimports(ctx context.Context, sn Snapshot, ds []Dataset) ([]Dataset, error) {
	rc, ok := sn.(ReimportChecker)
	if !ok {
		return nil, nil
	}
	var out []Dataset
	for _, d := range ds {
		stale, err := rc.NeedsReimport(ctx, d)
		if err != nil {
			return nil, err
		}
		if stale {
			out = append(out, d)
		}
	}
	return out, nil
}

// VersionReader is a Snapshot that reads a dataset's version alone, without its whole catalogue entry (fields,
// report): the check a server makes before each tile it renders, that its catalogue in memory is not behind
// the snapshot.
type VersionReader interface {
	// DatasetVersion is the version of dataset id in the snapshot, or an error wrapping ErrNotFound.
	DatasetVersion(ctx context.Context, id string) (int64, error)
}

// DatasetVersion reads the version of dataset id in sn: through VersionReader when sn is one, else from its
// catalogue entry.
func DatasetVersion(ctx context.Context, sn Snapshot, id string) (int64, error) {
	if vr, ok := sn.(VersionReader); ok {
		return vr.DatasetVersion(ctx, id)
	}
	d, err := sn.Dataset(ctx, id)
	return d.Version, err
}

// ClusterLayer says whether a layer of this geometry type keeps point clusters (ReimportChecker).
func ClusterLayer(layerType string) bool { return layerType == "POINT" || layerType == "MULTIPOINT" }
