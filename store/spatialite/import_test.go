package spatialite

import (
	"context"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/patrimap/patrimap/store"
)

// Rows are staged in batches: every row comes back as it was added, whether its batch was written full, cut
// short by a column that appears halfway (n from the 100th row), by a value of over a megabyte (note, on the
// 1000th, itself a new column), or by the end of the import.
func TestStagedRowsComeBackWhole(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	var pts []orb.Point
	eachVertex(t, func(_ *geojson.Feature, p orb.Point) { pts = append(pts, p) })
	if len(pts) < 1500 {
		t.Fatalf("%d points: too few for batches cut every way", len(pts))
	}
	long := strings.Repeat("réserve naturelle ", 70000) // 1.3 MB
	rows := make([]store.Row, len(pts))
	for i, p := range pts {
		props := []store.Property{{Key: "site", Value: "vertex " + string(rune('a'+i%26))}}
		if i >= 99 {
			props = append(props, store.Property{Key: "n", Value: int64(i + 1)})
		}
		if i == 999 {
			props = append(props, store.Property{Key: "note", Value: long})
		}
		rows[i] = store.Row{Geometry: p, Properties: props}
	}
	d := importRows(t, s, "batches", rows)
	if d.FeatureCount != int64(len(rows)) {
		t.Fatalf("%d features, %d added", d.FeatureCount, len(rows))
	}
	q, err := s.db.QueryContext(ctx, `SELECT fid, X(geom), Y(geom), site, n, note FROM `+quoteIdent(d.Table)+` ORDER BY fid`)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	i := 0
	for ; q.Next(); i++ {
		var fid int64
		var x, y float64
		var site string
		var n *int64
		var note *string
		if err := q.Scan(&fid, &x, &y, &site, &n, &note); err != nil {
			t.Fatal(err)
		}
		wantN := i >= 99
		if fid != int64(i+1) || x != pts[i][0] || y != pts[i][1] || site != rows[i].Properties[0].Value ||
			(n != nil) != wantN || wantN && *n != int64(i+1) || (note != nil) != (i == 999) || i == 999 && *note != long {
			t.Fatalf("row %d: fid %d (%v %v) %q n %v note set %v, added %v", i, fid, x, y, site, n, note != nil, rows[i])
		}
	}
	if err := q.Err(); err != nil {
		t.Fatal(err)
	}
	if i != len(rows) {
		t.Errorf("%d rows read back, %d added", i, len(rows))
	}
}
