package osm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/geojson"
	"github.com/patrimap/patrimap/importers/limit"
)

// An export (geodatamine, overpass-turbo, osmtogeojson) has one feature per element with the tags as properties
// (flat, or in a "tags" object) and the element as osm_id, @id or id: "node/123". geodatamine's exports are
// already cut to its theme and carry no filter tag (no leisure column in its playground export): a feature
// without any of the theme's filter keys is taken as already selected.

// exportFeature turns an export's properties into an element.
func exportElement(props []propertyLike) Element {
	e := Element{Tags: map[string]string{}}
	for _, p := range props {
		key, v := p.key(), p.value()
		switch key {
		case "tags":
			if raw, ok := v.(json.RawMessage); ok {
				var tags map[string]any
				if json.Unmarshal(raw, &tags) == nil {
					for k, tv := range tags {
						e.Tags[k] = scalarText(tv)
					}
				}
			}
			continue
		case "@id", "osm_id", "id", "feature_id", "osm_uid":
			if typ, id, ok := parseOSMRef(scalarText(v)); ok && e.Type == "" {
				e.Type, e.ID = typ, id
				continue
			}
		case "@timestamp", "timestamp":
			e.Timestamp = scalarText(v)
			continue
		case "@version", "version":
			if n, err := strconv.Atoi(scalarText(v)); err == nil {
				e.Version = n
			}
			continue
		case "@type", "osm_type":
			if e.Type == "" {
				e.Type = scalarText(v)
			}
			continue
		}
		if s := scalarText(v); s != "" && !strings.HasPrefix(key, "@") {
			e.Tags[key] = s
		}
	}
	return e
}

type propertyLike interface {
	key() string
	value() any
}

// parseOSMRef reads "node/123", "way/45", "relation/6" and the short forms n123, w45, r6.
func parseOSMRef(s string) (string, int64, bool) {
	s = strings.TrimSpace(s)
	typ, idText, ok := strings.Cut(s, "/")
	if !ok && len(s) > 1 {
		switch s[0] {
		case 'n':
			typ, idText = "node", s[1:]
		case 'w':
			typ, idText = "way", s[1:]
		case 'r':
			typ, idText = "relation", s[1:]
		}
	}
	switch typ {
	case "node", "way", "relation":
	default:
		return "", 0, false
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		return "", 0, false
	}
	return typ, id, true
}

func scalarText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(v, 10)
	case int:
		return strconv.Itoa(v)
	case bool:
		if v {
			return "yes"
		}
		return "no"
	case json.RawMessage:
		return string(v)
	}
	return fmt.Sprint(v)
}

type storeProp struct {
	k string
	v any
}

func (p storeProp) key() string { return p.k }
func (p storeProp) value() any  { return p.v }

// exportFilter applies the theme's filter to the features that carry one of its keys, and counts the others.
// A file is filtered when any of its features has one of the filter's keys (a CSV: when its header has one).
type exportFilter struct {
	th         *Theme
	keys       []string
	tagged     bool // the file has the filter's keys: apply it
	unfiltered int64
}

func (x *exportFilter) hasKeys(tags map[string]string) bool {
	for _, k := range x.keys {
		if _, ok := tags[k]; ok {
			return true
		}
	}
	return false
}

func (x *exportFilter) keep(e Element) bool {
	if x.tagged {
		return x.th.Filter().Match(MapTags(e.Tags))
	}
	x.unfiltered++
	return true
}

func (x *exportFilter) report(rep *importers.Report) {
	if x.unfiltered > 0 {
		rep.Warn("%d features have none of the theme's filter keys (%s): taken as already selected by theme, as geodatamine exports are",
			x.unfiltered, strings.Join(x.keys, ", "))
	}
}

func (f *File) exportRecord(rep *importers.Report, x *exportFilter, ref string, g orb.Geometry, e Element, emit func(importers.Record) error) error {
	if !x.keep(e) {
		rep.Skip("feature not of the theme (its tags do not match the filter)", ref)
		return nil
	}
	if e.Type != "" {
		ref = e.Ref()
	}
	th := f.opts.Theme
	if th.Geometry == GeometryArea && g != nil {
		switch g.(type) {
		case orb.LineString, orb.MultiLineString:
			rep.Skip("a line, not an area", ref)
			return nil
		case orb.Point, orb.MultiPoint:
			if !th.Nodes {
				rep.Skip("a point: the theme keeps areas only", ref)
				return nil
			}
		}
	}
	f.stats.Matched++
	if g != nil && (f.opts.AsPoints || th.Geometry == GeometryPoint) {
		g = LabelPoint(g)
	}
	return emit(importers.Record{Ref: ref, Geometry: g, Properties: th.Properties(e, func(what string) { rep.Fix(what, ref) })})
}

func (f *File) geojsonRecords(ctx context.Context, rep *importers.Report, emit func(importers.Record) error) error {
	r, closeFn, err := f.open()
	if err != nil {
		return err
	}
	defer closeFn()
	x := &exportFilter{th: f.opts.Theme, keys: f.opts.Theme.Filter().Keys()}
	// A first look tells whether the file has the filter's tags (exports are small).
	errFound := errors.New("found")
	err = geojson.NewReader(filepath.Base(f.Path), r, 0).Records(ctx, &importers.Report{}, func(rec importers.Record) error {
		props := make([]propertyLike, len(rec.Properties))
		for i, p := range rec.Properties {
			props[i] = storeProp{p.Key, p.Value}
		}
		if x.hasKeys(exportElement(props).Tags) {
			return errFound
		}
		return nil
	})
	x.tagged = errors.Is(err, errFound)
	closeFn()
	r, closeFn, err = f.open()
	if err != nil {
		return err
	}
	defer closeFn()
	src := geojson.NewReader(filepath.Base(f.Path), r, 0)
	err = src.Records(ctx, rep, func(rec importers.Record) error {
		props := make([]propertyLike, len(rec.Properties))
		for i, p := range rec.Properties {
			props[i] = storeProp{p.Key, p.Value}
		}
		return f.exportRecord(rep, x, rec.Ref, rec.Geometry, exportElement(props), emit)
	})
	if err != nil {
		return err
	}
	if srid := src.SRID(); srid != 4326 && srid != 0 {
		return fmt.Errorf("%w: osm: %s: the file says its CRS is EPSG:%d; OSM exports are WGS84: import it with `patrimap import geojson`",
			errBadFile, filepath.Base(f.Path), srid)
	}
	x.report(rep)
	return nil
}

// CSV exports: geodatamine writes the geometry as WKT in the first column, or (with aspoint=true) as X and Y
// columns; overpass-turbo and uMap write lon/lat or longitude/latitude.

var (
	wktNames = []string{"wkt", "geom", "the_geom", "geometry", "geometrie", "wkt_geom"}
	xNames   = []string{"x", "lon", "lng", "long", "longitude", "@lon"}
	yNames   = []string{"y", "lat", "latitude", "@lat"}
)

// csvLayout is how a CSV export holds its geometry.
type csvLayout struct {
	comma  rune
	header []string
	wkt    int // column of the WKT geometry, -1 if none
	x, y   int // columns of the coordinates, -1 if none
}

func detectCSV(header []string, firstRow []string) (csvLayout, error) {
	l := csvLayout{header: header, wkt: -1, x: -1, y: -1}
	find := func(names []string) int {
		for i, h := range header {
			h = strings.ToLower(strings.TrimSpace(h))
			for _, n := range names {
				if h == n {
					return i
				}
			}
		}
		return -1
	}
	l.wkt = find(wktNames)
	if l.wkt < 0 && len(firstRow) > 0 && looksLikeWKT(firstRow[0]) {
		l.wkt = 0
	}
	if l.wkt < 0 {
		l.x, l.y = find(xNames), find(yNames)
		if l.x < 0 || l.y < 0 {
			return l, fmt.Errorf("no geometry column: expected WKT (a column named wkt, geom or the_geom, or WKT in the first column) or X and Y (lon/lat) columns; the header is %s",
				strings.Join(header, ", "))
		}
	}
	return l, nil
}

func looksLikeWKT(s string) bool {
	s = strings.ToUpper(strings.TrimSpace(s))
	for _, p := range []string{"POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// sniffComma picks the delimiter that splits the header line the most: geodatamine writes commas, French
// spreadsheets semicolons.
func sniffComma(line string) rune {
	best, n := ',', strings.Count(line, ",")
	for _, c := range []rune{';', '\t'} {
		if k := strings.Count(line, string(c)); k > n {
			best, n = c, k
		}
	}
	return best
}

// parseCSVGeometry reads the geometry of one CSV row.
func parseCSVGeometry(l csvLayout, row []string) (orb.Geometry, error) {
	if l.wkt >= 0 {
		if l.wkt >= len(row) {
			return nil, nil
		}
		s := strings.TrimSpace(row[l.wkt])
		if s == "" {
			return nil, nil
		}
		// EWKT (SRID=4326;POINT(...)) is what PostGIS writes.
		if strings.HasPrefix(strings.ToUpper(s), "SRID=") {
			if i := strings.IndexByte(s, ';'); i >= 0 {
				if s[5:i] != "4326" {
					return nil, fmt.Errorf("geometry in SRID %s: OSM exports are in WGS84 (4326)", s[5:i])
				}
				s = s[i+1:]
			}
		}
		g, err := wkt.Unmarshal(s)
		if err != nil {
			return nil, fmt.Errorf("WKT %.40q: %v", s, err)
		}
		return g, nil
	}
	if l.x >= len(row) || l.y >= len(row) {
		return nil, nil
	}
	xs, ys := strings.TrimSpace(row[l.x]), strings.TrimSpace(row[l.y])
	if xs == "" && ys == "" {
		return nil, nil
	}
	x, err1 := strconv.ParseFloat(strings.Replace(xs, ",", ".", 1), 64)
	y, err2 := strconv.ParseFloat(strings.Replace(ys, ",", ".", 1), 64)
	if err := errors.Join(err1, err2); err != nil || math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
		return nil, fmt.Errorf("coordinates %q, %q are not numbers", xs, ys)
	}
	return orb.Point{x, y}, nil
}

func (f *File) csvRecords(ctx context.Context, rep *importers.Report, emit func(importers.Record) error) error {
	r, closeFn, err := f.open()
	if err != nil {
		return err
	}
	defer closeFn()
	name := filepath.Base(f.Path)
	return readCSVExport(ctx, name, r, func(l csvLayout, line int, g orb.Geometry, geomErr error, row []string) error {
		x := f.csvFilter
		if x == nil {
			x = &exportFilter{th: f.opts.Theme, keys: f.opts.Theme.Filter().Keys()}
			header := map[string]string{}
			for _, h := range l.header {
				header[strings.TrimSpace(h)] = ""
			}
			x.tagged = x.hasKeys(header)
			f.csvFilter = x
		}
		ref := "line " + strconv.Itoa(line)
		if geomErr != nil {
			rep.Fix("unreadable geometry stored as no geometry: "+geomErr.Error(), ref)
		}
		props := make([]propertyLike, 0, len(row))
		for i, v := range row {
			if i == l.wkt || i == l.x || i == l.y || i >= len(l.header) {
				continue
			}
			props = append(props, storeProp{strings.TrimSpace(l.header[i]), v})
		}
		return f.exportRecord(rep, x, ref, g, exportElement(props), emit)
	}, func() {
		if f.csvFilter != nil {
			f.csvFilter.report(rep)
		}
	})
}

// readCSVExport reads a CSV export row by row; each row comes with its geometry (or the error reading it).
func readCSVExport(ctx context.Context, name string, r io.Reader, row func(l csvLayout, line int, g orb.Geometry, geomErr error, row []string) error, done func()) error {
	br := newLineSniffer(r)
	first, err := br.firstLine()
	if err != nil {
		return fmt.Errorf("%w: osm: %s: %v", errBadFile, name, err)
	}
	cr := limit.NewCSV(br)
	cr.Comma = sniffComma(strings.TrimPrefix(first, "\ufeff"))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("%w: osm: %s: header: %v", errBadFile, name, err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	var l csvLayout
	line := 1
	detected := false
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line++
		if errors.Is(err, limit.ErrExceeded) {
			return fmt.Errorf("%w: osm: %s: %w", errBadFile, name, err)
		}
		if err != nil {
			return fmt.Errorf("%w: osm: %s: line %d: %v", errBadFile, name, line, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if !detected {
			l, err = detectCSV(header, rec)
			if err != nil {
				return fmt.Errorf("%w: osm: %s: %v", errBadFile, name, err)
			}
			l.comma = cr.Comma
			detected = true
		}
		g, gerr := parseCSVGeometry(l, rec)
		if err := row(l, line, g, gerr, rec); err != nil {
			return err
		}
	}
	done()
	return nil
}

// lineSniffer reads the first line of r without consuming it.
type lineSniffer struct {
	r   io.Reader
	buf []byte
}

func newLineSniffer(r io.Reader) *lineSniffer { return &lineSniffer{r: r} }

func (s *lineSniffer) firstLine() (string, error) {
	chunk := make([]byte, 4096)
	for len(s.buf) < 1<<20 {
		if i := strings.IndexByte(string(s.buf), '\n'); i >= 0 {
			return strings.TrimRight(string(s.buf[:i]), "\r"), nil
		}
		n, err := s.r.Read(chunk)
		s.buf = append(s.buf, chunk[:n]...)
		if err == io.EOF {
			if len(s.buf) == 0 {
				return "", errors.New("the file is empty")
			}
			return string(s.buf), nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", errors.New("the first line is longer than 1 MB: not a CSV file")
}

func (s *lineSniffer) Read(p []byte) (int, error) {
	if len(s.buf) > 0 {
		n := copy(p, s.buf)
		s.buf = s.buf[n:]
		return n, nil
	}
	return s.r.Read(p)
}
