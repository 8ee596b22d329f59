package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/osm"
	"github.com/patrimap/patrimap/importers/territory"
	"github.com/patrimap/patrimap/store"
)

const userAgent = "patrimap/" + "1 (+https://github.com/patrimap/patrimap)"

// What `check merimee-osm` writes is made from OSM data: the ODbL and its attribution go with it.
const (
	osmLicence     = osm.Licence
	osmAttribution = osm.Attribution
)

// runImport runs `patrimap import FAMILY ...` for the families of e.
func runImport(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(e.stderr, "Usage: patrimap import FAMILY ...\n\nFamilies:")
		for _, f := range e.families {
			fmt.Fprintf(e.stderr, "  %-9s %s\n", f.About().Name, f.About().Summary)
		}
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return flag.ErrHelp
		}
		return usageError{errors.New("import: name the source family, e.g. `patrimap import geojson FILE`")}
	}
	for _, f := range e.families {
		if f.About().Name == args[0] {
			return importFamily(ctx, e, f, args[1:])
		}
	}
	return usageError{fmt.Errorf("import: unknown source family %q (known: %s)", args[0], strings.Join(e.familyNames(), ", "))}
}

func (e *env) familyNames() []string {
	names := make([]string, len(e.families))
	for i, f := range e.families {
		names[i] = f.About().Name
	}
	return names
}

// importFamily parses the family's flags, lets it open its source, and runs each job it gives into the store,
// printing its report. The store is opened when first needed: a command refused for its flags or its file
// leaves no new database behind.
func importFamily(ctx context.Context, e *env, f importers.Family, args []string) error {
	about := f.About()
	fs := newFlags(e, "import "+about.Name, about.Synopsis, about.Example)
	open := f.Flags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	asJSON := false // every family declares --json
	if fl := fs.Lookup("json"); fl != nil {
		if g, ok := fl.Value.(flag.Getter); ok {
			asJSON, _ = g.Get().(bool)
		}
	}

	var st store.Store
	defer func() {
		if st != nil {
			st.Close()
		}
	}()
	openStore := func(ctx context.Context) (store.Store, error) {
		if st != nil {
			return st, nil
		}
		s, err := e.openStore(ctx)
		if err != nil {
			return nil, err
		}
		st = s
		return st, nil
	}
	env := importers.Env{Stdout: e.stdout, Stderr: e.stderr, Progress: os.Stderr, UserAgent: userAgent,
		Boundary: func(ctx context.Context, t *territory.Territory) error {
			st, err := openStore(ctx)
			if err != nil {
				return err
			}
			// PATRIMAP_GEO_API points at a mirror of the national geo API (or a test server).
			b := &territory.Boundaries{HTTP: &http.Client{Timeout: 20 * time.Second}, Store: st, UserAgent: userAgent,
				BaseURL: os.Getenv("PATRIMAP_GEO_API")}
			return b.Boundary(ctx, t)
		}}
	var done []string
	err = open(ctx, env, pos, func(job importers.Job) error {
		st, err := openStore(ctx)
		if err != nil {
			return err
		}
		notes := e.stderr
		if asJSON { // the report, on stdout, gives the title; stderr stays for errors
			notes = io.Discard
		}
		if job.Info.Title, err = uniqueTitle(ctx, st, job.Info, notes); err != nil {
			return err
		}
		d, err := importers.Run(ctx, st, job)
		if err != nil {
			return err
		}
		done = append(done, d.ID)
		return printReport(e, d, job.Report, asJSON)
	})
	if ue := (importers.UsageError{}); errors.As(err, &ue) {
		return usageError{err}
	}
	if err != nil && ctx.Err() != nil {
		return interruptedImport{done: done, err: err}
	}
	return err
}

func printReport(e *env, d store.Dataset, rep *importers.Report, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	rep.Print(e.stdout)
	fmt.Fprintf(e.stdout, "  dataset %s: %d features, %s, in %s\n", d.ID, d.FeatureCount, orNone(d.GeometryType), e.dbName())
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "no geometry"
	}
	return s
}
