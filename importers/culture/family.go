package culture

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/territory"
	"github.com/patrimap/patrimap/store"
)

// Family is `patrimap import culture`: one of the Ministère de la Culture's lists, from its export file or
// URL, cut to a territory by the communes' INSEE codes (offline).
type Family struct{}

var _ importers.Family = Family{}

func (Family) About() importers.About {
	return importers.About{Name: "culture",
		Summary:  "a Ministère de la Culture list (monuments historiques, musées de France, jardins, ACR, maisons des Illustres)",
		Synopsis: "import culture --list LIST (--file PATH | --url URL) [--territory SPEC | --within FILE | --bbox W,S,E,N] [flags]",
		Example:  "patrimap import culture --list merimee --file liste-des-immeubles-proteges-au-titre-des-monuments-historiques.csv --territory epci:246300701"}
}

func (Family) Flags(fs *flag.FlagSet) importers.Open {
	listKey := fs.String("list", "", "inventory: "+strings.Join(Keys(), ", ")+" (required)")
	file := fs.String("file", "", "a CSV, JSON or GeoJSON export `PATH`")
	url := fs.String("url", "", "download the export from this `URL` first")
	id := fs.String("dataset", "", "dataset `ID` (default: the list and the territory, e.g. merimee-clermont-auvergne-metropole)")
	fs.Bool("json", false, "print the import report as JSON")
	var tf importers.TerritoryFlags
	tf.Register(fs)
	return func(ctx context.Context, env importers.Env, _ []string, run func(importers.Job) error) error {
		list, ok := ListByKey(*listKey)
		if !ok {
			if *listKey == "" {
				fs.Usage()
			}
			return importers.UsageError{Err: fmt.Errorf("--list %q: known lists are %s", *listKey, strings.Join(Keys(), ", "))}
		}
		if (*file == "") == (*url == "") {
			fs.Usage()
			return importers.UsageError{Err: errors.New("import culture: give exactly one of --file PATH and --url URL")}
		}
		ref, err := territory.LoadReference()
		if err != nil {
			return err
		}
		terr, err := localTerritory(&tf, ref)
		if err != nil {
			return err
		}
		dsID := *id
		if dsID == "" {
			dsID = list.Key
			if terr != nil && terr.Slug != "" {
				dsID += "-" + terr.Slug
			}
		}
		if err := store.ValidateID(dsID); err != nil {
			return importers.UsageError{Err: err}
		}

		p := *file
		if *url != "" {
			p, err = importers.Download(ctx, *url, env.UserAgent)
			if err != nil {
				return err
			}
			defer os.RemoveAll(filepath.Dir(p))
		}
		srcDesc, _, err := importers.DescribeFile(p)
		if err != nil {
			return fmt.Errorf("import culture: %w", err)
		}
		srcDesc.URL = *url
		f, err := Open(p, list)
		if err != nil {
			return err
		}

		title := list.Title
		if terr != nil && terr.Name != "" {
			title += " (" + terr.Name + ")"
		}
		info := store.DatasetInfo{ID: dsID, Title: title, Theme: store.ThemeCultural, Producer: list.Producer,
			Licence: "Licence Ouverte 2.0", Source: srcDesc,
			Attribution: "Source : " + list.Producer + ", " + list.Title + " – Licence Ouverte 2.0",
			Description: list.Title + ", importé depuis le fichier " + filepath.Base(p) + " (" + f.FormatFR() + ")."}
		// The file is read twice (the first pass finds the positions shared by a commune's rows): the display
		// counts the rows the import writes against the rows the file holds.
		prog := importers.NewProgress(env.Progress, dsID, 0)
		prog.ExpectRecords(int64(f.Rows()))
		return run(importers.Job{Info: info, Fields: f.Fields(), Progress: prog,
			Report: &importers.Report{Source: srcDesc.File, Format: f.Format()},
			// The territory is applied by the source, by commune: rows without a position stay in.
			Source: &Source{File: f, Reference: ref, Territory: terr}})
	}
}

// localTerritory resolves --territory offline, from the embedded list of communes: the rows carry their
// communes' INSEE codes, so no boundary is needed. --within and --bbox place rows by position.
func localTerritory(tf *importers.TerritoryFlags, ref *territory.Reference) (*territory.Territory, error) {
	t, done, err := tf.Local()
	if done || err != nil {
		if t != nil && t.Boundary == nil {
			t.Boundary = t.BBox.ToPolygon()
		}
		return t, err
	}
	return tf.Communes(ref)
}
