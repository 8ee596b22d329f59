package teststores

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"
	_ "github.com/mattn/go-sqlite3" // the SpatiaLite file's tables, dropped as SQLite

	"github.com/patrimap/patrimap/store"
)

// DropTileTables makes dataset d of the store dsn names (of kind k) as an older patrimap left it: without the
// tables its import builds for its low-zoom tiles, a line or polygon layer's pyramid, a point layer's clusters
// (store.ReimportChecker). The names are the stores' own: SpatiaLite's pyramid of a table a zoom and its copy
// of the columns, its clusters table; PostGIS's pyramid and clusters tables of the version's oid.
func (k Kind) DropTileTables(t testing.TB, dsn string, d store.Dataset) {
	t.Helper()
	k.exec(t, dsn, d, `DROP TABLE IF EXISTS %s`, "pyramid", "clusters")
}

// ShallowClusters makes point dataset d of the store dsn names as imported when clusters stopped at zoom 8:
// its clusters have no cell at deeper zooms.
func (k Kind) ShallowClusters(t testing.TB, dsn string, d store.Dataset) {
	t.Helper()
	k.exec(t, dsn, d, `DELETE FROM %s WHERE z > 8`, "clusters")
}

// exec runs statement (%s: a table) on each of d's tile tables of the kinds given (pyramid, clusters).
func (k Kind) exec(t testing.TB, dsn string, d store.Dataset, statement string, kinds ...string) {
	t.Helper()
	ctx := context.Background()
	var tables []string
	if k.Name == PostGIS.Name {
		conn, internal := connectPostgres(t, dsn)
		defer conn.Close(ctx)
		var relid uint32
		err := conn.QueryRow(ctx, `SELECT relid FROM `+pgx.Identifier{internal, "datasets"}.Sanitize()+` WHERE id = $1`, d.ID).Scan(&relid)
		if err != nil {
			t.Fatalf("dataset %s: %v", d.ID, err)
		}
		for _, kind := range kinds {
			tables = append(tables, pgx.Identifier{internal, kind + "__" + strconv.FormatUint(uint64(relid), 10)}.Sanitize())
		}
		for _, table := range tables {
			if _, err := conn.Exec(ctx, fmt.Sprintf(statement, table)); err != nil {
				t.Fatalf("dataset %s: %v", d.ID, err)
			}
		}
		return
	}
	for _, kind := range kinds {
		if kind == "clusters" {
			tables = append(tables, "idx_patrimap_clusters_"+d.Table+"_geom")
			continue
		}
		tables = append(tables, "idx_patrimap_tilevalues_"+d.Table+"_geom")
		for z := 0; z <= store.PyramidMaxZoom; z++ {
			tables = append(tables, "idx_patrimap_zoom"+strconv.Itoa(z)+"_"+d.Table+"_geom")
		}
	}
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, table := range tables {
		if _, err := db.ExecContext(ctx, fmt.Sprintf(statement, `"`+table+`"`)); err != nil {
			t.Fatalf("dataset %s: %v", d.ID, err)
		}
	}
}

// connectPostgres connects to the database of the PostGIS store dsn names, and says the store's internal
// schema.
func connectPostgres(t testing.TB, dsn string) (*pgx.Conn, string) {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	internal := q.Get("schema") + "_internal"
	q.Del("schema") // patrimap's parameter, not PostgreSQL's
	u.RawQuery = q.Encode()
	conn, err := pgx.Connect(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	return conn, internal
}
