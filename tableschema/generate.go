package tableschema

import (
	"context"
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/patrimap/patrimap/store"
)

// Patterns patrimap states for columns whose name says what they hold, when every value of the version
// matches (the INSEE pattern is schema.data.gouv.fr's).
var namedPatterns = []struct {
	pattern string
	re      *regexp.Regexp
	is      func(name string) bool
	what    string
}{
	{`^([013-9]\d|2[AB1-9])\d{3}$`, nil, func(n string) bool {
		return strings.Contains(n, "insee") && !strings.Contains(n, "dep") && !strings.Contains(n, "reg") && !strings.HasSuffix(n, "codes")
	}, "INSEE commune code"},
	{`^(0[1-9]|[1-8]\d|9[0-5]|2[AB]|97[1-6])$`, nil, func(n string) bool {
		return n == "departement" || n == "code_departement" || n == "code_insee_departement"
	}, "département code"},
	{`^\d{5}$`, nil, func(n string) bool { return n == "postcode" || n == "code_postal" }, "postcode"},
}

func init() {
	for i := range namedPatterns {
		namedPatterns[i].re = regexp.MustCompile(namedPatterns[i].pattern)
	}
}

// enumFields are the normalised columns that hold a category: their values are stated as an enumeration when
// there are at most maxEnum of them.
var enumFields = map[string]bool{"kind": true, "protection": true, "position_precision": true}

const maxEnum = 30

// geometryPattern matches the WKT the CSV download writes.
const geometryPattern = `^(POINT|MULTIPOINT|LINESTRING|MULTILINESTRING|POLYGON|MULTIPOLYGON|GEOMETRYCOLLECTION) ?(EMPTY|\(.*\))$`

// colStats is what one scan of a column found.
type colStats struct {
	empty, filled int64
	distinct      map[string]bool // nil once over maxEnum
	patternOK     []bool          // per namedPatterns entry
	arrays, objs  int64
	dates, stamps int64 // values that read as a date, as an RFC 3339 date-time
	seen          map[[16]byte]bool
	dup           bool
	maxLen        int
}

// Generate describes d's CSV download as a Table Schema: the columns in the file's order with their types and
// descriptions, and the constraints that hold for every row of this version (read once): required and unique on
// the identifier, the INSEE code pattern, the enumeration of kinds and protections, the primary key.
func Generate(ctx context.Context, r FeatureReader, d store.Dataset) (*Schema, error) {
	header := Header(d)
	stats := make([]colStats, len(header))
	for i, h := range header {
		stats[i].distinct = map[string]bool{}
		stats[i].patternOK = make([]bool, len(namedPatterns))
		for j := range namedPatterns {
			stats[i].patternOK[j] = true
		}
		if h == "fid" || h == "id" {
			stats[i].seen = map[[16]byte]bool{}
		}
	}
	err := EachRow(ctx, r, d, func(_ int64, cells []string) error {
		for i := range header {
			v := ""
			if i < len(cells) {
				v = cells[i]
			}
			stats[i].add(v)
		}
		return ctx.Err()
	})
	if err != nil {
		return nil, err
	}
	s := &Schema{Profile: Profile, Name: d.ID, Title: d.Title, Description: d.Description, MissingValues: []string{""}}
	for i, h := range header {
		st := &stats[i]
		var f Field
		switch {
		case i == 0:
			f = Field{Name: h, Type: "integer", Description: "feature number in patrimap (the id of the feature in the OGC API and the GeoJSON download); it changes when the dataset is imported again",
				Constraints: Constraints{Required: true, Unique: true}}
		case i <= len(d.Fields):
			f = fieldSchema(d.Fields[i-1], st)
		default:
			f = Field{Name: h, Type: "string", Description: "geometry as OGC Well-Known Text, WGS84 longitude/latitude (EPSG:4326)",
				Constraints: Constraints{Pattern: geometryPattern}}
			if st.filled > 0 && st.empty == 0 {
				f.Constraints.Required = true
			}
			if st.filled == 0 {
				f.Constraints.Pattern = ""
			}
		}
		s.Fields = append(s.Fields, f)
	}
	s.PrimaryKey = []string{"fid"}
	if id, ok := s.Field("id"); ok && id.Constraints.Required && id.Constraints.Unique {
		s.PrimaryKey = []string{"id"}
	}
	return s, nil
}

func (st *colStats) add(v string) {
	if v == "" {
		st.empty++
		return
	}
	st.filled++
	if n := len([]rune(v)); n > st.maxLen {
		st.maxLen = n
	}
	if st.distinct != nil {
		st.distinct[v] = true
		if len(st.distinct) > maxEnum {
			st.distinct = nil
		}
	}
	for j, p := range namedPatterns {
		if st.patternOK[j] && !p.re.MatchString(v) {
			st.patternOK[j] = false
		}
	}
	switch v[0] {
	case '[':
		st.arrays++
	case '{':
		st.objs++
	}
	if _, err := time.Parse("2006-01-02", v); err == nil {
		st.dates++
	} else if _, err := time.Parse(time.RFC3339Nano, v); err == nil {
		st.stamps++
	}
	if st.seen != nil {
		k := hash(v)
		if st.seen[k] {
			st.dup = true
		}
		st.seen[k] = true
	}
}

// fieldSchema states a dataset column: its Table Schema type (the stored type when every value of the CSV
// reads so, else string) and the constraints that hold.
func fieldSchema(df store.Field, st *colStats) Field {
	f := Field{Name: df.Name, Description: df.Description, Type: "string"}
	name := strings.ToLower(df.Name)
	switch df.Type {
	case store.FieldInteger:
		f.Type = "integer"
	case store.FieldReal:
		f.Type = "number"
	case store.FieldBoolean:
		f.Type = "boolean"
	case store.FieldDate:
		if st.dates == st.filled {
			f.Type = "date"
		}
	case store.FieldDateTime:
		if st.stamps == st.filled {
			f.Type, f.Format = "datetime", "any"
		}
	case store.FieldJSON:
		switch st.filled {
		case st.arrays:
			f.Type = "array"
		case st.objs:
			f.Type = "object"
		}
	}
	if f.Type != "string" || st.filled == 0 {
		return f
	}
	for j, p := range namedPatterns {
		if p.is(name) && st.patternOK[j] {
			f.Constraints.Pattern = p.pattern
			if f.Description == "" {
				f.Description = p.what
			}
			break
		}
	}
	if enumFields[name] && st.distinct != nil && len(st.distinct) > 0 {
		values := make([]string, 0, len(st.distinct))
		for v := range st.distinct {
			values = append(values, v)
		}
		sort.Strings(values)
		for _, v := range values {
			f.Constraints.Enum = append(f.Constraints.Enum, v)
		}
	}
	if name == "id" {
		f.Constraints.Required = st.empty == 0
		f.Constraints.Unique = !st.dup && st.empty == 0
	}
	return f
}

// Marshal writes s as indented JSON, the way schema files are published.
func (s *Schema) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
