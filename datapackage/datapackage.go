// Package datapackage writes a dataset as a Frictionless data package (v1): a zip holding its CSV download,
// the CSV's Table Schema and a datapackage.json that carries the licences, sources, contributors and the
// dataset's fiche descriptive. It streams: the CSV is never held in memory.
package datapackage

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"time"

	"github.com/patrimap/patrimap/encode"
	"github.com/patrimap/patrimap/sheet"
	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/tableschema"
)

// Suffix is the data package's download suffix: /datasets/{id}.datapackage.zip.
const Suffix = ".datapackage.zip"

// MediaType of the zip.
const MediaType = "application/zip"

// Descriptor is datapackage.json.
type Descriptor struct {
	Profile      string        `json:"profile"`
	Name         string        `json:"name"`
	Title        string        `json:"title,omitempty"`
	Description  string        `json:"description,omitempty"`
	Homepage     string        `json:"homepage,omitempty"`
	Version      string        `json:"version,omitempty"`
	Created      string        `json:"created,omitempty"`
	Keywords     []string      `json:"keywords,omitempty"`
	Licenses     []License     `json:"licenses,omitempty"`
	Sources      []Source      `json:"sources,omitempty"`
	Contributors []Contributor `json:"contributors,omitempty"`
	Resources    []Resource    `json:"resources"`
	// Sheet is the dataset's whole fiche descriptive (a custom property: the specification allows them).
	Sheet *sheet.Sheet `json:"sheet,omitempty"`
}

// License is a licence of the package.
type License struct {
	Name  string `json:"name,omitempty"`
	Path  string `json:"path,omitempty"`
	Title string `json:"title,omitempty"`
}

// Source is where the data came from.
type Source struct {
	Title string `json:"title"`
	Path  string `json:"path,omitempty"`
	Email string `json:"email,omitempty"`
}

// Contributor is a person or organisation behind the package.
type Contributor struct {
	Title string `json:"title"`
	Path  string `json:"path,omitempty"`
	Email string `json:"email,omitempty"`
	Role  string `json:"role,omitempty"` // author, publisher, maintainer, wrangler, contributor
}

// Resource is the package's table.
type Resource struct {
	Profile   string         `json:"profile"`
	Name      string         `json:"name"`
	Path      string         `json:"path"`
	Title     string         `json:"title,omitempty"`
	Format    string         `json:"format"`
	MediaType string         `json:"mediatype"`
	Encoding  string         `json:"encoding"`
	Bytes     int64          `json:"bytes"`
	Hash      string         `json:"hash"`
	Dialect   map[string]any `json:"dialect"`
	Schema    string         `json:"schema"`
}

// spdx are the licences' identifiers, for the package's "name" of a licence.
var spdx = map[string]string{
	"https://www.etalab.gouv.fr/licence-ouverte-open-licence/": "etalab-2.0",
	"http://opendatacommons.org/licenses/odbl/1-0/":            "ODbL-1.0",
	"https://creativecommons.org/licenses/by/4.0/":             "CC-BY-4.0",
	"https://creativecommons.org/licenses/by-sa/4.0/":          "CC-BY-SA-4.0",
	"https://creativecommons.org/publicdomain/zero/1.0/":       "CC0-1.0",
}

// Write writes the data package of d to w: <id>.csv (the CSV download, comma-separated with a WKT geometry
// column), schema.json and datapackage.json. landing is the dataset's page, for the package's homepage.
func Write(ctx context.Context, w io.Writer, r tableschema.FeatureReader, d store.Dataset, s sheet.Sheet, schema *tableschema.Schema, landing string) error {
	zw := zip.NewWriter(w)
	modified := d.ImportedAt
	if modified.IsZero() {
		modified = time.Now()
	}
	csvName := d.ID + ".csv"
	f, err := zw.CreateHeader(&zip.FileHeader{Name: csvName, Method: zip.Deflate, Modified: modified})
	if err != nil {
		return err
	}
	cw := &counter{w: f, h: sha256.New()}
	enc := encode.NewCSVWriter(cw, d.Fields, encode.CSVOptions{})
	if err := enc.Begin(d.Title); err != nil {
		return err
	}
	if err := r.Features(ctx, d, store.Query{}, enc.Write); err != nil {
		return fmt.Errorf("data package of %s: %w", d.ID, err)
	}
	if err := enc.End(); err != nil {
		return err
	}
	schemaJSON, err := schema.Marshal()
	if err != nil {
		return err
	}
	if err := writeFile(zw, "schema.json", schemaJSON, modified); err != nil {
		return err
	}
	desc := Describe(d, s, landing)
	desc.Resources = []Resource{{
		Profile: "tabular-data-resource", Name: d.ID, Path: csvName, Title: s.Title, Format: "csv", MediaType: "text/csv",
		Encoding: "utf-8", Bytes: cw.n, Hash: "sha256:" + hex.EncodeToString(cw.h.Sum(nil)), Schema: "schema.json",
		Dialect: map[string]any{"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": "\"", "doubleQuote": true, "header": true},
	}}
	js, err := json.MarshalIndent(desc, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFile(zw, "datapackage.json", append(js, '\n'), modified); err != nil {
		return err
	}
	return zw.Close()
}

// Describe is the package's descriptor without its resources: what the sheet says, in Frictionless terms.
func Describe(d store.Dataset, s sheet.Sheet, landing string) Descriptor {
	desc := Descriptor{Profile: "tabular-data-package", Name: d.ID, Title: s.Title, Description: s.Description,
		Homepage: landing, Version: s.Version, Keywords: s.Keywords, Sheet: &s}
	if !d.ImportedAt.IsZero() {
		desc.Created = d.ImportedAt.UTC().Format(time.RFC3339)
	}
	if s.Licence != "" {
		l := License{Name: spdx[s.Licence], Path: s.Licence, Title: s.LicenceTitle()}
		desc.Licenses = append(desc.Licenses, l)
	}
	src := Source{Title: orDefault(s.Creator.Name, d.Producer), Path: s.Provenance.SourceURL}
	if src.Path == "" && s.Creator.URL != "" {
		src.Path = s.Creator.URL
	}
	if src.Title != "" {
		desc.Sources = append(desc.Sources, src)
	}
	if s.Creator.Name != "" {
		desc.Contributors = append(desc.Contributors, Contributor{Title: s.Creator.Name, Path: s.Creator.URL, Role: "author"})
	}
	if s.Publisher.Name != "" && s.Publisher != s.Creator {
		desc.Contributors = append(desc.Contributors, Contributor{Title: s.Publisher.Name, Path: s.Publisher.URL, Email: s.Publisher.Email, Role: "publisher"})
	}
	if s.Contact.Email != "" {
		desc.Contributors = append(desc.Contributors, Contributor{Title: orDefault(s.Contact.Name, s.Contact.Email), Email: s.Contact.Email, Path: s.Contact.URL, Role: "maintainer"})
	}
	desc.Contributors = append(desc.Contributors, Contributor{Title: "patrimap", Path: "https://github.com/patrimap/patrimap", Role: "wrangler"})
	return desc
}

func writeFile(zw *zip.Writer, name string, data []byte, modified time.Time) error {
	f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: modified})
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	return err
}

// counter counts and hashes what goes through it.
type counter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	return n, err
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
