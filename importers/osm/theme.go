package osm

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/patrimap/patrimap/importers/charset"
	"github.com/patrimap/patrimap/store"
)

//go:embed themes/*.json
var themeFiles embed.FS

// Geometry kinds a theme can ask for.
const (
	GeometryAny   = "any"   // as OSM draws it: points, lines, polygons
	GeometryPoint = "point" // one point per element: polygons and lines become a label point inside them
	GeometryArea  = "area"  // polygons only (and nodes, as points, when the theme allows them with nodes: true)
)

// Theme is what to extract from OSM for one subject: which elements (a tag filter), which geometry and which
// columns, each derived from tags. Themes are data: one JSON file per theme, embedded, or given by the user.
type Theme struct {
	Name        string   `json:"name"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Match       []string `json:"match"`
	// Geometry is any, point or area.
	Geometry string `json:"geometry"`
	// Nodes keeps tagged nodes as points in an area theme (a nature reserve mapped as a node).
	Nodes   bool     `json:"nodes,omitempty"`
	Columns []Column `json:"columns"`

	filter Filter
}

// Column is one output column and how it is derived from an element's tags.
type Column struct {
	Name string `json:"name"`
	// Tags are tried in order; the first present gives the value. Special names: @id (node/123), @type
	// (node, way, relation), @osm_id (123), @version, @timestamp, @tags (every tag, as a JSON object).
	Tags []string `json:"tags"`
	// Map replaces values (heritage=2 -> "classé"); values not in the map are kept as they are.
	Map map[string]string `json:"map,omitempty"`
	// Type is text (default), integer, real, boolean (yes/no) or date.
	Type        string `json:"type,omitempty"`
	Description string `json:"description,omitempty"`
}

// Filter is the theme's tag filter, parsed.
func (t *Theme) Filter() Filter { return t.filter }

// Themes returns the embedded themes, sorted by name.
func Themes() ([]*Theme, error) {
	entries, err := fs.ReadDir(themeFiles, "themes")
	if err != nil {
		return nil, err
	}
	var out []*Theme
	for _, e := range entries {
		data, err := themeFiles.ReadFile(path.Join("themes", e.Name()))
		if err != nil {
			return nil, err
		}
		t, err := ParseTheme(data)
		if err != nil {
			return nil, fmt.Errorf("embedded theme %s: %w", e.Name(), err)
		}
		if t.Name+".json" != e.Name() {
			return nil, fmt.Errorf("embedded theme %s is named %q", e.Name(), t.Name)
		}
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// ThemeNames returns the names of the embedded themes.
func ThemeNames() []string {
	ts, err := Themes()
	if err != nil {
		return nil
	}
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.Name
	}
	return names
}

// LoadTheme returns the embedded theme called name.
func LoadTheme(name string) (*Theme, error) {
	ts, err := Themes()
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		if t.Name == name {
			return t, nil
		}
	}
	return nil, fmt.Errorf("theme %q: unknown (known: %s; or give your own with --theme-file)", name, strings.Join(ThemeNames(), ", "))
}

// ReadThemeFile reads a user's theme file.
func ReadThemeFile(p string) (*Theme, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	t, err := ParseTheme(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return t, nil
}

// ParseTheme reads and checks a theme's JSON.
func ParseTheme(data []byte) (*Theme, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var t Theme
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("theme: %w", err)
	}
	if !themeName.MatchString(t.Name) {
		return nil, fmt.Errorf("theme name %q: use lower-case letters, digits, _ and - (e.g. protected_area)", t.Name)
	}
	f, err := ParseFilter(t.Match)
	if err != nil {
		return nil, fmt.Errorf("theme %s: %w", t.Name, err)
	}
	t.filter = f
	switch t.Geometry {
	case "":
		t.Geometry = GeometryAny
	case GeometryAny, GeometryPoint, GeometryArea:
	default:
		return nil, fmt.Errorf("theme %s: geometry %q: use any, point or area", t.Name, t.Geometry)
	}
	if t.Title == "" {
		t.Title = t.Name
	}
	if len(t.Columns) == 0 {
		return nil, fmt.Errorf("theme %s: no columns: list at least one, e.g. {\"name\": \"nom\", \"tags\": [\"name\"]}", t.Name)
	}
	seen := map[string]bool{}
	for i, c := range t.Columns {
		if c.Name == "" || len(c.Tags) == 0 {
			return nil, fmt.Errorf("theme %s: column %d: give a name and at least one tag", t.Name, i+1)
		}
		if seen[strings.ToLower(c.Name)] {
			return nil, fmt.Errorf("theme %s: column %q given twice", t.Name, c.Name)
		}
		seen[strings.ToLower(c.Name)] = true
		switch c.Type {
		case "":
			t.Columns[i].Type = string(store.FieldText)
		case string(store.FieldText), string(store.FieldInteger), string(store.FieldReal), string(store.FieldBoolean), string(store.FieldDate):
		default:
			return nil, fmt.Errorf("theme %s: column %s: type %q: use text, integer, real, boolean or date", t.Name, c.Name, c.Type)
		}
		for _, tag := range c.Tags {
			if strings.HasPrefix(tag, "@") && !specialTags[tag] {
				return nil, fmt.Errorf("theme %s: column %s: %q: the special names are @id, @type, @osm_id, @version, @timestamp, @tags", t.Name, c.Name, tag)
			}
		}
	}
	return &t, nil
}

var themeName = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,40}$`)

var specialTags = map[string]bool{"@id": true, "@type": true, "@osm_id": true, "@version": true, "@timestamp": true, "@tags": true}

// normalised are the columns every patrimap dataset starts with (the INPN and culture ones too), so that maps,
// tiles and uMap popups find a name, a kind and a link whatever the source. A theme's own column of the same
// name wins.
var normalised = []store.Field{
	{Name: "id", Type: store.FieldText, Description: "OpenStreetMap element: node/123, way/123 or relation/123"},
	{Name: "name", Type: store.FieldText, Description: "name (name, else official_name)"},
	{Name: "kind", Type: store.FieldText, Description: "the theme"},
	{Name: "url", Type: store.FieldText, Description: "the element on openstreetmap.org"},
}

func (t *Theme) hasColumn(name string) bool {
	for _, c := range t.Columns {
		if strings.EqualFold(c.Name, name) {
			return true
		}
	}
	return false
}

// Fields declares the theme's columns to the store, after the normalised ones.
func (t *Theme) Fields() []store.Field {
	var out []store.Field
	for _, f := range normalised {
		if !t.hasColumn(f.Name) {
			out = append(out, f)
		}
	}
	for _, c := range t.Columns {
		typ := store.FieldType(c.Type)
		if len(c.Tags) == 1 && c.Tags[0] == "@tags" {
			typ = store.FieldJSON
		}
		out = append(out, store.Field{Name: c.Name, Type: typ, Description: c.Description})
	}
	return out
}

// Element is what columns are derived from: an element's identity and tags.
type Element struct {
	Type      string // node, way, relation
	ID        int64
	Version   int
	Timestamp string
	Tags      map[string]string
}

// Ref is the element as OSM names it: node/123.
func (e Element) Ref() string { return e.Type + "/" + strconv.FormatInt(e.ID, 10) }

// Properties derives the theme's columns from e. fix is told about values that could not be converted.
func (t *Theme) Properties(e Element, fix func(what string)) []store.Property {
	e.Tags = validTags(e.Tags, fix)
	props := make([]store.Property, 0, len(normalised)+len(t.Columns))
	for _, f := range normalised {
		if t.hasColumn(f.Name) {
			continue
		}
		var v any
		switch f.Name {
		case "id":
			if e.Type != "" && e.ID != 0 {
				v = e.Ref()
			}
		case "name":
			for _, tag := range []string{"name", "official_name"} {
				if s := strings.TrimSpace(e.Tags[tag]); s != "" {
					v = s
					break
				}
			}
		case "kind":
			v = t.Title
		case "url":
			if e.Type != "" && e.ID != 0 {
				v = "https://www.openstreetmap.org/" + e.Ref()
			}
		}
		props = append(props, store.Property{Key: f.Name, Value: v})
	}
	for _, c := range t.Columns {
		props = append(props, store.Property{Key: c.Name, Value: c.value(e, fix)})
	}
	return props
}

// textFix is the report's line for text that was not UTF-8 (charset's rule).
const textFix = "text not valid UTF-8 read as Windows-1252"

// validTags returns tags with every key and value that is not UTF-8 read as Windows-1252 (a PBF's string
// table or a CSV export may hold any bytes), telling fix about each; tags itself when all are UTF-8.
func validTags(tags map[string]string, fix func(string)) map[string]string {
	var out map[string]string
	for k, v := range tags {
		dk, bad1 := charset.DecodeString(k, nil)
		dv, bad2 := charset.DecodeString(v, nil)
		if !bad1 && !bad2 {
			continue
		}
		if out == nil {
			out = maps.Clone(tags)
		}
		delete(out, k)
		out[dk] = dv
		fix(textFix)
	}
	if out == nil {
		return tags
	}
	return out
}

func (c Column) value(e Element, fix func(string)) any {
	raw := ""
	for _, tag := range c.Tags {
		switch tag {
		case "@id":
			if e.Type != "" {
				raw = e.Ref()
			}
		case "@type":
			raw = e.Type
		case "@osm_id":
			if e.ID != 0 {
				return e.ID
			}
		case "@version":
			if e.Version != 0 {
				return int64(e.Version)
			}
		case "@timestamp":
			raw = e.Timestamp
		case "@tags":
			if len(e.Tags) == 0 {
				return nil
			}
			b, _ := json.Marshal(e.Tags) // a map of strings always marshals; keys sorted
			return json.RawMessage(b)
		default:
			raw = strings.TrimSpace(e.Tags[tag])
		}
		if raw != "" {
			break
		}
	}
	if raw == "" {
		return nil
	}
	if m, ok := c.Map[raw]; ok {
		raw = m
	}
	switch store.FieldType(c.Type) {
	case store.FieldInteger:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			fix(fmt.Sprintf("column %s: %q is not an integer: left empty", c.Name, raw))
			return nil
		}
		return n
	case store.FieldReal:
		f, err := strconv.ParseFloat(strings.Replace(raw, ",", ".", 1), 64)
		if err != nil {
			fix(fmt.Sprintf("column %s: %q is not a number: left empty", c.Name, raw))
			return nil
		}
		return f
	case store.FieldBoolean:
		switch strings.ToLower(raw) {
		case "yes", "true", "1", "oui":
			return true
		case "no", "false", "0", "non":
			return false
		}
		fix(fmt.Sprintf("column %s: %q is neither yes nor no: left empty", c.Name, raw))
		return nil
	case store.FieldDate:
		if d, ok := normaliseDate(raw); ok {
			return d
		}
		fix(fmt.Sprintf("column %s: %q is not a date (YYYY-MM-DD, YYYY-MM or YYYY): left empty", c.Name, raw))
		return nil
	}
	return raw
}

// normaliseDate accepts the forms OSM uses for dates: YYYY-MM-DD, YYYY-MM and YYYY (kept at that precision, as
// text), and DD/MM/YYYY, which French contributors also type.
func normaliseDate(s string) (string, bool) {
	digits := func(s string) bool {
		for _, r := range s {
			if r < '0' || r > '9' {
				return false
			}
		}
		return s != ""
	}
	switch {
	case len(s) == 10 && s[4] == '-' && s[7] == '-' && digits(s[:4]) && digits(s[5:7]) && digits(s[8:]):
		return s, true
	case len(s) == 7 && s[4] == '-' && digits(s[:4]) && digits(s[5:]):
		return s, true
	case len(s) == 4 && digits(s):
		return s, true
	case len(s) == 10 && s[2] == '/' && s[5] == '/' && digits(s[:2]) && digits(s[3:5]) && digits(s[6:]):
		return s[6:] + "-" + s[3:5] + "-" + s[:2], true
	}
	return "", false
}
