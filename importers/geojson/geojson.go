// Package geojson reads GeoJSON for import: a FeatureCollection (RFC 7946, or the 2008 form with a "crs"
// member), newline-delimited features (GeoJSONL, NDJSON) or a GeoJSON text sequence (RFC 8142), streamed one
// feature at a time so that memory stays flat whatever the file's size.
package geojson

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/charset"
	"github.com/patrimap/patrimap/importers/limit"
	"github.com/patrimap/patrimap/store"
)

// File is a GeoJSON file opened for import.
type File struct {
	path   string
	r      io.Reader
	closer io.Closer
	srid   int
	forced bool
}

// Open opens the GeoJSON file at path, decompressing it when it is gzip or bzip2 (within limit.Expansion).
// srid forces the CRS of its coordinates (0: what the file says, else WGS84).
func Open(path string, srid int, prog *importers.Progress) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("geojson: %w", err)
	}
	var r io.Reader = f
	if prog != nil {
		r = prog.Reader(f)
	}
	r, _, err = limit.Decompress(r, 0, 0)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%w: geojson: %s: %v", importers.ErrBadInput, filepath.Base(path), err)
	}
	return &File{path: path, r: r, closer: f, srid: srid, forced: srid != 0}, nil
}

// NewReader reads GeoJSON from r; name is how errors refer to it (a file name, or "WFS page 3").
func NewReader(name string, r io.Reader, srid int) *File {
	return &File{path: name, r: r, closer: io.NopCloser(nil), srid: srid, forced: srid != 0}
}

// Close closes the file.
func (f *File) Close() error { return f.closer.Close() }

// SRID is the EPSG code of the coordinates: forced, said by the file's "crs" member, or 4326.
func (f *File) SRID() int {
	if f.srid == 0 {
		return 4326
	}
	return f.srid
}

type rawFeature struct {
	Type       string          `json:"type"`
	ID         json.RawMessage `json:"id"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties json.RawMessage `json:"properties"`
}

// Records streams the file's features.
func (f *File) Records(ctx context.Context, rep *importers.Report, emit func(importers.Record) error) error {
	return f.records(ctx, rep, emit, false)
}

// UndecodedRecords streams the file's features as the JSON text of each, which the import pipeline decodes on
// its workers (importers.UndecodedSource): the reading goroutine only splits the file.
func (f *File) UndecodedRecords(ctx context.Context, rep *importers.Report, emit func(importers.Record) error) error {
	return f.records(ctx, rep, emit, true)
}

func (f *File) records(ctx context.Context, rep *importers.Report, emit func(importers.Record) error, undecoded bool) error {
	br := bufio.NewReaderSize(f.r, 64<<10) // lim reads 64 KiB at a time
	skipBOM(br)
	// The decoder holds a whole feature before decoding it: lim keeps one feature, and each value in it, bounded.
	lim := limit.NewJSON(&rsFilter{r: br}, limit.JSONLimits{SpanWhat: "a feature",
		Hint: "no real feature or property is that large: check the file, or split it and simplify its geometries"})
	dec := json.NewDecoder(lim)
	name := filepath.Base(f.path)
	n := 0          // features seen, for references
	var start int64 // where the value being read starts
	// json.Decoder's syntax error offsets are relative to its internal buffer, so the message names the feature
	// and the byte where it starts, which are exact.
	fail := func(err error) error {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return fmt.Errorf("%w: geojson: %s: feature %d (starting after byte %d): %v: the file is not valid JSON; check it with `jq . %s`",
				importers.ErrBadInput, name, n+1, start, err, name)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("%w: geojson: %s: the file ends in the middle of feature %d: it is truncated", importers.ErrBadInput, name, n+1)
		}
		if errors.Is(err, limit.ErrExceeded) {
			return fmt.Errorf("%w: geojson: %s: feature %d (starting after byte %d): %w", importers.ErrBadInput, name, n+1, start, err)
		}
		return fmt.Errorf("geojson: %s: feature %d (starting after byte %d): %w", name, n+1, start, err)
	}
	// decode reads the next value whole: a span of its own for lim.
	decode := func(v any) error {
		lim.Mark()
		return dec.Decode(v)
	}
	// handle hands over the next feature: its JSON text whole, or (the first object of a file of features) its
	// members already read.
	handle := func(text json.RawMessage, members *rawFeature) error {
		n++
		if err := ctx.Err(); err != nil {
			return err
		}
		ref := string(strconv.AppendInt(append(make([]byte, 0, 24), "feature "...), int64(n), 10)) // one allocation
		rec := importers.Record{Ref: ref, Bytes: len(text), Decode: func(r *importers.Record) error {
			raw := members
			if raw == nil {
				raw = new(rawFeature)
				if err := splitFeature(text, raw); err != nil {
					return fmt.Errorf("%w: geojson: %s: %s: %v", importers.ErrBadInput, name, ref, err)
				}
			}
			if raw.Type != "Feature" {
				r.Skip = fmt.Sprintf("not a Feature (type %q)", raw.Type)
				return nil
			}
			if err := decodeFeature(raw, r); err != nil {
				return fmt.Errorf("%w: geojson: %s: %s: %v", importers.ErrBadInput, name, ref, err)
			}
			return nil
		}}
		if !undecoded {
			// A copy, decoded here: rec itself, which the pipeline decodes on a worker, then stays off the heap.
			now := rec
			if skip, err := now.DecodeNow(rep); err != nil || skip {
				return err
			}
			return emit(now)
		}
		return emit(rec)
	}

	tok, err := dec.Token()
	if err == io.EOF {
		return fmt.Errorf("%w: geojson: %s: the file is empty", importers.ErrBadInput, name)
	}
	if err != nil {
		return fail(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("%w: geojson: %s: starts with %v: expected a JSON object (a FeatureCollection or a Feature per line)", importers.ErrBadInput, name, tok)
	}
	// The first object is either a FeatureCollection, streamed member by member, or the first of a series of
	// Features (newline-delimited), read whole.
	var first rawFeature
	topType := ""
	sawFeatures := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fail(err)
		}
		key, _ := tok.(string)
		switch key {
		case "type":
			if err := decode(&topType); err != nil {
				return fail(err)
			}
			first.Type = topType
		case "crs":
			var crs struct {
				Properties struct {
					Name string `json:"name"`
				} `json:"properties"`
			}
			if err := decode(&crs); err != nil {
				return fail(err)
			}
			srid, err := sridFromCRSName(crs.Properties.Name)
			if err != nil {
				return fmt.Errorf("%w: geojson: %s: %v", importers.ErrBadInput, name, err)
			}
			if !f.forced {
				if sawFeatures && srid != f.SRID() {
					return fmt.Errorf("%w: geojson: %s: the \"crs\" member (%s) comes after the features: move it before them or pass --crs", importers.ErrBadInput, name, crs.Properties.Name)
				}
				f.srid = srid
				if srid != 4326 {
					rep.SourceCRS = "EPSG:" + strconv.Itoa(srid) + " (from the file's \"crs\" member)"
				}
			}
		case "features":
			if topType != "" && topType != "FeatureCollection" {
				return fmt.Errorf("%w: geojson: %s: an object of type %q has a \"features\" member", importers.ErrBadInput, name, topType)
			}
			sawFeatures = true
			if tok, err := dec.Token(); err != nil {
				return fail(err)
			} else if d, ok := tok.(json.Delim); !ok || d != '[' {
				if tok == nil {
					continue // "features": null, an empty collection
				}
				return fmt.Errorf("%w: geojson: %s: \"features\" must be an array", importers.ErrBadInput, name)
			}
			for dec.More() {
				var text json.RawMessage
				start = dec.InputOffset()
				if err := decode(&text); err != nil {
					return fail(err)
				}
				if err := handle(text, nil); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return fail(err)
			}
		case "geometry":
			if err := decode(&first.Geometry); err != nil {
				return fail(err)
			}
		case "properties":
			if err := decode(&first.Properties); err != nil {
				return fail(err)
			}
		case "id":
			if err := decode(&first.ID); err != nil {
				return fail(err)
			}
		default:
			var skip json.RawMessage
			if err := decode(&skip); err != nil {
				return fail(err)
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return fail(err)
	}
	switch topType {
	case "FeatureCollection":
		if !sawFeatures {
			rep.Warn("the FeatureCollection has no \"features\" member")
		}
	case "Feature":
		if err := handle(nil, &first); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%w: geojson: %s: the first object has type %q: expected a FeatureCollection or Features", importers.ErrBadInput, name, topType)
	}
	// Newline-delimited features, or anything after the collection.
	for dec.More() {
		if topType == "FeatureCollection" {
			return fmt.Errorf("%w: geojson: %s: data after the FeatureCollection at byte %d", importers.ErrBadInput, name, dec.InputOffset())
		}
		var text json.RawMessage
		start = dec.InputOffset()
		if err := decode(&text); err != nil {
			return fail(err)
		}
		if err := handle(text, nil); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			return fmt.Errorf("%w: geojson: %s: unexpected data at byte %d", importers.ErrBadInput, name, dec.InputOffset())
		}
		return fail(err)
	}
	return nil
}

// splitFeature reads the members of a feature's JSON text (valid JSON: the decoder checked it) that make a
// feature, as encoding/json would into a rawFeature: names matched ignoring case, the last of a name kept.
func splitFeature(text []byte, raw *rawFeature) error {
	text = bytes.TrimSpace(text)
	if string(text) == "null" {
		return nil
	}
	return eachMember(text, func(rawKey, v []byte) error {
		key := rawKey[1 : len(rawKey)-1]
		if bytes.IndexByte(rawKey, '\\') >= 0 {
			var name string
			if err := json.Unmarshal(rawKey, &name); err != nil {
				return fmt.Errorf("key: %v", err)
			}
			key = []byte(name)
		}
		switch {
		case bytes.EqualFold(key, []byte("type")):
			var err error
			if raw.Type, err = jsonString(v); err != nil {
				return fmt.Errorf("\"type\" must be a string, not %.20s", v)
			}
		case bytes.EqualFold(key, []byte("id")):
			raw.ID = v
		case bytes.EqualFold(key, []byte("geometry")):
			raw.Geometry = v
		case bytes.EqualFold(key, []byte("properties")):
			raw.Properties = v
		}
		return nil
	})
}

// decodeFeature reads raw's geometry and properties into rec, noting its fixes there.
func decodeFeature(raw *rawFeature, rec *importers.Record) error {
	if len(raw.Geometry) > 0 && !bytes.Equal(bytes.TrimSpace(raw.Geometry), []byte("null")) {
		g, err := parseGeometry(raw.Geometry)
		if err != nil {
			return fmt.Errorf("geometry: %v", err)
		}
		rec.Geometry = g
		if rec.Geometry == nil {
			return errors.New("geometry: no coordinates")
		}
		if isEmpty(rec.Geometry) {
			rec.Geometry = nil
			rec.Fixes = append(rec.Fixes, importers.Fix{What: "empty geometry stored as no geometry", N: 1})
		}
	}
	props, decoded, err := properties(raw.Properties)
	if err != nil {
		return fmt.Errorf("properties: %v", err)
	}
	if len(raw.ID) > 0 && string(raw.ID) != "null" {
		rawID, n := charset.JSON(raw.ID)
		decoded += n
		id, err := value(rawID)
		if err != nil {
			return fmt.Errorf("id: %v", err)
		}
		key := "id"
		for _, p := range props {
			if p.Key == "id" {
				key = "feature_id"
			}
		}
		props = append([]store.Property{{Key: key, Value: id}}, props...)
	}
	if decoded > 0 {
		rec.Fixes = append(rec.Fixes, importers.Fix{What: textFix, N: decoded})
	}
	rec.Properties = props
	return nil
}

// textFix is the report's line for text that was not UTF-8 (charset's rule).
const textFix = "text not valid UTF-8 read as Windows-1252"

func isEmpty(g orb.Geometry) bool {
	switch g := g.(type) {
	case orb.MultiPoint:
		return len(g) == 0
	case orb.LineString:
		return len(g) == 0
	case orb.MultiLineString:
		return len(g) == 0
	case orb.Polygon:
		return len(g) == 0
	case orb.MultiPolygon:
		return len(g) == 0
	case orb.Collection:
		return len(g) == 0
	}
	return false
}

var epsgPattern = regexp.MustCompile(`(?i)EPSG:+(?:[\d.]*:)?(\d+)$`)

// sridFromCRSName reads the EPSG code of a GeoJSON 2008 "crs" name: "urn:ogc:def:crs:EPSG::2154",
// "EPSG:2154", or CRS84 (WGS84 longitude/latitude).
func sridFromCRSName(name string) (int, error) {
	switch name {
	case "", "urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "CRS84", "http://www.opengis.net/def/crs/OGC/1.3/CRS84":
		return 4326, nil
	}
	if m := epsgPattern.FindStringSubmatch(name); m != nil {
		srid, _ := strconv.Atoi(m[1])
		return srid, nil
	}
	return 0, fmt.Errorf("unknown \"crs\" %q: pass --crs EPSG:NNNN", name)
}

func skipBOM(br *bufio.Reader) {
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
}

// rsFilter turns the record separators of RFC 8142 text sequences into white space, which json.Decoder skips.
type rsFilter struct{ r io.Reader }

func (f *rsFilter) Read(b []byte) (int, error) {
	n, err := f.r.Read(b)
	for i := 0; i < n; i++ {
		if b[i] == 0x1E {
			b[i] = ' '
		}
	}
	return n, err
}
