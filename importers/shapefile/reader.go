// Package shapefile reads ESRI shapefiles (.shp, .shx, .dbf, .prj, .cpg) in pure Go, from a folder or a zip,
// one record at a time: memory holds the largest record, never the file.
//
// The format is ESRI's published specification (ESRI Shapefile Technical Description, July 1998) and
// dBASE III/IV for the attributes. Geometries come out as orb types in the file's own CRS, with Z and M
// dropped; polygon rings are assembled by orientation into Polygons and MultiPolygons.
package shapefile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/paulmach/orb"
)

// Record is one feature: its geometry (nil for a null shape or an attribute-only table) and its attribute
// values in the order of Fields: string, int64, float64, bool, an ISO date "2006-01-02" as a string, or nil.
type Record struct {
	Number   int // 1-based position in the file
	Geometry orb.Geometry
	Values   []any
	Deleted  bool     // the DBF marks the record deleted; GDAL does not show such records either
	Issues   []string // what was fixed or could not be read, "field NOM: ..." or about the geometry
}

// Reader reads a shapefile record by record:
//
//	for r.Next() { rec := r.Record() ... }
//	if err := r.Err(); err != nil { ... }
type Reader struct {
	name    string // how errors name the file: "apb.shp", "apb.zip: apb/apb.shp"
	shp     *shpReader
	dbf     *dbfReader
	prj     string
	ignored []string
	closers []io.Closer

	rec      Record
	n        int
	err      error
	skipGeom bool
}

// SkipGeometry makes Next read the attributes only, leaving Record.Geometry nil and the .shp unread: a first
// look at a layer (which one is it?) costs neither reading nor parsing shapes.
func (r *Reader) SkipGeometry() { r.skipGeom = true }

// maxSidecar bounds what is read of a .prj or .cpg, which are a few hundred bytes.
const maxSidecar = 64 << 10

// Open opens the shapefile at path, a .shp or a .dbf; its siblings are found whatever the case of their
// extensions. A .dbf without a .shp beside it is read as an attribute-only table.
func Open(path string) (*Reader, error) {
	dir, base := filepath.Split(path)
	ext := strings.ToLower(filepath.Ext(base))
	if ext != ".shp" && ext != ".dbf" {
		return nil, fmt.Errorf("%s: not a shapefile: give the .shp (with its .shx, .dbf and .prj beside it) or a .zip", base)
	}
	stem := strings.TrimSuffix(base, filepath.Ext(base))
	entries, err := os.ReadDir(filepath.Clean(dir + "."))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", base, err)
	}
	siblings := map[string]string{}
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.EqualFold(strings.TrimSuffix(n, filepath.Ext(n)), stem) {
			continue
		}
		siblings[strings.ToLower(filepath.Ext(n))] = filepath.Join(dir, n)
	}
	if _, ok := siblings[ext]; !ok {
		return nil, fmt.Errorf("%s: %w", base, os.ErrNotExist)
	}
	files := fileSet{name: base, open: func(ext string) (io.ReadCloser, error) {
		p, ok := siblings[ext]
		if !ok {
			return nil, os.ErrNotExist
		}
		return os.Open(p)
	}, has: func(ext string) bool { _, ok := siblings[ext]; return ok }}
	return open(files, stem)
}

// fileSet gives access to one shapefile's component files, in a folder or in a zip.
type fileSet struct {
	name string
	open func(ext string) (io.ReadCloser, error)
	has  func(ext string) bool
}

func open(fs fileSet, stem string) (*Reader, error) {
	r := &Reader{name: fs.name}
	fail := func(err error) (*Reader, error) {
		r.Close()
		return nil, err
	}
	if !fs.has(".dbf") {
		if fs.has(".shp") {
			return fail(fmt.Errorf("%s: no %s.dbf beside the .shp: a shapefile needs its .shp, .shx and .dbf together", fs.name, stem))
		}
		return fail(fmt.Errorf("%s: no .shp or .dbf named %s", fs.name, stem))
	}
	var cpg string
	if fs.has(".cpg") {
		b, err := readSidecar(fs, ".cpg")
		if err != nil {
			return fail(err)
		}
		cpg = string(b)
	}
	if fs.has(".prj") {
		b, err := readSidecar(fs, ".prj")
		if err != nil {
			return fail(err)
		}
		r.prj = strings.TrimSpace(strings.TrimPrefix(string(b), "\uFEFF"))
	}
	dbf, err := fs.open(".dbf")
	if err != nil {
		return fail(fmt.Errorf("%s: %w", fs.name, err))
	}
	r.closers = append(r.closers, dbf)
	if r.dbf, err = newDBF(dbf, cpg); err != nil {
		return fail(fmt.Errorf("%s: %s.dbf: %w", fs.name, stem, err))
	}
	if fs.has(".shp") {
		shp, err := fs.open(".shp")
		if err != nil {
			return fail(fmt.Errorf("%s: %w", fs.name, err))
		}
		r.closers = append(r.closers, shp)
		if r.shp, err = newSHP(shp); err != nil {
			return fail(fmt.Errorf("%s: %s.shp: %w", fs.name, stem, err))
		}
	}
	return r, nil
}

func readSidecar(fs fileSet, ext string) ([]byte, error) {
	f, err := fs.open(ext)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fs.name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSidecar))
	if err != nil {
		return nil, fmt.Errorf("%s: reading its %s: %w", fs.name, ext, err)
	}
	return b, nil
}

// SetName changes how errors name the file (an extracted member is named after its zip).
func (r *Reader) SetName(name string) { r.name = name }

// HasGeometry is false for an attribute-only table (a .dbf with no .shp).
func (r *Reader) HasGeometry() bool { return r.shp != nil }

// NumRecords is the number of records the DBF header announces.
func (r *Reader) NumRecords() int { return r.dbf.numRecords }

// Fields are the DBF columns.
func (r *Reader) Fields() []Field { return r.dbf.fields }

// Encoding says how text is decoded, and from what declaration.
func (r *Reader) Encoding() string { return r.dbf.text.Describe() }

// PRJ is the .prj's WKT, or "" when there is none.
func (r *Reader) PRJ() string { return r.prj }

// Ignored lists the other members of a zip that were not read, each with why.
func (r *Reader) Ignored() []string { return r.ignored }

// Next reads the next record; false at the end or on an error (see Err).
func (r *Reader) Next() bool {
	if r.err != nil {
		return false
	}
	rec := Record{Number: r.n + 1}
	if r.shp != nil && !r.skipGeom {
		content, err := r.shp.next()
		if err == io.EOF {
			// Extra .dbf rows without a shape are not features; GDAL counts the .shp's records too.
			return false
		}
		if err != nil {
			r.err = fmt.Errorf("%s: record %d: %w", r.name, rec.Number, err)
			return false
		}
		g, err := parseShape(content, &rec.Issues)
		var bad errShape
		switch {
		case errors.As(err, &bad):
			rec.Issues = append(rec.Issues, "geometry unreadable ("+bad.Error()+"), record kept without geometry")
		case err != nil:
			r.err = fmt.Errorf("%s: record %d: %w", r.name, rec.Number, err)
			return false
		}
		rec.Geometry = g
	}
	values, deleted, err := r.dbf.next(&rec.Issues)
	switch {
	case err == io.EOF && (r.shp == nil || r.skipGeom):
		return false
	case err == io.EOF:
		rec.Issues = append(rec.Issues, "no attributes: the .dbf has fewer rows than the .shp has shapes")
	case err != nil:
		r.err = fmt.Errorf("%s: .dbf record %d: %w", r.name, rec.Number, err)
		return false
	}
	rec.Values, rec.Deleted = values, deleted
	r.n++
	r.rec = rec
	return true
}

// Record is the record Next read.
func (r *Reader) Record() Record { return r.rec }

// Err is the error that stopped Next, if any.
func (r *Reader) Err() error { return r.err }

// Close closes the files.
func (r *Reader) Close() error {
	var errs []error
	for i := len(r.closers) - 1; i >= 0; i-- {
		errs = append(errs, r.closers[i].Close())
	}
	r.closers = nil
	return errors.Join(errs...)
}
