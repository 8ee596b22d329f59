package culture

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/patrimap/patrimap/importers/territory"
)

// places resolves the codes and names of the files against the official list of communes, départements and
// régions: leading zeros restored, names turned into codes.
type places struct {
	ref       *territory.Reference
	depByName map[string]string // nameKey → département code
	regByName map[string]string // nameKey → région code
	byDep     map[string]map[string][]string
	national  map[string][]string
}

func newPlaces(ref *territory.Reference) *places {
	p := &places{ref: ref, depByName: map[string]string{}, regByName: map[string]string{}, byDep: map[string]map[string][]string{}}
	for _, c := range depCodes() {
		if d, ok := ref.Departement(c); ok {
			p.depByName[nameKey(d.Name)] = d.Code
		}
	}
	for _, c := range []string{"01", "02", "03", "04", "06", "11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94"} {
		if r, ok := ref.Region(c); ok {
			p.regByName[nameKey(r.Name)] = r.Code
		}
	}
	// The régions before 2016, still in the "Anciennement région de" notes and the 2013 exports.
	for name, code := range map[string]string{"alsace": "44", "aquitaine": "75", "auvergne": "84", "basse normandie": "28",
		"bourgogne": "27", "centre": "24", "champagne ardenne": "44", "franche comte": "27", "haute normandie": "28",
		"languedoc roussillon": "76", "limousin": "75", "lorraine": "44", "midi pyrenees": "76",
		"nord pas de calais": "32", "picardie": "32", "poitou charentes": "75", "rhone alpes": "84"} {
		if _, ok := p.regByName[name]; !ok {
			p.regByName[name] = code
		}
	}
	return p
}

func depCodes() []string {
	var out []string
	for i := 1; i <= 95; i++ {
		if i != 20 {
			out = append(out, fmt.Sprintf("%02d", i))
		}
	}
	out = append(out, "2A", "2B")
	for _, c := range []int{971, 972, 973, 974, 975, 976, 977, 978, 984, 986, 987, 988, 989} {
		out = append(out, fmt.Sprint(c))
	}
	return out
}

// splitList splits a cell that names several things: a JSON list (["38185", "38421"]) or values separated by
// ";" or "|" (and "," when commas is set: codes never contain one).
func splitList(cell string, commas bool) []string {
	cell = strings.TrimSpace(cell)
	if cell == "" {
		return nil
	}
	if cell[0] == '[' {
		var items []any
		if json.Unmarshal([]byte(cell), &items) == nil {
			var out []string
			for _, it := range items {
				if it != nil {
					if s := strings.TrimSpace(fmt.Sprint(it)); s != "" {
						out = append(out, s)
					}
				}
			}
			return out
		}
	}
	seps := ";|"
	if commas {
		seps = ";|,"
	}
	var out []string
	for _, s := range strings.FieldsFunc(cell, func(r rune) bool { return strings.ContainsRune(seps, r) }) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// trimFloat turns a code a spreadsheet stored as a number back into text: "84.0" → "84", "6059.0" → "6059".
func trimFloat(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '.'); i > 0 && strings.Trim(s[i+1:], "0") == "" {
		return s[:i]
	}
	return s
}

// insee restores and checks an INSEE code: known is true when it is a current commune (or an
// arrondissement municipal); code is "" when s cannot be a code at all.
func (p *places) insee(s string) (code string, known bool) {
	c, ok := territory.NormaliseINSEE(trimFloat(s))
	if !ok {
		return "", false
	}
	_, known = p.ref.Commune(c)
	return c, known
}

// departement reads a département code ("6", "06", "2a", "974.0") or name ("Isère").
func (p *places) departement(s string) (string, bool) {
	s = trimFloat(s)
	if d, ok := p.ref.Departement(s); ok {
		return d.Code, true
	}
	c, ok := p.depByName[nameKey(s)]
	return c, ok
}

// region reads a région code ("84", "84.0", "1.0") or name ("Auvergne-Rhône-Alpes", "Rhône-Alpes").
func (p *places) region(s string) (string, bool) {
	c := trimFloat(s)
	if len(c) == 1 && c[0] >= '1' && c[0] <= '9' {
		c = "0" + c
	}
	if r, ok := p.ref.Region(c); ok {
		return r.Code, true
	}
	c, ok := p.regByName[nameKey(s)]
	return c, ok
}

// communesNamed finds the current communes called name, in département dep when it is known. Several
// communes may share a name in France: the caller decides what an ambiguous answer is worth.
func (p *places) communesNamed(name, dep string) []string {
	k := nameKey(name)
	if k == "" {
		return nil
	}
	if c := p.arrondissement(k); c != "" {
		return []string{c}
	}
	if dep != "" {
		idx, ok := p.byDep[dep]
		if !ok {
			idx = map[string][]string{}
			if t, err := p.ref.Communes(territory.Spec{Kind: territory.KindDep, Codes: []string{dep}}); err == nil {
				for _, c := range t.Communes {
					nk := nameKey(c.Name)
					idx[nk] = append(idx[nk], c.Code)
				}
			}
			p.byDep[dep] = idx
		}
		return idx[k]
	}
	if p.national == nil {
		p.national = map[string][]string{}
		for _, d := range depCodes() {
			p.communesNamed("x", d) // fills byDep[d]
			for nk, codes := range p.byDep[d] {
				p.national[nk] = append(p.national[nk], codes...)
			}
		}
	}
	return p.national[k]
}

// postcodeServes reports whether postcode cp serves the commune with this INSEE code (or its arrondissements).
func (p *places) postcodeServes(cp, code string) bool {
	for _, c := range p.ref.CommunesByPostcode(cp) {
		if c.Code == code || c.Commune == code {
			return true
		}
	}
	return false
}

var arrondissementRe = regexp.MustCompile(`^(paris|marseille|lyon) (\d{1,2}) ?(?:e|er|eme)? arrondissement$`)

// arrondissement finds "Paris 12e Arrondissement" (75112), "Marseille 7e Arrondissement" (13207), "Lyon 1er
// Arrondissement" (69381) from a name key.
func (p *places) arrondissement(k string) string {
	m := arrondissementRe.FindStringSubmatch(k)
	if m == nil {
		return ""
	}
	n := atoi(m[2])
	var code string
	switch m[1] {
	case "paris":
		code = fmt.Sprintf("751%02d", n)
	case "marseille":
		code = fmt.Sprintf("132%02d", n)
	case "lyon":
		code = fmt.Sprintf("6938%d", n)
	}
	if c, ok := p.ref.Commune(code); ok && c.IsArrondissement() {
		return c.Code
	}
	return ""
}
