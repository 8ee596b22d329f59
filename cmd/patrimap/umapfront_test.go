package main

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// umapFrontend serves uMap 3.8.1's own front end (its static files, vendored in test/umap/static with their
// licence) as uMap's Django views would, and stubs the endpoints of uMap's backend that importing a map, saving
// it and opening it again call. Those answers are fixed, but for what uMap stores: the map's settings and its
// layers are kept in memory, so that the saved map opens from what the front end sent.
//
//	GET  /fr/map/new/                                the map_new page: an empty map, as an editor sees it
//	POST /fr/map/create/                             map_create: {id, url, permissions, user}
//	POST /fr/map/{id}/update/settings/               map_update: the same
//	POST /fr/map/{id}/update/permissions/            map_update_permissions: {info}
//	POST /fr/map/{id}/datalayer/create/{uuid}/       datalayer_create: the layer's metadata
//	POST /fr/map/{id}/datalayer/update/{uuid}/       datalayer_update: the same
//	GET  /fr/map/{slug}_{id}                         the saved map's page
//	GET  /fr/datalayer/{id}/{uuid}/                  datalayer_view: the layer's GeoJSON as saved
//
// Any other request is answered 404 and listed by Unexpected.
type umapFrontend struct {
	static string
	mu     sync.Mutex
	maps   map[int]*savedMap
	other  []string
	// served lists the static files asked for (UMAP_STATIC_LOG writes them out: how the vendored set was chosen).
	served map[string]bool
}

type savedMap struct {
	settings json.RawMessage // the Feature uMap's save() posts: geometry (the centre) and properties
	layers   []*savedLayer
}

type savedLayer struct {
	uuid     string
	rank     int
	settings json.RawMessage
	geojson  json.RawMessage
}

func newUMapFrontend(static string) *umapFrontend {
	return &umapFrontend{static: static, maps: map[int]*savedMap{}, served: map[string]bool{}}
}

var (
	umapMapPage     = regexp.MustCompile(`^/fr/map/[a-z0-9-]*_(\d+)$`)
	umapMapUpdate   = regexp.MustCompile(`^/fr/map/(\d+)/update/(settings|permissions)/$`)
	umapLayerSave   = regexp.MustCompile(`^/fr/map/(\d+)/datalayer/(create|update)/([0-9a-f-]{36})/$`)
	umapLayerView   = regexp.MustCompile(`^/fr/datalayer/(\d+)/([0-9a-f-]{36})/$`)
	umapSettingsTpl = template.Must(template.New("map").Parse(umapPageHTML))
)

func (u *umapFrontend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/static/") && r.Method == http.MethodGet:
		u.mu.Lock()
		u.served[strings.TrimPrefix(p, "/static/")] = true
		u.mu.Unlock()
		http.StripPrefix("/static/", http.FileServer(http.Dir(u.static))).ServeHTTP(w, r)
	case p == "/fr/map/new/" && r.Method == http.MethodGet:
		u.page(w, map[string]any{"type": "Feature", "geometry": map[string]any{"type": "Point", "coordinates": []float64{2, 51}},
			"properties": map[string]any{"zoom": 6}}, nil, nil)
	case p == "/fr/map/create/" && r.Method == http.MethodPost:
		u.saveMap(w, r, 0)
	case umapMapUpdate.MatchString(p) && r.Method == http.MethodPost:
		m := umapMapUpdate.FindStringSubmatch(p)
		id, _ := strconv.Atoi(m[1])
		if m[2] == "permissions" {
			writeJSON(w, map[string]any{"info": "Map editors updated with success!"})
			return
		}
		u.saveMap(w, r, id)
	case umapLayerSave.MatchString(p) && r.Method == http.MethodPost:
		m := umapLayerSave.FindStringSubmatch(p)
		id, _ := strconv.Atoi(m[1])
		u.saveLayer(w, r, id, m[3])
	case umapMapPage.MatchString(p) && r.Method == http.MethodGet:
		id, _ := strconv.Atoi(umapMapPage.FindStringSubmatch(p)[1])
		u.mu.Lock()
		sm := u.maps[id]
		u.mu.Unlock()
		if sm == nil {
			http.NotFound(w, r)
			return
		}
		var settings map[string]any
		json.Unmarshal(sm.settings, &settings)
		u.page(w, settings, &id, sm.layers)
	case umapLayerView.MatchString(p) && r.Method == http.MethodGet:
		m := umapLayerView.FindStringSubmatch(p)
		id, _ := strconv.Atoi(m[1])
		u.mu.Lock()
		defer u.mu.Unlock()
		if sm := u.maps[id]; sm != nil {
			for _, l := range sm.layers {
				if l.uuid == m[2] {
					w.Header().Set("Content-Type", "application/json")
					w.Header().Set("X-Datalayer-Version", "1")
					w.Write(l.geojson)
					return
				}
			}
		}
		http.NotFound(w, r)
	default:
		u.mu.Lock()
		u.other = append(u.other, r.Method+" "+r.URL.String())
		u.mu.Unlock()
		http.NotFound(w, r)
	}
}

// Unexpected lists the requests no stub answered.
func (u *umapFrontend) Unexpected() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.other...)
}

// Saved returns what uMap saved of map id: its settings and, by rank, each layer's settings and GeoJSON.
func (u *umapFrontend) Saved(id int) (json.RawMessage, [][2]json.RawMessage) {
	u.mu.Lock()
	defer u.mu.Unlock()
	sm := u.maps[id]
	if sm == nil {
		return nil, nil
	}
	var layers [][2]json.RawMessage
	for _, l := range sm.layers {
		layers = append(layers, [2]json.RawMessage{l.settings, l.geojson})
	}
	return sm.settings, layers
}

// WriteStaticLog writes the static files served, one a line, when UMAP_STATIC_LOG names a file.
func (u *umapFrontend) WriteStaticLog(t *testing.T) {
	name := os.Getenv("UMAP_STATIC_LOG")
	if name == "" {
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	var lines []string
	for p := range u.served {
		lines = append(lines, p)
	}
	if err := os.WriteFile(name, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Error(err)
	}
}

var umapUser = map[string]any{"id": 1, "name": "patrimap-test", "url": "/fr/me", "teams": []any{}}

func (u *umapFrontend) saveMap(w http.ResponseWriter, r *http.Request, id int) {
	if err := r.ParseMultipartForm(64 << 20); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	settings := json.RawMessage(r.FormValue("settings"))
	if !json.Valid(settings) {
		http.Error(w, "settings is not JSON", http.StatusBadRequest)
		return
	}
	u.mu.Lock()
	if id == 0 {
		id = len(u.maps) + 1
		u.maps[id] = &savedMap{}
	}
	sm := u.maps[id]
	u.mu.Unlock()
	if sm == nil {
		http.NotFound(w, r)
		return
	}
	u.mu.Lock()
	sm.settings = settings
	u.mu.Unlock()
	writeJSON(w, map[string]any{"id": id, "url": fmt.Sprintf("/fr/map/carte_%d", id),
		"permissions": map[string]any{"edit_status": 3, "share_status": 1, "owner": umapUser, "editors": []any{}}, "user": umapUser})
}

func (u *umapFrontend) saveLayer(w http.ResponseWriter, r *http.Request, id int, uuid string) {
	if err := r.ParseMultipartForm(64 << 20); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f, _, err := r.FormFile("geojson")
	if err != nil {
		http.Error(w, "no geojson: "+err.Error(), http.StatusBadRequest)
		return
	}
	geojson, _ := io.ReadAll(f)
	f.Close()
	settings := json.RawMessage(r.FormValue("settings"))
	rank, _ := strconv.Atoi(r.FormValue("rank"))
	u.mu.Lock()
	defer u.mu.Unlock()
	sm := u.maps[id]
	if sm == nil || !json.Valid(settings) || !json.Valid(geojson) {
		http.Error(w, "no such map, or settings or geojson not JSON", http.StatusBadRequest)
		return
	}
	var l *savedLayer
	for _, x := range sm.layers {
		if x.uuid == uuid {
			l = x
		}
	}
	if l == nil {
		l = &savedLayer{uuid: uuid}
		sm.layers = append(sm.layers, l)
	}
	l.rank, l.settings, l.geojson = rank, settings, geojson
	w.Header().Set("X-Datalayer-Version", "1")
	writeJSON(w, layerMetadata(l))
}

func layerMetadata(l *savedLayer) map[string]any {
	return map[string]any{"properties": l.settings, "id": l.uuid, "rank": l.rank,
		"permissions": map[string]any{"edit_status": 0}, "editMode": "advanced", "referenceVersion": "1"}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// page writes a map page as uMap's map_detail.html does: its settings are the map's own (geometry and
// properties) completed with what MapDetailMixin.get_map_properties adds for a signed-in owner, in French.
func (u *umapFrontend) page(w http.ResponseWriter, settings map[string]any, id *int, layers []*savedLayer) {
	props, _ := settings["properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
	}
	var datalayers []any
	for _, l := range layers {
		datalayers = append(datalayers, layerMetadata(l))
	}
	if datalayers == nil {
		datalayers = []any{}
	}
	for k, v := range map[string]any{
		"urls": umapURLs, "tilelayers": []any{map[string]any{"id": 1, "name": "OpenStreetMap", "url_template": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
			"minZoom": 0, "maxZoom": 19, "attribution": "map data © [[https://osm.org/copyright|OpenStreetMap contributors]] under ODbL", "rank": 1, "tms": false, "selected": true}},
		"editMode": "advanced", "schema": map[string]any{"iconUrl": map[string]any{"default": "/static/umap/img/marker.svg"}},
		"id": id, "starred": false, "stars": 0, "licences": map[string]any{"ODbL": map[string]any{"name": "ODbL", "url": "https://opendatacommons.org/licenses/odbl/"}},
		"umap_version": "3.8.1", "featuresHaveOwner": false, "websocketEnabled": false, "importers": map[string]any{},
		"defaultLabelKeys": []string{"name", "title"}, "help_links": []any{}, "ttl": map[string]string{"300": "5 min", "3600": "1 heure", "86400": "1 jour"},
		"default_ttl": 300, "edit_statuses": [][2]any{{1, "Tout le monde"}, {2, "Éditeurs et équipe seulement"}, {3, "Propriétaire seulement"}},
		"datalayer_edit_statuses": [][2]any{{0, "Hériter"}, {1, "Tout le monde"}, {2, "Éditeurs et équipe seulement"}, {3, "Propriétaire seulement"}},
		"share_statuses":          [][2]any{{0, "Brouillon (privé)"}, {1, "Tout le monde (public)"}, {2, "Quiconque a le lien"}, {3, "Éditeurs et équipe seulement"}},
		"permissions":             map[string]any{"edit_status": 3, "share_status": 1, "owner": umapUser, "editors": []any{}},
		"user":                    umapUser, "lang": "fr", "locale": "fr", "datalayers": datalayers,
	} {
		props[k] = v
	}
	settings["properties"] = props
	b, err := json.Marshal(settings)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	umapSettingsTpl.Execute(w, string(b))
}

// umapURLs are uMap's URL templates (umap.utils._urls_for_js over umap/urls.py), for the French locale.
var umapURLs = map[string]string{
	"map_new": "/fr/map/new/", "map_create": "/fr/map/create/", "map_update": "/fr/map/{map_id}/update/settings/",
	"map_update_permissions": "/fr/map/{map_id}/update/permissions/", "map_delete": "/fr/map/{map_id}/update/delete/",
	"map_clone": "/fr/map/{map_id}/update/clone/", "map_download": "/map/{map_id}/download/",
	"map_star": "/fr/map/{map_id}/star/", "map_attach_owner": "/fr/map/{map_id}/update/owner/",
	"map_websocket_auth_token": "/fr/map/{map_id}/ws-token/",
	"datalayer_create":         "/fr/map/{map_id}/datalayer/create/{pk}/", "datalayer_update": "/fr/map/{map_id}/datalayer/update/{pk}/",
	"datalayer_delete": "/fr/map/{map_id}/datalayer/delete/{pk}/", "datalayer_permissions": "/fr/map/{map_id}/datalayer/permissions/{pk}/",
	"datalayer_view": "/fr/datalayer/{map_id}/{pk}/", "datalayer_versions": "/fr/datalayer/{map_id}/{pk}/versions/",
	"datalayer_version": "/fr/datalayer/{map_id}/{pk}/{ref}", "template_list": "/fr/templates/json/",
	"pictogram_list_json": "/fr/pictogram/json/", "home": "/fr/", "search": "/fr/search/", "login": "/fr/login/",
	"whoami": "/fr/whoami", "user_dashboard": "/fr/me", "user_teams": "/fr/me/teams", "user_profile": "/fr/me/profile",
}

// umapPageHTML is uMap's map_detail.html with its css.html, js.html (locale fr), the alert templates of
// messages.html (texts shortened) and map_init.html, under /static/.
const umapPageHTML = `<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>uMap 3.8.1 (front end under test)</title>
<meta name="viewport" content="width=device-width, initial-scale=1.0, maximum-scale=1.0, user-scalable=no">
<link rel="stylesheet" href="/static/umap/vendors/leaflet/leaflet.css">
<link rel="stylesheet" href="/static/umap/vendors/minimap/Control.MiniMap.min.css">
<link rel="stylesheet" href="/static/umap/vendors/measurable/Leaflet.Measurable.css">
<link rel="stylesheet" href="/static/umap/vendors/fullscreen/leaflet.fullscreen.css">
<link rel="stylesheet" href="/static/umap/vars.css">
<link rel="stylesheet" href="/static/umap/base.css">
<link rel="stylesheet" href="/static/umap/css/popup.css">
<link rel="stylesheet" href="/static/umap/css/form.css">
<link rel="stylesheet" href="/static/umap/css/icon.css">
<link rel="stylesheet" href="/static/umap/content.css">
<link rel="stylesheet" href="/static/umap/nav.css">
<link rel="stylesheet" href="/static/umap/map.css">
<link rel="stylesheet" href="/static/umap/css/slideshow.css">
<link rel="stylesheet" href="/static/umap/css/contextmenu.css">
<link rel="stylesheet" href="/static/umap/css/panel.css">
<link rel="stylesheet" href="/static/umap/css/window.css">
<link rel="stylesheet" href="/static/umap/css/tooltip.css">
<link rel="stylesheet" href="/static/umap/css/dialog.css">
<link rel="stylesheet" href="/static/umap/css/importers.css">
<link rel="stylesheet" href="/static/umap/css/tableeditor.css">
<link rel="stylesheet" href="/static/umap/css/bar.css">
<link rel="stylesheet" href="/static/umap/css/browser.css">
<link rel="stylesheet" href="/static/umap/theme.css">
<script type="importmap">
{"imports": {
  "@turf/meta": "/static/umap/vendors/turf/meta/index.js",
  "@turf/helpers": "/static/umap/vendors/turf/helpers/index.js",
  "@turf/flatten": "/static/umap/vendors/turf/flatten/index.js",
  "@turf/invariant": "/static/umap/vendors/turf/invariant/index.js",
  "@turf/distance": "/static/umap/vendors/turf/distance/index.js",
  "@turf/clean-coords": "/static/umap/vendors/turf/clean-coords/index.js",
  "@turf/boolean-point-on-line": "/static/umap/vendors/turf/boolean-point-on-line/index.js",
  "@turf/boolean-point-in-polygon": "/static/umap/vendors/turf/boolean-point-in-polygon/index.js",
  "@turf/point-to-line-distance": "/static/umap/vendors/turf/point-to-line-distance/index.js",
  "@turf/nearest-point-on-line": "/static/umap/vendors/turf/nearest-point-on-line/index.js",
  "@turf/rhumb-distance": "/static/umap/vendors/turf/rhumb-distance/index.js",
  "point-in-polygon-hao": "/static/umap/vendors/point-in-polygon-hao/index.js",
  "robust-predicates": "/static/umap/vendors/robust-predicates/index.js",
  "@turf/flip": "/static/umap/vendors/turf/flip/index.js",
  "@turf/clone": "/static/umap/vendors/turf/clone/index.js",
  "@turf/area": "/static/umap/vendors/turf/area/index.js",
  "@turf/centroid": "/static/umap/vendors/turf/centroid/index.js",
  "@turf/length": "/static/umap/vendors/turf/length/index.js",
  "@turf/bbox": "/static/umap/vendors/turf/bbox/index.js",
  "leaflet": "/static/umap/vendors/leaflet/leaflet-src.esm.js",
  "ol/": "/static/umap/vendors/ol/",
  "rbush": "/static/umap/vendors/rbush/index.js",
  "quickselect": "/static/umap/vendors/quickselect/index.js",
  "osm2geojson": "/static/umap/vendors/osm2geojson/index.mjs",
  "colorbrewer": "/static/umap/vendors/colorbrewer/colorbrewer.js",
  "simple-statistics/": "/static/umap/vendors/simple-statistics/"
}}
</script>
<script type="module" src="/static/umap/vendors/leaflet/leaflet-src.esm.js" defer></script>
<script type="module" src="/static/umap/js/modules/leaflet-configure.js" defer></script>
<script src="/static/umap/vendors/heat/leaflet-heat.js" defer></script>
<script src="/static/umap/locale/fr.js" defer></script>
<script src="/static/umap/vendors/editable/Path.Drag.js" defer></script>
<script src="/static/umap/vendors/editable/Leaflet.Editable.js" defer></script>
<script type="module" src="/static/umap/js/modules/global.js" defer></script>
<script src="/static/umap/vendors/minimap/Control.MiniMap.min.js" defer></script>
<script src="/static/umap/vendors/csv2geojson/csv2geojson.js" defer></script>
<script src="/static/umap/vendors/fullscreen/Leaflet.fullscreen.min.js" defer></script>
<script src="/static/umap/vendors/measurable/Leaflet.Measurable.js" defer></script>
<script src="/static/umap/vendors/textpath/leaflet.textpath.js" defer></script>
<script src="/static/umap/js/umap.controls.js" defer></script>
<script type="module" src="/static/umap/js/components/fragment.js" defer></script>
<script type="module" src="/static/umap/js/components/modal.js" defer></script>
<script type="module" src="/static/umap/js/components/copiable.js" defer></script>
</head>
<body class="map_detail">
<style type="text/css">@import "/static/umap/js/components/alerts/alert.css";</style>
<template id="umap-alert-template">
  <div role="dialog" class="dark window umap-alert"><div><p role="alert"></p></div>
  <ul class="buttons"><li><button class="icon icon-16 icon-close" aria-label="Fermer" data-close></button></li></ul></div>
</template>
<umap-alert></umap-alert>
<template id="umap-alert-creation-template">
  <div role="dialog" class="dark window umap-alert"><div><h3 role="alert"></h3>
  <div class="anonymous soft-rounded aplat"><div id="link-wrapper"><form><label for="url">Lien secret</label>
  <fieldset role="group"><input type="url" name="url" id="url"><input type="button" value="Copier le lien"></fieldset></form></div>
  <div id="form-wrapper" hidden><form><label for="email">Courriel</label><fieldset role="group"><input type="email" name="email" id="email" required>
  <input type="submit" value="M'envoyer le lien" class="umap-action"></fieldset></form></div></div></div>
  <ul class="buttons"><li><button class="icon icon-16 icon-close" aria-label="Fermer" data-close></button></li></ul></div>
</template>
<umap-alert-creation></umap-alert-creation>
<template id="umap-alert-conflict-template">
  <div role="dialog" class="dark window umap-alert"><div><p role="alert"></p><div id="conflict-wrapper"><form>
  <a href="#" target="_blank">Voir leurs modifications</a><input id="your-changes" type="submit" value="Garder vos modifications">
  <input id="their-changes" type="submit" value="Garder leurs modifications"></form></div></div>
  <ul class="buttons"><li><button class="icon icon-16 icon-close" aria-label="Fermer" data-close></button></li></ul></div>
</template>
<umap-alert-conflict></umap-alert-conflict>
<script type="module">
import { register } from '/static/umap/js/components/base.js'
import { Alert, AlertCreation, AlertConflict } from '/static/umap/js/components/alerts/alert.js'
register(Alert, 'umap-alert')
register(AlertCreation, 'umap-alert-creation')
register(AlertConflict, 'umap-alert-conflict')
</script>
<div id="map"></div>
<script id="map-settings" data-settings="{{.}}"></script>
<script defer type="module">
import App from '/static/umap/js/modules/app.js'
U.SETTINGS = JSON.parse(document.getElementById('map-settings').dataset.settings)
U.MAP = new App("map", U.SETTINGS)
</script>
</body>
</html>
`
