package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/patrimap/patrimap/encode"
	"github.com/patrimap/patrimap/store"
)

// OGC API – Features: patrimap's datasets are the collections. The API lives at the root, so that
// `ogrinfo OAPIF:http://host:8080/` and QGIS's "Add WFS / OGC API – Features layer" find it as it is.

const (
	formatJSON = "json"
	formatHTML = "html"
)

// conformance lists the conformance classes patrimap implements; each has tests (server/ogcapi_test.go).
var conformance = []string{
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
	"http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
	"http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
	"http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
	"http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
	"http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
}

func (s *Server) routesOGC(get func(string, echo.HandlerFunc)) {
	get("/conformance", s.conformance)
	get("/collections", s.collections)
	get("/collections/:id", s.collectionPage)
	get("/collections/:id/items", s.items)
	get("/collections/:id/items/:featureId", s.item)
	get("/collections/:id/queryables", s.queryables)
	get("/api", s.openAPI)
}

func formatType(f string) string {
	if f == formatHTML {
		return "text/html"
	}
	return "application/json"
}

// negotiate picks JSON or HTML: f= first, then the Accept header (browsers ask for text/html), JSON otherwise.
func negotiate(c echo.Context) (string, error) {
	switch f := c.QueryParam("f"); f {
	case "json", "geojson", "application/json", "application/geo+json":
		return formatJSON, nil
	case "html", "text/html":
		return formatHTML, nil
	case "":
	default:
		return "", badRequest(fmt.Sprintf("f=%s: the formats are f=json and f=html", f))
	}
	c.Response().Header().Add("Vary", "Accept")
	accept := c.Request().Header.Get("Accept")
	html, js := strings.Index(accept, "text/html"), strings.Index(accept, "json")
	if html >= 0 && (js < 0 || html < js) {
		return formatHTML, nil
	}
	return formatJSON, nil
}

// How JSON columns (arrays and objects: Mérimée's protection_events, insee_codes) are written over OGC API.
// QGIS's OGC API provider (3.22 to at least 3.40) reads each page with GDAL's GeoJSON driver, which makes an
// array of objects a JSON string field; QGIS then converts it to the JSON field type it took from the first
// page, fails, and shows NULL (protection_events: NULL in 327 of 327). QGIS builds the /items URLs itself and
// sends no parameter patrimap could key on; it names itself in its User-Agent ("Mozilla/5.0 QGIS/32216"). So:
//
//   - json=native writes the columns as JSON (arrays, objects), json=text as their JSON text in a string;
//   - without json=, a client whose User-Agent names QGIS gets text, any other (GDAL's OAPIF driver, browsers,
//     the web map) JSON. The queryables declare what the same request would get: a string of JSON text
//     (contentMediaType application/json) or an array or object. The GeoJSON download is always JSON.
const (
	jsonNative = "native"
	jsonText   = "text"
)

// jsonAsText tells whether this OGC API request gets JSON columns as text (see above).
func jsonAsText(c echo.Context) (bool, error) {
	switch v := c.QueryParam("json"); v {
	case jsonText:
		return true, nil
	case jsonNative:
		return false, nil
	case "":
	default:
		return false, badRequest(fmt.Sprintf("json=%s: JSON columns are written as JSON with json=native, as JSON text in a string with json=text", v))
	}
	c.Response().Header().Add("Vary", "User-Agent")
	return strings.Contains(c.Request().UserAgent(), "QGIS/"), nil
}

// representation names, for validators, the format of a response and how its JSON columns are written.
func representation(format string, asText bool) string {
	if asText && format == formatJSON {
		return format + "-jsontext"
	}
	return format
}

// openCollection is the start of every /collections/{id} handler: a read snapshot (the caller closes it), the
// collection as of that snapshot, and the format asked for.
func (s *Server) openCollection(c echo.Context) (store.Snapshot, store.Dataset, string, error) {
	format, err := negotiate(c)
	if err != nil {
		return nil, store.Dataset{}, "", err
	}
	sn, err := s.store.Snapshot(c.Request().Context())
	if err != nil {
		return nil, store.Dataset{}, "", err
	}
	d, err := s.collection(c, sn)
	if err != nil {
		sn.Close()
		return nil, store.Dataset{}, "", err
	}
	return sn, d, format, nil
}

// openDataset is the start of a handler that reads one dataset: a read snapshot (the caller closes it) and the
// dataset as of that snapshot. The snapshot is closed when the dataset cannot be read (ErrNotFound: a 404).
func (s *Server) openDataset(ctx context.Context, id string) (store.Snapshot, store.Dataset, error) {
	sn, err := s.store.Snapshot(ctx)
	if err != nil {
		return nil, store.Dataset{}, err
	}
	d, err := sn.Dataset(ctx, id)
	if err != nil {
		sn.Close()
		return nil, store.Dataset{}, err
	}
	return sn, d, nil
}

// collection reads the :id collection from the snapshot.
func (s *Server) collection(c echo.Context, sn store.Snapshot) (store.Dataset, error) {
	id := c.Param("id")
	if err := store.ValidateID(id); err != nil {
		return store.Dataset{}, echo.NewHTTPError(http.StatusNotFound, fmt.Sprintf("no collection %q: GET /collections lists them", id))
	}
	d, err := sn.Dataset(c.Request().Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return d, echo.NewHTTPError(http.StatusNotFound, fmt.Sprintf("no collection %q: GET /collections lists them", id))
	}
	return d, err // a broken store is a 500, not a missing collection
}

// notModifiedAs sets the validators of a response built from dataset d in format and says whether the client's
// copy is current. The ETag names the format: one URL serves JSON and HTML by Accept.
func notModifiedAs(c echo.Context, d store.Dataset, format string) bool {
	return checkETag(c, fmt.Sprintf(`W/"%s-v%d-%s"`, d.ID, d.Version, format), d.ImportedAt)
}

func checkETag(c echo.Context, etag string, modified time.Time) bool {
	h := c.Response().Header()
	h.Set("ETag", etag)
	if !modified.IsZero() {
		h.Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
	}
	h.Set("Cache-Control", "no-cache") // always revalidate: a re-import must show at once
	if inm := c.Request().Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			if t = strings.TrimSpace(t); t == "*" || strings.TrimPrefix(t, "W/") == strings.TrimPrefix(etag, "W/") {
				return true
			}
		}
	}
	return false
}

// catalogueETag changes whenever a dataset is added, removed or re-imported.
func catalogueETag(ds []store.Dataset, format string) string {
	h := sha256.New()
	for _, d := range ds {
		fmt.Fprintf(h, "%s:%d;", d.ID, d.Version)
	}
	return `W/"catalogue-` + hex.EncodeToString(h.Sum(nil))[:16] + "-" + format + `"`
}

func (s *Server) landing(c echo.Context) error {
	format, err := negotiate(c)
	if err != nil {
		return err
	}
	if format == formatHTML {
		// A browser gets the web map; its page links to the API.
		return s.staticFile("index.html")(c)
	}
	ds, err := s.catalogue(c.Request().Context())
	if err != nil {
		return err
	}
	if checkETag(c, catalogueETag(ds, format), time.Time{}) {
		return c.NoContent(http.StatusNotModified)
	}
	b := s.baseURL(c)
	return c.JSON(http.StatusOK, map[string]any{
		"title":       "patrimap",
		"description": "Natural and cultural heritage layers of French territories, as OGC API – Features collections.",
		"links": []link{
			{Href: b + "/?f=json", Rel: "self", Type: "application/json", Title: "this document"},
			{Href: b + "/", Rel: "alternate", Type: "text/html", Title: "the web map"},
			{Href: b + "/api", Rel: "service-desc", Type: "application/vnd.oai.openapi+json;version=3.0", Title: "the API definition (OpenAPI 3.0)"},
			{Href: b + "/api?f=html", Rel: "service-doc", Type: "text/html", Title: "the API documentation"},
			{Href: b + "/conformance", Rel: "conformance", Type: "application/json", Title: "conformance classes"},
			{Href: b + "/collections", Rel: "data", Type: "application/json", Title: "the collections"},
		},
	})
}

func (s *Server) conformance(c echo.Context) error {
	format, err := negotiate(c)
	if err != nil {
		return err
	}
	if format == formatHTML {
		return s.render(c, "conformance", map[string]any{"Title": "Conformance", "Classes": conformance})
	}
	return c.JSON(http.StatusOK, map[string]any{"conformsTo": conformance})
}

// collectionJSON describes one collection as /collections lists it.
func (s *Server) collectionJSON(c echo.Context, d store.Dataset) map[string]any {
	b := s.baseURL(c) + "/collections/" + d.ID
	links := []link{
		{Href: b + "?f=json", Rel: "self", Type: "application/json", Title: d.Title},
		{Href: b + "?f=html", Rel: "alternate", Type: "text/html", Title: d.Title + " (HTML)"},
		{Href: b + "/items?f=json", Rel: "items", Type: "application/geo+json", Title: "features"},
		{Href: b + "/items?f=html", Rel: "items", Type: "text/html", Title: "features (HTML)"},
		{Href: b + "/queryables", Rel: "http://www.opengis.net/def/rel/ogc/1.0/queryables", Type: "application/schema+json", Title: "queryables"},
		// GDAL 3.6's OAPIF driver reads a schema only at rel "describedBy" (case-sensitive), QGIS 3.22 none: both
		// take the field types from the first page of features, hence the care of the GeoJSON writer's values.
		{Href: b + "/queryables", Rel: "describedby", Type: "application/schema+json", Title: "schema of the features"},
	}
	for _, dl := range downloads {
		links = append(links, link{Href: s.baseURL(c) + "/datasets/" + d.ID + dl.Suffix, Rel: "enclosure", Type: dl.MIME, Title: dl.Title})
	}
	if d.Licence != "" {
		links = append(links, link{Href: licenceURL(d.Licence), Rel: "license", Type: "text/html", Title: d.Licence})
	}
	out := map[string]any{
		"id": d.ID, "title": d.Title, "description": d.Description, "itemType": "feature",
		"crs": crsURIs(), "storageCrs": crs84URI, "links": links,
		"attribution": d.Attribution, "producer": d.Producer, "version": d.Version, "featureCount": d.FeatureCount,
	}
	if d.BBox != nil {
		out["extent"] = map[string]any{"spatial": map[string]any{
			"bbox": [][]float64{{d.BBox.Min[0], d.BBox.Min[1], d.BBox.Max[0], d.BBox.Max[1]}}, "crs": crs84URI}}
	}
	return out
}

// licenceURL points at the text of the licences French open data uses.
func licenceURL(l string) string {
	switch low := strings.ToLower(l); {
	case strings.Contains(low, "ouverte") || strings.Contains(low, "etalab"):
		return "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
	case strings.Contains(low, "odbl"):
		return "https://opendatacommons.org/licenses/odbl/1-0/"
	}
	return "https://spdx.org/licenses/"
}

func (s *Server) collections(c echo.Context) error {
	format, err := negotiate(c)
	if err != nil {
		return err
	}
	ds, err := s.catalogue(c.Request().Context())
	if err != nil {
		return err
	}
	if checkETag(c, catalogueETag(ds, format), time.Time{}) {
		return c.NoContent(http.StatusNotModified)
	}
	if format == formatHTML {
		return s.render(c, "collections", map[string]any{"Title": "Collections", "Datasets": ds})
	}
	cols := make([]map[string]any, 0, len(ds))
	for _, d := range ds {
		cols = append(cols, s.collectionJSON(c, d))
	}
	b := s.baseURL(c)
	return c.JSON(http.StatusOK, map[string]any{
		"links": []link{
			{Href: b + "/collections?f=json", Rel: "self", Type: "application/json", Title: "the collections"},
			{Href: b + "/collections?f=html", Rel: "alternate", Type: "text/html", Title: "the collections (HTML)"},
		},
		"crs":         crsURIs(),
		"collections": cols,
	})
}

func (s *Server) collectionPage(c echo.Context) error {
	sn, d, format, err := s.openCollection(c)
	if err != nil {
		return err
	}
	defer sn.Close()
	if notModifiedAs(c, d, format) {
		return c.NoContent(http.StatusNotModified)
	}
	if format == formatHTML {
		return s.render(c, "collection", map[string]any{"Title": d.Title, "D": d, "Downloads": downloads})
	}
	return c.JSON(http.StatusOK, s.collectionJSON(c, d))
}

// queryables answers /collections/{id}/queryables: the properties a filter may use, as JSON Schema.
func (s *Server) queryables(c echo.Context) error {
	sn, d, format, err := s.openCollection(c)
	if err != nil {
		return err
	}
	defer sn.Close()
	asText, err := jsonAsText(c)
	if err != nil {
		return err
	}
	if notModifiedAs(c, d, representation(format, asText)) {
		return c.NoContent(http.StatusNotModified)
	}
	props := map[string]any{}
	for _, f := range d.Fields {
		props[f.Name] = fieldSchema(f, asText)
	}
	if d.GeometryType != "" {
		props["geometry"] = map[string]any{"title": "geometry", "format": "geometry-any", "description": "the feature's " + strings.ToLower(d.GeometryType)}
	}
	if format == formatHTML {
		return s.render(c, "queryables", map[string]any{"Title": d.Title + ": queryables", "D": d})
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/schema+json")
	return c.JSON(http.StatusOK, map[string]any{
		"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": s.baseURL(c) + "/collections/" + d.ID + "/queryables",
		"type": "object", "title": d.Title, "properties": props, "additionalProperties": false,
	})
}

// fieldSchema is the JSON Schema of field f's values over OGC API; asText says how JSON columns are written.
func fieldSchema(f store.Field, asText bool) map[string]any {
	m := map[string]any{"title": f.Name}
	if f.Description != "" {
		m["description"] = f.Description
	}
	switch f.Type {
	case store.FieldInteger:
		m["type"] = "integer"
	case store.FieldReal:
		m["type"] = "number"
	case store.FieldBoolean:
		m["type"] = "boolean"
	case store.FieldDate:
		m["type"], m["format"] = "string", "date"
	case store.FieldDateTime:
		m["type"], m["format"] = "string", "date-time"
	case store.FieldJSON:
		if asText {
			m["type"], m["contentMediaType"] = "string", "application/json"
		} else {
			m["type"] = []string{"array", "object"}
		}
	default:
		m["type"] = "string"
	}
	return m
}

// download is a file format a dataset can be downloaded in, at /datasets/{id}{Suffix}.
type download struct{ Suffix, MIME, Title string }

var downloads = []download{
	{".geojson", "application/geo+json", "GeoJSON"},
	{".csv", encode.CSVContentType, "CSV (WKT geometry)"},
	{".kml", encode.KMLContentType, "KML"},
	{".gpkg", "application/geopackage+sqlite3", "GeoPackage"},
	{".sqlite", "application/vnd.sqlite3", "SpatiaLite"},
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
