package shapefile

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// ZipOptions bound what a zip may hold and choose among its shapefiles.
type ZipOptions struct {
	// Layer picks a shapefile by name (without extension, any case) when the zip holds several.
	Layer string
	// MaxEntryBytes refuses a member larger than this once uncompressed (default 4 GiB: the national
	// ZNIEFF files are a few hundred MB).
	MaxEntryBytes uint64
	// MaxRatio refuses a member that inflates more than this many times (a zip bomb); default 1,000.
	MaxRatio uint64
}

// components are the files of a shapefile that patrimap reads; anything else in a zip is listed as ignored.
var components = map[string]bool{".shp": true, ".shx": true, ".dbf": true, ".prj": true, ".cpg": true}

// OpenZip opens the shapefile inside the zip at path, reading its members in place (nothing is extracted).
// Folders may nest and extensions may be in either case. When the zip holds several layers, the one with
// geometry is read (the largest, if several have, unless opts.Layer names one) and the others are reported by
// Ignored. Members whose names leave the archive, symbolic links and oversized members are refused.
func OpenZip(zipPath string, opts ZipOptions) (*Reader, error) {
	zr, chosen, ignored, err := chooseLayer(zipPath, opts)
	if err != nil {
		return nil, err
	}
	zname := filepath.Base(zipPath)
	fs := fileSet{
		name: zname + ": " + path.Base(chosen.stem),
		has:  func(ext string) bool { return chosen.members[ext] != nil },
		open: func(ext string) (io.ReadCloser, error) {
			f := chosen.members[ext]
			if f == nil {
				return nil, os.ErrNotExist
			}
			return f.Open()
		},
	}
	r, err := open(fs, path.Base(chosen.stem))
	if err != nil {
		zr.Close()
		return nil, err
	}
	r.ignored = ignored
	r.closers = append([]io.Closer{zr}, r.closers...)
	return r, nil
}

// ExtractZip writes the shapefile OpenZip would read (the same choice, after the same checks) into dir, under
// its own base name, and returns the path of its .shp (or of its .dbf, for a table alone) and the members left
// out. A zip member is inflated again at every pass over it: an importer that reads a layer several times (the
// national parks: one pass per dataset) reads the extracted files instead.
func ExtractZip(zipPath string, opts ZipOptions, dir string) (string, []string, error) {
	zr, chosen, ignored, err := chooseLayer(zipPath, opts)
	if err != nil {
		return "", nil, err
	}
	defer zr.Close()
	base := path.Base(chosen.stem)
	for ext, m := range chosen.members {
		if err := extractMember(m, filepath.Join(dir, base+ext)); err != nil {
			return "", nil, fmt.Errorf("%s: %s: %w", filepath.Base(zipPath), m.Name, err)
		}
	}
	main := filepath.Join(dir, base+".shp")
	if chosen.members[".shp"] == nil {
		main = filepath.Join(dir, base+".dbf")
	}
	return main, ignored, nil
}

func extractMember(m *zip.File, dest string) error {
	in, err := m.Open()
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	// The member's declared size was checked; archive/zip refuses a member that inflates beyond it.
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// zipLayer is one shapefile of a zip: its members by extension.
type zipLayer struct {
	stem    string // member path without extension, as in the zip
	members map[string]*zip.File
}

// chooseLayer opens the zip, checks every member and picks the shapefile to read (see OpenZip).
func chooseLayer(zipPath string, opts ZipOptions) (*zip.ReadCloser, *zipLayer, []string, error) {
	if opts.MaxEntryBytes == 0 {
		opts.MaxEntryBytes = 4 << 30
	}
	if opts.MaxRatio == 0 {
		opts.MaxRatio = 1000
	}
	zname := filepath.Base(zipPath)
	zr, err := zip.OpenReader(zipPath)
	if errors.Is(err, zip.ErrInsecurePath) {
		zr.Close()
		return nil, nil, nil, fmt.Errorf("%s: a member's path leads outside the archive (path traversal): refusing the zip", zname)
	}
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil, nil, fmt.Errorf("%s: %w", zname, err)
		}
		return nil, nil, nil, fmt.Errorf("%s: not a readable zip (%v): download it again", zname, err)
	}
	layers := map[string]*zipLayer{}
	var others []string
	for _, f := range zr.File {
		if err := checkMember(f, opts); err != nil {
			zr.Close()
			return nil, nil, nil, fmt.Errorf("%s: %w", zname, err)
		}
		if f.FileInfo().IsDir() {
			continue
		}
		ext := strings.ToLower(path.Ext(f.Name))
		if !components[ext] {
			others = append(others, f.Name+" (not part of a shapefile)")
			continue
		}
		stem := strings.TrimSuffix(f.Name, path.Ext(f.Name))
		key := strings.ToLower(stem)
		if layers[key] == nil {
			layers[key] = &zipLayer{stem: stem, members: map[string]*zip.File{}}
		}
		layers[key].members[ext] = f
	}
	var keys []string
	for k := range layers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	size := func(l *zipLayer, ext string) uint64 {
		if f := l.members[ext]; f != nil {
			return f.UncompressedSize64
		}
		return 0
	}
	var chosen *zipLayer
	for _, k := range keys {
		l := layers[k]
		if opts.Layer != "" {
			if strings.EqualFold(path.Base(l.stem), opts.Layer) {
				chosen = l
			}
			continue
		}
		switch {
		case chosen == nil && l.members[".dbf"] != nil:
			chosen = l
		case chosen != nil && l.members[".shp"] != nil && chosen.members[".shp"] == nil:
			chosen = l
		case chosen != nil && l.members[".shp"] != nil && size(l, ".shp") > size(chosen, ".shp"):
			chosen = l
		}
	}
	if chosen == nil {
		zr.Close()
		var names []string
		for _, k := range keys {
			names = append(names, path.Base(layers[k].stem))
		}
		if opts.Layer != "" {
			return nil, nil, nil, fmt.Errorf("%s: no shapefile named %q in the zip; it holds: %s", zname, opts.Layer, strings.Join(names, ", "))
		}
		return nil, nil, nil, fmt.Errorf("%s: no shapefile in the zip (no .dbf or .shp member)", zname)
	}
	var ignored []string
	for _, k := range keys {
		if l := layers[k]; l != chosen {
			what := "attribute table without geometry"
			if l.members[".shp"] != nil {
				what = "another shapefile"
			}
			ignored = append(ignored, l.stem+" ("+what+")")
		}
	}
	ignored = append(ignored, others...)
	return zr, chosen, ignored, nil
}

// checkMember refuses what a hostile or broken zip could use against the machine, even though patrimap
// reads members in place rather than extracting them: a user who unzips the file would be exposed.
func checkMember(f *zip.File, opts ZipOptions) error {
	name := strings.ReplaceAll(f.Name, `\`, "/")
	if strings.HasPrefix(name, "/") || (len(name) > 1 && name[1] == ':') {
		return fmt.Errorf("member %q has an absolute path: refusing the zip (it could write outside the folder it is extracted to)", f.Name)
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return fmt.Errorf("member %q leads outside the archive (path traversal): refusing the zip", f.Name)
		}
	}
	if f.Mode()&os.ModeSymlink != 0 {
		return fmt.Errorf("member %q is a symbolic link: refusing the zip (links can point anywhere on the machine)", f.Name)
	}
	if f.UncompressedSize64 > opts.MaxEntryBytes {
		return fmt.Errorf("member %q is %d bytes uncompressed, over the %d-byte limit: refusing the zip", f.Name, f.UncompressedSize64, opts.MaxEntryBytes)
	}
	if f.CompressedSize64 > 0 && f.UncompressedSize64 > 1<<20 && f.UncompressedSize64/f.CompressedSize64 > opts.MaxRatio {
		return fmt.Errorf("member %q inflates %d times (%d bytes from %d): refusing what looks like a zip bomb", f.Name,
			f.UncompressedSize64/f.CompressedSize64, f.UncompressedSize64, f.CompressedSize64)
	}
	return nil
}
