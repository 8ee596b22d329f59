// patrimap's web map: one script for the three pages that show a map.
//   data-mode="full"  (index.html)  the map with its layer panel, search, share dialog and PNG export;
//   data-mode="embed" (embed.html)  the minimal map of /embed?datasets=a,b&bbox=w,s,e,n, for an iframe;
//   data-mode="sheet" (/datasets/{id} in HTML) the small map of one dataset.
// The layers are patrimap's vector tiles (/tiles/{id}/{z}/{x}/{y}.mvt, described by /tiles/{id}.json); ?src=geojson
// reads /datasets/{id}.geojson instead, for debugging a tile problem. Nothing is loaded from another site but the
// base map's raster tiles, and only once one of them answered: offline, the map is drawn over a plain background.
(function () {
  "use strict";

  var body = document.body;
  var MODE = body.dataset.mode || "full";
  var query = new URLSearchParams(location.search);
  var LANG = (query.get("lang") || body.dataset.lang || "fr") === "en" ? "en" : "fr";
  var SOURCE = query.get("src") === "geojson" ? "geojson" : "tiles";
  var ORIGIN = location.origin;

  // ---- words -------------------------------------------------------------------------------------------------
  var TEXT = {
    fr: {
      skipToPanel: "Aller aux couches", home: "patrimap, accueil", tagline: "Patrimoine naturel et culturel",
      layersButton: "Couches", baseMap: "Fond de carte", baseOSM: "OpenStreetMap", baseIGN: "Plan IGN",
      baseNone: "Aucun (fond uni)", share: "Partager", png: "Télécharger en PNG", panelLabel: "Couches et recherche",
      searchLabel: "Rechercher un nom", searchPlaceholder: "ex. château, tourbière", searchButton: "Chercher",
      loading: "Chargement…", sourcesTitle: "Sources des couches affichées", apiLink: "API OGC – Features",
      catalogueLink: "catalogue JSON", shareTitle: "Partager cette carte", shareLink: "Lien permanent",
      copy: "Copier", copyLink: "Copier le lien", copyCode: "Copier le code", embedSize: "Taille de la carte intégrée (pixels)",
      width: "Largeur", height: "Hauteur", shareSnippet: "Code à coller dans une page web (iframe)",
      preview: "Aperçu de la carte intégrée", close: "Fermer", copied: "Copié dans le presse-papiers.",
      copyFailed: "Sélectionnez le texte et copiez-le (Ctrl+C).", openFull: "Ouvrir dans patrimap",
      themes: { natural: "Patrimoine naturel", cultural: "Patrimoine culturel", osm: "OpenStreetMap", other: "Autres couches" },
      layerCount: function (n) { return n + (n > 1 ? " couches" : " couche"); },
      features: function (n) { return fmt(n) + (n > 1 ? " objets" : " objet"); },
      unplaced: function (n) { return fmt(n) + (n > 1 ? " non localisés" : " non localisé"); },
      unplacedTitle: "Lignes de l'inventaire sans position : voir le rapport d'import",
      show: function (t) { return "Afficher " + t; }, opacity: "Opacité", opacityOf: function (t) { return "Opacité de " + t; },
      zoomTo: "Zoomer", zoomToOf: function (t) { return "Zoomer sur " + t; }, sheet: "Fiche",
      sheetOf: function (t) { return "Fiche du jeu de données " + t; }, download: "Télécharger",
      downloadOf: function (f, t) { return "Télécharger " + t + " en " + f; }, licence: "Licence", noLicence: "licence non précisée",
      noDatasets: "Aucun jeu de données : importez-en avec « patrimap import ».", noVisible: "Aucune couche affichée.",
      catalogueError: "Le catalogue n'a pas pu être lu : ", baseOffline: function (b) { return "Fond de carte « " + b + " » injoignable : la carte est affichée sur un fond uni."; },
      sourceSheet: "Fiche source", datasetSheet: "Fiche du jeu de données", kind: "Nature",
      searchShort: "Tapez au moins deux lettres.", searching: "Recherche…",
      results: function (n, more) { return n === 0 ? "Aucun résultat." : n + (n > 1 ? " résultats" : " résultat") + (more ? " (les premiers)" : "") + "."; },
      searchError: "La recherche a échoué : ", noPosition: "sans position", exporting: "Export de l'image…",
      exported: "Image exportée.", exportFailed: "L'export a échoué : ", exportNote: "Carte : patrimap",
      tilesError: "Des tuiles n'ont pas pu être lues : ", more: function (n) { return "et " + n + " autre(s) objet(s) ici"; },
      cluster: function (n) { return n.toLocaleString("fr-FR") + " sites ici : zoomez pour les voir un par un"; },
      mapLabel: "Carte des couches du patrimoine", embedTitle: "Carte patrimap", umapTitle: "Cartes uMap à importer",
      umapMap: function (name, n) { return name + " (" + n + (n > 1 ? " couches)" : " couche)"); },
      credit: function (who, licence) { return "Source : " + who + (licence ? " – " + licence : ""); },
      dossier: "Dossier du territoire",
    },
    en: {
      skipToPanel: "Skip to the layers", home: "patrimap, home", tagline: "Natural and cultural heritage",
      layersButton: "Layers", baseMap: "Base map", baseOSM: "OpenStreetMap", baseIGN: "IGN Plan",
      baseNone: "None (plain background)", share: "Share", png: "Download as PNG", panelLabel: "Layers and search",
      searchLabel: "Search a name", searchPlaceholder: "e.g. château, tourbière", searchButton: "Search",
      loading: "Loading…", sourcesTitle: "Sources of the layers shown", apiLink: "OGC API – Features",
      catalogueLink: "JSON catalogue", shareTitle: "Share this map", shareLink: "Permanent link",
      copy: "Copy", copyLink: "Copy the link", copyCode: "Copy the code", embedSize: "Size of the embedded map (pixels)",
      width: "Width", height: "Height", shareSnippet: "Code to paste into a web page (iframe)",
      preview: "Preview the embedded map", close: "Close", copied: "Copied to the clipboard.",
      copyFailed: "Select the text and copy it (Ctrl+C).", openFull: "Open in patrimap",
      themes: { natural: "Natural heritage", cultural: "Cultural heritage", osm: "OpenStreetMap", other: "Other layers" },
      layerCount: function (n) { return n + (n > 1 ? " layers" : " layer"); },
      features: function (n) { return fmt(n) + (n > 1 ? " features" : " feature"); },
      unplaced: function (n) { return fmt(n) + " unplaced"; },
      unplacedTitle: "Inventory rows without a position: see the import report",
      show: function (t) { return "Show " + t; }, opacity: "Opacity", opacityOf: function (t) { return "Opacity of " + t; },
      zoomTo: "Zoom", zoomToOf: function (t) { return "Zoom to " + t; }, sheet: "Sheet",
      sheetOf: function (t) { return "Sheet of the dataset " + t; }, download: "Download",
      downloadOf: function (f, t) { return "Download " + t + " as " + f; }, licence: "Licence", noLicence: "licence not stated",
      noDatasets: "No dataset: import some with “patrimap import”.", noVisible: "No layer shown.",
      catalogueError: "The catalogue could not be read: ", baseOffline: function (b) { return "Base map “" + b + "” unreachable: the map is drawn over a plain background."; },
      sourceSheet: "Source sheet", datasetSheet: "Dataset sheet", kind: "Kind",
      searchShort: "Type at least two letters.", searching: "Searching…",
      results: function (n, more) { return n === 0 ? "No result." : n + (n > 1 ? " results" : " result") + (more ? " (the first ones)" : "") + "."; },
      searchError: "The search failed: ", noPosition: "no position", exporting: "Exporting the image…",
      exported: "Image exported.", exportFailed: "The export failed: ", exportNote: "Map: patrimap",
      tilesError: "Some tiles could not be read: ", more: function (n) { return "and " + n + " more feature(s) here"; },
      cluster: function (n) { return n.toLocaleString("en-GB") + " sites here: zoom in to see them one by one"; },
      mapLabel: "Map of the heritage layers", embedTitle: "patrimap map", umapTitle: "uMap maps to import",
      umapMap: function (name, n) { return name + " (" + n + (n > 1 ? " layers)" : " layer)"); },
      credit: function (who, licence) { return "Source: " + who + (licence ? " – " + licence : ""); },
      dossier: "Territory dossier",
    },
  };
  var T = TEXT[LANG];
  function fmt(n) { return Number(n).toLocaleString(LANG === "en" ? "en-GB" : "fr-FR"); }

  // MapLibre's own controls, in the page's language.
  var MAPLIBRE_LOCALE = {
    fr: {
      "AttributionControl.ToggleAttribution": "Afficher ou masquer les sources",
      "AttributionControl.MapFeedback": "Signaler une erreur sur la carte",
      "FullscreenControl.Enter": "Plein écran", "FullscreenControl.Exit": "Quitter le plein écran",
      "GeolocateControl.FindMyLocation": "Me localiser", "GeolocateControl.LocationNotAvailable": "Position indisponible",
      "LogoControl.Title": "Logo MapLibre", "Map.Title": "Carte", "Marker.Title": "Repère",
      "NavigationControl.ResetBearing": "Faire glisser pour tourner la carte, cliquer pour remettre le nord en haut",
      "NavigationControl.ZoomIn": "Zoom avant", "NavigationControl.ZoomOut": "Zoom arrière",
      "Popup.Close": "Fermer la fenêtre", "ScaleControl.Feet": "ft", "ScaleControl.Meters": "m",
      "ScaleControl.Kilometers": "km", "ScaleControl.Miles": "mi", "ScaleControl.NauticalMiles": "nm",
      "GlobeControl.Enable": "Activer le globe", "GlobeControl.Disable": "Désactiver le globe",
      "TerrainControl.Enable": "Activer le relief", "TerrainControl.Disable": "Désactiver le relief",
      "CooperativeGesturesHandler.WindowsHelpText": "Utilisez Ctrl + molette pour zoomer la carte",
      "CooperativeGesturesHandler.MacHelpText": "Utilisez ⌘ + molette pour zoomer la carte",
      "CooperativeGesturesHandler.MobileHelpText": "Utilisez deux doigts pour déplacer la carte",
    },
    en: { "Map.Title": "Map", "AttributionControl.ToggleAttribution": "Show or hide the sources" },
  };

  // ---- base maps ---------------------------------------------------------------------------------------------
  // Raster XYZ tiles. The IGN Plan is the Géoplateforme's WMTS asked tile by tile (WMTS as XYZ, PM = Web Mercator).
  var BASEMAPS = {
    osm: {
      name: "OpenStreetMap", tiles: ["https://tile.openstreetmap.org/{z}/{x}/{y}.png"], maxzoom: 19,
      attribution: '© <a href="https://www.openstreetmap.org/copyright">les contributeurs d’OpenStreetMap</a>',
      probe: "https://tile.openstreetmap.org/0/0/0.png",
    },
    ign: {
      name: "Plan IGN",
      tiles: ["https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2" +
        "&STYLE=normal&TILEMATRIXSET=PM&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&FORMAT=image/png"], maxzoom: 19,
      attribution: '© <a href="https://www.ign.fr/">IGN</a> – Plan IGN v2 (Géoplateforme)',
      probe: "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2" +
        "&STYLE=normal&TILEMATRIXSET=PM&TILEMATRIX=0&TILEROW=0&TILECOL=0&FORMAT=image/png",
    },
  };
  var BACKGROUND = "#eef1ec";

  // ---- colours: one per dataset, the same on every page (static/layerstyle.js, shared with the dossier) ----------
  var LAYER_STYLE = window.patrimapLayerStyle;
  var THEMES = LAYER_STYLE.THEMES;
  var themeOf = LAYER_STYLE.themeOf;
  var assignColours = LAYER_STYLE.assignColours;

  // ---- state: what the URL says (?lang in the query, the map in the hash) ----------------------------------------
  var hash = new URLSearchParams(location.hash.replace(/^#/, ""));
  function param(name) { return hash.has(name) ? hash.get(name) : query.get(name); }
  function parseBBox(raw) {
    if (!raw) return null;
    var v = raw.split(",").map(Number);
    if (v.length !== 4 || v.some(function (x) { return !isFinite(x); })) return null;
    return [[v[0], v[1]], [v[2], v[3]]];
  }
  function parseView(raw) { // zoom/lat/lon
    if (!raw) return null;
    var v = raw.split("/").map(Number);
    if (v.length < 3 || v.some(function (x) { return !isFinite(x); })) return null;
    return { zoom: v[0], center: [v[2], v[1]] };
  }
  function parseOpacity(raw) {
    var out = {};
    (raw || "").split(",").forEach(function (p) {
      var kv = p.split(":");
      var n = Number(kv[1]);
      if (kv.length === 2 && isFinite(n)) out[kv[0]] = Math.max(0, Math.min(100, n)) / 100;
    });
    return out;
  }

  var state = {
    datasets: [], // catalogue entries with .colour, .visible, .opacity, .unplaced, .tile
    base: ["osm", "ign", "none"].indexOf(param("base")) >= 0 ? param("base") : (MODE === "sheet" ? "none" : "osm"),
  };
  var map = null;
  var popup = null;

  // ---- small helpers -------------------------------------------------------------------------------------------
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "text") e.textContent = v;
      else if (k === "class") e.className = v;
      else if (k.slice(0, 2) === "on") e.addEventListener(k.slice(2), v);
      else if (k === "checked" || k === "value") e[k] = v;
      else e.setAttribute(k, v === true ? "" : v);
    });
    (children || []).forEach(function (c) { if (c) e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return e;
  }
  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error(url + ": HTTP " + r.status);
      return r.json();
    });
  }
  function setStatus(id, text) { var e = document.getElementById(id); if (e) e.textContent = text || ""; }
  function safeURL(u) { return typeof u === "string" && /^https?:\/\//i.test(u) ? u : null; }
  function translatePage() {
    document.documentElement.lang = LANG;
    document.querySelectorAll("[data-i18n]").forEach(function (e) { var v = T[e.dataset.i18n]; if (typeof v === "string") e.textContent = v; });
    document.querySelectorAll("[data-i18n-aria]").forEach(function (e) { var v = T[e.dataset.i18nAria]; if (typeof v === "string") e.setAttribute("aria-label", v); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach(function (e) { var v = T[e.dataset.i18nPlaceholder]; if (typeof v === "string") e.placeholder = v; });
    // Copy buttons are named by their text.
    document.querySelectorAll("button[data-copy]").forEach(function (b) { b.setAttribute("aria-label", b.dataset.copy === "share-link" ? T.copyLink : T.copyCode); });
  }
  function withLang(url) { return LANG === "en" ? url + (url.indexOf("?") >= 0 ? "&" : "?") + "lang=en" : url; }

  // ---- the map style -----------------------------------------------------------------------------------------
  var GEOM = {
    polygon: ["match", ["geometry-type"], ["Polygon", "MultiPolygon"], true, false],
    line: ["match", ["geometry-type"], ["LineString", "MultiLineString", "Polygon", "MultiPolygon"], true, false],
    point: ["match", ["geometry-type"], ["Point", "MultiPoint"], true, false],
  };
  function layerIds(d) { return [d.id + ":fill", d.id + ":line", d.id + ":point"]; }
  // The attribution names each producer and licence once: the demo's nine layers come from three producers, and
  // a line per dataset covered a fifth of the map. A dataset's credit is its producer as its attribution spells
  // it ("Source : INPN – MNHN/PatriNat (OFB-MNHN-CNRS-IRD), <title> – Licence Ouverte 2.0" credits
  // "INPN – MNHN/PatriNat (OFB-MNHN-CNRS-IRD)"); an attribution that does not start with the producer keeps what
  // the attributions of its group share, computed over the whole catalogue so that lines do not change when
  // layers are shown or hidden.
  function stripCredit(d) {
    var a = String(d.attribution || d.producer || d.title).replace(/^\s*sources?\s*:\s*/i, "").trim();
    if (d.licence && a.slice(-d.licence.length) === d.licence) a = a.slice(0, -d.licence.length).replace(/[\s–—-]+$/, "");
    if (d.producer && a.indexOf(d.producer) === 0) {
      var qualifier = /^\s*\([^()]*\)/.exec(a.slice(d.producer.length)); // "(OFB-MNHN-CNRS-IRD)"
      return d.producer + (qualifier ? qualifier[0] : "");
    }
    return a;
  }
  function assignCredits(ds) {
    var groups = {};
    ds.forEach(function (d) {
      var key = (d.producer || d.attribution || d.title) + "\u0000" + (d.licence || "");
      (groups[key] = groups[key] || []).push(d);
    });
    Object.keys(groups).forEach(function (key) {
      var g = groups[key];
      var texts = g.map(stripCredit);
      var common = texts.reduce(function (p, t) {
        var n = 0;
        while (n < p.length && n < t.length && p.charAt(n) === t.charAt(n)) n++;
        return p.slice(0, n);
      });
      var credit = common;
      if (texts.some(function (t) { return t !== common; })) { // cut the shared start back to a whole part
        var cut = Math.max(common.lastIndexOf(", "), common.lastIndexOf(" – "));
        credit = cut > 0 ? common.slice(0, cut) : (g[0].producer || common);
      }
      g.forEach(function (d) { d.credit = { text: credit.trim() || d.title, licence: d.licence || "" }; });
    });
  }
  function attributionOf(d) {
    var c = d.credit || { text: stripCredit(d), licence: d.licence || "" };
    return T.credit(c.text, c.licence);
  }
  function uniqueAttributions(ds) {
    var seen = {};
    return ds.map(attributionOf).filter(function (a) { return !seen[a] && (seen[a] = true); });
  }
  function tileURL(d) { return ORIGIN + "/tiles/" + encodeURIComponent(d.id) + "/{z}/{x}/{y}.mvt"; }
  function sourceFor(d) {
    if (SOURCE === "geojson") {
      return { type: "geojson", data: ORIGIN + "/datasets/" + d.id + ".geojson", attribution: escapeHTML(attributionOf(d)) };
    }
    var tj = d.tile || {};
    // Tile URLs must be absolute (MapLibre fetches them from a worker) and keep their {z}/{x}/{y} unencoded.
    var tiles = (tj.tiles || []).map(function (u) { return /^https?:\/\//.test(u) ? u : ORIGIN + (u.charAt(0) === "/" ? "" : "/") + u; });
    var src = {
      type: "vector", tiles: tiles.length ? tiles : [tileURL(d)],
      minzoom: isFinite(tj.minzoom) ? tj.minzoom : 0, maxzoom: isFinite(tj.maxzoom) ? tj.maxzoom : 14,
      attribution: escapeHTML(attributionOf(d)),
    };
    var b = tj.bounds || d.bbox;
    if (b && b.length === 4) src.bounds = b;
    return src;
  }
  function escapeHTML(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]; });
  }
  function paintFor(d) { return LAYER_STYLE.paint(d.colour, d.opacity); }
  function addDatasetLayers(d) {
    map.addSource("ds:" + d.id, sourceFor(d));
    var p = paintFor(d);
    var common = { source: "ds:" + d.id, layout: { visibility: d.visible ? "visible" : "none" } };
    if (SOURCE === "tiles") common["source-layer"] = d.id;
    [["fill", "fill", GEOM.polygon], ["line", "line", GEOM.line], ["point", "circle", GEOM.point]].forEach(function (k) {
      var layer = Object.assign({ id: d.id + ":" + k[0], type: k[1], filter: k[2], paint: p[k[0]] }, common);
      layer.layout = Object.assign({}, common.layout);
      map.addLayer(layer);
    });
  }
  function applyPaint(d) {
    var p = paintFor(d);
    ["fill", "line", "point"].forEach(function (k) {
      Object.keys(p[k]).forEach(function (prop) { map.setPaintProperty(d.id + ":" + k, prop, p[k][prop]); });
    });
  }
  function applyVisibility(d) {
    layerIds(d).forEach(function (id) { map.setLayoutProperty(id, "visibility", d.visible ? "visible" : "none"); });
  }
  function visibleLayerIds() {
    var ids = [];
    state.datasets.forEach(function (d) { if (d.visible) ids = ids.concat(layerIds(d)); });
    return ids;
  }

  // ---- base map: added only once a tile answered, errors ignored ---------------------------------------------------
  var probes = {};
  function probe(name) {
    if (!probes[name]) {
      var ctl = new AbortController();
      var timer = setTimeout(function () { ctl.abort(); }, 5000);
      probes[name] = fetch(BASEMAPS[name].probe, { mode: "no-cors", signal: ctl.signal, credentials: "omit" })
        .then(function () { clearTimeout(timer); return true; }, function () { clearTimeout(timer); return false; });
    }
    return probes[name];
  }
  var baseRequest = 0;
  function setBase(name) {
    state.base = name;
    var mine = ++baseRequest;
    if (map.getLayer("base")) map.removeLayer("base");
    if (map.getSource("base")) map.removeSource("base");
    setStatus("base-status", "");
    var sel = document.getElementById("basemap");
    if (sel) sel.value = name;
    writeURL();
    var b = BASEMAPS[name];
    if (!b) return Promise.resolve();
    return probe(name).then(function (ok) {
      if (mine !== baseRequest) return;
      if (!ok) {
        setStatus("base-status", T.baseOffline(b.name));
        return;
      }
      map.addSource("base", { type: "raster", tiles: b.tiles, tileSize: 256, maxzoom: b.maxzoom, attribution: b.attribution });
      var first = map.getStyle().layers.find(function (l) { return l.id !== "background"; });
      map.addLayer({ id: "base", type: "raster", source: "base", paint: { "raster-fade-duration": 0 } }, first ? first.id : undefined);
    });
  }

  // ---- the URL (permalink) ------------------------------------------------------------------------------------
  var urlTimer = null;
  function stateParams(withView) {
    var p = new URLSearchParams();
    if (withView && map) {
      var c = map.getCenter();
      p.set("map", [map.getZoom().toFixed(2), c.lat.toFixed(5), c.lng.toFixed(5)].join("/"));
    }
    var shown = state.datasets.filter(function (d) { return d.visible; }).map(function (d) { return d.id; });
    p.set("layers", shown.join(","));
    var op = state.datasets.filter(function (d) { return d.opacity !== 1; })
      .map(function (d) { return d.id + ":" + Math.round(d.opacity * 100); });
    if (op.length) p.set("opacity", op.join(","));
    p.set("base", state.base);
    return p;
  }
  function writeURL() {
    if (MODE !== "full" || !map) return;
    clearTimeout(urlTimer);
    urlTimer = setTimeout(function () {
      var h = "#" + stateParams(true).toString().replace(/%2C/g, ",").replace(/%2F/g, "/").replace(/%3A/g, ":");
      if (location.hash !== h) history.replaceState(null, "", location.pathname + location.search + h);
      updateShare();
    }, 150);
  }
  function permalink() {
    return ORIGIN + "/" + (LANG === "en" ? "?lang=en" : "") + "#" +
      stateParams(true).toString().replace(/%2C/g, ",").replace(/%2F/g, "/").replace(/%3A/g, ":");
  }
  function embedURL() {
    var p = new URLSearchParams();
    var shown = state.datasets.filter(function (d) { return d.visible; });
    if (shown.length) p.set("datasets", shown.map(function (d) { return d.id; }).join(","));
    var b = map.getBounds();
    p.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); }).join(","));
    if (state.base !== "osm") p.set("base", state.base);
    var op = shown.filter(function (d) { return d.opacity !== 1; }).map(function (d) { return d.id + ":" + Math.round(d.opacity * 100); });
    if (op.length) p.set("opacity", op.join(","));
    if (LANG === "en") p.set("lang", "en");
    return ORIGIN + "/embed?" + p.toString().replace(/%2C/g, ",").replace(/%3A/g, ":");
  }

  // ---- popups ----------------------------------------------------------------------------------------------
  var HIDDEN_PROPS = { id: 1, name: 1, kind: 1, url: 1, fid: 1, layer: 1 };
  function datasetById(id) { return state.datasets.find(function (d) { return d.id === id; }); }
  function featureCard(d, props) {
    var card = el("article", { class: "feature" });
    card.appendChild(el("p", { class: "feature-dataset" }, [el("span", { class: "swatch", style: "background:" + d.colour, "aria-hidden": "true" }), d.title]));
    if (props.point_count !== undefined) { // a group of nearby sites, at low zooms
      card.appendChild(el("h3", { text: T.cluster(Number(props.point_count)) }));
      return card;
    }
    card.appendChild(el("h3", { text: props.name || (props.id !== undefined ? String(props.id) : "—") }));
    if (props.kind) card.appendChild(el("p", { class: "feature-kind" }, [T.kind + " : ", props.kind]));
    var rows = Object.keys(props).filter(function (k) {
      var v = props[k];
      return !HIDDEN_PROPS[k] && v !== null && v !== "" && typeof v !== "object";
    }).slice(0, 8);
    if (rows.length) {
      var dl = el("dl", { class: "feature-props" });
      rows.forEach(function (k) {
        var v = String(props[k]);
        dl.appendChild(el("dt", { text: k }));
        dl.appendChild(el("dd", { text: v.length > 160 ? v.slice(0, 157) + "…" : v }));
      });
      card.appendChild(dl);
    }
    var links = el("p", { class: "feature-links" });
    var u = safeURL(props.url);
    if (u) links.appendChild(el("a", { href: u, target: "_blank", rel: "noopener", text: T.sourceSheet }));
    if (MODE !== "sheet") {
      if (u) links.appendChild(document.createTextNode(" · "));
      links.appendChild(el("a", { href: withLang("/datasets/" + d.id + "?f=html"), target: MODE === "embed" ? "_blank" : null, text: T.datasetSheet }));
    }
    card.appendChild(links);
    return card;
  }
  function openPopup(lngLat, cards, extra) {
    if (popup) popup.remove();
    var box = el("div", { class: "popup" }, cards);
    if (extra) box.appendChild(el("p", { class: "status", text: extra }));
    popup = new maplibregl.Popup({ maxWidth: "340px", focusAfterOpen: true }).setLngLat(lngLat).setDOMContent(box).addTo(map);
  }
  function onMapClick(e) {
    var layers = visibleLayerIds();
    if (!layers.length) return;
    var r = 4;
    var found = map.queryRenderedFeatures([[e.point.x - r, e.point.y - r], [e.point.x + r, e.point.y + r]], { layers: layers });
    var seen = {};
    var cards = [];
    found.forEach(function (f) {
      var dsID = f.layer.id.split(":")[0];
      var key = dsID + "/" + (f.properties.id !== undefined ? f.properties.id : f.id);
      if (seen[key]) return;
      seen[key] = true;
      cards.push({ d: datasetById(dsID), props: f.properties });
    });
    if (!cards.length) return;
    var shown = cards.slice(0, 4).map(function (c) { return featureCard(c.d, c.props); });
    openPopup(e.lngLat, shown, cards.length > 4 ? T.more(cards.length - 4) : null);
  }

  // ---- creating the map ------------------------------------------------------------------------------------
  function createMap(options) {
    var m = new maplibregl.Map(Object.assign({
      container: "map",
      style: { version: 8, sources: {}, layers: [{ id: "background", type: "background", paint: { "background-color": BACKGROUND } }] },
      center: [5.7, 45.2], zoom: 7, maxZoom: 19,
      // MapLibre's compact attribution on every page: shown when the map opens, folded into its ⓘ button at the
      // first move, unfolded by it.
      attributionControl: { compact: true },
      locale: MAPLIBRE_LOCALE[LANG], dragRotate: false, pitchWithRotate: false, touchPitch: false,
    }, options || {}));
    m.touchZoomRotate.disableRotation();
    m.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    m.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
    m.getCanvas().setAttribute("aria-label", MODE === "embed" ? T.embedTitle : T.mapLabel);
    // Errors of remote tiles (base map offline) are expected; other errors are reported once, in the page.
    m.on("error", function (e) {
      var src = e && e.sourceId;
      if (src === "base") return;
      var msg = (e && e.error && e.error.message) || String(e && e.error);
      if (src) setStatus("map-status", T.tilesError + msg);
      else if (window.console) console.warn("patrimap map:", msg);
    });
    m.on("click", onMapClick);
    document.addEventListener("keydown", function (e) { // Escape closes the popup, as it closes the dialog
      if (e.key === "Escape" && popup && popup.isOpen()) { popup.remove(); m.getCanvas().focus(); }
    });
    m.on("mousemove", function (e) {
      var layers = visibleLayerIds();
      var hit = layers.length && m.queryRenderedFeatures([[e.point.x - 3, e.point.y - 3], [e.point.x + 3, e.point.y + 3]], { layers: layers }).length;
      m.getCanvas().style.cursor = hit ? "pointer" : "";
    });
    return m;
  }

  function unionBBox(ds) {
    var b = null;
    ds.forEach(function (d) {
      if (!d.bbox) return;
      b = b ? [Math.min(b[0], d.bbox[0]), Math.min(b[1], d.bbox[1]), Math.max(b[2], d.bbox[2]), Math.max(b[3], d.bbox[3])] : d.bbox.slice();
    });
    return b ? [[b[0], b[1]], [b[2], b[3]]] : null;
  }

  function loadTileJSON(ds) {
    if (SOURCE !== "tiles") return Promise.resolve();
    return Promise.all(ds.map(function (d) {
      return getJSON(ORIGIN + "/tiles/" + encodeURIComponent(d.id) + ".json")
        .then(function (tj) { d.tile = tj; }, function () { d.tile = null; });
    }));
  }

  // ---- full page: the layer panel --------------------------------------------------------------------------
  function layerItem(d) {
    var id = "layer-" + d.id;
    var box = el("input", { type: "checkbox", id: id, checked: d.visible, "aria-describedby": id + "-meta" });
    box.addEventListener("change", function () {
      d.visible = box.checked;
      applyVisibility(d);
      if (!d.visible && popup) popup.remove();
      afterLayerChange();
    });
    var label = el("label", { for: id, class: "layer-name" }, [el("span", { class: "swatch swatch-" + (d.geometry_type || "").toLowerCase(), style: "--c:" + d.colour, "aria-hidden": "true" }), d.title]);
    var meta = el("p", { class: "layer-meta", id: id + "-meta" }, [T.features(d.feature_count)]);
    d.unplacedNode = el("span", { class: "unplaced" });
    meta.appendChild(d.unplacedNode);
    var slider = el("input", {
      type: "range", min: "0", max: "100", step: "5", value: String(Math.round(d.opacity * 100)),
      id: id + "-opacity", "aria-label": T.opacityOf(d.title), "aria-valuetext": Math.round(d.opacity * 100) + " %",
    });
    var out = el("output", { for: id + "-opacity", text: Math.round(d.opacity * 100) + " %" });
    slider.addEventListener("input", function () {
      d.opacity = Number(slider.value) / 100;
      out.textContent = slider.value + " %";
      slider.setAttribute("aria-valuetext", slider.value + " %");
      applyPaint(d);
      writeURL();
    });
    var opacity = el("div", { class: "opacity" }, [el("span", { text: T.opacity, "aria-hidden": "true" }), slider, out]);
    var zoom = el("button", { type: "button", class: "small", text: T.zoomTo, "aria-label": T.zoomToOf(d.title), disabled: !d.bbox });
    zoom.addEventListener("click", function () {
      if (!d.visible) { d.visible = true; box.checked = true; applyVisibility(d); afterLayerChange(); }
      map.fitBounds([[d.bbox[0], d.bbox[1]], [d.bbox[2], d.bbox[3]]], { padding: 30, maxZoom: 15, duration: 600 });
    });
    var sheet = el("a", { class: "small button", href: withLang("/datasets/" + d.id + "?f=html"), text: T.sheet, "aria-label": T.sheetOf(d.title) });
    var dl = el("span", { class: "downloads" }, [el("span", { text: T.download + " :", class: "dl-label" })]);
    [["GeoJSON", "/datasets/" + d.id + ".geojson"], ["CSV", "/datasets/" + d.id + ".csv"], ["uMap", "/umap/datasets/" + d.id + ".umap"]]
      .forEach(function (f) { dl.appendChild(el("a", { href: f[1], download: "", text: f[0], "aria-label": T.downloadOf(f[0], d.title) })); });
    var actions = el("div", { class: "layer-actions" }, [zoom, sheet, dl]);
    var lic = el("p", { class: "layer-licence" }, [d.licence ? T.licence + " : " + d.licence : T.noLicence, " · ", d.producer || ""]);
    return el("li", { class: "layer", "data-dataset": d.id }, [el("div", { class: "layer-head" }, [box, label]), meta, opacity, actions, lic]);
  }
  function renderPanel() {
    var root = document.getElementById("layers");
    root.textContent = "";
    if (!state.datasets.length) { root.appendChild(el("p", { class: "status", text: T.noDatasets })); return; }
    THEMES.forEach(function (th) {
      var ds = state.datasets.filter(function (d) { return themeOf(d) === th; });
      if (!ds.length) return;
      var total = ds.reduce(function (n, d) { return n + (d.feature_count || 0); }, 0);
      var hid = "theme-" + th;
      root.appendChild(el("section", { class: "theme theme-" + th, "aria-labelledby": hid }, [
        el("h2", { id: hid }, [T.themes[th], " ", el("span", { class: "count", text: "(" + T.layerCount(ds.length) + " · " + T.features(total) + ")" })]),
        el("ul", { class: "layer-list" }, ds.map(layerItem)),
      ]));
    });
  }
  function renderSources() {
    var ul = document.getElementById("sources");
    if (!ul) return;
    ul.textContent = "";
    var shown = state.datasets.filter(function (d) { return d.visible; });
    if (!shown.length) ul.appendChild(el("li", { text: T.noVisible }));
    shown.forEach(function (d) {
      ul.appendChild(el("li", {}, [el("span", { class: "swatch", style: "background:" + d.colour, "aria-hidden": "true" }),
        el("strong", { text: d.title }), " — ", d.attribution || d.producer || "", d.licence && (d.attribution || "").indexOf(d.licence) < 0 ? " (" + d.licence + ")" : ""]));
    });
  }
  function renderLegend() { // embed page: a read-only legend
    var box = document.getElementById("legend");
    if (!box) return;
    box.textContent = "";
    var shown = state.datasets.filter(function (d) { return d.visible; });
    if (!shown.length) return;
    box.appendChild(el("ul", {}, shown.map(function (d) {
      return el("li", {}, [el("span", { class: "swatch", style: "background:" + d.colour, "aria-hidden": "true" }), d.title]);
    })));
  }
  function afterLayerChange() { renderSources(); writeURL(); }
  function loadUnplaced() {
    state.datasets.forEach(function (d) {
      getJSON("/datasets/" + encodeURIComponent(d.id) + ".json").then(function (full) {
        var n = full.report && full.report.without_geometry;
        d.unplaced = n || 0;
        if (n > 0 && d.unplacedNode) {
          d.unplacedNode.textContent = " · ";
          d.unplacedNode.appendChild(el("a", { href: withLang("/datasets/" + d.id + "?f=html") + "#report", title: T.unplacedTitle, text: T.unplaced(n) }));
        }
      }, function () { /* the sheet link still shows the report */ });
    });
  }

  // uMap backups of whole maps (/umap lists them); each dataset's own backup is linked from its layer.
  function loadUMapMaps() {
    getJSON("/umap").then(function (res) {
      var ul = document.getElementById("umap-maps");
      (res.maps || []).forEach(function (m) {
        ul.appendChild(el("li", {}, [el("a", { href: m.snapshot, download: "", text: T.umapMap(m.name, (m.datasets || []).length) })]));
      });
      if (ul.children.length) document.getElementById("umap-section").hidden = false;
    }, function () { /* no uMap export on this server */ });
  }

  // ---- search --------------------------------------------------------------------------------------------
  function setupSearch() {
    var form = document.getElementById("search");
    var input = document.getElementById("search-input");
    var list = document.getElementById("search-results");
    var timer = null, seq = 0;
    function run() {
      var q = input.value.trim();
      list.textContent = "";
      if (q.length < 2) { setStatus("search-status", q ? T.searchShort : ""); return; }
      var mine = ++seq;
      setStatus("search-status", T.searching);
      var ids = state.datasets.map(function (d) { return d.id; }).join(",");
      getJSON("/search?limit=20&q=" + encodeURIComponent(q) + (ids ? "&datasets=" + encodeURIComponent(ids) : "")).then(function (res) {
        if (mine !== seq) return;
        setStatus("search-status", T.results(res.results.length, res.truncated));
        res.results.forEach(function (h) {
          var d = datasetById(h.dataset);
          if (!d) return;
          var b = el("button", { type: "button", class: "result", disabled: !h.bbox }, [
            el("span", { class: "swatch", style: "background:" + d.colour, "aria-hidden": "true" }),
            el("span", { class: "result-name", text: h.name }),
            el("span", { class: "result-meta", text: [h.kind, d.title, h.bbox ? "" : T.noPosition].filter(Boolean).join(" · ") }),
          ]);
          b.addEventListener("click", function () { showHit(d, h); });
          list.appendChild(el("li", {}, [b]));
        });
      }, function (err) { if (mine === seq) setStatus("search-status", T.searchError + err.message); });
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 250); });
    form.addEventListener("submit", function (e) { e.preventDefault(); clearTimeout(timer); run(); });
  }
  function showHit(d, h) {
    if (!d.visible) {
      d.visible = true;
      var box = document.getElementById("layer-" + d.id);
      if (box) box.checked = true;
      applyVisibility(d);
      afterLayerChange();
    }
    var b = h.bbox;
    var centre = [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];
    var props = { id: h.id, name: h.name, kind: h.kind };
    // The feature's full properties (its page in the OGC API), then the move, then the popup where it ends.
    getJSON("/collections/" + encodeURIComponent(d.id) + "/items/" + h.id + "?f=json")
      .then(function (f) { return Object.assign(props, f.properties || {}); }, function () { return props; })
      .then(function (p) {
        map.once("moveend", function () { openPopup(centre, [featureCard(d, p)]); });
        if (b[0] === b[2] && b[1] === b[3]) map.flyTo({ center: centre, zoom: Math.max(map.getZoom(), 15), duration: 600 });
        else map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 40, maxZoom: 16, duration: 600 });
        if (!map.isMoving()) map.fire("moveend"); // already there: no move, open at once
      });
  }

  // ---- share dialog ------------------------------------------------------------------------------------------
  function snippet() {
    var w = Number(document.getElementById("share-width").value) || 800;
    var h = Number(document.getElementById("share-height").value) || 500;
    var titles = state.datasets.filter(function (d) { return d.visible; }).map(function (d) { return d.title; }).join(", ");
    return '<iframe src="' + escapeHTML(embedURL()) + '" width="' + w + '" height="' + h +
      '" style="border:0" loading="lazy" title="' + escapeHTML(T.embedTitle + (titles ? " : " + titles : "")) + '"></iframe>';
  }
  function updateShare() {
    var dlg = document.getElementById("share-dialog");
    if (!dlg || !dlg.open) return;
    document.getElementById("share-link").value = permalink();
    document.getElementById("share-snippet").value = snippet();
    document.getElementById("share-preview").href = embedURL();
  }
  function setupShare() {
    var dlg = document.getElementById("share-dialog");
    var btn = document.getElementById("share-button");
    btn.addEventListener("click", function () {
      if (typeof dlg.showModal === "function") dlg.showModal(); else dlg.setAttribute("open", "");
      setStatus("share-status", "");
      updateShare();
      document.getElementById("share-snippet").focus();
      document.getElementById("share-snippet").select();
    });
    dlg.addEventListener("close", function () { btn.focus(); });
    ["share-width", "share-height"].forEach(function (id) { document.getElementById(id).addEventListener("input", updateShare); });
    dlg.querySelectorAll("button[data-copy]").forEach(function (b) {
      b.addEventListener("click", function () {
        var field = document.getElementById(b.dataset.copy);
        field.select();
        var done = function () { setStatus("share-status", T.copied); };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(done, function () { setStatus("share-status", T.copyFailed); });
        } else {
          try { document.execCommand("copy"); done(); } catch (err) { setStatus("share-status", T.copyFailed); }
        }
      });
    });
  }

  // ---- PNG export at print resolution -------------------------------------------------------------------------
  // The map is re-rendered at 3 device pixels per CSS pixel (about 300 dpi for a map printed at its screen size),
  // copied during a render (the drawing buffer is only valid then), and the visible layers' sources are written
  // under the image: the licences of the layers ask for it.
  function exportPNG() {
    var canvas = map.getCanvas();
    var w = canvas.clientWidth, h = canvas.clientHeight;
    var ratio = Math.max(1, Math.min(3, 8000 / Math.max(w, h)));
    var before = map.getPixelRatio();
    setStatus("map-status", T.exporting);
    return new Promise(function (resolve, reject) {
      map.setPixelRatio(ratio);
      map.once("idle", function () {
        map.once("render", function () {
          try {
            var lines = uniqueAttributions(state.datasets.filter(function (d) { return d.visible; }));
            if (map.getSource("base")) lines.push(BASEMAPS[state.base].attribution.replace(/<[^>]+>/g, ""));
            lines.unshift(T.exportNote + " – " + new Date().toISOString().slice(0, 10));
            var fontPx = Math.round(11 * ratio), lineH = Math.round(fontPx * 1.35), pad = Math.round(6 * ratio);
            var out = document.createElement("canvas");
            out.width = canvas.width;
            out.height = canvas.height + lines.length * lineH + 2 * pad;
            var g = out.getContext("2d");
            g.fillStyle = "#ffffff";
            g.fillRect(0, 0, out.width, out.height);
            g.drawImage(canvas, 0, 0);
            g.fillStyle = "#222222";
            g.font = fontPx + "px sans-serif";
            g.textBaseline = "top";
            lines.forEach(function (l, i) { g.fillText(l, pad, canvas.height + pad + i * lineH, out.width - 2 * pad); });
            map.setPixelRatio(before);
            out.toBlob(function (blob) {
              if (!blob) { reject(new Error("empty image")); return; }
              var a = el("a", { href: URL.createObjectURL(blob), download: "patrimap-" + new Date().toISOString().slice(0, 10) + ".png" });
              document.body.appendChild(a);
              a.click();
              a.remove();
              setTimeout(function () { URL.revokeObjectURL(a.href); }, 60000);
              setStatus("map-status", T.exported);
              resolve({ width: out.width, height: out.height, bytes: blob.size });
            }, "image/png");
          } catch (err) {
            map.setPixelRatio(before);
            reject(err);
          }
        });
        map.triggerRepaint();
      });
    }).catch(function (err) { setStatus("map-status", T.exportFailed + err.message); throw err; });
  }

  // ---- the dossier of the territory in view: /territories/at finds it from the map's centre and zoom ------------
  function updateDossierLink() {
    var a = document.getElementById("dossier-link");
    if (!a || !map) return;
    var c = map.getCenter();
    a.href = "/territories/at?lon=" + c.lng.toFixed(5) + "&lat=" + c.lat.toFixed(5) + "&zoom=" + map.getZoom().toFixed(1) + (LANG === "en" ? "&lang=en" : "");
  }

  // ---- start -------------------------------------------------------------------------------------------------
  var readyResolve;
  var ready = new Promise(function (r) { readyResolve = r; });
  // For tests and for pages that script the map: the map, a promise of the first complete render, and idle().
  window.patrimap = {
    get map() { return map; }, state: state, ready: ready, exportPNG: function () { return exportPNG(); },
    idle: function () { return new Promise(function (r) { map.once("idle", r); map.triggerRepaint(); }); },
  };

  function start() {
    translatePage();
    if (MODE === "full") {
      var sw = document.getElementById("lang-switch");
      var other = LANG === "en" ? "fr" : "en";
      sw.textContent = other === "en" ? "English" : "Français";
      sw.setAttribute("lang", other);
      sw.setAttribute("hreflang", other);
      sw.setAttribute("aria-label", other === "en" ? "Display the map in English" : "Afficher la carte en français");
      sw.addEventListener("click", function (e) { // keep the map's state when switching
        e.preventDefault();
        location.href = location.pathname + (other === "en" ? "?lang=en" : "") + location.hash;
      });
      var toggle = document.getElementById("panel-toggle");
      toggle.addEventListener("click", function () {
        var open = body.classList.toggle("panel-open");
        toggle.setAttribute("aria-expanded", String(open));
        if (open) document.getElementById("panel").focus();
      });
    }
    if (MODE === "embed") document.getElementById("open-full").textContent = T.openFull;

    var view = parseView(param("map"));
    var bbox = parseBBox(param("bbox")) || parseBBox(body.dataset.bbox);
    map = createMap(MODE === "embed" ? { cooperativeGestures: window.self !== window.top } : {});
    var catalogue = getJSON("/datasets").then(function (c) { return c.datasets || []; });
    var styleLoaded = new Promise(function (r) { if (map.isStyleLoaded()) r(); else map.once("load", r); });

    Promise.all([catalogue, styleLoaded]).then(function (res) {
      var all = res[0];
      assignColours(all);
      assignCredits(all);
      var wanted = null;
      if (MODE === "embed" && param("datasets")) wanted = param("datasets").split(",");
      if (MODE === "sheet") wanted = (body.dataset.datasets || "").split(",");
      var ds = wanted ? all.filter(function (d) { return wanted.indexOf(d.id) >= 0; }) : all;
      var shown = MODE === "full" && param("layers") !== null ? param("layers").split(",") : null;
      var op = parseOpacity(param("opacity"));
      ds.forEach(function (d) {
        d.visible = shown ? shown.indexOf(d.id) >= 0 : true;
        d.opacity = op[d.id] !== undefined ? op[d.id] : 1;
      });
      state.datasets = ds;
      return loadTileJSON(ds).then(function () {
        ds.forEach(addDatasetLayers);
        if (view) map.jumpTo(view);
        else {
          var b = bbox || unionBBox(ds.filter(function (d) { return d.visible; })) || unionBBox(ds);
          if (b) map.fitBounds(b, { padding: MODE === "sheet" ? 15 : 30, duration: 0, maxZoom: 15 });
        }
        if (MODE === "full") {
          renderPanel();
          renderSources();
          loadUnplaced();
          loadUMapMaps();
          setupSearch();
          setupShare();
          var sel = document.getElementById("basemap");
          sel.value = state.base;
          sel.addEventListener("change", function () { setBase(sel.value); });
          document.getElementById("png-button").addEventListener("click", function () { exportPNG().catch(function () {}); });
          map.on("moveend", writeURL);
          writeURL();
          map.on("moveend", updateDossierLink);
          updateDossierLink();
        }
        if (MODE === "embed") {
          renderLegend();
          var full = new URLSearchParams(stateParams(true));
          document.getElementById("open-full").href = "/" + (LANG === "en" ? "?lang=en" : "") + "#" + full.toString();
          map.on("moveend", function () {
            document.getElementById("open-full").href = "/" + (LANG === "en" ? "?lang=en" : "") + "#" + stateParams(true).toString();
          });
        }
        return setBase(state.base);
      });
    }).then(function () {
      return new Promise(function (r) { map.once("idle", r); map.triggerRepaint(); });
    }).then(function () {
      body.dataset.ready = "true";
      readyResolve(map);
    }).catch(function (err) {
      setStatus("map-status", T.catalogueError + err.message);
      var layers = document.getElementById("layers");
      if (layers) { layers.textContent = ""; layers.appendChild(el("p", { class: "status", text: T.catalogueError + err.message })); }
      body.dataset.ready = "error";
      readyResolve(map);
    });
  }

  if (typeof maplibregl === "undefined") {
    setStatus("map-status", "MapLibre GL JS did not load (/static/vendor/maplibre-gl.js).");
    return;
  }
  start();
})();
