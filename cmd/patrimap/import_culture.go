package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/culture"
	"github.com/patrimap/patrimap/importers/territory"
	"github.com/patrimap/patrimap/store"
)

func runImportCulture(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "import culture", "import culture --list LIST (--file PATH | --url URL) [--territory SPEC | --within FILE | --bbox W,S,E,N] [flags]",
		"patrimap import culture --list merimee --file liste-des-immeubles-proteges-au-titre-des-monuments-historiques.csv --territory epci:246300701")
	listKey := fs.String("list", "", "inventory: "+strings.Join(culture.Keys(), ", ")+" (required)")
	file := fs.String("file", "", "a CSV, JSON or GeoJSON export `PATH`")
	url := fs.String("url", "", "download the export from this `URL` first")
	id := fs.String("dataset", "", "dataset `ID` (default: the list and the territory, e.g. merimee-clermont-auvergne-metropole)")
	jsonReport := fs.Bool("json", false, "print the import report as JSON")
	var tf territoryFlags
	tf.register(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	list, ok := culture.ListByKey(*listKey)
	if !ok {
		if *listKey == "" {
			fs.Usage()
		}
		return usageError{fmt.Errorf("--list %q: known lists are %s", *listKey, strings.Join(culture.Keys(), ", "))}
	}
	if (*file == "") == (*url == "") {
		fs.Usage()
		return usageError{errors.New("import culture: give exactly one of --file PATH and --url URL")}
	}
	ref, err := territory.LoadReference()
	if err != nil {
		return err
	}
	terr, err := cultureTerritory(tf, ref)
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
		return usageError{err}
	}

	p := *file
	if *url != "" {
		p, err = download(ctx, *url)
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
	f, err := culture.Open(p, list)
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
		Description: list.Title + ", imported from " + filepath.Base(p) + " (" + f.Format() + ")."}

	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	// The file is read twice (the first pass finds the positions shared by a commune's rows): the display
	// counts the rows the import writes against the rows the file holds.
	prog := importers.NewProgress(os.Stderr, dsID, 0)
	prog.ExpectRecords(int64(f.Rows()))
	rep := &importers.Report{Source: srcDesc.File, Format: f.Format()}
	job := importers.Job{Info: info, Fields: f.Fields(), Report: rep, Progress: prog,
		// The territory is applied by the source, by commune: rows without a position stay in.
		Source: &culture.Source{File: f, Reference: ref, Territory: terr}}
	d, err := importers.Run(ctx, st, job)
	if err != nil {
		return err
	}
	return printReport(e, d, rep, *jsonReport)
}

// cultureTerritory resolves --territory offline, from the embedded list of communes: the rows carry their
// communes' INSEE codes, so no boundary is needed. --within and --bbox place rows by position.
func cultureTerritory(tf territoryFlags, ref *territory.Reference) (*territory.Territory, error) {
	t, done, err := tf.local()
	if done || err != nil {
		if t != nil && t.Boundary == nil {
			t.Boundary = t.BBox.ToPolygon()
		}
		return t, err
	}
	return tf.communes(ref)
}
