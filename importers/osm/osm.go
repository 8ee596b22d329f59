// Package osm reads OpenStreetMap data (OSM XML, .osm.bz2, PBF, Overpass JSON and XML responses, geodatamine
// GeoJSON and CSV exports) and turns the elements that match a theme (a tag filter and the columns derived from
// the tags) into importer records. Geometries are built by github.com/paulmach/osm/osmgeojson, which works like
// osmtogeojson; this package handles what that library does not (Overpass remarks, areas, centers and `out geom`
// member geometries, history files) and counts the elements whose nodes are missing.
//
// It does no SQL and serves nothing; the Overpass client is its one network access.
package osm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/paulmach/osm"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/limit"
)

// errBadFile marks errors caused by the input file.
var errBadFile = importers.ErrBadInput

// Formats a File can be in.
const (
	FormatOSMXML      = "OSM XML"
	FormatPBF         = "OSM PBF"
	FormatOverpassXML = "Overpass XML"
	FormatOverpassJS  = "Overpass JSON"
	FormatGeoJSON     = "GeoJSON"
	FormatCSV         = "CSV"
)

// Options say what to read from a file.
type Options struct {
	Theme *Theme
	// AsPoints puts one point inside each polygon (and on each line) instead of its outline.
	AsPoints bool
	// Progress, if set, counts the bytes read.
	Progress *importers.Progress
}

// File is an OSM file (or an export of one) opened for import with a theme.
type File struct {
	Path   string
	Format string
	// Compression is "bzip2", "gzip" or "".
	Compression string
	opts        Options
	stats       Stats
	csvFilter   *exportFilter
	size        int64
	inMemory    int64 // xmlInMemory; tests make it smaller
}

// Stats are what a read of an OSM file went through, for benchmarks and reports.
type Stats struct {
	Nodes, Ways, Relations int64 // elements scanned
	Matched                int64 // elements that matched the theme
}

// Open recognises the format of the file at path (by its content, the extension only breaking ties).
func Open(path string, opts Options) (*File, error) {
	if opts.Theme == nil {
		return nil, fmt.Errorf("osm: no theme: say which elements to keep with --theme or --theme-file")
	}
	f := &File{Path: path, opts: opts, inMemory: xmlInMemory}
	if st, err := os.Stat(path); err == nil {
		f.size = st.Size()
	}
	r, closeFn, err := f.open()
	if err != nil {
		return nil, err
	}
	defer closeFn()
	head := make([]byte, 4096)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, fmt.Errorf("osm: %s: %w", filepath.Base(path), err)
	}
	format, err := sniff(head[:n], path)
	if err != nil {
		return nil, fmt.Errorf("%w: osm: %s: %v", errBadFile, filepath.Base(path), err)
	}
	f.Format = format
	return f, nil
}

// open opens the file, decompressing it; the reader counts bytes in the progress display. A compressed file
// may inflate 100 times at most (limit.Expansion): OSM XML inflates 10 to 15 times, a bomb a thousand.
func (f *File) open() (io.Reader, func() error, error) {
	fh, err := os.Open(f.Path)
	if err != nil {
		return nil, nil, fmt.Errorf("osm: %w", err)
	}
	var r io.Reader = fh
	if f.opts.Progress != nil {
		r = f.opts.Progress.Reader(r)
	}
	dr, compression, err := limit.Decompress(r, 0, 0)
	if err != nil {
		fh.Close()
		return nil, nil, fmt.Errorf("%w: osm: %s: %v", errBadFile, filepath.Base(f.Path), err)
	}
	f.Compression = compression
	return dr, fh.Close, nil
}

// sniff tells the format from the first bytes of the (decompressed) content.
func sniff(head []byte, path string) (string, error) {
	// PBF starts with the length of the first BlobHeader, then its type "OSMHeader".
	if len(head) > 20 && bytes.Contains(head[:min(len(head), 32)], []byte("OSMHeader")) {
		return FormatPBF, nil
	}
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case len(trimmed) == 0:
		return "", fmt.Errorf("the file is empty")
	case trimmed[0] == '<':
		if !bytes.Contains(head, []byte("<osm")) {
			return "", fmt.Errorf("XML but not OSM XML (no <osm> element)")
		}
		if bytes.Contains(head, []byte(`generator="Overpass API`)) || bytes.Contains(head, []byte("<remark")) {
			return FormatOverpassXML, nil
		}
		return FormatOSMXML, nil
	case trimmed[0] == '{' || trimmed[0] == '[':
		if bytes.Contains(head, []byte(`"elements"`)) || bytes.Contains(head, []byte(`"osm3s"`)) {
			return FormatOverpassJS, nil
		}
		return FormatGeoJSON, nil
	}
	ext := strings.ToLower(filepath.Ext(strings.TrimSuffix(strings.TrimSuffix(path, ".bz2"), ".gz")))
	if ext == ".pbf" {
		return "", fmt.Errorf("named .pbf but not an OSM PBF file")
	}
	if ext == ".csv" || ext == ".txt" || bytes.ContainsAny(firstLine(trimmed), ",;\t") {
		return FormatCSV, nil
	}
	return "", fmt.Errorf("not OSM XML, PBF, Overpass JSON, GeoJSON nor CSV")
}

func firstLine(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i]
	}
	return b
}

// SetProgress makes the reads count their bytes in p.
func (f *File) SetProgress(p *importers.Progress) { f.opts.Progress = p }

// SRID is always WGS84: OSM and its exports are in longitude/latitude.
func (f *File) SRID() int { return 4326 }

// Stats returns what the last Records call scanned.
func (f *File) Stats() Stats { return f.stats }

// Passes is how many times Records reads the file: three for OSM XML and PBF (relations, ways, then nodes, so
// that only the nodes needed are kept in memory), one otherwise. A progress display's total is the file size
// times this.
func (f *File) Passes() int {
	if f.Format == FormatPBF || f.Format == FormatOSMXML && (f.size == 0 || f.size >= xmlInMemory) {
		return 3
	}
	return 1
}

// Records streams the features of the theme found in the file.
func (f *File) Records(ctx context.Context, rep *importers.Report, emit func(importers.Record) error) error {
	f.stats = Stats{}
	f.csvFilter = nil
	switch f.Format {
	case FormatGeoJSON:
		return f.geojsonRecords(ctx, rep, emit)
	case FormatCSV:
		return f.csvRecords(ctx, rep, emit)
	case FormatOverpassJS, FormatOverpassXML:
		r, closeFn, err := f.open()
		if err != nil {
			return err
		}
		defer closeFn()
		// A response is decoded whole: what it inflates to is bounded, not only what it weighs.
		mem := &limit.Reader{R: r, N: overpassInMemory, What: "an Overpass response (decoded in memory)",
			Hint: "query a smaller territory, or import an extract in .osm.pbf (read in streamed passes)"}
		var res *response
		if f.Format == FormatOverpassJS {
			res, err = decodeOverpassJSON(mem)
		} else {
			res, err = decodeOverpassXML(mem)
		}
		if err != nil {
			return fmt.Errorf("osm: %s: %w", filepath.Base(f.Path), err)
		}
		if res.areas > 0 {
			rep.Warn("%d Overpass \"area\" elements skipped: they are Overpass's own copies of ways and relations (used by area queries), not map data", res.areas)
		}
		if res.remark != "" {
			rep.Warn("Overpass remark: %s", res.remark)
		}
		rep.FixN(textFix, "", res.notUTF8)
		return f.build(ctx, rep, &memorySource{res: res}, res.centers, emit)
	}
	if f.Format == FormatOSMXML && f.size > 0 && f.size < f.inMemory {
		// encoding/xml is the slow part: a small file is decoded once and the three passes run in memory. Small
		// once decompressed: a file that inflates beyond xmlInMemory is read in three passes after all.
		res := &response{}
		err := (&fileSource{f: f, memory: f.inMemory}).scanAll(ctx, func(o osm.Object) error {
			res.objects = append(res.objects, o)
			return nil
		})
		if err == nil {
			return f.build(ctx, rep, &memorySource{res: res}, nil, emit)
		}
		if !errors.Is(err, errTooLargeForMemory) {
			return err
		}
	}
	return f.build(ctx, rep, &fileSource{f: f}, nil, emit)
}

const (
	// xmlInMemory is the size, once decompressed, under which an OSM XML file is decoded once into memory rather
	// than read three times: about four times as much memory (Andorra's 40 MB of XML: 160 MB peak).
	xmlInMemory = 64 << 20
	// overpassInMemory bounds an Overpass response, decoded whole (the elements are kept for the three passes).
	overpassInMemory = 1 << 30
)
