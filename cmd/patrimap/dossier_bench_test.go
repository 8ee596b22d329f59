package main

import (
	"bytes"
	"context"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/patrimap/patrimap/dossier"
	"github.com/patrimap/patrimap/importers/territory"
	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/stores"
)

// BenchmarkDossierBuild times dossier.Build on the store `make demo` makes (the bundled Isère data, its
// communes' contours), for Isère (512 communes) and Grenoble-Alpes-Métropole (49), and prints the ratio to a
// reference measured in the same run: reading what the dossier reads (every dataset's rows, the communes'
// contours), the floor of any build. CPU time is reported beside wall time: it varies less on a busy machine.
//
//	go test -run '^$' -bench DossierBuild -benchtime 3x ./cmd/patrimap/
func BenchmarkDossierBuild(b *testing.B) {
	db := filepath.Join(b.TempDir(), "dossier.db")
	for _, args := range dossierImports() {
		var out bytes.Buffer
		if err := run(context.Background(), append(args, "--db", db), &out, &out); err != nil {
			b.Fatalf("%v: %v\n%s", args, err, out.String())
		}
	}
	ctx := context.Background()
	st, err := stores.Open(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ref, err := territory.LoadReference()
	if err != nil {
		b.Fatal(err)
	}
	for _, spec := range []string{"dep:38", "epci:200040715"} {
		b.Run(spec, func(b *testing.B) {
			sp, err := territory.ParseSpec(spec)
			if err != nil {
				b.Fatal(err)
			}
			t, err := ref.Communes(sp)
			if err != nil {
				b.Fatal(err)
			}
			sn, err := st.Snapshot(ctx)
			if err != nil {
				b.Fatal(err)
			}
			defer sn.Close()
			cc := &territory.CommuneContours{Store: st, Reference: ref}
			// The reference: the quickest of three reads, wall and CPU time (the machine may be busy).
			var read, readCPU time.Duration
			for i := 0; i < 3; i++ {
				start, cpu0 := time.Now(), cpuTime(b)
				if err := readAll(ctx, sn, cc, t); err != nil {
					b.Fatal(err)
				}
				if w, c := time.Since(start), cpuTime(b)-cpu0; i == 0 || w < read {
					read, readCPU = w, c
				}
			}
			var g dossier.Builder
			if _, err := g.Build(ctx, sn, cc, t, ref); err != nil { // PROJ's transformation made once, as a server does
				b.Fatal(err)
			}
			cpu0 := cpuTime(b)
			b.ResetTimer()
			for b.Loop() {
				if _, err := g.Build(ctx, sn, cc, t, ref); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			per, cpu := b.Elapsed()/time.Duration(b.N), (cpuTime(b)-cpu0)/time.Duration(b.N)
			b.ReportMetric(per.Seconds()*1e3, "ms/build")
			b.ReportMetric(cpu.Seconds()*1e3, "cpu-ms/build")
			b.ReportMetric(float64(cpu)/float64(readCPU), "x-read-cpu")
			b.Logf("%s: %v a build (%v of CPU), %v to read its inputs (%v of CPU): %.1f× in CPU", spec, per.Round(time.Millisecond),
				cpu.Round(time.Millisecond), read.Round(time.Millisecond), readCPU.Round(time.Millisecond), float64(cpu)/float64(readCPU))
		})
	}
}

// cpuTime is the CPU time (user and system) the process has used: a busy machine slows the wall clock of a
// benchmark, much less its CPU time.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// readAll reads what a dossier of t reads: the communes' contours and every row of every dataset.
func readAll(ctx context.Context, sn store.Snapshot, cc *territory.CommuneContours, t *territory.Territory) error {
	codes := make([]string, len(t.Communes))
	for i, c := range t.Communes {
		codes[i] = c.Code
	}
	if _, err := cc.Communes(ctx, codes); err != nil {
		return err
	}
	ds, err := sn.Datasets(ctx)
	if err != nil {
		return err
	}
	for _, d := range ds {
		if err := sn.Features(ctx, d, store.Query{}, func(*store.Feature) error { return nil }); err != nil {
			return err
		}
	}
	return nil
}
