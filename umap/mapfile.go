package umap

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/patrimap/patrimap/store"
)

// Map describes a uMap map: which datasets become its layers, in which order, and how they look. It is read
// from a small JSON file:
//
//	{
//	  "name": "Patrimoine de l'Isère",
//	  "description": "…",
//	  "datasets": ["rnn-isere", "apb-isere", "merimee-*"],
//	  "styles": {"apb-isere": {"color": "OliveDrab"}, "monument historique": {"iconClass": "Drop"}}
//	}
//
// Datasets are ids or path.Match patterns; styles are keyed by dataset id or by kind (the "kind" column).
type Map struct {
	// Slug names the map in URLs (/umap/{slug}.umap): the file's name without .json.
	Slug        string           `json:"-"`
	Name        string           `json:"name"`
	Description string           `json:"description,omitempty"`
	Territory   string           `json:"territory,omitempty"`
	Datasets    []string         `json:"datasets"`
	Styles      map[string]Style `json:"styles,omitempty"`
	// Zoom and Center override the view computed from the data's extent.
	Zoom   int         `json:"zoom,omitempty"`
	Center *[2]float64 `json:"center,omitempty"`
}

// AllSlug names the map of every dataset in the store.
const AllSlug = "all"

//go:embed maps/*.json
var embedded embed.FS

// ErrNoMap is returned for a map that is neither a file, "all", nor a territory some dataset names.
var ErrNoMap = errors.New("no such map")

// ParseMap reads a map description; unknown keys and values uMap would not accept are errors.
func ParseMap(slug string, b []byte) (Map, error) {
	var m Map
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return m, fmt.Errorf("map %s: %w", slug, err)
	}
	m.Slug = slug
	if len(m.Datasets) == 0 {
		return m, fmt.Errorf("map %s: \"datasets\" lists no dataset id or pattern", slug)
	}
	for _, p := range m.Datasets {
		if _, err := path.Match(p, ""); err != nil {
			return m, fmt.Errorf("map %s: dataset pattern %q: %w", slug, p, err)
		}
	}
	for _, k := range sortedKeys(m.Styles) {
		if err := m.Styles[k].Validate(); err != nil {
			return m, fmt.Errorf("map %s: style %q: %w", slug, k, err)
		}
	}
	if m.Zoom < 0 || m.Zoom > 20 {
		return m, fmt.Errorf("map %s: zoom %d: must be within 1..20", slug, m.Zoom)
	}
	return m, nil
}

// LoadMapFile reads a map description file; its slug is the file's name without .json.
func LoadMapFile(name string) (Map, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return Map{}, err
	}
	return ParseMap(strings.TrimSuffix(filepath.Base(name), ".json"), b)
}

// DefaultMaps are the maps patrimap ships (umap/maps/*.json), by slug.
func DefaultMaps() (map[string]Map, error) {
	out := map[string]Map{}
	err := fs.WalkDir(embedded, "maps", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		b, err := embedded.ReadFile(p)
		if err != nil {
			return err
		}
		m, err := ParseMap(strings.TrimSuffix(path.Base(p), ".json"), b)
		if err != nil {
			return err
		}
		out[m.Slug] = m
		return nil
	})
	return out, err
}

// DatasetsMap is the map of the given datasets (ids or patterns), as `patrimap export umap --datasets` makes it.
func DatasetsMap(name string, datasets []string) Map {
	return Map{Slug: "export", Name: name, Datasets: datasets}
}

// FindMap returns the map named slug: a shipped map file, "all" (every dataset), or the default map of a
// territory: the datasets whose id ends with "-{slug}" or has "-{slug}-" (apb-isere, pn-isere-coeur for
// "isere"), as the importers name datasets cut to a territory.
func FindMap(slug string, all []store.Dataset) (Map, error) {
	maps, err := DefaultMaps()
	if err != nil {
		return Map{}, err
	}
	if m, ok := maps[slug]; ok {
		return m, nil
	}
	if slug == AllSlug {
		return Map{Slug: AllSlug, Datasets: []string{"*"}}, nil
	}
	if store.ValidateID(slug) == nil {
		m := Map{Slug: slug, Datasets: []string{"*-" + slug, "*-" + slug + "-*"}}
		if ds, _, _ := m.Resolve(all); len(ds) > 0 {
			return m, nil
		}
	}
	names := append(sortedKeys(maps), AllSlug)
	return Map{}, fmt.Errorf("%w %q: the maps are %s, or a territory that dataset ids end with (apb-isere → isere)",
		ErrNoMap, slug, strings.Join(names, ", "))
}

// Resolve returns the datasets of all that the map names, in the map's order (each pattern's matches in
// catalogue order), each once. Warnings name the ids and patterns that matched nothing; an error is returned
// when nothing matched at all.
func (m Map) Resolve(all []store.Dataset) ([]store.Dataset, []string, error) {
	var out []store.Dataset
	var warnings []string
	seen := map[string]bool{}
	for _, p := range m.Datasets {
		n := 0
		for _, d := range all {
			if ok, _ := path.Match(p, d.ID); ok {
				n++
				if !seen[d.ID] {
					seen[d.ID] = true
					out = append(out, d)
				}
			}
		}
		if n == 0 && !strings.ContainsAny(p, "*?[") {
			warnings = append(warnings, fmt.Sprintf("map %s: no dataset %q in the store (patrimap datasets lists them)", m.Slug, p))
		}
	}
	if len(out) == 0 {
		return nil, warnings, fmt.Errorf("map %s: none of %s is in the store (patrimap datasets lists them)", m.Slug, strings.Join(m.Datasets, ", "))
	}
	return out, warnings, nil
}

// styleFor is the map's own style for dataset d of kind: by kind, then by dataset id (the more specific).
func (m Map) styleFor(d store.Dataset, kind string) Style {
	var s Style
	if st, ok := m.Styles[kind]; ok && kind != "" {
		s = s.over(st)
	}
	if st, ok := m.Styles[d.ID]; ok {
		s = s.over(st)
	}
	return s
}
