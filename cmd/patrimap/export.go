package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/patrimap/patrimap/umap"
)

func runExport(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(e.stderr, "Usage: patrimap export FORMAT ...\n\nFormats:\n  umap   a uMap full map backup (.umap): uMap → Import data → Full map backup")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return flag.ErrHelp
		}
		return usageError{errors.New("export: name the format, e.g. `patrimap export umap --datasets rnn-isere --out rnn.umap`")}
	}
	switch args[0] {
	case "umap":
		return runExportUMap(ctx, e, args[1:])
	}
	return usageError{fmt.Errorf("export: unknown format %q (known: umap)", args[0])}
}

func runExportUMap(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "export umap", "export umap (--datasets ID,ID,... | --map NAME|FILE.json) --out FILE.umap [flags]",
		"patrimap export umap --datasets rnn-isere,apb-isere,merimee --name \"Patrimoine de l'Isère\" --out isere.umap")
	var (
		datasets, mapName, name, out, baseURL, budget string
		live                                          bool
	)
	fs.StringVar(&datasets, "datasets", "", "dataset `IDS`, comma-separated, one uMap layer each (patterns such as '*-isere' allowed)")
	fs.StringVar(&mapName, "map", "", "a map description: a shipped map (isere, puy-de-dome), all, a territory slug, or a `FILE`.json")
	fs.StringVar(&name, "name", "", "the map's name (default: from the map or the datasets)")
	fs.StringVar(&out, "out", "", "the .umap `FILE` to write (- for standard output)")
	fs.BoolVar(&live, "live", false, "live map: layers fetch the current data from patrimap (needs --base-url) instead of holding it")
	fs.StringVar(&baseURL, "base-url", "", "patrimap's public `URL` for live layers, e.g. https://patrimap.example.org")
	fs.StringVar(&budget, "budget", "5MiB", "largest snapshot `SIZE` (bytes, or 800KiB, 5MiB, 10MB); outlines are simplified to fit")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Errorf("export umap: unexpected argument %q", pos[0])}
	}
	if out == "" {
		return usageError{errors.New("export umap: --out FILE.umap is required")}
	}
	if (datasets == "") == (mapName == "") {
		return usageError{errors.New("export umap: give exactly one of --datasets ID,ID,... and --map NAME")}
	}
	if live && baseURL == "" {
		return usageError{errors.New("export umap: --live needs --base-url, the address uMap users reach patrimap at (e.g. https://patrimap.example.org)")}
	}
	if !live && baseURL != "" {
		return usageError{errors.New("export umap: --base-url only applies to --live maps")}
	}
	if baseURL != "" && !strings.HasPrefix(baseURL, "http://") && !strings.HasPrefix(baseURL, "https://") {
		return usageError{fmt.Errorf("export umap: --base-url %q: give an http:// or https:// address", baseURL)}
	}
	limit, err := parseSize(budget)
	if err != nil {
		return usageError{fmt.Errorf("export umap: --budget: %w", err)}
	}

	// One read view for the catalogue and the features: an import committing meanwhile is not half seen.
	sn, done, err := e.openView(ctx)
	if err != nil {
		return err
	}
	defer done()
	all, err := sn.Datasets(ctx)
	if err != nil {
		return err
	}
	var m umap.Map
	switch {
	case datasets != "":
		var ids []string
		for _, id := range strings.Split(datasets, ",") {
			if id = strings.TrimSpace(id); id != "" {
				ids = append(ids, id)
			}
		}
		m = umap.DatasetsMap(name, ids)
	case strings.HasSuffix(mapName, ".json"):
		if m, err = umap.LoadMapFile(mapName); err != nil {
			return err
		}
	default:
		if m, err = umap.FindMap(mapName, all); err != nil {
			return err
		}
	}
	if name != "" {
		m.Name = name
	}
	ds, warnings, err := m.Resolve(all)
	for _, w := range warnings {
		fmt.Fprintln(e.stderr, "warning:", w)
	}
	if err != nil {
		return err
	}
	opt := umap.Options{Budget: limit, BaseURL: baseURL}
	if live {
		opt.Mode = umap.Live
		opt.URI = strings.TrimRight(baseURL, "/") + "/umap/" + m.Slug + ".umap"
	}
	b, rep, err := umap.Build(ctx, sn, m, ds, opt)
	if err != nil {
		return err
	}
	data, err := b.Marshal()
	if err != nil {
		return err
	}
	if out == "-" {
		_, err = e.stdout.Write(data)
	} else {
		err = writeFileAtomic(out, data)
	}
	if err != nil {
		return fmt.Errorf("export umap: %w", err)
	}
	for _, w := range rep.Warnings {
		fmt.Fprintln(e.stderr, "warning:", w)
	}
	mode := "snapshot"
	if live {
		mode = "live"
	}
	fmt.Fprintf(e.stderr, "%s uMap map %q, %s, %d layers:\n", mode, b.Properties.Name, humanSize(rep.Bytes), len(rep.Layers))
	for _, l := range rep.Layers {
		line := fmt.Sprintf("  %-28s %6d features", l.Dataset, l.Features)
		if l.Dynamic {
			line += ", fetched per view"
		}
		if l.FromZoom > 0 {
			line += fmt.Sprintf(", shown from zoom %d", l.FromZoom)
		}
		fmt.Fprintln(e.stderr, line)
	}
	if out != "-" {
		fmt.Fprintf(e.stderr, "wrote %s: in uMap, Import data (Ctrl+I) → choose the file → type \"Full map backup\" (umap) → Import\n", out)
	}
	return nil
}

// writeFileAtomic writes data to name through a temporary file in the same folder, so that an interrupted
// export never leaves half a map.
func writeFileAtomic(name string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}

// parseSize reads a byte count: 5000000, 800KiB, 5MiB, 10MB, 2M.
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"K", 1 << 10}, {"M", 1 << 20}, {"B", 1}} {
		if strings.HasSuffix(strings.ToUpper(t), strings.ToUpper(u.suffix)) {
			t, mult = strings.TrimSpace(t[:len(t)-len(u.suffix)]), u.m
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("%q is not a size (e.g. 5MiB, 800KiB, 5000000)", s)
	}
	return int64(v * float64(mult)), nil
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
