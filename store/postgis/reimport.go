package postgis

import (
	"context"
	"fmt"

	"github.com/patrimap/patrimap/store"
)

var _ store.ReimportChecker = (*snapshot)(nil)

// NeedsReimport says whether d was imported without this version's tables for its low-zoom tiles: a pyramid
// (hasPyramid), or point clusters down to store.ClusterMaxZoom (none, or stopping at a coarser zoom; a layer
// without a point has no cell at all and wants nothing).
func (sn *snapshot) NeedsReimport(ctx context.Context, d store.Dataset) (bool, error) {
	switch {
	case store.PyramidLayer(d.GeometryType):
		ok, err := sn.hasPyramid(ctx, d)
		if err != nil {
			return false, fmt.Errorf("dataset %s: %w", d.ID, err)
		}
		return !ok, nil
	case store.ClusterLayer(d.GeometryType):
		relid, err := sn.relid(ctx, d.ID)
		if err != nil {
			return false, err
		}
		ct := qualified(sn.s.internal, clusterTable(relid))
		var missing bool
		if err := sn.tx.QueryRow(ctx, `SELECT to_regclass($1) IS NULL`, ct).Scan(&missing); err != nil {
			return false, fmt.Errorf("dataset %s: clusters: %w", d.ID, err)
		}
		if missing {
			return true, nil
		}
		var deep bool
		err = sn.tx.QueryRow(ctx, `SELECT NOT EXISTS (SELECT 1 FROM `+ct+`) OR EXISTS (SELECT 1 FROM `+ct+` WHERE z = $1::integer)`,
			store.ClusterMaxZoom).Scan(&deep)
		if err != nil {
			return false, fmt.Errorf("dataset %s: clusters: %w", d.ID, err)
		}
		return !deep, nil
	}
	return false, nil
}
