package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/patrimap/patrimap/store"
)

// The web map's server side: the embed page (/embed, a minimal map for an iframe), the dataset sheet in HTML
// (/datasets/{id} asked by a browser) and the name search behind the map's search box (/search). The map itself
// is static/app.js over the vector tiles; these handlers only check parameters and render the sheet.

func (s *Server) routesWebMap(get func(string, echo.HandlerFunc)) {
	get("/embed", s.embed)
	get("/search", s.search)
}

// embed serves the minimal map of /embed?datasets=a,b&bbox=w,s,e,n. Both parameters are optional (every
// dataset, their extent); wrong ones are a 400 the page's author sees when they paste the snippet.
func (s *Server) embed(c echo.Context) error {
	for name := range c.QueryParams() {
		switch name {
		case "datasets", "bbox", "lang", "base", "opacity":
		default:
			return badRequest(fmt.Sprintf("unknown parameter %q: /embed takes datasets=a,b, bbox=west,south,east,north, base=osm|ign|none, lang=fr|en", name))
		}
	}
	if raw := c.QueryParam("datasets"); raw != "" {
		ds, err := s.catalogue(c.Request().Context())
		if err != nil {
			return err
		}
		known := map[string]bool{}
		for _, d := range ds {
			known[d.ID] = true
		}
		for _, id := range strings.Split(raw, ",") {
			if !known[strings.TrimSpace(id)] {
				return echo.NewHTTPError(http.StatusNotFound, fmt.Sprintf("embed: no dataset %q: GET /datasets lists them", id))
			}
		}
	}
	if raw := c.QueryParam("bbox"); raw != "" {
		if _, err := parseBBox(raw, false); err != nil {
			return badRequest("embed: " + err.Error())
		}
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return s.staticFile("embed.html")(c)
}

// searchHit is one feature whose name matches a search.
type searchHit struct {
	Dataset string    `json:"dataset"`
	FID     int64     `json:"id"`
	Name    string    `json:"name"`
	Kind    string    `json:"kind,omitempty"`
	BBox    []float64 `json:"bbox,omitempty"` // absent for rows without a position
	prefix  bool
}

const (
	searchDefaultLimit = 20
	searchMaxLimit     = 100
)

// search finds features by name across datasets, ignoring case and accents ("eglise" finds "Église"):
// GET /search?q=eglise[&datasets=a,b][&limit=20]. Names that start with the query come first.
func (s *Server) search(c echo.Context) error {
	raw := strings.TrimSpace(c.QueryParam("q"))
	q := foldName(raw)
	if len([]rune(q)) < 2 || len(q) > 200 || len(store.TextWords(raw)) == 0 {
		return badRequest("search: q must hold 2 to 200 characters, e.g. /search?q=chateau")
	}
	limit := searchDefaultLimit
	if raw := c.QueryParam("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > searchMaxLimit {
			return badRequest(fmt.Sprintf("search: limit must be 1..%d, got %q", searchMaxLimit, raw))
		}
		limit = n
	}
	var only map[string]bool
	if raw := c.QueryParam("datasets"); raw != "" {
		only = map[string]bool{}
		for _, id := range strings.Split(raw, ",") {
			only[strings.TrimSpace(id)] = true
		}
	}
	ctx := c.Request().Context()
	sn, err := s.store.Snapshot(ctx)
	if err != nil {
		return err
	}
	defer sn.Close()
	ds, err := sn.Datasets(ctx)
	if err != nil {
		return err
	}
	// Enough hits to rank the prefix matches first, few enough that a one-letter-off query stays cheap.
	keep := limit * 5
	var hits []searchHit
	truncated := false
	for _, d := range ds {
		if only != nil && !only[d.ID] {
			continue
		}
		if f, ok := d.Field("name"); !ok || f.Type != store.FieldText {
			continue
		}
		// The store returns selected values in the dataset's field order: find name and kind by position.
		var sel []string
		nameAt, kindAt := -1, -1
		for _, f := range d.Fields {
			switch {
			case f.Name == "name":
				nameAt = len(sel)
				sel = append(sel, f.Name)
			case f.Name == "kind" && f.Type == store.FieldText:
				kindAt = len(sel)
				sel = append(sel, f.Name)
			}
		}
		// Through the store's full-text index: every word, the last as a word or its start, in the name or
		// description (store.ParseTextQuery).
		err := store.SearchFeatures(ctx, sn, d, raw, store.Query{Select: sel, Limit: keep - len(hits) + 1}, func(f *store.Feature) error {
			name, _ := f.Values[nameAt].(string)
			if len(hits) >= keep {
				truncated = true
				return errStopSearch
			}
			h := searchHit{Dataset: d.ID, FID: f.FID, Name: name, prefix: strings.HasPrefix(foldName(name), q)}
			if kindAt >= 0 {
				h.Kind, _ = f.Values[kindAt].(string)
			}
			if f.Geometry != nil {
				b := f.Geometry.Bound()
				h.BBox = []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
			}
			hits = append(hits, h)
			return nil
		})
		if err != nil && err != errStopSearch {
			return err
		}
		if truncated {
			break
		}
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].prefix != hits[j].prefix {
			return hits[i].prefix
		}
		return len(hits[i].Name) < len(hits[j].Name)
	})
	if len(hits) > limit {
		hits, truncated = hits[:limit], true
	}
	if hits == nil {
		hits = []searchHit{}
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.JSON(http.StatusOK, map[string]any{"query": c.QueryParam("q"), "results": hits, "truncated": truncated})
}

type stopSearch struct{}

func (stopSearch) Error() string { return "search: enough results" }

var errStopSearch error = stopSearch{}

// foldName lower-cases s and strips the French diacritics, so that what people type matches what producers
// wrote ("eglise" and "Église", "oeuvre" and "Œuvre", "l'abbaye" and "l’Abbaye").
func foldName(s string) string {
	return nameFolder.Replace(strings.ToLower(s))
}

var nameFolder = strings.NewReplacer(
	"à", "a", "á", "a", "â", "a", "ã", "a", "ä", "a", "å", "a", "æ", "ae",
	"ç", "c", "è", "e", "é", "e", "ê", "e", "ë", "e",
	"ì", "i", "í", "i", "î", "i", "ï", "i", "ñ", "n",
	"ò", "o", "ó", "o", "ô", "o", "õ", "o", "ö", "o", "œ", "oe",
	"ù", "u", "ú", "u", "û", "u", "ü", "u", "ý", "y", "ÿ", "y",
	"’", "'", "‘", "'", "-", " ", "–", " ",
)

// reportView is the import report as the dataset sheet shows it (the importers' Report, read back from JSON:
// the server does not import the importers).
type reportView struct {
	Source    string   `json:"source"`
	Format    string   `json:"format"`
	Encoding  string   `json:"encoding"`
	SourceCRS string   `json:"source_crs"`
	Read      int64    `json:"read"`
	Written   int64    `json:"written"`
	NoGeom    int64    `json:"without_geometry"`
	Repaired  int64    `json:"repaired"`
	Fixes     []count  `json:"fixes"`
	Skipped   []count  `json:"skipped"`
	Warnings  []string `json:"warnings"`
	Duration  string   `json:"duration"`
	StartedAt string   `json:"started_at"`
}

type count struct {
	What     string   `json:"what"`
	N        int64    `json:"n"`
	Examples []string `json:"examples"`
}

func (r reportView) SkippedTotal() int64 {
	var n int64
	for _, c := range r.Skipped {
		n += c.N
	}
	return n
}

// sheetText holds the dataset sheet's words in each language; French is the default.
var sheetText = map[string]map[string]string{
	"fr": {
		"map": "Carte", "datasets": "Jeux de données", "sheet": "Fiche", "other": "English",
		"otherLang": "en", "otherLabel": "Read this page in English",
		"id": "Identifiant", "theme": "Thème", "producer": "Producteur", "licence": "Licence",
		"attribution": "Attribution", "source": "Source", "file": "Fichier", "retrieved": "Récupéré le",
		"imported": "Importé le", "version": "Version", "geometry": "Géométrie", "features": "Objets",
		"bbox": "Emprise (O, S, E, N)", "crs": "Système de coordonnées source", "sha": "Empreinte SHA-256",
		"showOnMap": "Voir sur la carte", "downloads": "Téléchargements", "fields": "Champs",
		"field": "Champ", "type": "Type", "description": "Description", "report": "Rapport d'import",
		"read": "lus", "written": "écrits", "unplaced": "sans position (non localisés)", "repaired": "géométries réparées",
		"skipped": "écartés", "fixes": "Corrections", "skips": "Lignes écartées", "what": "Quoi", "n": "Nombre",
		"examples": "Exemples", "warnings": "Avertissements", "format": "Format", "encoding": "Encodage",
		"duration": "Durée", "started": "Lancé le", "noReport": "Pas de rapport d'import.",
		"smallMap": "Carte du jeu de données", "api": "API", "none": "non précisée",
		"natural": "Patrimoine naturel", "cultural": "Patrimoine culturel", "osm": "OpenStreetMap", "otherTheme": "Autre",
		"umap": "uMap (sauvegarde de carte)", "metadata": "Métadonnées JSON", "ogc": "OGC API – Features",
	},
	"en": {
		"map": "Map", "datasets": "Datasets", "sheet": "Sheet", "other": "Français",
		"otherLang": "fr", "otherLabel": "Lire cette page en français",
		"id": "Identifier", "theme": "Theme", "producer": "Producer", "licence": "Licence",
		"attribution": "Attribution", "source": "Source", "file": "File", "retrieved": "Retrieved",
		"imported": "Imported", "version": "Version", "geometry": "Geometry", "features": "Features",
		"bbox": "Extent (W, S, E, N)", "crs": "Source coordinate system", "sha": "SHA-256 checksum",
		"showOnMap": "Show on the map", "downloads": "Downloads", "fields": "Fields",
		"field": "Field", "type": "Type", "description": "Description", "report": "Import report",
		"read": "read", "written": "written", "unplaced": "without a position (unplaced)", "repaired": "geometries repaired",
		"skipped": "skipped", "fixes": "Fixes", "skips": "Skipped rows", "what": "What", "n": "Count",
		"examples": "Examples", "warnings": "Warnings", "format": "Format", "encoding": "Encoding",
		"duration": "Duration", "started": "Started", "noReport": "No import report.",
		"smallMap": "Map of the dataset", "api": "API", "none": "not stated",
		"natural": "Natural heritage", "cultural": "Cultural heritage", "osm": "OpenStreetMap", "otherTheme": "Other",
		"umap": "uMap (map backup)", "metadata": "JSON metadata", "ogc": "OGC API – Features",
	},
}

// pageLang is the page's language: ?lang=en, else French.
func pageLang(c echo.Context) string {
	if c.QueryParam("lang") == "en" {
		return "en"
	}
	return "fr"
}

var sheetTemplate = template.Must(template.New("sheet").Funcs(template.FuncMap{
	"date": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"join": strings.Join,
}).Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.D.Title}} – patrimap</title>
<link rel="stylesheet" href="/static/vendor/maplibre-gl.css"><link rel="stylesheet" href="/static/style.css">
<link rel="alternate" type="application/json" href="/datasets/{{.D.ID}}.json">
</head>
<body class="sheet-page" data-mode="sheet" data-lang="{{.Lang}}" data-datasets="{{.D.ID}}"{{if .BBox}} data-bbox="{{.BBox}}"{{end}}>
<a class="skip" href="#content">{{if eq .Lang "en"}}Skip to content{{else}}Aller au contenu{{end}}</a>
<header class="sheet-header"><nav aria-label="{{.T.sheet}}"><a href="/?lang={{.Lang}}">patrimap</a> › <a href="/?lang={{.Lang}}#layers={{.D.ID}}">{{.T.map}}</a> › {{.D.ID}}</nav>
<a class="lang" href="/datasets/{{.D.ID}}?f=html&amp;lang={{.T.otherLang}}" hreflang="{{.T.otherLang}}" lang="{{.T.otherLang}}" aria-label="{{.T.otherLabel}}">{{.T.other}}</a></header>
<main id="content" class="sheet">
<h1>{{.D.Title}}</h1>
{{if .D.Description}}<p>{{.D.Description}}</p>{{end}}
<div class="sheet-top">
<dl class="facts">
<dt>{{.T.id}}</dt><dd><code>{{.D.ID}}</code></dd>
<dt>{{.T.theme}}</dt><dd>{{.Theme}}</dd>
<dt>{{.T.producer}}</dt><dd>{{.D.Producer}}</dd>
<dt>{{.T.licence}}</dt><dd>{{if .D.Licence}}{{.D.Licence}}{{else}}{{.T.none}}{{end}}</dd>
{{if .D.Attribution}}<dt>{{.T.attribution}}</dt><dd>{{.D.Attribution}}</dd>{{end}}
<dt>{{.T.source}}</dt><dd>{{if .D.Source.URL}}<a href="{{.D.Source.URL}}">{{.D.Source.URL}}</a>{{else}}{{.D.Source.File}}{{end}}</dd>
{{if and .D.Source.URL .D.Source.File}}<dt>{{.T.file}}</dt><dd>{{.D.Source.File}}</dd>{{end}}
{{if .D.Source.SHA256}}<dt>{{.T.sha}}</dt><dd><code class="hash">{{.D.Source.SHA256}}</code></dd>{{end}}
<dt>{{.T.retrieved}}</dt><dd>{{date .D.Source.RetrievedAt}}</dd>
<dt>{{.T.imported}}</dt><dd>{{date .D.ImportedAt}}</dd>
<dt>{{.T.version}}</dt><dd>{{.D.Version}}</dd>
<dt>{{.T.features}}</dt><dd>{{.D.FeatureCount}}{{if .R}}{{if .R.NoGeom}} ({{.R.NoGeom}} {{.T.unplaced}}){{end}}{{end}}</dd>
{{if .D.GeometryType}}<dt>{{.T.geometry}}</dt><dd>{{.D.GeometryType}}</dd>{{end}}
{{if .D.SourceCRS}}<dt>{{.T.crs}}</dt><dd>{{.D.SourceCRS}}</dd>{{end}}
{{if .BBox}}<dt>{{.T.bbox}}</dt><dd><code>{{.BBox}}</code></dd>{{end}}
</dl>
<figure class="sheet-map"><div id="map" class="small-map" role="region" aria-label="{{.T.smallMap}}"></div>
<figcaption><a href="/?lang={{.Lang}}#layers={{.D.ID}}{{if .BBox}}&amp;bbox={{.BBox}}{{end}}">{{.T.showOnMap}}</a></figcaption></figure>
</div>
{{template "fiche" .}}
<h2 id="downloads">{{.T.downloads}}</h2>
<ul class="downloads">{{$id := .D.ID}}
{{range .Downloads}}<li><a href="/datasets/{{$id}}{{.Suffix}}" download>{{.Title}}</a></li>{{end}}
<li><a href="{{.UMap}}" download>{{.T.umap}}</a></li>
<li><a href="/collections/{{.D.ID}}?f=html">{{.T.ogc}}</a></li>
<li><a href="/datasets/{{.D.ID}}.json">{{.T.metadata}}</a></li>
</ul>
<h2 id="fields">{{.T.fields}}</h2>
<div class="table-scroll"><table><thead><tr><th scope="col">{{.T.field}}</th><th scope="col">{{.T.type}}</th><th scope="col">{{.T.description}}</th></tr></thead><tbody>
{{range .D.Fields}}<tr><td><code>{{.Name}}</code></td><td>{{.Type}}</td><td>{{.Description}}</td></tr>{{end}}
</tbody></table></div>
<h2 id="report">{{.T.report}}</h2>
{{with .R}}
<p class="report-counts"><strong>{{.Read}}</strong> {{$.T.read}} · <strong>{{.Written}}</strong> {{$.T.written}} · <strong>{{.NoGeom}}</strong> {{$.T.unplaced}} · <strong>{{.Repaired}}</strong> {{$.T.repaired}} · <strong>{{.SkippedTotal}}</strong> {{$.T.skipped}}</p>
<dl class="facts">
{{if .Source}}<dt>{{$.T.file}}</dt><dd>{{.Source}}</dd>{{end}}
{{if .Format}}<dt>{{$.T.format}}</dt><dd>{{.Format}}</dd>{{end}}
{{if .Encoding}}<dt>{{$.T.encoding}}</dt><dd>{{.Encoding}}</dd>{{end}}
{{if .StartedAt}}<dt>{{$.T.started}}</dt><dd>{{.StartedAt}}</dd>{{end}}
{{if .Duration}}<dt>{{$.T.duration}}</dt><dd>{{.Duration}}</dd>{{end}}
</dl>
{{if .Fixes}}<h3>{{$.T.fixes}}</h3>
<div class="table-scroll"><table><thead><tr><th scope="col">{{$.T.what}}</th><th scope="col">{{$.T.n}}</th><th scope="col">{{$.T.examples}}</th></tr></thead><tbody>
{{range .Fixes}}<tr><td>{{.What}}</td><td>{{.N}}</td><td>{{join .Examples ", "}}</td></tr>{{end}}
</tbody></table></div>{{end}}
{{if .Skipped}}<h3>{{$.T.skips}}</h3>
<div class="table-scroll"><table><thead><tr><th scope="col">{{$.T.what}}</th><th scope="col">{{$.T.n}}</th><th scope="col">{{$.T.examples}}</th></tr></thead><tbody>
{{range .Skipped}}<tr><td>{{.What}}</td><td>{{.N}}</td><td>{{join .Examples ", "}}</td></tr>{{end}}
</tbody></table></div>{{end}}
{{if .Warnings}}<h3>{{$.T.warnings}}</h3><ul>{{range .Warnings}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{else}}<p>{{.T.noReport}}</p>{{end}}
</main>
<script src="/static/vendor/maplibre-gl.js"></script>
<script src="/static/layerstyle.js"></script>
<script src="/static/app.js"></script>
</body></html>`))

// datasetPage renders the dataset's sheet for a browser.
func (s *Server) datasetPage(c echo.Context, d store.Dataset) error {
	lang := pageLang(c)
	t := sheetText[lang]
	data := map[string]any{
		"Lang": lang, "T": t, "D": d, "Downloads": downloads, "R": nil,
		"UMap": "/umap/datasets/" + d.ID + ".umap",
	}
	switch d.Theme {
	case "natural", "cultural", "osm":
		data["Theme"] = t[d.Theme]
	default:
		data["Theme"] = t["otherTheme"]
	}
	data["Fiche"] = s.ficheView(c, d)
	if d.BBox != nil {
		data["BBox"] = fmt.Sprintf("%s,%s,%s,%s", coord(d.BBox.Min[0]), coord(d.BBox.Min[1]), coord(d.BBox.Max[0]), coord(d.BBox.Max[1]))
	}
	if len(d.Report) > 0 {
		var r reportView
		if err := json.Unmarshal(d.Report, &r); err == nil {
			data["R"] = &r
		} else {
			s.log.Warn("dataset sheet: unreadable import report", "dataset", d.ID, "error", err)
		}
	}
	var buf bytes.Buffer
	if err := sheetTemplate.Execute(&buf, data); err != nil {
		return fmt.Errorf("dataset %s: sheet page: %w", d.ID, err)
	}
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}

// coord writes a longitude or latitude with six decimals (about 10 cm), without trailing zeros.
func coord(v float64) string { return strconv.FormatFloat(math.Round(v*1e6)/1e6, 'f', -1, 64) }
