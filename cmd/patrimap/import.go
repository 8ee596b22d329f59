package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/geojson"
	"github.com/patrimap/patrimap/store"
)

// datasetFlags are the catalogue fields every import takes.
type datasetFlags struct {
	info       store.DatasetInfo
	jsonReport bool
}

func (d *datasetFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.info.ID, "dataset", "", "dataset `ID`: a slug such as rnn-isere (required)")
	fs.StringVar(&d.info.Title, "title", "", "dataset title (default: the id)")
	fs.StringVar(&d.info.Description, "description", "", "dataset description")
	fs.StringVar(&d.info.Producer, "producer", "", "who produced the data, e.g. \"INPN – MNHN/PatriNat\" (required)")
	fs.StringVar(&d.info.Theme, "theme", store.ThemeOther, "theme: natural, cultural, osm or other")
	fs.StringVar(&d.info.Licence, "licence", "", "licence, e.g. \"Licence Ouverte 2.0\"")
	fs.StringVar(&d.info.Attribution, "attribution", "", "attribution to show with the data")
	fs.StringVar(&d.info.Source.URL, "source-url", "", "where the file was downloaded from")
	fs.BoolVar(&d.jsonReport, "json", false, "print the import report as JSON")
}

func (d *datasetFlags) check() error {
	if d.info.ID == "" {
		return usageError{errors.New("--dataset ID is required")}
	}
	if err := store.ValidateID(d.info.ID); err != nil {
		return usageError{err}
	}
	if d.info.Producer == "" {
		return usageError{errors.New("--producer is required: say who made the data")}
	}
	switch d.info.Theme {
	case store.ThemeNatural, store.ThemeCultural, store.ThemeOSM, store.ThemeOther:
	default:
		return usageError{fmt.Errorf("--theme %q: use natural, cultural, osm or other", d.info.Theme)}
	}
	if d.info.Title == "" {
		d.info.Title = d.info.ID
	}
	return nil
}

func runImport(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(e.stderr, "Usage: patrimap import FAMILY ...\n\nFamilies:\n  geojson   a GeoJSON FeatureCollection or newline-delimited GeoJSON file\n  inpn      an INPN natural-heritage layer (shapefile, zip, GeoJSON or the WFS)\n  culture   a Ministère de la Culture list (monuments historiques, musées de France, jardins, ACR, maisons des Illustres)\n  osm       an OpenStreetMap theme (OSM XML/PBF, an Overpass response, a geodatamine export, or Overpass itself)")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return flag.ErrHelp
		}
		return usageError{errors.New("import: name the source family, e.g. `patrimap import geojson FILE`")}
	}
	switch args[0] {
	case "geojson":
		return runImportGeoJSON(ctx, e, args[1:])
	case "inpn":
		return runImportINPN(ctx, e, args[1:])
	case "osm":
		return runImportOSM(ctx, e, args[1:])
	case "culture":
		return runImportCulture(ctx, e, args[1:])
	}
	return usageError{fmt.Errorf("import: unknown source family %q (known: geojson, inpn, culture, osm)", args[0])}
}

func runImportGeoJSON(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "import geojson", "import geojson FILE --dataset ID --producer PRODUCER [flags]",
		`patrimap import geojson testdata/rnn-isere.geojson --dataset rnn-isere --title "Réserves naturelles nationales (Isère)" --producer "INPN – MNHN/PatriNat" --theme natural`)
	var df datasetFlags
	df.register(fs)
	crs := fs.String("crs", "", "CRS of the coordinates when the file is not WGS84 and does not say, e.g. EPSG:2154")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return usageError{fmt.Errorf("import geojson: give exactly one FILE (got %d)", len(pos))}
	}
	if err := df.check(); err != nil {
		return err
	}
	srid, err := parseCRS(*crs)
	if err != nil {
		return usageError{err}
	}
	path := pos[0]
	src, size, err := importers.DescribeFile(path)
	if err != nil {
		return fmt.Errorf("import geojson: %w", err)
	}
	if df.info.Source.URL != "" {
		src.URL = df.info.Source.URL
	}
	df.info.Source = src

	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	prog := importers.NewProgress(os.Stderr, df.info.ID, size)
	f, err := geojson.Open(path, srid, prog)
	if err != nil {
		return err
	}
	defer f.Close()
	rep := &importers.Report{Source: src.File, Format: "GeoJSON"}
	d, err := importers.Run(ctx, st, importers.Job{Info: df.info, Source: f, Report: rep, Progress: prog})
	if err != nil {
		return err
	}
	return printReport(e, d, rep, df.jsonReport)
}

func printReport(e *env, d store.Dataset, rep *importers.Report, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	rep.Print(e.stdout)
	fmt.Fprintf(e.stdout, "  dataset %s: %d features, %s, in %s\n", d.ID, d.FeatureCount, orNone(d.GeometryType), e.db)
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "no geometry"
	}
	return s
}

var crsPattern = regexp.MustCompile(`(?i)^(?:EPSG:)?(\d{4,6})$`)

// parseCRS reads --crs EPSG:NNNN (or a bare code); "" means unset.
func parseCRS(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	m := crsPattern.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, fmt.Errorf("--crs %q: expected EPSG:NNNN, e.g. EPSG:2154 for Lambert-93", s)
	}
	return strconv.Atoi(m[1])
}
