package main

import (
	"context"
	"fmt"
	"slices"
	"text/tabwriter"

	"github.com/patrimap/patrimap/server"
	"github.com/patrimap/patrimap/static"
	"github.com/patrimap/patrimap/store"
)

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "serve", "serve [--db FILE] [--addr :8080] [--base-url URL] [--trusted-proxies CIDR,...]",
		"patrimap serve --db patrimap.db --addr :8080 --base-url https://patrimap.example.org")
	addr := fs.String("addr", ":8080", "`address` to listen on")
	base := fs.String("base-url", "", "the server's public `URL` (https://patrimap.example.org): the address in every absolute link, and stable URIs for the DCAT catalogue that portals harvest")
	trusted := fs.String("trusted-proxies", "", "reverse proxies (`CIDR,...`, e.g. 10.0.0.0/8,::1) whose Forwarded and X-Forwarded-* headers give the client's address and the public address of links; those of anyone else are ignored")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	var opts []server.Option
	if *base != "" {
		if err := server.CheckBaseURL(*base); err != nil {
			return usageError{fmt.Errorf("serve --base-url: %w", err)}
		}
		opts = append(opts, server.WithBaseURL(*base))
	} else {
		e.log.Warn("no --base-url: absolute links (TileJSON, OGC API, uMap live layers) name the address each client connected to, " +
			"and the DCAT catalogue (/catalog) answers 503 until the server knows its public address")
	}
	if *trusted != "" {
		p, err := server.ParseProxies(*trusted)
		if err != nil {
			return usageError{fmt.Errorf("serve --trusted-proxies: %w", err)}
		}
		opts = append(opts, server.WithTrustedProxies(p))
	}
	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	return server.New(st, e.log, static.Files, opts...).Run(ctx, *addr)
}

// datasetsHelp is the datasets command's synopsis and what its NOTE column says.
const datasetsHelp = `datasets [--db FILE]

Lists the store's datasets. NOTE says "re-import" for a dataset imported by an older patrimap without what
this one builds at import for low-zoom tiles (a line or polygon layer's pyramid, a point layer's clusters):
it is served, its low-zoom tiles drawn from its full rows (slower), until it is imported again with
the command that imported it (patrimap import FAMILY ... --dataset ID, from its source).`

func runDatasets(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "datasets", datasetsHelp, "patrimap datasets --db patrimap.db")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	sn, done, err := e.openView(ctx)
	if err != nil {
		return err
	}
	defer done()
	ds, err := sn.Datasets(ctx)
	if err != nil {
		return err
	}
	stale, err := store.Reimports(ctx, sn, ds)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTITLE\tPRODUCER\tFEATURES\tVERSION\tIMPORTED AT\tNOTE")
	for _, d := range ds {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%s\n", d.ID, d.Title, d.Producer, d.FeatureCount, d.Version, d.ImportedAt.Local().Format("2006-01-02 15:04"), reimportNote(d, stale))
	}
	if len(ds) == 0 {
		fmt.Fprintf(tw, "(no dataset in %s: import one with patrimap import)\n", e.dbName())
	}
	if len(stale) > 0 {
		fmt.Fprintf(tw, "\nRe-import: imported by an older patrimap, these datasets draw their low-zoom tiles from their full rows, slower,\n"+
			"until each is imported again with the command that imported it (patrimap import FAMILY ... --dataset ID --db %s):\n", e.dbName())
		for _, d := range stale {
			fmt.Fprintf(tw, "  %s\tfrom %s\n", d.ID, sourceOf(d))
		}
	}
	return tw.Flush()
}

// reimportNote is what the NOTE column says of d: "re-import" and what d lacks when it is one of stale.
func reimportNote(d store.Dataset, stale []store.Dataset) string {
	switch {
	case !slices.ContainsFunc(stale, func(s store.Dataset) bool { return s.ID == d.ID }):
		return ""
	case store.ClusterLayer(d.GeometryType):
		return "re-import (no point clusters)"
	}
	return "re-import (no pyramid)"
}

// sourceOf names where d was imported from, as its catalogue entry says.
func sourceOf(d store.Dataset) string {
	switch {
	case d.Source.URL != "":
		return d.Source.URL
	case d.Source.File != "":
		return d.Source.File
	}
	return "its source"
}
