package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/patrimap/patrimap/store/stores"
)

// runStore runs the store's subcommands: copy.
func runStore(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "copy" {
		return usageError{errors.New("store: give a subcommand: store copy SRC DST (copy every dataset and the memo from one store to another, e.g. SpatiaLite to PostGIS)")}
	}
	fs := newFlags(e, "store copy", "store copy SRC DST  (or --from SRC --to DST)",
		"patrimap store copy demo.db 'postgres://patrimap:secret@db.example.org/patrimap'")
	from := fs.String("from", "", "the store to copy: a SpatiaLite `FILE` or postgres://...")
	to := fs.String("to", "", "the store to copy into (created if needed): a SpatiaLite `FILE` or postgres://...")
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	switch {
	case len(pos) == 2 && *from == "" && *to == "":
		*from, *to = pos[0], pos[1]
	case len(pos) != 0 || *from == "" || *to == "":
		return usageError{errors.New("store copy: give the two stores: store copy SRC DST, or --from SRC --to DST")}
	}
	if *from == *to {
		return usageError{fmt.Errorf("store copy: %s is both the source and the destination", *from)}
	}
	if !stores.IsPostgres(*from) {
		if _, err := os.Stat(*from); err != nil {
			return fmt.Errorf("store copy: source %s: %w (a SpatiaLite file that patrimap import wrote, or postgres://...)", *from, err)
		}
	}
	src, err := stores.Open(ctx, *from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := stores.Open(ctx, *to)
	if err != nil {
		return err
	}
	defer dst.Close()
	copied, err := stores.Copy(ctx, src, dst)
	for _, d := range copied.Datasets {
		fmt.Fprintf(e.stdout, "dataset %s: %d features, version %d in %s\n", d.ID, d.FeatureCount, d.Version, dst.Name())
	}
	if err != nil {
		return fmt.Errorf("store copy: %w (the datasets listed above were copied whole; the others are as they were)", err)
	}
	kinds := make([]string, 0, len(copied.Memo))
	for k := range copied.Memo {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		fmt.Fprintf(e.stdout, "memo %s: %d values\n", k, copied.Memo[k])
	}
	fmt.Fprintf(e.stdout, "copied %d datasets from %s to %s\n", len(copied.Datasets), src.Name(), dst.Name())
	return nil
}
