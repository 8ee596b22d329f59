package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/storetest"
	"github.com/patrimap/patrimap/store/teststores"
)

// GDAL's OAPIF driver (the one QGIS uses) lists every collection and copies each one completely: the same
// features, properties and geometries as the store holds, from a server on either store.
func TestOGCAPIReadByGDAL(t *testing.T) {
	for _, k := range teststores.All() {
		t.Run(k.Name, func(t *testing.T) { testOGCAPIReadByGDAL(t, k.DSN(t)) })
	}
}

func testOGCAPIReadByGDAL(t *testing.T, db string) {
	imports := [][]string{
		{"import", "geojson", rnnFile, "--dataset", "rnn-isere", "--producer", "INPN", "--theme", "natural"},
		{"import", "inpn", "--file", "../../testdata/inpn/apb/subset_isere_38/apb.shp", "--dataset", "apb-isere"},
		{"import", "inpn", "--file", "../../testdata/inpn/pn/pn.zip"},
		{"import", "culture", "--list", "merimee", "--file", "../../testdata/culture/merimee-isere-camlebrun.csv"},
	}
	for _, args := range imports {
		if out, err := patrimap(t, append(args, "--db", db)...); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	srv := serveStore(t, db)
	st := openStore(t, db)
	ds := storetest.Datasets(t, st)
	if len(ds) != 5 {
		t.Fatalf("%d datasets", len(ds))
	}
	listing := gdal(t, "ogrinfo", "-ro", "-so", "OAPIF:"+srv.URL+"/")
	for _, d := range ds {
		if !strings.Contains(listing, ": "+d.ID+" (title: "+d.Title+")") {
			t.Errorf("ogrinfo OAPIF does not list %s:\n%s", d.ID, listing)
		}
	}
	for _, d := range ds {
		t.Run(d.ID, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), d.ID+".geojson")
			// GDAL 3.6 guesses the field types from the first page it reads (10 features by default): no column
			// may mix values of two types (Mérimée's year of first protection and its full date are two columns),
			// so its default page loses nothing.
			gdal(t, "ogr2ogr", "-f", "GeoJSON", out, "OAPIF:"+srv.URL+"/", d.ID)
			raw, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			fc, err := geojson.UnmarshalFeatureCollection(raw)
			if err != nil {
				t.Fatal(err)
			}
			var want []store.Feature
			sn, err := st.Snapshot(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			defer sn.Close()
			sn.Features(context.Background(), d, store.Query{}, func(f *store.Feature) error {
				c := *f
				c.Values = append([]any(nil), f.Values...)
				want = append(want, c)
				return nil
			})
			if len(fc.Features) != len(want) || int64(len(want)) != d.FeatureCount {
				t.Fatalf("GDAL copied %d features, the store has %d (catalogue %d)", len(fc.Features), len(want), d.FeatureCount)
			}
			for i, w := range want {
				got := fc.Features[i]
				for j, field := range d.Fields {
					if !sameValue(field, w.Values[j], got.Properties[field.Name]) {
						t.Fatalf("feature %d (fid %d) %s: GDAL reads %#v, the store has %#v", i+1, w.FID, field.Name, got.Properties[field.Name], w.Values[j])
					}
				}
				if (w.Geometry == nil) != (got.Geometry == nil) {
					t.Fatalf("feature %d: geometry %v, store %v", i+1, got.Geometry, w.Geometry)
				}
				if w.Geometry != nil && !closeGeometry(w.Geometry, got.Geometry, 1e-7) {
					t.Fatalf("feature %d: geometry differs from the store's by more than 1e-7°", i+1)
				}
			}
		})
	}
}

// sameValue compares a store value with what GDAL wrote for it in GeoJSON.
func sameValue(f store.Field, stored, read any) bool {
	if stored == nil || read == nil {
		return stored == nil && read == nil
	}
	switch s := stored.(type) {
	case int64:
		r, ok := read.(float64)
		return ok && r == float64(s)
	case float64:
		r, ok := read.(float64)
		return ok && math.Abs(r-s) <= 1e-9*math.Max(1, math.Abs(s))
	case bool:
		// GDAL reads a JSON boolean as an integer field of subtype boolean, written back as true/false.
		return read == s || read == map[bool]float64{true: 1, false: 0}[s]
	case string:
		if f.Type == store.FieldJSON {
			var a, b any
			json.Unmarshal([]byte(s), &a)
			if rs, ok := read.(string); ok {
				json.Unmarshal([]byte(rs), &b)
			} else {
				b = read
			}
			return fmt.Sprint(a) == fmt.Sprint(b)
		}
		return read == s
	}
	return fmt.Sprint(stored) == fmt.Sprint(read)
}

// closeGeometry compares two geometries part by part and point by point, whatever their promotion to multi;
// a ring may run either way (GeoJSON output winds rings by the right-hand rule, shapefiles the other way).
func closeGeometry(a, b orb.Geometry, tol float64) bool {
	pa, pb := parts(a), parts(b)
	if len(pa) != len(pb) {
		return false
	}
	near := func(p, q orb.Point) bool { return math.Abs(p[0]-q[0]) <= tol && math.Abs(p[1]-q[1]) <= tol }
	for i := range pa {
		x, y := pa[i], pb[i]
		if len(x) != len(y) {
			return false
		}
		forward, backward := true, true
		for j := range x {
			forward = forward && near(x[j], y[j])
			backward = backward && near(x[j], y[len(y)-1-j])
		}
		if !forward && !backward {
			return false
		}
	}
	return true
}

// parts lists the point sequences of a geometry: each point alone, each line, each ring.
func parts(g orb.Geometry) [][]orb.Point {
	var out [][]orb.Point
	var walk func(orb.Geometry)
	walk = func(g orb.Geometry) {
		switch g := g.(type) {
		case orb.Point:
			out = append(out, []orb.Point{g})
		case orb.MultiPoint:
			for _, p := range g {
				walk(p)
			}
		case orb.LineString:
			out = append(out, g)
		case orb.Ring:
			out = append(out, g)
		case orb.MultiLineString:
			for _, l := range g {
				walk(l)
			}
		case orb.Polygon:
			for _, r := range g {
				walk(r)
			}
		case orb.MultiPolygon:
			for _, p := range g {
				walk(p)
			}
		case orb.Collection:
			for _, x := range g {
				walk(x)
			}
		}
	}
	walk(g)
	return out
}
