package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/inpn"
	"github.com/patrimap/patrimap/importers/territory"
	"github.com/patrimap/patrimap/store"
)

// territoryFlags are --territory, --within and --bbox, shared by the importers that cut a territory.
type territoryFlags struct {
	spec, within, bbox string
}

func (t *territoryFlags) register(fs interface {
	StringVar(*string, string, string, string)
}) {
	fs.StringVar(&t.spec, "territory", "", "keep a territory: epci:SIREN, dep:CODE, commune:INSEE[,INSEE...] (boundary fetched once from the national geo API, then cached in the store)")
	fs.StringVar(&t.within, "within", "", "keep what intersects the polygons of this GeoJSON `FILE` (works offline)")
	fs.StringVar(&t.bbox, "bbox", "", "keep what intersects west,south,east,north (WGS84 degrees)")
}

// local resolves what needs neither the network nor the reference lists: nothing asked (nil), --within and
// --bbox. done is false when --territory is to be resolved.
func (t *territoryFlags) local() (terr *territory.Territory, done bool, err error) {
	n := 0
	for _, s := range []string{t.spec, t.within, t.bbox} {
		if s != "" {
			n++
		}
	}
	switch {
	case n == 0:
		return nil, true, nil
	case n > 1:
		return nil, true, usageError{errors.New("give one of --territory, --within and --bbox")}
	case t.within != "":
		terr, err = territory.FromFile(t.within)
		return terr, true, err
	case t.bbox != "":
		terr, err = territory.FromBBox(t.bbox)
		if err != nil {
			return nil, true, usageError{err}
		}
		return terr, true, nil
	}
	return nil, false, nil
}

// communes resolves --territory to its communes, from the embedded official lists (no network).
func (t *territoryFlags) communes(ref *territory.Reference) (*territory.Territory, error) {
	spec, err := territory.ParseSpec(t.spec)
	if err != nil {
		return nil, usageError{err}
	}
	terr, err := ref.Communes(spec)
	if err != nil {
		return nil, usageError{err}
	}
	return terr, nil
}

// resolve returns the territory with its boundary, or nil when none was asked for. A --territory boundary
// comes from the geo API once, then from the store's cache.
func (t *territoryFlags) resolve(ctx context.Context, st territory.Cache) (*territory.Territory, error) {
	if terr, done, err := t.local(); done || err != nil {
		return terr, err
	}
	ref, err := territory.LoadReference()
	if err != nil {
		return nil, err
	}
	tt, err := t.communes(ref)
	if err != nil {
		return nil, err
	}
	// PATRIMAP_GEO_API points at a mirror of the national geo API (or a test server).
	b := &territory.Boundaries{HTTP: &http.Client{Timeout: 20 * time.Second}, Store: st, UserAgent: userAgent,
		BaseURL: os.Getenv("PATRIMAP_GEO_API")}
	if err := b.Boundary(ctx, tt); err != nil {
		return nil, err
	}
	return tt, nil
}

const userAgent = "patrimap/" + "1 (+https://github.com/patrimap/patrimap)"

func runImportINPN(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "import inpn", "import inpn --layer LAYER (--file PATH | --url URL | --wfs) [--territory SPEC | --within FILE | --bbox W,S,E,N] [flags]",
		"patrimap import inpn --layer apb --file apb.zip --territory epci:200040715")
	layerKey := fs.String("layer", "auto", "layer: auto, "+strings.Join(inpn.Keys(), ", "))
	file := fs.String("file", "", "a `PATH` to a .zip, a .shp (with its siblings), a .dbf or a GeoJSON file")
	url := fs.String("url", "", "download the file from this `URL` first")
	wfs := fs.Bool("wfs", false, "read the layer from the Géoplateforme WFS ("+inpn.DefaultWFS+")")
	wfsURL := fs.String("wfs-url", inpn.DefaultWFS, "WFS endpoint")
	id := fs.String("dataset", "", "dataset `ID` (default: the layer and the territory, e.g. znieff1-grenoble-alpes-metropole)")
	crs := fs.String("crs", "", "CRS of the coordinates when the .prj is missing or wrong, e.g. EPSG:2154")
	jsonReport := fs.Bool("json", false, "print the import reports as JSON")
	var tf territoryFlags
	tf.register(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	sources := 0
	for _, set := range []bool{*file != "", *url != "", *wfs} {
		if set {
			sources++
		}
	}
	if sources != 1 {
		fs.Usage()
		return usageError{errors.New("import inpn: give exactly one of --file PATH, --url URL and --wfs")}
	}
	srid, err := parseCRS(*crs)
	if err != nil {
		return usageError{err}
	}
	var layer inpn.Layer
	if *layerKey != "auto" {
		l, ok := inpn.LayerByKey(*layerKey)
		if !ok {
			return usageError{fmt.Errorf("--layer %q: known layers are auto, %s", *layerKey, strings.Join(inpn.Keys(), ", "))}
		}
		layer = l
	} else if *wfs {
		return usageError{errors.New("--wfs needs --layer: the WFS has one type per layer")}
	}

	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	terr, err := tf.resolve(ctx, st)
	if err != nil {
		return err
	}

	var (
		f       *inpn.File
		srcDesc store.Source
		size    int64
	)
	switch {
	case *wfs:
		srcDesc = store.Source{URL: *wfsURL + "?typeNames=" + layer.WFSType, RetrievedAt: time.Now().UTC()}
	default:
		p := *file
		if *url != "" {
			p, err = download(ctx, *url)
			if err != nil {
				return err
			}
			defer os.RemoveAll(filepath.Dir(p))
		}
		srcDesc, size, err = importers.DescribeFile(p)
		if err != nil {
			return fmt.Errorf("import inpn: %w", err)
		}
		srcDesc.URL = *url
		f, err = inpn.Inspect(ctx, p, srid)
		if err != nil {
			return err
		}
		defer f.Close()
		if *layerKey == "auto" {
			l, why, ok := inpn.Recognise(filepath.Base(p), fieldNames(f.Fields), f.Codes)
			if !ok {
				return fmt.Errorf("import inpn: %s: cannot tell which layer this is (fields %s): pass --layer (%s)",
					filepath.Base(p), strings.Join(fieldNames(f.Fields), ", "), strings.Join(inpn.Keys(), ", "))
			}
			layer = l
			fmt.Fprintf(e.stderr, "recognised layer %s (%s) from the %s\n", l.Key, l.Title, why)
		}
		for _, ig := range f.Ignored {
			fmt.Fprintf(e.stderr, "ignored in the zip: %s\n", ig)
		}
	}

	for _, part := range layer.Parts() {
		dsID := *id
		if dsID == "" {
			dsID = layer.Key
			if part.Suffix != "" {
				dsID += "-" + part.Suffix
			}
			if terr != nil && terr.Slug != "" {
				dsID += "-" + terr.Slug
			}
		} else if part.Suffix != "" {
			dsID += "-" + part.Suffix
		}
		title := layer.Title
		if part.Title != "" {
			title += " – " + part.Title
		}
		if terr != nil && terr.Name != "" {
			title += " (" + terr.Name + ")"
		}
		info := store.DatasetInfo{ID: dsID, Title: title, Theme: store.ThemeNatural, Producer: layer.Producer,
			Licence: "Licence Ouverte 2.0", Source: srcDesc,
			Attribution: "Source : INPN – MNHN/PatriNat (OFB-MNHN-CNRS-IRD), " + layer.Title + " – Licence Ouverte 2.0",
			Description: layer.Kind + ". " + describeSource(f, *wfs, layer)}
		if layer.Key == "ens" {
			info.Attribution = "Source : Département – Licence Ouverte 2.0"
		}
		if err := store.ValidateID(dsID); err != nil {
			return usageError{err}
		}
		prog := importers.NewProgress(os.Stderr, dsID, size)
		var (
			src     importers.Source
			closeFn = func() error { return nil }
			rep     = &importers.Report{Source: srcDesc.File}
			fields  = inpn.NormalisedFields
		)
		if *wfs {
			w := &inpn.WFS{BaseURL: *wfsURL, TypeName: layer.WFSType, UserAgent: userAgent}
			if terr != nil {
				b := terr.BBox
				w.BBox = &b
			}
			src, rep.Format, rep.Source = w, "WFS GeoJSON", *wfsURL+" "+layer.WFSType
		} else {
			src, closeFn, err = f.Source(prog)
			if err != nil {
				return err
			}
			rep.Format, rep.SourceCRS = f.Format, f.CRS
			fields = append(append([]store.Field(nil), fields...), f.Fields...)
		}
		job := importers.Job{Info: info, Fields: fields, Report: rep, Progress: prog,
			Source: &inpn.Normaliser{Layer: layer, Part: part, Source: src}}
		if terr != nil {
			job.Within = terr.Boundary
			if job.Within == nil {
				job.Within = terr.BBox.ToPolygon()
			}
		}
		d, err := importers.Run(ctx, st, job)
		closeFn()
		if err != nil {
			return err
		}
		if err := printReport(e, d, rep, *jsonReport); err != nil {
			return err
		}
	}
	return nil
}

func describeSource(f *inpn.File, wfs bool, l inpn.Layer) string {
	if wfs {
		return "Read from the Géoplateforme WFS (" + l.WFSType + ")."
	}
	if f == nil {
		return ""
	}
	return "Imported from " + filepath.Base(f.Path) + " (" + f.Format + ")."
}

func fieldNames(fs []store.Field) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name
	}
	return out
}

// download saves url into a temporary directory, under its own name, and returns the file's path.
func download(ctx context.Context, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", usageError{fmt.Errorf("--url %q: %w", url, err)}
	}
	req.Header.Set("User-Agent", userAgent)
	res, err := (&http.Client{Timeout: 10 * time.Minute}).Do(req)
	if err != nil {
		return "", fmt.Errorf("download %s: %w (offline? download it yourself and use --file)", url, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("download %s: HTTP %d: check the address, or download it yourself and use --file", url, res.StatusCode)
	}
	dir, err := os.MkdirTemp("", "patrimap-download-")
	if err != nil {
		return "", err
	}
	name := path.Base(req.URL.Path)
	if name == "" || name == "/" || name == "." {
		name = "download"
	}
	p := filepath.Join(dir, name)
	out, err := os.Create(p)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(out, res.Body); err != nil {
		out.Close()
		return "", fmt.Errorf("download %s: %w", url, err)
	}
	return p, out.Close()
}
