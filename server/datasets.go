package server

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/datapackage"
	"github.com/patrimap/patrimap/store"
)

// datasetJSON is a catalogue entry as the API shows it.
type datasetJSON struct {
	store.Dataset
	BBox  []float64 `json:"bbox,omitempty"`
	Links []link    `json:"links"`
}

type link struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

func toJSON(d store.Dataset, withReport bool) datasetJSON {
	out := datasetJSON{Dataset: d}
	if !withReport {
		out.Report = nil
	}
	if d.BBox != nil {
		out.BBox = []float64{d.BBox.Min[0], d.BBox.Min[1], d.BBox.Max[0], d.BBox.Max[1]}
	}
	out.Links = []link{
		{Href: "/datasets/" + d.ID, Rel: "self", Type: "application/json", Title: "metadata"},
		{Href: "/datasets/" + d.ID + ".geojson", Rel: "enclosure", Type: "application/geo+json", Title: "GeoJSON download"},
	}
	return out
}

func (s *Server) listDatasets(c echo.Context) error {
	ds, err := s.catalogue(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]datasetJSON, 0, len(ds))
	for _, d := range ds {
		out = append(out, toJSON(d, false))
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.JSON(http.StatusOK, map[string]any{"datasets": out})
}

// dataset answers /datasets/{id} (metadata), /datasets/{id}.{geojson,csv,kml,gpkg,sqlite} and
// .datapackage.zip (downloads), /datasets/{id}.{ttl,jsonld,rdf} (its DCAT entry).
func (s *Server) dataset(c echo.Context) error {
	id := c.Param("id")
	if name, ok := strings.CutSuffix(id, datapackage.Suffix); ok {
		return s.dataPackage(c, name)
	}
	for _, syn := range rdfSyntaxes {
		if name, ok := strings.CutSuffix(id, syn.ext); ok {
			return s.datasetDCAT(c, name, syn)
		}
	}
	for _, dl := range downloads {
		if strings.HasSuffix(id, dl.Suffix) {
			return s.download(c, strings.TrimSuffix(id, dl.Suffix), dl)
		}
	}
	explicitJSON := strings.HasSuffix(id, ".json")
	id = strings.TrimSuffix(id, ".json")
	if err := store.ValidateID(id); err != nil {
		return echo.NewHTTPError(http.StatusNotFound, err.Error())
	}
	d, err := s.lookup(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if !explicitJSON {
		// A browser (Accept: text/html, or ?f=html) gets the dataset's sheet; /datasets/{id}.json stays JSON.
		format, err := negotiate(c)
		if err != nil {
			return err
		}
		if format == formatHTML {
			// The sheet shows what was written with describe: its revision is part of the page's.
			if notModifiedAs(c, d, formatHTML+"-"+pageLang(c)+"-"+s.sheetRevision(c.Request().Context(), d.ID)) {
				return c.NoContent(http.StatusNotModified)
			}
			return s.datasetPage(c, d)
		}
	}
	if notModified(c, d) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.JSON(http.StatusOK, toJSON(d, true))
}

// notModified sets the validators of a dataset's representations (its version) and tells whether the client's
// copy is current.
func notModified(c echo.Context, d store.Dataset) bool {
	etag := fmt.Sprintf(`W/"%s-v%d"`, d.ID, d.Version)
	h := c.Response().Header()
	h.Set("ETag", etag)
	h.Set("Last-Modified", d.ImportedAt.UTC().Format(http.TimeFormat))
	h.Set("Cache-Control", "no-cache") // always revalidate: a re-import must show at once
	if inm := c.Request().Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			if t = strings.TrimSpace(t); t == etag || t == "*" || strings.TrimPrefix(t, "W/") == strings.TrimPrefix(etag, "W/") {
				return true
			}
		}
		return false
	}
	if ims, err := http.ParseTime(c.Request().Header.Get("If-Modified-Since")); err == nil {
		return !d.ImportedAt.Truncate(time.Second).After(ims)
	}
	return false
}

// parseBBox reads west,south,east,north in WGS84 degrees (a 6-number 3D box is accepted, its heights ignored);
// latLon reads south,west,north,east, the axis order of EPSG:4326.
func parseBBox(raw string, latLon bool) (orb.Bound, error) {
	expect := "bbox must be west,south,east,north in WGS84 degrees, e.g. bbox=5.6,45.1,5.8,45.3"
	if latLon {
		expect = "bbox with bbox-crs EPSG:4326 must be south,west,north,east (latitude first), e.g. bbox=45.1,5.6,45.3,5.8"
	}
	v, err := bboxNumbers(raw, expect)
	if err != nil {
		return orb.Bound{}, err
	}
	if latLon {
		v = []float64{v[1], v[0], v[3], v[2]}
	}
	w, s, e, n := v[0], v[1], v[2], v[3]
	switch {
	case w < -180 || e > 180 || w > 180 || e < -180:
		return orb.Bound{}, fmt.Errorf("%s: longitudes must be within -180..180", expect)
	case s < -90 || n > 90 || s > 90 || n < -90:
		return orb.Bound{}, fmt.Errorf("%s: latitudes must be within -90..90", expect)
	case s > n:
		return orb.Bound{}, fmt.Errorf("%s: south (%v) is greater than north (%v)", expect, s, n)
	case w > e:
		return orb.Bound{}, fmt.Errorf("%s: west (%v) is greater than east (%v); boxes across the antimeridian are not supported, send two", expect, w, e)
	}
	return orb.Bound{Min: orb.Point{w, s}, Max: orb.Point{e, n}}, nil
}

// bboxNumbers reads the 4 numbers of a bbox (a 6-number 3D box gives its 4 horizontal ones); expect says what
// is expected, for the error.
func bboxNumbers(raw, expect string) ([]float64, error) {
	parts := strings.Split(raw, ",")
	if len(parts) != 4 && len(parts) != 6 {
		return nil, fmt.Errorf("%s: got %d numbers", expect, len(parts))
	}
	v := make([]float64, len(parts))
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("%s: %q is not a number", expect, p)
		}
		v[i] = f
	}
	if len(v) == 6 {
		v = []float64{v[0], v[1], v[3], v[4]}
	}
	return v, nil
}
