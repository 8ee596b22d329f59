// Command patrimap imports France's heritage inventories into a SpatiaLite store and serves them as map layers.
//
//	patrimap import geojson FILE --dataset ID --title TITLE --producer PRODUCER
//	patrimap datasets
//	patrimap serve --addr :8080
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/families"
	"github.com/patrimap/patrimap/importers/territory"
	"github.com/patrimap/patrimap/server"
	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/stores"
	"github.com/patrimap/patrimap/tiles"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// usageError marks errors in how the command was called: exit status 2, as flag does.
type usageError struct{ error }

func main() {
	ctx := stopOnSignal(context.Background())
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	code, msg := outcome(ctx, err)
	if msg != "" {
		fmt.Fprintln(os.Stderr, "patrimap:", msg)
	}
	os.Exit(code)
}

// stopped is the cause of the command's context once a signal ended it.
type stopped struct{ sig syscall.Signal }

func (s stopped) Error() string { return s.sig.String() + " received" }

// stopOnSignal is ctx, cancelled with cause stopped at the first SIGINT or SIGTERM. The signals stay caught
// until the process exits: a second Ctrl-C while the import rolls back must not kill it half-way with another
// status.
func stopOnSignal(ctx context.Context) context.Context {
	ctx, cancel := context.WithCancelCause(ctx)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		if s, ok := (<-sigs).(syscall.Signal); ok {
			cancel(stopped{s})
		}
	}()
	return ctx
}

// outcome is the exit status of a command that returned err under ctx, and the message to print. Once ctx
// is cancelled by a signal, a command that fails failed because it was stopped, whatever the error says (a
// statement interrupted, a transaction rolled back under it, a download cut): it exits as shells report a
// process the signal stopped (128+n: 130 for SIGINT, 143 for SIGTERM) and says what the interruption left.
func outcome(ctx context.Context, err error) (int, string) {
	code := exitCode(err)
	var st stopped
	signalled := errors.As(context.Cause(ctx), &st)
	switch {
	case code == 0:
		return 0, ""
	case !signalled && code != 130:
		return code, err.Error()
	}
	what := "interrupted"
	if signalled {
		code = 128 + int(st.sig)
		what += " (SIGINT)"
		if st.sig == syscall.SIGTERM {
			what = "stopped (SIGTERM)"
		}
	}
	var ii interruptedImport
	if !errors.As(err, &ii) {
		return code, what
	}
	if len(ii.done) == 0 {
		return code, what + "; nothing was changed, the previous version of the dataset is still served; run the command again to import it"
	}
	return code, fmt.Sprintf("%s; %s imported before, the dataset being imported then keeps its previous version, still served; run the command again for the rest",
		what, strings.Join(ii.done, ", "))
}

// exitCode is 0 on success (and --help), 2 for a command called wrongly, 130 when interrupted, 1 otherwise.
func exitCode(err error) int {
	var ue usageError
	var iue importers.UsageError
	switch {
	case err == nil || errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, context.Canceled):
		return 130
	case errors.As(err, &ue), errors.As(err, &iue):
		return 2
	}
	return 1
}

// interruptedImport is an import stopped by a signal: the datasets of the command imported before it stay,
// the one being written keeps its previous version (one transaction).
type interruptedImport struct {
	done []string
	err  error
}

func (e interruptedImport) Error() string { return e.err.Error() }
func (e interruptedImport) Unwrap() error { return e.err }

// env is what every command gets: where to write, how to open the store, and the importer families.
type env struct {
	stdout, stderr io.Writer
	log            *slog.Logger
	db             string
	// dbRead is a streaming replica of a PostgreSQL --db that snapshots read (--db-read).
	dbRead   string
	families []importers.Family
}

func newEnv(stdout, stderr io.Writer) *env {
	return &env{stdout: stdout, stderr: stderr, log: slog.New(slog.NewTextHandler(stderr, nil)), db: defaultDB(),
		families: families.All()}
}

// What a store opened by --db is to each of its users.
var (
	_ server.Catalog      = store.Store(nil)
	_ importers.Writer    = store.Store(nil)
	_ territory.Cache     = store.Store(nil)
	_ tiles.FeatureSource = store.Snapshot(nil)
)

// dbName is --db for messages, without a password.
func (e *env) dbName() string { return stores.Redact(e.db) }

// openStore opens the store --db names (see stores.Open).
func (e *env) openStore(ctx context.Context) (store.Store, error) {
	return stores.OpenWith(ctx, e.db, stores.Options{ReadDSN: e.dbRead})
}

// openView opens the store --db names and one read view of it, for a command that only reads: an import
// committing meanwhile is not half seen. done closes both.
func (e *env) openView(ctx context.Context) (sn store.Snapshot, done func(), err error) {
	st, err := e.openStore(ctx)
	if err != nil {
		return nil, nil, err
	}
	if sn, err = st.Snapshot(ctx); err != nil {
		st.Close()
		return nil, nil, err
	}
	return sn, func() { sn.Close(); st.Close() }, nil
}

type command struct {
	name, summary string
	run           func(ctx context.Context, e *env, args []string) error
}

func (e *env) commands() []command {
	return []command{
		{"import", "import a source into a dataset (" + strings.Join(e.familyNames(), ", ") + ")", runImport},
		{"datasets", "list the datasets in the store", runDatasets},
		{"export", "export datasets for other tools (umap: a uMap full map backup)", runExport},
		{"check", "cross-check datasets (merimee-osm: Mérimée against OSM's ref:mhs)", runCheck},
		{"tiles", "export vector tiles of datasets to an MBTiles file (tiles export)", runTiles},
		{"describe", "show or complete a dataset's descriptive sheet (fiche descriptive) and what is missing for publication", runDescribe},
		{"validate", "validate a dataset against its Table Schema or a published one (schema.data.gouv.fr)", runValidate},
		{"dossier", "a territory's heritage dossier as a PDF or HTML file (dossier --territory SPEC --out FILE.pdf)", runDossier},
		{"serve", "serve the datasets over HTTP with the web map", runServe},
		{"store", "copy a whole store to another (store copy demo.db postgres://...), SpatiaLite or PostGIS", runStore},
		{"version", "print the version", func(_ context.Context, e *env, _ []string) error {
			fmt.Fprintln(e.stdout, "patrimap", version)
			return nil
		}},
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return newEnv(stdout, stderr).run(ctx, args)
}

func (e *env) run(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		e.usage()
		if len(args) == 0 {
			return usageError{errors.New("no command given")}
		}
		return nil
	}
	for _, c := range e.commands() {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	e.usage()
	return usageError{fmt.Errorf("unknown command %q", args[0])}
}

func (e *env) usage() {
	w := e.stderr
	fmt.Fprintln(w, "patrimap: France's natural and cultural heritage inventories as clean map layers.")
	fmt.Fprintln(w, "\nUsage: patrimap COMMAND [flags]  (patrimap COMMAND --help for each)")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range e.commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nEvery command takes --db FILE (default patrimap.db, or $PATRIMAP_DB), or --db postgres://... for PostGIS.")
}

func defaultDB() string {
	if v := os.Getenv("PATRIMAP_DB"); v != "" {
		return v
	}
	return "patrimap.db"
}

// newFlags makes a command's flag set with --db and a usage text that ends with an example.
func newFlags(e *env, name, synopsis, example string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.StringVar(&e.db, "db", e.db, "the store: a SpatiaLite `FILE`, or a PostgreSQL database with PostGIS (postgres://user:password@host/db?schema=patrimap) (or $PATRIMAP_DB)")
	fs.StringVar(&e.dbRead, "db-read", os.Getenv("PATRIMAP_DB_READ"), "with --db postgres://...: a streaming replica that reads go to (`postgres://...`, or $PATRIMAP_DB_READ)")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: patrimap %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
		fmt.Fprintf(e.stderr, "\nExample:\n  %s\n", example)
	}
	return fs
}

// parse parses flags placed before, between and after positional arguments, which the flag package alone
// stops at, and returns the positional ones.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
