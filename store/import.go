package store

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

	"github.com/patrimap/patrimap/geo"
)

// Property is one attribute of a feature as an importer read it. Value is nil, string, int64 (or int), float64,
// bool, or json.RawMessage for an object or array. Keys keep the source's order, which becomes the column order.
type Property struct {
	Key   string
	Value any
}

// Row is one feature as an import hands it to a store: its geometry in WGS84 longitude/latitude, already valid
// and cut to the territory (the import pipeline did that), the simplified copy low-zoom tiles draw, and its
// properties.
type Row struct {
	// FID is the feature's id: increasing within an import (the pipeline gives the record's number, so that a
	// report's "fid 12" is the stored feature 12); 0 takes the one after the previous row's.
	FID int64
	// Geometry is nil for a row without one.
	Geometry orb.Geometry
	// LowZoom is Geometry simplified for tiles up to LowZoomMax (see LowZoomTolerance); nil when Geometry
	// itself serves.
	LowZoom orb.Geometry
	// Properties keep the source's order, which becomes the column order.
	Properties []Property
}

// ImportOptions tunes an import.
type ImportOptions struct {
	// Fields declares types the source knows (a DBF's C columns stay text even when they look like dates) and
	// descriptions. Columns not declared here get the narrowest type that holds every value seen.
	Fields []Field
}

// Import builds a new version of one dataset. Nothing it writes is visible to readers until Commit; Rollback
// (or a crash, or a kill) leaves the previous version as it was.
type Import struct {
	conn  *sql.Conn
	tx    *sql.Tx
	id    string
	table string

	declared map[string]Field
	cols     []*column
	byKey    map[string]int // source key -> index in cols
	taken    map[string]bool
	insert   *sql.Stmt
	nInsert  int // columns the insert statement was prepared for
	args     []any
	wkb, lz  bytes.Buffer

	layer     geo.LayerType
	rows      int64
	lastFID   int64
	nullGeoms int64
	finished  *Result
}

// column is one attribute column being staged, and the kinds of value seen in it.
type column struct {
	name  string // final column name
	key   string // source key
	kinds valueKinds
}

type valueKinds struct {
	integer, real, text, boolean, json, date, datetime int64
}

// Result is what Finish measured.
type Result struct {
	Rows         int64
	GeometryType string
	Fields       []Field
	BBox         *orb.Bound
	NullGeometry int64 // rows stored without geometry
	// Renamed maps source keys to the column name they were given when theirs was taken.
	Renamed map[string]string
	Version int64
}

// BeginImport starts building a new version of the dataset id. It waits for any other import to finish.
func (s *Store) BeginImport(ctx context.Context, id string, opts ImportOptions) (*Import, error) {
	if err := ValidateID(id); err != nil {
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
	im := &Import{
		conn: conn, tx: tx, id: id, table: tableName(id),
		declared: map[string]Field{}, byKey: map[string]int{},
		taken: map[string]bool{"fid": true, "geom": true},
	}
	for _, f := range opts.Fields {
		im.declared[f.Name] = f
	}
	for _, stmt := range []string{
		`DROP TABLE IF EXISTS temp.patrimap_staging`,
		`CREATE TEMP TABLE patrimap_staging (fid INTEGER PRIMARY KEY, wkb BLOB, lz BLOB)`,
	} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			im.Rollback()
			return nil, fmt.Errorf("import %s: staging table: %w", id, err)
		}
	}
	return im, nil
}

// Add stages one row.
func (im *Import) Add(ctx context.Context, r Row) error {
	if im.finished != nil {
		return errors.New("import: Add after Finish")
	}
	switch {
	case r.FID == 0:
		r.FID = im.lastFID + 1
	case r.FID <= im.lastFID:
		return fmt.Errorf("import %s: fid %d after fid %d: fids must increase", im.id, r.FID, im.lastFID)
	}
	props := r.Properties
	for _, p := range props {
		if _, ok := im.byKey[p.Key]; !ok {
			if err := im.addColumn(ctx, p.Key); err != nil {
				return err
			}
		}
	}
	if len(im.cols) != im.nInsert || im.insert == nil {
		if err := im.prepareInsert(ctx); err != nil {
			return err
		}
	}
	args := im.args[:len(im.cols)+3]
	for i := range args {
		args[i] = nil
	}
	args[0] = r.FID
	if r.Geometry != nil {
		if err := encodeWKB(&im.wkb, r.Geometry); err != nil {
			return fmt.Errorf("import %s: fid %d: geometry: %w", im.id, r.FID, err)
		}
		args[1] = im.wkb.Bytes()
		im.layer.Observe(r.Geometry)
		if r.LowZoom != nil {
			if err := encodeWKB(&im.lz, r.LowZoom); err != nil {
				return fmt.Errorf("import %s: fid %d: low-zoom geometry: %w", im.id, r.FID, err)
			}
			args[2] = im.lz.Bytes()
		}
	} else {
		im.nullGeoms++
	}
	for _, p := range props {
		i := im.byKey[p.Key]
		v, err := im.cols[i].stage(p.Value)
		if err != nil {
			return fmt.Errorf("import %s: fid %d: property %q: %w", im.id, r.FID, p.Key, err)
		}
		args[i+3] = v
	}
	if _, err := im.insert.ExecContext(ctx, args...); err != nil {
		return fmt.Errorf("import %s: fid %d: %w", im.id, r.FID, err)
	}
	im.rows++
	im.lastFID = r.FID
	return nil
}

func encodeWKB(b *bytes.Buffer, g orb.Geometry) error {
	b.Reset()
	return wkb.NewEncoder(b).Encode(g)
}

func (im *Import) addColumn(ctx context.Context, key string) error {
	name := key
	if strings.TrimSpace(name) == "" {
		name = "field"
	}
	base := name
	for n := 2; im.taken[strings.ToLower(name)]; n++ {
		// SQLite column names are case-insensitive: "NOM" and "nom" cannot both exist.
		name = base + "_" + strconv.Itoa(n)
	}
	im.taken[strings.ToLower(name)] = true
	idx := len(im.cols)
	if _, err := im.tx.ExecContext(ctx, `ALTER TABLE temp.patrimap_staging ADD COLUMN c`+strconv.Itoa(idx)); err != nil {
		return fmt.Errorf("import %s: add column %q: %w", im.id, key, err)
	}
	im.cols = append(im.cols, &column{name: name, key: key})
	im.byKey[key] = idx
	return nil
}

func (im *Import) prepareInsert(ctx context.Context) error {
	if im.insert != nil {
		im.insert.Close()
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO temp.patrimap_staging (fid, wkb, lz`)
	for i := range im.cols {
		b.WriteString(", c" + strconv.Itoa(i))
	}
	b.WriteString(") VALUES (?, ?, ?" + strings.Repeat(", ?", len(im.cols)) + ")")
	stmt, err := im.tx.PrepareContext(ctx, b.String())
	if err != nil {
		return fmt.Errorf("import %s: prepare insert: %w", im.id, err)
	}
	im.insert, im.nInsert = stmt, len(im.cols)
	im.args = make([]any, len(im.cols)+3)
	return nil
}

// stage records the kind of v and returns what to store in the untyped staging column.
func (c *column) stage(v any) (any, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		switch {
		case isDate(v):
			c.kinds.date++
		case isDateTime(v):
			c.kinds.datetime++
		default:
			c.kinds.text++
		}
		return v, nil
	case int:
		c.kinds.integer++
		return int64(v), nil
	case int64:
		c.kinds.integer++
		return v, nil
	case float64:
		c.kinds.real++
		return v, nil
	case bool:
		c.kinds.boolean++
		return v, nil
	case json.RawMessage:
		c.kinds.json++
		return string(v), nil
	case time.Time:
		c.kinds.datetime++
		return v.Format(time.RFC3339Nano), nil
	}
	return nil, fmt.Errorf("unsupported value type %T", v)
}

// fieldType decides a column's type from what was seen in it, or from what the source declared.
func (c *column) fieldType(declared FieldType) FieldType {
	k := c.kinds
	if declared != "" {
		switch declared {
		case FieldText:
			return FieldText
		case FieldInteger, FieldBoolean:
			if k.text+k.real+k.json+k.date+k.datetime == 0 {
				return declared
			}
		case FieldReal:
			if k.text+k.json+k.date+k.datetime+k.boolean == 0 {
				return declared
			}
		case FieldDate:
			if k.text+k.integer+k.real+k.json+k.datetime+k.boolean == 0 {
				return declared
			}
		}
	}
	switch n := k.integer + k.real + k.text + k.boolean + k.json + k.date + k.datetime; n {
	case 0:
		return FieldText
	case k.integer:
		return FieldInteger
	case k.integer + k.real:
		return FieldReal
	case k.boolean:
		return FieldBoolean
	case k.json:
		return FieldJSON
	case k.date:
		return FieldDate
	case k.datetime:
		return FieldDateTime
	}
	return FieldText
}

// isDate reports whether s is an ISO 8601 calendar date, YYYY-MM-DD.
func isDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// isDateTime reports whether s is an RFC 3339 date-time (with a T or a space between date and time).
func isDateTime(s string) bool {
	if len(s) < 16 || !isDate(s[:10]) || (s[10] != 'T' && s[10] != ' ') {
		return false
	}
	t := "T" + s[11:]
	for _, layout := range []string{"T15:04:05Z07:00", "T15:04:05.999999999Z07:00", "T15:04:05", "T15:04:05.999999999", "T15:04"} {
		if _, err := time.Parse(layout, t); err == nil {
			return true
		}
	}
	return false
}

// Finish builds the dataset's table from the staged rows inside the import's transaction: typed columns,
// geometry registered (cast to the layer's multi type), the low-zoom copy, spatial index. Readers still see the
// previous version until Commit.
func (im *Import) Finish(ctx context.Context) (*Result, error) {
	if im.finished != nil {
		return im.finished, nil
	}
	if im.insert != nil {
		im.insert.Close()
	}
	fail := func(step string, err error) (*Result, error) {
		return nil, fmt.Errorf("import %s: %s: %w", im.id, step, err)
	}
	res := &Result{Rows: im.rows, GeometryType: im.layer.Name(), NullGeometry: im.nullGeoms, Renamed: map[string]string{}}
	tx, t := im.tx, im.table

	var prev sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT max(version) FROM patrimap_datasets WHERE id = ?`, im.id).Scan(&prev); err != nil {
		return fail("read previous version", err)
	}
	res.Version = prev.Int64 + 1
	if err := dropDatasetTable(ctx, tx, t); err != nil {
		return fail("drop previous version", err)
	}

	var ddl, cols, sel strings.Builder
	ddl.WriteString(`CREATE TABLE ` + quoteIdent(t) + ` (fid INTEGER PRIMARY KEY`)
	for i, c := range im.cols {
		decl := im.declared[c.key]
		ft := c.fieldType(decl.Type)
		res.Fields = append(res.Fields, Field{Name: c.name, Type: ft, Description: decl.Description})
		if c.name != c.key {
			res.Renamed[c.key] = c.name
		}
		ddl.WriteString(", " + quoteIdent(c.name) + " " + ft.sqlType())
		cols.WriteString(", " + quoteIdent(c.name))
		sel.WriteString(", c" + strconv.Itoa(i))
	}
	ddl.WriteString(")")
	if _, err := tx.ExecContext(ctx, ddl.String()); err != nil {
		return fail("create table", err)
	}
	geomCol, geomExpr := "", ""
	if res.GeometryType != "" {
		var ok int
		if err := tx.QueryRowContext(ctx, `SELECT AddGeometryColumn(?, 'geom', 4326, ?, 'XY')`, t, res.GeometryType).Scan(&ok); err != nil || ok != 1 {
			return fail("register geometry column", fmt.Errorf("AddGeometryColumn returned %d: %v", ok, err))
		}
		geomCol = ", geom"
		geomExpr = ", " + geomExpression(res.GeometryType)
	}
	copySQL := `INSERT INTO ` + quoteIdent(t) + ` (fid` + geomCol + cols.String() + `) SELECT fid` + geomExpr +
		sel.String() + ` FROM temp.patrimap_staging ORDER BY fid`
	if _, err := tx.ExecContext(ctx, copySQL); err != nil {
		return fail("copy staged rows", err)
	}
	if res.GeometryType != "" {
		var unread sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT min(s.fid) FROM temp.patrimap_staging AS s JOIN `+quoteIdent(t)+` AS t
			ON t.fid = s.fid WHERE s.wkb IS NOT NULL AND t.geom IS NULL`).Scan(&unread); err != nil {
			return fail("check geometries", err)
		}
		if unread.Valid {
			return fail("copy staged rows", fmt.Errorf("SpatiaLite cannot read the geometry of fid %d", unread.Int64))
		}
		if err := im.writeLowZoom(ctx, res.GeometryType); err != nil {
			return fail("simplified copy for low-zoom tiles", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DROP TABLE temp.patrimap_staging`); err != nil {
		return fail("drop staging table", err)
	}
	if res.GeometryType != "" {
		var ok int
		if err := tx.QueryRowContext(ctx, `SELECT CreateSpatialIndex(?, 'geom')`, t).Scan(&ok); err != nil || ok != 1 {
			return fail("create spatial index", fmt.Errorf("CreateSpatialIndex returned %d: %v", ok, err))
		}
		var minX, minY, maxX, maxY sql.NullFloat64
		if err := tx.QueryRowContext(ctx, `SELECT min(MbrMinX(geom)), min(MbrMinY(geom)), max(MbrMaxX(geom)), max(MbrMaxY(geom)) FROM `+quoteIdent(t)).
			Scan(&minX, &minY, &maxX, &maxY); err != nil {
			return fail("compute extent", err)
		}
		if minX.Valid {
			res.BBox = &orb.Bound{Min: orb.Point{minX.Float64, minY.Float64}, Max: orb.Point{maxX.Float64, maxY.Float64}}
		}
	}
	im.finished = res
	return res, nil
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
// version visible, in the same transaction as everything Finish built. info.ID must be the import's.
func (im *Import) Commit(ctx context.Context, info DatasetInfo, report any) (Dataset, error) {
	if info.ID != im.id {
		im.Rollback()
		return Dataset{}, fmt.Errorf("import %s: committed as %q", im.id, info.ID)
	}
	res, err := im.Finish(ctx)
	if err != nil {
		im.Rollback()
		return Dataset{}, err
	}
	rep, err := json.Marshal(report)
	if err != nil {
		im.Rollback()
		return Dataset{}, fmt.Errorf("import %s: report: %w", im.id, err)
	}
	fields, err := json.Marshal(res.Fields)
	if err != nil {
		im.Rollback()
		return Dataset{}, err
	}
	if res.Fields == nil {
		fields = []byte("[]")
	}
	now := time.Now().UTC()
	if info.Source.RetrievedAt.IsZero() {
		info.Source.RetrievedAt = now
	}
	if info.Theme == "" {
		info.Theme = ThemeOther
	}
	var minX, minY, maxX, maxY any
	if b := res.BBox; b != nil {
		minX, minY, maxX, maxY = b.Min[0], b.Min[1], b.Max[0], b.Max[1]
	}
	i := info
	_, err = im.tx.ExecContext(ctx, `INSERT OR REPLACE INTO patrimap_datasets (`+datasetColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		i.ID, im.table, i.Title, i.Description, i.Theme, i.Producer, i.Licence, i.Attribution,
		i.Source.URL, i.Source.File, i.Source.SHA256, i.Source.RetrievedAt.Format(time.RFC3339Nano), i.SourceCRS,
		res.GeometryType, res.Rows, minX, minY, maxX, maxY, string(fields), res.Version, now.Format(time.RFC3339Nano), string(rep))
	if err != nil {
		im.Rollback()
		return Dataset{}, fmt.Errorf("import %s: record in catalogue: %w", im.id, err)
	}
	if err := im.tx.Commit(); err != nil {
		im.conn.Close()
		return Dataset{}, fmt.Errorf("import %s: commit: %w", im.id, err)
	}
	im.conn.Close()
	return Dataset{DatasetInfo: i, Table: im.table, GeometryType: res.GeometryType, FeatureCount: res.Rows,
		BBox: res.BBox, Fields: res.Fields, Version: res.Version, ImportedAt: now, Report: rep}, nil
}

// Rollback abandons the import; the previous version of the dataset is untouched. Safe to call twice.
func (im *Import) Rollback() error {
	if im.tx == nil {
		return nil
	}
	err := im.tx.Rollback()
	im.tx = nil
	if errors.Is(err, sql.ErrTxDone) {
		err = nil
	}
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
	return dropLowZoom(ctx, tx, table)
}
