package territory

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
)

//go:generate go run ./internal/gen

// referenceGz is the official list of communes, EPCI, départements and régions, derived from
// @etalab/decoupage-administratif; see data/PROVENANCE.md.
//
//go:embed data/reference.tsv.gz
var referenceGz []byte

// Commune is a current commune, or an arrondissement municipal of Paris, Lyon or Marseille.
type Commune struct {
	Code        string   // INSEE code: "38185", "2A004"
	Name        string   // "Grenoble"
	Departement string   // "38"
	Region      string   // "84"
	EPCI        string   // SIREN of its EPCI; "" for an arrondissement and the few communes outside any EPCI
	Postcodes   []string // "38000", "38100"; shared: do not modify
	Commune     string   // for an arrondissement municipal, the INSEE code of its commune ("13055"); else ""
}

// IsArrondissement tells an arrondissement municipal ("13201", Marseille 1er) from a commune.
func (c Commune) IsArrondissement() bool { return c.Commune != "" }

// EPCI is an établissement public de coopération intercommunale with its own tax (CC, CA, CU, METRO, MET69).
type EPCI struct {
	SIREN    string   // "200040715"
	Name     string   // "Grenoble-Alpes-Métropole"
	Type     string   // "METRO", "CU", "CA", "CC", "MET69"
	Communes []string // INSEE codes of the members, sorted; shared: do not modify
}

// Departement is a département (or an overseas collectivity listed with them: 975, 977, 978, 984, 986 to 989).
type Departement struct {
	Code   string // "38", "2A", "974"
	Name   string // "Isère"
	Region string // "84"
}

// Region is a région.
type Region struct {
	Code string // "84"
	Name string // "Auvergne-Rhône-Alpes"
}

// Reference is the embedded official list. It is read-only and safe for concurrent use.
type Reference struct {
	Source      string // "@etalab/decoupage-administratif@6.0.0"
	communes    []Commune
	byCode      map[string]int
	byPostcode  map[string][]int
	epcis       map[string]*EPCI
	deps        map[string]Departement
	regions     map[string]Region
	depCommunes map[string][]int // current communes only
}

var loadReference = sync.OnceValues(func() (*Reference, error) { return parseReference(referenceGz) })

// LoadReference returns the embedded official list of communes, EPCI, départements and régions. It is parsed
// once; later calls return the same Reference.
func LoadReference() (*Reference, error) { return loadReference() }

func parseReference(gz []byte) (*Reference, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("territory reference: %w", err)
	}
	r := &Reference{
		communes:    make([]Commune, 0, 36000),
		byCode:      make(map[string]int, 36000),
		byPostcode:  make(map[string][]int, 7000),
		epcis:       make(map[string]*EPCI, 1300),
		deps:        make(map[string]Departement, 110),
		regions:     make(map[string]Region, 30),
		depCommunes: make(map[string][]int, 110),
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("territory reference: %w", err)
	}
	// One string for the whole file: names and codes are substrings of it, not copies.
	rest := string(raw)
	n := 0
	var text string
	bad := func(msg string) error {
		return fmt.Errorf("territory reference: line %d: %s: %q", n, msg, text)
	}
	f := make([]string, 0, 8)
	for rest != "" {
		text, rest, _ = strings.Cut(rest, "\n")
		n++
		f = f[:0]
		for s := text; ; {
			field, more, ok := strings.Cut(s, "\t")
			f = append(f, field)
			if !ok {
				break
			}
			s = more
		}
		if n == 1 {
			if len(f) != 3 || f[0] != "#patrimap-territory-reference" || f[1] != "1" {
				return nil, bad("not a version 1 reference file")
			}
			r.Source = f[2]
			continue
		}
		switch f[0] {
		case "R":
			if len(f) != 3 {
				return nil, bad("want R code nom")
			}
			r.regions[f[1]] = Region{Code: f[1], Name: f[2]}
		case "D":
			if len(f) != 4 {
				return nil, bad("want D code nom région")
			}
			r.deps[f[1]] = Departement{Code: f[1], Name: f[2], Region: f[3]}
		case "E":
			if len(f) != 4 {
				return nil, bad("want E siren type nom")
			}
			r.epcis[f[1]] = &EPCI{SIREN: f[1], Type: f[2], Name: f[3]}
		case "C", "A":
			if len(f) != 6 {
				return nil, bad("want C|A insee nom département epci|commune codes-postaux")
			}
			dep, ok := r.deps[f[3]]
			if !ok {
				return nil, bad("unknown département")
			}
			c := Commune{Code: f[1], Name: f[2], Departement: f[3], Region: dep.Region}
			if f[5] != "" {
				c.Postcodes = strings.Split(f[5], ",")
			}
			i := len(r.communes)
			if f[0] == "C" {
				c.EPCI = f[4]
				if c.EPCI != "" {
					e, ok := r.epcis[c.EPCI]
					if !ok {
						return nil, bad("unknown EPCI")
					}
					e.Communes = append(e.Communes, c.Code)
				}
				r.depCommunes[c.Departement] = append(r.depCommunes[c.Departement], i)
			} else {
				c.Commune = f[4]
			}
			if _, dup := r.byCode[c.Code]; dup {
				return nil, bad("duplicate code")
			}
			r.communes = append(r.communes, c)
			r.byCode[c.Code] = i
			for _, cp := range c.Postcodes {
				r.byPostcode[cp] = append(r.byPostcode[cp], i)
			}
		default:
			return nil, bad("unknown record type")
		}
	}
	if r.Source == "" || len(r.communes) == 0 {
		return nil, errors.New("territory reference: empty")
	}
	return r, nil
}

// Commune returns the commune (or arrondissement municipal) with this INSEE code, normalised first by
// NormaliseINSEE: Commune("6059") finds 06059.
func (r *Reference) Commune(code string) (Commune, bool) {
	c, ok := NormaliseINSEE(code)
	if !ok {
		return Commune{}, false
	}
	i, ok := r.byCode[c]
	if !ok {
		return Commune{}, false
	}
	return r.communes[i], true
}

// CommunesByPostcode returns the communes and arrondissements municipaux served by a postcode, by INSEE code;
// a 4-digit postcode gets its leading zero back. Nil when none.
func (r *Reference) CommunesByPostcode(cp string) []Commune {
	c, ok := NormalisePostcode(cp)
	if !ok {
		return nil
	}
	idx := r.byPostcode[c]
	if len(idx) == 0 {
		return nil
	}
	out := make([]Commune, len(idx))
	for k, i := range idx {
		out[k] = r.communes[i]
	}
	return out
}

// Departement returns the département with this code, normalised first: "1" finds "01", "2a" finds "2A".
func (r *Reference) Departement(code string) (Departement, bool) {
	c, ok := NormaliseDep(code)
	if !ok {
		return Departement{}, false
	}
	d, ok := r.deps[c]
	return d, ok
}

// Region returns the région with this code ("84").
func (r *Reference) Region(code string) (Region, bool) {
	g, ok := r.regions[strings.TrimSpace(code)]
	return g, ok
}

// EPCI returns the EPCI with this SIREN.
func (r *Reference) EPCI(siren string) (EPCI, bool) {
	e, ok := r.epcis[strings.TrimSpace(siren)]
	if !ok {
		return EPCI{}, false
	}
	return *e, true
}

// Communes resolves a spec against the official list: it fills Spec, Name, Slug and Communes (sorted by INSEE
// code); the boundary is left to Boundaries.Boundary. An unknown code is an error that names it and suggests
// what was probably meant.
func (r *Reference) Communes(s Spec) (*Territory, error) {
	t := &Territory{Spec: s}
	var names []string
	var problems []string
	seen := map[string]bool{}
	add := func(i int) {
		c := r.communes[i]
		if !seen[c.Code] {
			seen[c.Code] = true
			t.Communes = append(t.Communes, c)
		}
	}
	for _, code := range s.Codes {
		switch s.Kind {
		case KindEPCI:
			e, ok := r.epcis[code]
			if !ok {
				problems = append(problems, r.unknownEPCI(code))
				continue
			}
			names = append(names, e.Name)
			for _, c := range e.Communes {
				add(r.byCode[c])
			}
		case KindDep:
			d, ok := r.Departement(code)
			if !ok {
				problems = append(problems, r.unknownDep(code))
				continue
			}
			names = append(names, d.Name)
			for _, i := range r.depCommunes[d.Code] {
				add(i)
			}
		case KindCommune:
			c, ok := NormaliseINSEE(code)
			i, found := r.byCode[c]
			if !ok || !found {
				problems = append(problems, r.unknownCommune(code))
				continue
			}
			names = append(names, r.communes[i].Name)
			add(i)
		default:
			return nil, fmt.Errorf("territory %s: unknown kind %q: want %s", s, s.Kind, specForms)
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("territory %s: %s", s, strings.Join(problems, "; "))
	}
	if len(t.Communes) == 0 {
		return nil, fmt.Errorf("territory %s: no commune: want %s", s, specForms)
	}
	sort.Slice(t.Communes, func(i, j int) bool { return t.Communes[i].Code < t.Communes[j].Code })
	t.Name, t.Slug = nameAndSlug(names, s)
	return t, nil
}

// nameAndSlug names a territory made of one or more EPCI, départements or communes. Up to three names are
// listed; beyond, the slug gets a hash of the codes so that two different lists never share a dataset id.
func nameAndSlug(names []string, s Spec) (string, string) {
	switch n := len(names); {
	case n == 1:
		return names[0], Slug(names[0])
	case n <= 3:
		return strings.Join(names[:n-1], ", ") + " et " + names[n-1], Slug(strings.Join(names, " "))
	default:
		codes := slices.Clone(s.Codes)
		slices.Sort(codes)
		h := fnv.New32a()
		h.Write([]byte(s.Kind + ":" + strings.Join(codes, ",")))
		return fmt.Sprintf("%s et %d autres", names[0], n-1),
			fmt.Sprintf("%s-et-%d-autres-%08x", Slug(names[0]), n-1, h.Sum32())
	}
}

func (r *Reference) unknownEPCI(code string) string {
	msg := fmt.Sprintf("unknown epci %s (not in the list of %d EPCI of %s)", code, len(r.epcis), r.Source)
	var near []string
	for siren, e := range r.epcis {
		if editDistance(code, siren) <= 1 {
			near = append(near, "epci:"+siren+" ("+e.Name+")")
		}
	}
	return msg + didYouMean(near)
}

func (r *Reference) unknownDep(code string) string {
	return fmt.Sprintf("unknown département %s: the codes are 01 to 95 (2A and 2B for Corsica) and 971 to 976 overseas, e.g. dep:38", code)
}

func (r *Reference) unknownCommune(code string) string {
	c, ok := NormaliseINSEE(code)
	if !ok {
		return fmt.Sprintf("%q is not an INSEE commune code: want 5 characters, e.g. commune:63113", code)
	}
	msg := fmt.Sprintf("unknown commune %s (not a current commune in %s; merged communes have the code of their commune nouvelle)", c, r.Source)
	var hints []string
	if byCP := r.CommunesByPostcode(c); len(byCP) > 0 {
		var cs []string
		for _, x := range byCP {
			cs = append(cs, "commune:"+x.Code+" ("+x.Name+")")
		}
		msg += fmt.Sprintf("; %s is a postcode, not an INSEE code: its communes are %s", c, strings.Join(cs, ", "))
		return msg
	}
	for _, x := range r.communes {
		if len(hints) < 5 && x.Code[:2] == c[:2] && editDistance(c, x.Code) == 1 {
			hints = append(hints, "commune:"+x.Code+" ("+x.Name+")")
		}
	}
	return msg + didYouMean(hints)
}

func didYouMean(near []string) string {
	if len(near) == 0 {
		return ""
	}
	sort.Strings(near)
	if len(near) > 5 {
		near = near[:5]
	}
	return "; did you mean " + strings.Join(near, " or ") + "?"
}

// editDistance is the Levenshtein distance between two short ASCII strings, an adjacent transposition
// counting as one edit.
func editDistance(a, b string) int {
	if len(a) == len(b) {
		diff := 0
		for i := 0; i < len(a); i++ {
			if a[i] != b[i] {
				diff++
			}
		}
		if diff == 2 {
			for i := 0; i+1 < len(a); i++ {
				if a[i] != b[i] {
					if a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:] {
						return 1
					}
					break
				}
			}
		}
		if diff <= 1 {
			return diff
		}
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
