package osm

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/spatialite"
)

const testdata = "../../testdata/osm/"

// readAll reads path with a theme and returns the records and the report.
func readAll(t testing.TB, path string, th *Theme, asPoints bool) ([]importers.Record, *importers.Report, error) {
	t.Helper()
	f, err := Open(path, Options{Theme: th, AsPoints: asPoints})
	if err != nil {
		return nil, nil, err
	}
	rep := &importers.Report{}
	var recs []importers.Record
	err = f.Records(context.Background(), rep, func(r importers.Record) error {
		recs = append(recs, r)
		return nil
	})
	return recs, rep, err
}

// geometryCounts writes the records' geometry types with their counts: "Point=4 Polygon=14" ("none" for the
// records kept without geometry).
func geometryCounts(recs []importers.Record) string {
	m := map[string]int{}
	for _, r := range recs {
		if r.Geometry == nil {
			m["none"]++
			continue
		}
		m[r.Geometry.GeoJSONType()]++
	}
	parts := make([]string, 0, len(m))
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%s=%d", k, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

func mustTheme(t testing.TB, name string) *Theme {
	t.Helper()
	th, err := LoadTheme(name)
	if err != nil {
		t.Fatal(err)
	}
	return th
}

func mustThemeFile(t testing.TB, path string) *Theme {
	t.Helper()
	th, err := ReadThemeFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return th
}

func prop(r importers.Record, key string) any {
	for _, p := range r.Properties {
		if p.Key == key {
			return p.Value
		}
	}
	return nil
}

// importFile imports path into a new store through the pipeline, so that the report is complete.
func importFile(t testing.TB, path string, th *Theme, asPoints bool) (*importers.Report, store.Dataset, error) {
	t.Helper()
	ctx := context.Background()
	st, err := spatialite.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	f, err := Open(path, Options{Theme: th, AsPoints: asPoints})
	if err != nil {
		return nil, store.Dataset{}, err
	}
	rep := &importers.Report{Source: filepath.Base(path), Format: f.Format}
	d, err := importers.Run(ctx, st, importers.Job{Info: store.DatasetInfo{ID: "t", Title: "t", Theme: store.ThemeOSM, Producer: "test"},
		Fields: th.Fields(), Source: f, Report: rep})
	return rep, d, err
}

// reportText is the report as a person reads it.
func reportText(rep *importers.Report) string {
	var b strings.Builder
	rep.Print(&b)
	return b.String()
}

func polygonContains(p orb.Polygon, pt orb.Point) bool { return planar.PolygonContains(p, pt) }
