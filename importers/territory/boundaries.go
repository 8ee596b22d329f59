package territory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// DefaultBaseURL is the national geo API (API Découpage administratif).
const DefaultBaseURL = "https://geo.api.gouv.fr"

// maxAnswer bounds one answer of the geo API: the communes of the biggest département weigh a few MB.
const maxAnswer = 128 << 20

// Boundaries fetches the boundaries of EPCI, départements and communes from the national geo API, one request
// at a time, and caches them in the store so that the next import of the same territory works offline.
type Boundaries struct {
	HTTP      *http.Client // nil: a client with a 60 s timeout
	Store     Cache        // where boundaries are kept (a store's memo); nil: no cache
	UserAgent string
	BaseURL   string // "" is DefaultBaseURL
}

// Cache keeps boundaries between imports: a store's memo (store.Memo) is one.
type Cache interface {
	Recall(ctx context.Context, kind, key string) ([]byte, bool, error)
	Remember(ctx context.Context, kind, key string, value []byte) error
}

// cacheKind is the kind of the cache's entries: {"name": ..., "geojson": ...} by CacheKey.
const cacheKind = "territory"

type cached struct {
	Name    string `json:"name"`
	GeoJSON string `json:"geojson"`
}

// CachedBoundary returns the cached boundary of a territory spec (CacheKey) as a GeoJSON geometry; ok is false when it
// is not cached.
func CachedBoundary(ctx context.Context, c Cache, key string) (name, gj string, ok bool, err error) {
	v, ok, err := c.Recall(ctx, cacheKind, key)
	if err != nil || !ok {
		return "", "", false, err
	}
	var e cached
	if err := json.Unmarshal(v, &e); err != nil {
		return "", "", false, nil // a damaged entry is fetched again
	}
	return e.Name, e.GeoJSON, true, nil
}

// CacheBoundary stores (or replaces) the boundary of a territory spec (CacheKey), a GeoJSON geometry.
func CacheBoundary(ctx context.Context, c Cache, key, name, gj string) error {
	v, err := json.Marshal(cached{Name: name, GeoJSON: gj})
	if err != nil {
		return err
	}
	return c.Remember(ctx, cacheKind, key, v)
}

// CacheKey is the key of a spec in the store's territory cache: the spec with its codes sorted.
func CacheKey(s Spec) string {
	codes := slices.Clone(s.Codes)
	slices.Sort(codes)
	return Spec{Kind: s.Kind, Codes: codes}.String()
}

// Boundary sets t.Boundary (a MultiPolygon) and t.BBox for a territory made by Reference.Communes: from the
// store's cache when it holds the spec, else from the geo API (then cached). A territory that already has a
// boundary is left alone.
//
//   - epci: GET {base}/epcis/{siren}?format=geojson&geometry=contour
//   - dep: GET {base}/departements/{code}/communes?format=geojson&geometry=contour (the API gives no contour
//     for a département itself: its communes' contours are gathered)
//   - commune: GET {base}/communes/{insee}?format=geojson&geometry=contour, one request per commune
func (b *Boundaries) Boundary(ctx context.Context, t *Territory) error {
	if t == nil {
		return errors.New("territory boundary: no territory")
	}
	if t.Boundary != nil {
		return nil
	}
	if len(t.Spec.Codes) == 0 {
		return errors.New("territory boundary: no spec to fetch a boundary for (use --within FILE or --bbox)")
	}
	key := CacheKey(t.Spec)
	if b.Store != nil {
		_, gj, ok, err := CachedBoundary(ctx, b.Store, key)
		if err != nil {
			return fmt.Errorf("territory %s: %w", t.Spec, err)
		}
		if ok {
			if mp, err := parseBoundary([]byte(gj)); err == nil {
				t.Boundary, t.BBox = mp, mp.Bound()
				return nil
			}
			// A damaged cache entry is fetched again, and replaced.
		}
	}
	urls := make([]string, len(t.Spec.Codes))
	for i, code := range t.Spec.Codes {
		var path string
		switch t.Spec.Kind {
		case KindEPCI:
			path = "/epcis/" + url.PathEscape(code)
		case KindDep:
			path = "/departements/" + url.PathEscape(code) + "/communes"
		case KindCommune:
			path = "/communes/" + url.PathEscape(code)
		default:
			return fmt.Errorf("territory %s: unknown kind %q: want %s", t.Spec, t.Spec.Kind, specForms)
		}
		urls[i] = b.base() + path + "?format=geojson&geometry=contour&fields=code,nom"
	}
	var mp orb.MultiPolygon
	for i, code := range t.Spec.Codes {
		polys, err := b.fetch(ctx, t.Spec.Kind+":"+code, urls[i], downloadHint(urls))
		if err != nil {
			return err
		}
		mp = append(mp, polys...)
	}
	t.Boundary, t.BBox = mp, mp.Bound()
	if b.Store != nil {
		gj, err := geojson.NewGeometry(mp).MarshalJSON()
		if err != nil {
			return fmt.Errorf("territory %s: encode the boundary: %w", t.Spec, err)
		}
		if err := CacheBoundary(ctx, b.Store, key, t.Name, string(gj)); err != nil {
			return fmt.Errorf("territory %s: %w", t.Spec, err)
		}
	}
	return nil
}

func (b *Boundaries) base() string {
	if b.BaseURL == "" {
		return DefaultBaseURL
	}
	return strings.TrimRight(b.BaseURL, "/")
}

// downloadHint tells how to do without the API: download the boundary once and pass it with --within.
func downloadHint(urls []string) string {
	if len(urls) == 1 {
		return fmt.Sprintf("download it once (curl -o boundary.geojson '%s') and pass --within boundary.geojson", urls[0])
	}
	list := "'" + strings.Join(urls, "', '") + "'"
	if len(urls) > 4 {
		list = fmt.Sprintf("'%s', '%s', … one per code", urls[0], urls[1])
	}
	return fmt.Sprintf("download it once (the %d files %s), merge them into one GeoJSON FeatureCollection and pass --within FILE",
		len(urls), list)
}

// fetch GETs one contour (a Feature) or the contours of a département's communes (a FeatureCollection).
func (b *Boundaries) fetch(ctx context.Context, what, u, hint string) (orb.MultiPolygon, error) {
	kind, code, _ := strings.Cut(what, ":")
	host := b.base()
	if pu, err := url.Parse(host); err == nil && pu.Host != "" {
		host = pu.Host
	}
	offline := func(cause error) error {
		return fmt.Errorf("cannot fetch the boundary of %s from %s (offline?): %w; %s", what, host, cause, hint)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, offline(err)
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
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, offline(err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, fmt.Errorf("unknown %s %s: %s has no such %s (%s)", kind, code, host, kindName(kind), u)
	case resp.StatusCode != http.StatusOK:
		return nil, offline(fmt.Errorf("HTTP %s", resp.Status))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, offline(err)
	}
	if len(body) > maxAnswer {
		return nil, offline(fmt.Errorf("answer larger than %d MB", maxAnswer>>20))
	}
	mp, err := parseBoundary(body)
	if err != nil {
		return nil, offline(fmt.Errorf("unexpected answer: %w", err))
	}
	return mp, nil
}

func kindName(kind string) string {
	switch kind {
	case KindEPCI:
		return "EPCI"
	case KindDep:
		return "département"
	}
	return kind
}
