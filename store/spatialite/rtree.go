package spatialite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
)

// The spatial index of a new table is bulk loaded: SpatiaLite's CreateSpatialIndex inserts the rows one by
// one into SQLite's R*Tree (a descent, node splits and three shadow-table writes per row), the import's
// largest cost on a million points. Here the tree is packed (the boxes in curve order, order.go: a
// Hilbert-packed R-tree) and its nodes written whole into the R-tree's shadow tables, in the format SQLite's
// rtree module documents (rtree.c): per node, the tree depth (root only) and the cell count as big-endian
// 16-bit integers, then the cells: a 64-bit id (the row's fid in a leaf, a child node's number above) and the
// box as big-endian 32-bit floats xmin, xmax, ymin, ymax, rounded outwards as the module rounds them. The
// R-tree and its triggers are SpatiaLite's own (CreateSpatialIndex on the empty table); SQLite's rtreecheck()
// checks the result in the tests. Memory stays bounded: SQLite sorts the boxes, and each level's nodes go
// through a temporary table.

// rtreeDims is the number of coordinates of a cell's box (2 dimensions, a min and a max each).
const rtreeDims = 4

// rtreeValueDown is rtree.c's rtreeValueDown (SQLite 3.54, bundled by go-sqlite3): the float nearest d, moved
// one step down when it is above d.
func rtreeValueDown(d float64) float32 {
	f := float32(d)
	if float64(f) > d {
		x := math.Float32bits(f)
		if x&0x80000000 != 0 {
			x++
		} else {
			x--
		}
		f = math.Float32frombits(x)
	}
	return f
}

// rtreeValueUp is rtree.c's rtreeValueUp: the float nearest d, moved one step up when it is below d.
func rtreeValueUp(d float64) float32 {
	f := float32(d)
	if float64(f) < d {
		x := math.Float32bits(f)
		if x&0x80000000 != 0 {
			x--
		} else {
			x++
		}
		f = math.Float32frombits(x)
	}
	return f
}

// rtreeCell is one entry of a node: a fid or a child node, and its box.
type rtreeCell struct {
	id  int64
	box [rtreeDims]float32
}

// rtreeLoader writes the nodes of one R-tree, level by level from the leaves.
type rtreeLoader struct {
	tx       *sql.Tx
	index    string // the R-tree virtual table
	capacity int    // cells per node
	size     int    // bytes per node
	next     int64  // the next node number (1 is the root's)
	node     []byte
	ids      []byte // a node's cell ids as a JSON array
	writeN   *sql.Stmt
	writeP   *sql.Stmt
	writeL   *sql.Stmt
}

// loadSpatialIndex fills the empty R-tree index of the new table's geometry column from its n rows with a
// geometry, by the boxes and in the curve order staged with them (the box of a geometry as SpatiaLite's
// MbrMinX... give it: orb's Bound, a polygon's outer ring's, is SpatiaLite's too).
func loadSpatialIndex(ctx context.Context, tx *sql.Tx, index string, n int64) (err error) {
	var size int
	if err := tx.QueryRowContext(ctx, `SELECT length(data) FROM `+quoteIdent(index+"_node")+` WHERE nodeno = 1`).Scan(&size); err != nil {
		return fmt.Errorf("read the R-tree's root: %w", err)
	}
	l := &rtreeLoader{tx: tx, index: index, size: size, capacity: (size - 4) / (8 + 4*rtreeDims), next: 2, node: make([]byte, size)}
	if n == 0 || l.capacity < 2 {
		return nil
	}
	for _, stmt := range []string{
		`DROP TABLE IF EXISTS temp.patrimap_rtree_level`,
		`CREATE TEMP TABLE patrimap_rtree_level (level INTEGER, i INTEGER, id INTEGER, x0 REAL, x1 REAL, y0 REAL, y1 REAL, PRIMARY KEY (level, i))`,
		`DROP TABLE IF EXISTS temp.patrimap_rtree_sorted`,
		`CREATE TEMP TABLE patrimap_rtree_sorted (p INTEGER PRIMARY KEY, fid INTEGER, x0 REAL, x1 REAL, y0 REAL, y1 REAL)`,
	} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	defer func() {
		for _, tmp := range []string{"patrimap_rtree_level", "patrimap_rtree_sorted"} {
			if _, dropErr := tx.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS temp.`+tmp); err == nil {
				err = dropErr
			}
		}
	}()
	prepare := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var s *sql.Stmt
		s, err = tx.PrepareContext(ctx, q)
		return s
	}
	l.writeN = prepare(`INSERT OR REPLACE INTO ` + quoteIdent(index+"_node") + ` (nodeno, data) VALUES (?, ?)`)
	// A node's links to its children in one statement (a JSON array of their numbers).
	l.writeP = prepare(`INSERT INTO ` + quoteIdent(index+"_parent") + ` (nodeno, parentnode) SELECT value, ? FROM json_each(?)`)
	l.writeL = prepare(`INSERT INTO temp.patrimap_rtree_level (level, i, id, x0, x1, y0, y1) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer func() {
		for _, s := range []*sql.Stmt{l.writeN, l.writeP, l.writeL} {
			s.Close()
		}
	}()
	leaves := (n + int64(l.capacity) - 1) / int64(l.capacity)
	// The cells in leaf order, numbered: the leaves are read from it in order, the map from fid to leaf
	// written from it in fid order (the R-tree's rowid table, appended to rather than written all over).
	if _, err := tx.ExecContext(ctx, `INSERT INTO temp.patrimap_rtree_sorted (fid, x0, x1, y0, y1)
		SELECT fid, x0, x1, y0, y1 FROM temp.patrimap_staging WHERE key IS NOT NULL ORDER BY key, fid`); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT fid, x0, x1, y0, y1 FROM temp.patrimap_rtree_sorted ORDER BY p`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var x0, x1, y0, y1 float64
	var c rtreeCell
	count, err := l.level(ctx, 0, n, func() (rtreeCell, error) {
		if !rows.Next() {
			if err := rows.Err(); err != nil {
				return c, err
			}
			return c, fmt.Errorf("the table has fewer geometries than it counted")
		}
		if err := rows.Scan(&c.id, &x0, &x1, &y0, &y1); err != nil {
			return c, err
		}
		c.box = [rtreeDims]float32{rtreeValueDown(x0), rtreeValueUp(x1), rtreeValueDown(y0), rtreeValueUp(y1)}
		return c, nil
	})
	if err != nil {
		return err
	}
	rows.Close()
	// Leaf i is node 2 + i (node 1 when it is the root); the first n % leaves leaves hold one cell more.
	if count == 1 {
		_, err = tx.ExecContext(ctx, `INSERT INTO `+quoteIdent(index+"_rowid")+` (rowid, nodeno) SELECT fid, 1 FROM temp.patrimap_rtree_sorted ORDER BY fid`)
	} else {
		base := n / leaves
		big := (n % leaves) * (base + 1) // cells in the fuller leaves
		_, err = tx.ExecContext(ctx, `INSERT INTO `+quoteIdent(index+"_rowid")+` (rowid, nodeno)
			SELECT fid, 2 + CASE WHEN p - 1 < ?1 THEN (p - 1) / (?2 + 1) ELSE ?3 + (p - 1 - ?1) / ?2 END
			FROM temp.patrimap_rtree_sorted ORDER BY fid`, big, base, n%leaves)
	}
	if err != nil {
		return fmt.Errorf("the R-tree's rowid map: %w", err)
	}
	for depth := 1; count > 1; depth++ {
		level, err := tx.QueryContext(ctx, `SELECT id, x0, x1, y0, y1 FROM temp.patrimap_rtree_level WHERE level = ? ORDER BY i`, depth-1)
		if err != nil {
			return err
		}
		count, err = l.level(ctx, depth, count, func() (rtreeCell, error) {
			if !level.Next() {
				if err := level.Err(); err != nil {
					return c, err
				}
				return c, fmt.Errorf("level %d of the R-tree ended early", depth-1)
			}
			var b [rtreeDims]float64
			if err := level.Scan(&c.id, &b[0], &b[1], &b[2], &b[3]); err != nil {
				return c, err
			}
			for i := range b {
				c.box[i] = float32(b[i]) // the children's floats, exactly
			}
			return c, nil
		})
		level.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// level packs n cells read from next into nodes of the given depth (0: leaves), records each node as a cell
// of the level above and says how many nodes it wrote. A level of one node is the root, node 1.
func (l *rtreeLoader) level(ctx context.Context, depth int, n int64, next func() (rtreeCell, error)) (int64, error) {
	nodes := (n + int64(l.capacity) - 1) / int64(l.capacity)
	root := nodes == 1
	// Nodes as even as can be: none under half full, which SQLite's deletes expect (RTREE_MINCELLS, a third).
	base, extra := n/nodes, n%nodes
	cells := make([]rtreeCell, 0, l.capacity)
	for i := int64(0); i < nodes; i++ {
		cells = cells[:0]
		k := base
		if i < extra {
			k++
		}
		for j := int64(0); j < k; j++ {
			c, err := next()
			if err != nil {
				return 0, err
			}
			cells = append(cells, c)
		}
		nodeno := int64(1)
		if !root {
			nodeno = l.next
			l.next++
		}
		box, err := l.write(ctx, nodeno, depth, root, cells)
		if err != nil {
			return 0, err
		}
		if !root {
			if _, err := l.writeL.ExecContext(ctx, depth, i, nodeno, float64(box[0]), float64(box[1]), float64(box[2]), float64(box[3])); err != nil {
				return 0, err
			}
		}
	}
	return nodes, nil
}

// write stores one node and the links to it of its cells (the rowid map for a leaf, the parent map above), and
// returns the box around its cells.
func (l *rtreeLoader) write(ctx context.Context, nodeno int64, depth int, root bool, cells []rtreeCell) ([rtreeDims]float32, error) {
	clear(l.node)
	if root {
		binary.BigEndian.PutUint16(l.node[0:], uint16(depth))
	}
	binary.BigEndian.PutUint16(l.node[2:], uint16(len(cells)))
	box := cells[0].box
	p := 4
	for _, c := range cells {
		binary.BigEndian.PutUint64(l.node[p:], uint64(c.id))
		p += 8
		for i, v := range c.box {
			binary.BigEndian.PutUint32(l.node[p:], math.Float32bits(v))
			p += 4
			if i%2 == 0 {
				box[i] = min(box[i], v)
			} else {
				box[i] = max(box[i], v)
			}
		}
	}
	ids := append(l.ids[:0], '[')
	for i, c := range cells {
		if i > 0 {
			ids = append(ids, ',')
		}
		ids = strconv.AppendInt(ids, c.id, 10)
	}
	l.ids = append(ids, ']')
	if depth > 0 {
		if _, err := l.writeP.ExecContext(ctx, nodeno, string(l.ids)); err != nil {
			return box, err
		}
	}
	_, err := l.writeN.ExecContext(ctx, nodeno, l.node)
	return box, err
}

// setTriggersAside drops the triggers of table t and returns the statements that create them again.
func setTriggersAside(ctx context.Context, tx *sql.Tx, t string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? ORDER BY rowid`, t)
	if err != nil {
		return nil, err
	}
	var names, ddl []string
	for rows.Next() {
		var name, sql string
		if err := rows.Scan(&name, &sql); err != nil {
			rows.Close()
			return nil, err
		}
		names, ddl = append(names, name), append(ddl, sql)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, name := range names {
		if _, err := tx.ExecContext(ctx, `DROP TRIGGER `+quoteIdent(name)); err != nil {
			return nil, err
		}
	}
	return ddl, nil
}

// restoreTriggers creates the triggers set aside again and stamps the table's last insert, as the per-row
// trigger would have.
func restoreTriggers(ctx context.Context, tx *sql.Tx, t string, ddl []string) error {
	for _, stmt := range ddl {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `UPDATE geometry_columns_time SET last_insert = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
		WHERE Lower(f_table_name) = Lower(?) AND Lower(f_geometry_column) = 'geom'`, t)
	return err
}
