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

// ImportOptions tunes an import.
type ImportOptions struct {
	// SourceSRID is the EPSG code of the geometries given to Add; they are reprojected to WGS84 (4326) by
	// SpatiaLite (PROJ). 0 means 4326.
	SourceSRID int
	// Fields declares types the source knows (a DBF's C columns stay text even when they look like dates) and
	// descriptions. Columns not declared here get the narrowest type that holds every value seen.
	Fields []Field
	// Within keeps only the features whose geometry intersects it (WGS84): a territory's boundary. Rows
	// without geometry are dropped too, since they cannot be placed in it. nil keeps everything.
	Within orb.Geometry
}

// Import builds a new version of one dataset. Nothing it writes is visible to readers until Commit; Rollback
// (or a crash, or a kill) leaves the previous version as it was.
type Import struct {
	conn    *sql.Conn
	tx      *sql.Tx
	compute *sql.DB // in-memory SpatiaLite connections for geometry repairs, in parallel
	info    DatasetInfo
	table   string
	srid    int

	declared map[string]Field
	within   orb.Geometry
	cols     []*column
	byKey    map[string]int // source key -> index in cols
	taken    map[string]bool
	insert   *sql.Stmt
	nInsert  int // columns the insert statement was prepared for
	args     []any
	wkb      bytes.Buffer

	layer     geo.LayerType
	rows      int64
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

// Result is what Finish measured and fixed.
type Result struct {
	Rows         int64
	GeometryType string
	Fields       []Field
	BBox         *orb.Bound
	NullGeometry int64 // rows stored without geometry (given without one)
	// Repaired lists the rows whose invalid geometry was made valid by GEOS/RTTOPO (fid = row number).
	Repaired []int64
	// Collapsed lists rows whose geometry had no area left once made valid: stored without geometry.
	Collapsed []int64
	// StillInvalid lists rows whose geometry could not be made valid: kept as read.
	StillInvalid []int64
	// Unconvertible counts geometries SpatiaLite could not read or reproject: stored without geometry.
	Unconvertible int64
	// Outside counts the rows dropped because they do not intersect ImportOptions.Within.
	Outside int64
	// Renamed maps source keys to the column name they were given when theirs was taken.
	Renamed map[string]string
	Version int64
}

// BeginImport starts building a new version of the dataset info.ID. It waits for any other import to finish.
func (s *Store) BeginImport(ctx context.Context, info DatasetInfo, opts ImportOptions) (*Import, error) {
	if err := ValidateID(info.ID); err != nil {
		return nil, err
	}
	conn, err := s.writer.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", info.ID, err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("import %s: begin: %w", info.ID, err)
	}
	im := &Import{
		conn: conn, tx: tx, compute: s.compute, info: info, table: tableName(info.ID), srid: opts.SourceSRID,
		declared: map[string]Field{}, byKey: map[string]int{}, within: opts.Within,
		taken: map[string]bool{"fid": true, "geom": true},
	}
	if im.srid == 0 {
		im.srid = 4326
	}
	for _, f := range opts.Fields {
		im.declared[f.Name] = f
	}
	for _, stmt := range []string{
		`DROP TABLE IF EXISTS temp.patrimap_staging`,
		`CREATE TEMP TABLE patrimap_staging (wkb BLOB)`,
	} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			im.Rollback()
			return nil, fmt.Errorf("import %s: staging table: %w", info.ID, err)
		}
	}
	return im, nil
}

// Add stages one feature: g in the source CRS (nil for a row without geometry) and its properties.
func (im *Import) Add(ctx context.Context, g orb.Geometry, props []Property) error {
	if im.finished != nil {
		return errors.New("import: Add after Finish")
	}
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
	args := im.args[:len(im.cols)+1]
	for i := range args {
		args[i] = nil
	}
	if g != nil {
		im.wkb.Reset()
		if err := wkb.NewEncoder(&im.wkb).Encode(g); err != nil {
			return fmt.Errorf("import %s: row %d: encode geometry: %w", im.info.ID, im.rows+1, err)
		}
		args[0] = im.wkb.Bytes()
		im.layer.Observe(g)
	} else {
		im.nullGeoms++
	}
	for _, p := range props {
		i := im.byKey[p.Key]
		v, err := im.cols[i].stage(p.Value)
		if err != nil {
			return fmt.Errorf("import %s: row %d: property %q: %w", im.info.ID, im.rows+1, p.Key, err)
		}
		args[i+1] = v
	}
	if _, err := im.insert.ExecContext(ctx, args...); err != nil {
		return fmt.Errorf("import %s: row %d: %w", im.info.ID, im.rows+1, err)
	}
	im.rows++
	return nil
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
		return fmt.Errorf("import %s: add column %q: %w", im.info.ID, key, err)
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
	b.WriteString(`INSERT INTO temp.patrimap_staging (wkb`)
	for i := range im.cols {
		b.WriteString(", c" + strconv.Itoa(i))
	}
	b.WriteString(") VALUES (?" + strings.Repeat(", ?", len(im.cols)) + ")")
	stmt, err := im.tx.PrepareContext(ctx, b.String())
	if err != nil {
		return fmt.Errorf("import %s: prepare insert: %w", im.info.ID, err)
	}
	im.insert, im.nInsert = stmt, len(im.cols)
	im.args = make([]any, len(im.cols)+1)
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
// geometry reprojected to WGS84 and registered, invalid geometries repaired, spatial index. Readers still see
// the previous version until Commit.
func (im *Import) Finish(ctx context.Context) (*Result, error) {
	if im.finished != nil {
		return im.finished, nil
	}
	if im.insert != nil {
		im.insert.Close()
	}
	fail := func(step string, err error) (*Result, error) {
		return nil, fmt.Errorf("import %s: %s: %w", im.info.ID, step, err)
	}
	res := &Result{Rows: im.rows, GeometryType: im.layer.Name(), NullGeometry: im.nullGeoms, Renamed: map[string]string{}}
	tx, t := im.tx, im.table

	var prev sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT max(version) FROM patrimap_datasets WHERE id = ?`, im.info.ID).Scan(&prev); err != nil {
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
		geomExpr = geomExpression(im.srid, res.GeometryType)
	}
	copySQL := `INSERT INTO ` + quoteIdent(t) + ` (fid` + geomCol + cols.String() + `) SELECT rowid` + geomExpr +
		sel.String() + ` FROM temp.patrimap_staging ORDER BY rowid`
	if _, err := tx.ExecContext(ctx, copySQL); err != nil {
		return fail("copy staged rows", err)
	}
	if _, err := tx.ExecContext(ctx, `DROP TABLE temp.patrimap_staging`); err != nil {
		return fail("drop staging table", err)
	}
	if res.GeometryType != "" {
		var nulls int64
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+quoteIdent(t)+` WHERE geom IS NULL`).Scan(&nulls); err != nil {
			return fail("count geometries", err)
		}
		res.Unconvertible = nulls - im.nullGeoms
		if res.GeometryType == "MULTIPOLYGON" || res.GeometryType == "GEOMETRY" {
			if err := im.repair(ctx, res); err != nil {
				return fail("repair geometries", err)
			}
		}
		if im.within != nil {
			if err := im.keepWithin(ctx, res); err != nil {
				return fail("keep the territory", err)
			}
		}
		if err := im.buildLowZoom(ctx, res.GeometryType); err != nil {
			return fail("simplified copy for low-zoom tiles", err)
		}
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

// geomExpression turns the staged WKB into the stored geometry: reprojected to WGS84 when it is not, and cast to
// the layer's multi type.
func geomExpression(srid int, layerType string) string {
	e := `GeomFromWKB(wkb, 4326)`
	if srid != 4326 {
		e = `ST_Transform(GeomFromWKB(wkb, ` + strconv.Itoa(srid) + `), 4326)`
	}
	switch layerType {
	case "MULTIPOINT":
		e = `CastToMultiPoint(` + e + `)`
	case "MULTILINESTRING":
		e = `CastToMultiLineString(` + e + `)`
	case "MULTIPOLYGON":
		e = `CastToMultiPolygon(` + e + `)`
	}
	return ", " + e
}

// repair makes invalid polygons valid with SpatiaLite's ST_MakeValid, keeping only their polygonal part in a
// polygon layer, and records what happened to each.

// keepWithin deletes the rows that do not intersect the territory. The bounding-box test first spares GEOS the
// rows that are obviously outside.
func (im *Import) keepWithin(ctx context.Context, res *Result) error {
	b, err := wkb.Marshal(im.within)
	if err != nil {
		return err
	}
	r, err := im.tx.ExecContext(ctx, `DELETE FROM `+quoteIdent(im.table)+` WHERE geom IS NULL
		OR NOT (MbrIntersects(geom, GeomFromWKB(?1, 4326)) AND ST_Intersects(geom, GeomFromWKB(?1, 4326)) = 1)`, b)
	if err != nil {
		return err
	}
	res.Outside, _ = r.RowsAffected()
	res.Rows -= res.Outside
	return nil
}

// Commit records the dataset in the catalogue with its import report and makes the new version visible, in
// the same transaction as everything Finish built.
func (im *Import) Commit(ctx context.Context, report any) (Dataset, error) {
	res, err := im.Finish(ctx)
	if err != nil {
		im.Rollback()
		return Dataset{}, err
	}
	rep, err := json.Marshal(report)
	if err != nil {
		im.Rollback()
		return Dataset{}, fmt.Errorf("import %s: report: %w", im.info.ID, err)
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
	if im.info.Source.RetrievedAt.IsZero() {
		im.info.Source.RetrievedAt = now
	}
	if im.info.Theme == "" {
		im.info.Theme = ThemeOther
	}
	var minX, minY, maxX, maxY any
	if b := res.BBox; b != nil {
		minX, minY, maxX, maxY = b.Min[0], b.Min[1], b.Max[0], b.Max[1]
	}
	i := im.info
	_, err = im.tx.ExecContext(ctx, `INSERT OR REPLACE INTO patrimap_datasets (`+datasetColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		i.ID, im.table, i.Title, i.Description, i.Theme, i.Producer, i.Licence, i.Attribution,
		i.Source.URL, i.Source.File, i.Source.SHA256, i.Source.RetrievedAt.Format(time.RFC3339Nano), i.SourceCRS,
		res.GeometryType, res.Rows, minX, minY, maxX, maxY, string(fields), res.Version, now.Format(time.RFC3339Nano), string(rep))
	if err != nil {
		im.Rollback()
		return Dataset{}, fmt.Errorf("import %s: record in catalogue: %w", im.info.ID, err)
	}
	if err := im.tx.Commit(); err != nil {
		im.conn.Close()
		return Dataset{}, fmt.Errorf("import %s: commit: %w", im.info.ID, err)
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

// SetSourceSRID sets the EPSG code of the geometries given to Add, when it is learnt while reading.
func (im *Import) SetSourceSRID(srid int) { im.srid = srid }

// SetSourceCRS sets the catalogue's description of the source CRS.
func (im *Import) SetSourceCRS(crs string) { im.info.SourceCRS = crs }
