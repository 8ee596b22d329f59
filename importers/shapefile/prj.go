package shapefile

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/patrimap/patrimap/importers/charset"
)

// DetectCRS reads a .prj (ESRI or OGC WKT) and returns its EPSG code and a name. It trusts, in this order: an
// EPSG authority on the whole CRS, a known name (the many spellings of Lambert-93, the overseas UTM zones,
// WGS84), then the projection's parameters (a Lambert-93 with a made-up name is still Lambert-93).
func DetectCRS(wkt string) (int, string, error) {
	wkt = strings.TrimSpace(wkt)
	kind, name := topName(wkt)
	if kind == "" {
		return 0, "", fmt.Errorf("the .prj is not a WKT coordinate system (%q): pass --crs EPSG:NNNN (EPSG:2154 for Lambert-93)", clip(wkt))
	}
	if code := topAuthority(wkt); code > 0 {
		return code, name, nil
	}
	key := normaliseName(name)
	if code, ok := knownNames[key]; ok {
		return code, name, nil
	}
	for _, p := range namePatterns {
		if m := p.re.FindStringSubmatch(key); m != nil {
			return p.code(m), name, nil
		}
	}
	if code := fromParameters(kind, wkt); code > 0 {
		return code, name, nil
	}
	return 0, "", fmt.Errorf("unknown coordinate system %q in the .prj: pass --crs EPSG:NNNN (EPSG:2154 for Lambert-93)", name)
}

func clip(s string) string {
	s, _ = charset.DecodeString(s, nil)
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}

var topRe = regexp.MustCompile(`(?i)^(PROJCS|GEOGCS|PROJCRS|GEOGCRS|GEODCRS|PROJECTEDCRS|GEOGRAPHICCRS)\s*[\[(]\s*"([^"]*)"`)

// topName reads the kind and the name of the whole CRS. The match is made on the text as written: upper-casing
// it first changes the length of some bytes (an invalid byte becomes U+FFFD, three bytes), so that positions in
// one do not hold in the other. A name in Latin-1 (a .prj saved by an old tool) comes out as UTF-8.
func topName(wkt string) (kind, name string) {
	m := topRe.FindStringSubmatch(wkt[:min(len(wkt), 200)])
	if m == nil {
		return "", ""
	}
	name, _ = charset.DecodeString(m[2], nil)
	return strings.ToUpper(m[1]), name
}

var authRe = regexp.MustCompile(`^(?:AUTHORITY\s*\[\s*"EPSG"\s*,\s*"?(\d+)"?|ID\s*\[\s*"EPSG"\s*,\s*(\d+))`)

// topAuthority finds the EPSG authority of the whole CRS, at bracket depth 1 (the datum's and the
// ellipsoid's, deeper down, say nothing of the projection).
func topAuthority(wkt string) int {
	depth := 0
	inString := false
	up := strings.ToUpper(wkt)
	for i := 0; i < len(up); i++ {
		switch c := up[i]; {
		case c == '"':
			inString = !inString
		case inString:
		case c == '[' || c == '(':
			depth++
		case c == ']' || c == ')':
			depth--
		case depth == 1 && (c == 'A' || c == 'I'):
			if m := authRe.FindStringSubmatch(up[i:]); m != nil && (i == 0 || up[i-1] == ',' || up[i-1] == ' ') {
				v := m[1] + m[2]
				code, _ := strconv.Atoi(v)
				return code
			}
		}
	}
	return 0
}

func normaliseName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return -1
	}, s)
}

// knownNames are CRS names as ESRI, GDAL and QGIS write them, normalised (lower case, letters and digits).
var knownNames = map[string]int{
	"rgf93lambert93":                    2154,
	"rgf1993lambert93":                  2154,
	"rgf93v2lambert93":                  2154,
	"rgf93v2blambert93":                 2154,
	"lambert93":                         2154,
	"ntflambertiietendu":                27572,
	"ntfparislambertiietendu":           27572,
	"ntfparislambertzoneii":             27572,
	"ntfparislambertiiextended":         27572,
	"gcswgs1984":                        4326,
	"wgs84":                             4326,
	"wgs1984":                           4326,
	"gcsrgf1993":                        4171,
	"gcsrgf93":                          4171,
	"rgf93":                             4171,
	"wgs84pseudomercator":               3857,
	"wgs1984webmercatorauxiliarysphere": 3857,
	"popularvisualisationcrsmercator":   3857,
	"rgfg95utmzone22n":                  2972,
	"rgfg95utm22n":                      2972,
	"rgr92utmzone40s":                   2975,
	"rgr92utm40s":                       2975,
	"rgm04utmzone38s":                   4471,
	"rgm04utm38s":                       4471,
	"rgspm06utmzone21n":                 4467,
	"rgspm06utm21n":                     4467,
	"rraf1991utmzone20n":                4559,
	"rraf1991utm20n":                    4559,
	"rgaf09utmzone20n":                  5490,
	"rgaf09utm20n":                      5490,
	"fortdesaixutmzone20n":              2973,
	"fortdesaixutm20n":                  2973,
	"sainteanneutmzone20n":              2970,
	"sainteanneutm20n":                  2970,
	"cscg1967utmzone22n":                2971,
	"reunion1947tmreunion":              3727,
	"combani1950utmzone38s":             2980,
	"rgpfutmzone6s":                     3297,
	"rgnc9193lambertnewcaledonia":       3163,
}

var namePatterns = []struct {
	re   *regexp.Regexp
	code func(m []string) int
}{
	{regexp.MustCompile(`^(?:wgs84|wgs1984)utm(?:zone)?(\d{1,2})([ns])$`), func(m []string) int {
		z, _ := strconv.Atoi(m[1])
		if m[2] == "s" {
			return 32700 + z
		}
		return 32600 + z
	}},
	{regexp.MustCompile(`^(?:rgf93|rgf1993)(?:v2b?)?(?:cc|conicconformal|conicconformalzone|lambertcc)(4[2-9]|50)$`), func(m []string) int {
		z, _ := strconv.Atoi(m[1])
		return 3900 + z
	}},
}

var paramRe = regexp.MustCompile(`PARAMETER\s*\[\s*"([^"]+)"\s*,\s*([-+0-9.eE]+)`)

// fromParameters recognises Lambert-93 and WGS84 UTM zones by their defining parameters.
func fromParameters(kind, wkt string) int {
	up := strings.ToUpper(wkt)
	if kind != "PROJCS" && kind != "PROJCRS" && kind != "PROJECTEDCRS" {
		if strings.Contains(up, "WGS") && strings.Contains(up, "84") {
			return 4326
		}
		return 0
	}
	params := map[string]float64{}
	for _, m := range paramRe.FindAllStringSubmatch(wkt, -1) {
		v, err := strconv.ParseFloat(m[2], 64)
		if err == nil {
			params[normaliseName(m[1])] = v
		}
	}
	near := func(k string, want float64) bool {
		v, ok := params[k]
		return ok && math.Abs(v-want) < 1e-6*math.Max(1, math.Abs(want))
	}
	grs80 := strings.Contains(up, "GRS") && strings.Contains(up, "1980") || strings.Contains(up, "6378137")
	parallels := (near("standardparallel1", 49) && near("standardparallel2", 44)) ||
		(near("standardparallel1", 44) && near("standardparallel2", 49))
	if strings.Contains(up, "LAMBERT_CONFORMAL_CONIC") && grs80 && parallels {
		if near("centralmeridian", 3) && near("latitudeoforigin", 46.5) && near("falseeasting", 700000) && near("falsenorthing", 6600000) {
			return 2154
		}
	}
	if strings.Contains(up, "TRANSVERSE_MERCATOR") && near("scalefactor", 0.9996) && near("falseeasting", 500000) &&
		strings.Contains(up, "WGS") && strings.Contains(up, "84") {
		cm, ok := params["centralmeridian"]
		if !ok {
			return 0
		}
		zone := int(math.Round((cm + 183) / 6))
		if zone < 1 || zone > 60 {
			return 0
		}
		if near("falsenorthing", 10000000) {
			return 32700 + zone
		}
		if near("falsenorthing", 0) {
			return 32600 + zone
		}
	}
	return 0
}
