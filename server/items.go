package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/encode"
	"github.com/patrimap/patrimap/geo"
	"github.com/patrimap/patrimap/server/cql2"
	"github.com/patrimap/patrimap/store"
)

// Paging limits of /items: OGC API – Features says a limit above the maximum is served as the maximum.
const (
	defaultLimit = 100
	maxLimit     = 10000
)

// itemsParams are the query parameters /items knows; any other must name a property (an equality filter).
var itemsParams = map[string]bool{"f": true, "limit": true, "offset": true, "bbox": true, "bbox-crs": true, "crs": true,
	"datetime": true, "properties": true, "sortby": true, "filter": true, "filter-lang": true, "filter-crs": true,
	"json": true, "q": true}

// itemsRequest is a parsed /items request.
type itemsRequest struct {
	query store.Query
	// text is q=: words the name or description must hold (full-text search, case and accents ignored).
	text  string
	limit int
	crs   crsInfo
}

// features streams the features r selects.
func (r *itemsRequest) features(ctx context.Context, sn store.Snapshot, d store.Dataset, each func(*store.Feature) error) error {
	if r.text != "" {
		return store.SearchFeatures(ctx, sn, d, r.text, r.query, each)
	}
	return sn.Features(ctx, d, r.query, each)
}

// matched counts the features r selects, over every page: the catalogue knows it without a condition.
func (r *itemsRequest) matched(ctx context.Context, sn store.Snapshot, d store.Dataset) (int64, error) {
	switch {
	case r.text != "":
		return store.SearchCount(ctx, sn, d, r.text, r.query)
	case r.query.BBox != nil || len(r.query.Equals) > 0 || r.query.Filter != nil:
		return sn.Count(ctx, d, r.query)
	}
	return d.FeatureCount, nil
}

// parseItems reads the query parameters of /collections/{id}/items for dataset d. Errors are 400s that say
// what is expected.
func (s *Server) parseItems(c echo.Context, d store.Dataset) (*itemsRequest, error) {
	params := c.QueryParams()
	r := &itemsRequest{limit: defaultLimit}
	var filters store.And
	for name, values := range params {
		if itemsParams[name] {
			continue
		}
		f, ok := d.Field(name)
		if !ok {
			return nil, badRequest(fmt.Sprintf("unknown parameter %q: the parameters are %s, or a property of the collection for an equality filter (queryables: %s)",
				name, strings.Join(sortedKeys(itemsParams), ", "), fieldList(d)))
		}
		r.query.Equals = append(r.query.Equals, store.Equal{Field: f.Name, Value: values[0]})
	}
	if v := params.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, badRequest(fmt.Sprintf("limit=%s: limit must be a whole number from 1 to %d (default %d)", v, maxLimit, defaultLimit))
		}
		r.limit = min(n, maxLimit)
	}
	r.query.Limit = r.limit
	if v := params.Get("q"); v != "" {
		if len(v) > 200 || len(store.TextWords(v)) == 0 {
			return nil, badRequest(fmt.Sprintf("q=%s: q holds 1 to 200 characters with at least one word, e.g. q=eglise", v))
		}
		if len(store.TextFields(d)) == 0 {
			return nil, badRequest(fmt.Sprintf("q=%s: collection %s has no name or description to search in; filter a property instead (queryables: %s)", v, d.ID, fieldList(d)))
		}
		r.text = v
	}
	if v := params.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, badRequest(fmt.Sprintf("offset=%s: offset must be a whole number, 0 or more (the next link gives it)", v))
		}
		r.query.Offset = n
	}
	var err error
	if r.crs, err = parseCRS("crs", params.Get("crs")); err != nil {
		return nil, badRequest(err.Error())
	}
	if v := params.Get("bbox"); v != "" {
		bboxCRS, err := parseCRS("bbox-crs", params.Get("bbox-crs"))
		if err != nil {
			return nil, badRequest(err.Error())
		}
		switch {
		case bboxCRS.SRID == 4326:
			b, err := parseBBox(v, bboxCRS.LatLon)
			if err != nil {
				return nil, badRequest(err.Error())
			}
			r.query.BBox = &b
		default:
			b, err := parseProjectedBBox(v, bboxCRS)
			if err != nil {
				return nil, badRequest(err.Error())
			}
			// The box's edges are densified before reprojection: a straight edge in Lambert-93 is curved in
			// longitude/latitude.
			g, err := s.reproject.Reproject(densify(b.ToPolygon(), 16), bboxCRS.SRID, geo.WGS84)
			if err != nil {
				return nil, badRequest(fmt.Sprintf("bbox=%s: %v", v, err))
			}
			filters = append(filters, store.Intersects{Geometry: g})
		}
	} else if params.Get("bbox-crs") != "" {
		return nil, badRequest("bbox-crs is given without bbox")
	}
	if v := params.Get("datetime"); v != "" {
		e, err := datetimeFilter(d, v)
		if err != nil {
			return nil, badRequest(err.Error())
		}
		filters = append(filters, e)
	}
	if v := params.Get("properties"); v != "" {
		r.query.Select = []string{}
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				if _, ok := d.Field(p); !ok {
					return nil, badRequest(fmt.Sprintf("properties=%s: the collection has no property %q (properties: %s)", v, p, fieldList(d)))
				}
				r.query.Select = append(r.query.Select, p)
			}
		}
	}
	if v := params.Get("sortby"); v != "" {
		for _, k := range strings.Split(v, ",") {
			k = strings.TrimSpace(k)
			key := store.SortKey{Property: strings.TrimLeft(k, "+-")}
			key.Desc = strings.HasPrefix(k, "-")
			if _, ok := d.Field(key.Property); !ok {
				return nil, badRequest(fmt.Sprintf("sortby=%s: the collection has no property %q; write sortby=name or sortby=-name (descending), properties: %s", v, key.Property, fieldList(d)))
			}
			r.query.Sort = append(r.query.Sort, key)
		}
	}
	if v := params.Get("filter"); v != "" {
		if lang := params.Get("filter-lang"); lang != "" && lang != "cql2-text" {
			return nil, badRequest(fmt.Sprintf("filter-lang=%s: only cql2-text is supported", lang))
		}
		if fc := params.Get("filter-crs"); fc != "" {
			if c, err := parseCRS("filter-crs", fc); err != nil || c.SRID != 4326 || c.LatLon {
				return nil, badRequest("filter-crs: geometries in filters are CRS84 (longitude, latitude) only")
			}
		}
		e, err := cql2.Parse(v)
		if err != nil {
			return nil, badRequest(err.Error() + ` (CQL2 text, e.g. filter=name LIKE 'Réserve%' AND area_ha > 10)`)
		}
		filters = append(filters, e)
	}
	switch len(filters) {
	case 0:
	case 1:
		r.query.Filter = filters[0]
	default:
		r.query.Filter = filters
	}
	return r, nil
}

// parseProjectedBBox reads a bbox in a projected CRS (metres): 4 or 6 numbers, minimum before maximum.
func parseProjectedBBox(raw string, c crsInfo) (orb.Bound, error) {
	expect := fmt.Sprintf("bbox with bbox-crs EPSG:%d must be minx,miny,maxx,maxy in metres", c.SRID)
	v, err := bboxNumbers(raw, expect)
	if err != nil {
		return orb.Bound{}, err
	}
	if v[0] > v[2] || v[1] > v[3] {
		return orb.Bound{}, fmt.Errorf("%s: the minimum comes first", expect)
	}
	return orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}, nil
}

// densify adds n-1 points along each edge of a polygon's rings.
func densify(p orb.Polygon, n int) orb.Polygon {
	out := make(orb.Polygon, len(p))
	for i, r := range p {
		var d orb.Ring
		for j := 0; j+1 < len(r); j++ {
			a, b := r[j], r[j+1]
			for k := 0; k < n; k++ {
				t := float64(k) / float64(n)
				d = append(d, orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])})
			}
		}
		out[i] = append(d, r[len(r)-1])
	}
	return out
}

// temporalField is the date a collection's datetime parameter filters on: the first date or date-time field,
// preferring the normalised "created".
func temporalField(d store.Dataset) (store.Field, bool) {
	if f, ok := d.Field("created"); ok && (f.Type == store.FieldDate || f.Type == store.FieldDateTime) {
		return f, true
	}
	for _, f := range d.Fields {
		if f.Type == store.FieldDate || f.Type == store.FieldDateTime {
			return f, true
		}
	}
	return store.Field{}, false
}

// datetimeFilter reads an instant (2015-03-12) or an interval (2015-01-01/2016-01-01, ../2016-01-01,
// 2015-01-01/..) and filters on the collection's temporal field.
func datetimeFilter(d store.Dataset, raw string) (store.Expr, error) {
	f, ok := temporalField(d)
	if !ok {
		return nil, fmt.Errorf("datetime=%s: collection %s has no date to filter on", raw, d.ID)
	}
	norm := func(s string) (string, error) {
		if s == ".." || s == "" {
			return "", nil
		}
		for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02", "2006-01", "2006"} {
			if t, err := time.Parse(layout, s); err == nil {
				if f.Type == store.FieldDate {
					return t.Format("2006-01-02"), nil
				}
				return t.Format("2006-01-02T15:04:05"), nil
			}
		}
		return "", fmt.Errorf("datetime=%s: %q is not an ISO 8601 date (2015-03-12, 2015-03-12T10:00:00Z, or an interval start/end with .. for open ends)", raw, s)
	}
	start, end, interval := strings.Cut(raw, "/")
	lo, err := norm(start)
	if err != nil {
		return nil, err
	}
	if !interval {
		return store.Compare{Property: f.Name, Op: "=", Value: lo}, nil
	}
	hi, err := norm(end)
	if err != nil {
		return nil, err
	}
	var and store.And
	if lo != "" {
		and = append(and, store.Compare{Property: f.Name, Op: ">=", Value: lo})
	}
	if hi != "" {
		and = append(and, store.Compare{Property: f.Name, Op: "<=", Value: hi})
	}
	if len(and) == 0 {
		return store.Not{X: store.IsNull{Property: f.Name}}, nil
	}
	return and, nil
}

// items answers /collections/{id}/items: a page of features, as GeoJSON or HTML.
func (s *Server) items(c echo.Context) error {
	ctx := c.Request().Context()
	sn, d, format, err := s.openCollection(c)
	if err != nil {
		return err
	}
	defer sn.Close()
	r, err := s.parseItems(c, d)
	if err != nil {
		return err
	}
	asText, err := jsonAsText(c)
	if err != nil {
		return err
	}
	if notModifiedAs(c, d, representation(format, asText)) {
		return c.NoContent(http.StatusNotModified)
	}
	matched, err := r.matched(ctx, sn, d)
	if err != nil {
		return err
	}
	returned := max(0, min(int64(r.limit), matched-int64(r.query.Offset)))
	links := s.pageLinks(c, d, r, matched, returned, format)
	if format == formatHTML {
		return s.itemsHTML(c, sn, d, r, matched, links)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "application/geo+json")
	h.Set("Content-Crs", "<"+r.crs.URI+">")
	c.Response().WriteHeader(http.StatusOK)
	if c.Request().Method == http.MethodHead {
		return nil
	}
	head, _ := marshalJSON(map[string]any{"numberMatched": matched, "numberReturned": returned,
		"timeStamp": time.Now().UTC().Format(time.RFC3339), "links": links})
	fields := d.Fields
	if r.query.Select != nil {
		fields = selected(d, r.query.Select)
	}
	w := encode.NewGeoJSONWriter(c.Response(), fields)
	if asText {
		w.JSONAsText()
	}
	if err := w.BeginCollection(append(head[1:len(head)-1], ',')); err != nil {
		return nil // the client went away
	}
	err = r.features(ctx, sn, d, func(f *store.Feature) error {
		if err := s.toCRS(f, r.crs); err != nil {
			return err
		}
		return w.Write(f)
	})
	if err == nil {
		err = w.EndCollection(nil)
	}
	if err != nil {
		s.cutStream(c, err, "items stream failed", "collection", d.ID, "written", w.Count())
	}
	return nil
}

// item answers /collections/{id}/items/{featureId}.
func (s *Server) item(c echo.Context) error {
	ctx := c.Request().Context()
	sn, d, format, err := s.openCollection(c)
	if err != nil {
		return err
	}
	defer sn.Close()
	fid, err := strconv.ParseInt(c.Param("featureId"), 10, 64)
	if err != nil || fid < 1 {
		return echo.NewHTTPError(http.StatusNotFound, fmt.Sprintf("collection %s has no feature %q: feature ids are the numbers the items give", d.ID, c.Param("featureId")))
	}
	for name := range c.QueryParams() {
		if name != "f" && name != "crs" && name != "json" {
			return badRequest(fmt.Sprintf("unknown parameter %q: a feature takes f, crs and json", name))
		}
	}
	out, err := parseCRS("crs", c.QueryParam("crs"))
	if err != nil {
		return badRequest(err.Error())
	}
	asText, err := jsonAsText(c)
	if err != nil {
		return err
	}
	if notModifiedAs(c, d, representation(format, asText)) {
		return c.NoContent(http.StatusNotModified)
	}
	var feature *store.Feature
	err = sn.Features(ctx, d, store.Query{FID: fid}, func(f *store.Feature) error {
		cp := *f
		cp.Values = append([]any(nil), f.Values...)
		feature = &cp
		return nil
	})
	if err != nil {
		return err
	}
	if feature == nil {
		return echo.NewHTTPError(http.StatusNotFound, fmt.Sprintf("collection %s has no feature %d", d.ID, fid))
	}
	if err := s.toCRS(feature, out); err != nil {
		return err
	}
	base := s.baseURL(c) + "/collections/" + d.ID
	self := fmt.Sprintf("%s/items/%d", base, fid)
	links := []link{
		{Href: self + "?f=json", Rel: relFor(format, formatJSON), Type: "application/geo+json", Title: "this feature"},
		{Href: self + "?f=html", Rel: relFor(format, formatHTML), Type: "text/html", Title: "this feature as HTML"},
		{Href: base + "?f=json", Rel: "collection", Type: "application/json", Title: d.Title},
	}
	if format == formatHTML {
		return s.itemHTML(c, d, feature, links)
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/geo+json")
	c.Response().Header().Set("Content-Crs", "<"+out.URI+">")
	c.Response().WriteHeader(http.StatusOK)
	if c.Request().Method == http.MethodHead {
		return nil
	}
	extra, _ := marshalJSON(links)
	w := encode.NewGeoJSONWriter(c.Response(), d.Fields)
	if asText {
		w.JSONAsText()
	}
	return w.WriteFeature(feature, append([]byte(`,"links":`), extra...))
}

func relFor(format, of string) string {
	if format == of {
		return "self"
	}
	return "alternate"
}

// pageLinks are the self, alternate, next, prev and collection links of a page of items. next and prev give
// offsets: with the total order of the query (its sort keys, then fid), pages neither skip nor repeat a feature
// within one version of the collection.
func (s *Server) pageLinks(c echo.Context, d store.Dataset, r *itemsRequest, matched, returned int64, format string) []link {
	base := s.baseURL(c) + "/collections/" + d.ID + "/items"
	at := func(offset int, f string) string {
		q := url.Values{}
		for k, v := range c.QueryParams() {
			q[k] = v
		}
		q.Set("f", f)
		q.Set("limit", strconv.Itoa(r.limit))
		if offset > 0 {
			q.Set("offset", strconv.Itoa(offset))
		} else {
			q.Del("offset")
		}
		return base + "?" + q.Encode()
	}
	off := r.query.Offset
	links := []link{
		{Href: at(off, formatJSON), Rel: relFor(format, formatJSON), Type: "application/geo+json", Title: "this page"},
		{Href: at(off, formatHTML), Rel: relFor(format, formatHTML), Type: "text/html", Title: "this page as HTML"},
	}
	if int64(off)+returned < matched {
		links = append(links, link{Href: at(off+r.limit, format), Rel: "next", Type: formatType(format), Title: "next page"})
	}
	if off > 0 {
		links = append(links, link{Href: at(max(0, off-r.limit), format), Rel: "prev", Type: formatType(format), Title: "previous page"})
	}
	links = append(links, link{Href: s.baseURL(c) + "/collections/" + d.ID + "?f=" + format, Rel: "collection", Type: formatType(format), Title: d.Title})
	return links
}

func selected(d store.Dataset, names []string) []store.Field {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var out []store.Field
	for _, f := range d.Fields {
		if want[f.Name] {
			out = append(out, f)
		}
	}
	return out
}

func fieldList(d store.Dataset) string {
	names := make([]string, len(d.Fields))
	for i, f := range d.Fields {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}

// marshalJSON is json.Marshal without HTML escaping and without the trailing newline.
func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), err
}
