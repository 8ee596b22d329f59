package server

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/patrimap/patrimap/sheet"
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
	err := r.features(c.Request().Context(), sn, d, func(f *store.Feature) error {
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

// The dataset sheet's fiche descriptive (/datasets/{id} in a browser): every field of the sheet, what is
// missing for publication, the last validation, and links to the schema, the data package and the catalogue
// entry. It is a template of the sheet page (webmap.go's sheetTemplate).
var _ = template.Must(sheetTemplate.New("fiche").Parse(`{{with .Fiche}}
<h2 id="fiche">{{.L.fiche}}</h2>
<dl class="facts fiche">
<dt>{{.L.title}}</dt><dd>{{.S.Title}}</dd>
<dt>{{.L.keywords}}</dt><dd>{{if .S.Keywords}}{{join .S.Keywords ", "}}{{else}}—{{end}}</dd>
<dt>{{.L.themes}}</dt><dd>{{if .Themes}}{{join .Themes ", "}}{{else}}—{{end}}</dd>
<dt>{{.L.publisher}}</dt><dd>{{if .S.Publisher.URL}}<a href="{{.S.Publisher.URL}}">{{.S.Publisher.Name}}</a>{{else}}{{or .S.Publisher.Name "—"}}{{end}}</dd>
<dt>{{.L.creator}}</dt><dd>{{if .S.Creator.URL}}<a href="{{.S.Creator.URL}}">{{.S.Creator.Name}}</a>{{else}}{{or .S.Creator.Name "—"}}{{end}}</dd>
<dt>{{.L.contact}}</dt><dd>{{if .S.Contact.Email}}{{.S.Contact.Name}} <a href="mailto:{{.S.Contact.Email}}">{{.S.Contact.Email}}</a>{{else}}—{{end}}</dd>
<dt>{{.L.licence}}</dt><dd>{{if .S.Licence}}<a href="{{.S.Licence}}">{{.Licence}}</a>{{else}}—{{end}}</dd>
<dt>{{.L.access}}</dt><dd>{{or .Access "—"}}</dd>
<dt>{{.L.periodicity}}</dt><dd>{{or .Periodicity "—"}}</dd>
<dt>{{.L.spatial}}</dt><dd>{{if .S.Territory.Code}}{{.S.Territory.Name}} ({{.S.Territory.Code}}){{else}}—{{end}}</dd>
<dt>{{.L.temporal}}</dt><dd>{{if or .S.Temporal.Start .S.Temporal.End}}{{or .S.Temporal.Start "…"}} – {{or .S.Temporal.End "…"}}{{else}}—{{end}}</dd>
<dt>{{.L.issued}}</dt><dd>{{or .S.Issued "—"}}</dd>
<dt>{{.L.modified}}</dt><dd>{{date .S.Modified}}</dd>
<dt>{{.L.language}}</dt><dd>{{or .Language "—"}}</dd>
<dt>{{.L.version}}</dt><dd>{{.S.Version}}</dd>
<dt>{{.L.schema}}</dt><dd><a href="{{.SchemaURL}}">{{.SchemaURL}}</a></dd>
{{if .S.Provenance.Lineage}}<dt>{{.L.lineage}}</dt><dd><ul>{{range .S.Provenance.Lineage}}<li>{{.}}</li>{{end}}</ul></dd>{{end}}
</dl>
<h3 id="missing">{{.L.missing}}</h3>
{{if .Missing}}<ul class="missing">{{range .Missing}}<li><strong>{{if eq .Level "required"}}{{$.Fiche.L.required}}{{else}}{{$.Fiche.L.recommended}}{{end}}</strong> · {{.Field}} : {{.Why}} (<code>patrimap describe {{$.Fiche.S.ID}} {{.Fix}}</code>)</li>{{end}}</ul>
{{if .Publishable}}<p>{{.L.publishable}}</p>{{end}}{{else}}<p>{{.L.complete}}</p>{{end}}
<h3 id="validation">{{.L.validation}}</h3>
{{with .S.Validation}}<p class="validation">{{if .Valid}}{{$.Fiche.L.valid}}{{else}}{{$.Fiche.L.invalid}}{{end}} <a href="{{.Schema}}">{{.Schema}}</a> · {{.Rows}} {{$.Fiche.L.rows}} · {{date .At}}{{range $k, $n := .Errors}} · {{$k}} {{$n}}{{end}}</p>
{{else}}<p>{{.L.novalidation}} <code>patrimap validate --dataset {{.S.ID}} --schema URL</code></p>{{end}}
<h3 id="publish">{{.L.publish}}</h3>
<ul class="publish">
<li><a href="{{.SchemaURL}}">Table Schema</a></li>
<li><a href="/datasets/{{.S.ID}}.datapackage.zip" download>Data package (CSV, Table Schema, datapackage.json)</a></li>
<li>DCAT-AP : <a href="/datasets/{{.S.ID}}.ttl">Turtle</a> · <a href="/datasets/{{.S.ID}}.jsonld">JSON-LD</a> · <a href="/datasets/{{.S.ID}}.rdf">RDF/XML</a> · <a href="/catalog.ttl">{{.L.catalogue}}</a></li>
</ul>
{{end}}`))

// ficheText holds the fiche's words in each language.
var ficheText = map[string]map[string]string{
	"fr": {"fiche": "Fiche descriptive", "title": "Titre", "keywords": "Mots-clés", "themes": "Thèmes", "publisher": "Diffuseur",
		"creator": "Producteur", "contact": "Contact", "licence": "Licence", "access": "Accès", "periodicity": "Mise à jour",
		"spatial": "Couverture spatiale", "temporal": "Couverture temporelle", "issued": "Première publication",
		"modified": "Dernière modification", "language": "Langue", "version": "Version", "schema": "Schéma",
		"lineage": "Généalogie", "missing": "Manque pour publier", "required": "obligatoire", "recommended": "recommandé",
		"publishable": "Rien d'obligatoire ne manque : le jeu de données peut être moissonné tel quel.",
		"complete":    "Rien ne manque pour publier.", "validation": "Validation", "valid": "Valide selon",
		"invalid": "Non valide selon", "rows": "lignes", "novalidation": "Pas encore validé selon un schéma publié :",
		"publish": "Publication", "catalogue": "catalogue entier"},
	"en": {"fiche": "Descriptive sheet", "title": "Title", "keywords": "Keywords", "themes": "Themes", "publisher": "Publisher",
		"creator": "Creator", "contact": "Contact", "licence": "Licence", "access": "Access", "periodicity": "Update frequency",
		"spatial": "Spatial coverage", "temporal": "Temporal coverage", "issued": "First published",
		"modified": "Last modified", "language": "Language", "version": "Version", "schema": "Schema",
		"lineage": "Lineage", "missing": "Missing for publication", "required": "required", "recommended": "recommended",
		"publishable": "Nothing required is missing: the dataset can be harvested as it is.",
		"complete":    "Nothing is missing for publication.", "validation": "Validation", "valid": "Valid against",
		"invalid": "Not valid against", "rows": "rows", "novalidation": "Not validated against a published schema yet:",
		"publish": "Publication", "catalogue": "whole catalogue"},
}

// ficheView is what the fiche template shows of d's sheet; nil when the sheet cannot be read (the page still
// shows the rest).
func (s *Server) ficheView(c echo.Context, d store.Dataset) map[string]any {
	lang := pageLang(c)
	sh, err := s.sheetOf(c.Request().Context(), d)
	if err != nil {
		s.log.Warn("dataset sheet: fiche descriptive unreadable", "dataset", d.ID, "error", err)
		return nil
	}
	label := func(c sheet.Concept, ok bool) string {
		if !ok {
			return ""
		}
		if lang == "en" {
			return c.EN
		}
		return c.Label()
	}
	var themes []string
	for _, t := range sh.Themes {
		if l := label(sheet.DataTheme(t)); l != "" {
			themes = append(themes, l)
		}
	}
	for _, t := range sh.InspireThemes {
		if l := label(sheet.InspireTheme(t)); l != "" {
			themes = append(themes, "INSPIRE : "+l)
		}
	}
	gaps := sheet.Missing(sh)
	schemaURL := sh.ConformsTo
	if schemaURL == "" {
		schemaURL = "/datasets/" + d.ID + "/schema.json"
	}
	return map[string]any{"L": ficheText[lang], "S": sh, "Themes": themes, "Licence": sh.LicenceTitle(),
		"Access": label(sheet.AccessRight(sh.AccessRights)), "Periodicity": label(sheet.Frequency(sh.Periodicity)),
		"Language": label(sheet.Language(sh.Language)), "Missing": gaps, "Publishable": sheet.Publishable(gaps),
		"SchemaURL": schemaURL}
}

// sheetRevision changes whenever what was written about d or about the catalogue changes.
func (s *Server) sheetRevision(ctx context.Context, id string) string {
	rec, err1 := sheet.Load(ctx, s.store, id)
	cat, err2 := sheet.Load(ctx, s.store, sheet.CatalogueKey)
	if err1 != nil || err2 != nil {
		return "s?"
	}
	return fmt.Sprintf("s%d.%d", rec.UpdatedAt.UnixNano(), cat.UpdatedAt.UnixNano())
}
