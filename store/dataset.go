package store

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// Themes a dataset can belong to.
const (
	ThemeNatural  = "natural"
	ThemeCultural = "cultural"
	ThemeOSM      = "osm"
	ThemeOther    = "other"
)

// Field types, as the catalogue names them. Each store maps them to column types that GDAL and QGIS
// understand.
const (
	FieldText     FieldType = "text"
	FieldInteger  FieldType = "integer"
	FieldReal     FieldType = "real"
	FieldBoolean  FieldType = "boolean"
	FieldDate     FieldType = "date"     // ISO 8601 calendar date, held as text YYYY-MM-DD
	FieldDateTime FieldType = "datetime" // ISO 8601 date and time, held as text
	FieldJSON     FieldType = "json"     // a JSON object or array, held as text
)

// FieldType is the type of a dataset column.
type FieldType string

// Field is one attribute column of a dataset.
type Field struct {
	Name        string    `json:"name"`
	Type        FieldType `json:"type"`
	Description string    `json:"description,omitempty"`
}

// Source says where a dataset came from.
type Source struct {
	URL         string    `json:"url,omitempty"`
	File        string    `json:"file,omitempty"`
	SHA256      string    `json:"sha256,omitempty"`
	RetrievedAt time.Time `json:"retrieved_at"`
}

// DatasetInfo is what an importer says about a dataset: everything the catalogue keeps that is not measured
// from the data itself.
type DatasetInfo struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Theme       string `json:"theme"`
	Producer    string `json:"producer"`
	Licence     string `json:"licence,omitempty"`
	Attribution string `json:"attribution,omitempty"`
	Source      Source `json:"source"`
	SourceCRS   string `json:"source_crs,omitempty"`
}

// Dataset is one entry of the catalogue: a layer from one producer, and what patrimap measured of it.
type Dataset struct {
	DatasetInfo
	Table        string          `json:"table"`
	GeometryType string          `json:"geometry_type,omitempty"`
	FeatureCount int64           `json:"feature_count"`
	BBox         *orb.Bound      `json:"-"`
	Fields       []Field         `json:"fields"`
	Version      int64           `json:"version"`
	ImportedAt   time.Time       `json:"imported_at"`
	Report       json.RawMessage `json:"report,omitempty"`
}

// Field returns the field named name, case-sensitively, and whether it exists.
func (d *Dataset) Field(name string) (Field, bool) {
	for _, f := range d.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// fieldNames lists d's fields for an error message.
func fieldNames(d Dataset) string {
	names := make([]string, len(d.Fields))
	for i, f := range d.Fields {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ValidateID checks that id is a slug: lower-case letters, digits and single hyphens, at most 63 characters.
func ValidateID(id string) error {
	if len(id) == 0 || len(id) > 63 || !slugPattern.MatchString(id) {
		return fmt.Errorf("dataset id %q must be a slug: lower-case letters, digits and single hyphens (e.g. znieff1-isere), at most 63 characters", id)
	}
	return nil
}

// TableName is the table of dataset id in every store: its id with hyphens as underscores, so that every GIS
// tool accepts it unquoted. Ids have no underscores, so two ids never share a table.
func TableName(id string) string { return strings.ReplaceAll(id, "-", "_") }

// The pyramid: for each zoom from 0 to PyramidMaxZoom, a copy of a line or polygon layer's geometries drawn on
// that zoom's tile grid, made at import (Row.Pyramid) so that a tile need not simplify, snap and repair the
// full geometries each time. The grid is the vector tiles' (the tiles package checks that these are its own
// constants): PyramidExtent units a tile, simplified by Douglas-Peucker at PyramidTolerance units, sites
// smaller than PyramidMinSize units in both directions drawn as squares by the tiles.
const (
	// PyramidMaxZoom is the deepest zoom with a copy: above it tiles draw the full geometries, which the
	// grid then barely simplifies (and a national layer's tiles hold few sites each).
	PyramidMaxZoom   = 10
	PyramidExtent    = 4096
	PyramidTolerance = 4.0
	PyramidMinSize   = 16
)
