package inpn

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/geojson"
	"github.com/patrimap/patrimap/importers/shapefile"
	"github.com/patrimap/patrimap/importers/tempdir"
	"github.com/patrimap/patrimap/store"
)

// File is an INPN file opened for import: a shapefile (alone or in a zip), an attribute-only DBF, or GeoJSON.
type File struct {
	Path     string
	Format   string // "ESRI Shapefile (zip)", "ESRI Shapefile", "dBASE (attributes only)", "GeoJSON"
	Fields   []store.Field
	Codes    []string // CODE_R_ENP values seen in the first records
	CRS      string   // what the .prj or the GeoJSON says
	SRID     int
	Encoding string
	Ignored  []string // other members of a zip

	extracted string // the zip's shapefile, extracted for the passes of Source
	tmpDir    string
}

// Close removes what Source extracted from a zip.
func (f *File) Close() error {
	if f.tmpDir == "" {
		return nil
	}
	dir := f.tmpDir
	f.tmpDir, f.extracted = "", ""
	return os.RemoveAll(dir)
}

var errPeekDone = errors.New("peek done")

// Inspect opens path to see what it holds, without importing it. srid forces the CRS (0: what the file says).
func Inspect(ctx context.Context, path string, srid int) (*File, error) {
	f := &File{Path: path}
	ext := strings.ToLower(filepath.Ext(path))
	switch ext {
	case ".geojson", ".json", ".geojsonl", ".ndjson":
		f.Format = "GeoJSON"
		src, err := geojson.Open(path, srid, nil)
		if err != nil {
			return nil, err
		}
		defer src.Close()
		seen := map[string]bool{}
		err = src.Records(ctx, &importers.Report{}, func(r importers.Record) error {
			for _, p := range r.Properties {
				if !seen[p.Key] {
					seen[p.Key] = true
					f.Fields = append(f.Fields, store.Field{Name: p.Key})
				}
			}
			if c, _ := first(r.Properties, []string{"CODE_R_ENP", "code_r_enp"}); c != "" && len(f.Codes) < 5 {
				f.Codes = append(f.Codes, c)
			}
			if len(f.Codes) >= 5 {
				return errPeekDone
			}
			return nil
		})
		if err != nil && !errors.Is(err, errPeekDone) {
			return nil, err
		}
		f.SRID = src.SRID()
		f.CRS = "EPSG:" + strconv.Itoa(f.SRID)
		return f, nil
	case ".zip", ".shp", ".dbf":
		r, err := openShapefile(path)
		if err != nil {
			return nil, err
		}
		defer r.Close()
		f.Format = "ESRI Shapefile"
		if ext == ".zip" {
			f.Format = "ESRI Shapefile (zip)"
		}
		if !r.HasGeometry() {
			f.Format = "dBASE (attributes only, no .shp)"
		}
		f.Ignored = r.Ignored()
		f.Encoding = r.Encoding()
		f.Fields = dbfFields(r.Fields())
		r.SkipGeometry() // only the CODE_R_ENP values are looked at
		for i := 0; i < 20 && r.Next(); i++ {
			for j, fd := range r.Fields() {
				if strings.EqualFold(fd.Name, "CODE_R_ENP") {
					if s, ok := r.Record().Values[j].(string); ok && s != "" {
						f.Codes = append(f.Codes, s)
					}
				}
			}
		}
		if err := r.Err(); err != nil {
			return nil, err
		}
		f.SRID = srid
		if prj := r.PRJ(); srid == 0 && prj != "" {
			code, name, err := shapefile.DetectCRS(prj)
			if err != nil {
				return nil, fmt.Errorf("inpn: %s: %w", filepath.Base(path), err)
			}
			f.SRID, f.CRS = code, fmt.Sprintf("EPSG:%d (%s, from the .prj)", code, name)
		}
		if f.SRID == 0 && r.HasGeometry() {
			return nil, fmt.Errorf("inpn: %s: no .prj says which CRS the coordinates are in: pass --crs EPSG:NNNN (EPSG:2154 for Lambert-93)", filepath.Base(path))
		}
		if f.CRS == "" && f.SRID != 0 {
			f.CRS = "EPSG:" + strconv.Itoa(f.SRID)
		}
		return f, nil
	}
	return nil, fmt.Errorf("inpn: %s: unknown file type %q: give a .zip, a .shp (with its .dbf, .shx, .prj), a .dbf or a GeoJSON file", filepath.Base(path), ext)
}

func openShapefile(path string) (*shapefile.Reader, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("inpn: %w", err)
	}
	if strings.EqualFold(filepath.Ext(path), ".zip") {
		return shapefile.OpenZip(path, shapefile.ZipOptions{})
	}
	return shapefile.Open(path)
}

// dbfFields declares the DBF's column types to the store, so that a C column stays text whatever it holds.
func dbfFields(fs []shapefile.Field) []store.Field {
	out := make([]store.Field, len(fs))
	for i, f := range fs {
		t := store.FieldText
		switch f.Type {
		case 'N':
			t = store.FieldReal
			if f.Decimals == 0 {
				t = store.FieldInteger
			}
		case 'F':
			t = store.FieldReal
		case 'D':
			t = store.FieldDate
		case 'L':
			t = store.FieldBoolean
		}
		out[i] = store.Field{Name: f.Name, Type: t}
	}
	return out
}

// Source opens the file's records for import. prog counts the bytes of a GeoJSON file, a shapefile's records
// against its DBF header's count.
func (f *File) Source(prog *importers.Progress) (importers.Source, func() error, error) {
	if f.Format == "GeoJSON" {
		src, err := geojson.Open(f.Path, f.SRID, prog)
		if err != nil {
			return nil, nil, err
		}
		return src, src.Close, nil
	}
	path := f.Path
	if strings.EqualFold(filepath.Ext(f.Path), ".zip") {
		// Each pass over a zip member inflates it again: national parks take one pass per dataset, so the
		// shapefile is extracted once (after the zip's checks) and read from disk. Close removes it.
		if f.extracted == "" {
			dir, err := tempdir.New("zip") // named after this process: the next run removes it after a kill -9
			if err != nil {
				return nil, nil, err
			}
			main, _, err := shapefile.ExtractZip(f.Path, shapefile.ZipOptions{}, dir)
			if err != nil {
				os.RemoveAll(dir)
				return nil, nil, err
			}
			f.extracted, f.tmpDir = main, dir
		}
		path = f.extracted
	}
	r, err := shapefile.Open(path)
	if err != nil {
		return nil, nil, err
	}
	if path != f.Path {
		r.SetName(filepath.Base(f.Path) + ": " + filepath.Base(path))
	}
	prog.ExpectRecords(int64(r.NumRecords()))
	return &shapefileSource{r: r, srid: f.SRID}, r.Close, nil
}

// shapefileSource adapts a shapefile.Reader to importers.Source.
type shapefileSource struct {
	r    *shapefile.Reader
	srid int
}

func (s *shapefileSource) SRID() int {
	if s.srid == 0 {
		return 4326
	}
	return s.srid
}

func (s *shapefileSource) Records(ctx context.Context, rep *importers.Report, emit func(importers.Record) error) error {
	fields := s.r.Fields()
	rep.Encoding = s.r.Encoding()
	for s.r.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec := s.r.Record()
		ref := "record " + strconv.Itoa(rec.Number)
		if rec.Deleted {
			rep.Skip("marked deleted in the .dbf (GDAL does not show it either)", ref)
			continue
		}
		props := make([]store.Property, 0, len(fields))
		for i, f := range fields {
			if rec.Values == nil {
				break
			}
			props = append(props, store.Property{Key: f.Name, Value: rec.Values[i]})
		}
		for _, issue := range rec.Issues {
			rep.Fix(issueKind(issue), ref)
		}
		if err := emit(importers.Record{Ref: ref, Geometry: rec.Geometry, Properties: props}); err != nil {
			return err
		}
	}
	return s.r.Err()
}

// issueKind turns a record's issue ("field NOM: byte 0xE9 decoded as CP1252") into a report line's kind
// ("byte decoded as CP1252"), so that the report counts kinds and lists records.
func issueKind(issue string) string {
	if i := strings.Index(issue, ": "); i > 0 && strings.HasPrefix(issue, "field ") {
		return strings.TrimSpace(issue[i+2:])
	}
	return issue
}
