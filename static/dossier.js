// The territory dossier's page (/territories/{spec}): draws its charts with Observable Plot (vendored, SVG) and one
// map per theme with MapLibre over patrimap's vector tiles, in the web map's colours, with the territory's outline
// and a legend. The figures, the tables, the text alternatives and the CSV files are in the page already (written
// by the server); this script only draws.
//
// Observable Plot was chosen over Vega-Lite and Chart.js for what a dossier needs: it writes plain SVG (printed
// sharp, read by screen readers through aria-label and aria-description on the figure and on each mark) where
// Chart.js draws on a canvas that assistive technology cannot read, and it is about half the weight of Vega-Lite
// with Vega (≈ 490 kB with d3, against ≈ 1 MB), with a maintained release line (ISC).
//
// window.dossierReady resolves once every chart and map is drawn (maps: once MapLibre is idle, then turned into
// an image so that printing and saving the page keep them): `patrimap dossier` waits for it before printing.
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("dossier-data").textContent);
  var D = data.dossier, W = data.words, L = data.lang, TOP = data.top;
  var problems = [];
  function fmt(n, digits) {
    return Number(n).toLocaleString(L === "en" ? "en-GB" : "fr-FR", { maximumFractionDigits: digits || 0, minimumFractionDigits: digits || 0 });
  }
  function pct(x) { return fmt(x * 100, 1) + (L === "en" ? "%" : " %"); }

  // Colours: the web map's, over the whole catalogue (every dataset of the store is an inventory of the dossier).
  var catalogue = D.inventories.map(function (inv) { return { id: inv.dataset, theme: inv.theme, title: inv.title }; });
  window.patrimapLayerStyle.assignColours(catalogue);
  function colourOf(id) {
    var d = catalogue.find(function (x) { return x.id === id; });
    return d ? d.colour : "#555555";
  }
  var PROTECTION_COLOURS = [colourOf(D.monuments ? D.monuments.dataset : ""), "#ef6c00", "#6a1b9a", "#9e9e9e"];

  // ---- charts ------------------------------------------------------------------------------------------------
  function width(box) { return Math.max(320, Math.min(900, box.clientWidth || 800)); }
  function place(id, svg) {
    var box = document.getElementById("svg-" + id);
    if (!svg.matches("svg")) { // a figure with a legend: the chart is its own <svg>, the swatches are decoration
      svg.querySelectorAll("svg").forEach(function (s) { s.setAttribute("aria-hidden", "true"); });
      var plot = svg.querySelector(":scope > svg");
      plot.removeAttribute("aria-hidden");
      label(id, plot);
    } else {
      label(id, svg);
    }
    box.appendChild(svg);
  }
  // Each chart's SVG is an image named by its caption and described by the text alternative beside it.
  function label(id, svg) {
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-labelledby", "cap-" + id);
    svg.setAttribute("aria-describedby", "alt-" + id);
  }
  function chart(id, draw) {
    var box = document.getElementById("svg-" + id);
    if (!box) return;
    try {
      place(id, draw(width(box)));
    } catch (err) {
      problems.push(id + ": " + err.message);
      box.textContent = err.message;
    }
  }

  function monumentsByCommune(w) {
    var per = D.monuments.per_commune.slice(0, TOP);
    var kinds = [W.classe, W.inscrit, W.both, W.unknownProtection];
    var rows = [];
    per.forEach(function (c) {
      [c.classe, c.inscrit, c.classe_et_inscrit, c.protection_unknown].forEach(function (n, i) {
        if (n > 0) rows.push({ commune: c.name, kind: kinds[i], n: n });
      });
    });
    return Plot.plot({
      width: w, height: 40 + 22 * per.length, marginLeft: 170, marginRight: 30,
      ariaLabel: W.byCommune,
      x: { label: W.monumentsTotal, grid: true, tickFormat: function (v) { return fmt(v); } }, y: { label: null, domain: per.map(function (c) { return c.name; }) },
      color: { domain: kinds, range: PROTECTION_COLOURS, legend: true },
      marks: [
        Plot.barX(rows, Plot.stackX({ x: "n", y: "commune", fill: "kind", order: kinds, title: function (r) { return r.commune + " – " + r.kind + " : " + r.n; } })),
        Plot.text(per, { x: "total", y: "name", text: function (c) { return fmt(c.total); }, dx: 4, textAnchor: "start" }),
        Plot.ruleX([0]),
      ],
    });
  }

  // The teams' "pyramid": decades top to bottom, monuments first classé to the left, first inscrit to the right.
  function protectionsByDecade(w) {
    var rows = [];
    D.monuments.decades.forEach(function (d) {
      rows.push({ decade: String(d.decade), kind: W.classe, n: -d.classe, v: d.classe });
      rows.push({ decade: String(d.decade), kind: W.inscrit, n: d.inscrit, v: d.inscrit });
    });
    return Plot.plot({
      width: w, height: 40 + 16 * D.monuments.decades.length, marginLeft: 50,
      ariaLabel: W.byDecade,
      x: { label: "← " + W.classe + " · " + W.inscrit + " →", labelAnchor: "center", tickFormat: function (v) { return fmt(Math.abs(v)); }, grid: true },
      y: { label: null, domain: D.monuments.decades.map(function (d) { return String(d.decade); }) },
      color: { domain: [W.classe, W.inscrit], range: PROTECTION_COLOURS.slice(0, 2), legend: true },
      marks: [
        Plot.barX(rows, { x: "n", y: "decade", fill: "kind", title: function (r) { return r.decade + " – " + r.kind + " : " + r.v; } }),
        Plot.ruleX([0]),
      ],
    });
  }

  function naturalByStatus(w) {
    var rows = D.inventories.filter(function (i) { return i.kind === "natural" && i.area_ha !== undefined; });
    var most = Math.max.apply(null, rows.map(function (r) { return r.area_ha; }).concat([1]));
    return Plot.plot({
      width: w, height: 40 + 26 * rows.length, marginLeft: 260, marginRight: 20,
      ariaLabel: W.byStatus,
      // Room on the right for the labels of the longest bar.
      x: { label: W.areaHa, grid: true, domain: [0, most * 1.35], tickFormat: function (v) { return fmt(v); } },
      y: { label: null, domain: rows.map(function (r) { return r.title; }) },
      marks: [
        Plot.barX(rows, { x: "area_ha", y: "title", fill: function (r) { return colourOf(r.dataset); }, title: function (r) { return r.title + " : " + fmt(r.area_ha) + " ha"; } }),
        Plot.text(rows, { x: "area_ha", y: "title", text: function (r) { return fmt(r.area_ha) + " ha · " + pct(r.share || 0); }, dx: 4, textAnchor: "start" }),
        Plot.ruleX([0]),
      ],
    });
  }

  function naturalByCommune(w) {
    var rows = D.natural.per_commune.slice(0, TOP);
    return Plot.plot({
      width: w, height: 40 + 22 * rows.length, marginLeft: 170, marginRight: 60,
      ariaLabel: W.naturalByCommune,
      x: { label: W.share, domain: [0, 1.12], ticks: [0, 0.25, 0.5, 0.75, 1], tickFormat: function (v) { return pct(v); }, grid: true },
      y: { label: null, domain: rows.map(function (r) { return r.name; }) },
      marks: [
        Plot.barX(rows, { x: "share", y: "name", fill: "#2e7d32", title: function (r) { return r.name + " : " + pct(r.share) + " (" + fmt(r.covered_ha) + " ha)"; } }),
        Plot.text(rows, { x: "share", y: "name", text: function (r) { return pct(r.share); }, dx: 4, textAnchor: "start" }),
        Plot.ruleX([0]),
      ],
    });
  }

  // ---- maps --------------------------------------------------------------------------------------------------
  var ORIGIN = location.origin;
  function drawMap(theme) {
    var box = document.getElementById("map-" + theme);
    var legend = document.getElementById("legend-" + theme);
    var spec = D.maps.find(function (m) { return m.theme === theme; });
    if (!box || !spec) return Promise.resolve();
    spec.datasets.forEach(function (id) {
      var inv = D.inventories.find(function (i) { return i.dataset === id; });
      var li = document.createElement("li");
      var sw = document.createElement("span");
      sw.className = "swatch";
      sw.setAttribute("aria-hidden", "true");
      sw.style.background = colourOf(id);
      li.appendChild(sw);
      li.appendChild(document.createTextNode(inv ? inv.title : id));
      legend.appendChild(li);
    });
    var edge = document.createElement("li");
    edge.innerHTML = '<span class="swatch outline-swatch" aria-hidden="true"></span>';
    edge.appendChild(document.createTextNode(W.outline));
    legend.appendChild(edge);
    if (typeof maplibregl === "undefined" || !D.territory.bbox || location.protocol === "file:" || document.body.dataset.standalone) {
      box.classList.add("map-missing");
      box.textContent = L === "en" ? "The maps are drawn by the patrimap server (patrimap serve) or in the PDF." : "Les cartes sont dessinées par le serveur patrimap (patrimap serve) ou dans le PDF.";
      return Promise.resolve();
    }
    var style = { version: 8, sources: {}, layers: [{ id: "background", type: "background", paint: { "background-color": "#f4f6f1" } }] };
    spec.datasets.forEach(function (id) {
      style.sources[id] = { type: "vector", tiles: [ORIGIN + "/tiles/" + encodeURIComponent(id) + "/{z}/{x}/{y}.mvt"], minzoom: 0, maxzoom: 14 };
      var p = window.patrimapLayerStyle.paint(colourOf(id), 1);
      var geom = {
        fill: ["match", ["geometry-type"], ["Polygon", "MultiPolygon"], true, false],
        line: ["match", ["geometry-type"], ["LineString", "MultiLineString", "Polygon", "MultiPolygon"], true, false],
        point: ["match", ["geometry-type"], ["Point", "MultiPoint"], true, false],
      };
      [["fill", "fill"], ["line", "line"], ["point", "circle"]].forEach(function (k) {
        style.layers.push({ id: id + ":" + k[0], type: k[1], source: id, "source-layer": id, filter: geom[k[0]], paint: p[k[0]] });
      });
    });
    // Outside the territory, a veil; its outline on top.
    var outline = D.territory.outline;
    style.sources.outline = { type: "geojson", data: { type: "Feature", properties: {}, geometry: outline } };
    style.sources.veil = { type: "geojson", data: { type: "Feature", properties: {}, geometry: veil(outline) } };
    style.layers.push({ id: "veil", type: "fill", source: "veil", paint: { "fill-color": "#ffffff", "fill-opacity": 0.65 } });
    style.layers.push({ id: "outline", type: "line", source: "outline", paint: { "line-color": "#222222", "line-width": 2 } });
    var b = D.territory.bbox;
    return new Promise(function (resolve) {
      var map;
      var timer = setTimeout(function () { problems.push("map " + theme + ": not drawn in 60 s"); resolve(); }, 60000);
      try {
        map = new maplibregl.Map({
          container: box, style: style, interactive: false, attributionControl: false, preserveDrawingBuffer: true,
          bounds: [[b[0], b[1]], [b[2], b[3]]], fitBoundsOptions: { padding: 12 }, fadeDuration: 0,
        });
      } catch (err) {
        clearTimeout(timer);
        problems.push("map " + theme + ": " + err.message);
        box.textContent = err.message;
        resolve();
        return;
      }
      map.on("error", function (e) { problems.push("map " + theme + ": " + ((e && e.error && e.error.message) || e)); });
      map.once("idle", function () {
        clearTimeout(timer);
        // An image of the map, so that printing and "save as" keep it; the map itself is let go.
        var img = document.createElement("img");
        img.src = map.getCanvas().toDataURL("image/png");
        img.alt = box.getAttribute("aria-label");
        img.className = "map-image";
        map.remove();
        box.textContent = "";
        box.removeAttribute("role");
        box.appendChild(img);
        resolve();
      });
    });
  }
  // veil is the world with the territory's polygons as holes.
  function veil(g) {
    var world = [[-180, -85], [180, -85], [180, 85], [-180, 85], [-180, -85]];
    var rings = [world];
    var polys = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
    polys.forEach(function (p) { rings.push(p[0]); });
    return { type: "Polygon", coordinates: rings };
  }

  // ---- start -------------------------------------------------------------------------------------------------
  var button = document.getElementById("print-button");
  if (button) button.addEventListener("click", function () { window.print(); });
  if (typeof Plot === "undefined") problems.push("Observable Plot did not load (/static/vendor/plot.umd.min.js)");
  else {
    if (D.monuments && D.monuments.per_commune && D.monuments.per_commune.length) chart("monuments-by-commune", monumentsByCommune);
    if (D.monuments && D.monuments.decades && D.monuments.decades.length) chart("protections-by-decade", protectionsByDecade);
    if (D.natural && D.natural.areas_known) {
      chart("natural-by-status", naturalByStatus);
      if (D.natural.per_commune && D.natural.per_commune.length) chart("natural-by-commune", naturalByCommune);
    }
  }
  window.dossierReady = Promise.all((D.maps || []).map(function (m) { return drawMap(m.theme); })).then(function () {
    document.body.dataset.ready = problems.length ? "error" : "true";
    return { problems: problems };
  });
})();
