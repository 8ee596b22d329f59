package geojson

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/store"
)

// Family is `patrimap import geojson`: one file, whose catalogue entry the user gives with flags.
type Family struct{}

var _ importers.Family = Family{}

func (Family) About() importers.About {
	return importers.About{Name: "geojson",
		Summary:  "a GeoJSON FeatureCollection or newline-delimited GeoJSON file",
		Synopsis: "import geojson FILE --dataset ID --producer PRODUCER [flags]",
		Example: `patrimap import geojson testdata/rnn-isere.geojson --dataset rnn-isere --title "Réserves naturelles nationales (Isère)" ` +
			`--producer "INPN – MNHN/PatriNat" --theme natural`}
}

// Flags declares the catalogue fields (--dataset, --producer...) and --crs.
func (Family) Flags(fs *flag.FlagSet) importers.Open {
	var df datasetFlags
	df.register(fs)
	crs := fs.String("crs", "", "CRS of the coordinates when the file is not WGS84 and does not say, e.g. EPSG:2154")
	return func(ctx context.Context, env importers.Env, args []string, run func(importers.Job) error) error {
		if len(args) != 1 {
			fs.Usage()
			return importers.UsageError{Err: fmt.Errorf("import geojson: give exactly one FILE (got %d)", len(args))}
		}
		if err := df.check(); err != nil {
			return err
		}
		srid, err := importers.ParseCRS(*crs)
		if err != nil {
			return err
		}
		path := args[0]
		src, size, err := importers.DescribeFile(path)
		if err != nil {
			return fmt.Errorf("import geojson: %w", err)
		}
		if df.info.Source.URL != "" {
			src.URL = df.info.Source.URL
		}
		df.info.Source = src
		prog := importers.NewProgress(env.Progress, df.info.ID, size)
		f, err := Open(path, srid, prog)
		if err != nil {
			return err
		}
		defer f.Close()
		return run(importers.Job{Info: df.info, Source: f, Report: &importers.Report{Source: src.File, Format: "GeoJSON"}, Progress: prog})
	}
}

// datasetFlags are the catalogue fields a user gives for a file that does not say them.
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
		return importers.UsageError{Err: errors.New("--dataset ID is required")}
	}
	if err := store.ValidateID(d.info.ID); err != nil {
		return importers.UsageError{Err: err}
	}
	if d.info.Producer == "" {
		return importers.UsageError{Err: errors.New("--producer is required: say who made the data")}
	}
	switch d.info.Theme {
	case store.ThemeNatural, store.ThemeCultural, store.ThemeOSM, store.ThemeOther:
	default:
		return importers.UsageError{Err: fmt.Errorf("--theme %q: use natural, cultural, osm or other", d.info.Theme)}
	}
	if d.info.Title == "" {
		d.info.Title = d.info.ID
	}
	return nil
}
