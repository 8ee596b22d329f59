package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/osm"
	"github.com/patrimap/patrimap/store"
)

func runCheck(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(e.stderr, "Usage: patrimap check CHECK ...\n\nChecks:\n  merimee-osm   monuments of the Mérimée list and of OpenStreetMap (ref:mhs): pairs, distances, and those in one only")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return flag.ErrHelp
		}
		return usageError{errors.New("check: name the check, e.g. `patrimap check merimee-osm`")}
	}
	switch args[0] {
	case "merimee-osm":
		return runCheckMerimeeOSM(ctx, e, args[1:])
	}
	return usageError{fmt.Errorf("check: unknown check %q (known: merimee-osm)", args[0])}
}

// Columns where each side keeps the Mérimée reference, tried in order (case-insensitively).
var (
	merimeeRefColumns = []string{"id", "reference", "REF", "ref", "ref_merimee"}
	osmRefColumns     = []string{"ref_mhs", "ref:mhs"}
	merimeeNames      = []string{"nom", "titre", "appellation", "tico", "denomination"}
	osmNames          = []string{"nom", "name"}
)

// monument is one feature of either side.
type monument struct {
	ref, name, osmID string
	fid              int64
	pos              orb.Geometry // a point, nil without geometry
}

// Statuses of the check's rows.
const (
	statusPaired      = "paire"
	statusMerimeeOnly = "merimee_seulement"
	statusOSMOnly     = "osm_seulement"
)

func runCheckMerimeeOSM(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "check merimee-osm", "check merimee-osm --merimee DATASET --osm DATASET [--dataset ID] [flags]",
		"patrimap check merimee-osm --merimee merimee --osm osm-heritage-grenoble-alpes-metropole")
	merimeeID := fs.String("merimee", "merimee", "the Mérimée `DATASET` (its reference column: id, reference or REF)")
	osmID := fs.String("osm", "", "the OSM heritage `DATASET` (imported with --theme heritage; column ref_mhs)")
	outID := fs.String("dataset", "", "the `ID` of the dataset written (default check-merimee-OSM)")
	all := fs.Bool("all", false, "also list the Mérimée monuments outside the OSM dataset's bounding box (a national list against a local extract otherwise gives thousands)")
	far := fs.Float64("far", 200, "pairs more than this many `METRES` apart are counted as far apart in the summary")
	jsonReport := fs.Bool("json", false, "print the report as JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *osmID == "" {
		fs.Usage()
		return usageError{errors.New("check merimee-osm: --osm DATASET is required (see `patrimap datasets`)")}
	}
	if *outID == "" {
		*outID = "check-merimee-" + *osmID
		if len(*outID) > 63 {
			*outID = (*outID)[:63]
		}
		*outID = strings.TrimRight(*outID, "-")
	}
	if err := store.ValidateID(*outID); err != nil {
		return usageError{err}
	}
	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()

	sn, err := st.Snapshot(ctx)
	if err != nil {
		return err
	}
	mer, merDS, err := readMonuments(ctx, sn, *merimeeID, merimeeRefColumns, merimeeNames)
	if err != nil {
		sn.Close()
		return err
	}
	osmMon, osmDS, err := readMonuments(ctx, sn, *osmID, osmRefColumns, osmNames)
	sn.Close()
	if err != nil {
		return err
	}
	if osmDS.Theme != store.ThemeOSM {
		fmt.Fprintf(e.stderr, "warning: dataset %s has theme %q, not osm\n", osmDS.ID, osmDS.Theme)
	}

	rows, sum := matchMonuments(mer, osmMon, osmDS.BBox, *all, *far)
	info := store.DatasetInfo{ID: *outID, Theme: store.ThemeOther,
		Title:    "Mérimée et OpenStreetMap : " + merDS.Title + " / " + osmDS.Title,
		Producer: "patrimap (check merimee-osm)", Licence: osmLicence,
		Attribution: osmAttribution + " ; " + orDefault(merDS.Attribution, merDS.Producer),
		Description: fmt.Sprintf("Comparaison de %s (%s) et de %s (%s) par la référence Mérimée (ref:mhs) : statut %s (avec la distance entre les deux positions, en mètres, et une ligne de l'une à l'autre), %s ou %s.",
			merDS.ID, merDS.Producer, osmDS.ID, osmDS.Producer, statusPaired, statusMerimeeOnly, statusOSMOnly),
		Source: store.Source{RetrievedAt: osmDS.ImportedAt}}
	rep := &importers.Report{Source: merDS.ID + " + " + osmDS.ID, Format: "patrimap datasets"}
	if sum.outside > 0 {
		rep.Warn("%d Mérimée monuments outside the bounding box of %s left out (pass --all to list them)", sum.outside, osmDS.ID)
	}
	if sum.merimeeNoRef > 0 {
		rep.Warn("%d Mérimée rows without a reference ignored", sum.merimeeNoRef)
	}
	if sum.osmNoRef > 0 {
		rep.Warn("%d OSM features without ref:mhs ignored (historic=* objects are not all monuments historiques)", sum.osmNoRef)
	}
	d, err := importers.Run(ctx, st, importers.Job{Info: info, Source: &recordList{rows: rows}, Report: rep,
		Fields: []store.Field{
			{Name: "reference", Type: store.FieldText, Description: "Référence Mérimée (PA...)"},
			{Name: "statut", Type: store.FieldText, Description: statusPaired + ", " + statusMerimeeOnly + " ou " + statusOSMOnly},
			{Name: "distance_m", Type: store.FieldReal, Description: "Distance entre la position Mérimée et la position OSM, en mètres"},
		}})
	if err != nil {
		return err
	}
	if *jsonReport {
		return printReport(e, d, rep, true)
	}
	fmt.Fprintf(e.stdout, "merimee-osm: %d pairs (median distance %s, %d more than %.0f m apart), %d in Mérimée only, %d in OSM only\n",
		sum.paired, metres(sum.median), sum.far, *far, sum.merimeeOnly, sum.osmOnly)
	return printReport(e, d, rep, false)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func metres(m float64) string {
	if math.IsNaN(m) {
		return "n/a"
	}
	return fmt.Sprintf("%.0f m", m)
}

// readMonuments reads the reference, name and position of every feature of dataset id.
func readMonuments(ctx context.Context, sn store.Snapshot, id string, refCols, nameCols []string) ([]monument, store.Dataset, error) {
	d, err := sn.Dataset(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, d, usageError{fmt.Errorf("check merimee-osm: no dataset %q in the store (see `patrimap datasets`)", id)}
	}
	if err != nil {
		return nil, d, err
	}
	col := func(names []string) int {
		for _, n := range names {
			for i, f := range d.Fields {
				if strings.EqualFold(f.Name, n) {
					return i
				}
			}
		}
		return -1
	}
	refIdx, nameIdx, osmIdx := col(refCols), col(nameCols), col([]string{"id_osm", "osm_id"})
	if refIdx < 0 {
		names := make([]string, len(d.Fields))
		for i, f := range d.Fields {
			names[i] = f.Name
		}
		return nil, d, fmt.Errorf("check merimee-osm: dataset %s has no reference column (looked for %s; it has %s)",
			id, strings.Join(refCols, ", "), strings.Join(names, ", "))
	}
	var out []monument
	err = sn.Features(ctx, d, store.Query{}, func(f *store.Feature) error {
		m := monument{fid: f.FID, ref: text(f.Values[refIdx])}
		if nameIdx >= 0 {
			m.name = text(f.Values[nameIdx])
		}
		if osmIdx >= 0 {
			m.osmID = text(f.Values[osmIdx])
		}
		if f.Geometry != nil {
			m.pos = osm.LabelPoint(f.Geometry)
		}
		out = append(out, m)
		return nil
	})
	return out, d, err
}

func text(v any) string {
	if v == nil {
		return ""
	}
	return strings.TrimSpace(fmt.Sprint(v))
}

// splitRefs reads a ref:mhs value: OSM sometimes lists several references, separated by ";".
func splitRefs(s string) []string {
	var out []string
	for _, r := range strings.FieldsFunc(s, func(c rune) bool { return c == ';' || c == ',' || c == ' ' }) {
		if r = strings.ToUpper(strings.TrimSpace(r)); r != "" {
			out = append(out, r)
		}
	}
	return out
}

type matchSummary struct {
	paired, merimeeOnly, osmOnly, far int
	outside, merimeeNoRef, osmNoRef   int
	median                            float64
}

// matchMonuments pairs the two lists by reference. Each pair becomes a line from the Mérimée position to the
// OSM one (a point when one side has no position), each unpaired monument a point.
func matchMonuments(mer, om []monument, osmBBox *orb.Bound, all bool, far float64) ([]importers.Record, matchSummary) {
	var sum matchSummary
	byRef := map[string][]monument{}
	var refs []string
	for _, m := range om {
		rs := splitRefs(m.ref)
		if len(rs) == 0 {
			sum.osmNoRef++
			continue
		}
		for _, r := range rs {
			if byRef[r] == nil {
				refs = append(refs, r)
			}
			byRef[r] = append(byRef[r], m)
		}
	}
	seen := map[string]bool{}
	var rows []importers.Record
	var dists []float64
	for _, m := range mer {
		ref := strings.ToUpper(m.ref)
		if ref == "" {
			sum.merimeeNoRef++
			continue
		}
		pairs := byRef[ref]
		if len(pairs) == 0 {
			if !all && osmBBox != nil && m.pos != nil && !osmBBox.Pad(0.01).Contains(m.pos.(orb.Point)) {
				sum.outside++
				continue
			}
			sum.merimeeOnly++
			rows = append(rows, checkRow(ref, statusMerimeeOnly, m, monument{}, nil, math.NaN()))
			continue
		}
		seen[ref] = true
		for _, o := range pairs {
			sum.paired++
			var g orb.Geometry
			d := math.NaN()
			switch {
			case m.pos != nil && o.pos != nil:
				a, b := m.pos.(orb.Point), o.pos.(orb.Point)
				d = geo.Distance(a, b)
				dists = append(dists, d)
				if d > far {
					sum.far++
				}
				if a == b {
					g = a
				} else {
					g = orb.LineString{a, b}
				}
			case m.pos != nil:
				g = m.pos
			default:
				g = o.pos
			}
			rows = append(rows, checkRow(ref, statusPaired, m, o, g, d))
		}
	}
	for _, r := range refs {
		if seen[r] {
			continue
		}
		for _, o := range byRef[r] {
			sum.osmOnly++
			rows = append(rows, checkRow(r, statusOSMOnly, monument{}, o, o.pos, math.NaN()))
		}
	}
	sum.median = math.NaN()
	if len(dists) > 0 {
		sort.Float64s(dists)
		sum.median = dists[len(dists)/2]
	}
	return rows, sum
}

func checkRow(ref, status string, m, o monument, g orb.Geometry, d float64) importers.Record {
	if status == statusMerimeeOnly {
		g = m.pos
	}
	nullable := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	var dist any
	if !math.IsNaN(d) {
		dist = math.Round(d*10) / 10
	}
	var fm, fo any
	if m.fid != 0 {
		fm = m.fid
	}
	if o.fid != 0 {
		fo = o.fid
	}
	return importers.Record{Ref: ref, Geometry: g, Properties: []store.Property{
		{Key: "reference", Value: ref},
		{Key: "statut", Value: status},
		{Key: "distance_m", Value: dist},
		{Key: "nom_merimee", Value: nullable(m.name)},
		{Key: "nom_osm", Value: nullable(o.name)},
		{Key: "id_osm", Value: nullable(o.osmID)},
		{Key: "fid_merimee", Value: fm},
		{Key: "fid_osm", Value: fo},
	}}
}

// recordList is a Source of records computed in memory.
type recordList struct{ rows []importers.Record }

func (l *recordList) SRID() int { return 4326 }

func (l *recordList) Records(ctx context.Context, _ *importers.Report, emit func(importers.Record) error) error {
	for _, r := range l.rows {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := emit(r); err != nil {
			return err
		}
	}
	return nil
}
