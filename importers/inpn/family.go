package inpn

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/territory"
	"github.com/patrimap/patrimap/store"
)

// Family is `patrimap import inpn`: one INPN layer from a file, a URL or the WFS, recognised from its fields
// when not named, cut to a territory; a layer made of parts (national parks: cœurs and aires d'adhésion)
// becomes one dataset per part.
type Family struct{}

var _ importers.Family = Family{}

func (Family) About() importers.About {
	return importers.About{Name: "inpn",
		Summary:  "an INPN natural-heritage layer (shapefile, zip, GeoJSON or the WFS)",
		Synopsis: "import inpn --layer LAYER (--file PATH | --url URL | --wfs) [--territory SPEC | --within FILE | --bbox W,S,E,N] [flags]",
		Example:  "patrimap import inpn --layer apb --file apb.zip --territory epci:200040715"}
}

// flags are the values of one command line.
type flags struct {
	layerKey, file, url, wfsURL, id, crs *string
	wfs, jsonReport                      *bool
	territory                            importers.TerritoryFlags
}

func (Family) Flags(fs *flag.FlagSet) importers.Open {
	fl := &flags{
		layerKey:   fs.String("layer", "auto", "layer: auto, "+strings.Join(Keys(), ", ")),
		file:       fs.String("file", "", "a `PATH` to a .zip, a .shp (with its siblings), a .dbf or a GeoJSON file"),
		url:        fs.String("url", "", "download the file from this `URL` first"),
		wfs:        fs.Bool("wfs", false, "read the layer from the Géoplateforme WFS ("+DefaultWFS+")"),
		wfsURL:     fs.String("wfs-url", DefaultWFS, "WFS endpoint"),
		id:         fs.String("dataset", "", "dataset `ID` (default: the layer and the territory, e.g. znieff1-grenoble-alpes-metropole)"),
		crs:        fs.String("crs", "", "CRS of the coordinates when the .prj is missing or wrong, e.g. EPSG:2154"),
		jsonReport: fs.Bool("json", false, "print the import reports as JSON"),
	}
	fl.territory.Register(fs)
	return func(ctx context.Context, env importers.Env, _ []string, run func(importers.Job) error) error {
		return fl.open(ctx, fs, env, run)
	}
}

func (fl *flags) open(ctx context.Context, fs *flag.FlagSet, env importers.Env, run func(importers.Job) error) error {
	sources := 0
	for _, set := range []bool{*fl.file != "", *fl.url != "", *fl.wfs} {
		if set {
			sources++
		}
	}
	if sources != 1 {
		fs.Usage()
		return importers.UsageError{Err: errors.New("import inpn: give exactly one of --file PATH, --url URL and --wfs")}
	}
	srid, err := importers.ParseCRS(*fl.crs)
	if err != nil {
		return err
	}
	var layer Layer
	if *fl.layerKey != "auto" {
		l, ok := LayerByKey(*fl.layerKey)
		if !ok {
			return importers.UsageError{Err: fmt.Errorf("--layer %q: known layers are auto, %s", *fl.layerKey, strings.Join(Keys(), ", "))}
		}
		layer = l
	} else if *fl.wfs {
		return importers.UsageError{Err: errors.New("--wfs needs --layer: the WFS has one type per layer")}
	}
	terr, err := fl.territory.Resolve(ctx, env)
	if err != nil {
		return err
	}

	var (
		f       *File
		srcDesc store.Source
		size    int64
	)
	if *fl.wfs {
		srcDesc = store.Source{URL: *fl.wfsURL + "?typeNames=" + layer.WFSType, RetrievedAt: time.Now().UTC()}
	} else {
		p := *fl.file
		if *fl.url != "" {
			p, err = importers.Download(ctx, *fl.url, env.UserAgent)
			if err != nil {
				return err
			}
			defer os.RemoveAll(filepath.Dir(p))
		}
		srcDesc, size, err = importers.DescribeFile(p)
		if err != nil {
			return fmt.Errorf("import inpn: %w", err)
		}
		srcDesc.URL = *fl.url
		f, err = Inspect(ctx, p, srid)
		if err != nil {
			return err
		}
		defer f.Close()
		if *fl.layerKey == "auto" {
			l, why, ok := Recognise(filepath.Base(p), fieldNames(f.Fields), f.Codes)
			if !ok {
				return fmt.Errorf("import inpn: %s: cannot tell which layer this is (fields %s): pass --layer (%s)",
					filepath.Base(p), strings.Join(fieldNames(f.Fields), ", "), strings.Join(Keys(), ", "))
			}
			layer = l
			fmt.Fprintf(env.Stderr, "recognised layer %s (%s) from the %s\n", l.Key, l.Title, why)
		}
		for _, ig := range f.Ignored {
			fmt.Fprintf(env.Stderr, "ignored in the zip: %s\n", ig)
		}
	}

	for _, part := range layer.Parts() {
		info := datasetInfo(layer, part, *fl.id, terr, srcDesc)
		info.Description = layer.Kind + ". " + describeSource(f, *fl.wfs, layer)
		if err := store.ValidateID(info.ID); err != nil {
			return importers.UsageError{Err: err}
		}
		prog := importers.NewProgress(env.Progress, info.ID, size)
		var (
			src     importers.Source
			closeFn = func() error { return nil }
			rep     = &importers.Report{Source: srcDesc.File}
			fields  = NormalisedFields
		)
		if *fl.wfs {
			w := &WFS{BaseURL: *fl.wfsURL, TypeName: layer.WFSType, UserAgent: env.UserAgent}
			if terr != nil {
				b := terr.BBox
				w.BBox = &b
			}
			src, rep.Format, rep.Source = w, "WFS GeoJSON", *fl.wfsURL+" "+layer.WFSType
		} else {
			src, closeFn, err = f.Source(prog)
			if err != nil {
				return err
			}
			rep.Format, rep.SourceCRS = f.Format, f.CRS
			fields = append(append([]store.Field(nil), fields...), f.Fields...)
		}
		err := run(importers.Job{Info: info, Fields: fields, Report: rep, Progress: prog, Within: importers.Within(terr),
			Source: &Normaliser{Layer: layer, Part: part, Source: src}})
		closeFn()
		if err != nil {
			return err
		}
	}
	return nil
}

// datasetInfo names the dataset of one part of a layer: id, or the layer's key, the part's suffix and the
// territory's slug (znieff1-grenoble-alpes-metropole, pn-coeur); its title says the part and the territory.
func datasetInfo(l Layer, part Part, id string, terr *territory.Territory, src store.Source) store.DatasetInfo {
	dsID := id
	if dsID == "" {
		dsID = l.Key
		if part.Suffix != "" {
			dsID += "-" + part.Suffix
		}
		if terr != nil && terr.Slug != "" {
			dsID += "-" + terr.Slug
		}
	} else if part.Suffix != "" {
		dsID += "-" + part.Suffix
	}
	title := l.Title
	if part.Title != "" {
		title += " – " + part.Title
	}
	if name := territoryName(terr, dsID); name != "" {
		title += " (" + name + ")"
	}
	info := store.DatasetInfo{ID: dsID, Title: title, Theme: store.ThemeNatural, Producer: l.Producer,
		Licence: "Licence Ouverte 2.0", Source: src,
		Attribution: "Source : INPN – MNHN/PatriNat (OFB-MNHN-CNRS-IRD), " + l.Title + " – Licence Ouverte 2.0"}
	if l.Key == "ens" {
		info.Attribution = "Source : Département – Licence Ouverte 2.0"
	}
	return info
}

// territoryName is the territory a dataset's title names, so that two datasets of a layer read apart in a
// GIS's list of layers (QGIS lists collections and tables by title or name): the --territory's name, else the
// département a dataset id ends with ("apb-isere": Isère), else none (a national layer).
func territoryName(terr *territory.Territory, id string) string {
	if terr != nil {
		return terr.Name
	}
	ref, err := territory.LoadReference()
	if err != nil {
		return ""
	}
	codes := []string{"2A", "2B", "971", "972", "973", "974", "976"}
	for n := 1; n <= 95; n++ {
		codes = append(codes, fmt.Sprintf("%02d", n))
	}
	for _, code := range codes {
		if d, ok := ref.Departement(code); ok && strings.HasSuffix(id, "-"+territory.Slug(d.Name)) {
			return d.Name
		}
	}
	return ""
}

// describeSource says in French, as the rest of what users read, where the features were read.
func describeSource(f *File, wfs bool, l Layer) string {
	if wfs {
		return "Lu sur le service WFS de la Géoplateforme (couche " + l.WFSType + ")."
	}
	if f == nil {
		return ""
	}
	return "Importé depuis le fichier " + filepath.Base(f.Path) + " (" + formatFR[f.Format] + ")."
}

// formatFR names File.Format in French, for the dataset's description (the import report stays in English).
var formatFR = map[string]string{"GeoJSON": "GeoJSON", "ESRI Shapefile": "shapefile ESRI",
	"ESRI Shapefile (zip)": "shapefile ESRI zippé", "dBASE (attributes only, no .shp)": "table dBASE, attributs seuls, sans .shp"}

func fieldNames(fs []store.Field) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name
	}
	return out
}
