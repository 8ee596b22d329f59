// Package static holds patrimap's web pages, embedded in the binary so that the server needs no files beside
// it and loads nothing from a CDN: the web map (index.html), the embed page (embed.html), their script and
// style, the territory dossier's script and style, and MapLibre GL JS and Observable Plot (with d3) vendored from
// npm (vendor/, with their licences).
package static

import "embed"

// Files are the pages and their assets, served under /static/ (index.html also at /, embed.html at /embed).
//
//go:embed index.html embed.html app.js minimap.js style.css vendor/maplibre-gl.js vendor/maplibre-gl.css vendor/LICENSE.txt
//go:embed layerstyle.js dossier.js dossier.css vendor/plot.umd.min.js vendor/d3.min.js vendor/PLOT-D3-LICENSES.txt
var Files embed.FS
