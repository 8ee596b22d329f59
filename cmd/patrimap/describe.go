package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/patrimap/patrimap/importers/territory"
	"github.com/patrimap/patrimap/sheet"
	"github.com/patrimap/patrimap/store"
)

func runDescribe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "describe", "describe (ID | --catalogue) [--title T] [--description TEXT] [--keywords a,b] [--contact-name N] [--contact-email E] [--periodicity P] [--from FILE.json|FILE.yaml] [flags]",
		`patrimap describe znieff1-clermont-auvergne-metropole --contact-email patrimoine@clermontmetropole.eu --periodicity annuelle --keywords ZNIEFF,biodiversité`)
	var w sheet.Written
	var keywords, themes, contactName, contactEmail, territorySpec, publisherName, publisherURL, publisherType string
	fs.StringVar(&w.Title, "title", "", "title")
	fs.StringVar(&w.Description, "description", "", "description (Markdown)")
	fs.StringVar(&keywords, "keywords", "", "keywords, separated by commas (they become data.gouv.fr tags)")
	fs.StringVar(&themes, "themes", "", "EU data themes, separated by commas: ENVI, EDUC, REGI...")
	fs.StringVar(&contactName, "contact-name", "", "contact point: a service's name")
	fs.StringVar(&contactEmail, "contact-email", "", "contact point: its e-mail address")
	fs.StringVar(&w.Periodicity, "periodicity", "", "update frequency: an EU code (ANNUAL, MONTHLY, IRREG...) or annuelle, mensuelle, irrégulière...")
	fs.StringVar(&w.Licence, "licence", "", "licence: its URI, or Licence Ouverte 2.0, ODbL, CC-BY-4.0...")
	fs.StringVar(&territorySpec, "territory", "", "the area covered, as import's --territory: epci:SIREN, dep:CODE, commune:INSEE")
	fs.StringVar(&publisherName, "publisher-name", "", "publisher: the organisation that publishes the data (with --catalogue: of every dataset)")
	fs.StringVar(&publisherURL, "publisher-url", "", "publisher: its website")
	fs.StringVar(&publisherType, "publisher-type", "", "publisher: an ADMS type (LocalAuthority, RegionalAuthority, NationalAuthority...)")
	fs.StringVar(&w.Issued, "issued", "", "date of first publication, YYYY-MM-DD")
	fs.StringVar(&w.ConformsTo, "conforms-to", "", "URL of the Table Schema the data follows (e.g. from schema.data.gouv.fr)")
	fs.StringVar(&w.Homepage, "homepage", "", "with --catalogue: the website the catalogue belongs to")
	from := fs.String("from", "", "read the sheet from a JSON or YAML `FILE` (the flags then override it)")
	catalogue := fs.Bool("catalogue", false, "describe the catalogue itself (its title, publisher and contact) rather than a dataset")
	asJSON := fs.Bool("json", false, "print the sheet and what is missing as JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *catalogue == (len(pos) == 1) || len(pos) > 1 {
		fs.Usage()
		return usageError{errors.New("describe: give one dataset ID, or --catalogue")}
	}
	if keywords != "" {
		w.Keywords = splitComma(keywords)
	}
	if themes != "" {
		w.Themes = splitComma(themes)
	}
	if contactName != "" || contactEmail != "" {
		w.Contact = &sheet.Contact{Name: contactName, Email: contactEmail}
	}
	if publisherName != "" || publisherURL != "" || publisherType != "" {
		w.Publisher = &sheet.Agent{Name: publisherName, URL: publisherURL, Type: publisherType}
	}
	if territorySpec != "" {
		t, err := territoryOf(territorySpec)
		if err != nil {
			return usageError{err}
		}
		w.Territory = &t
	}
	if err := w.Check(); err != nil {
		return usageError{fmt.Errorf("describe: %w", err)}
	}
	if *from != "" {
		fw, err := sheet.ReadFile(*from)
		if err != nil {
			return fmt.Errorf("describe --from: %w", err)
		}
		if fw.Territory != nil && fw.Territory.Code != "" && fw.Territory.Name == "" {
			if t, err := territoryOf(fw.Territory.Code); err == nil {
				fw.Territory = &t
			} else {
				return fmt.Errorf("describe --from %s: %w", *from, err)
			}
		}
		w = fw.Merge(w)
	}

	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	key := sheet.CatalogueKey
	var d store.Dataset
	if !*catalogue {
		key = pos[0]
		if d, err = store.Lookup(ctx, st, key); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("describe: no dataset %q in %s (patrimap datasets lists them)", key, e.dbName())
			}
			return err
		}
	}
	rec, err := sheet.Load(ctx, st, key)
	if err != nil {
		return err
	}
	if !isZero(w) {
		rec.Written = rec.Written.Merge(w)
		if err := sheet.Save(ctx, st, key, rec); err != nil {
			return err
		}
	}
	if *catalogue {
		return printCatalogueSheet(e.stdout, rec.Written, *asJSON)
	}
	cat, err := sheet.Load(ctx, st, sheet.CatalogueKey)
	if err != nil {
		return err
	}
	s := sheet.Compose(d, rec, cat.Written)
	gaps := sheet.Missing(s)
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"sheet": s, "missing": gaps, "publishable": sheet.Publishable(gaps)})
	}
	printSheet(e.stdout, s, gaps)
	return nil
}

func isZero(w sheet.Written) bool {
	b, _ := json.Marshal(w)
	return string(b) == "{}"
}

func splitComma(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// territoryOf checks a --territory value against the embedded official lists and names it.
func territoryOf(spec string) (sheet.Territory, error) {
	sp, err := territory.ParseSpec(spec)
	if err != nil {
		return sheet.Territory{}, err
	}
	ref, err := territory.LoadReference()
	if err != nil {
		return sheet.Territory{}, err
	}
	t, err := ref.Communes(sp)
	if err != nil {
		return sheet.Territory{}, err
	}
	return sheet.Territory{Code: sp.String(), Name: t.Name}, nil
}

func printSheet(w io.Writer, s sheet.Sheet, gaps []sheet.Gap) {
	line := func(label, v string) {
		if v == "" {
			v = "—"
		}
		fmt.Fprintf(w, "  %-16s %s\n", label, v)
	}
	label := func(c sheet.Concept, ok bool, code string) string {
		if !ok {
			return code
		}
		return c.Code + " (" + c.Label() + ")"
	}
	fmt.Fprintf(w, "%s\n", s.ID)
	line("title", s.Title)
	line("description", s.Description)
	line("keywords", strings.Join(s.Keywords, ", "))
	var themes []string
	for _, t := range s.Themes {
		c, ok := sheet.DataTheme(t)
		themes = append(themes, label(c, ok, t))
	}
	for _, t := range s.InspireThemes {
		c, ok := sheet.InspireTheme(t)
		themes = append(themes, "INSPIRE "+label(c, ok, t))
	}
	line("themes", strings.Join(themes, ", "))
	line("publisher", agentText(s.Publisher))
	line("creator", agentText(s.Creator))
	line("contact", strings.TrimSpace(s.Contact.Name+" <"+s.Contact.Email+">"))
	line("licence", s.LicenceTitle())
	f, ok := sheet.Frequency(s.Periodicity)
	if s.Periodicity == "" {
		line("periodicity", "")
	} else {
		line("periodicity", label(f, ok, s.Periodicity))
	}
	terr := s.Territory.Code
	if s.Territory.Name != "" {
		terr += " (" + s.Territory.Name + ")"
	}
	if s.BBox != nil {
		terr = strings.TrimSpace(terr + fmt.Sprintf(" extent %.5f,%.5f,%.5f,%.5f", s.BBox.Min[0], s.BBox.Min[1], s.BBox.Max[0], s.BBox.Max[1]))
	}
	line("spatial", terr)
	if s.Temporal.Start != "" || s.Temporal.End != "" {
		line("temporal", s.Temporal.Start+" / "+s.Temporal.End)
	} else {
		line("temporal", "")
	}
	line("issued", s.Issued)
	line("modified", s.Modified.UTC().Format("2006-01-02 15:04 UTC"))
	line("version", s.Version)
	line("language", s.Language)
	line("conforms to", s.ConformsTo)
	line("attribution", s.Attribution)
	src := s.Provenance.SourceURL
	if src == "" {
		src = s.Provenance.File
	}
	line("source", src)
	line("sha256", s.Provenance.SHA256)
	for i, l := range s.Provenance.Lineage {
		if i == 0 {
			line("lineage", l)
		} else {
			line("", l)
		}
	}
	if v := s.Validation; v != nil {
		verdict := "valid"
		if !v.Valid {
			verdict = "INVALID"
		}
		line("validation", fmt.Sprintf("%s against %s (%d rows, %s)", verdict, v.Schema, v.Rows, v.At.UTC().Format("2006-01-02")))
	}
	if len(gaps) == 0 {
		fmt.Fprintln(w, "\nNothing is missing for publication.")
		return
	}
	fmt.Fprintln(w, "\nMissing for publication:")
	for _, g := range gaps {
		fmt.Fprintf(w, "  %-11s %-17s %s (%s)\n", g.Level, g.Field, g.Why, g.Fix)
	}
	if sheet.Publishable(gaps) {
		fmt.Fprintln(w, "Nothing required is missing: the dataset can be harvested as it is.")
	}
}

func agentText(a sheet.Agent) string {
	s := a.Name
	if a.URL != "" {
		s += " " + a.URL
	}
	if c, ok := sheet.PublisherType(a.Type); ok {
		s += " (" + c.EN + ")"
	}
	return strings.TrimSpace(s)
}

func printCatalogueSheet(w io.Writer, c sheet.Written, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(c)
	}
	fmt.Fprintln(w, "catalogue")
	fmt.Fprintf(w, "  %-16s %s\n", "title", orDash(c.Title))
	fmt.Fprintf(w, "  %-16s %s\n", "description", orDash(c.Description))
	pub := sheet.Agent{}
	if c.Publisher != nil {
		pub = *c.Publisher
	}
	fmt.Fprintf(w, "  %-16s %s\n", "publisher", orDash(agentText(pub)))
	contact := ""
	if c.Contact != nil {
		contact = strings.TrimSpace(c.Contact.Name + " <" + c.Contact.Email + ">")
	}
	fmt.Fprintf(w, "  %-16s %s\n", "contact", orDash(contact))
	fmt.Fprintf(w, "  %-16s %s\n", "homepage", orDash(c.Homepage))
	if pub.Name == "" {
		fmt.Fprintln(w, "\nMissing: the catalogue's publisher (--publisher-name, --publisher-url, --publisher-type LocalAuthority): DCAT-AP requires it, and it is every dataset's publisher unless a dataset says otherwise.")
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
