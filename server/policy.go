package server

import "strings"

// basemapSources are the sites the web map and the dossier's maps draw their base layers from (BASES in
// static/app.js; TestPolicyAllowsTheBaseMaps keeps the two lists together).
const basemapSources = "https://tile.openstreetmap.org https://data.geopf.fr"

// contentPolicy is the Content-Security-Policy of every answer. Scripts, styles and fonts come from this
// server only (the pages have no inline script); MapLibre runs its workers from blob: URLs and draws
// images from data: and blob: ones; Observable Plot writes a <style> into each chart it draws, hence
// 'unsafe-inline' for styles only. linkOrigin is the origin of the absolute links the server writes (TileJSON
// tiles, OGC API links) when it is not the page's own. Only /embed may be framed, by any site.
func contentPolicy(linkOrigin string, embeddable bool) string {
	var b strings.Builder
	b.WriteString("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self'; ")
	b.WriteString("img-src 'self' data: blob: " + basemapSources + "; ")
	b.WriteString("connect-src 'self' " + basemapSources)
	if linkOrigin != "" {
		b.WriteString(" " + linkOrigin)
	}
	b.WriteString("; worker-src 'self' blob:; child-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; ")
	if embeddable {
		b.WriteString("frame-ancestors *")
	} else {
		b.WriteString("frame-ancestors 'none'")
	}
	return b.String()
}
