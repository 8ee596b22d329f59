// Package dcat describes patrimap's datasets as a DCAT-AP 3.0 catalogue with the GeoDCAT-AP spatial
// properties, the form data.gouv.fr's and CKAN's (ckanext-dcat) harvesters read: one dcat:Dataset per dataset
// with its fiche descriptive, every download as a dcat:Distribution (licence, IANA media type, EU file type),
// the OGC API and the vector tiles as dcat:DataService, pages linked the Hydra way.
//
// URIs are built from the public base URL it is given, never from a request. It reads no store and speaks no
// HTTP: the server hands it the datasets and their sheets.
package dcat

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/rdf"
	"github.com/patrimap/patrimap/sheet"
	"github.com/patrimap/patrimap/store"
)

// Download is a file the server makes of each dataset at /datasets/{id}{Suffix}.
type Download struct {
	Suffix    string // ".geojson"
	Title     string // "GeoJSON"
	MediaType string // IANA media type, without parameters
}

// Options are what every description needs.
type Options struct {
	Base      string        // public base URL, without trailing slash
	Catalogue sheet.Written // the catalogue's own sheet
	Downloads []Download
}

// Entry is a dataset and its sheet.
type Entry struct {
	Dataset store.Dataset
	Sheet   sheet.Sheet
}

// Page is one page of the catalogue.
type Page struct {
	Number, Size, Total int
	URL                 func(n int) string // the page's address, in the syntax being served
}

type builder struct {
	g      *rdf.Graph
	o      Options
	agents map[sheet.Agent]rdf.Term
	done   map[string]bool // concepts, schemes and documents already described
}

func newBuilder(o Options) *builder {
	return &builder{g: rdf.NewGraph(prefixes...), o: o, agents: map[sheet.Agent]rdf.Term{}, done: map[string]bool{}}
}

func (b *builder) add(s rdf.Term, p string, o rdf.Term) { b.g.Add(s, p, o) }

func (b *builder) a(s rdf.Term, classes ...string) {
	for _, c := range classes {
		b.add(s, rdf.RDF+"type", rdf.IRI(c))
	}
}

func fr(s string) rdf.Term { return rdf.LangString(s, "fr") }

// URIs of the things described.
func (b *builder) catalogueURI() string        { return b.o.Base + "/catalog" }
func (b *builder) datasetURI(id string) string { return b.o.Base + "/datasets/" + id + "#dataset" }
func (b *builder) landing(id string) string    { return b.o.Base + "/datasets/" + id }
func (b *builder) ogcService() string          { return b.o.Base + "/collections#service" }
func (b *builder) tiles(id string) string      { return b.o.Base + "/tiles/" + id + ".json" }

// SchemaURL is the address of a dataset's Table Schema, unless its sheet names a published one.
func SchemaURL(base string, s sheet.Sheet) string {
	if s.ConformsTo != "" {
		return s.ConformsTo
	}
	return base + "/datasets/" + s.ID + "/schema.json"
}

// Catalogue describes one page of the catalogue: the catalogue, the page's datasets with their distributions,
// and the data services serving them.
func Catalogue(o Options, entries []Entry, p Page) *rdf.Graph {
	b := newBuilder(o)
	c := rdf.IRI(b.catalogueURI())
	cs := o.Catalogue
	b.a(c, DCAT+"Catalog", HYDRA+"Collection")
	host := o.Base
	if u, err := url.Parse(o.Base); err == nil && u.Host != "" {
		host = u.Host
	}
	title := cs.Title
	if title == "" {
		title = "Patrimoine naturel et culturel – patrimap (" + host + ")"
	}
	b.add(c, DCT+"title", fr(title))
	desc := cs.Description
	if desc == "" {
		desc = fmt.Sprintf("Les %d jeux de données de patrimoine naturel et culturel publiés par patrimap sur %s : inventaires de l'INPN, listes du ministère de la Culture, thèmes OpenStreetMap.", p.Total, host)
	}
	b.add(c, DCT+"description", fr(desc))
	pub := sheet.Agent{Name: host, URL: o.Base + "/"}
	if cs.Publisher != nil && cs.Publisher.Name != "" {
		pub = *cs.Publisher
	}
	b.add(c, DCT+"publisher", b.agent(pub))
	home := o.Base + "/"
	if cs.Homepage != "" {
		home = cs.Homepage
	}
	b.add(c, FOAF+"homepage", b.document(home))
	b.add(c, DCT+"language", b.concept(mustConcept(sheet.Language(orDefault(cs.Language, "FRA"))), DCT+"LinguisticSystem"))
	b.add(c, DCT+"license", b.licence(orDefault(cs.Licence, sheet.Licences[0].URI)))
	b.add(c, DCT+"spatial", b.concept(sheet.France, DCT+"Location"))
	b.add(c, DCAT+"themeTaxonomy", b.scheme(sheet.DataThemeScheme))
	var modified time.Time
	for _, e := range entries {
		if e.Dataset.ImportedAt.After(modified) {
			modified = e.Dataset.ImportedAt
		}
	}
	if !modified.IsZero() {
		b.add(c, DCT+"modified", dateTime(modified))
	}
	if len(entries) > 0 {
		b.add(c, DCAT+"service", rdf.IRI(b.ogcService()))
	}
	for _, e := range entries {
		d := b.dataset(e)
		b.add(c, DCAT+"dataset", d)
		b.add(c, HYDRA+"member", d)
		b.add(c, DCAT+"service", rdf.IRI(b.tiles(e.Dataset.ID)+"#service"))
	}
	b.paging(c, p)
	return b.g
}

// Dataset describes one dataset alone, with its distributions and services.
func Dataset(o Options, e Entry) *rdf.Graph {
	b := newBuilder(o)
	b.dataset(e)
	return b.g
}

// paging links the page to the others as data.gouv.fr's harvester follows them (hydra:PartialCollectionView,
// hydra:next) and ckanext-dcat's does.
func (b *builder) paging(c rdf.Term, p Page) {
	if p.URL == nil {
		return
	}
	pages := 1
	if p.Size > 0 && p.Total > 0 {
		pages = (p.Total + p.Size - 1) / p.Size
	}
	b.add(c, HYDRA+"totalItems", rdf.Integer(int64(p.Total)))
	view := rdf.IRI(p.URL(p.Number))
	b.add(c, HYDRA+"view", view)
	b.a(view, HYDRA+"PartialCollectionView")
	b.add(view, HYDRA+"first", rdf.IRI(p.URL(1)))
	b.add(view, HYDRA+"last", rdf.IRI(p.URL(pages)))
	if p.Number > 1 {
		b.add(view, HYDRA+"previous", rdf.IRI(p.URL(min(p.Number-1, pages))))
	}
	if p.Number < pages {
		b.add(view, HYDRA+"next", rdf.IRI(p.URL(p.Number+1)))
	}
	b.add(view, HYDRA+"itemsPerPage", rdf.Integer(int64(p.Size)))
}

func (b *builder) dataset(e Entry) rdf.Term {
	s, d := e.Sheet, e.Dataset
	ds := rdf.IRI(b.datasetURI(d.ID))
	b.a(ds, DCAT+"Dataset")
	b.add(ds, DCT+"identifier", rdf.String(d.ID))
	b.add(ds, DCT+"title", fr(orDefault(s.Title, d.ID)))
	desc := s.Description
	if strings.TrimSpace(desc) == "" {
		// DCAT-AP requires a description: say what the catalogue knows.
		desc = fmt.Sprintf("%s : %d objets (%s), source %s.", orDefault(s.Title, d.ID), d.FeatureCount, orDefault(d.GeometryType, "sans géométrie"), orDefault(d.Producer, "inconnue"))
	}
	b.add(ds, DCT+"description", fr(desc))
	for _, k := range s.Keywords {
		b.add(ds, DCAT+"keyword", fr(k))
	}
	for _, t := range s.Themes {
		if c, ok := sheet.DataTheme(t); ok {
			b.add(ds, DCAT+"theme", b.concept(c, SKOS+"Concept"))
		}
	}
	for _, t := range s.InspireThemes {
		if c, ok := sheet.InspireTheme(t); ok {
			b.add(ds, DCAT+"theme", b.concept(c, SKOS+"Concept"))
		}
	}
	if s.Publisher.Name != "" {
		b.add(ds, DCT+"publisher", b.agent(s.Publisher))
	}
	if s.Creator.Name != "" {
		b.add(ds, DCT+"creator", b.agent(s.Creator))
	}
	if cp := b.contact(s.Contact); cp != nil {
		b.add(ds, DCAT+"contactPoint", *cp)
	}
	if c, ok := sheet.AccessRight(s.AccessRights); ok {
		b.add(ds, DCT+"accessRights", b.concept(c, DCT+"RightsStatement"))
	}
	if c, ok := sheet.Frequency(s.Periodicity); ok {
		b.add(ds, DCT+"accrualPeriodicity", b.concept(c, DCT+"Frequency"))
	}
	if c, ok := sheet.Language(s.Language); ok {
		b.add(ds, DCT+"language", b.concept(c, DCT+"LinguisticSystem"))
	}
	b.add(ds, DCT+"spatial", b.concept(sheet.France, DCT+"Location"))
	if loc := b.location(s); loc != nil {
		b.add(ds, DCT+"spatial", *loc)
	}
	if s.Temporal.Start != "" || s.Temporal.End != "" {
		pt := b.g.NewBlank()
		b.a(pt, DCT+"PeriodOfTime")
		if s.Temporal.Start != "" {
			b.add(pt, DCAT+"startDate", date(s.Temporal.Start))
		}
		if s.Temporal.End != "" {
			b.add(pt, DCAT+"endDate", date(s.Temporal.End))
		}
		b.add(ds, DCT+"temporal", pt)
	}
	if s.Issued != "" {
		b.add(ds, DCT+"issued", date(s.Issued))
	}
	if !d.ImportedAt.IsZero() {
		b.add(ds, DCT+"modified", dateTime(d.ImportedAt))
	}
	if s.Version != "" {
		b.add(ds, DCAT+"version", rdf.String(s.Version))
	}
	b.add(ds, DCAT+"landingPage", b.document(b.landing(d.ID)))
	schema := b.standard(SchemaURL(b.o.Base, s), "Table Schema : "+orDefault(s.Title, d.ID))
	b.add(ds, DCT+"conformsTo", schema)
	if text := provenance(s); text != "" {
		pv := b.g.NewBlank()
		b.a(pv, DCT+"ProvenanceStatement")
		b.add(pv, rdf.RDFS+"label", fr(text))
		b.add(ds, DCT+"provenance", pv)
	}
	for _, dl := range b.o.Downloads {
		b.add(ds, DCAT+"distribution", b.download(e, dl, schema))
	}
	b.add(ds, DCAT+"distribution", b.ogcDistribution(e))
	b.add(ds, DCAT+"distribution", b.tileDistribution(e))
	return ds
}

func provenance(s sheet.Sheet) string {
	var parts []string
	src := s.Provenance.SourceURL
	if src == "" {
		src = s.Provenance.File
	}
	if src != "" {
		line := "Source : " + src
		if s.Provenance.SHA256 != "" {
			line += " (SHA-256 " + s.Provenance.SHA256 + ")"
		}
		if !s.Provenance.RetrievedAt.IsZero() {
			line += ", récupérée le " + s.Provenance.RetrievedAt.UTC().Format("2006-01-02")
		}
		parts = append(parts, line+".")
	}
	parts = append(parts, s.Provenance.Lineage...)
	if s.Attribution != "" {
		parts = append(parts, "Attribution : "+s.Attribution)
	}
	return strings.Join(parts, "\n")
}

// distribution describes what every distribution of a dataset shares: title, licence, dates, availability.
func (b *builder) distribution(e Entry, uri, title, description string) rdf.Term {
	dist := rdf.IRI(uri)
	b.a(dist, DCAT+"Distribution")
	b.add(dist, DCT+"title", fr(title))
	b.add(dist, DCT+"description", fr(description))
	if e.Sheet.Licence != "" {
		b.add(dist, DCT+"license", b.licence(e.Sheet.Licence))
	}
	if !e.Dataset.ImportedAt.IsZero() {
		b.add(dist, DCT+"modified", dateTime(e.Dataset.ImportedAt))
	}
	b.add(dist, DCATAP+"availability", b.concept(sheet.Concept{Code: "AVAILABLE", URI: availabilityScheme + "/AVAILABLE",
		Scheme: availabilityScheme, EN: "available", FR: "disponible"}, SKOS+"Concept"))
	return dist
}

func (b *builder) download(e Entry, dl Download, schema rdf.Term) rdf.Term {
	id := e.Dataset.ID
	u := b.o.Base + "/datasets/" + id + dl.Suffix
	title := orDefault(e.Sheet.Title, id) + " (" + dl.Title + ")"
	desc := "Le jeu de données entier au format " + dl.Title + ", coordonnées WGS84 (EPSG:4326), à jour de la dernière importation."
	if dl.Suffix == ".datapackage.zip" {
		desc = "Data package Frictionless : le CSV, son Table Schema et datapackage.json (licences, sources, fiche descriptive)."
	}
	dist := b.distribution(e, u+"#distribution", title, desc)
	b.add(dist, DCT+"identifier", rdf.String(id+dl.Suffix))
	b.add(dist, DCAT+"accessURL", rdf.IRI(u))
	b.add(dist, DCAT+"downloadURL", rdf.IRI(u))
	if dl.MediaType != "" {
		mt := rdf.IRI(IANA + dl.MediaType)
		b.a(mt, DCT+"MediaType")
		b.add(dist, DCAT+"mediaType", mt)
	}
	if code, ok := fileTypes[dl.Suffix]; ok {
		b.add(dist, DCT+"format", b.fileType(code))
	}
	if dl.Suffix == ".csv" {
		b.add(dist, DCT+"conformsTo", schema)
	}
	return dist
}

// ogcDistribution is the dataset as an OGC API – Features collection, served by the server's one OGC API.
func (b *builder) ogcDistribution(e Entry) rdf.Term {
	id := e.Dataset.ID
	u := b.o.Base + "/collections/" + id
	dist := b.distribution(e, u+"#distribution", orDefault(e.Sheet.Title, id)+" (OGC API – Features)",
		"La collection "+id+" de l'API OGC API – Features : objets en GeoJSON, par pages, filtres par emprise et par propriétés (CQL2). QGIS l'ouvre comme couche WFS / OGC API – Features.")
	b.add(dist, DCAT+"accessURL", rdf.IRI(u))
	mt := rdf.IRI(IANA + "application/geo+json")
	b.a(mt, DCT+"MediaType")
	b.add(dist, DCAT+"mediaType", mt)
	b.add(dist, DCT+"format", b.fileType("GEOJSON"))
	svc := rdf.IRI(b.ogcService())
	b.add(dist, DCAT+"accessService", svc)
	if !b.done[svc.Value] {
		b.done[svc.Value] = true
		b.a(svc, DCAT+"DataService")
		b.add(svc, DCT+"title", fr("OGC API – Features de patrimap"))
		b.add(svc, DCT+"description", fr("Les jeux de données servis comme collections OGC API – Features (GeoJSON, pagination, filtres CQL2)."))
		b.add(svc, DCAT+"endpointURL", rdf.IRI(b.o.Base+"/"))
		b.add(svc, DCAT+"endpointDescription", rdf.IRI(b.o.Base+"/api"))
		b.add(svc, DCT+"conformsTo", b.standard(ogcFeaturesCore, "OGC API – Features – Part 1: Core"))
		b.add(svc, DCT+"conformsTo", b.standard(ogcFeaturesGeoJSON, "OGC API – Features – Part 1: GeoJSON"))
		b.add(svc, DCAT+"keyword", fr("OGC API – Features"))
		b.add(svc, DCAT+"theme", b.concept(mustConcept(sheet.DataTheme("ENVI")), SKOS+"Concept"))
		b.serviceParties(svc, e.Sheet)
	}
	b.add(svc, DCAT+"servesDataset", rdf.IRI(b.datasetURI(id)))
	return dist
}

// tileDistribution is the dataset as vector tiles, described by its TileJSON.
func (b *builder) tileDistribution(e Entry) rdf.Term {
	id := e.Dataset.ID
	u := b.tiles(id)
	dist := b.distribution(e, u+"#distribution", orDefault(e.Sheet.Title, id)+" (tuiles vectorielles)",
		"Tuiles vectorielles Mapbox Vector Tile du jeu de données, généralisées par niveau de zoom ; le TileJSON donne leur adresse (MapLibre, QGIS).")
	b.add(dist, DCAT+"accessURL", rdf.IRI(u))
	mt := rdf.IRI(IANA + mvtMediaType)
	b.a(mt, DCT+"MediaType")
	b.add(dist, DCAT+"mediaType", mt)
	svc := rdf.IRI(u + "#service")
	b.add(dist, DCAT+"accessService", svc)
	b.a(svc, DCAT+"DataService")
	b.add(svc, DCT+"title", fr("Tuiles vectorielles : "+orDefault(e.Sheet.Title, id)))
	b.add(svc, DCT+"description", fr("Tuiles Mapbox Vector Tile de "+id+", décrites par leur TileJSON."))
	b.add(svc, DCAT+"endpointURL", rdf.IRI(u))
	b.add(svc, DCAT+"endpointDescription", rdf.IRI(u))
	b.add(svc, DCT+"conformsTo", b.standard(tileJSONSpec, "TileJSON 3.0.0"))
	b.add(svc, DCT+"conformsTo", b.standard(mvtSpec, "Mapbox Vector Tile Specification 2.1"))
	b.add(svc, DCAT+"keyword", fr("tuiles vectorielles"))
	for _, t := range e.Sheet.Themes {
		if c, ok := sheet.DataTheme(t); ok {
			b.add(svc, DCAT+"theme", b.concept(c, SKOS+"Concept"))
		}
	}
	b.serviceParties(svc, e.Sheet)
	if e.Sheet.Licence != "" {
		b.add(svc, DCT+"license", b.licence(e.Sheet.Licence))
	}
	b.add(svc, DCAT+"servesDataset", rdf.IRI(b.datasetURI(id)))
	return dist
}

// serviceParties names who publishes a service and whom to contact: the catalogue's, else the dataset's.
func (b *builder) serviceParties(svc rdf.Term, s sheet.Sheet) {
	pub, contact := s.Publisher, s.Contact
	if c := b.o.Catalogue; c.Publisher != nil && c.Publisher.Name != "" {
		pub = *c.Publisher
	}
	if c := b.o.Catalogue; c.Contact != nil && c.Contact.Email != "" {
		contact = *c.Contact
	}
	if pub.Name != "" {
		b.add(svc, DCT+"publisher", b.agent(pub))
	}
	if cp := b.contact(contact); cp != nil {
		b.add(svc, DCAT+"contactPoint", *cp)
	}
	b.add(svc, DCT+"accessRights", b.concept(mustConcept(sheet.AccessRight("PUBLIC")), DCT+"RightsStatement"))
}

// agent describes an organisation once per graph.
func (b *builder) agent(a sheet.Agent) rdf.Term {
	if t, ok := b.agents[a]; ok {
		return t
	}
	// An IRI of the catalogue's own: DCAT-AP's vocabulary shapes want agents named by IRIs.
	t := rdf.IRI(b.catalogueURI() + "#agent-" + slug(a.Name))
	if b.done[t.Value] {
		t = b.g.NewBlank() // two agents of one name but different details
	}
	b.done[t.Value] = true
	b.agents[a] = t
	b.a(t, FOAF+"Agent", FOAF+"Organization")
	b.add(t, FOAF+"name", rdf.String(a.Name))
	if a.URL != "" {
		b.add(t, FOAF+"homepage", b.document(a.URL))
	}
	if a.Email != "" {
		b.add(t, FOAF+"mbox", rdf.IRI("mailto:"+a.Email))
	}
	if c, ok := sheet.PublisherType(a.Type); ok {
		b.add(t, DCT+"type", b.concept(c, SKOS+"Concept"))
	}
	return t
}

func (b *builder) contact(c sheet.Contact) *rdf.Term {
	if c.Email == "" && c.URL == "" {
		return nil
	}
	t := b.g.NewBlank()
	b.a(t, VCARD+"Kind", VCARD+"Organization")
	b.add(t, VCARD+"fn", rdf.String(orDefault(c.Name, c.Email)))
	if c.Email != "" {
		b.add(t, VCARD+"hasEmail", rdf.IRI("mailto:"+c.Email))
	}
	if c.URL != "" {
		b.add(t, VCARD+"hasURL", rdf.IRI(c.URL))
	}
	return &t
}

// concept describes a controlled vocabulary's entry once: its classes, labels and scheme.
func (b *builder) concept(c sheet.Concept, classes ...string) rdf.Term {
	t := rdf.IRI(c.URI)
	b.a(t, classes...)
	if !b.done[c.URI] {
		b.done[c.URI] = true
		for _, cl := range classes {
			if cl == SKOS+"Concept" {
				if c.FR != "" {
					b.add(t, SKOS+"prefLabel", fr(c.FR))
				}
				if c.EN != "" {
					b.add(t, SKOS+"prefLabel", rdf.LangString(c.EN, "en"))
				}
			}
		}
		b.add(t, SKOS+"inScheme", b.scheme(c.Scheme))
	}
	return t
}

func (b *builder) scheme(uri string) rdf.Term {
	t := rdf.IRI(uri)
	if !b.done[uri] {
		b.done[uri] = true
		b.a(t, SKOS+"ConceptScheme")
		title := sheet.SchemeTitles[uri]
		if title == "" {
			title = uri[strings.LastIndex(uri, "/")+1:]
		}
		b.add(t, DCT+"title", rdf.LangString(title, "en"))
	}
	return t
}

// fileType is an entry of the EU file type vocabulary.
func (b *builder) fileType(code string) rdf.Term {
	ft := rdf.IRI(fileTypeScheme + "/" + code)
	b.a(ft, DCT+"MediaTypeOrExtent")
	b.add(ft, SKOS+"inScheme", b.scheme(fileTypeScheme))
	return ft
}

// slug makes a name fit in an IRI fragment: lower-case ASCII letters and digits joined by hyphens.
func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(sheet.FoldAccents(name)) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	if b.Len() == 0 {
		return "x"
	}
	return b.String()
}

func (b *builder) document(uri string) rdf.Term {
	t := rdf.IRI(uri)
	b.a(t, FOAF+"Document")
	return t
}

func (b *builder) standard(uri, title string) rdf.Term {
	t := rdf.IRI(uri)
	b.a(t, DCT+"Standard")
	b.add(t, DCT+"title", rdf.String(title))
	return t
}

// licence describes a licence with the title data.gouv.fr and CKAN match, and its ADMS types.
func (b *builder) licence(uri string) rdf.Term {
	t := rdf.IRI(uri)
	if b.done[uri] {
		return t
	}
	b.done[uri] = true
	b.a(t, DCT+"LicenseDocument")
	if l, ok := sheet.LicenceByName(uri); ok {
		b.add(t, DCT+"title", rdf.String(l.Title))
		b.add(t, rdf.RDFS+"label", rdf.String(l.Title))
		for _, typ := range l.Types {
			c := sheet.Concept{Code: typ, URI: sheet.LicenceTypeURI(typ), Scheme: sheet.LicenceTypeScheme, EN: typ}
			b.add(t, DCT+"type", b.concept(c, SKOS+"Concept"))
		}
	}
	return t
}

// location is the dataset's spatial coverage in GeoDCAT-AP's form: its territory's name, its bounding box as
// WKT (locn:geometry and dcat:bbox) and its centre.
func (b *builder) location(s sheet.Sheet) *rdf.Term {
	if s.BBox == nil {
		return nil
	}
	t := rdf.IRI(b.landing(s.ID) + "#extent")
	b.a(t, DCT+"Location")
	label := "Emprise du jeu de données"
	if s.Territory.Name != "" {
		label = s.Territory.Name + " (" + s.Territory.Code + ")"
	} else if s.Territory.Code != "" {
		label = s.Territory.Code
	}
	b.add(t, SKOS+"prefLabel", fr(label))
	poly := bboxWKT(*s.BBox)
	b.add(t, LOCN+"geometry", rdf.Typed(poly, GSP+"wktLiteral"))
	b.add(t, DCAT+"bbox", rdf.Typed(poly, GSP+"wktLiteral"))
	c := s.BBox.Center()
	b.add(t, DCAT+"centroid", rdf.Typed("POINT("+num(c[0])+" "+num(c[1])+")", GSP+"wktLiteral"))
	return &t
}

func bboxWKT(bb orb.Bound) string {
	w, s, e, n := num(bb.Min[0]), num(bb.Min[1]), num(bb.Max[0]), num(bb.Max[1])
	return "POLYGON((" + w + " " + s + "," + e + " " + s + "," + e + " " + n + "," + w + " " + n + "," + w + " " + s + "))"
}

func num(v float64) string { return strconv.FormatFloat(math.Round(v*1e6)/1e6, 'f', -1, 64) }

// date types a sheet's date by its form: YYYY, YYYY-MM or YYYY-MM-DD.
func date(s string) rdf.Term {
	switch len(s) {
	case 4:
		return rdf.Typed(s, rdf.XSD+"gYear")
	case 7:
		return rdf.Typed(s, rdf.XSD+"gYearMonth")
	}
	return rdf.Typed(s, rdf.XSD+"date")
}

func dateTime(t time.Time) rdf.Term {
	return rdf.Typed(t.UTC().Truncate(time.Second).Format("2006-01-02T15:04:05Z"), rdf.XSD+"dateTime")
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

func mustConcept(c sheet.Concept, ok bool) sheet.Concept {
	if !ok {
		panic("dcat: a vocabulary entry patrimap names itself is missing: " + c.Code)
	}
	return c
}
