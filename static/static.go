// Package static holds patrimap's web pages, embedded in the binary so that the server needs no files beside
// it and loads nothing from a CDN.
package static

import "embed"

// Files are the pages and their assets, served under /static/ (index.html also at /).
//
//go:embed index.html app.js minimap.js style.css
var Files embed.FS
