package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/patrimap/patrimap/server"
	"github.com/patrimap/patrimap/static"
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

func runDatasets(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "datasets", "datasets [--db FILE]", "patrimap datasets --db patrimap.db")
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
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTITLE\tPRODUCER\tFEATURES\tVERSION\tIMPORTED AT")
	for _, d := range ds {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\n", d.ID, d.Title, d.Producer, d.FeatureCount, d.Version, d.ImportedAt.Local().Format("2006-01-02 15:04"))
	}
	if len(ds) == 0 {
		fmt.Fprintf(tw, "(no dataset in %s: import one with patrimap import)\n", e.dbName())
	}
	return tw.Flush()
}
