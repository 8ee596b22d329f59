package culture

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// ParsePosition reads a position cell: "45.18, 5.72" and "45.18,5.72" (latitude first, as the ministry writes
// them), "[45.18, 5.72]" (ODS geo_point_2d), {"lat": 45.18, "lon": 5.72} (JSON exports; "lng" accepted) and
// "45.18;5.72". ok is false when s is empty or not a pair of finite numbers.
func ParsePosition(s string) (lat, lon float64, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, 0, false
	}
	if s[0] == '{' {
		var p struct {
			Lat *float64 `json:"lat"`
			Lon *float64 `json:"lon"`
			Lng *float64 `json:"lng"`
		}
		if json.Unmarshal([]byte(s), &p) != nil || p.Lat == nil || (p.Lon == nil && p.Lng == nil) {
			return 0, 0, false
		}
		if p.Lon == nil {
			p.Lon = p.Lng
		}
		return finitePair(*p.Lat, *p.Lon)
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	a, b, found := strings.Cut(s, ",")
	if !found {
		if a, b, found = strings.Cut(s, ";"); !found {
			return 0, 0, false
		}
	}
	if strings.ContainsAny(b, ",;") {
		return 0, 0, false
	}
	x, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	y, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return finitePair(x, y)
}

// ParseCoordinate reads one latitude or longitude cell; a decimal comma is accepted ("45,18").
func ParseCoordinate(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

func finitePair(a, b float64) (float64, float64, bool) {
	if math.IsNaN(a) || math.IsNaN(b) || math.IsInf(a, 0) || math.IsInf(b, 0) {
		return 0, 0, false
	}
	return a, b, true
}

// PositionCheck is what CheckPosition found.
type PositionCheck int

// The outcomes of CheckPosition.
const (
	PositionOK      PositionCheck = iota
	PositionUnknown               // 0,0: the ministry's "no position"
	PositionSwapped               // latitude and longitude were swapped: returned in the right order
	PositionOutside               // neither order falls in France or its overseas territories
)

// zone is a latitude/longitude box of France or of one of its overseas territories, with a margin.
type zone struct {
	name                     string
	south, north, west, east float64
}

// franceZones covers metropolitan France and Corsica, the overseas départements and collectivités, and the
// TAAF. The boxes are generous: a point a few kilometres offshore is a geocoding slip, not a foreign place.
var franceZones = []zone{
	{"France métropolitaine", 41.2, 51.3, -5.5, 9.9},
	{"Guadeloupe", 15.7, 16.6, -61.9, -60.9},
	{"Martinique", 14.3, 15.0, -61.3, -60.7},
	{"Guyane", 2.0, 6.0, -54.7, -51.4},
	{"La Réunion", -21.5, -20.8, 55.1, 56.0},
	{"Mayotte", -13.1, -12.5, 44.9, 45.4},
	{"Saint-Pierre-et-Miquelon", 46.7, 47.2, -56.5, -56.1},
	{"Saint-Barthélemy et Saint-Martin", 17.8, 18.2, -63.2, -62.7},
	{"Wallis-et-Futuna", -14.5, -13.1, -178.3, -176.0},
	{"Polynésie française", -28.0, -7.0, -155.0, -134.0},
	{"Nouvelle-Calédonie", -23.0, -19.0, 163.0, 169.0},
	{"Terres australes et antarctiques", -50.0, -11.0, 39.0, 78.0},
	{"Clipperton", 10.2, 10.4, -109.3, -109.1},
}

// InFrance reports whether a position falls in France or one of its overseas territories.
func InFrance(lat, lon float64) bool {
	for _, z := range franceZones {
		if lat >= z.south && lat <= z.north && lon >= z.west && lon <= z.east {
			return true
		}
	}
	return false
}

// CheckPosition tells a usable position from the ministry's 0,0 placeholder, from one whose latitude and
// longitude were swapped (fixed: returned in the right order) and from one outside France.
func CheckPosition(lat, lon float64) (float64, float64, PositionCheck) {
	switch {
	case math.Abs(lat) < 1e-9 && math.Abs(lon) < 1e-9:
		return lat, lon, PositionUnknown
	case InFrance(lat, lon):
		return lat, lon, PositionOK
	case InFrance(lon, lat):
		return lon, lat, PositionSwapped
	}
	return lat, lon, PositionOutside
}
