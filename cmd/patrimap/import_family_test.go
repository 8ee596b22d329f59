package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/store"
)

// pointsFamily is a family made up for the test: points typed on the command line as LON,LAT.
type pointsFamily struct{}

func (pointsFamily) About() importers.About {
	return importers.About{Name: "points", Summary: "points typed on the command line (a test family)",
		Synopsis: "import points LON,LAT... [--dataset ID]", Example: "patrimap import points 5.72,45.18 6.1,45.9"}
}

func (pointsFamily) Flags(fs *flag.FlagSet) importers.Open {
	id := fs.String("dataset", "typed-points", "dataset `ID`")
	fs.Bool("json", false, "print the import report as JSON")
	return func(ctx context.Context, env importers.Env, args []string, run func(importers.Job) error) error {
		if len(args) == 0 {
			return importers.UsageError{Err: errors.New("import points: give at least one LON,LAT")}
		}
		src := &typedPoints{}
		for _, a := range args {
			lon, lat, ok := strings.Cut(a, ",")
			x, err1 := strconv.ParseFloat(lon, 64)
			y, err2 := strconv.ParseFloat(lat, 64)
			if !ok || err1 != nil || err2 != nil {
				return importers.UsageError{Err: fmt.Errorf("import points: %q is not LON,LAT", a)}
			}
			src.points = append(src.points, orb.Point{x, y})
		}
		fmt.Fprintf(env.Stderr, "typed %d points\n", len(src.points))
		return run(importers.Job{Info: store.DatasetInfo{ID: *id, Title: "Typed points", Producer: "the user"},
			Source: src, Report: &importers.Report{Source: "command line", Format: "LON,LAT"}})
	}
}

type typedPoints struct{ points []orb.Point }

func (s *typedPoints) SRID() int { return 4326 }
func (s *typedPoints) Records(ctx context.Context, rep *importers.Report, emit func(importers.Record) error) error {
	for i, p := range s.points {
		err := emit(importers.Record{Ref: "point " + strconv.Itoa(i+1), Geometry: p,
			Properties: []store.Property{{Key: "n", Value: int64(i + 1)}}})
		if err != nil {
			return err
		}
	}
	return nil
}

// A family given to the command line is reachable as `patrimap import NAME`, with its flags and its help, and
// is listed with the others; the command line knows nothing else of it.
func TestImportFamilyRegistered(t *testing.T) {
	db := filepath.Join(t.TempDir(), "f.db")
	call := func(fams []importers.Family, args ...string) (string, error) {
		var out bytes.Buffer
		e := newEnv(&out, &out)
		e.families = fams
		err := e.run(context.Background(), args)
		return out.String(), err
	}
	withPoints := append(newEnv(nil, nil).families, pointsFamily{})

	out, err := call(withPoints, "import", "--help")
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out, "\n  points    points typed on the command line (a test family)\n") ||
		!strings.Contains(out, "\n  osm       an OpenStreetMap theme") {
		t.Errorf("import --help: %v\n%s", err, out)
	}
	out, _ = call(withPoints, "help")
	if !strings.Contains(out, "import a source into a dataset (geojson, inpn, culture, osm, points)") {
		t.Errorf("help does not list the family:\n%s", out)
	}
	out, err = call(withPoints, "import", "points", "--help")
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out, "Usage: patrimap import points LON,LAT... [--dataset ID]") ||
		!strings.Contains(out, "-dataset ID") || !strings.Contains(out, "-db FILE") || !strings.Contains(out, "Example:\n  patrimap import points 5.72,45.18 6.1,45.9") {
		t.Errorf("import points --help: %v\n%s", err, out)
	}

	out, err = call(withPoints, "import", "points", "5.72,45.18", "--db", db, "6.1,45.9", "--dataset", "two-points")
	if err != nil || !strings.Contains(out, "typed 2 points") || !strings.Contains(out, "dataset two-points: 2 features, POINT, in "+db) {
		t.Fatalf("import points: %v\n%s", err, out)
	}
	if d := datasetsIn(t, db)["two-points"]; d.FeatureCount != 2 || d.Producer != "the user" {
		t.Errorf("dataset %+v", d)
	}
	out, err = call(withPoints, "import", "points", "7,44", "--db", db, "--json")
	var rep struct {
		Dataset string
		Written int
	}
	if err != nil || json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &rep) != nil || rep.Dataset != "typed-points" || rep.Written != 1 {
		t.Errorf("import points --json: %v %+v\n%s", err, rep, out)
	}

	// Its usage errors are the command's: exit status 2.
	_, err = call(withPoints, "import", "points", "north", "--db", db)
	if exitCode(err) != 2 || !strings.Contains(err.Error(), `"north" is not LON,LAT`) {
		t.Errorf("bad point: exit %d, %v", exitCode(err), err)
	}
	// Without it, the command does not know it: nothing registered itself anywhere else.
	_, err = call(newEnv(nil, nil).families, "import", "points", "7,44", "--db", db)
	if exitCode(err) != 2 || !strings.Contains(err.Error(), `unknown source family "points" (known: geojson, inpn, culture, osm)`) {
		t.Errorf("without the family: exit %d, %v", exitCode(err), err)
	}
}
