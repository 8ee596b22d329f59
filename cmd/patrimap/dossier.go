package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/patrimap/patrimap/dossier"
	"github.com/patrimap/patrimap/dossier/browser"
	"github.com/patrimap/patrimap/importers/territory"
	"github.com/patrimap/patrimap/server"
	"github.com/patrimap/patrimap/static"
	"github.com/patrimap/patrimap/store"
)

// runDossier makes a territory's dossier as a file, and loads communes' contours into the store.
func runDossier(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "dossier", "dossier --territory SPEC --out FILE.pdf|FILE.html [--lang en] [--contours FILE] [flags]\n       patrimap dossier --contours FILE",
		"patrimap dossier --contours communes-38-isere.geojson.gz --territory epci:200040715 --out grenoble.pdf")
	spec := fs.String("territory", "", "the territory: epci:SIREN, dep:CODE or commune:INSEE[,INSEE...]")
	out := fs.String("out", "", "write the dossier to this `FILE`: .pdf (printed by headless Chromium) or .html")
	lang := fs.String("lang", "fr", "language of the dossier: fr or en")
	contours := fs.String("contours", "", "first load the communes' contours of this GeoJSON `FILE` (.geojson or .geojson.gz, one Feature per commune with its INSEE code) into the store: areas and maps need them")
	offline := fs.Bool("offline", false, "do not ask the national geo API for the contours the store lacks")
	chromium := fs.String("chromium", "", "the Chromium `PATH` (default $CHROMIUM, /usr/bin/chromium, or chromium on the PATH)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *spec == "" && *contours == "" {
		fs.Usage()
		return usageError{errors.New("dossier: give --territory SPEC and --out FILE, or --contours FILE to load contours")}
	}
	if (*spec == "") != (*out == "") {
		return usageError{errors.New("dossier: --territory and --out go together: the territory and the file to write")}
	}
	if *lang != "fr" && *lang != "en" {
		return usageError{fmt.Errorf("--lang %q: the dossier is written in fr or en", *lang)}
	}
	ext := strings.ToLower(filepath.Ext(*out))
	if *out != "" && ext != ".pdf" && ext != ".html" && ext != ".htm" {
		return usageError{fmt.Errorf("--out %s: write a .pdf or a .html file", *out)}
	}
	ref, err := territory.LoadReference()
	if err != nil {
		return err
	}
	var t *territory.Territory
	if *spec != "" {
		sp, err := territory.ParseSpec(*spec)
		if err != nil {
			return usageError{err}
		}
		if t, err = ref.Communes(sp); err != nil {
			return usageError{err}
		}
	}
	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	cc := &territory.CommuneContours{Store: st, Reference: ref}
	if *contours != "" {
		if err := loadContours(ctx, e, cc, *contours); err != nil {
			return err
		}
	}
	if t == nil {
		return nil
	}
	// The contours the store lacks, once from the geo API (PATRIMAP_GEO_API: a mirror), then cached: the
	// page the server renders reads the cache only.
	if !*offline {
		cc.Boundaries = &territory.Boundaries{HTTP: &http.Client{Timeout: 30 * time.Second}, Store: st, UserAgent: userAgent,
			BaseURL: os.Getenv("PATRIMAP_GEO_API")}
	}
	codes := make([]string, len(t.Communes))
	for i, c := range t.Communes {
		codes[i] = c.Code
	}
	found, err := cc.Communes(ctx, codes)
	switch {
	case err != nil && found == nil:
		return err
	case len(found) < len(codes):
		fmt.Fprintf(e.stderr, "dossier: the contours of %d of the %d communes of %s are unknown: no areas, no maps (load them with --contours FILE, see docs/dossier.md)", len(codes)-len(found), len(codes), t.Name)
		if err != nil {
			fmt.Fprintf(e.stderr, "; %v", err)
		}
		fmt.Fprintln(e.stderr)
	}
	return writeDossier(ctx, e, st, t, ref, *out, ext, *lang, *chromium)
}

func loadContours(ctx context.Context, e *env, cc *territory.CommuneContours, path string) error {
	f, err := territory.ReadContours(path, cc.Reference)
	if err != nil {
		return err
	}
	rep, err := cc.Load(ctx, f)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "contours: %d communes from %s", rep.Communes, filepath.Base(path))
	if len(rep.Departements)+len(rep.EPCI) > 0 {
		fmt.Fprintf(e.stdout, "; whole: %s", strings.Join(append(rep.Departements, rep.EPCI...), " "))
	}
	fmt.Fprintln(e.stdout)
	if len(rep.Unknown) > 0 {
		fmt.Fprintf(e.stderr, "contours: %d codes of the file are not current communes (merged since the file was made?), left out: %s\n",
			len(rep.Unknown), strings.Join(rep.Unknown, ", "))
	}
	return nil
}

// writeDossier serves the store on a local port for Chromium to draw the page, then writes the PDF or the
// standalone HTML; without Chromium, the page is written as HTML with its scripts inside (charts drawn when it
// is opened, no maps) and, when a PDF was asked, the command fails saying so.
func writeDossier(ctx context.Context, e *env, st store.Store, t *territory.Territory, ref *territory.Reference, out, ext, lang, chromium string) error {
	path, findErr := browser.Find(chromium)
	if findErr != nil {
		htmlOut := out
		if ext == ".pdf" {
			htmlOut = strings.TrimSuffix(out, filepath.Ext(out)) + ".html"
		}
		if err := writeStandalone(ctx, st, t, ref, htmlOut, lang); err != nil {
			return err
		}
		msg := fmt.Sprintf("%v: install Chromium (apt-get install chromium) or give --chromium PATH", findErr)
		if ext == ".pdf" {
			return fmt.Errorf("dossier: no PDF: %s; the dossier was written as HTML to %s (open it in a browser and print it to PDF)", msg, htmlOut)
		}
		fmt.Fprintf(e.stderr, "dossier: %s; %s was written without maps (its charts are drawn when it is opened)\n", msg, htmlOut)
		return nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srvCtx, stop := context.WithCancel(ctx)
	defer stop()
	srv := server.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), static.Files)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(srvCtx, ln) }()
	defer func() { stop(); <-served }()

	pageURL := "http://" + ln.Addr().String() + dossier.Path(t.Spec.String())
	if lang == "en" {
		pageURL += "?lang=en"
	}
	rctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	c, err := browser.Start(rctx, path)
	if err != nil {
		return err
	}
	defer c.Close()
	page := browser.Page{URL: pageURL, Width: 720, Ready: "window.dossierReady"}
	var data []byte
	var res browser.Result
	if ext == ".pdf" {
		data, res, err = c.PDF(rctx, page, "patrimap – "+t.Name+" ("+t.Spec.String()+")")
	} else {
		data, res, err = c.HTML(rctx, page)
	}
	if err != nil {
		return fmt.Errorf("dossier: %w", err)
	}
	for _, p := range append(res.Problems, res.ConsoleErrors...) {
		fmt.Fprintf(e.stderr, "dossier: the page said: %s\n", p)
	}
	if err := writeFileAtomic(out, data); err != nil {
		return fmt.Errorf("dossier: write %s: %w", out, err)
	}
	fmt.Fprintf(e.stdout, "dossier of %s (%s): %s, %d kB\n", t.Name, t.Spec, out, len(data)>>10)
	return nil
}

// writeStandalone writes the page with its scripts and styles inside, for a browser to open without the server.
func writeStandalone(ctx context.Context, st store.Store, t *territory.Territory, ref *territory.Reference, out, lang string) error {
	sn, err := st.Snapshot(ctx)
	if err != nil {
		return err
	}
	defer sn.Close()
	d, err := dossier.Build(ctx, sn, &territory.CommuneContours{Store: st, Reference: ref}, t, ref)
	if err != nil {
		return err
	}
	var buf strings.Builder
	err = d.HTML(&buf, dossier.Page{Lang: lang, Inline: func(p string) ([]byte, error) {
		return fs.ReadFile(static.Files, strings.TrimPrefix(p, "/static/"))
	}})
	if err != nil {
		return err
	}
	if err := writeFileAtomic(out, []byte(buf.String())); err != nil {
		return fmt.Errorf("dossier: write %s: %w", out, err)
	}
	return nil
}
