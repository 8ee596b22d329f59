package sqlitefile

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/patrimap/patrimap/store"
)

// ErrNoSpatiaLite is returned (wrapped) when a SpatiaLite file is asked for and mod_spatialite cannot be loaded.
var ErrNoSpatiaLite = errors.New("SpatiaLite extension mod_spatialite not found: install it with `sudo apt-get install libsqlite3-mod-spatialite`")

// Stream streams the features of one dataset to each, in fid order, with Values aligned with the dataset's
// Fields. The Feature may be reused between calls. A read snapshot gives one:
//
//	func(ctx context.Context, each func(*store.Feature) error) error {
//		return sn.Features(ctx, d, store.Query{}, each)
//	}
type Stream func(ctx context.Context, each func(*store.Feature) error) error

// connector opens connections to one file without registering a global driver name.
type connector struct {
	dsn string
	drv *sqlite3.SQLiteDriver
}

func (c connector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }
func (c connector) Driver() driver.Driver                        { return c.drv }

// build makes a new SQLite file at path: fill writes it on a connection of its own, in a file created beside
// path, which replaces path only once fill succeeded and the file is on disk. extensions are the SQLite
// extensions the connection loads.
func build(ctx context.Context, path string, extensions []string, fill func(context.Context, *sql.Conn) error) (err error) {
	fail := func(step string, e error) error { return fmt.Errorf("write %s: %s: %w", path, step, e) }
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fail("create temporary file", err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	defer func() {
		if err != nil {
			os.Remove(tmpName)
			os.Remove(tmpName + "-journal")
		}
	}()

	db := sql.OpenDB(connector{dsn: "file:" + (&url.URL{Path: tmpName}).EscapedPath(), drv: &sqlite3.SQLiteDriver{Extensions: extensions}})
	defer db.Close()
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		if len(extensions) > 0 && strings.Contains(err.Error(), extensions[0]) {
			return fail("open", fmt.Errorf("%w (%v)", ErrNoSpatiaLite, err))
		}
		return fail("open", err)
	}
	defer conn.Close()
	// No rollback journal and no sync while building: the file is private until the rename, and an error
	// discards it whole. It is synced once, before the rename.
	for _, pragma := range []string{`PRAGMA journal_mode = OFF`, `PRAGMA synchronous = OFF`, `PRAGMA cache_size = -32768`} {
		if _, err := conn.ExecContext(ctx, pragma); err != nil {
			return fail("configure", err)
		}
	}
	if err := fill(ctx, conn); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := errors.Join(conn.Close(), db.Close()); err != nil {
		return fail("close", err)
	}
	if err := syncFile(tmpName); err != nil {
		return fail("sync", err)
	}
	// CreateTemp made it private to us; a download is for anyone who may read the folder.
	if err := os.Chmod(tmpName, 0o644); err != nil {
		return fail("chmod", err)
	}
	if err := os.Rename(tmpName, path); err != nil {
		return fail("rename", err)
	}
	return nil
}

func syncFile(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	return errors.Join(f.Sync(), f.Close())
}

// execAll runs statements in order on conn.
func execAll(ctx context.Context, conn *sql.Conn, stmts ...string) error {
	for _, stmt := range stmts {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}

// quoteIdent quotes an SQL identifier (a table or column name from the catalogue) for SQLite.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// columnType is the declared type a field's column gets, which GDAL and QGIS read as the field's type: the
// store's own, except integers, declared as integer (GeoPackage: 64 bits) or BIGINT (SpatiaLite: GDAL's SQLite
// driver reads INTEGER as 32 bits, and 2^40 as 2147483647), and JSON, which each format marks its own way.
func columnType(t store.FieldType, integer, json string) string {
	switch t {
	case store.FieldInteger:
		return integer
	case store.FieldReal:
		return "REAL"
	case store.FieldBoolean:
		return "BOOLEAN"
	case store.FieldDate:
		return "DATE"
	case store.FieldDateTime:
		return "DATETIME"
	case store.FieldJSON:
		return json
	}
	return "TEXT"
}

// table describes the features table of a file: its DDL and the INSERT that fills it.
type table struct {
	name     string
	fidDecl  string // "fid INTEGER PRIMARY KEY..."
	geomDecl string // ", geom MULTIPOLYGON" when the geometry is declared with the table, else ""
	geomExpr string // what the INSERT makes of the geometry parameter; "" when the table has no geometry
	intType  string
	jsonType string
}

func (t table) create(d store.Dataset) string {
	var b strings.Builder
	b.WriteString(`CREATE TABLE ` + quoteIdent(t.name) + ` (` + t.fidDecl + t.geomDecl)
	for _, f := range d.Fields {
		b.WriteString(", " + quoteIdent(f.Name) + " " + columnType(f.Type, t.intType, t.jsonType))
	}
	b.WriteString(")")
	return b.String()
}

func (t table) insert(d store.Dataset) string {
	cols, params := "fid", "?"
	if t.geomExpr != "" {
		cols, params = cols+", geom", params+", "+t.geomExpr
	}
	for _, f := range d.Fields {
		cols += ", " + quoteIdent(f.Name)
		params += ", ?"
	}
	return `INSERT INTO ` + quoteIdent(t.name) + ` (` + cols + `) VALUES (` + params + `)`
}

// writeRows inserts the features of stream into t, in one prepared statement. geometry makes the geometry
// parameter of a feature (nil for none); value converts a value of field i for the format.
func writeRows(ctx context.Context, conn *sql.Conn, d store.Dataset, t table, stream Stream,
	geometry func(*store.Feature) (any, error), value func(i int, v any) any) error {
	stmt, err := conn.PrepareContext(ctx, t.insert(d))
	if err != nil {
		return fmt.Errorf("prepare insert: %w", err)
	}
	defer stmt.Close()
	hasGeom := t.geomExpr != ""
	args := make([]any, 0, len(d.Fields)+2)
	return stream(ctx, func(f *store.Feature) error {
		if len(f.Values) != len(d.Fields) {
			return fmt.Errorf("feature %d: %d values for %d fields", f.FID, len(f.Values), len(d.Fields))
		}
		args = append(args[:0], f.FID)
		if hasGeom {
			g, err := geometry(f)
			if err != nil {
				return fmt.Errorf("feature %d: geometry: %w", f.FID, err)
			}
			args = append(args, g)
		}
		for i, v := range f.Values {
			args = append(args, value(i, v))
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("feature %d: %w", f.FID, err)
		}
		return nil
	})
}
