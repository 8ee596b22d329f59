package main

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/stores"
	"github.com/patrimap/patrimap/store/teststores"
	"github.com/paulmach/orb"
)

// `patrimap store copy` moves a whole store from SpatiaLite to PostGIS and back: every dataset with its
// catalogue entry, fields and features (the servers of the three answer the same items and tiles, low zooms
// included), and every kind of the memo.
func TestStoreCopyBothWays(t *testing.T) {
	ctx := context.Background()
	first := filepath.Join(t.TempDir(), "first.db")
	importSamples(t, first)
	memo := map[[2]string]string{
		{"sheet", "merimee"}:            `{"title":"Monuments historiques de l'Isère"}`,
		{"territory", "dep:38"}:         `{"type":"Polygon"}`,
		{"a-kind-of-tomorrow", "key/1"}: "\x00binary\xff",
	}
	st, err := stores.Open(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range memo {
		if err := st.Remember(ctx, k[0], k[1], []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	pg := teststores.PostGISDSN(t)
	back := filepath.Join(t.TempDir(), "back.db")
	for _, hop := range [][2]string{{first, pg}, {pg, back}} {
		out, err := patrimap(t, "store", "copy", hop[0], hop[1])
		if err != nil {
			t.Fatalf("store copy %s %s: %v\n%s", hop[0], hop[1], err, out)
		}
		for _, want := range []string{"dataset merimee: 329 features", "dataset apb-isere: 84 features", "memo a-kind-of-tomorrow: 1 values", "copied 2 datasets"} {
			if !strings.Contains(out, want) {
				t.Errorf("store copy %s %s says:\n%s\nwithout %q", hop[0], hop[1], out, want)
			}
		}
	}
	catalogue := func(dsn string) []store.Dataset {
		t.Helper()
		st := openStore(t, dsn)
		for k, v := range memo {
			if got, ok, err := st.Recall(ctx, k[0], k[1]); err != nil || !ok || string(got) != v {
				t.Errorf("%s: memo %v = %q %v %v, want %q", dsn, k, got, ok, err, v)
			}
		}
		ds, err := store.Catalogue(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	// The pyramids go with the features: the same ones at each hop.
	pyramids := func(dsn string) (fids int, zooms []orb.Geometry) {
		t.Helper()
		readDataset(t, dsn, "apb-isere", func(sn store.Snapshot, d store.Dataset) {
			err := sn.Pyramids(ctx, d, func(_ int64, p []orb.Geometry) error {
				fids++
				zooms = append(zooms, p...)
				return nil
			})
			if err != nil {
				t.Fatalf("%s: pyramids: %v", dsn, err)
			}
		})
		return fids, zooms
	}
	n, wantZooms := pyramids(first)
	if n != 84 {
		t.Errorf("the source has %d pyramids, want the 84 sites'", n)
	}
	for _, dsn := range []string{pg, back} {
		if m, got := pyramids(dsn); m != n || !reflect.DeepEqual(got, wantZooms) {
			t.Errorf("%s: %d pyramids, not the source's %d", dsn, m, n)
		}
	}
	want := catalogue(first)
	for _, dsn := range []string{pg, back} {
		got := catalogue(dsn)
		if len(got) != len(want) {
			t.Fatalf("%s: %d datasets, the source %d", dsn, len(got), len(want))
		}
		for i := range want {
			w, g := want[i], got[i]
			if w.DatasetInfo != g.DatasetInfo || w.FeatureCount != g.FeatureCount || w.GeometryType != g.GeometryType ||
				!reflect.DeepEqual(w.Fields, g.Fields) || *w.BBox != *g.BBox || string(w.Report) != string(g.Report) {
				t.Errorf("%s: dataset %s is\n%+v\nthe source's\n%+v", dsn, w.ID, g, w)
			}
		}
	}
	a := servedAnswers(t, serveStore(t, first).URL)
	sameAnswers(t, "the source", a, "the PostGIS copy", servedAnswers(t, serveStore(t, pg).URL))
	base := serveStore(t, back).URL
	sameAnswers(t, "the source", a, "the copy of the copy", servedAnswers(t, base))
	checkMerimee(t, base)
}

func TestStoreCopyErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"store"}, "store copy SRC DST"},
		{[]string{"store", "copy", "a.db"}, "give the two stores"},
		{[]string{"store", "copy", filepath.Join(dir, "a.db"), filepath.Join(dir, "a.db")}, "both the source and the destination"},
		{[]string{"store", "copy", filepath.Join(dir, "missing.db"), filepath.Join(dir, "b.db")}, "missing.db"},
	} {
		out, err := patrimap(t, tt.args...)
		if err == nil || !strings.Contains(err.Error()+out, tt.want) {
			t.Errorf("%v: %v\n%s\nwant an error saying %q", tt.args, err, out, tt.want)
		}
	}
}
