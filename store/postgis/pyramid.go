package postgis

import (
	"context"
	"fmt"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/store"
)

// hasPyramid says whether the snapshot's version of d has a pyramid (pyramidTable).
func (sn *snapshot) hasPyramid(ctx context.Context, d store.Dataset) (bool, error) {
	relid, err := sn.relid(ctx, d.ID)
	if err != nil {
		return false, err
	}
	var exists bool
	if err := sn.tx.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, qualified(sn.s.internal, pyramidTable(relid))).Scan(&exists); err != nil {
		return false, fmt.Errorf("pyramid: %w", err)
	}
	return exists, nil
}

// Pyramids streams the stored pyramids of d in fid order.
func (sn *snapshot) Pyramids(ctx context.Context, d store.Dataset, each func(fid int64, zooms []orb.Geometry) error) error {
	if ok, err := sn.hasPyramid(ctx, d); err != nil || !ok {
		if err == nil {
			err = store.ErrNoPyramid
		}
		return fmt.Errorf("dataset %s: %w", d.ID, err)
	}
	relid, err := sn.relid(ctx, d.ID)
	if err != nil {
		return err
	}
	rows, err := sn.tx.Query(ctx, `SELECT fid, zooms FROM `+qualified(sn.s.internal, pyramidTable(relid))+` ORDER BY fid`)
	if err != nil {
		return fmt.Errorf("dataset %s: pyramid: %w", d.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			fid  int64
			blob []byte
		)
		if err := rows.Scan(&fid, &blob); err != nil {
			return fmt.Errorf("dataset %s: pyramid: %w", d.ID, err)
		}
		zooms, err := store.DecodePyramid(blob)
		if err != nil {
			return fmt.Errorf("dataset %s: feature %d: %w", d.ID, fid, err)
		}
		if err := each(fid, zooms); err != nil {
			rows.Close()
			return err
		}
	}
	return rows.Err()
}
