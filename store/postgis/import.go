package postgis

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/patrimap/patrimap/store"
)

// sqlType is the column type of a field type, one that GDAL and QGIS read as the field's type. Text compares
// byte by byte (COLLATE "C"), as in every store; date-times stay the text the source gave (an offset would be
// lost in a timestamptz), JSON the exact text (json, not jsonb, which reorders keys).
func sqlType(t store.FieldType) string {
	switch t {
	case store.FieldInteger:
		return "bigint"
	case store.FieldReal:
		return "double precision"
	case store.FieldBoolean:
		return "boolean"
	case store.FieldDate:
		return "date"
	case store.FieldJSON:
		return "json"
	}
	return `text COLLATE "C"`
}

// geometryType is the PostGIS column type of a layer type (geo.LayerType's names).
func geometryType(layerType string) string {
	switch layerType {
	case "POINT":
		return "geometry(Point, 4326)"
	case "MULTIPOINT":
		return "geometry(MultiPoint, 4326)"
	case "LINESTRING":
		return "geometry(LineString, 4326)"
	case "MULTILINESTRING":
		return "geometry(MultiLineString, 4326)"
	case "POLYGON":
		return "geometry(Polygon, 4326)"
	case "MULTIPOLYGON":
		return "geometry(MultiPolygon, 4326)"
	}
	return "geometry(Geometry, 4326)"
}

// importer builds a new version of one dataset in one transaction on one connection. Rows are copied (COPY,
// binary) into a temporary table with one text column per property (c0, c1...), each value as the text
// store.Coerce gives it for a text column, since a column's type is known only once every value has been seen;
// Finish builds the typed table from them, beside the dataset's table, and Commit swaps the two.
type importer struct {
	s     *Store
	conn  *pgxpool.Conn
	tx    pgx.Tx
	id    string
	table string
	// work is the new version's table (in the internal schema until Commit), relid its oid.
	work  string
	relid uint32

	schema   *store.Schema
	vals     []store.StagedValue
	bbox     *orb.Bound
	lastFID  int64
	yearZero map[int]bool // columns with a date of year 0000, which PostgreSQL's date lacks
	copy     *copyStream
	row      []byte
	text     []*string
	wkb      bytes.Buffer
	lz       []byte // the row's stored pyramid

	finished *store.Result
}

// BeginImport starts building a new version of the dataset id. It waits while another import of the same
// dataset runs (in any process), until ctx is done.
func (s *Store) BeginImport(ctx context.Context, id string, opts store.ImportOptions) (store.Import, error) {
	if err := store.ValidateID(id); err != nil {
		return nil, err
	}
	conn, err := s.write.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", id, err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		conn.Release()
		return nil, fmt.Errorf("import %s: begin: %w", id, err)
	}
	im := &importer{s: s, conn: conn, tx: tx, id: id, table: store.TableName(id), schema: store.NewSchema(opts.Fields),
		work: "import__" + randomHex(8), yearZero: map[int]bool{}}
	steps := []struct{ what, sql string }{
		// A killed client's transaction ends when PostgreSQL next checks the socket, even in a long statement.
		{"begin", `SELECT set_config('client_connection_check_interval', '1000', true)`},
		{"wait for another import of the dataset", `SELECT pg_advisory_xact_lock(hashtextextended('patrimap import ' || $1, 0))`},
		{"staging table", `CREATE TEMP TABLE patrimap_staging (fid bigint, wkb bytea, lz bytea) ON COMMIT DROP`},
	}
	for _, st := range steps {
		var err error
		if strings.Contains(st.sql, "$1") {
			_, err = tx.Exec(ctx, st.sql, s.schema+"."+id)
		} else {
			_, err = tx.Exec(ctx, st.sql)
		}
		if err != nil {
			im.Rollback()
			return nil, fmt.Errorf("import %s: %s: %w", id, st.what, err)
		}
	}
	return im, nil
}

// Add stages one row.
func (im *importer) Add(ctx context.Context, r store.Row) error {
	if im.finished != nil {
		return errors.New("import: Add after Finish")
	}
	if im.tx == nil {
		return fmt.Errorf("import %s: Add after a rollback", im.id)
	}
	switch {
	case r.FID == 0:
		r.FID = im.lastFID + 1
	case r.FID <= im.lastFID:
		return fmt.Errorf("import %s: fid %d after fid %d: fids must increase", im.id, r.FID, im.lastFID)
	}
	for _, p := range r.Properties {
		if s, ok := p.Value.(string); ok && (!utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0) {
			return fmt.Errorf("import %s: fid %d: property %q: PostgreSQL keeps UTF-8 text without NUL characters, %q is not", im.id, r.FID, p.Key, s)
		}
	}
	// The geometry is encoded first: a row refused (a geometry WKB cannot hold, a value of no store's type)
	// leaves nothing counted or staged, and the import may go on.
	var geom, lz []byte
	if r.Geometry != nil {
		if err := encodeWKB(&im.wkb, r.Geometry); err != nil {
			return fmt.Errorf("import %s: fid %d: geometry: %w", im.id, r.FID, err)
		}
		geom = im.wkb.Bytes()
		if r.Pyramid != nil {
			var err error
			if im.lz, err = store.AppendPyramid(im.lz[:0], r.Pyramid); err != nil {
				return fmt.Errorf("import %s: fid %d: %w", im.id, r.FID, err)
			}
			lz = im.lz
		}
	}
	before := im.schema.Columns()
	vals, added, err := im.schema.Observe(r, im.vals)
	if err != nil {
		return fmt.Errorf("import %s: fid %d: %w", im.id, r.FID, err)
	}
	im.vals = vals
	if added > 0 {
		// New columns: the COPY under way ends, the staging table grows, the next COPY names them.
		if err := im.endCopy(); err != nil {
			return fmt.Errorf("import %s: %w", im.id, err)
		}
		for i := before; i < before+added; i++ {
			if _, err := im.tx.Exec(ctx, `ALTER TABLE pg_temp.patrimap_staging ADD COLUMN c`+strconv.Itoa(i)+` text`); err != nil {
				return fmt.Errorf("import %s: add a column: %w", im.id, err)
			}
		}
	}
	if im.copy == nil {
		if im.copy, err = im.startCopy(ctx); err != nil {
			return fmt.Errorf("import %s: %w", im.id, err)
		}
	}
	if r.Geometry != nil {
		b := r.Geometry.Bound()
		if im.bbox == nil {
			im.bbox = &b
		} else {
			*im.bbox = im.bbox.Union(b)
		}
	}
	if n := im.schema.Columns(); len(im.text) != n {
		im.text = make([]*string, n)
	}
	im.row = encodeRow(im.row[:0], im.text, r.FID, geom, lz, vals, im.yearZero)
	if err := im.copy.write(im.row); err != nil {
		return fmt.Errorf("import %s: fid %d: %w", im.id, r.FID, err)
	}
	im.lastFID = r.FID
	return nil
}

func encodeWKB(b *bytes.Buffer, g orb.Geometry) error {
	b.Reset()
	return wkb.NewEncoder(b).Encode(g)
}

// Finish builds the new version's table from the staged rows, beside the dataset's table: typed columns,
// geometry cast to the layer's type, primary key, GiST index, statistics, and the pyramid. Readers still
// see the previous version until Commit.
func (im *importer) Finish(ctx context.Context) (*store.Result, error) {
	if im.finished != nil {
		return im.finished, nil
	}
	if im.tx == nil {
		return nil, fmt.Errorf("import %s: finished after a rollback", im.id)
	}
	fail := func(step string, err error) (*store.Result, error) {
		return nil, fmt.Errorf("import %s: %s: %w", im.id, step, err)
	}
	if err := im.endCopy(); err != nil {
		return fail("copy rows", err)
	}
	res := im.schema.Result()
	res.BBox = im.bbox
	tx := im.tx
	var prev *int64
	err := tx.QueryRow(ctx, `SELECT version FROM `+im.s.catalogue()+` WHERE id = $1`, im.id).Scan(&prev)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fail("read previous version", err)
	}
	res.Version = 1
	if prev != nil {
		res.Version = *prev + 1
	}

	work := qualified(im.s.internal, im.work)
	var ddl, cols, sel strings.Builder
	ddl.WriteString(`CREATE TABLE ` + work + ` (fid bigint NOT NULL`)
	if res.GeometryType != "" {
		ddl.WriteString(`, geom ` + geometryType(res.GeometryType))
		cols.WriteString(`, geom`)
		sel.WriteString(`, ` + geomExpression(res.GeometryType))
	}
	for i, f := range res.Fields {
		typ, conv := sqlType(f.Type), columnConversion(f.Type, "c"+strconv.Itoa(i))
		if f.Type == store.FieldDate && im.yearZero[i] {
			typ, conv = `text COLLATE "C"`, "c"+strconv.Itoa(i)
		}
		ddl.WriteString(", " + quoteIdent(f.Name) + " " + typ)
		cols.WriteString(", " + quoteIdent(f.Name))
		sel.WriteString(", " + conv)
	}
	ddl.WriteString(")")
	if _, err := tx.Exec(ctx, ddl.String()); err != nil {
		return fail("create table", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO `+work+` (fid`+cols.String()+`) SELECT fid`+sel.String()+` FROM pg_temp.patrimap_staging`); err != nil {
		return fail("copy staged rows", err)
	}
	if err := tx.QueryRow(ctx, `SELECT $1::regclass::oid`, work).Scan(&im.relid); err != nil {
		return fail("find the new table", err)
	}
	// Index names stay with the table wherever it goes; the random part keeps them unique in any schema.
	idx := indexPrefix(im.table, im.work)
	steps := []struct{ what, sql string }{{"primary key", `ALTER TABLE ` + work + ` ADD CONSTRAINT ` + quoteIdent(idx+"_pkey") + ` PRIMARY KEY (fid)`}}
	if res.GeometryType != "" {
		steps = append(steps, struct{ what, sql string }{"spatial index", `CREATE INDEX ` + quoteIdent(idx+"_geom") + ` ON ` + work + ` USING gist (geom)`})
		if store.PyramidLayer(res.GeometryType) {
			pt := qualified(im.s.internal, pyramidTable(im.relid))
			steps = append(steps,
				struct{ what, sql string }{"pyramid for low-zoom tiles", `CREATE TABLE ` + pt + ` (fid bigint PRIMARY KEY, zooms bytea NOT NULL)`},
				struct{ what, sql string }{"pyramid for low-zoom tiles", `INSERT INTO ` + pt + ` (fid, zooms) SELECT fid, lz FROM pg_temp.patrimap_staging WHERE lz IS NOT NULL`})
		}
	}
	steps = append(steps, im.clusterSteps(work, res.GeometryType)...)
	steps = append(steps,
		struct{ what, sql string }{"drop staging table", `DROP TABLE pg_temp.patrimap_staging`},
		// The planner's statistics, so that the first bbox queries use the index as they should.
		struct{ what, sql string }{"analyze", `ANALYZE ` + work})
	for _, st := range steps {
		if _, err := tx.Exec(ctx, st.sql); err != nil {
			return fail(st.what, err)
		}
	}
	if err := im.writeSquareCells(ctx, res.GeometryType); err != nil {
		return fail("square cells for low-zoom tiles", err)
	}
	if err := im.writeTextIndex(ctx, work, res.Fields); err != nil {
		return fail("full-text index", err)
	}
	im.finished = res
	return res, nil
}

// columnConversion turns a staged text column into a typed one. Every staged value is store.Coerce's text
// of it, so that the text of a real is the same in every store and its digits give the real back exactly; a
// boolean column holds true/false and integers (1 and 0 for booleans), each true when not zero.
func columnConversion(t store.FieldType, c string) string {
	switch t {
	case store.FieldInteger:
		return c + "::bigint"
	case store.FieldReal:
		return c + "::double precision"
	case store.FieldBoolean:
		return "(" + c + "::numeric <> 0)"
	case store.FieldDate:
		return c + "::date"
	case store.FieldJSON:
		return c + "::json"
	}
	return c
}

// geomExpression turns the staged WKB into the stored geometry, cast to the layer's multi type.
func geomExpression(layerType string) string {
	e := `ST_GeomFromWKB(wkb, 4326)`
	switch layerType {
	case "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON":
		e = `ST_Multi(` + e + `)`
	}
	return e
}

// indexPrefix names the indexes of a new version's table: the dataset's table, two underscores (which no
// dataset's table has) and the import's random part.
func indexPrefix(table, work string) string {
	if len(table) > 40 {
		table = table[:40]
	}
	return table + "__" + strings.TrimPrefix(work, "import__")
}

// Commit records info in the catalogue as the dataset's entry, with its import report, and makes the new
// version visible: in one transaction, the previous version's table leaves the dataset's name (for the
// internal schema, where older snapshots still find it) and the new one takes it.
func (im *importer) Commit(ctx context.Context, info store.DatasetInfo, report any) (store.Dataset, error) {
	fail := func(err error) (store.Dataset, error) {
		im.Rollback()
		return store.Dataset{}, err
	}
	res, err := im.Finish(ctx)
	if err != nil {
		return fail(err)
	}
	// Times go through text in the catalogue (as in SpatiaLite), to the nanosecond.
	d, err := store.NewEntry(im.id, info, res, report, time.Now().UTC())
	if err != nil {
		return fail(err)
	}
	if err := im.swap(ctx, d); err != nil {
		return fail(fmt.Errorf("import %s: %w", im.id, err))
	}
	if _, err := im.tx.Exec(ctx, im.s.bumpGeneration()); err != nil {
		return fail(fmt.Errorf("import %s: count the commit: %w", im.id, err))
	}
	err = im.tx.Commit(ctx)
	im.tx = nil
	im.conn.Release()
	im.s.watch.changed()
	if err != nil {
		return store.Dataset{}, fmt.Errorf("import %s: commit: %w", im.id, err)
	}
	im.s.dropRetired(ctx)
	return d, nil
}

// Rollback abandons the import; the previous version of the dataset is untouched. Safe to call twice.
func (im *importer) Rollback() error {
	if im.tx == nil {
		return nil
	}
	if im.copy != nil {
		im.copy.abort(errors.New("import rolled back"))
		im.copy = nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := im.tx.Rollback(ctx)
	im.tx = nil
	im.conn.Release()
	if errors.Is(err, pgx.ErrTxClosed) {
		err = nil
	}
	return err
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
