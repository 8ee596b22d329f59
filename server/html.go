package server

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/patrimap/patrimap/store"
)

// The HTML side of the OGC API: small server-rendered pages (no script needed to read them) with a map drawn
// by static/minimap.js from the page's GeoJSON link. One layout, one template per page.
var pages = template.Must(template.New("layout").Funcs(template.FuncMap{
	"join": strings.Join,
	"value": func(v any) string {
		if v == nil {
			return ""
		}
		return fmt.Sprint(v)
	},
}).Parse(`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} – patrimap</title><link rel="stylesheet" href="/static/style.css"></head>
<body><header><a href="/">patrimap</a> › <a href="/collections?f=html">collections</a>{{if .D}} › <a href="/collections/{{.D.ID}}?f=html">{{.D.ID}}</a>{{end}}</header>
<main><h1>{{.Title}}</h1>{{template "body" .}}</main>
<script src="/static/minimap.js"></script></body></html>
{{define "map"}}<canvas class="minimap" width="640" height="360" data-src="{{.}}"></canvas>{{end}}
{{define "fields"}}<table><tr><th>property</th><th>type</th><th>description</th></tr>
{{range .Fields}}<tr><td><code>{{.Name}}</code></td><td>{{.Type}}</td><td>{{.Description}}</td></tr>{{end}}</table>{{end}}`))

var pageBodies = map[string]string{
	"collections": `{{define "body"}}<p>Each collection is one dataset: one producer, one kind of site. QGIS reads them all with
<em>Layer › Add Layer › Add WFS / OGC API – Features Layer</em> and this server's address.</p>
<table><tr><th>collection</th><th>title</th><th>producer</th><th>features</th><th>version</th></tr>
{{range .Datasets}}<tr><td><a href="/collections/{{.ID}}?f=html">{{.ID}}</a></td><td>{{.Title}}</td><td>{{.Producer}}</td><td>{{.FeatureCount}}</td><td>{{.Version}}</td></tr>{{end}}
</table><p><a href="/collections?f=json">JSON</a></p>{{end}}`,
	"collection": `{{define "body"}}<p>{{.D.Description}}</p>
<p>{{.D.FeatureCount}} features · producer {{.D.Producer}} · {{.D.Licence}} · version {{.D.Version}}</p>
<p class="attribution">{{.D.Attribution}}</p>
{{template "map" (printf "/collections/%s/items?f=json&limit=1000" .D.ID)}}
<p><a href="/collections/{{.D.ID}}/items?f=html">Browse the features</a> · <a href="/collections/{{.D.ID}}/queryables?f=html">queryables</a> ·
downloads: {{$id := .D.ID}}{{range .Downloads}}<a href="/datasets/{{$id}}{{.Suffix}}">{{.Title}}</a> {{end}} · <a href="/collections/{{.D.ID}}?f=json">JSON</a></p>
<h2>Properties</h2>{{template "fields" .D}}{{end}}`,
	"items": `{{define "body"}}<p>Features {{.From}}–{{.To}} of {{.Matched}}.
{{range .Links}}{{if eq .Rel "prev"}}<a href="{{.Href}}">‹ previous</a> {{end}}{{if eq .Rel "next"}}<a href="{{.Href}}">next ›</a> {{end}}{{end}}</p>
{{template "map" .JSONURL}}
<table><tr><th>id</th>{{range .Fields}}<th>{{.Name}}</th>{{end}}</tr>
{{$id := .D.ID}}{{range .Rows}}<tr><td><a href="/collections/{{$id}}/items/{{.FID}}?f=html">{{.FID}}</a></td>{{range .Values}}<td>{{value .}}</td>{{end}}</tr>{{end}}</table>{{end}}`,
	"item": `{{define "body"}}{{template "map" .JSONURL}}
<table>{{range $i, $f := .Fields}}<tr><th>{{$f.Name}}</th><td>{{value (index $.Values $i)}}</td></tr>{{end}}</table>
<p><a href="{{.JSONURL}}">GeoJSON</a></p>{{end}}`,
	"queryables": `{{define "body"}}<p>Properties a <code>filter</code> (CQL2 text) or a <code>property=value</code> parameter may use, and
<code>geometry</code> for <code>S_INTERSECTS</code>.</p>{{template "fields" .D}}{{end}}`,
	"conformance": `{{define "body"}}<ul>{{range .Classes}}<li><a href="{{.}}">{{.}}</a></li>{{end}}</ul>{{end}}`,
	"api": `{{define "body"}}<p>The API definition is <a href="/api?f=json">OpenAPI 3.0 JSON</a>; load it in any OpenAPI viewer.</p>
<ul>{{range .Paths}}<li><code>GET {{.}}</code></li>{{end}}</ul>{{end}}`,
}

var pageTemplates = func() map[string]*template.Template {
	m := map[string]*template.Template{}
	for name, body := range pageBodies {
		m[name] = template.Must(template.Must(pages.Clone()).Parse(body))
	}
	return m
}()

// render writes page name with data; data's "Title" heads the page and "D", when set, is the collection.
func (s *Server) render(c echo.Context, name string, data map[string]any) error {
	if _, ok := data["D"]; !ok {
		data["D"] = nil
	}
	var buf bytes.Buffer
	if err := pageTemplates[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		return err
	}
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}

func (s *Server) itemsHTML(c echo.Context, sn store.Snapshot, d store.Dataset, r *itemsRequest, matched int64, links []link) error {
	type row struct {
		FID    int64
		Values []any
	}
	var rows []row
	fields := d.Fields
	if r.query.Select != nil {
		fields = selected(d, r.query.Select)
	}
	err := sn.Features(c.Request().Context(), d, r.query, func(f *store.Feature) error {
		rows = append(rows, row{FID: f.FID, Values: append([]any(nil), f.Values...)})
		return nil
	})
	if err != nil {
		return err
	}
	jsonURL := ""
	for _, l := range links {
		if l.Type == "application/geo+json" {
			jsonURL = l.Href
		}
	}
	return s.render(c, "items", map[string]any{"Title": d.Title, "D": d, "Fields": fields, "Rows": rows, "Links": links,
		"Matched": matched, "From": min(int64(r.query.Offset)+1, matched), "To": int64(r.query.Offset + len(rows)), "JSONURL": jsonURL})
}

func (s *Server) itemHTML(c echo.Context, d store.Dataset, f *store.Feature, links []link) error {
	return s.render(c, "item", map[string]any{"Title": fmt.Sprintf("%s: feature %d", d.Title, f.FID), "D": d,
		"Fields": d.Fields, "Values": f.Values, "JSONURL": links[0].Href})
}
