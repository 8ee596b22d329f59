package inpn

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/geojson"
)

// DefaultWFS is the Géoplateforme's WFS, which relays PatriNat's layers.
const DefaultWFS = "https://data.geopf.fr/wfs/ows"

// WFS reads a layer from a WFS 2.0 server as GeoJSON pages (GetFeature with count and startIndex), one request at
// a time.
type WFS struct {
	BaseURL   string
	TypeName  string
	PageSize  int
	Client    *http.Client
	UserAgent string
	// BBox asks the server for the features in a WGS84 box only (a territory's extent).
	BBox *orb.Bound
}

// SRID of the features: the pages are requested in WGS84 longitude/latitude.
func (w *WFS) SRID() int { return 4326 }

// Records fetches the pages in order and streams their features.
func (w *WFS) Records(ctx context.Context, rep *importers.Report, emit func(importers.Record) error) error {
	size := w.PageSize
	if size <= 0 {
		size = 1000
	}
	n := 0
	for page := 0; ; page++ {
		body, err := w.fetch(ctx, page*size, size)
		if err != nil {
			return err
		}
		inPage := 0
		src := geojson.NewReader(fmt.Sprintf("WFS %s page %d", w.TypeName, page+1), bytes.NewReader(body), 4326)
		err = src.Records(ctx, rep, func(r importers.Record) error {
			inPage++
			n++
			r.Ref = "WFS feature " + strconv.Itoa(n)
			return emit(r)
		})
		if err != nil {
			return err
		}
		if inPage < size {
			return nil
		}
	}
}

// fetch gets one page, with a clear message for what a WFS answers when it fails.
func (w *WFS) fetch(ctx context.Context, start, count int) ([]byte, error) {
	base := w.BaseURL
	if base == "" {
		base = DefaultWFS
	}
	q := url.Values{}
	q.Set("SERVICE", "WFS")
	q.Set("VERSION", "2.0.0")
	q.Set("REQUEST", "GetFeature")
	q.Set("TYPENAMES", w.TypeName)
	q.Set("OUTPUTFORMAT", "application/json")
	// The short EPSG:4326 form makes GeoServer write longitude first, as GeoJSON wants.
	q.Set("SRSNAME", "EPSG:4326")
	q.Set("COUNT", strconv.Itoa(count))
	q.Set("STARTINDEX", strconv.Itoa(start))
	if b := w.BBox; b != nil {
		// WFS 2.0 bbox in urn EPSG:4326 is latitude first.
		q.Set("BBOX", fmt.Sprintf("%g,%g,%g,%g,urn:ogc:def:crs:EPSG::4326", b.Min[1], b.Min[0], b.Max[1], b.Max[0]))
	}
	u := base + "?" + q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	ua := w.UserAgent
	if ua == "" {
		ua = "patrimap (+https://github.com/patrimap/patrimap)"
	}
	req.Header.Set("User-Agent", ua)
	client := w.Client
	if client == nil {
		client = &http.Client{Timeout: 2 * time.Minute}
	}
	res, err := client.Do(req)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, err
		}
		return nil, fmt.Errorf("inpn: WFS %s: %w: patrimap is offline or the WFS is unreachable; download the layer and use --file", w.TypeName, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<30))
	if err != nil {
		return nil, fmt.Errorf("inpn: WFS %s: reading page at %d: %w", w.TypeName, start, err)
	}
	if msg := exceptionText(body); msg != "" {
		return nil, fmt.Errorf("inpn: WFS %s: the server refused the request: %s", w.TypeName, msg)
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("inpn: WFS %s: HTTP %d from %s: try again later, or download the layer and use --file", w.TypeName, res.StatusCode, base)
	}
	if t := bytes.TrimSpace(body); len(t) == 0 || t[0] != '{' {
		return nil, fmt.Errorf("inpn: WFS %s: the answer is not GeoJSON (%.80q)", w.TypeName, t)
	}
	return body, nil
}

// exceptionText extracts the message of an OGC ExceptionReport, the XML a WFS answers errors with.
func exceptionText(body []byte) string {
	t := bytes.TrimSpace(body)
	if len(t) == 0 || t[0] != '<' || !bytes.Contains(t, []byte("Exception")) {
		return ""
	}
	var rep struct {
		Exceptions []struct {
			Code  string   `xml:"exceptionCode,attr"`
			Texts []string `xml:"ExceptionText"`
		} `xml:"Exception"`
	}
	if err := xml.Unmarshal(t, &rep); err != nil || len(rep.Exceptions) == 0 {
		return strings.TrimSpace(string(t[:min(len(t), 200)]))
	}
	e := rep.Exceptions[0]
	return strings.TrimSpace(e.Code + ": " + strings.Join(e.Texts, " "))
}
