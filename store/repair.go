package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
)

// repairBatchBytes bounds the geometries held in memory at once while repairing (the largest real record is
// a few MB).
const repairBatchBytes = 64 << 20

// repair makes the invalid geometries of the import valid, keeping their dimension (polygons stay polygons).
// ST_MakeValid is by far the slowest step of an import (RTTOPO needs ~0.1 s for a 5,000-vertex polygon), so
// invalid rows are read in batches from the import's transaction, repaired in parallel on in-memory
// connections, one per core, and written back in the transaction. Polygons first try GEOS's buffer(0), ten
// times faster, and keep its result only when it is valid and covers exactly the original area (the usual
// ring touching itself at a point); anything else (a bow-tie, a hole outside its shell) goes to ST_MakeValid,
// which keeps every part.
func (im *Import) repair(ctx context.Context, res *Result) error {
	t := quoteIdent(im.table)
	invalid, err := im.invalidRows(ctx)
	if err != nil || len(invalid) == 0 {
		return err
	}
	fix := repairSQL{slow: `ST_MakeValid(?)`}
	if res.GeometryType == "MULTIPOLYGON" {
		fix = repairSQL{
			fast: `CastToMultiPolygon(ST_Buffer(?, 0))`,
			slow: `CastToMultiPolygon(CollectionExtract(ST_MakeValid(?), 3))`,
		}
	}
	for len(invalid) > 0 {
		var batch []repairJob
		size := 0
		for len(invalid) > 0 && size < repairBatchBytes {
			j := repairJob{fid: invalid[0]}
			invalid = invalid[1:]
			if err := im.tx.QueryRowContext(ctx, `SELECT geom FROM `+t+` WHERE fid = ?`, j.fid).Scan(&j.geom); err != nil {
				return fmt.Errorf("row %d: %w", j.fid, err)
			}
			size += len(j.geom)
			batch = append(batch, j)
		}
		if err := im.repairAll(ctx, fix, batch); err != nil {
			return err
		}
		for _, j := range batch {
			switch {
			case !j.valid.Valid || j.empty.Int64 == 1:
				// Nothing with an area is left: a sliver or a ring folded on itself.
				if _, err := im.tx.ExecContext(ctx, `UPDATE `+t+` SET geom = NULL WHERE fid = ?`, j.fid); err != nil {
					return fmt.Errorf("row %d: %w", j.fid, err)
				}
				res.Collapsed = append(res.Collapsed, j.fid)
			case j.valid.Int64 == 1:
				if _, err := im.tx.ExecContext(ctx, `UPDATE `+t+` SET geom = ? WHERE fid = ?`, j.fixed, j.fid); err != nil {
					return fmt.Errorf("row %d: %w", j.fid, err)
				}
				res.Repaired = append(res.Repaired, j.fid)
			default:
				res.StillInvalid = append(res.StillInvalid, j.fid)
			}
		}
	}
	return nil
}

type repairJob struct {
	fid          int64
	geom, fixed  []byte
	valid, empty sql.NullInt64
}

func (im *Import) invalidRows(ctx context.Context) ([]int64, error) {
	rows, err := im.tx.QueryContext(ctx, `SELECT fid FROM `+quoteIdent(im.table)+` WHERE geom IS NOT NULL AND ST_IsValid(geom) = 0 ORDER BY fid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var invalid []int64
	for rows.Next() {
		var fid int64
		if err := rows.Scan(&fid); err != nil {
			return nil, err
		}
		invalid = append(invalid, fid)
	}
	return invalid, rows.Err()
}

// repairSQL are the expressions that repair a geometry given as the parameter: fast (may be empty) is tried
// first and kept when it loses no area.
type repairSQL struct{ fast, slow string }

func (f repairSQL) run(ctx context.Context, db *sql.DB, j *repairJob) error {
	if f.fast != "" {
		var same sql.NullInt64
		err := db.QueryRowContext(ctx, `SELECT g, ST_IsValid(g), ST_IsEmpty(g), abs(ST_Area(g) - ST_Area(?2)) <= 1e-9 * ST_Area(?2)
			FROM (SELECT `+strings.Replace(f.fast, "?", "?1", 1)+` AS g)`, j.geom, j.geom).Scan(&j.fixed, &j.valid, &j.empty, &same)
		if err != nil {
			return err
		}
		if j.valid.Int64 == 1 && j.empty.Int64 == 0 && same.Int64 == 1 {
			return nil
		}
	}
	return db.QueryRowContext(ctx, `SELECT g, ST_IsValid(g), ST_IsEmpty(g) FROM (SELECT `+f.slow+` AS g)`, j.geom).
		Scan(&j.fixed, &j.valid, &j.empty)
}

// repairAll repairs every job's geometry, as many at once as the compute pool has connections.
func (im *Import) repairAll(ctx context.Context, fix repairSQL, jobs []repairJob) error {
	next := make(chan int)
	errs := make(chan error, cap(jobs)+1)
	var wg sync.WaitGroup
	workers := min(im.compute.Stats().MaxOpenConnections, len(jobs))
	if workers <= 0 {
		workers = 1
	}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				j := &jobs[i]
				if err := fix.run(ctx, im.compute, j); err != nil {
					errs <- fmt.Errorf("row %d: %w", j.fid, err)
				}
			}
		}()
	}
	for i := range jobs {
		select {
		case next <- i:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(next)
	wg.Wait()
	close(errs)
	if err := ctx.Err(); err != nil {
		return err
	}
	return <-errs
}
