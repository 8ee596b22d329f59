package main

import (
	"context"
	"fmt"
	"io"

	"github.com/patrimap/patrimap/store"
)

// uniqueTitle is the title an imported dataset gets: the importer's, or, when another dataset of the store
// already bears it, that title and the dataset's id ("Arrêtés de protection de biotope – apb-2019"), so that
// QGIS's list of collections and GeoJSON layer names, which show titles, tell every dataset apart. A dataset
// imported again keeps the title its importer gives.
func uniqueTitle(ctx context.Context, s store.Snapshotter, info store.DatasetInfo, notes io.Writer) (string, error) {
	all, err := store.Catalogue(ctx, s)
	if err != nil {
		return "", fmt.Errorf("dataset %s: reading the catalogue for its title: %w", info.ID, err)
	}
	taken := map[string]string{}
	for _, d := range all {
		if d.ID != info.ID {
			taken[d.Title] = d.ID
		}
	}
	other, dup := taken[info.Title]
	if !dup {
		return info.Title, nil
	}
	title := info.Title + " – " + info.ID
	fmt.Fprintf(notes, "dataset %s: titled %q, since %s is titled %q (patrimap describe %s --title ... changes it)\n",
		info.ID, title, other, info.Title, info.ID)
	return title, nil
}
