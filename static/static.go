// Package static holds patrimap's web pages, embedded in the binary so that the server needs no files beside
// it and loads nothing from a CDN: the web map (index.html), the embed page (embed.html), their script and
// style, and MapLibre GL JS vendored from npm (vendor/, with its licence).
package static

import "embed"

// Files are the pages and their assets, served under /static/ (index.html also at /, embed.html at /embed).
//
//go:embed index.html embed.html app.js minimap.js style.css vendor/maplibre-gl.js vendor/maplibre-gl.css vendor/LICENSE.txt
var Files embed.FS
