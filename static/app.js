// A dependency-free preview: lists the catalogue and draws each dataset's GeoJSON on a canvas.
(function () {
  "use strict";
  var palette = ["#2e7d32", "#c62828", "#1565c0", "#ef6c00", "#6a1b9a", "#00838f", "#9e9d24", "#4e342e"];
  var canvas = document.getElementById("map");
  var ctx = canvas.getContext("2d");
  var layers = [];

  function project(bbox) {
    var w = canvas.width, h = canvas.height;
    var k = Math.cos(((bbox[1] + bbox[3]) / 2) * Math.PI / 180); // equirectangular, true at mid-latitude
    var sx = w / ((bbox[2] - bbox[0]) * k || 1), sy = h / ((bbox[3] - bbox[1]) || 1);
    var s = Math.min(sx, sy) * 0.95;
    var ox = (w - (bbox[2] - bbox[0]) * k * s) / 2, oy = (h - (bbox[3] - bbox[1]) * s) / 2;
    return function (p) { return [ox + (p[0] - bbox[0]) * k * s, h - oy - (p[1] - bbox[1]) * s]; };
  }

  function drawGeometry(g, proj) {
    if (!g) return;
    var rings = [];
    switch (g.type) {
      case "Point": rings = null; dot(proj(g.coordinates)); return;
      case "MultiPoint": g.coordinates.forEach(function (c) { dot(proj(c)); }); return;
      case "LineString": line([g.coordinates], proj, false); return;
      case "MultiLineString": line(g.coordinates, proj, false); return;
      case "Polygon": line(g.coordinates, proj, true); return;
      case "MultiPolygon": g.coordinates.forEach(function (p) { line(p, proj, true); }); return;
      case "GeometryCollection": g.geometries.forEach(function (m) { drawGeometry(m, proj); }); return;
    }
    return rings;
  }
  function dot(xy) { ctx.beginPath(); ctx.arc(xy[0], xy[1], 3, 0, 2 * Math.PI); ctx.fill(); }
  function line(parts, proj, fill) {
    ctx.beginPath();
    parts.forEach(function (ring) {
      ring.forEach(function (c, i) { var xy = proj(c); if (i) ctx.lineTo(xy[0], xy[1]); else ctx.moveTo(xy[0], xy[1]); });
      if (fill) ctx.closePath();
    });
    if (fill) ctx.fill("evenodd");
    ctx.stroke();
  }

  function redraw() {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    var shown = layers.filter(function (l) { return l.visible && l.data && l.meta.bbox; });
    if (!shown.length) return;
    var b = shown.reduce(function (a, l) {
      var m = l.meta.bbox; return [Math.min(a[0], m[0]), Math.min(a[1], m[1]), Math.max(a[2], m[2]), Math.max(a[3], m[3])];
    }, [180, 90, -180, -90]);
    var proj = project(b);
    shown.forEach(function (l) {
      ctx.strokeStyle = l.color; ctx.fillStyle = l.color + "55"; ctx.lineWidth = 1;
      l.data.features.forEach(function (f) { drawGeometry(f.geometry, proj); });
    });
  }

  function row(l) {
    var tr = document.createElement("tr");
    var d = l.meta;
    var box = document.createElement("input");
    box.type = "checkbox"; box.checked = true; box.id = "show-" + d.id;
    box.setAttribute("aria-label", "Afficher " + d.title);
    box.addEventListener("change", function () { l.visible = box.checked; redraw(); });
    var cells = [box, null, d.producer, String(d.feature_count), String(d.version), null];
    cells.forEach(function (c, i) {
      var td = document.createElement("td");
      if (i === 1) {
        var sw = document.createElement("span"); sw.className = "swatch"; sw.style.background = l.color;
        var label = document.createElement("label"); label.htmlFor = box.id; label.textContent = d.title;
        td.appendChild(sw); td.appendChild(label);
      } else if (i === 5) {
        var a = document.createElement("a"); a.href = "/datasets/" + d.id + ".geojson"; a.textContent = "GeoJSON";
        td.appendChild(a);
      } else if (c instanceof Node) td.appendChild(c); else td.textContent = c;
      tr.appendChild(td);
    });
    return tr;
  }

  fetch("/datasets").then(function (r) { return r.json(); }).then(function (cat) {
    var tbody = document.querySelector("#datasets tbody");
    tbody.textContent = "";
    if (!cat.datasets.length) { tbody.innerHTML = "<tr><td colspan=6>Aucun jeu de données : lancez patrimap import.</td></tr>"; return; }
    cat.datasets.forEach(function (d, i) {
      var l = { meta: d, color: palette[i % palette.length], visible: true, data: null };
      layers.push(l);
      tbody.appendChild(row(l));
      fetch("/datasets/" + d.id + ".geojson").then(function (r) { return r.json(); }).then(function (fc) { l.data = fc; redraw(); });
    });
  });
})();
