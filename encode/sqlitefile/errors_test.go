package sqlitefile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/store"
)

// A failure at any point leaves the destination as it was (here, a previous download) and no file behind.
func TestWriteErrorsLeaveNoFile(t *testing.T) {
	st := openStore(t)
	d := fixtures[0].load(t, st, fixtures[0].id)
	boom := errors.New("boom")
	failAfter := func(n int, err error, cancel context.CancelFunc) Stream {
		return func(ctx context.Context, each func(*store.Feature) error) error {
			i := 0
			return features(st, d)(ctx, func(f *store.Feature) error {
				if i++; i > n {
					if cancel != nil {
						cancel()
					} else {
						return err
					}
				}
				return each(f)
			})
		}
	}
	for _, ft := range formats {
		for _, tc := range []struct {
			name   string
			d      store.Dataset
			stream func(cancel context.CancelFunc) Stream
			want   error  // errors.Is
			says   string // in the message
		}{
			{"the stream fails half-way", d, func(context.CancelFunc) Stream { return failAfter(7, boom, nil) }, boom, "boom"},
			{"cancelled half-way", d, func(c context.CancelFunc) Stream { return failAfter(7, nil, c) }, context.Canceled, "canceled"},
			{"a feature with a value missing", d, func(context.CancelFunc) Stream {
				return func(ctx context.Context, each func(*store.Feature) error) error {
					return each(&store.Feature{FID: 1, Geometry: orb.Point{5, 45}, Values: []any{"one"}})
				}
			}, nil, "feature 1: 1 values for 29 fields"},
			{"a geometry type GeoPackage does not know", func() store.Dataset { d := d; d.GeometryType = "CIRCLE"; return d }(),
				func(context.CancelFunc) Stream { return features(st, d) }, nil, `"CIRCLE"`},
		} {
			t.Run(ft.name+"/"+tc.name, func(t *testing.T) {
				dir := t.TempDir()
				path := filepath.Join(dir, "out"+ft.ext)
				if err := os.WriteFile(path, []byte("previous download"), 0o644); err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				err := ft.write(ctx, path, tc.d, tc.stream(cancel))
				if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) || !strings.Contains(err.Error(), tc.says) ||
					!strings.Contains(err.Error(), path) {
					t.Errorf("error %v, want one naming %s that wraps %v and says %q", err, path, tc.want, tc.says)
				}
				if b, _ := os.ReadFile(path); string(b) != "previous download" {
					t.Errorf("the file at the destination was replaced")
				}
				if entries, _ := os.ReadDir(dir); len(entries) != 1 {
					var names []string
					for _, e := range entries {
						names = append(names, e.Name())
					}
					t.Errorf("files left behind: %v", names)
				}
			})
		}
	}
	t.Run("no folder", func(t *testing.T) {
		err := WriteGeoPackage(context.Background(), filepath.Join(t.TempDir(), "missing", "out.gpkg"), d, features(st, d))
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("error %v, want one wrapping os.ErrNotExist", err)
		}
	})
}

// A table without geometry (a list of monuments without coordinates) is written as a plain table; a dataset
// whose table is named like the metadata table keeps both.
func TestWriteWithoutGeometry(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	im, err := st.BeginImport(ctx, "dataset-metadata", store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Église", "Moulin"} {
		if err := im.Add(ctx, store.Row{Properties: []store.Property{{Key: "nom", Value: name}}}); err != nil {
			t.Fatal(err)
		}
	}
	d, err := im.Commit(ctx, store.DatasetInfo{ID: "dataset-metadata", Title: "Sans géométrie", Producer: "test"}, nil)
	if err != nil || d.GeometryType != "" || d.Table != MetadataTable {
		t.Fatalf("import: %+v, %v", d, err)
	}
	for _, ft := range formats {
		t.Run(ft.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "sans"+ft.ext)
			if err := ft.write(ctx, path, d, features(st, d)); err != nil {
				t.Fatal(err)
			}
			s := summary(t, path, d.Table)
			if s.count != "2" || s.geometry != "None" || s.fields["nom"] != "String" {
				t.Errorf("ogrinfo -so: %+v", s)
			}
			var title string
			if err := openPlain(t, path).QueryRow(`SELECT value FROM patrimap_dataset_metadata WHERE key = 'title'`).Scan(&title); err != nil || title != d.Title {
				t.Errorf("metadata title %q, %v", title, err)
			}
			if ft.driver == "GPKG" {
				validateGeoPackage(t, path)
			}
		})
	}
}
