// The web map's layer style, shared by the map (app.js) and the territory dossier (dossier.js): one colour per
// dataset, the same on every page (by theme, then by id within the theme, over the whole catalogue), and how
// polygons, lines and points are painted with it.
(function () {
  "use strict";
  var PALETTES = {
    natural: ["#2e7d32", "#00897b", "#689f38", "#1b5e20", "#26a69a", "#827717"],
    cultural: ["#c62828", "#6a1b9a", "#e65100", "#ad1457", "#795548", "#4527a0"],
    osm: ["#1565c0", "#0277bd", "#283593", "#00838f"],
    other: ["#5d4037", "#546e7a", "#9e9d24", "#37474f"],
  };
  var THEMES = ["natural", "cultural", "osm", "other"];
  function themeOf(d) { return PALETTES[d.theme] ? d.theme : "other"; }
  // assignColours sets d.colour on every entry of a catalogue ({id, theme} objects).
  function assignColours(ds) {
    THEMES.forEach(function (th) {
      ds.filter(function (d) { return themeOf(d) === th; })
        .map(function (d) { return d.id; }).sort()
        .forEach(function (id, i) {
          var d = ds.find(function (x) { return x.id === id; });
          d.colour = PALETTES[th][i % PALETTES[th].length];
        });
    });
  }
  // radius is a point's radius at a zoom: base for one site; up to z10 the tiles group nearby points into one
  // feature with point_count, drawn larger as it holds more (base + 3 px per power of ten).
  function radius(base) {
    return ["case", ["has", "point_count"], ["+", base, ["*", 3, ["log10", ["max", 1, ["to-number", ["get", "point_count"]]]]]], base];
  }
  // paint is the MapLibre paint of a dataset's fill, line and point layers.
  function paint(colour, opacity) {
    var o = opacity === undefined ? 1 : opacity;
    return {
      fill: { "fill-color": colour, "fill-opacity": 0.35 * o },
      line: { "line-color": colour, "line-width": ["interpolate", ["linear"], ["zoom"], 5, 1, 12, 2], "line-opacity": o },
      point: {
        "circle-color": colour, "circle-opacity": o, "circle-stroke-color": "#ffffff", "circle-stroke-opacity": o,
        "circle-stroke-width": 1, "circle-radius": ["interpolate", ["linear"], ["zoom"], 5, radius(3), 10, radius(5), 15, radius(8)],
      },
    };
  }
  window.patrimapLayerStyle = { PALETTES: PALETTES, THEMES: THEMES, themeOf: themeOf, assignColours: assignColours, paint: paint };
})();
