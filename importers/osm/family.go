package osm

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/territory"
	"github.com/patrimap/patrimap/store"
)

// OSM data is under the ODbL: the attribution goes with every dataset made from it.
const (
	Licence     = "ODbL 1.0 (Open Database Licence)"
	Attribution = "© les contributeurs d'OpenStreetMap"
	Producer    = "Contributeurs OpenStreetMap"
)

// Family is `patrimap import osm`: one theme (a tag filter and the fields it keeps) from an OSM file, an
// Overpass response or export, or Overpass itself, cut to a territory.
type Family struct{}

var _ importers.Family = Family{}

func (Family) About() importers.About {
	return importers.About{Name: "osm",
		Summary:  "an OpenStreetMap theme (OSM XML/PBF, an Overpass response, a geodatamine export, or Overpass itself)",
		Synopsis: "import osm (--theme THEME | --theme-file FILE) (--file PATH | --overpass) [--territory SPEC | --within FILE | --bbox W,S,E,N | --osm-area ID] [flags]",
		Example:  "patrimap import osm --theme playground --overpass --territory epci:200040715"}
}

// flags are the values of one command line.
type flags struct {
	themeName, themeFile, file, overpassURL, osmArea, save, id, title *string
	overpass, printQuery, asPoints, jsonReport                        *bool
	territory                                                         importers.TerritoryFlags
}

func (Family) Flags(fs *flag.FlagSet) importers.Open {
	overpassURL := os.Getenv("PATRIMAP_OVERPASS_URL")
	if overpassURL == "" {
		overpassURL = DefaultOverpass
	}
	fl := &flags{
		themeName:   fs.String("theme", "", "theme: "+strings.Join(ThemeNames(), ", ")),
		themeFile:   fs.String("theme-file", "", "a theme of your own: a JSON `FILE` like importers/osm/themes/playground.json"),
		file:        fs.String("file", "", "a `PATH` to .osm, .osm.bz2, .osm.pbf, an Overpass JSON/XML response or a geodatamine export (GeoJSON, CSV)"),
		overpass:    fs.Bool("overpass", false, "query the Overpass API for the theme in the territory"),
		overpassURL: fs.String("overpass-url", overpassURL, "Overpass interpreter `URL` (or $PATRIMAP_OVERPASS_URL)"),
		osmArea:     fs.String("osm-area", "", "with --overpass: an OSM boundary relation `ID` (geodatamine's boundary id, e.g. -7444 for Paris) instead of a territory"),
		save:        fs.String("save-response", "", "with --overpass: keep the response in this `FILE` (import it again later with --file)"),
		printQuery:  fs.Bool("print-query", false, "with --overpass: print the Overpass query and stop"),
		asPoints:    fs.Bool("as-points", false, "one point inside each polygon (and on each line) instead of its outline"),
		id:          fs.String("dataset", "", "dataset `ID` (default: osm-THEME and the territory, e.g. osm-playground-grenoble-alpes-metropole)"),
		title:       fs.String("title", "", "dataset title (default: the theme's title and the territory)"),
		jsonReport:  fs.Bool("json", false, "print the import report as JSON"),
	}
	fl.territory.Register(fs)
	return func(ctx context.Context, env importers.Env, _ []string, run func(importers.Job) error) error {
		return fl.open(ctx, fs, env, run)
	}
}

func (fl *flags) open(ctx context.Context, fs *flag.FlagSet, env importers.Env, run func(importers.Job) error) error {
	if (*fl.themeName == "") == (*fl.themeFile == "") {
		fs.Usage()
		return importers.UsageError{Err: errors.New("import osm: give one of --theme NAME (" + strings.Join(ThemeNames(), ", ") + ") and --theme-file FILE")}
	}
	if (*fl.file == "") == !*fl.overpass {
		fs.Usage()
		return importers.UsageError{Err: errors.New("import osm: give exactly one of --file PATH and --overpass")}
	}
	var (
		th  *Theme
		err error
	)
	if *fl.themeFile != "" {
		th, err = ReadThemeFile(*fl.themeFile)
	} else {
		th, err = LoadTheme(*fl.themeName)
	}
	if err != nil {
		return importers.UsageError{Err: fmt.Errorf("import osm: %w", err)}
	}
	var relation int64
	if *fl.osmArea != "" {
		if !*fl.overpass {
			return importers.UsageError{Err: errors.New("--osm-area is for --overpass; to cut a file, use --territory, --within or --bbox")}
		}
		if fl.territory.Set() {
			return importers.UsageError{Err: errors.New("give either --osm-area or one of --territory, --within and --bbox")}
		}
		if relation, err = ParseRelationArea(*fl.osmArea); err != nil {
			return importers.UsageError{Err: fmt.Errorf("--osm-area %w", err)}
		}
	}
	client := &Overpass{URL: *fl.overpassURL, UserAgent: env.UserAgent, HTTP: &http.Client{Timeout: 10 * time.Minute}}
	if *fl.overpass && *fl.printQuery && relation != 0 {
		q, err := client.Query(th, Area{Relation: relation})
		if err != nil {
			return importers.UsageError{Err: err}
		}
		fmt.Fprint(env.Stdout, q)
		return nil
	}
	terr, err := fl.territory.Resolve(ctx, env)
	if err != nil {
		return err
	}

	path := *fl.file
	var srcDesc store.Source
	if *fl.overpass {
		area := Area{Relation: relation}
		if terr != nil {
			b := terr.BBox
			area.BBox = &b
		}
		q, err := client.Query(th, area)
		if err != nil {
			return importers.UsageError{Err: err}
		}
		if *fl.printQuery {
			fmt.Fprint(env.Stdout, q)
			return nil
		}
		path, err = fetchOverpass(ctx, env, client, q, *fl.save)
		if err != nil {
			return err
		}
		if *fl.save == "" {
			defer os.RemoveAll(filepath.Dir(path))
		}
		srcDesc, _, err = importers.DescribeFile(path)
		if err != nil {
			return fmt.Errorf("import osm: %w", err)
		}
		srcDesc.File = ""
		srcDesc.URL = client.URL + "?data=" + q
	} else {
		srcDesc, _, err = importers.DescribeFile(path)
		if err != nil {
			return fmt.Errorf("import osm: %w", err)
		}
	}

	info := datasetInfo(th, *fl.id, *fl.title, terr, relation, srcDesc)
	if err := store.ValidateID(info.ID); err != nil {
		return importers.UsageError{Err: err}
	}
	size := int64(0)
	if st, err := os.Stat(path); err == nil {
		size = st.Size()
	}
	f, err := Open(path, Options{Theme: th, AsPoints: *fl.asPoints})
	if err != nil {
		return err
	}
	prog := importers.NewProgress(env.Progress, info.ID, size*int64(f.Passes()))
	f.SetProgress(prog)
	from := filepath.Base(path)
	if *fl.overpass {
		from = "l'API Overpass"
	}
	info.Description = fmt.Sprintf("%s Extrait d'OpenStreetMap, thème %s (%s), depuis %s (%s).", th.Description, th.Name, th.Filter(), from, f.Format)
	rep := &importers.Report{Source: filepath.Base(path), Format: f.Format}
	if *fl.overpass {
		rep.Source = "Overpass " + client.URL
	}
	if f.Compression != "" {
		rep.Format += " (" + f.Compression + ")"
	}
	return run(importers.Job{Info: info, Fields: th.Fields(), Report: rep, Progress: prog, Source: f, Within: importers.Within(terr)})
}

// datasetInfo names the dataset: id, or osm-THEME and the territory's slug (or the relation), with the theme's
// title and the territory's name unless title is given.
func datasetInfo(th *Theme, id, title string, terr *territory.Territory, relation int64, src store.Source) store.DatasetInfo {
	if id == "" {
		id = "osm-" + strings.ReplaceAll(th.Name, "_", "-")
		if terr != nil && terr.Slug != "" {
			id += "-" + terr.Slug
		} else if relation != 0 {
			id += fmt.Sprintf("-r%d", relation)
		}
	}
	if title == "" {
		title = th.Title
		if terr != nil && terr.Name != "" {
			title += " (" + terr.Name + ")"
		}
	}
	return store.DatasetInfo{ID: id, Title: title, Theme: store.ThemeOSM, Producer: Producer,
		Licence: Licence, Attribution: Attribution, Source: src}
}

// fetchOverpass runs the query and saves the response, in save or in a temporary directory.
func fetchOverpass(ctx context.Context, env importers.Env, client *Overpass, query, save string) (string, error) {
	p := save
	if p == "" {
		dir, err := os.MkdirTemp("", "patrimap-overpass-")
		if err != nil {
			return "", err
		}
		p = filepath.Join(dir, "overpass.json")
	}
	out, err := os.Create(p)
	if err != nil {
		if save == "" {
			os.RemoveAll(filepath.Dir(p))
		}
		return "", err
	}
	fmt.Fprintf(env.Stderr, "querying Overpass (%s); this can take a few minutes\n", client.URL)
	if err := client.Fetch(ctx, query, out); err != nil {
		out.Close()
		if save == "" {
			os.RemoveAll(filepath.Dir(p))
		} else {
			os.Remove(p)
		}
		return "", err
	}
	return p, out.Close()
}
