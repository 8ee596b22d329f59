package bench

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/inpn"
	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/spatialite"
)

// BenchmarkDenseImport imports the dense layer's Shapefile (PATRIMAP_BENCH_DENSE_SHP, bench/dense.sh's
// znieff1.shp under KEEP) as `patrimap import inpn --layer znieff1` does, into a new SpatiaLite store, so that
// a CPU profile says where the import's time goes (bench/dense.sh compares its time with ogr2ogr's).
//
//	PATRIMAP_BENCH_DENSE_SHP=/tmp/dense/znieff1-0/znieff1.shp go test -run '^$' -bench DenseImport -benchtime 1x -cpuprofile cpu.out ./bench/
func BenchmarkDenseImport(b *testing.B) {
	shp := os.Getenv("PATRIMAP_BENCH_DENSE_SHP")
	if shp == "" {
		b.Skip("set PATRIMAP_BENCH_DENSE_SHP to the Shapefile bench/dense.sh writes (KEEP=DIR keeps it)")
	}
	ctx := context.Background()
	layer, _ := inpn.LayerByKey("znieff1")
	for b.Loop() {
		f, err := inpn.Inspect(ctx, shp, 0)
		if err != nil {
			b.Fatal(err)
		}
		src, closeSrc, err := f.Source(nil)
		if err != nil {
			b.Fatal(err)
		}
		st, err := spatialite.Open(ctx, filepath.Join(b.TempDir(), "dense.db"))
		if err != nil {
			b.Fatal(err)
		}
		_, err = importers.Run(ctx, st, importers.Job{
			Info:   store.DatasetInfo{ID: "znieff1", Title: layer.Title, Producer: layer.Producer, Theme: store.ThemeNatural},
			Fields: append(append([]store.Field(nil), inpn.NormalisedFields...), f.Fields...),
			Source: &inpn.Normaliser{Layer: layer, Part: layer.Parts()[0], Source: src},
			Report: &importers.Report{Source: filepath.Base(shp), Format: f.Format, SourceCRS: f.CRS},
		})
		closeSrc()
		f.Close()
		st.Close()
		if err != nil {
			b.Fatalf("import %s: %v", shp, err)
		}
	}
}
