package sheet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Written is what a person wrote about a dataset (or about the catalogue): every field is optional, and an
// empty one leaves the importer's value. Field names are those of describe --from files.
type Written struct {
	Title         string     `json:"title,omitempty" yaml:"title,omitempty"`
	Description   string     `json:"description,omitempty" yaml:"description,omitempty"`
	Keywords      []string   `json:"keywords,omitempty" yaml:"keywords,omitempty"`
	Themes        []string   `json:"themes,omitempty" yaml:"themes,omitempty"`
	InspireThemes []string   `json:"inspire_themes,omitempty" yaml:"inspire_themes,omitempty"`
	Publisher     *Agent     `json:"publisher,omitempty" yaml:"publisher,omitempty"`
	Creator       *Agent     `json:"creator,omitempty" yaml:"creator,omitempty"`
	Contact       *Contact   `json:"contact,omitempty" yaml:"contact,omitempty"`
	Licence       string     `json:"licence,omitempty" yaml:"licence,omitempty"`
	AccessRights  string     `json:"access_rights,omitempty" yaml:"access_rights,omitempty"`
	Periodicity   string     `json:"periodicity,omitempty" yaml:"periodicity,omitempty"`
	Territory     *Territory `json:"territory,omitempty" yaml:"territory,omitempty"`
	Temporal      *Period    `json:"temporal,omitempty" yaml:"temporal,omitempty"`
	Issued        string     `json:"issued,omitempty" yaml:"issued,omitempty"`
	ConformsTo    string     `json:"conforms_to,omitempty" yaml:"conforms_to,omitempty"`
	Language      string     `json:"language,omitempty" yaml:"language,omitempty"`
	Version       string     `json:"version,omitempty" yaml:"version,omitempty"`
	Attribution   string     `json:"attribution,omitempty" yaml:"attribution,omitempty"`
	Homepage      string     `json:"homepage,omitempty" yaml:"homepage,omitempty"` // the catalogue's only
}

// Merge returns w with what newer sets replacing it (an agent's or a contact's fields one by one).
func (w Written) Merge(newer Written) Written {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&w.Title, newer.Title)
	set(&w.Description, newer.Description)
	set(&w.Licence, newer.Licence)
	set(&w.AccessRights, newer.AccessRights)
	set(&w.Periodicity, newer.Periodicity)
	set(&w.Issued, newer.Issued)
	set(&w.ConformsTo, newer.ConformsTo)
	set(&w.Language, newer.Language)
	set(&w.Version, newer.Version)
	set(&w.Attribution, newer.Attribution)
	set(&w.Homepage, newer.Homepage)
	for _, l := range []struct{ dst, src *[]string }{{&w.Keywords, &newer.Keywords}, {&w.Themes, &newer.Themes}, {&w.InspireThemes, &newer.InspireThemes}} {
		if *l.src != nil {
			*l.dst = append([]string(nil), *l.src...)
		}
	}
	mergeAgent := func(dst **Agent, src *Agent) {
		if src == nil {
			return
		}
		a := Agent{}
		if *dst != nil {
			a = **dst
		}
		set(&a.Name, src.Name)
		set(&a.URL, src.URL)
		set(&a.Email, src.Email)
		set(&a.Type, src.Type)
		*dst = &a
	}
	mergeAgent(&w.Publisher, newer.Publisher)
	mergeAgent(&w.Creator, newer.Creator)
	if newer.Contact != nil {
		c := Contact{}
		if w.Contact != nil {
			c = *w.Contact
		}
		set(&c.Name, newer.Contact.Name)
		set(&c.Email, newer.Contact.Email)
		set(&c.URL, newer.Contact.URL)
		w.Contact = &c
	}
	if newer.Territory != nil {
		t := Territory{}
		if w.Territory != nil {
			t = *w.Territory
		}
		set(&t.Code, newer.Territory.Code)
		set(&t.Name, newer.Territory.Name)
		w.Territory = &t
	}
	if newer.Temporal != nil {
		p := Period{}
		if w.Temporal != nil {
			p = *w.Temporal
		}
		set(&p.Start, newer.Temporal.Start)
		set(&p.End, newer.Temporal.End)
		w.Temporal = &p
	}
	return w
}

// overlay writes what w sets onto s.
func (w Written) overlay(s *Sheet) {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&s.Title, w.Title)
	set(&s.Description, w.Description)
	set(&s.Licence, w.Licence)
	set(&s.AccessRights, w.AccessRights)
	set(&s.Periodicity, w.Periodicity)
	set(&s.Issued, w.Issued)
	set(&s.ConformsTo, w.ConformsTo)
	set(&s.Language, w.Language)
	set(&s.Version, w.Version)
	set(&s.Attribution, w.Attribution)
	if w.Keywords != nil {
		s.Keywords = w.Keywords
	}
	if w.Themes != nil {
		s.Themes = w.Themes
	}
	if w.InspireThemes != nil {
		s.InspireThemes = w.InspireThemes
	}
	if w.Publisher != nil {
		s.Publisher = *w.Publisher
	}
	if w.Creator != nil {
		s.Creator = *w.Creator
	}
	if w.Contact != nil {
		s.Contact = *w.Contact
	}
	if w.Territory != nil {
		s.Territory = *w.Territory
	}
	if w.Temporal != nil {
		s.Temporal = *w.Temporal
	}
}

var (
	isoDate      = regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2})?)?$`)
	territorySpc = regexp.MustCompile(`^(epci|dep|commune):[0-9A-Za-z,]+$`)
)

// Check normalises the codes w holds (annuelle → ANNUAL, fr → FRA, a licence's name → its URI) and reports
// every value that is wrong, with what to write instead.
func (w *Written) Check() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	// An empty list is a list not written: it is not kept (JSON omits it) and leaves the importer's.
	for _, l := range []*[]string{&w.Keywords, &w.Themes, &w.InspireThemes} {
		if len(*l) == 0 {
			*l = nil
		}
	}
	if w.Periodicity != "" {
		if c, ok := Frequency(w.Periodicity); ok {
			w.Periodicity = c.Code
		} else {
			bad("periodicity %q: use an EU frequency (%s) or a word such as annuelle, mensuelle, irrégulière", w.Periodicity, codes(frequencies))
		}
	}
	for i, t := range w.Themes {
		if c, ok := DataTheme(t); ok {
			w.Themes[i] = c.Code
		} else {
			bad("theme %q: use an EU data theme (%s)", t, codes(dataThemes))
		}
	}
	for i, t := range w.InspireThemes {
		if c, ok := InspireTheme(t); ok {
			w.InspireThemes[i] = c.Code
		} else {
			bad("INSPIRE theme %q: use an INSPIRE theme code (%s)", t, codes(inspireThemes))
		}
	}
	if w.Licence != "" {
		if l, ok := LicenceByName(w.Licence); ok {
			w.Licence = l.URI
		} else if !isHTTP(w.Licence) {
			bad("licence %q: give its URI (https://...) or one of Licence Ouverte 2.0, ODbL, CC-BY-4.0, CC-BY-SA-4.0, CC0", w.Licence)
		}
	}
	if w.AccessRights != "" {
		if c, ok := AccessRight(w.AccessRights); ok {
			w.AccessRights = c.Code
		} else {
			bad("access_rights %q: use %s", w.AccessRights, codes(accessRights))
		}
	}
	if w.Language != "" {
		if c, ok := Language(w.Language); ok {
			w.Language = c.Code
		} else {
			bad("language %q: use fr, en or an EU language code (%s)", w.Language, codes(languages))
		}
	}
	for _, a := range []struct {
		what string
		a    *Agent
	}{{"publisher", w.Publisher}, {"creator", w.Creator}} {
		if a.a == nil {
			continue
		}
		if a.a.URL != "" && !isHTTP(a.a.URL) {
			bad("%s url %q: give an http:// or https:// address", a.what, a.a.URL)
		}
		if a.a.Email != "" && !isEmail(a.a.Email) {
			bad("%s email %q is not an e-mail address", a.what, a.a.Email)
		}
		if a.a.Type != "" {
			if _, ok := PublisherType(a.a.Type); !ok {
				bad("%s type %q: use an ADMS publisher type (%s)", a.what, a.a.Type, codes(publisherTypes))
			}
		}
	}
	if c := w.Contact; c != nil {
		c.Email = strings.TrimPrefix(strings.TrimSpace(c.Email), "mailto:")
		if c.Email != "" && !isEmail(c.Email) {
			bad("contact email %q is not an e-mail address", c.Email)
		}
		if c.URL != "" && !isHTTP(c.URL) {
			bad("contact url %q: give an http:// or https:// address", c.URL)
		}
	}
	if t := w.Territory; t != nil && t.Code != "" && !territorySpc.MatchString(t.Code) {
		bad("territory %q: write it as --territory does: epci:SIREN, dep:CODE or commune:INSEE[,INSEE...]", t.Code)
	}
	if p := w.Temporal; p != nil {
		for _, d := range []string{p.Start, p.End} {
			if d != "" && !isoDate.MatchString(d) {
				bad("temporal coverage %q: write dates as YYYY-MM-DD, YYYY-MM or YYYY", d)
			}
		}
		if p.Start != "" && p.End != "" && p.End < p.Start {
			bad("temporal coverage ends (%s) before it starts (%s)", p.End, p.Start)
		}
	}
	if w.Issued != "" && !isoDate.MatchString(w.Issued) {
		bad("issued %q: write a date as YYYY-MM-DD", w.Issued)
	}
	for _, u := range []struct{ what, v string }{{"conforms_to", w.ConformsTo}, {"homepage", w.Homepage}} {
		if u.v != "" && !isHTTP(u.v) {
			bad("%s %q: give an http:// or https:// address", u.what, u.v)
		}
	}
	for i, k := range w.Keywords {
		w.Keywords[i] = strings.TrimSpace(k)
		if w.Keywords[i] == "" {
			bad("keyword %d is empty", i+1)
		}
	}
	return errors.Join(errs...)
}

func isHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && !strings.ContainsAny(s, " <>\"")
}

func isEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && !strings.ContainsAny(s, "<> ")
}

// maxFile caps a describe --from file: a sheet is a page of text.
const maxFile = 1 << 20

// ReadFile reads a person's sheet from a JSON or YAML file (by its extension, else by its first character).
// Unknown fields are refused, naming the field, so that a typo is not silently ignored.
func ReadFile(path string) (Written, error) {
	f, err := os.Open(path)
	if err != nil {
		return Written{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	if err != nil {
		return Written{}, fmt.Errorf("%s: %w", path, err)
	}
	if len(data) > maxFile {
		return Written{}, fmt.Errorf("%s: more than 1 MiB: a sheet is a page of text; is this the right file?", path)
	}
	ext := strings.ToLower(filepath.Ext(path))
	asYAML := ext == ".yaml" || ext == ".yml" || (ext != ".json" && !bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")))
	w, err := Parse(data, asYAML)
	if err != nil {
		return Written{}, fmt.Errorf("%s: %w", path, err)
	}
	return w, nil
}

// Parse reads a sheet written as JSON, or YAML when asYAML, and checks it.
func Parse(data []byte, asYAML bool) (Written, error) {
	var w Written
	if asYAML {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&w); err != nil && !errors.Is(err, io.EOF) {
			return Written{}, fmt.Errorf("YAML: %w (fields: title, description, keywords, themes, inspire_themes, publisher, creator, contact, licence, access_rights, periodicity, territory, temporal, issued, conforms_to, language, version, attribution)", err)
		}
	} else {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&w); err != nil {
			return Written{}, fmt.Errorf("JSON: %w (fields: title, description, keywords, themes, inspire_themes, publisher, creator, contact, licence, access_rights, periodicity, territory, temporal, issued, conforms_to, language, version, attribution)", err)
		}
		if dec.More() {
			return Written{}, errors.New("JSON: more than one object")
		}
	}
	if err := w.Check(); err != nil {
		return Written{}, err
	}
	return w, nil
}

// Kind is the kind under which a store keeps sheets (store.Memo): apart from the datasets, so that a re-import
// never touches what a person wrote.
const Kind = "sheet"

// Reader reads kept documents (every store.Store is one).
type Reader interface {
	Recall(ctx context.Context, kind, key string) ([]byte, bool, error)
	RecallAll(ctx context.Context, kind string) (map[string][]byte, error)
}

// Keeper reads and keeps documents (every store.Store is one).
type Keeper interface {
	Reader
	Remember(ctx context.Context, kind, key string, value []byte) error
}

// CatalogueKey is the key of the catalogue's own sheet: never a dataset id (ids have no underscore).
const CatalogueKey = "_catalogue"

// Record is what is kept for a dataset: the person's part of its sheet and its last validation.
type Record struct {
	Written    Written     `json:"written"`
	Validation *Validation `json:"validation,omitempty"`
	UpdatedAt  time.Time   `json:"updated_at,omitzero"`
}

// Load reads the record kept under key; a key never saved gives an empty record.
func Load(ctx context.Context, k Reader, key string) (Record, error) {
	doc, ok, err := k.Recall(ctx, Kind, key)
	if err != nil || !ok {
		return Record{}, err
	}
	return decodeRecord(key, doc)
}

// LoadAll reads every record, by key.
func LoadAll(ctx context.Context, k Reader) (map[string]Record, error) {
	docs, err := k.RecallAll(ctx, Kind)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Record, len(docs))
	for key, doc := range docs {
		r, err := decodeRecord(key, doc)
		if err != nil {
			return nil, err
		}
		out[key] = r
	}
	return out, nil
}

func decodeRecord(key string, doc []byte) (Record, error) {
	var r Record
	if err := json.Unmarshal(doc, &r); err != nil {
		return Record{}, fmt.Errorf("sheet of %s: stored document is broken: %w", key, err)
	}
	return r, nil
}

// Save keeps r under key.
func Save(ctx context.Context, k Keeper, key string, r Record) error {
	r.UpdatedAt = time.Now().UTC()
	doc, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return k.Remember(ctx, Kind, key, doc)
}
