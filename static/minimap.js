// minimap.js draws the GeoJSON behind each <canvas class="minimap" data-src="..."> of the OGC API pages: a
// quick look at where the features are, with no map library and no tiles fetched from elsewhere.
(function () {
  "use strict";
  function bounds(fc) {
    var b = [Infinity, Infinity, -Infinity, -Infinity];
    function walk(c) {
      if (typeof c[0] === "number") {
        b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]);
        b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]);
        return;
      }
      c.forEach(walk);
    }
    fc.features.forEach(function (f) { if (f.geometry && f.geometry.coordinates) walk(f.geometry.coordinates); });
    return b;
  }
  function draw(canvas, fc) {
    var ctx = canvas.getContext("2d"), w = canvas.width, h = canvas.height, b = bounds(fc);
    if (!isFinite(b[0])) { ctx.fillText("no geometry", 10, 20); return; }
    var lat = (b[1] + b[3]) / 2, k = Math.cos(lat * Math.PI / 180);
    var sx = (b[2] - b[0]) * k || 1e-6, sy = (b[3] - b[1]) || 1e-6, s = Math.min((w - 20) / sx, (h - 20) / sy);
    var ox = (w - sx * s) / 2, oy = (h - sy * s) / 2;
    function xy(c) { return [ox + (c[0] - b[0]) * k * s, h - oy - (c[1] - b[1]) * s]; }
    ctx.fillStyle = "rgba(46,125,50,0.35)"; ctx.strokeStyle = "#1b5e20"; ctx.lineWidth = 1;
    function path(rings, close) {
      ctx.beginPath();
      rings.forEach(function (r) { r.forEach(function (c, i) { var p = xy(c); if (i) ctx.lineTo(p[0], p[1]); else ctx.moveTo(p[0], p[1]); }); if (close) ctx.closePath(); });
      if (close) ctx.fill("evenodd");
      ctx.stroke();
    }
    function geom(g) {
      if (!g) return;
      switch (g.type) {
        case "Point": var p = xy(g.coordinates); ctx.beginPath(); ctx.arc(p[0], p[1], 3, 0, 2 * Math.PI); ctx.fill(); ctx.stroke(); return;
        case "MultiPoint": g.coordinates.forEach(function (c) { geom({ type: "Point", coordinates: c }); }); return;
        case "LineString": path([g.coordinates], false); return;
        case "MultiLineString": path(g.coordinates, false); return;
        case "Polygon": path(g.coordinates, true); return;
        case "MultiPolygon": g.coordinates.forEach(function (p) { path(p, true); }); return;
        case "GeometryCollection": g.geometries.forEach(geom); return;
      }
    }
    fc.features.forEach(function (f) { geom(f.geometry); });
  }
  document.querySelectorAll("canvas.minimap").forEach(function (canvas) {
    fetch(canvas.dataset.src, { headers: { Accept: "application/geo+json" } })
      .then(function (r) { return r.json(); })
      .then(function (doc) { draw(canvas, doc.type === "Feature" ? { features: [doc] } : doc); })
      .catch(function (e) { canvas.getContext("2d").fillText("map unavailable: " + e, 10, 20); });
  });
})();
