package spatialite

import (
	"context"
	"fmt"
	"strings"

	"github.com/patrimap/patrimap/store"
)

var _ store.ReimportChecker = (*snapshot)(nil)

// NeedsReimport says whether d was imported without this version's tables for its low-zoom tiles: a pyramid of
// a table a zoom with its copy of the columns (an older import made a single table, or none), or point
// clusters down to store.ClusterMaxZoom (none, or stopping at a coarser zoom; a layer without a point has no
// cell at all and wants nothing).
func (sn *snapshot) NeedsReimport(ctx context.Context, d store.Dataset) (bool, error) {
	switch {
	case store.PyramidLayer(d.GeometryType):
		tables := []any{pyramidValuesTable(d.Table)}
		for z := 0; z <= store.PyramidMaxZoom; z++ {
			tables = append(tables, pyramidTable(d.Table, z))
		}
		var n int
		err := sn.tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN (?`+
			strings.Repeat(`, ?`, len(tables)-1)+`)`, tables...).Scan(&n)
		if err != nil {
			return false, fmt.Errorf("dataset %s: pyramid tables: %w", d.ID, err)
		}
		return n < len(tables), nil
	case store.ClusterLayer(d.GeometryType):
		ok, err := tableExists(ctx, sn.tx, clusterTable(d.Table))
		if err != nil {
			return false, fmt.Errorf("dataset %s: clusters: %w", d.ID, err)
		}
		if !ok {
			return true, nil
		}
		ct := quoteIdent(clusterTable(d.Table))
		var deep bool
		err = sn.tx.QueryRowContext(ctx, `SELECT NOT EXISTS (SELECT 1 FROM `+ct+`) OR EXISTS (SELECT 1 FROM `+ct+` WHERE z = ?)`,
			store.ClusterMaxZoom).Scan(&deep)
		if err != nil {
			return false, fmt.Errorf("dataset %s: clusters: %w", d.ID, err)
		}
		return !deep, nil
	}
	return false, nil
}
