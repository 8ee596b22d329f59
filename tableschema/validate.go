package tableschema

import (
	"crypto/sha256"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Report is what a validation found: errors counted by column and kind, with the first rows of each, as
// validata shows them.
type Report struct {
	Schema         string           `json:"schema"`
	Rows           int64            `json:"rows"`
	Valid          bool             `json:"valid"`
	Errors         int64            `json:"errors"`
	InvalidRows    int64            `json:"invalid_rows"`
	MissingColumns []string         `json:"missing_columns,omitempty"`
	ExtraColumns   []string         `json:"extra_columns,omitempty"`
	ByKind         map[string]int64 `json:"by_kind"`
	Issues         []Issue          `json:"issues"`
}

// Issue is one kind of error in one column.
type Issue struct {
	Column string   `json:"column"`
	Kind   string   `json:"kind"`
	Count  int64    `json:"count"`
	Rows   []int64  `json:"rows"`   // the first rows, numbered as in the CSV file (the header is row 1)
	Values []string `json:"values"` // the first distinct values at fault
}

const (
	maxIssueRows   = 10
	maxIssueValues = 5
)

// Validator checks the rows of one table against a schema. Memory grows only with the values of unique
// columns (16 bytes a row).
type Validator struct {
	schema  *Schema
	name    string
	cols    []column
	missing map[string]bool
	pk      []int // header indices of a composite primary key
	pkSeen  map[[16]byte]bool
	issues  map[[2]string]*Issue
	order   map[string]int
	rows    int64
	bad     int64
	errors  int64
	report  Report
}

type column struct {
	field  Field
	index  int // in the header; -1 when the table lacks it
	c      *checker
	unique bool
	seen   map[[16]byte]bool
}

// NewValidator prepares the check of a table whose header is header against s; name says where the schema
// came from, for the report. Columns are matched by name; a schema field the table lacks is an error
// (missing-column), a column the schema does not know is only listed (patrimap adds fid and the geometry).
func NewValidator(s *Schema, name string, header []string) (*Validator, error) {
	v := &Validator{schema: s, name: name, missing: s.missing(), issues: map[[2]string]*Issue{}, order: map[string]int{}}
	at := map[string]int{}
	for i, h := range header {
		if _, dup := at[h]; !dup {
			at[h] = i
		}
	}
	pk := map[string]bool{}
	for _, k := range s.PrimaryKey {
		pk[k] = true
	}
	known := map[string]bool{}
	for i, f := range s.Fields {
		c, err := newChecker(f)
		if err != nil {
			return nil, fmt.Errorf("schema: field %q: %w", f.Name, err)
		}
		idx, ok := at[f.Name]
		if !ok {
			idx = -1
			v.report.MissingColumns = append(v.report.MissingColumns, f.Name)
		}
		known[f.Name] = true
		v.order[f.Name] = i
		// A one-field primary key is a unique, required field.
		single := len(s.PrimaryKey) == 1 && pk[f.Name]
		if single {
			c.f.Constraints.Required = true
		}
		col := column{field: c.f, index: idx, c: c, unique: f.Constraints.Unique || single}
		if col.unique {
			col.seen = map[[16]byte]bool{}
		}
		v.cols = append(v.cols, col)
	}
	if len(s.PrimaryKey) > 1 {
		for _, k := range s.PrimaryKey {
			if i, ok := at[k]; ok {
				v.pk = append(v.pk, i)
			}
		}
		if len(v.pk) == len(s.PrimaryKey) {
			v.pkSeen = map[[16]byte]bool{}
		}
	}
	for _, h := range header {
		if !known[h] {
			v.report.ExtraColumns = append(v.report.ExtraColumns, h)
		}
	}
	return v, nil
}

// Row checks one row; line is its number in the file (the header is line 1).
func (v *Validator) Row(line int64, cells []string) {
	v.rows++
	before := v.errors
	for i := range v.cols {
		col := &v.cols[i]
		if col.index < 0 {
			continue
		}
		text := ""
		if col.index < len(cells) {
			text = cells[col.index]
		}
		if v.missing[text] {
			if col.field.Constraints.Required {
				v.add(col.field.Name, KindRequired, line, text)
			}
			continue
		}
		if kind := col.c.check(text); kind != "" {
			v.add(col.field.Name, kind, line, text)
			continue
		}
		if col.unique {
			key := hash(text)
			if col.seen[key] {
				v.add(col.field.Name, KindUnique, line, text)
			}
			col.seen[key] = true
		}
	}
	if v.pkSeen != nil {
		parts := make([]string, len(v.pk))
		for i, idx := range v.pk {
			if idx < len(cells) {
				parts[i] = cells[idx]
			}
		}
		key := hash(strings.Join(parts, "\x00"))
		if v.pkSeen[key] {
			v.add(strings.Join(v.schema.PrimaryKey, "+"), KindUnique, line, strings.Join(parts, ", "))
		}
		v.pkSeen[key] = true
	}
	if v.errors > before {
		v.bad++
	}
}

func hash(s string) [16]byte {
	sum := sha256.Sum256([]byte(s))
	var k [16]byte
	copy(k[:], sum[:16])
	return k
}

func (v *Validator) add(col, kind string, line int64, value string) {
	v.errors++
	k := [2]string{col, kind}
	is := v.issues[k]
	if is == nil {
		is = &Issue{Column: col, Kind: kind}
		v.issues[k] = is
	}
	is.Count++
	if len(is.Rows) < maxIssueRows {
		is.Rows = append(is.Rows, line)
	}
	if len(is.Values) < maxIssueValues {
		if len([]rune(value)) > 60 {
			value = string([]rune(value)[:57]) + "..."
		}
		for _, x := range is.Values {
			if x == value {
				return
			}
		}
		is.Values = append(is.Values, value)
	}
}

// Report returns what was found so far.
func (v *Validator) Report() *Report {
	r := v.report
	r.Schema, r.Rows, r.Errors, r.InvalidRows = v.name, v.rows, v.errors, v.bad
	r.ByKind = map[string]int64{}
	for _, is := range v.issues {
		r.Issues = append(r.Issues, *is)
		r.ByKind[is.Kind] += is.Count
	}
	if n := len(r.MissingColumns); n > 0 {
		r.ByKind[KindMissingColumn] = int64(n)
		r.Errors += int64(n)
	}
	sort.Slice(r.Issues, func(i, j int) bool {
		a, b := r.Issues[i], r.Issues[j]
		if oa, ob := v.order[a.Column], v.order[b.Column]; oa != ob {
			return oa < ob
		}
		return a.Kind < b.Kind
	})
	r.Valid = r.Errors == 0
	return &r
}

// Print writes the report for a person: the verdict, then the errors by column and kind.
func (r *Report) Print(w io.Writer, dataset string) {
	verdict := "valid"
	if !r.Valid {
		verdict = "INVALID"
	}
	fmt.Fprintf(w, "%s: %s against %s: %d rows, %d errors in %d rows\n", dataset, verdict, r.Schema, r.Rows, r.Errors, r.InvalidRows)
	for _, m := range r.MissingColumns {
		fmt.Fprintf(w, "  column %-24s missing-column  the schema's field is not in the data\n", m)
	}
	for _, is := range r.Issues {
		rows := make([]string, len(is.Rows))
		for i, n := range is.Rows {
			rows[i] = fmt.Sprint(n)
		}
		more := ""
		if is.Count > int64(len(is.Rows)) {
			more = ", ..."
		}
		fmt.Fprintf(w, "  column %-24s %-15s %6d  rows %s%s; values %q\n", is.Column, is.Kind, is.Count, strings.Join(rows, ", "), more, is.Values)
	}
	if len(r.ByKind) > 0 {
		kinds := make([]string, 0, len(r.ByKind))
		for k := range r.ByKind {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		parts := make([]string, len(kinds))
		for i, k := range kinds {
			parts[i] = fmt.Sprintf("%s %d", k, r.ByKind[k])
		}
		fmt.Fprintf(w, "  by kind: %s\n", strings.Join(parts, ", "))
	}
	if len(r.ExtraColumns) > 0 {
		fmt.Fprintf(w, "  columns the schema does not describe (not errors): %s\n", strings.Join(r.ExtraColumns, ", "))
	}
}
