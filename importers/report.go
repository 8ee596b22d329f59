package importers

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Report is what an import read, wrote and fixed. It is printed at the end of an import and kept in the
// catalogue with the dataset, so that a user can see what patrimap changed in the source.
type Report struct {
	Dataset   string   `json:"dataset"`
	Version   int64    `json:"version"`
	Source    string   `json:"source"`
	Format    string   `json:"format"`
	Encoding  string   `json:"encoding,omitempty"`
	SourceCRS string   `json:"source_crs,omitempty"`
	Read      int64    `json:"read"`
	Written   int64    `json:"written"`
	NoGeom    int64    `json:"without_geometry"`
	Repaired  int64    `json:"repaired"`
	Fixes     []Count  `json:"fixes,omitempty"`
	Skipped   []Count  `json:"skipped,omitempty"`
	Warnings  []string `json:"warnings,omitempty"`
	Duration  Duration `json:"duration"`
	StartedAt string   `json:"started_at"`

	fixes   map[string]*Count
	skipped map[string]*Count
}

// Count is how many records something happened to, with a few of them as examples ("feature 12").
type Count struct {
	What     string   `json:"what"`
	N        int64    `json:"n"`
	Examples []string `json:"examples,omitempty"`
}

// Duration marshals as seconds with a unit, e.g. "1.25s".
type Duration time.Duration

// MarshalText writes the duration rounded to the millisecond.
func (d Duration) MarshalText() ([]byte, error) {
	return []byte(time.Duration(d).Round(time.Millisecond).String()), nil
}

const maxExamples = 10

// Fix counts one thing repaired or normalised in record ref ("feature 12").
func (r *Report) Fix(what, ref string) { r.count(&r.fixes, what, ref, 1) }

// FixN counts n things repaired in record ref.
func (r *Report) FixN(what, ref string, n int) {
	if n > 0 {
		r.count(&r.fixes, what, ref, int64(n))
	}
}

// Skip counts a record not written, with the reason.
func (r *Report) Skip(why, ref string) { r.count(&r.skipped, why, ref, 1) }

// Warn records something the user should know that is not about one record.
func (r *Report) Warn(format string, args ...any) {
	r.Warnings = append(r.Warnings, fmt.Sprintf(format, args...))
}

func (r *Report) count(m *map[string]*Count, what, ref string, n int64) {
	if *m == nil {
		*m = map[string]*Count{}
	}
	c := (*m)[what]
	if c == nil {
		c = &Count{What: what}
		(*m)[what] = c
	}
	c.N += n
	if ref != "" && len(c.Examples) < maxExamples && (len(c.Examples) == 0 || c.Examples[len(c.Examples)-1] != ref) {
		c.Examples = append(c.Examples, ref)
	}
}

// SkippedTotal is the number of records not written.
func (r *Report) SkippedTotal() int64 {
	var n int64
	for _, c := range r.skipped {
		n += c.N
	}
	return n
}

// seal turns the maps into the sorted lists that are marshalled.
func (r *Report) seal() {
	r.Fixes, r.Skipped = sortedCounts(r.fixes), sortedCounts(r.skipped)
}

func sortedCounts(m map[string]*Count) []Count {
	out := make([]Count, 0, len(m))
	for _, c := range m {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].N != out[j].N {
			return out[i].N > out[j].N
		}
		return out[i].What < out[j].What
	})
	return out
}

// Print writes the report for a person.
func (r *Report) Print(w io.Writer) {
	fmt.Fprintf(w, "imported %s (version %d) from %s [%s]\n", r.Dataset, r.Version, r.Source, r.Format)
	if r.SourceCRS != "" {
		fmt.Fprintf(w, "  source CRS: %s\n", r.SourceCRS)
	}
	if r.Encoding != "" {
		fmt.Fprintf(w, "  encoding:   %s\n", r.Encoding)
	}
	fmt.Fprintf(w, "  read %d, written %d (%d without geometry), repaired %d, skipped %d, in %s\n",
		r.Read, r.Written, r.NoGeom, r.Repaired, r.SkippedTotal(), time.Duration(r.Duration).Round(time.Millisecond))
	printCounts(w, "fixed", r.Fixes)
	printCounts(w, "skipped", r.Skipped)
	for _, warn := range r.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", warn)
	}
}

func printCounts(w io.Writer, title string, cs []Count) {
	for _, c := range cs {
		ex := ""
		if len(c.Examples) > 0 {
			ex = " (" + strings.Join(c.Examples, ", ")
			if int64(len(c.Examples)) < c.N {
				ex += ", ..."
			}
			ex += ")"
		}
		fmt.Fprintf(w, "  %s: %s: %d%s\n", title, c.What, c.N, ex)
	}
}
