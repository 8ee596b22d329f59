// Package territory resolves the territory an import is cut to: an EPCI, a département or a list of communes
// (names and members from embedded official lists, boundaries fetched once from geo.api.gouv.fr and cached in
// the store), the polygons of a GeoJSON file, or a bounding box.
package territory

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/paulmach/orb"
)

// Territory is what an import keeps.
type Territory struct {
	Spec     Spec         // what the user asked for
	Name     string       // "Grenoble-Alpes-Métropole"
	Slug     string       // "grenoble-alpes-metropole", used in dataset ids; "" for a bbox
	Communes []Commune    // the member communes; empty for --within and --bbox
	Boundary orb.Geometry // WGS84 polygon or multipolygon; nil when only the bbox is known
	BBox     orb.Bound    // WGS84
}

// Spec is a territory as asked on the command line: epci:200040715, dep:38, commune:63113,63014.
type Spec struct {
	Kind  string // KindEPCI, KindDep or KindCommune
	Codes []string
}

// The kinds of Spec.
const (
	KindEPCI    = "epci"
	KindDep     = "dep"
	KindCommune = "commune"
)

// String gives the spec back in the form ParseSpec reads: "epci:200040715".
func (s Spec) String() string { return s.Kind + ":" + strings.Join(s.Codes, ",") }

const specForms = "epci:SIREN (9 digits, e.g. epci:200040715), dep:CODE (e.g. dep:38, dep:2A, dep:974) or " +
	"commune:INSEE[,INSEE...] (5-character INSEE codes, e.g. commune:63113,63014)"

// ParseSpec reads a --territory value. Codes are separated by commas; leading zeros lost by a spreadsheet are
// restored where that is unambiguous ("dep:1" → "01", "commune:6059" → "06059"), Corsican codes are upper-cased
// ("dep:2a" → "2A") and duplicates are dropped. Whether a code exists is checked by Reference.Communes.
func ParseSpec(s string) (Spec, error) {
	kind, list, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return Spec{}, fmt.Errorf("territory %q: want %s", s, specForms)
	}
	kind = strings.ToLower(strings.TrimSpace(kind))
	switch kind {
	case "epci", "siren":
		kind = KindEPCI
	case "dep", "dept", "departement", "département":
		kind = KindDep
	case "commune", "communes", "insee":
		kind = KindCommune
	default:
		return Spec{}, fmt.Errorf("territory %q: unknown kind %q: want %s", s, kind, specForms)
	}
	spec := Spec{Kind: kind}
	seen := map[string]bool{}
	for _, raw := range strings.Split(list, ",") {
		c := strings.TrimSpace(raw)
		if c == "" {
			continue
		}
		var norm string
		var err error
		switch kind {
		case KindEPCI:
			norm, err = parseSIREN(c)
		case KindDep:
			norm, err = parseDep(c)
		case KindCommune:
			n, ok := NormaliseINSEE(c)
			if !ok {
				err = fmt.Errorf("%q is not an INSEE commune code: want 5 characters, digits or 2A/2B then 3 digits (e.g. 63113, 2A004)", c)
				if isDigits(c) && len(c) == 9 {
					err = fmt.Errorf("%q looks like a SIREN: for an EPCI write epci:%s", c, c)
				}
			}
			norm = n
		}
		if err != nil {
			return Spec{}, fmt.Errorf("territory %q: %w", s, err)
		}
		if !seen[norm] {
			seen[norm] = true
			spec.Codes = append(spec.Codes, norm)
		}
	}
	if len(spec.Codes) == 0 {
		return Spec{}, fmt.Errorf("territory %q: no code after %q: want %s", s, kind+":", specForms)
	}
	return spec, nil
}

func parseSIREN(c string) (string, error) {
	switch {
	case isDigits(c) && len(c) == 9:
		return c, nil
	case len(c) == 5 || len(c) == 4:
		if n, ok := NormaliseINSEE(c); ok {
			return "", fmt.Errorf("%q is not a SIREN (9 digits) but looks like an INSEE commune code: write commune:%s", c, n)
		}
	case len(c) == 14 && isDigits(c):
		return "", fmt.Errorf("%q is a SIRET: the SIREN of the EPCI is its first 9 digits, epci:%s", c, c[:9])
	}
	return "", fmt.Errorf("%q is not an EPCI SIREN: want 9 digits, e.g. epci:200040715 (Grenoble-Alpes-Métropole)", c)
}

// NormaliseDep returns the canonical form of a département code: "38", "01" for "1", "2A" for "2a", "974";
// ok is false when s cannot be one ("20", "100", "A1"). Existence is checked by Reference.Departement.
func NormaliseDep(s string) (string, bool) {
	c, err := parseDep(strings.TrimSpace(s))
	return c, err == nil
}

func parseDep(c string) (string, error) {
	u := strings.ToUpper(c)
	switch {
	case u == "2A" || u == "2B":
		return u, nil
	case u == "20":
		return "", fmt.Errorf("département %q: Corsica is two départements, write dep:2A (Corse-du-Sud) or dep:2B (Haute-Corse)", c)
	case isDigits(u) && len(u) == 1 && u != "0":
		return "0" + u, nil
	case isDigits(u) && len(u) == 2 && u != "00":
		return u, nil
	case isDigits(u) && len(u) == 3 && (strings.HasPrefix(u, "97") || strings.HasPrefix(u, "98")):
		return u, nil
	case isDigits(u) && len(u) == 5:
		return "", fmt.Errorf("département %q: that looks like a postcode or an INSEE code; for a commune write commune:%s", c, u)
	}
	return "", fmt.Errorf("département %q: want 2 characters (01 to 95, 2A, 2B) or 3 digits overseas (971 to 976), e.g. dep:38", c)
}

// NormaliseINSEE returns the canonical form of an INSEE commune code: 5 characters, digits or "2A"/"2B" then 3
// digits. It restores the leading zero a spreadsheet drops ("6059" → "06059"), trims spaces and upper-cases
// Corsican codes ("2a004" → "2A004"). ok is false when s cannot be a code; whether the commune exists is
// checked by Reference.Commune.
func NormaliseINSEE(s string) (string, bool) {
	c := strings.ToUpper(strings.TrimSpace(s))
	switch {
	case len(c) == 4 && isDigits(c) && c[0] != '0':
		return "0" + c, true
	case len(c) == 5 && isDigits(c) && c[:2] != "00":
		return c, true
	case len(c) == 5 && (c[:2] == "2A" || c[:2] == "2B") && isDigits(c[2:]):
		return c, true
	}
	return "", false
}

// NormalisePostcode restores the leading zero of a 4-digit postcode ("6000" → "06000"); ok is false when s
// is not 5 digits then.
func NormalisePostcode(s string) (string, bool) {
	c := strings.TrimSpace(s)
	if len(c) == 4 && isDigits(c) {
		c = "0" + c
	}
	if len(c) != 5 || !isDigits(c) || c[:2] == "00" {
		return "", false
	}
	return c, true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Slug turns a name into lowercase ASCII for identifiers: accents are removed, every run of other characters
// becomes one '-': "Grenoble-Alpes-Métropole" → "grenoble-alpes-metropole", "L'Haÿ-les-Roses" →
// "l-hay-les-roses", "Œuvre" → "oeuvre". Letters outside Latin-1 and Latin Extended-A count as separators.
func Slug(name string) string {
	var b strings.Builder
	sep := false
	for _, r := range name {
		var s string
		switch {
		case r < 0x80:
			if c := byte(unicode.ToLower(r)); c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
				s = string(c)
			}
		case r >= 0xC0 && r < 0xC0+rune(len(latinFold)) && latinFold[r-0xC0] != '_':
			s = string(latinFold[r-0xC0])
		case r >= 0x300 && r < 0x370: // combining accents (decomposed input): dropped
			continue
		default:
			s = latinFoldMulti[r]
		}
		if s == "" {
			sep = true
			continue
		}
		if sep && b.Len() > 0 {
			b.WriteByte('-')
		}
		sep = false
		b.WriteString(s)
	}
	return b.String()
}

// latinFold is the lowercase ASCII letter of U+00C0 to U+017F ('_': none, or see latinFoldMulti).
const latinFold = "aaaaaa_ceeeeiiiidnooooo_ouuuuy__aaaaaa_ceeeeiiiidnooooo_ouuuuy_yaaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii__jjkkkllllllllllnnnnnn_nnoooooo__rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs"

var latinFoldMulti = map[rune]string{'Æ': "ae", 'æ': "ae", 'Œ': "oe", 'œ': "oe", 'ß': "ss", 'Þ': "th", 'þ': "th",
	'Ĳ': "ij", 'ĳ': "ij", 'ŉ': "n"}
