package spatialite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/patrimap/patrimap/store"
)

// sqlType is the declared SQLite column type of a field type, one that GDAL and QGIS understand.
func sqlType(t store.FieldType) string {
	switch t {
	case store.FieldInteger:
		return "INTEGER"
	case store.FieldReal:
		return "REAL"
	case store.FieldBoolean:
		return "BOOLEAN"
	case store.FieldDate:
		return "DATE"
	case store.FieldDateTime:
		return "DATETIME"
	case store.FieldJSON:
		return "JSONTEXT" // marks the column as JSON for patrimap; GDAL 3.6 reads it as a String field
	}
	return "TEXT"
}

// importer builds a new version of one dataset in one SQLite transaction: rows are staged in a temporary table
// with untyped columns (c0, c1...), since a column's type is known only once every value has been seen; Finish
// copies them into the typed table, where SQLite's column affinity converts them as store.Coerce says. Each
// staged row with a geometry keeps its place on the curve that orders the spatial index and its cluster cell
// (order.go), and the import its extent, rather than computing them in SQL over the stored geometries.
type importer struct {
	store *Store
	conn  *sql.Conn
	tx    *sql.Tx
	id    string
	table string

	schema *store.Schema
	vals   []store.StagedValue
	// Rows are staged a batch at a time, written when the batch is full, before a column is added and by
	// Finish.
	staging stagingBatch
	wkb     bytes.Buffer
	lz      []byte    // the row's stored pyramid
	extent  orb.Bound // of the rows with a geometry, when boxed
	boxed   bool
	// A point layer's clusters are counted on a scratch database as the rows come (scratch.go); noScratch once
	// the layer is not of points or the scratch could not start.
	scratch   *clusterScratch
	noScratch bool
	attached  bool // the scratch, to the transaction

	lastFID  int64
	finished *store.Result
}

// BeginImport starts building a new version of the dataset id. It waits for any other import to finish.
func (s *Store) BeginImport(ctx context.Context, id string, opts store.ImportOptions) (store.Import, error) {
	im, err := s.beginImport(ctx, id, opts)
	return im, interrupted(ctx, err)
}

func (s *Store) beginImport(ctx context.Context, id string, opts store.ImportOptions) (store.Import, error) {
	if err := store.ValidateID(id); err != nil {
		return nil, err
	}
	if err := checkDatasetTable(id, store.TableName(id)); err != nil {
		return nil, err
	}
	conn, err := s.writer.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", id, err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("import %s: begin: %w", id, err)
	}
	im := &importer{store: s, conn: conn, tx: tx, id: id, table: store.TableName(id), schema: store.NewSchema(opts.Fields)}
	im.staging.conn = conn
	removeScratches(s.scratchDir, s.path) // of an import killed before it could
	for _, stmt := range []string{
		`DROP TABLE IF EXISTS temp.patrimap_staging`,
		`CREATE TEMP TABLE patrimap_staging (fid INTEGER PRIMARY KEY, wkb BLOB, lz BLOB, key INTEGER, cell INTEGER,
			x0 REAL, x1 REAL, y0 REAL, y1 REAL)`,
	} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			im.Rollback()
			return nil, fmt.Errorf("import %s: staging table: %w", id, err)
		}
	}
	return im, nil
}

// Add stages one row.
func (im *importer) Add(ctx context.Context, r store.Row) error {
	return interrupted(ctx, im.add(ctx, r))
}

func (im *importer) add(ctx context.Context, r store.Row) error {
	if im.finished != nil {
		return errors.New("import: Add after Finish")
	}
	if err := ctx.Err(); err != nil { // a row may wait in the batch without a statement to say so
		return err
	}
	switch {
	case r.FID == 0:
		r.FID = im.lastFID + 1
	case r.FID <= im.lastFID:
		return fmt.Errorf("import %s: fid %d after fid %d: fids must increase", im.id, r.FID, im.lastFID)
	}
	// The geometry is encoded first: a row refused (a geometry WKB cannot hold, a value of no store's type)
	// leaves nothing counted or staged, and the import may go on.
	var lz []byte
	if r.Geometry != nil {
		if err := encodeWKB(&im.wkb, r.Geometry); err != nil {
			return fmt.Errorf("import %s: fid %d: geometry: %w", im.id, r.FID, err)
		}
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
		if err := im.flush(); err != nil {
			return err
		}
	}
	for i := before; i < before+added; i++ {
		if _, err := im.tx.ExecContext(ctx, `ALTER TABLE temp.patrimap_staging ADD COLUMN c`+strconv.Itoa(i)); err != nil {
			return fmt.Errorf("import %s: add a column: %w", im.id, err)
		}
	}
	st := &im.staging
	if !st.prepared(stagedColumns + im.schema.Columns()) {
		if err := st.prepare(ctx, "temp.patrimap_staging", stagingColumns(im.schema.Columns())); err != nil {
			return fmt.Errorf("import %s: prepare insert: %w", im.id, err)
		}
	}
	args := st.next()
	args[0].Value = r.FID
	if r.Geometry != nil {
		args[1].Value = st.keep(im.wkb.Bytes())
		if lz != nil {
			args[2].Value = st.keep(lz)
		}
		b := r.Geometry.Bound()
		x, y := mercatorGrid(b.Min)
		cell := clusterCell(x, y)
		args[3].Value, args[4].Value = hilbertKey(x, y), cell
		args[5].Value, args[6].Value, args[7].Value, args[8].Value = b.Min[0], b.Max[0], b.Min[1], b.Max[1]
		if im.boxed {
			im.extent = im.extent.Union(b)
		} else {
			im.extent, im.boxed = b, true
		}
		im.toScratch(ctx, r.Geometry, b.Min, cell, r.FID)
	}
	for _, v := range vals {
		args[v.Column+stagedColumns].Value = v.Value // nil, a string, int64, float64 or bool: the driver's own
		if t, ok := v.Value.(string); ok {
			st.bytes += len(t)
		}
	}
	im.lastFID = r.FID
	if st.full() {
		return im.flush()
	}
	return nil
}

// newBatch prepares a stagingBatch writing rows into table's columns in the import's transaction.
func (im *importer) newBatch(ctx context.Context, table string, columns ...string) (*stagingBatch, error) {
	b := &stagingBatch{conn: im.conn}
	if err := b.prepare(ctx, table, columns); err != nil {
		return nil, err
	}
	return b, nil
}

// toScratch hands a point to the scratch that counts the clusters, starting it with the layer's first point.
func (im *importer) toScratch(ctx context.Context, g orb.Geometry, corner orb.Point, cell, fid int64) {
	if im.noScratch {
		return
	}
	switch g.(type) {
	case orb.Point, orb.MultiPoint:
	default: // not a point layer: no clusters
		if im.scratch != nil {
			im.scratch.end(false)
		}
		im.noScratch = true
		return
	}
	if im.scratch == nil {
		s, err := startClusterScratch(ctx, im.store.scratchDir, im.store.path)
		if err != nil { // the import counts the clusters itself
			im.noScratch = true
			return
		}
		im.scratch = s
	}
	im.scratch.add(corner, cell, fid)
}

// flush writes the pending rows into the staging table.
func (im *importer) flush() error {
	if im.staging.pending() == 0 {
		return nil
	}
	first := im.staging.args[0].Value
	if err := im.staging.flush(); err != nil {
		return fmt.Errorf("import %s: fids %v to %d: %w", im.id, first, im.lastFID, err)
	}
	return nil
}

func encodeWKB(b *bytes.Buffer, g orb.Geometry) error {
	b.Reset()
	return wkb.NewEncoder(b).Encode(g)
}

// stagedColumns is the number of staged columns before the attributes: fid, wkb, lz, key, cell and the box
// (x0, x1, y0, y1).
const stagedColumns = 9

// stagingColumns are the staging table's columns for rows of attrs attributes (c0, c1...).
func stagingColumns(attrs int) []string {
	cols := append(make([]string, 0, stagedColumns+attrs), "fid", "wkb", "lz", "key", "cell", "x0", "x1", "y0", "y1")
	for i := range attrs {
		cols = append(cols, "c"+strconv.Itoa(i))
	}
	return cols
}

// Finish builds the dataset's table from the staged rows inside the import's transaction: typed columns,
// geometry registered (cast to the layer's multi type), the pyramid, point clusters and spatial index
// (by the cells and the order staged with the rows), attribute and full-text indexes. Readers still see the
// previous version until Commit.
func (im *importer) Finish(ctx context.Context) (*store.Result, error) {
	if im.finished != nil {
		return im.finished, nil
	}
	if im.tx == nil {
		return nil, fmt.Errorf("import %s: finished after a rollback", im.id)
	}
	fail := func(step string, err error) (*store.Result, error) {
		return nil, interrupted(ctx, fmt.Errorf("import %s: %s: %w", im.id, step, err))
	}
	if err := im.flush(); err != nil {
		return nil, interrupted(ctx, err)
	}
	if err := im.staging.close(); err != nil {
		return fail("close the staging statements", err)
	}
	res := im.schema.Result()
	tx, t := im.tx, im.table
	if im.scratch != nil {
		im.scratch.end(store.ClusterLayer(res.GeometryType)) // the scratch counts its clusters from now on
	}

	var prev sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT max(version) FROM `+catalogueTable+` WHERE id = ?`, im.id).Scan(&prev); err != nil {
		return fail("read previous version", err)
	}
	res.Version = prev.Int64 + 1
	if err := dropDatasetTable(ctx, tx, t); err != nil {
		return fail("drop previous version", err)
	}

	var ddl, cols, sel strings.Builder
	ddl.WriteString(`CREATE TABLE ` + quoteIdent(t) + ` (fid INTEGER PRIMARY KEY`)
	for i, f := range res.Fields {
		ddl.WriteString(", " + quoteIdent(f.Name) + " " + sqlType(f.Type))
		cols.WriteString(", " + quoteIdent(f.Name))
		sel.WriteString(", c" + strconv.Itoa(i))
	}
	ddl.WriteString(")")
	if _, err := tx.ExecContext(ctx, ddl.String()); err != nil {
		return fail("create table", err)
	}
	if err := im.realsAsText(ctx, res.Fields); err != nil {
		return fail("write numbers of text columns", err)
	}
	geomCol, geomExpr := "", ""
	var triggers []string
	if res.GeometryType != "" {
		var ok int
		if err := tx.QueryRowContext(ctx, `SELECT AddGeometryColumn(?, 'geom', 4326, ?, 'XY')`, t, res.GeometryType).Scan(&ok); err != nil || ok != 1 {
			return fail("register geometry column", fmt.Errorf("AddGeometryColumn returned %d: %v", ok, err))
		}
		geomCol = ", geom"
		geomExpr = ", " + geomExpression(res.GeometryType)
		// The R-tree and its triggers are created on the empty table; the triggers (type and SRID checks, the
		// index and time stamps kept per row) are set aside while the rows go in and the index is loaded
		// whole, then put back as SpatiaLite wrote them.
		if err := tx.QueryRowContext(ctx, `SELECT CreateSpatialIndex(?, 'geom')`, t).Scan(&ok); err != nil || ok != 1 {
			return fail("create spatial index", fmt.Errorf("CreateSpatialIndex returned %d: %v", ok, err))
		}
		var err error
		if triggers, err = setTriggersAside(ctx, tx, t); err != nil {
			return fail("set triggers aside", err)
		}
	}
	copySQL := `INSERT INTO ` + quoteIdent(t) + ` (fid` + geomCol + cols.String() + `) SELECT fid` + geomExpr +
		sel.String() + ` FROM temp.patrimap_staging ORDER BY fid`
	if _, err := tx.ExecContext(ctx, copySQL); err != nil {
		return fail("copy staged rows", err)
	}
	if res.GeometryType != "" {
		if err := im.checkGeometries(ctx, res.NullGeometry); err != nil {
			return fail("copy staged rows", err)
		}
		if err := im.writePyramid(ctx, res.GeometryType); err != nil {
			return fail("pyramid for low-zoom tiles", err)
		}
		if err := loadSpatialIndex(ctx, tx, "idx_"+t+"_geom", res.Rows-res.NullGeometry); err != nil {
			return fail("spatial index", err)
		}
		// After the spatial index, which the scratch's count runs beside.
		if err := im.writeClusters(ctx, res.GeometryType); err != nil {
			return fail("point clusters", err)
		}
		if err := restoreTriggers(ctx, tx, t, triggers); err != nil {
			return fail("put triggers back", err)
		}
		if im.boxed {
			res.BBox = &orb.Bound{Min: im.extent.Min, Max: im.extent.Max}
		}
	}
	if _, err := tx.ExecContext(ctx, `DROP TABLE temp.patrimap_staging`); err != nil {
		return fail("drop staging table", err)
	}
	if err := im.writeIndexes(ctx, res.Fields); err != nil {
		return fail("indexes", err)
	}
	im.finished = res
	return res, nil
}

// checkGeometries makes sure that SpatiaLite read every geometry staged: only the rows given without one have
// none.
func (im *importer) checkGeometries(ctx context.Context, given int64) error {
	var nulls, wrong int64
	// GeometryConstraints is the check of SpatiaLite's insert trigger, set aside while the rows went in.
	if err := im.tx.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE geom IS NULL),
		count(*) FILTER (WHERE geom IS NOT NULL AND GeometryConstraints(geom, g.geometry_type, g.srid) IS NOT 1)
		FROM `+quoteIdent(im.table)+`, (SELECT geometry_type, srid FROM geometry_columns
			WHERE f_table_name = lower(?) AND f_geometry_column = 'geom') AS g`, im.table).Scan(&nulls, &wrong); err != nil {
		return err
	}
	if wrong > 0 {
		return fmt.Errorf("%d geometries do not fit the layer's type or SRID", wrong)
	}
	if nulls == given {
		return nil
	}
	var fid sql.NullInt64
	if err := im.tx.QueryRowContext(ctx, `SELECT min(s.fid) FROM temp.patrimap_staging AS s JOIN `+quoteIdent(im.table)+` AS t
		ON t.fid = s.fid WHERE s.wkb IS NOT NULL AND t.geom IS NULL`).Scan(&fid); err != nil {
		return err
	}
	return fmt.Errorf("SpatiaLite cannot read %d geometries (the first at fid %d)", nulls-given, fid.Int64)
}

// realsAsText writes the reals staged in text columns as store.Coerce does, before SQLite's column affinity
// would with its own digits: every store gives a source's 2.5 or 1/3 the same text.
func (im *importer) realsAsText(ctx context.Context, fields []store.Field) error {
	for i, f := range fields {
		if !im.schema.RealsAsText(i) {
			continue
		}
		c := "c" + strconv.Itoa(i)
		rows, err := im.tx.QueryContext(ctx, `SELECT fid, `+c+` FROM temp.patrimap_staging WHERE typeof(`+c+`) = 'real'`)
		if err != nil {
			return err
		}
		var fids []int64
		var texts []any
		for rows.Next() {
			var fid int64
			var v float64
			if err := rows.Scan(&fid, &v); err != nil {
				rows.Close()
				return err
			}
			fids, texts = append(fids, fid), append(texts, store.Coerce(v, f.Type))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for j, fid := range fids {
			if _, err := im.tx.ExecContext(ctx, `UPDATE temp.patrimap_staging SET `+c+` = ? WHERE fid = ?`, texts[j], fid); err != nil {
				return err
			}
		}
	}
	return nil
}

// geomExpression turns the staged WKB into the stored geometry, cast to the layer's multi type.
func geomExpression(layerType string) string {
	e := `GeomFromWKB(wkb, 4326)`
	switch layerType {
	case "MULTIPOINT":
		e = `CastToMultiPoint(` + e + `)`
	case "MULTILINESTRING":
		e = `CastToMultiLineString(` + e + `)`
	case "MULTIPOLYGON":
		e = `CastToMultiPolygon(` + e + `)`
	}
	return e
}

// Commit records info in the catalogue as the dataset's entry, with its import report, and makes the new
// version visible, in the same transaction as everything Finish built.
func (im *importer) Commit(ctx context.Context, info store.DatasetInfo, report any) (store.Dataset, error) {
	fail := func(err error) (store.Dataset, error) {
		im.Rollback()
		return store.Dataset{}, interrupted(ctx, err)
	}
	res, err := im.Finish(ctx)
	if err != nil {
		return fail(err)
	}
	d, err := store.NewEntry(im.id, info, res, report, time.Now().UTC())
	if err != nil {
		return fail(err)
	}
	fields, err := json.Marshal(d.Fields)
	if err != nil {
		return fail(err)
	}
	var minX, minY, maxX, maxY any
	if b := d.BBox; b != nil {
		minX, minY, maxX, maxY = b.Min[0], b.Min[1], b.Max[0], b.Max[1]
	}
	_, err = im.tx.ExecContext(ctx, `INSERT OR REPLACE INTO `+catalogueTable+` (`+datasetColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, d.Table, d.Title, d.Description, d.Theme, d.Producer, d.Licence, d.Attribution,
		d.Source.URL, d.Source.File, d.Source.SHA256, d.Source.RetrievedAt.Format(time.RFC3339Nano), d.SourceCRS,
		d.GeometryType, d.FeatureCount, minX, minY, maxX, maxY, string(fields), d.Version, d.ImportedAt.Format(time.RFC3339Nano), string(d.Report))
	if err != nil {
		return fail(fmt.Errorf("import %s: record in catalogue: %w", im.id, err))
	}
	err = im.tx.Commit()
	im.tx = nil
	if err == nil {
		checkpoint(ctx, im.conn)
	}
	im.dropScratch(ctx) // scratch files only: the import's outcome is settled
	im.conn.Close()
	if err != nil {
		return store.Dataset{}, interrupted(ctx, fmt.Errorf("import %s: commit: %w", im.id, err))
	}
	im.store.watch.changed(ctx)
	return d, nil
}

// Rollback abandons the import; the previous version of the dataset is untouched. Safe to call twice.
func (im *importer) Rollback() error {
	if im.tx == nil {
		return nil
	}
	err := errors.Join(im.staging.close(), im.tx.Rollback())
	im.tx = nil
	if errors.Is(err, sql.ErrTxDone) {
		err = nil
	}
	err = errors.Join(err, im.dropScratch(context.Background()))
	// The temp staging table dies with the connection's transaction; closing returns the connection to the pool.
	return errors.Join(err, im.conn.Close())
}

// dropDatasetTable removes a dataset's table with its geometry registration and spatial index.
func dropDatasetTable(ctx context.Context, tx *sql.Tx, table string) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM geometry_columns WHERE f_table_name = lower(?)`, table).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		if _, err := tx.ExecContext(ctx, `SELECT DisableSpatialIndex(?, 'geom')`, table); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS `+quoteIdent("idx_"+table+"_geom")); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `SELECT DiscardGeometryColumn(?, 'geom')`, table); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS `+quoteIdent(table)); err != nil {
		return err
	}
	if err := dropTextIndex(ctx, tx, table); err != nil {
		return err
	}
	if err := dropClusters(ctx, tx, table); err != nil {
		return err
	}
	return dropPyramid(ctx, tx, table)
}
