package cql2

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/store"
)

// The limits of a filter. A filter becomes one SQL expression with a parameter per value: these keep it far
// under SQLite's limits (3.54, as bundled by mattn/go-sqlite3: 32,766 parameters, an expression tree 1,000
// levels deep, a parser stack of 2,500) and PostgreSQL's (65,535 parameters), with room for the rest of the
// query (bounding box, paging), and let a hostile filter be refused before any costly work.
const (
	// MaxBytes bounds the filter's text, checked first (a GET request cannot send more: Go's HTTP server reads
	// at most 1 MB of request line and headers).
	MaxBytes = 1 << 20
	// MaxValues bounds the values of the whole filter (IN lists, comparisons; S_INTERSECTS counts five).
	MaxValues = 10_000
	// MaxTerms bounds the conditions joined by one chain of AND or OR: SQLite nests a chain of n as n levels.
	MaxTerms = 400
	// MaxNesting bounds NOTs and parentheses around a condition, checked as the filter is read.
	MaxNesting = 100
	// MaxDepth bounds the levels of the SQL expression the filter becomes (what SQLite limits to 1,000).
	MaxDepth = 600
)

// intersectsParams is what one S_INTERSECTS takes of the query's parameters: a bounding box and the geometry.
const intersectsParams = 5

// sqlDepth is how many levels deep the store's SQL for e nests (see store's exprSQL): a comparison is two (the
// operator over a column and a parameter), NOT one more, a chain of n operands n-1 binary operators over the
// first two, fewer over the later ones, S_INTERSECTS its index subquery and function calls.
func sqlDepth(e store.Expr) int {
	chain := func(xs []store.Expr) int {
		d := 0
		for i, x := range xs {
			above := len(xs) - i
			if i == 0 {
				above = len(xs) - 1
			}
			d = max(d, above+sqlDepth(x))
		}
		return d
	}
	switch e := e.(type) {
	case store.And:
		return chain(e)
	case store.Or:
		return chain(e)
	case store.Not:
		return 1 + sqlDepth(e.X)
	case store.Intersects:
		return 8
	}
	return 2
}

// count writes n with thousands separators: 32,765.
func count(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// checkInstant checks the value of DATE('...') or TIMESTAMP('...'): a real day, a real time (what would be
// compared as text would otherwise match nothing, silently).
func checkInstant(fn, s string) error {
	if fn == "DATE" {
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return fmt.Errorf("DATE('%s') is not a date: write DATE('YYYY-MM-DD'), e.g. DATE('2015-03-12')", s)
		}
		return nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05"} {
		if _, err := time.Parse(layout, s); err == nil {
			return nil
		}
	}
	return fmt.Errorf("TIMESTAMP('%s') is not a timestamp: write TIMESTAMP('YYYY-MM-DDThh:mm:ssZ'), e.g. TIMESTAMP('2015-03-12T10:00:00Z')", s)
}

// checkLonLat refuses a position that is not a CRS84 longitude and latitude (the filter's only CRS).
func checkLonLat(p orb.Point) error {
	if math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0) {
		return fmt.Errorf("(%v %v) is not a position: coordinates must be numbers", p[0], p[1])
	}
	if p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
		return fmt.Errorf("(%v %v) is out of range: longitude -180..180, latitude -90..90 (CRS84)", p[0], p[1])
	}
	return nil
}

// checkGeometry refuses what SpatiaLite would read as no geometry, or a wrong one: positions out of range, lines
// of fewer than 2 points, rings of fewer than 4 or not closed, empty geometries.
func checkGeometry(g orb.Geometry) error {
	points := func(ps []orb.Point) error {
		for _, p := range ps {
			if err := checkLonLat(p); err != nil {
				return err
			}
		}
		return nil
	}
	line := func(ls orb.LineString) error {
		if len(ls) < 2 {
			return fmt.Errorf("a line of %d points: a line needs at least 2", len(ls))
		}
		return points(ls)
	}
	polygon := func(pg orb.Polygon) error {
		if len(pg) == 0 {
			return errors.New("empty polygon")
		}
		for i, r := range pg {
			if len(r) < 4 {
				return fmt.Errorf("ring %d has %d points: a ring needs at least 4, the last one repeating the first", i+1, len(r))
			}
			if !r.Closed() {
				return fmt.Errorf("ring %d is not closed: it starts at (%v %v) and ends at (%v %v); repeat the first point at the end",
					i+1, r[0][0], r[0][1], r[len(r)-1][0], r[len(r)-1][1])
			}
			if err := points(r); err != nil {
				return err
			}
		}
		return nil
	}
	switch g := g.(type) {
	case orb.Point:
		return checkLonLat(g)
	case orb.MultiPoint:
		return each(len(g), func(i int) error { return checkLonLat(g[i]) })
	case orb.LineString:
		return line(g)
	case orb.MultiLineString:
		return each(len(g), func(i int) error { return line(g[i]) })
	case orb.Polygon:
		return polygon(g)
	case orb.MultiPolygon:
		return each(len(g), func(i int) error { return polygon(g[i]) })
	case orb.Collection:
		return each(len(g), func(i int) error { return checkGeometry(g[i]) })
	}
	return fmt.Errorf("unsupported geometry %T", g)
}

// each checks the n parts of a multi-geometry with check; a multi-geometry with no part is empty.
func each(n int, check func(i int) error) error {
	if n == 0 {
		return errors.New("empty geometry")
	}
	for i := 0; i < n; i++ {
		if err := check(i); err != nil {
			return err
		}
	}
	return nil
}
