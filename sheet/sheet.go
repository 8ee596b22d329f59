// Package sheet is a dataset's fiche descriptive: what a portal needs to publish it (title, description,
// keywords, themes, publisher, contact, licence, update frequency, coverage, provenance...). A sheet is what the
// importer knew about the dataset, refreshed at every import and derived here from its catalogue entry, overlaid
// with what a person wrote (patrimap describe), which is kept apart and survives re-imports.
//
// The package reads and writes no file format but the person's part (JSON or YAML); it does not speak HTTP nor
// RDF (package dcat turns sheets into a DCAT catalogue).
package sheet

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/store"
)

// Agent is an organisation that publishes or creates data.
type Agent struct {
	Name  string `json:"name,omitempty" yaml:"name,omitempty"`
	URL   string `json:"url,omitempty" yaml:"url,omitempty"`
	Email string `json:"email,omitempty" yaml:"email,omitempty"`
	// Type is an ADMS publisher type: LocalAuthority, NationalAuthority...
	Type string `json:"type,omitempty" yaml:"type,omitempty"`
}

// Contact is whom to write to about the dataset.
type Contact struct {
	Name  string `json:"name,omitempty" yaml:"name,omitempty"`
	Email string `json:"email,omitempty" yaml:"email,omitempty"`
	URL   string `json:"url,omitempty" yaml:"url,omitempty"`
}

// Period is a temporal coverage: ISO 8601 dates (YYYY-MM-DD, YYYY-MM or YYYY), either end may be open.
type Period struct {
	Start string `json:"start,omitempty" yaml:"start,omitempty"`
	End   string `json:"end,omitempty" yaml:"end,omitempty"`
}

// Territory is the area the dataset covers, as patrimap's --territory names it (epci:246300701).
type Territory struct {
	Code string `json:"code,omitempty" yaml:"code,omitempty"`
	Name string `json:"name,omitempty" yaml:"name,omitempty"`
}

// Provenance says where the data came from.
type Provenance struct {
	SourceURL   string    `json:"source_url,omitempty"`
	File        string    `json:"file,omitempty"`
	SHA256      string    `json:"sha256,omitempty"`
	RetrievedAt time.Time `json:"retrieved_at,omitzero"`
	// Lineage is what the import did to the source: its fixes and skipped records, counted.
	Lineage []string `json:"lineage,omitempty"`
}

// Sheet is a dataset's whole fiche descriptive.
type Sheet struct {
	ID            string      `json:"id"`
	Title         string      `json:"title"`
	Description   string      `json:"description"` // Markdown
	Keywords      []string    `json:"keywords"`
	Themes        []string    `json:"themes"`         // EU data themes: ENVI, EDUC
	InspireThemes []string    `json:"inspire_themes"` // INSPIRE themes: ps
	Publisher     Agent       `json:"publisher"`
	Creator       Agent       `json:"creator"`
	Contact       Contact     `json:"contact"`
	Licence       string      `json:"licence"`       // URI
	AccessRights  string      `json:"access_rights"` // EU access right: PUBLIC
	Periodicity   string      `json:"periodicity"`   // EU frequency: ANNUAL
	Territory     Territory   `json:"territory"`
	BBox          *orb.Bound  `json:"-"`
	Temporal      Period      `json:"temporal"`
	Issued        string      `json:"issued,omitempty"`     // ISO date
	Modified      time.Time   `json:"modified"`             // the current version's import
	ConformsTo    string      `json:"conforms_to"`          // a Table Schema URL; empty: the dataset's own schema
	Language      string      `json:"language"`             // EU language code: FRA
	Version       string      `json:"version"`              // the person's, else patrimap's version number
	Attribution   string      `json:"attribution"`          // what reusers must show
	Provenance    Provenance  `json:"provenance"`           // from the import
	Family        string      `json:"family"`               // inpn, culture, osm or other: where the defaults came from
	Validation    *Validation `json:"validation,omitempty"` // the last `patrimap validate`
}

// Validation is the summary of the last validation of the dataset against a Table Schema.
type Validation struct {
	Schema string         `json:"schema"`
	At     time.Time      `json:"at"`
	Valid  bool           `json:"valid"`
	Rows   int64          `json:"rows"`
	Errors map[string]int `json:"errors,omitempty"` // by kind: type, pattern, enum, required, unique, missing-column...
}

// LicenceTitle is the licence's name as portals know it, or its URI.
func (s *Sheet) LicenceTitle() string {
	if l, ok := LicenceByName(s.Licence); ok {
		return l.Title
	}
	return s.Licence
}

// Compose builds the sheet of dataset d: the family's defaults, the catalogue's own (its publisher), then
// what a person wrote about d, and its last validation.
func Compose(d store.Dataset, rec Record, catalogue Written) Sheet {
	s := defaults(d)
	if catalogue.Publisher != nil && catalogue.Publisher.Name != "" {
		s.Publisher = *catalogue.Publisher
	}
	if catalogue.Contact != nil && catalogue.Contact.Email != "" {
		s.Contact = *catalogue.Contact
	}
	rec.Written.overlay(&s)
	s.Validation = rec.Validation
	return s
}

// defaults is what patrimap knows of d from its catalogue entry and its family.
func defaults(d store.Dataset) Sheet {
	f := familyOf(d)
	s := Sheet{
		ID: d.ID, Title: d.Title, Description: d.Description, Attribution: d.Attribution,
		Keywords: f.keywords(d), Themes: f.themes, InspireThemes: f.inspire(d),
		Creator: f.creator(d), AccessRights: "PUBLIC", Language: "FRA", BBox: d.BBox,
		Modified: d.ImportedAt, Version: strconv.FormatInt(d.Version, 10), Family: f.name,
		Provenance: Provenance{SourceURL: d.Source.URL, File: d.Source.File, SHA256: d.Source.SHA256,
			RetrievedAt: d.Source.RetrievedAt, Lineage: lineage(d.Report)},
	}
	s.Publisher = s.Creator
	if l, ok := LicenceByName(d.Licence); ok {
		s.Licence = l.URI
	} else if f.licence != "" {
		s.Licence = f.licence
	} else if strings.HasPrefix(d.Licence, "http://") || strings.HasPrefix(d.Licence, "https://") {
		s.Licence = d.Licence
	}
	return s
}

// lineage reads what the import fixed and skipped from its report (kept as JSON by the catalogue).
func lineage(report json.RawMessage) []string {
	var r struct {
		Source   string `json:"source"`
		Format   string `json:"format"`
		Read     int64  `json:"read"`
		Written  int64  `json:"written"`
		Repaired int64  `json:"repaired"`
		Fixes    []struct {
			What string `json:"what"`
			N    int64  `json:"n"`
		} `json:"fixes"`
		Skipped []struct {
			What string `json:"what"`
			N    int64  `json:"n"`
		} `json:"skipped"`
	}
	if len(report) == 0 || json.Unmarshal(report, &r) != nil || r.Read == 0 && r.Written == 0 {
		return nil
	}
	out := []string{fmt.Sprintf("imported by patrimap from %s (%s): %d records read, %d written", r.Source, r.Format, r.Read, r.Written)}
	for _, f := range r.Fixes {
		out = append(out, fmt.Sprintf("fixed: %s: %d", f.What, f.N))
	}
	for _, f := range r.Skipped {
		out = append(out, fmt.Sprintf("skipped: %s: %d", f.What, f.N))
	}
	return out
}
