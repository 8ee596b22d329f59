package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/osm"
	"github.com/patrimap/patrimap/store"
)

// OSM data is under the ODbL: the attribution goes with every dataset made from it.
const (
	osmLicence     = "ODbL 1.0 (Open Database Licence)"
	osmAttribution = "© les contributeurs d'OpenStreetMap"
	osmProducer    = "Contributeurs OpenStreetMap"
)

func runImportOSM(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "import osm", "import osm (--theme THEME | --theme-file FILE) (--file PATH | --overpass) [--territory SPEC | --within FILE | --bbox W,S,E,N | --osm-area ID] [flags]",
		"patrimap import osm --theme playground --overpass --territory epci:200040715")
	themeName := fs.String("theme", "", "theme: "+strings.Join(osm.ThemeNames(), ", "))
	themeFile := fs.String("theme-file", "", "a theme of your own: a JSON `FILE` like importers/osm/themes/playground.json")
	file := fs.String("file", "", "a `PATH` to .osm, .osm.bz2, .osm.pbf, an Overpass JSON/XML response or a geodatamine export (GeoJSON, CSV)")
	overpass := fs.Bool("overpass", false, "query the Overpass API for the theme in the territory")
	overpassURL := fs.String("overpass-url", envOr("PATRIMAP_OVERPASS_URL", osm.DefaultOverpass), "Overpass interpreter `URL` (or $PATRIMAP_OVERPASS_URL)")
	osmArea := fs.String("osm-area", "", "with --overpass: an OSM boundary relation `ID` (geodatamine's boundary id, e.g. -7444 for Paris) instead of a territory")
	save := fs.String("save-response", "", "with --overpass: keep the response in this `FILE` (import it again later with --file)")
	printQuery := fs.Bool("print-query", false, "with --overpass: print the Overpass query and stop")
	asPoints := fs.Bool("as-points", false, "one point inside each polygon (and on each line) instead of its outline")
	id := fs.String("dataset", "", "dataset `ID` (default: osm-THEME and the territory, e.g. osm-playground-grenoble-alpes-metropole)")
	title := fs.String("title", "", "dataset title (default: the theme's title and the territory)")
	jsonReport := fs.Bool("json", false, "print the import report as JSON")
	var tf territoryFlags
	tf.register(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if (*themeName == "") == (*themeFile == "") {
		fs.Usage()
		return usageError{errors.New("import osm: give one of --theme NAME (" + strings.Join(osm.ThemeNames(), ", ") + ") and --theme-file FILE")}
	}
	if (*file == "") == !*overpass {
		fs.Usage()
		return usageError{errors.New("import osm: give exactly one of --file PATH and --overpass")}
	}
	var (
		th  *osm.Theme
		err error
	)
	if *themeFile != "" {
		th, err = osm.ReadThemeFile(*themeFile)
	} else {
		th, err = osm.LoadTheme(*themeName)
	}
	if err != nil {
		return usageError{fmt.Errorf("import osm: %w", err)}
	}
	var relation int64
	if *osmArea != "" {
		if !*overpass {
			return usageError{errors.New("--osm-area is for --overpass; to cut a file, use --territory, --within or --bbox")}
		}
		if tf.spec != "" || tf.within != "" || tf.bbox != "" {
			return usageError{errors.New("give either --osm-area or one of --territory, --within and --bbox")}
		}
		if relation, err = osm.ParseRelationArea(*osmArea); err != nil {
			return usageError{fmt.Errorf("--osm-area %w", err)}
		}
	}
	client := &osm.Overpass{URL: *overpassURL, UserAgent: userAgent, HTTP: &http.Client{Timeout: 10 * time.Minute}}
	if *overpass && *printQuery && relation != 0 {
		q, err := client.Query(th, osm.Area{Relation: relation})
		if err != nil {
			return usageError{err}
		}
		fmt.Fprint(e.stdout, q)
		return nil
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

	path := *file
	var srcDesc store.Source
	if *overpass {
		area := osm.Area{Relation: relation}
		if terr != nil {
			b := terr.BBox
			area.BBox = &b
		}
		q, err := client.Query(th, area)
		if err != nil {
			return usageError{err}
		}
		if *printQuery {
			fmt.Fprint(e.stdout, q)
			return nil
		}
		path, err = fetchOverpass(ctx, e, client, q, *save)
		if err != nil {
			return err
		}
		if *save == "" {
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

	dsID := *id
	if dsID == "" {
		dsID = "osm-" + strings.ReplaceAll(th.Name, "_", "-")
		if terr != nil && terr.Slug != "" {
			dsID += "-" + terr.Slug
		} else if relation != 0 {
			dsID += fmt.Sprintf("-r%d", relation)
		}
	}
	if err := store.ValidateID(dsID); err != nil {
		return usageError{err}
	}
	dsTitle := *title
	if dsTitle == "" {
		dsTitle = th.Title
		if terr != nil && terr.Name != "" {
			dsTitle += " (" + terr.Name + ")"
		}
	}
	size := int64(0)
	if st, err := os.Stat(path); err == nil {
		size = st.Size()
	}
	f, err := osm.Open(path, osm.Options{Theme: th, AsPoints: *asPoints})
	if err != nil {
		return err
	}
	prog := importers.NewProgress(os.Stderr, dsID, size*int64(f.Passes()))
	f.SetProgress(prog)
	info := store.DatasetInfo{ID: dsID, Title: dsTitle, Theme: store.ThemeOSM, Producer: osmProducer,
		Licence: osmLicence, Attribution: osmAttribution, Source: srcDesc,
		Description: fmt.Sprintf("%s Extrait d'OpenStreetMap, thème %s (%s), depuis %s (%s).", th.Description, th.Name, th.Filter(), describeOSMSource(*overpass, path), f.Format)}
	rep := &importers.Report{Source: filepath.Base(path), Format: f.Format}
	if *overpass {
		rep.Source = "Overpass " + client.URL
	}
	if f.Compression != "" {
		rep.Format += " (" + f.Compression + ")"
	}
	job := importers.Job{Info: info, Fields: th.Fields(), Report: rep, Progress: prog, Source: f}
	if terr != nil {
		job.Within = terr.Boundary
		if job.Within == nil {
			job.Within = terr.BBox.ToPolygon()
		}
	}
	d, err := importers.Run(ctx, st, job)
	if err != nil {
		return err
	}
	return printReport(e, d, rep, *jsonReport)
}

func describeOSMSource(overpass bool, path string) string {
	if overpass {
		return "l'API Overpass"
	}
	return filepath.Base(path)
}

// fetchOverpass runs the query and saves the response, in save or in a temporary directory.
func fetchOverpass(ctx context.Context, e *env, client *osm.Overpass, query, save string) (string, error) {
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
		return "", err
	}
	fmt.Fprintf(e.stderr, "querying Overpass (%s); this can take a few minutes\n", client.URL)
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

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
