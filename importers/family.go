package importers

import (
	"context"
	"flag"
	"io"

	"github.com/patrimap/patrimap/importers/territory"
)

// Family is one kind of source patrimap imports (geojson, inpn, culture, osm...): its name and flags on the
// command line, and what it makes of them: the import jobs to run, each with its dataset named. A family is
// one package with one value of this interface, listed once in package families; the command line has no
// code of its own for any family.
//
// A Family holds no state: Flags declares the flags of one command line and returns the Open that reads them.
type Family interface {
	// About names the family and says how to call it.
	About() About
	// Flags declares the family's flags on fs, among them --json (a bool: print the import reports as JSON),
	// which the command line reads, and returns what opens the source once fs is parsed.
	Flags(fs *flag.FlagSet) Open
}

// About is what the command line says of a family.
type About struct {
	// Name is the word after `patrimap import`, e.g. "inpn".
	Name string
	// Summary says in one line what the family imports, for `patrimap import --help`.
	Summary string
	// Synopsis is the command's form after "patrimap ", e.g. "import inpn --layer LAYER (--file PATH | --wfs) [flags]".
	Synopsis string
	// Example is one whole command a user can copy.
	Example string
}

// Open checks the parsed flags and the positional arguments, opens what they name and calls run with each
// import job, in order, stopping at the first error. What a job reads stays open until run returns. Errors
// in how the command was called (a missing flag, an unknown layer) are UsageError.
type Open func(ctx context.Context, env Env, args []string, run func(Job) error) error

// Env is what the command line gives a family's Open.
type Env struct {
	// Stdout receives what the command prints as its answer (an Overpass query asked for with --print-query).
	Stdout io.Writer
	// Stderr receives messages for the user ("recognised layer apb...").
	Stderr io.Writer
	// Progress is where progress displays are drawn; they draw on a terminal only (see NewProgress).
	Progress io.Writer
	// UserAgent identifies patrimap to the servers a family downloads from.
	UserAgent string
	// Boundary gives a territory made from the reference lists (epci:, dep:, commune:) its boundary: from the
	// store's cache, or from the national geo API (then cached).
	Boundary func(ctx context.Context, t *territory.Territory) error
}

// UsageError marks an error in how the command was called: the command exits with status 2, as for a bad
// flag.
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }
func (e UsageError) Unwrap() error { return e.Err }
