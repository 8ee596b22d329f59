// Package tableschema reads, writes and checks Frictionless Table Schemas (v1, the format of
// schema.data.gouv.fr): it describes a dataset's CSV download as a schema (Generate) and validates a table's rows
// against any schema the way validata does, counting the errors by column, by kind and by row (Validator).
//
// It works on the CSV text users download (encode.CSVWriter's), never on the store's typed values, so that what
// it says holds for the file a portal or a person receives.
package tableschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
)

// Profile is the URL of the Table Schema specification, for a schema's "$schema".
const Profile = "https://frictionlessdata.io/schemas/table-schema.json"

// Schema is a Table Schema.
type Schema struct {
	Profile     string  `json:"$schema,omitempty"`
	Name        string  `json:"name,omitempty"`
	Title       string  `json:"title,omitempty"`
	Description string  `json:"description,omitempty"`
	Fields      []Field `json:"fields"`
	// PrimaryKey is written as a string when it has one field, as the published schemas do.
	PrimaryKey    []string `json:"-"`
	MissingValues []string `json:"missingValues,omitempty"`
}

// Field is one column of a table.
type Field struct {
	Name        string      `json:"name"`
	Title       string      `json:"title,omitempty"`
	Description string      `json:"description,omitempty"`
	Type        string      `json:"type,omitempty"` // string when empty
	Format      string      `json:"format,omitempty"`
	Example     any         `json:"example,omitempty"`
	Constraints Constraints `json:"constraints,omitzero"`
	TrueValues  []string    `json:"trueValues,omitempty"`
	FalseValues []string    `json:"falseValues,omitempty"`
	DecimalChar string      `json:"decimalChar,omitempty"`
	GroupChar   string      `json:"groupChar,omitempty"`
	BareNumber  *bool       `json:"bareNumber,omitempty"`
}

// Constraints restrict a field's values.
type Constraints struct {
	Required  bool   `json:"required,omitempty"`
	Unique    bool   `json:"unique,omitempty"`
	Pattern   string `json:"pattern,omitempty"`
	Enum      []any  `json:"enum,omitempty"`
	Minimum   any    `json:"minimum,omitempty"`
	Maximum   any    `json:"maximum,omitempty"`
	MinLength *int   `json:"minLength,omitempty"`
	MaxLength *int   `json:"maxLength,omitempty"`
}

// Types are the Table Schema v1 field types.
var Types = []string{"string", "number", "integer", "boolean", "object", "array", "date", "time", "datetime",
	"year", "yearmonth", "duration", "geopoint", "geojson", "any"}

// Field returns the field named name.
func (s *Schema) Field(name string) (Field, bool) {
	for _, f := range s.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

type schemaJSON Schema

// MarshalJSON writes the primary key as published schemas do: a string for one field, else an array.
func (s Schema) MarshalJSON() ([]byte, error) {
	type out struct {
		schemaJSON
		PrimaryKey any `json:"primaryKey,omitempty"`
	}
	o := out{schemaJSON: schemaJSON(s)}
	switch len(s.PrimaryKey) {
	case 0:
	case 1:
		o.PrimaryKey = s.PrimaryKey[0]
	default:
		o.PrimaryKey = s.PrimaryKey
	}
	return json.Marshal(o)
}

// UnmarshalJSON reads a primary key given as a string or as an array.
func (s *Schema) UnmarshalJSON(data []byte) error {
	var in struct {
		schemaJSON
		PrimaryKey json.RawMessage `json:"primaryKey"`
	}
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	*s = Schema(in.schemaJSON)
	pk := bytes.TrimSpace(in.PrimaryKey)
	switch {
	case len(pk) == 0 || string(pk) == "null":
	case pk[0] == '"':
		var one string
		if err := json.Unmarshal(pk, &one); err != nil {
			return fmt.Errorf("primaryKey: %w", err)
		}
		s.PrimaryKey = []string{one}
	default:
		if err := json.Unmarshal(pk, &s.PrimaryKey); err != nil {
			return fmt.Errorf("primaryKey: a field name or a list of them: %w", err)
		}
	}
	return nil
}

// MaxSchemaSize caps a schema file: the largest of schema.data.gouv.fr are a few hundred KB.
const MaxSchemaSize = 8 << 20

// Parse reads a Table Schema and checks that it can be used: fields named once, known types and formats,
// patterns that compile, a primary key made of its fields. A JSON Schema (schema.data.gouv.fr also publishes
// some, for GeoJSON files) is refused with a message saying so.
func Parse(data []byte) (*Schema, error) {
	if len(data) > MaxSchemaSize {
		return nil, fmt.Errorf("schema: %d bytes: more than %d MiB, is this a schema?", len(data), MaxSchemaSize>>20)
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("schema: not a JSON object: %w", err)
	}
	if _, ok := probe["fields"]; !ok {
		for _, k := range []string{"properties", "allOf", "$ref", "oneOf", "anyOf"} {
			if _, ok := probe[k]; ok {
				return nil, fmt.Errorf("schema: this is a JSON Schema (it has %q and no \"fields\"), not a Table Schema: patrimap validates tables against Table Schemas (https://specs.frictionlessdata.io/table-schema/)", k)
			}
		}
		return nil, errors.New(`schema: no "fields": a Table Schema lists its columns in "fields"`)
	}
	var s Schema
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	if err := s.Check(); err != nil {
		return nil, err
	}
	return &s, nil
}

// Check reports what makes the schema unusable, every problem at once.
func (s *Schema) Check() error {
	var errs []error
	if len(s.Fields) == 0 {
		errs = append(errs, errors.New("schema: no field"))
	}
	seen := map[string]bool{}
	for i, f := range s.Fields {
		where := fmt.Sprintf("schema: field %d (%q)", i+1, f.Name)
		if f.Name == "" {
			errs = append(errs, fmt.Errorf("schema: field %d has no name", i+1))
		}
		if seen[f.Name] {
			errs = append(errs, fmt.Errorf("%s: named twice", where))
		}
		seen[f.Name] = true
		if _, err := newChecker(f); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
		}
	}
	for _, k := range s.PrimaryKey {
		if !seen[k] {
			errs = append(errs, fmt.Errorf("schema: primaryKey %q is not a field", k))
		}
	}
	return errors.Join(errs...)
}

// missing are the texts read as "no value": the schema's missingValues, [""] by default.
func (s *Schema) missing() map[string]bool {
	m := map[string]bool{}
	if s.MissingValues == nil {
		m[""] = true
	}
	for _, v := range s.MissingValues {
		m[v] = true
	}
	return m
}

// anchored compiles a Table Schema pattern: XML Schema regular expressions match the whole value (a pattern
// that anchors itself with ^ and $, as many published ones do, is unchanged by the extra anchors).
func anchored(p string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(`^(?:` + p + `)$`)
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w", p, err)
	}
	return re, nil
}
