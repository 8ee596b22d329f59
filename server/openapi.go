package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// openAPI answers /api: the API definition, OpenAPI 3.0, built from the same lists the handlers use.
func (s *Server) openAPI(c echo.Context) error {
	format, err := negotiate(c)
	if err != nil {
		return err
	}
	paths := []string{"/", "/conformance", "/collections", "/collections/{collectionId}", "/collections/{collectionId}/items",
		"/collections/{collectionId}/items/{featureId}", "/collections/{collectionId}/queryables", "/api"}
	if format == formatHTML {
		return s.render(c, "api", map[string]any{"Title": "API", "Paths": paths})
	}
	param := func(name, in, desc string, schema map[string]any, required bool) map[string]any {
		return map[string]any{"name": name, "in": in, "description": desc, "required": required, "schema": schema, "style": "form", "explode": false}
	}
	str := map[string]any{"type": "string"}
	f := param("f", "query", "json or html (else the Accept header decides)", map[string]any{"type": "string", "enum": []string{"json", "html"}}, false)
	collectionID := param("collectionId", "path", "a collection (dataset) id", str, true)
	crsSchema := map[string]any{"type": "string", "format": "uri", "enum": crsURIs()}
	jsonParam := param("json", "query", "JSON columns (arrays, objects) as JSON (native) or as their JSON text in a string (text); "+
		"by default text for QGIS (its User-Agent), whose OGC API provider blanks arrays of objects, JSON for other clients",
		map[string]any{"type": "string", "enum": []string{jsonNative, jsonText}}, false)
	itemParams := []any{collectionID, f,
		param("limit", "query", "features per page", map[string]any{"type": "integer", "minimum": 1, "maximum": maxLimit, "default": defaultLimit}, false),
		param("offset", "query", "features to skip (the next and prev links give it)", map[string]any{"type": "integer", "minimum": 0, "default": 0}, false),
		param("bbox", "query", "minx,miny,maxx,maxy in bbox-crs (CRS84 by default)", map[string]any{"type": "array", "minItems": 4, "maxItems": 6, "items": map[string]any{"type": "number"}}, false),
		param("bbox-crs", "query", "the CRS of bbox", crsSchema, false),
		param("crs", "query", "the CRS of the geometries returned", crsSchema, false),
		param("datetime", "query", "an ISO 8601 date or interval (start/end, .. for an open end), on the collection's date", str, false),
		param("properties", "query", "the properties to return, comma-separated", map[string]any{"type": "array", "items": str}, false),
		param("sortby", "query", "properties to sort by, comma-separated, - for descending", map[string]any{"type": "array", "items": str}, false),
		param("filter", "query", "a CQL2 text filter on the queryables", str, false),
		param("q", "query", "words the name or description holds, case and accents ignored (q=eglise finds Église): each as a word, the last one as a word or its start (q=eglise sai finds Église Saint-Martin), elided articles left out (l' of l'Assomption)", str, false),
		param("filter-lang", "query", "cql2-text", map[string]any{"type": "string", "enum": []string{"cql2-text"}}, false),
		param("filter-crs", "query", "the CRS of filter geometries (CRS84 only)", map[string]any{"type": "string", "enum": []string{crs84URI}}, false),
		jsonParam,
	}
	ok := func(desc, mime string) map[string]any {
		return map[string]any{"200": map[string]any{"description": desc, "content": map[string]any{mime: map[string]any{}, "text/html": map[string]any{}}},
			"304": map[string]any{"description": "not modified (If-None-Match)"},
			"400": map[string]any{"description": "a malformed parameter, explained", "content": map[string]any{"application/problem+json": map[string]any{}}},
			"404": map[string]any{"description": "no such collection or feature", "content": map[string]any{"application/problem+json": map[string]any{}}}}
	}
	get := func(id, summary string, params []any, responses map[string]any) map[string]any {
		return map[string]any{"get": map[string]any{"operationId": id, "summary": summary, "parameters": params, "responses": responses}}
	}
	doc := map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "patrimap", "version": "1",
			"description": "Natural and cultural heritage layers of French territories: OGC API – Features Parts 1, 2 and 3.",
			"license":     map[string]any{"name": "the licence of each collection (see its links)"}},
		"servers": []any{map[string]any{"url": s.baseURL(c)}},
		"paths": map[string]any{
			"/":            get("getLandingPage", "landing page", []any{f}, ok("the landing page", "application/json")),
			"/conformance": get("getConformance", "conformance classes", []any{f}, ok("the conformance classes", "application/json")),
			"/collections": get("getCollections", "the collections", []any{f}, ok("the collections", "application/json")),
			"/api":         get("getAPI", "this document", []any{f}, ok("the API definition", "application/vnd.oai.openapi+json;version=3.0")),
			"/collections/{collectionId}": get("describeCollection", "one collection", []any{collectionID, f},
				ok("the collection", "application/json")),
			"/collections/{collectionId}/items": get("getFeatures", "features of a collection, paged", itemParams,
				ok("a page of features", "application/geo+json")),
			"/collections/{collectionId}/items/{featureId}": get("getFeature", "one feature",
				[]any{collectionID, param("featureId", "path", "the feature's id", map[string]any{"type": "integer"}, true), f,
					param("crs", "query", "the CRS of the geometry returned", crsSchema, false), jsonParam},
				ok("the feature", "application/geo+json")),
			"/collections/{collectionId}/queryables": get("getQueryables", "the properties filters may use", []any{collectionID, f, jsonParam},
				ok("a JSON Schema", "application/schema+json")),
		},
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/vnd.oai.openapi+json;version=3.0")
	return c.JSON(http.StatusOK, doc)
}
