package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/patrimap/patrimap/datapackage"
	"github.com/patrimap/patrimap/dcat"
	"github.com/patrimap/patrimap/rdf"
	"github.com/patrimap/patrimap/sheet"
	"github.com/patrimap/patrimap/store"
)

// The DCAT-AP catalogue that data.gouv.fr and CKAN harvest: /catalog (by content negotiation), /catalog.ttl,
// /catalog.jsonld, /catalog.rdf, paged with ?page=N&page_size=M; one dataset's description at
// /datasets/{id}.ttl (.jsonld, .rdf).

// rdfSyntax is one way of writing the catalogue.
type rdfSyntax struct {
	ext, mediaType string
	write          func(*rdf.Graph, io.Writer) error
}

var rdfSyntaxes = []rdfSyntax{
	{".ttl", rdf.TurtleType, (*rdf.Graph).WriteTurtle},
	{".jsonld", rdf.JSONLDType, (*rdf.Graph).WriteJSONLD},
	{".rdf", rdf.RDFXMLType, (*rdf.Graph).WriteRDFXML},
}

const (
	catalogueDefaultPageSize = 100
	catalogueMaxPageSize     = 1000
)

func (s *Server) routesCatalogue(get func(string, echo.HandlerFunc)) {
	get("/catalog", func(c echo.Context) error { return s.dcatCatalogue(c, acceptedSyntax(c)) })
	for _, syn := range rdfSyntaxes {
		get("/catalog"+syn.ext, func(c echo.Context) error { return s.dcatCatalogue(c, syn) })
	}
	get("/datasets/:id/schema.json", s.schema)
}

// acceptedSyntax picks the syntax the Accept header prefers (data.gouv.fr's harvester and CKAN's send one);
// Turtle when it names none.
func acceptedSyntax(c echo.Context) rdfSyntax {
	c.Response().Header().Add("Vary", "Accept")
	best, bestQ := rdfSyntaxes[0], 0.0
	for _, part := range strings.Split(c.Request().Header.Get("Accept"), ",") {
		mt, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		var syn *rdfSyntax
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case "text/turtle", "application/x-turtle":
			syn = &rdfSyntaxes[0]
		case "application/ld+json", "application/json":
			syn = &rdfSyntaxes[1]
		case "application/rdf+xml", "application/xml", "text/xml":
			syn = &rdfSyntaxes[2]
		}
		if syn != nil && q > bestQ {
			best, bestQ = *syn, q
		}
	}
	return best
}

// stableBase is the configured public base URL, or a 503 saying how to give one: URIs minted from a request's
// Host would change with the name a harvester used.
func (s *Server) stableBase(c echo.Context) (string, error) {
	base, stable := s.resolveBase(c)
	if !stable {
		return "", echo.NewHTTPError(http.StatusServiceUnavailable,
			"the DCAT catalogue needs the server's public address for its URIs: start it with patrimap serve --base-url https://your.public.address")
	}
	return base, nil
}

func (s *Server) dcatOptions(base string, cat sheet.Written) dcat.Options {
	o := dcat.Options{Base: base, Catalogue: cat}
	for _, dl := range downloads {
		mt, _, _ := strings.Cut(dl.MIME, ";")
		o.Downloads = append(o.Downloads, dcat.Download{Suffix: dl.Suffix, Title: dl.Title, MediaType: strings.TrimSpace(mt)})
	}
	o.Downloads = append(o.Downloads, dcat.Download{Suffix: datapackage.Suffix, Title: "Data package (CSV, Table Schema)", MediaType: datapackage.MediaType})
	return o
}

// entries composes the sheets of ds.
func (s *Server) entries(ctx context.Context, ds []store.Dataset) ([]dcat.Entry, sheet.Written, error) {
	recs, err := sheet.LoadAll(ctx, s.store)
	if err != nil {
		return nil, sheet.Written{}, err
	}
	cat := recs[sheet.CatalogueKey].Written
	out := make([]dcat.Entry, len(ds))
	for i, d := range ds {
		out[i] = dcat.Entry{Dataset: d, Sheet: sheet.Compose(d, recs[d.ID], cat)}
	}
	return out, cat, nil
}

func (s *Server) dcatCatalogue(c echo.Context, syn rdfSyntax) error {
	for name := range c.QueryParams() {
		if name != "page" && name != "page_size" {
			return badRequest(fmt.Sprintf("unknown parameter %q: the catalogue takes page and page_size", name))
		}
	}
	page, err := intParam(c, "page", 1, 1, 1<<30)
	if err != nil {
		return err
	}
	size, err := intParam(c, "page_size", catalogueDefaultPageSize, 1, catalogueMaxPageSize)
	if err != nil {
		return err
	}
	base, err := s.stableBase(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	ds, err := s.catalogue(ctx)
	if err != nil {
		return err
	}
	// Harvesters page by position: a stable order (by id) keeps each dataset on one page.
	sort.Slice(ds, func(i, j int) bool { return ds[i].ID < ds[j].ID })
	total := len(ds)
	from := (page - 1) * size
	if from >= total && page > 1 {
		return echo.NewHTTPError(http.StatusNotFound, fmt.Sprintf("no page %d: the catalogue has %d datasets, %d a page", page, total, size))
	}
	ds = ds[from:min(from+size, total)]
	entries, cat, err := s.entries(ctx, ds)
	if err != nil {
		return err
	}
	pageURL := func(n int) string {
		return fmt.Sprintf("%s/catalog%s?page=%d&page_size=%d", base, syn.ext, n, size)
	}
	g := dcat.Catalogue(s.dcatOptions(base, cat), entries, dcat.Page{Number: page, Size: size, Total: total, URL: pageURL})
	return s.writeGraph(c, g, syn)
}

// datasetDCAT answers /datasets/{id}.ttl, .jsonld and .rdf: the dataset's entry in the catalogue.
func (s *Server) datasetDCAT(c echo.Context, id string, syn rdfSyntax) error {
	if err := store.ValidateID(id); err != nil {
		return echo.NewHTTPError(http.StatusNotFound, err.Error())
	}
	base, err := s.stableBase(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	d, err := s.lookup(ctx, id)
	if err != nil {
		return err
	}
	entries, cat, err := s.entries(ctx, []store.Dataset{d})
	if err != nil {
		return err
	}
	return s.writeGraph(c, dcat.Dataset(s.dcatOptions(base, cat), entries[0]), syn)
}

func (s *Server) writeGraph(c echo.Context, g *rdf.Graph, syn rdfSyntax) error {
	var buf bytes.Buffer
	if err := syn.write(g, &buf); err != nil {
		return err
	}
	sum := sha256.Sum256(buf.Bytes())
	if checkETag(c, `"dcat-`+hex.EncodeToString(sum[:12])+`"`, time.Time{}) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, syn.mediaType, buf.Bytes())
}

func intParam(c echo.Context, name string, def, lo, hi int) (int, error) {
	raw := c.QueryParam(name)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < lo || n > hi {
		return 0, badRequest(fmt.Sprintf("%s=%s: give a whole number from %d to %d", name, raw, lo, hi))
	}
	return n, nil
}
