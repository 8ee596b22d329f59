package territory

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// The contours of single communes are kept in the store's territory cache under "commune:INSEE" keys (the
// cache key of a one-commune spec), beside the merged boundaries Boundaries keeps. A page that shows areas
// per commune reads them there; a contours file or the geo API puts them there.

// codeProperties are the property names that hold a commune's INSEE code in the files people have: the geo
// API and france-geojson (code), ADMIN EXPRESS (INSEE_COM, insee_com), INSEE's (codgeo, com).
var codeProperties = []string{"code", "insee", "INSEE_COM", "insee_com", "code_insee", "codgeo", "CODGEO", "com", "COM"}

var nameProperties = []string{"nom", "NOM", "NOM_COM", "nom_com", "libgeo", "LIBGEO", "name"}

// ContoursFile is a file of commune contours, read.
type ContoursFile struct {
	Path     string
	Communes map[string]orb.MultiPolygon // by current INSEE code
	Names    map[string]string
	// Unknown are codes of the file that are not current communes of the official list (communes merged
	// since the file was made): their contours are left out, and named in Load's report.
	Unknown []string
}

// ReadContours reads a GeoJSON FeatureCollection (gzip'd or not) with one Feature per commune: its contour
// (Polygon or MultiPolygon, WGS84) and its INSEE code in a property (code, insee, INSEE_COM, codgeo...).
// Features of the same code are merged (a commune drawn in several pieces).
func ReadContours(path string, ref *Reference) (*ContoursFile, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("contours %s: %w", path, err)
	}
	if fi.Size() > maxBoundaryFile {
		return nil, fmt.Errorf("contours %s: %d MB is more than the contours of a whole région; simplify it first (e.g. ogr2ogr -simplify 0.0001) or cut it by département", path, fi.Size()>>20)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("contours %s: %w", path, err)
	}
	if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err == nil {
			data, err = io.ReadAll(io.LimitReader(zr, maxBoundaryFile+1))
		}
		if err != nil {
			return nil, fmt.Errorf("contours %s: gunzip: %w", path, err)
		}
		if len(data) > maxBoundaryFile {
			return nil, fmt.Errorf("contours %s: more than %d MB once gunzipped; cut it by département", path, maxBoundaryFile>>20)
		}
	}
	c, err := parseContours(bytes.TrimPrefix(data, []byte("\ufeff")), ref)
	if err != nil {
		return nil, fmt.Errorf("contours %s: %w", path, err)
	}
	c.Path = path
	return c, nil
}

// parseContours reads a FeatureCollection of communes.
func parseContours(data []byte, ref *Reference) (*ContoursFile, error) {
	var head struct {
		Type string          `json:"type"`
		CRS  json.RawMessage `json:"crs"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("not a GeoJSON file: %v", err)
	}
	if head.Type != "FeatureCollection" {
		return nil, fmt.Errorf("GeoJSON type %q: want a FeatureCollection with one Feature per commune", head.Type)
	}
	if err := checkCRS(head.CRS); err != nil {
		return nil, err
	}
	fc, err := geojson.UnmarshalFeatureCollection(data)
	if err != nil {
		return nil, fmt.Errorf("not a GeoJSON FeatureCollection: %v", err)
	}
	c := &ContoursFile{Communes: map[string]orb.MultiPolygon{}, Names: map[string]string{}}
	unknown := map[string]bool{}
	for i, f := range fc.Features {
		raw := firstProperty(f.Properties, codeProperties)
		if raw == "" {
			return nil, fmt.Errorf("feature %d has no INSEE code: want one of the properties %s", i+1, strings.Join(codeProperties, ", "))
		}
		code, ok := NormaliseINSEE(raw)
		if !ok {
			return nil, fmt.Errorf("feature %d: %q is not an INSEE commune code (5 characters, e.g. 38185)", i+1, raw)
		}
		mp := appendPolygons(nil, f.Geometry)
		if len(mp) == 0 {
			return nil, fmt.Errorf("feature %d (commune %s) has no Polygon or MultiPolygon", i+1, code)
		}
		if err := checkPolygons(mp); err != nil {
			return nil, fmt.Errorf("feature %d (commune %s): %w", i+1, code, err)
		}
		if _, ok := ref.Commune(code); !ok {
			unknown[code] = true
			continue
		}
		c.Communes[code] = append(c.Communes[code], mp...)
		if n := firstProperty(f.Properties, nameProperties); n != "" {
			c.Names[code] = n
		}
	}
	if len(c.Communes) == 0 {
		return nil, errors.New("no contour of a current commune")
	}
	for code := range unknown {
		c.Unknown = append(c.Unknown, code)
	}
	sort.Strings(c.Unknown)
	return c, nil
}

func firstProperty(p geojson.Properties, names []string) string {
	for _, n := range names {
		switch v := p[n].(type) {
		case string:
			if s := strings.TrimSpace(v); s != "" {
				return s
			}
		case float64: // a code written as a number by a spreadsheet: 6059 for 06059
			return fmt.Sprintf("%.0f", v)
		}
	}
	return ""
}

// LoadReport says what Load put in the store's cache.
type LoadReport struct {
	Communes     int      // communes whose contour was stored
	Departements []string // départements all of whose communes have a contour: "dep:38" works offline
	EPCI         []string // the same for EPCI: "epci:200040715"
	Unknown      []string // codes of the file that are not current communes (left out)
}

// CommuneContours keeps the contours of communes in the store's territory cache and reads them back.
type CommuneContours struct {
	Store     Cache
	Reference *Reference
	// Boundaries, when not nil, fetches from the geo API the contours the cache lacks (one request per
	// département); nil reads the cache only.
	Boundaries *Boundaries
}

// Load stores the contours of a file: each commune's, and the merged boundary of each département and EPCI
// the file covers whole, so that importing with --territory dep:CODE or epci:SIREN works offline too.
func (cc *CommuneContours) Load(ctx context.Context, f *ContoursFile) (LoadReport, error) {
	rep := LoadReport{Unknown: f.Unknown}
	codes := make([]string, 0, len(f.Communes))
	for code := range f.Communes {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		name := f.Names[code]
		if c, ok := cc.Reference.Commune(code); ok {
			name = c.Name
		}
		if err := cc.cache(ctx, Spec{Kind: KindCommune, Codes: []string{code}}, name, f.Communes[code]); err != nil {
			return rep, err
		}
		rep.Communes++
	}
	// Départements and EPCI with every member in the file.
	deps, epcis := map[string]bool{}, map[string]bool{}
	for _, code := range codes {
		c, _ := cc.Reference.Commune(code)
		deps[c.Departement] = true
		if c.EPCI != "" {
			epcis[c.EPCI] = true
		}
	}
	for _, kind := range []string{KindDep, KindEPCI} {
		set := deps
		if kind == KindEPCI {
			set = epcis
		}
		for _, code := range sortedKeys(set) {
			t, err := cc.Reference.Communes(Spec{Kind: kind, Codes: []string{code}})
			if err != nil {
				continue
			}
			var mp orb.MultiPolygon
			whole := true
			for _, m := range t.Communes {
				p, ok := f.Communes[m.Code]
				if !ok {
					whole = false
					break
				}
				mp = append(mp, p...)
			}
			if !whole {
				continue
			}
			if err := cc.cache(ctx, t.Spec, t.Name, mp); err != nil {
				return rep, err
			}
			if kind == KindDep {
				rep.Departements = append(rep.Departements, t.Spec.String())
			} else {
				rep.EPCI = append(rep.EPCI, t.Spec.String())
			}
		}
	}
	return rep, nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (cc *CommuneContours) cache(ctx context.Context, s Spec, name string, mp orb.MultiPolygon) error {
	gj, err := geojson.NewGeometry(mp).MarshalJSON()
	if err != nil {
		return fmt.Errorf("territory %s: encode the contour: %w", s, err)
	}
	return CacheBoundary(ctx, cc.Store, CacheKey(s), name, string(gj))
}

// Communes returns the contours of those of codes that are known: from the cache, then (when Boundaries is
// set) from the geo API for the départements of the missing ones, which are then cached. A code missing from
// the answer is a commune whose contour is unknown; only a failure to read the cache is an error, and a failure
// of the geo API is returned beside the contours found, for the caller to say why some are missing.
func (cc *CommuneContours) Communes(ctx context.Context, codes []string) (map[string]orb.MultiPolygon, error) {
	out := map[string]orb.MultiPolygon{}
	var missing []string
	for _, code := range codes {
		_, gj, ok, err := CachedBoundary(ctx, cc.Store, CacheKey(Spec{Kind: KindCommune, Codes: []string{code}}))
		if err != nil {
			return nil, err
		}
		if ok {
			if mp, err := parseBoundary([]byte(gj)); err == nil {
				out[code] = mp
				continue
			}
		}
		missing = append(missing, code)
	}
	if len(missing) == 0 || cc.Boundaries == nil {
		return out, nil
	}
	var deps []string
	for _, code := range missing {
		if c, ok := cc.Reference.Commune(code); ok && !slices.Contains(deps, c.Departement) {
			deps = append(deps, c.Departement)
		}
	}
	var fetchErr error
	for _, dep := range deps {
		f, err := cc.Boundaries.fetchCommunes(ctx, dep, cc.Reference)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			fetchErr = errors.Join(fetchErr, err)
			continue
		}
		if _, err := cc.Load(ctx, f); err != nil {
			return nil, err
		}
		for _, code := range missing {
			if mp, ok := f.Communes[code]; ok {
				out[code] = mp
			}
		}
	}
	return out, fetchErr
}

// fetchCommunes asks the geo API for the contours of the communes of a département, with their codes.
func (b *Boundaries) fetchCommunes(ctx context.Context, dep string, ref *Reference) (*ContoursFile, error) {
	u := b.base() + "/departements/" + url.PathEscape(dep) + "/communes?format=geojson&geometry=contour&fields=code,nom"
	fail := func(cause error) error {
		return fmt.Errorf("cannot fetch the contours of the communes of département %s (%s): %w; load a contours file instead: patrimap dossier --contours FILE (see docs/dossier.md)", dep, u, cause)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fail(err)
	}
	if b.UserAgent != "" {
		req.Header.Set("User-Agent", b.UserAgent)
	}
	req.Header.Set("Accept", "application/geo+json, application/json")
	client := b.HTTP
	if client == nil {
		client = &http.Client{Timeout: 60 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fail(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fail(fmt.Errorf("HTTP %s", resp.Status))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return nil, fail(err)
	}
	if len(body) > maxAnswer {
		return nil, fail(fmt.Errorf("answer larger than %d MB", maxAnswer>>20))
	}
	f, err := parseContours(body, ref)
	if err != nil {
		return nil, fail(fmt.Errorf("unexpected answer: %w", err))
	}
	f.Path = u
	return f, nil
}
