package dossier

import (
	"encoding/json"
	"time"

	"github.com/patrimap/patrimap/importers/culture/hours"
)

// Dossier holds every figure of a territory's dossier: the page, its JSON and its CSV files are written from
// it and from nothing else. It says nothing in words of one language: the page does.
type Dossier struct {
	Territory   Territory      `json:"territory"`
	GeneratedAt time.Time      `json:"generated_at"`
	DataDate    time.Time      `json:"data_date"` // the most recent import among the datasets counted
	Inventories []Inventory    `json:"inventories"`
	Monuments   *Monuments     `json:"monuments,omitempty"` // nil when the store has no monuments historiques
	Natural     *Natural       `json:"natural,omitempty"`   // nil when the store has no natural-heritage layer
	Museums     []Museum       `json:"museums"`
	Lists       []SiteList     `json:"lists"` // jardins remarquables, architecture contemporaine, maisons des Illustres
	Maps        []ThemeMap     `json:"maps"`
	Sources     []Source       `json:"sources"`
	Notes       []Note         `json:"notes,omitempty"` // what could not be computed, and why
	Charts      []Chart        `json:"charts"`
	HoursSource *HoursSource   `json:"hours_source,omitempty"`
	Unplaced    []UnplacedRows `json:"unplaced"`
}

// Territory is what the dossier is about.
type Territory struct {
	Spec     string       `json:"spec"` // "epci:200040715"
	Kind     string       `json:"kind"` // epci, dep, commune
	Name     string       `json:"name"`
	Communes []CommuneRef `json:"communes"`
	// AreaHa is the territory's area (hectares, EPSG:3035); nil when the contour of a commune is unknown.
	AreaHa *float64 `json:"area_ha"`
	// ContoursMissing are the communes whose contour is unknown: areas, maps' outline and the placing of rows
	// by position then wait for them (see Notes).
	ContoursMissing []string    `json:"contours_missing,omitempty"`
	BBox            *[4]float64 `json:"bbox,omitempty"` // west, south, east, north (WGS84), when contours are known
	// Outline is the territory's boundary (GeoJSON geometry, WGS84, simplified to about 30 m for its maps),
	// when contours are known.
	Outline json.RawMessage `json:"outline,omitempty"`
}

// CommuneRef is a commune of the territory.
type CommuneRef struct {
	Code   string   `json:"code"`
	Name   string   `json:"name"`
	AreaHa *float64 `json:"area_ha,omitempty"`
}

// How a dataset's rows were counted in the territory.
const (
	ByCommune      = "commune"      // by the INSEE code of the row's commune(s)
	ByIntersection = "intersection" // by its geometry meeting the territory's contour
	NotCounted     = "not-counted"  // neither: no commune code and no contour (see Notes)
)

// The inventories the dossier knows by name (the culture importer's list keys), and the others.
const (
	KindMonuments = "merimee"
	KindMuseums   = "musees"
	KindGardens   = "jardins"
	KindACR       = "acr"
	KindIllustres = "illustres"
	KindNatural   = "natural"
	KindOther     = "other"
)

// Inventory is one dataset as counted in the territory.
type Inventory struct {
	Dataset     string   `json:"dataset"`
	Title       string   `json:"title"`
	Kind        string   `json:"kind"`
	Theme       string   `json:"theme"`
	CountedBy   string   `json:"counted_by"`
	Count       int64    `json:"count"`
	NoPosition  int64    `json:"without_position"`  // counted, but not on the maps
	NoCommune   int64    `json:"without_commune"`   // rows of the dataset with neither a current commune code nor a position to place them: not counted
	AreaHa      *float64 `json:"area_ha,omitempty"` // natural layers: the area they cover in the territory
	Share       *float64 `json:"share,omitempty"`   // of the territory's area, 0..1
	InvalidArea int64    `json:"invalid_geometries,omitempty"`
}

// Monuments are the monuments historiques of the territory.
type Monuments struct {
	Dataset    string             `json:"dataset"`
	Total      int64              `json:"total"`
	Classe     int64              `json:"classe"`
	Inscrit    int64              `json:"inscrit"`
	Both       int64              `json:"classe_et_inscrit"`
	Unknown    int64              `json:"protection_unknown"`
	PerCommune []CommuneMonuments `json:"per_commune"` // most monuments first
	Decades    []DecadeCount      `json:"decades"`     // by decade of the first protection
	Undated    int64              `json:"undated"`     // no date of first protection
	Oldest     []Protection       `json:"oldest"`
	Recent     []Protection       `json:"recent"`
}

// CommuneMonuments counts a commune's monuments by protection.
type CommuneMonuments struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Classe  int64  `json:"classe"`
	Inscrit int64  `json:"inscrit"`
	Both    int64  `json:"classe_et_inscrit"`
	Unknown int64  `json:"protection_unknown"`
	Total   int64  `json:"total"`
}

// DecadeCount counts the first protections of a decade by their kind: a monument first classé, or first
// inscrit (classé when both came the same day).
type DecadeCount struct {
	Decade  int   `json:"decade"` // 1840, 1850...
	Classe  int64 `json:"classe"`
	Inscrit int64 `json:"inscrit"`
}

// Protection is one monument's first protection.
type Protection struct {
	Date    string `json:"date"` // "1840", "1862-07-18"
	Type    string `json:"type"` // classé, inscrit
	Name    string `json:"name"`
	Commune string `json:"commune"`
	Ref     string `json:"ref"`
	URL     string `json:"url,omitempty"`
}

// Natural is the natural heritage of the territory, in area.
type Natural struct {
	// AreasKnown is false when a commune's contour is unknown: then the layers' sites are not counted either
	// (a site is counted when it meets the territory's contour).
	AreasKnown bool          `json:"areas_known"`
	UnionHa    float64       `json:"union_ha"`    // covered by at least one layer: each place once
	UnionShare float64       `json:"union_share"` // of the territory
	SumHa      float64       `json:"sum_ha"`      // the layers' areas added up, overlaps counted as often as they occur
	PerCommune []CommuneArea `json:"per_commune"` // largest share first
	Invalid    int64         `json:"invalid_geometries"`
}

// CommuneArea is the part of a commune covered by natural-heritage layers.
type CommuneArea struct {
	Code      string  `json:"code"`
	Name      string  `json:"name"`
	AreaHa    float64 `json:"area_ha"`    // the commune's
	CoveredHa float64 `json:"covered_ha"` // by at least one layer
	Share     float64 `json:"share"`
}

// Museum is a musée de France of the territory, with its opening hours when a source has them.
type Museum struct {
	Dataset string       `json:"dataset"`
	Ref     string       `json:"ref"`
	Name    string       `json:"name"`
	Commune string       `json:"commune"`
	INSEE   string       `json:"insee"`
	URL     string       `json:"url,omitempty"`
	Placed  bool         `json:"placed"` // has a position
	Hours   *hours.Hours `json:"hours,omitempty"`
	// HoursFrom is the dataset the hours come from, when it is another list matched by commune and name.
	HoursFrom string `json:"hours_from,omitempty"`
}

// HoursSource says where the opening hours come from and how many were read.
type HoursSource struct {
	Datasets []string `json:"datasets"`
	WithText int      `json:"with_text"` // museums with a période d'ouverture
	Read     int      `json:"read"`      // of which read into opening_hours
}

// SiteList is the rows of a named inventory (jardins remarquables, ...) in the territory.
type SiteList struct {
	Dataset string `json:"dataset"`
	Kind    string `json:"kind"`
	Title   string `json:"title"`
	Sites   []Site `json:"sites"`
}

// Site is one row of a list.
type Site struct {
	Ref     string `json:"ref"`
	Name    string `json:"name"`
	Commune string `json:"commune"`
	URL     string `json:"url,omitempty"`
	Placed  bool   `json:"placed"`
}

// ThemeMap is one map of the dossier: the datasets of a theme over the territory.
type ThemeMap struct {
	Theme    string   `json:"theme"` // monuments, museums, natural
	Datasets []string `json:"datasets"`
}

// Source is a dataset behind the figures, with what its licence asks to say.
type Source struct {
	Dataset     string    `json:"dataset"`
	Title       string    `json:"title"`
	Producer    string    `json:"producer"`
	Licence     string    `json:"licence"`
	Attribution string    `json:"attribution"`
	URL         string    `json:"url,omitempty"`
	File        string    `json:"file,omitempty"`
	RetrievedAt time.Time `json:"retrieved_at"`
	ImportedAt  time.Time `json:"imported_at"`
	Version     int64     `json:"version"`
}

// UnplacedRows are the rows of a dataset counted in the territory but without a position: on no map.
type UnplacedRows struct {
	Dataset string `json:"dataset"`
	Title   string `json:"title"`
	Count   int64  `json:"count"`
	Rows    []Site `json:"rows"` // the first ones
}

// Note is something the dossier could not do, with its reason, for the page to say.
type Note struct {
	Code   string `json:"code"`   // contours-missing, geo-api, invalid-geometry, not-counted
	Detail string `json:"detail"` // names, counts (not translated)
}

// Chart is the data of one chart: the page draws it, offers it as CSV and writes its text alternative from it.
type Chart struct {
	ID      string   `json:"id"` // monuments-by-commune, protections-by-decade, natural-by-status, natural-by-commune
	Columns []string `json:"columns"`
	Rows    [][]any  `json:"rows"`
}
