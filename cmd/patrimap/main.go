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
	"syscall"

	"github.com/patrimap/patrimap/store"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// usageError marks errors in how the command was called: exit status 2, as flag does.
type usageError struct{ error }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	code := exitCode(err)
	if code != 0 {
		fmt.Fprintln(os.Stderr, "patrimap:", err)
	}
	if code == 130 {
		fmt.Fprintln(os.Stderr, "patrimap: interrupted; nothing was changed, the previous version of the dataset is still served")
	}
	os.Exit(code)
}

// exitCode is 0 on success (and --help), 2 for a command called wrongly, 130 when interrupted, 1 otherwise.
func exitCode(err error) int {
	var ue usageError
	switch {
	case err == nil || errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		return 2
	case errors.Is(err, context.Canceled):
		return 130
	}
	return 1
}

// env is what every command gets: where to write, and how to open the store.
type env struct {
	stdout, stderr io.Writer
	log            *slog.Logger
	db             string
}

func (e *env) openStore(ctx context.Context) (*store.Store, error) {
	return store.Open(ctx, e.db)
}

type command struct {
	name, summary string
	run           func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{"import", "import a source into a dataset (geojson, inpn, culture, osm)", runImport},
		{"datasets", "list the datasets in the store", runDatasets},
		{"export", "export datasets for other tools (umap: a uMap full map backup)", runExport},
		{"check", "cross-check datasets (merimee-osm: Mérimée against OSM's ref:mhs)", runCheck},
		{"tiles", "export vector tiles of datasets to an MBTiles file (tiles export)", runTiles},
		{"dossier", "a territory's heritage dossier as a PDF or HTML file (dossier --territory SPEC --out FILE.pdf)", runDossier},
		{"serve", "serve the datasets over HTTP with the web map", runServe},
		{"version", "print the version", func(_ context.Context, e *env, _ []string) error {
			fmt.Fprintln(e.stdout, "patrimap", version)
			return nil
		}},
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	e := &env{stdout: stdout, stderr: stderr, log: slog.New(slog.NewTextHandler(stderr, nil)), db: defaultDB()}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return usageError{errors.New("no command given")}
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	usage(stderr)
	return usageError{fmt.Errorf("unknown command %q", args[0])}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "patrimap: France's natural and cultural heritage inventories as clean map layers.")
	fmt.Fprintln(w, "\nUsage: patrimap COMMAND [flags]  (patrimap COMMAND --help for each)")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nEvery command takes --db FILE (default patrimap.db, or $PATRIMAP_DB).")
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
	fs.StringVar(&e.db, "db", e.db, "SpatiaLite database `FILE` (or $PATRIMAP_DB)")
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
