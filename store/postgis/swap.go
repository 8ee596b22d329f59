package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/patrimap/patrimap/store"
)

// swapLockTimeout bounds each attempt to lock the previous version's table for the swap. While the import
// waits for that lock, PostgreSQL queues the readers that come after it: a short wait, retried, keeps a long
// read (a large download) from stopping every other reader of the dataset.
const swapLockTimeout = 200 * time.Millisecond

// swap puts the new version's table in the dataset's place and records d in the catalogue, in the import's
// transaction. The previous version's table moves to the internal schema (retired__<oid>), where snapshots
// opened before the commit go on reading it; dropRetired drops it once none can.
func (im *importer) swap(ctx context.Context, d store.Dataset) error {
	tx, public := im.tx, qualified(im.s.schema, im.table)
	var current pgtype.Uint32
	if err := tx.QueryRow(ctx, `SELECT relid FROM `+im.s.catalogue()+` WHERE id = $1`, im.id).Scan(&current); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("read the catalogue: %w", err)
	}
	var there pgtype.Uint32
	if err := tx.QueryRow(ctx, `SELECT to_regclass($1)::oid`, public).Scan(&there); err != nil {
		return fmt.Errorf("look for table %s: %w", public, err)
	}
	if there.Valid {
		if !current.Valid || current.Uint32 != there.Uint32 {
			return fmt.Errorf("table %s is not the dataset's (the catalogue does not name it): rename or drop it, then import again", public)
		}
		if err := lockForSwap(ctx, tx, public); err != nil {
			return err
		}
		retired := "retired__" + strconv.FormatUint(uint64(there.Uint32), 10)
		for _, stmt := range []string{
			`ALTER TABLE ` + public + ` RENAME TO ` + quoteIdent(retired),
			`ALTER TABLE ` + qualified(im.s.schema, retired) + ` SET SCHEMA ` + quoteIdent(im.s.internal),
		} {
			if _, err := tx.Exec(ctx, stmt); err != nil {
				return fmt.Errorf("retire the previous version: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO `+qualified(im.s.internal, "retired")+` (relid, replaced_by) VALUES ($1, pg_current_xact_id())`, there.Uint32); err != nil {
			return fmt.Errorf("retire the previous version: %w", err)
		}
	}
	work := qualified(im.s.internal, im.work)
	stmts := []string{
		`ALTER TABLE ` + work + ` SET SCHEMA ` + quoteIdent(im.s.schema),
		`ALTER TABLE ` + qualified(im.s.schema, im.work) + ` RENAME TO ` + quoteIdent(im.table),
		// QGIS and GDAL show a table's comment as the layer's description.
		`COMMENT ON TABLE ` + public + ` IS ` + quoteLiteral(d.Title+" (patrimap dataset "+d.ID+", version "+strconv.FormatInt(d.Version, 10)+")"),
	}
	for _, f := range d.Fields {
		if f.Description != "" {
			stmts = append(stmts, `COMMENT ON COLUMN `+public+`.`+quoteIdent(f.Name)+` IS `+quoteLiteral(f.Description))
		}
	}
	for _, stmt := range stmts {
		if _, err := tx.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("put the new version in place: %w", err)
		}
	}
	fields, err := json.Marshal(d.Fields)
	if err != nil {
		return err
	}
	var minX, minY, maxX, maxY any
	if b := d.BBox; b != nil {
		minX, minY, maxX, maxY = b.Min[0], b.Min[1], b.Max[0], b.Max[1]
	}
	_, err = tx.Exec(ctx, `INSERT INTO `+im.s.catalogue()+` (`+strings.Join(catalogueColumns, ", ")+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20::json, $21, $22, $23::json, $24)
		ON CONFLICT (id) DO UPDATE SET (`+strings.Join(catalogueColumns, ", ")+`) = (excluded.`+strings.Join(catalogueColumns, ", excluded.")+`)`,
		d.ID, d.Table, d.Title, d.Description, d.Theme, d.Producer, d.Licence, d.Attribution,
		d.Source.URL, d.Source.File, d.Source.SHA256, d.Source.RetrievedAt.Format(time.RFC3339Nano), d.SourceCRS,
		d.GeometryType, d.FeatureCount, minX, minY, maxX, maxY, string(fields), d.Version, d.ImportedAt.Format(time.RFC3339Nano),
		string(d.Report), im.relid)
	if err != nil {
		return fmt.Errorf("record in catalogue: %w", err)
	}
	return nil
}

// lockForSwap takes the previous version's table for the swap, in attempts of swapLockTimeout (see there),
// until ctx is done.
func lockForSwap(ctx context.Context, tx pgx.Tx, table string) error {
	for wait := 10 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		_, err := tx.Exec(ctx, `SAVEPOINT patrimap_swap`)
		if err == nil {
			_, err = tx.Exec(ctx, `SELECT set_config('lock_timeout', $1, true)`, strconv.Itoa(int(swapLockTimeout/time.Millisecond)))
		}
		if err == nil {
			_, err = tx.Exec(ctx, `LOCK TABLE `+table+` IN ACCESS EXCLUSIVE MODE`)
		}
		if err == nil {
			// The lock stays (the savepoint is released, not rolled back); lock_timeout goes back to the default.
			_, err = tx.Exec(ctx, `SELECT set_config('lock_timeout', '0', true)`)
			if err == nil {
				_, err = tx.Exec(ctx, `RELEASE SAVEPOINT patrimap_swap`)
			}
			return err
		}
		if pgCode(err) != "55P03" { // lock_not_available
			return fmt.Errorf("lock %s: %w", table, err)
		}
		if _, err := tx.Exec(ctx, `ROLLBACK TO SAVEPOINT patrimap_swap`); err != nil {
			return fmt.Errorf("lock %s: %w", table, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("lock %s: readers held it: %w", table, ctx.Err())
		case <-time.After(wait):
		}
	}
}

// dropRetired drops the replaced versions that no snapshot can read any more: every transaction running on
// the database, and on the replicas that report theirs (hot_standby_feedback), started after the commit that
// replaced them. A table a reader still holds stays for the next time. Errors only leave tables for later.
func (s *Store) dropRetired(ctx context.Context) {
	rows, err := s.write.Query(ctx, `SELECT r.relid FROM `+qualified(s.internal, "retired")+` AS r
		WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity AS a WHERE a.pid <> pg_backend_pid()
				AND a.backend_xmin IS NOT NULL AND age(a.backend_xmin) >= age(r.replaced_by::xid))
			AND NOT EXISTS (SELECT 1 FROM pg_stat_replication AS p WHERE p.backend_xmin IS NOT NULL AND age(p.backend_xmin) >= age(r.replaced_by::xid))
			AND NOT EXISTS (SELECT 1 FROM pg_replication_slots AS l WHERE l.xmin IS NOT NULL AND age(l.xmin) >= age(r.replaced_by::xid))`)
	if err != nil {
		return
	}
	relids, err := pgx.CollectRows(rows, pgx.RowTo[uint32])
	if err != nil {
		return
	}
	for _, relid := range relids {
		s.dropVersion(ctx, relid)
	}
}

func (s *Store) dropVersion(ctx context.Context, relid uint32) {
	tx, err := s.write.Begin(ctx)
	if err != nil {
		return
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	for _, stmt := range []string{
		`SELECT set_config('lock_timeout', '100', true)`,
		`DROP TABLE IF EXISTS ` + qualified(s.internal, "retired__"+strconv.FormatUint(uint64(relid), 10)),
		`DROP TABLE IF EXISTS ` + qualified(s.internal, lowZoomTable(relid)),
		`DROP TABLE IF EXISTS ` + qualified(s.internal, pyramidTable(relid)),
		`DROP TABLE IF EXISTS ` + qualified(s.internal, clusterTable(relid)),
		`DROP TABLE IF EXISTS ` + qualified(s.internal, squareCellTable(relid)),
		`DROP TABLE IF EXISTS ` + qualified(s.internal, drawableTable(relid)),
		`DROP TABLE IF EXISTS ` + qualified(s.internal, textTable(relid)),
	} {
		if _, err := tx.Exec(ctx, stmt); err != nil {
			return
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM `+qualified(s.internal, "retired")+` WHERE relid = $1`, relid); err != nil {
		return
	}
	tx.Commit(ctx)
}

// pgCode is the SQLSTATE of a PostgreSQL error, "" for another error.
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// quoteLiteral quotes a string constant, for the statements that take no parameters (COMMENT ON): an escape
// string, whose meaning does not depend on standard_conforming_strings.
func quoteLiteral(s string) string {
	return "E'" + strings.NewReplacer(`\`, `\\`, "'", "''").Replace(s) + "'"
}

// catalogueColumns are the catalogue's columns in the order the import writes them.
var catalogueColumns = []string{"id", "table_name", "title", "description", "theme", "producer", "licence", "attribution",
	"source_url", "source_file", "source_sha256", "retrieved_at", "source_crs", "geometry_type", "feature_count",
	"min_x", "min_y", "max_x", "max_y", "fields", "version", "imported_at", "report", "relid"}
